"""How a WebSocket connection ended, in words: close codes, who closed, and the error
(if any) a person should see. No websockets import: the session hands in the close
frames it saw, so this stays plain logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from apiclient.protocols.errors import WsClosedError, WsMessageError
from apiclient.protocols.websocket_messages import format_size

__all__ = ["CloseOutcome", "check_close", "close_code_name", "close_outcome"]

ClosedBy = Literal["client", "server", "network"]

NORMAL_CODES = frozenset({1000, 1001, 1005})  # 1005: a close frame with no code
KEEPALIVE_REASON = "keepalive ping timeout"  # what websockets sends when pongs stop
_REASON_LIMIT = 123  # bytes: a close frame carries at most 125, two are the code

_NAMES = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1005: "no status code",
    1006: "connection lost",
    1007: "invalid data",
    1008: "policy violation",
    1009: "message too big",
    1010: "extension required",
    1011: "internal error",
    1012: "service restart",
    1013: "try again later",
    1014: "bad gateway",
    1015: "TLS failure",
}

# What a close code from the server means for the person, when it is not a normal one.
_SERVER_HINTS = {
    1002: "it found a protocol error in what this client sent",
    1003: "it does not accept this kind of data (text or binary)",
    1007: "it found a message whose data it could not read",
    1008: "it refused something this client sent (policy violation)",
    1009: "a message this client sent was larger than the server accepts; send smaller ones",
    1010: "it wants an extension this client did not offer",
    1011: "it failed internally",
    1012: "it is restarting; reconnect in a moment",
    1013: "it is overloaded; try again later",
    1014: "a gateway in front of it got a bad answer",
}


def close_code_name(code: int) -> str:
    """``normal closure``, ``message too big``... or the range an unnamed code is in."""
    if code in _NAMES:
        return _NAMES[code]
    if 3000 <= code <= 3999:
        return "registered code"
    if 4000 <= code <= 4999:
        return "application code"
    return "unknown code"


def check_close(code: int, reason: str) -> None:
    """Raise :class:`WsMessageError` unless a person may close with ``code`` and ``reason``
    (RFC 6455 leaves 1001-2999 to endpoints and the protocol itself)."""
    if code != 1000 and not 3000 <= code <= 4999:
        raise WsMessageError(
            f"The close code {code} cannot be sent: use 1000 (normal closure) or a code"
            " from 3000 to 4999."
        )
    try:
        size = len(reason.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise WsMessageError(
            f"The close reason holds U+{ord(reason[exc.start]):04X}, half of a character pair"
            " that UTF-8 cannot carry. Remove it."
        ) from None
    if size > _REASON_LIMIT:
        raise WsMessageError(
            f"The close reason is {size} bytes long; a close frame carries at most"
            f" {_REASON_LIMIT} (UTF-8). Shorten it."
        )


@dataclass(frozen=True)
class CloseFrame:
    code: int
    reason: str


@dataclass(frozen=True)
class CloseOutcome:
    """How a connection that was open ended: ``by`` sent the first close frame
    (``network``: nobody did), ``code``/``reason`` are that frame's, ``error`` is set
    when it was not a normal end, and ``retry`` tells whether reconnecting may help."""

    code: int
    reason: str
    by: ClosedBy
    error: WsClosedError | None
    retry: bool


def close_outcome(
    received: CloseFrame | None,
    sent: CloseFrame | None,
    received_first: bool | None,
    *,
    where: str,
    by_user: bool,
    limit_bytes: int,
    ping_timeout_s: float | None,
    lost_because: str = "",
) -> CloseOutcome:
    """The outcome of a closed connection from the close frames each side sent (None:
    none), whether the server's came first, and whether the person asked to close.
    ``lost_because`` is the network's reason for a drop ("connection reset by peer")."""
    if by_user:
        frame = sent or received
        code, reason = (frame.code, frame.reason) if frame else (1006, "")
        return CloseOutcome(code, reason, "client", None, retry=False)
    if sent is not None and (received is None or received_first is False):
        return _closed_here(sent, where, limit_bytes, ping_timeout_s)
    if received is not None:
        return _closed_by_server(received, where)
    because = f" ({lost_because})" if lost_because else ""
    error = WsClosedError(
        f"The connection to {where} was lost{because}: the server dropped it without a"
        " close frame (1006). It may have stopped or crashed; connect again, or turn on"
        " auto-reconnect.",
        code=1006,
        by="network",
    )
    return CloseOutcome(1006, "", "network", error, retry=True)


def _closed_by_server(frame: CloseFrame, where: str) -> CloseOutcome:
    code, reason = frame.code, frame.reason
    if code in NORMAL_CODES:
        return CloseOutcome(code, reason, "server", None, retry=False)
    said = f" “{reason}”" if reason else ""
    hint = _SERVER_HINTS.get(code, "see its reason, or the server's documentation")
    error = WsClosedError(
        f"The server at {where} closed the connection with {code} ({close_code_name(code)})"
        f"{said}: {hint}.",
        code=code,
        reason=reason,
        by="server",
    )
    return CloseOutcome(code, reason, "server", error, retry=True)


def _closed_here(
    frame: CloseFrame, where: str, limit_bytes: int, ping_timeout_s: float | None
) -> CloseOutcome:
    """This client closed first without being asked to: the library failed the
    connection because of something the server sent, or stopped hearing from it."""
    code, reason = frame.code, frame.reason
    by: ClosedBy = "client"
    if code == 1009:
        text = (
            f"The server sent a message larger than the limit of {format_size(limit_bytes)}"
            " (1009), so the connection was closed. To receive it, raise the limit in the"
            " request settings."
        )
    elif code == 1007:
        text = (
            f"The server sent a text message that is not valid UTF-8 ({reason}), so the"
            " connection was closed (1007). The server should send such data as a binary"
            " message."
        )
    elif code == 1011 and reason == KEEPALIVE_REASON:
        by = "network"
        within = f" within {ping_timeout_s:g} s" if ping_timeout_s else ""
        text = (
            f"The server at {where} stopped answering pings (no pong{within}), so the"
            " connection was closed (1011). The server or the network may be down; connect"
            " again, or raise the ping interval in the request settings."
        )
    elif code == 1002:
        text = (
            f"The server at {where} broke the WebSocket protocol ({reason}), so the"
            " connection was closed (1002)."
        )
    else:
        said = f": {reason}" if reason else ""
        text = f"The connection to {where} was closed by this client with {code}{said}."
    error = WsClosedError(text, code=code, reason=reason, by=by)
    return CloseOutcome(code, reason, by, error, retry=True)
