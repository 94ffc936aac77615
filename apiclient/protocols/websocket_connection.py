"""A websockets ``ClientConnection`` that reports what passes, in the order it passed.

websockets answers pings and sends keepalive pings by itself, so a session would never
see them; this subclass (passed as ``create_connection=``, the documented hook) reports
each ping and pong both ways. Data messages are still read with ``recv()``, which keeps
websockets' flow control; :meth:`ReportingConnection.receive` reports each message with
the time it arrived, and the control frames that arrived while messages waited in the
receive queue are reported after those messages, so the log shows the true order.
Close frames are reported by the session once the connection has closed.

It also reads at most :data:`READ_BYTES` per wake-up of the event loop: asyncio reads up
to 256 KiB at once and websockets parses every frame of it in that one callback, which
for a burst of small messages (a ticker falling behind) is thousands of frames and tens
of milliseconds with the window frozen. Smaller reads let the window paint between
them; the TCP window, and so throughput on a distant link, is unchanged.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event
from websockets.typing import DataLike

from apiclient.protocols.websocket_events import Direction, FrameKind

__all__ = ["READ_BYTES", "FrameReport", "ReportingConnection"]

READ_BYTES = 16 * 1024  # a few hundred small messages: a few milliseconds of parsing

# (direction, kind, at, data, size): called synchronously for each frame.
FrameReport = Callable[[Direction, FrameKind, float, str | bytes, int], object]
_Control = tuple[Direction, FrameKind, float, bytes]

_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


class ReportingConnection(ClientConnection):
    """Calls ``report`` for every data message received (from :meth:`receive`) and for
    every ping and pong either way: the keepalive's pings, the automatic pong answering
    each server ping, and explicit pings."""

    def __init__(self, *args: Any, report: FrameReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._report = report
        # In arrival order: the arrival time of each message not yet received with
        # recv(), and the control frames that came in behind it.
        self._arrivals: deque[float | _Control] = deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        # A plain socket's transport reads max_size bytes per callback; a TLS transport
        # has no such attribute (its reads are left as asyncio makes them).
        if isinstance(getattr(transport, "max_size", None), int):
            transport.max_size = READ_BYTES  # type: ignore[attr-defined]

    async def receive(self) -> None:
        """Wait for the next message and report it, then the control frames that
        arrived after it. Raises ``ConnectionClosed`` once the connection is closed."""
        data = await self.recv()
        arrivals = self._arrivals
        entry = arrivals.popleft() if arrivals else None
        at = entry if isinstance(entry, float) else time.time()
        if isinstance(data, str):
            size = len(data) if data.isascii() else len(data.encode("utf-8"))
            self._report("in", "text", at, data, size)
        else:
            self._report("in", "binary", at, data, len(data))
        if arrivals and not isinstance(arrivals[0], float):
            self.report_waiting()

    def report_waiting(self) -> None:
        """Report the control frames at the head of the queue (all of them once the
        connection is closed, when no message will come to release them)."""
        arrivals = self._arrivals
        while arrivals:
            entry = arrivals[0]
            if isinstance(entry, float):
                if self.recv_messages.closed:
                    arrivals.popleft()  # a message recv() refused (as invalid UTF-8)
                    continue
                return
            arrivals.popleft()
            direction, kind, at, payload = entry
            self._report(direction, kind, at, payload, len(payload))

    def process_event(self, event: Event) -> None:
        super().process_event(event)
        if not isinstance(event, Frame):
            return  # the handshake response
        opcode = event.opcode
        if opcode in _DATA:
            if event.fin:
                self._arrivals.append(time.time())
        elif opcode is Opcode.PING:
            payload = bytes(event.data)
            at = time.time()
            self._control(("in", "ping", at, payload))
            self._control(("out", "pong", at, payload))  # the protocol already queued it
        elif opcode is Opcode.PONG:
            self._control(("in", "pong", time.time(), bytes(event.data)))

    def _control(self, entry: _Control) -> None:
        if self._arrivals:
            self._arrivals.append(entry)  # behind messages not yet received
        else:
            direction, kind, at, payload = entry
            self._report(direction, kind, at, payload, len(payload))

    async def ping(self, data: DataLike | None = None) -> Awaitable[float]:
        waiter = await super().ping(data)
        # Without data, websockets picks a random payload: the newest pending one.
        payload = next(reversed(self.pending_pings))
        self._report("out", "ping", time.time(), payload, len(payload))
        return waiter
