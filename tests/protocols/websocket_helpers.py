"""Helpers for the WebSocket engine tests: a probe that records what a session reports,
and a scripted server for misbehaviour the mock does not offer (a server that never
answers pings, one that picks no subprotocol, one that refuses after a drop)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from apiclient.core.models import WebsocketRequest
from apiclient.protocols.websocket import WebsocketSession, WsFrame, WsStatus

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_KEY_RE = re.compile(rb"(?im)^sec-websocket-key:\s*(\S+)\s*$")


@dataclass
class Probe:
    """Records every frame and status a session reports."""

    frames: list[WsFrame] = field(default_factory=list)
    statuses: list[WsStatus] = field(default_factory=list)

    def on_frame(self, frame: WsFrame) -> None:
        self.frames.append(frame)

    def on_status(self, status: WsStatus) -> None:
        self.statuses.append(status)

    @property
    def phases(self) -> list[str]:
        return [status.phase for status in self.statuses]

    def received(self) -> list[str | bytes]:
        """The data messages received, in order."""
        return [f.data for f in self.frames if f.direction == "in" and f.kind in ("text", "binary")]

    def kinds(self) -> list[tuple[str, str]]:
        return [(frame.direction, frame.kind) for frame in self.frames]

    async def until(self, check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
        """Wait until ``check()`` holds (the session reports from the same loop)."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; statuses: {self.phases}")
            await asyncio.sleep(0.005)


def make_session(
    url: str, probe: Probe, *, delay: Callable[[int], float] | None = None, **fields: Any
) -> WebsocketSession:
    request = WebsocketRequest(url=url, **fields)
    if delay is None:
        return WebsocketSession(request, probe.on_frame, probe.on_status)
    return WebsocketSession(request, probe.on_frame, probe.on_status, reconnect_delay=delay)


@asynccontextmanager
async def opened(
    url: str, **fields: Any
) -> AsyncIterator[tuple[WebsocketSession, Probe, asyncio.Task[WsStatus]]]:
    """A running session, open (else the test fails with its status); cancelled after."""
    probe = Probe()
    session = make_session(url, probe, **fields)
    task = asyncio.create_task(session.run())
    try:
        await probe.until(lambda: session.status.phase == "open" or task.done(), "open")
        assert session.status.phase == "open", session.status.describe()
        yield session, probe, task
    finally:
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def run_to_end(url: str, timeout: float = 10.0, **fields: Any) -> tuple[WsStatus, Probe]:
    """Run a session until it ends by itself; its final status and what it reported."""
    probe = Probe()
    session = make_session(url, probe, **fields)
    final = await asyncio.wait_for(session.run(), timeout)
    return final, probe


# --- a scripted server ------------------------------------------------------------------

Act = Literal["ignore", "drop", "refuse"]


@dataclass(frozen=True)
class Step:
    """What the scripted server does with one connection: ``ignore`` answers the
    handshake (with ``headers`` added, and ``frames``, raw server frames, in the same
    write) then reads and never answers (closing the TCP connection on the client's
    close frame), ``drop`` answers then cuts the TCP connection, ``refuse`` answers
    ``status`` with ``body``."""

    act: Act
    headers: tuple[str, ...] = ()
    frames: bytes = b""
    status: int = 403
    body: bytes = b"go away"


def server_frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, unfragmented frame as a server sends it (payload < 126 bytes)."""
    return bytes([0x80 | opcode, len(payload)]) + payload


async def _read_frames_until_close(reader: asyncio.StreamReader) -> None:
    """Skip the client's (masked) frames; return after a close frame or EOF."""
    try:
        while True:
            first, second = await reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(await reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await reader.readexactly(8), "big")
            await reader.readexactly(4 + length)  # mask key and payload
            if first & 0x0F == 0x8:
                return
    except asyncio.IncompleteReadError:
        return


@asynccontextmanager
async def scripted_server(*steps: Step) -> AsyncIterator[str]:
    """A server on 127.0.0.1 following ``steps``, one per connection (the last repeats);
    yields its ws:// base URL."""
    count = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        step = steps[min(count, len(steps) - 1)]
        count += 1
        head = await reader.readuntil(b"\r\n\r\n")
        if step.act == "refuse":
            writer.write(
                f"HTTP/1.1 {step.status} Refused\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(step.body)}\r\n\r\n".encode()
                + step.body
            )
            await writer.drain()
            writer.close()
            return
        match = _KEY_RE.search(head)
        assert match is not None
        accept = base64.b64encode(hashlib.sha1(match.group(1) + _GUID).digest()).decode()
        lines = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {accept}",
            *step.headers,
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + step.frames)
        await writer.drain()
        if step.act == "drop":
            writer.transport.abort()
            return
        await _read_frames_until_close(reader)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()
