"""The WebSocket engine: one session connects, receives until closed (reconnecting
when asked), sends, pings and closes, and reports every frame and phase change.

A tab builds a :class:`WebsocketSession` with a *resolved* request and two callbacks,
runs :meth:`WebsocketSession.run` as a task, and calls :meth:`~WebsocketSession.send`,
:meth:`~WebsocketSession.ping` and :meth:`~WebsocketSession.close` while it runs.
``on_frame`` sees every frame both ways (data messages, pings, pongs, close frames,
the library's own keepalive pings and automatic pongs included); it is called
synchronously and must be cheap and never raise, since a fast server sends thousands
of messages a second. ``on_status`` sees every phase change.

Reconnecting (``auto_reconnect``): after a drop, an abnormal close or (while
reconnecting) a failed attempt, the session waits 0.5 s, doubling to 30 s, with
jitter, at most :data:`MAX_RECONNECT_ATTEMPTS` times; never after :meth:`close`, a
normal close by the server (1000, 1001), or a refused handshake (4xx).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any, cast

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConcurrencyError, ConnectionClosed
from websockets.frames import Close
from websockets.protocol import State
from websockets.typing import Subprotocol

from apiclient.core.models import WebsocketRequest, WsMessage
from apiclient.protocols.errors import (
    ConnectError,
    DnsError,
    ProtocolError,
    RequestBuildError,
    RequestTimeoutError,
    TlsError,
    WebsocketError,
    WsClosedError,
    WsHandshakeError,
    WsMessageError,
    WsNotConnectedError,
    WsSubprotocolError,
)
from apiclient.protocols.http import USER_AGENT
from apiclient.protocols.websocket_close import CloseFrame, CloseOutcome, check_close, close_outcome
from apiclient.protocols.websocket_connection import ReportingConnection
from apiclient.protocols.websocket_events import (
    MAX_RECONNECT_ATTEMPTS,
    Direction,
    FrameKind,
    SessionPhase,
    WsCounters,
    WsFrame,
    WsStatus,
)
from apiclient.protocols.websocket_handshake import (
    HandshakeTarget,
    OriginBoundConnect,
    handshake_target,
    open_failure,
    subprotocol_missing,
)
from apiclient.protocols.websocket_messages import encode_message, payload_size

__all__ = [
    "MAX_RECONNECT_ATTEMPTS",
    "ConnectError",
    "Direction",
    "DnsError",
    "FrameKind",
    "RequestBuildError",
    "RequestTimeoutError",
    "SessionPhase",
    "TlsError",
    "WebsocketError",
    "WebsocketSession",
    "WsClosedError",
    "WsCounters",
    "WsFrame",
    "WsHandshakeError",
    "WsMessageError",
    "WsNotConnectedError",
    "WsStatus",
    "WsSubprotocolError",
    "backoff_delay",
    "encode_message",
]

_FIRST_DELAY_S = 0.5
_MAX_DELAY_S = 30.0
_CLOSE_TIMEOUT_S = 5.0  # how long a closing handshake may take before the socket is dropped
_PING_WAIT_S = 30.0  # how long ping() waits for its pong
_LARGE_BODY = 64 * 1024  # characters: encoded in a worker above this
_MAX_PING_PAYLOAD = 125
_RECEIVE_SLICE_S = 0.01  # the longest the receive loop holds the event loop in a burst
# A connection that stayed open this long starts the reconnect count afresh; one that
# drops sooner keeps counting, so a server that accepts and drops at once is not
# hammered forever.
_STABLE_S = 10.0


def backoff_delay(attempt: int) -> float:
    """Seconds before reconnect ``attempt`` (1-based): 0.5 s doubling to 30 s, ±20 %
    jitter so clients dropped together do not come back together."""
    base = min(_FIRST_DELAY_S * 2 ** (attempt - 1), _MAX_DELAY_S)
    return base * random.uniform(0.8, 1.2)


def _ignore(*_args: object) -> None:
    """The callbacks once :meth:`WebsocketSession.abort` was called."""


class WebsocketSession:
    """One WebSocket session for a resolved request; see the module docstring.

    ``reconnect_delay`` maps a reconnect attempt (1-based) to the seconds to wait
    before it; tests pass a fast one.
    """

    def __init__(
        self,
        request: WebsocketRequest,
        on_frame: Callable[[WsFrame], None],
        on_status: Callable[[WsStatus], None],
        *,
        reconnect_delay: Callable[[int], float] = backoff_delay,
    ) -> None:
        self.request = request
        self.counters = WsCounters()
        self.status = WsStatus("closed", time.time(), request.url.strip())
        self._on_frame: Callable[[WsFrame], None] = on_frame
        self._on_status: Callable[[WsStatus], None] = on_status
        self._reconnect_delay = reconnect_delay
        self._url = request.url.strip()
        self._connection: ReportingConnection | None = None
        self._opening: asyncio.Future[ReportingConnection] | None = None
        self._stop = asyncio.Event()
        self._stopping = False  # close() or abort() was called: end, never reconnect
        self._started = False

    # --- running ------------------------------------------------------------------------

    async def run(self) -> WsStatus:
        """Connect and receive until closed for good; returns the final status.

        Never raises for network, protocol or bad-input failures: they end as a
        ``closed`` status with ``error`` set. Cancelling the task drops the socket.
        """
        if self._started:
            raise RuntimeError("A WebsocketSession runs once; make a new one to reconnect.")
        self._started = True
        try:
            return await self._run()
        except asyncio.CancelledError:  # the socket was dropped on the way out
            self._stopping = True
            self._set_status("closed", closed_by="client")
            raise

    async def _run(self) -> WsStatus:
        if self._stopping:
            return self._set_status("closed", closed_by="client")
        self._set_status("connecting")
        try:
            target = await handshake_target(self.request)
        except ProtocolError as exc:
            return self._set_status("closed", error=exc)
        self._url = target.shown_url
        attempt = 0  # reconnect attempts since the last open connection
        while True:
            if attempt:
                self._set_status("connecting", attempt=attempt)
            opened = await self._open(target)
            if opened is None:
                return self._set_status("closed", closed_by="client")
            if isinstance(opened, ProtocolError):
                ended: dict[str, Any] = {"error": opened}
                retry = attempt > 0 and _worth_retrying(opened)
            else:
                opened_at = time.monotonic()
                outcome = await self._serve(opened, target)
                if time.monotonic() - opened_at >= _STABLE_S:
                    attempt = 0
                ended = _status_fields(outcome)
                retry = outcome.retry
            if self._stopping:  # the person closed: a failure on the way is moot
                ended.update(closed_by="client", error=None)
                return self._set_status("closed", **ended)
            if not (retry and self.request.auto_reconnect) or attempt >= MAX_RECONNECT_ATTEMPTS:
                return self._set_status("closed", attempt=attempt, **ended)
            attempt += 1
            delay = self._reconnect_delay(attempt)
            self._set_status("reconnecting", attempt=attempt, retry_in_s=delay, **ended)
            if await self._stopped_within(delay):
                return self._set_status("closed", closed_by="client")

    async def _open(self, target: HandshakeTarget) -> ReportingConnection | ProtocolError | None:
        """A new open connection, the error that kept it from opening, or None when
        :meth:`close` or :meth:`abort` stopped the attempt."""
        if self._stopping:
            return None
        task = asyncio.ensure_future(self._handshake(target))
        self._opening = task
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:  # run() itself was cancelled
            task.cancel()  # connect() aborts its socket...
            task.add_done_callback(_drop_opened)  # ...unless it had just opened
            raise
        finally:
            self._opening = None
        if task.cancelled():
            return None
        error = task.exception()
        if error is not None:
            if isinstance(error, ProtocolError):
                return error
            raise error
        connection = task.result()
        if self._stopping:
            connection.transport.abort()
            return None
        return connection

    async def _handshake(self, target: HandshakeTarget) -> ReportingConnection:
        request = self.request
        interval = request.ping_interval_s or None
        extra: dict[str, Any] = {}
        if target.ssl is not None:
            extra["ssl"] = target.ssl
        if target.server_hostname:
            extra["server_hostname"] = target.server_hostname
        made: list[ReportingConnection] = []

        def reporting(*args: Any, **kwargs: Any) -> ReportingConnection:
            made.append(ReportingConnection(*args, report=self._report, **kwargs))
            return made[-1]

        try:
            connection = await OriginBoundConnect(
                target.url,
                credential_headers=target.credential_headers,
                subprotocols=[Subprotocol(name) for name in target.subprotocols] or None,
                additional_headers=list(target.headers),
                user_agent_header=USER_AGENT,
                open_timeout=request.connect_timeout_s,
                ping_interval=interval,
                ping_timeout=interval,
                close_timeout=_CLOSE_TIMEOUT_S,
                max_size=request.max_message_bytes,
                create_connection=cast(type[ClientConnection], reporting),
                **extra,
            )
        except Exception as exc:
            last = made[-1] if made else None
            raise open_failure(exc, target, request.connect_timeout_s, last) from None
        assert isinstance(connection, ReportingConnection)  # made by `reporting`
        if target.subprotocols and connection.subprotocol is None:
            connection.transport.abort()
            raise subprotocol_missing(target)
        return connection

    async def _serve(
        self, connection: ReportingConnection, target: HandshakeTarget
    ) -> CloseOutcome:
        """Receive until the connection closes; report each message, then the close
        frames, and return how it ended."""
        self._connection = connection
        response = connection.response
        headers = tuple(response.headers.raw_items()) if response is not None else ()
        self._set_status("open", subprotocol=connection.subprotocol, response_headers=headers)
        loop = asyncio.get_running_loop()
        try:
            slice_end = loop.time() + _RECEIVE_SLICE_S
            while True:
                await connection.receive()
                if loop.time() >= slice_end:
                    # Queued messages are received without suspending: in a burst, hand
                    # the loop back now and then, or the window would stop painting.
                    await asyncio.sleep(0)
                    slice_end = loop.time() + _RECEIVE_SLICE_S
        except ConnectionClosed as closed:
            ending = closed
        except BaseException:  # cancelled, or a callback raised: never leave the socket open
            connection.transport.abort()
            raise
        finally:
            self._connection = None
        connection.report_waiting()
        self._report_close(ending.rcvd, ending.sent, ending.rcvd_then_sent)
        interval = self.request.ping_interval_s or None
        return close_outcome(
            _frame(ending.rcvd),
            _frame(ending.sent),
            ending.rcvd_then_sent,
            where=target.shown_url,
            by_user=self._stopping,
            limit_bytes=self.request.max_message_bytes,
            ping_timeout_s=interval,
            lost_because=_lost_because(ending),
        )

    async def _stopped_within(self, delay: float) -> bool:
        """Wait ``delay`` seconds; True as soon as :meth:`close` or :meth:`abort` is called."""
        try:
            async with asyncio.timeout(delay):
                await self._stop.wait()
        except TimeoutError:
            return False
        return True

    # --- acting on the open connection --------------------------------------------------

    def _open_connection(self) -> ReportingConnection:
        connection = self._connection
        if connection is None or connection.state is not State.OPEN:
            if self.status.phase in ("connecting", "reconnecting"):
                raise WsNotConnectedError("Not connected yet: wait until the connection is open.")
            raise WsNotConnectedError()
        return connection

    async def send(self, message: WsMessage) -> WsFrame:
        """Send one message (already resolved), encoded by its format; returns the frame
        as sent. Raises :class:`WsMessageError` for a message that cannot be sent as
        written (or is over the size limit), :class:`WsNotConnectedError` when no
        connection is open."""
        self._open_connection()
        limit = self.request.max_message_bytes
        if message.format == "file" or len(message.body) > _LARGE_BODY:
            payload = await asyncio.to_thread(encode_message, message, limit)
        else:
            payload = encode_message(message, limit)
        connection = self._open_connection()  # it may have closed while encoding
        at = time.time()
        try:
            await connection.send(payload)
        except ConnectionClosed:
            raise WsNotConnectedError(
                "The connection closed before the message was sent; it was not sent."
            ) from None
        kind: FrameKind = "text" if isinstance(payload, str) else "binary"
        return self._report("out", kind, at, payload, payload_size(payload))

    async def ping(self, payload: bytes = b"") -> float:
        """Send a ping and wait for its pong; returns the round trip in seconds. An empty
        payload gets four random bytes, so pings in flight stay apart."""
        if len(payload) > _MAX_PING_PAYLOAD:
            raise WsMessageError(
                f"A ping carries at most {_MAX_PING_PAYLOAD} bytes; this one has {len(payload)}."
            )
        connection = self._open_connection()
        try:
            pong = await connection.ping(payload or None)
            async with asyncio.timeout(_PING_WAIT_S):
                return await pong
        except ConcurrencyError:
            raise WsMessageError(
                "A ping with this payload is still waiting for its pong: wait for it, or"
                " use another payload."
            ) from None
        except ConnectionClosed:
            raise WsNotConnectedError("The connection closed before the pong arrived.") from None
        except TimeoutError:
            raise RequestTimeoutError(
                f"The server at {self._url} did not answer the ping within {_PING_WAIT_S:g} s.",
                phase="read",
                timeout_s=_PING_WAIT_S,
            ) from None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with ``code`` and ``reason`` and stop reconnecting; returns once the
        connection is closed. A pending connection attempt or reconnect wait is
        abandoned. Raises :class:`WsMessageError` for a code or reason that cannot be
        sent (allowed codes: 1000 and 3000-4999; the reason at most 123 UTF-8 bytes)."""
        check_close(code, reason)
        self._stopping = True
        self._stop.set()
        if self._opening is not None:
            self._opening.cancel()
        connection = self._connection
        if connection is not None and connection.state is State.OPEN:
            self._set_status(
                "closing",
                subprotocol=self.status.subprotocol,
                response_headers=self.status.response_headers,
            )
            await connection.close(code, reason)

    def abort(self) -> None:
        """Drop everything now (the tab is closing): the socket is closed at once without
        a closing handshake, reconnecting stops, and neither callback is called again."""
        self._stopping = True
        self._stop.set()
        self._on_frame = _ignore
        self._on_status = _ignore
        if self._opening is not None:
            self._opening.cancel()
        if self._connection is not None:
            self._connection.transport.abort()

    # --- reporting ----------------------------------------------------------------------

    def _set_status(self, phase: SessionPhase, **fields: Any) -> WsStatus:
        self.status = WsStatus(phase, time.time(), self._url, **fields)
        self._on_status(self.status)
        return self.status

    def _report(
        self,
        direction: Direction,
        kind: FrameKind,
        at: float,
        data: str | bytes,
        size: int,
        close_code: int | None = None,
    ) -> WsFrame:
        """Count a frame passing, then tell ``on_frame``: data messages and control
        frames are counted apart."""
        counters = self.counters
        if kind == "text" or kind == "binary":
            if direction == "in":
                counters.messages_in += 1
                counters.bytes_in += size
            else:
                counters.messages_out += 1
                counters.bytes_out += size
        elif direction == "in":
            counters.control_in += 1
        else:
            counters.control_out += 1
        frame = WsFrame(direction, kind, at, data, size, close_code)
        self._on_frame(frame)
        return frame

    def _report_close(
        self, received: Close | None, sent: Close | None, rcvd_first: bool | None
    ) -> None:
        """The close frames of a closed connection, in the order they passed."""
        frames: list[tuple[Direction, Close | None]] = [("in", received), ("out", sent)]
        if rcvd_first is False:
            frames.reverse()
        for direction, close in frames:
            if close is not None:
                # A close frame holds a 2-byte code and the reason; 1005 means it was empty.
                size = 0 if close.code == 1005 else 2 + len(close.reason.encode("utf-8"))
                code = int(close.code)
                self._report(direction, "close", time.time(), close.reason, size, code)


def _status_fields(outcome: CloseOutcome) -> dict[str, Any]:
    return {
        "close_code": outcome.code,
        "close_reason": outcome.reason,
        "closed_by": outcome.by,
        "error": outcome.error,
    }


def _drop_opened(task: asyncio.Future[ReportingConnection]) -> None:
    """Abort the connection an abandoned attempt opened after all."""
    if not task.cancelled() and task.exception() is None:
        task.result().transport.abort()


def _frame(close: Close | None) -> CloseFrame | None:
    return None if close is None else CloseFrame(int(close.code), close.reason)


def _lost_because(closed: ConnectionClosed) -> str:
    """The network's reason for a drop, when the socket reported one."""
    cause = closed.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return ""


def _worth_retrying(error: ProtocolError) -> bool:
    """Whether a failed reconnect attempt may succeed later: network trouble and server
    errors may pass; a refusal (4xx), bad TLS or a subprotocol mismatch will not."""
    if isinstance(error, WsHandshakeError):
        return error.status >= 500
    return not isinstance(error, RequestBuildError | TlsError | WsSubprotocolError)
