"""What a WebSocket session reports: each frame, each phase change, and the totals.

Plain frozen dataclasses, no websockets import: the UI's log model and the session
export read them without loading the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.websocket_close import close_code_name

__all__ = [
    "MAX_RECONNECT_ATTEMPTS",
    "ClosedBy",
    "Direction",
    "FrameKind",
    "SessionPhase",
    "WsCounters",
    "WsFrame",
    "WsStatus",
]

Direction = Literal["in", "out"]
FrameKind = Literal["text", "binary", "ping", "pong", "close"]
SessionPhase = Literal["connecting", "open", "closing", "closed", "reconnecting"]
ClosedBy = Literal["", "client", "server", "network"]

MAX_RECONNECT_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class WsFrame:
    """One frame, either way. ``data`` is ``str`` for text (and a close frame's reason),
    ``bytes`` for binary, ping and pong; ``size`` is the payload's bytes on the wire
    (UTF-8 for text)."""

    direction: Direction
    kind: FrameKind
    at: float  # time.time()
    data: str | bytes
    size: int
    close_code: int | None = None  # close frames only


@dataclass(frozen=True, slots=True)
class WsStatus:
    """Where the session is. Once open, ``subprotocol`` and ``response_headers`` are the
    handshake's; once closed, ``close_code``/``close_reason`` are those of the first
    close frame and ``closed_by`` who sent it (``network``: nobody, the connection was
    lost). ``error`` says why it failed to connect or closed abnormally;
    ``attempt``/``retry_in_s`` count reconnect attempts."""

    phase: SessionPhase
    at: float
    url: str
    subprotocol: str | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    close_code: int | None = None
    close_reason: str = ""
    closed_by: ClosedBy = ""
    error: ProtocolError | None = None
    attempt: int = 0
    retry_in_s: float | None = None

    def describe(self) -> str:
        """One line for a status label."""
        if self.phase == "connecting":
            tries = f" (attempt {self.attempt} of {MAX_RECONNECT_ATTEMPTS})" if self.attempt else ""
            return f"Connecting to {self.url}{tries}"
        if self.phase == "open":
            return f"Open (subprotocol {self.subprotocol})" if self.subprotocol else "Open"
        if self.phase == "closing":
            return "Closing…"
        if self.phase == "reconnecting":
            wait = f" in {self.retry_in_s:.1f} s" if self.retry_in_s is not None else ""
            return f"Reconnecting{wait} (attempt {self.attempt} of {MAX_RECONNECT_ATTEMPTS})"
        text = self._closed()
        if self.attempt:
            text += f" (gave up after {self.attempt} reconnect attempts)"
        return text

    def _closed(self) -> str:
        code = self.close_code
        if code is None:
            return f"Not connected: {self.error}" if self.error else "Closed"
        said = f"{code} ({close_code_name(code)})"
        reason = f" “{self.close_reason}”" if self.close_reason else ""
        if self.closed_by == "network":
            if code == 1011:
                return f"Connection lost ({code}): the server stopped answering pings"
            return f"Connection lost ({code}): the server dropped the connection"
        if self.closed_by == "server":
            return f"Closed by the server: {said}{reason}"
        if self.error is not None:
            return f"Closed: {said}: {_SHORT.get(code, 'closed by this client')}"
        return f"Closed: {said}{reason}"


_SHORT = {
    1009: "a message was larger than the limit",
    1007: "a text message was not valid UTF-8",
    1002: "the server broke the protocol",
}


@dataclass
class WsCounters:
    """Exact totals for the session (across reconnects), never capped: data messages
    and their payload bytes apart from control frames (ping, pong, close)."""

    messages_in: int = 0
    messages_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    control_in: int = 0
    control_out: int = 0
