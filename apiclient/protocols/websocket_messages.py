"""Turning a written WebSocket message into the payload of one frame.

Text and JSON go out as a text frame, exactly as typed (JSON is only checked, so the
server sees the person's own spacing and key order). Hex, base64 and a file go out
as one binary frame. Every refusal is a :class:`WsMessageError` raised before any
traffic, with the line and column when the trouble has a place in the text.
"""

from __future__ import annotations

import binascii
import json
import re
from pathlib import Path

from apiclient.core.models import WsMessage
from apiclient.protocols.errors import WsMessageError

__all__ = ["encode_message", "format_size", "payload_size"]

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_BASE64_RE = re.compile(r"[A-Za-z0-9+/\-_]")


def format_size(size: int) -> str:
    """``512 bytes``, ``1.5 KB``, ``16 MB`` (1 KB = 1024 bytes)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    if size < 1024 * 1024:
        return f"{_one_decimal(size / 1024)} KB"
    return f"{_one_decimal(size / (1024 * 1024))} MB"


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def payload_size(data: str | bytes) -> int:
    """Bytes on the wire: the UTF-8 length of text (cheap for ASCII, the usual case)."""
    if isinstance(data, str):
        return len(data) if data.isascii() else len(data.encode("utf-8"))
    return len(data)


def encode_message(message: WsMessage, limit_bytes: int) -> str | bytes:
    """The payload to send for ``message``: ``str`` for a text frame, ``bytes`` for a
    binary one. Raises :class:`WsMessageError` when it cannot be sent as written or is
    larger than ``limit_bytes``. Reads the file of a ``file`` message: call it in a
    worker thread for those (and for very large bodies)."""
    kind = message.format
    if kind == "file":
        return _read_file(message.body, limit_bytes)
    if kind == "json":
        _check_json(message.body)
    if kind in ("text", "json"):
        payload: str | bytes = message.body
        _check_utf8(message.body)
    elif kind == "hex":
        payload = _hex(message.body)
    else:
        payload = _base64(message.body)
    _check_limit(payload_size(payload), limit_bytes)
    return payload


def _check_limit(size: int, limit_bytes: int) -> None:
    if size > limit_bytes:
        raise WsMessageError(
            f"The message is {format_size(size)} ({size} bytes), larger than the limit of"
            f" {format_size(limit_bytes)} set in the request settings. Raise the limit or"
            " send a smaller message."
        )


def _check_json(text: str) -> None:
    if not text.strip():
        raise WsMessageError(
            "The message is empty, which is not JSON. Write a JSON value such as {} or"
            " switch the format to text."
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise WsMessageError(
            f"The message is not valid JSON: {exc.msg} (line {exc.lineno}, column"
            f" {exc.colno}). Fix it or switch the format to text.",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise WsMessageError(
            "The message is nested too deeply to check as JSON. Switch the format to text"
            " to send it unchecked."
        ) from None


def _check_utf8(text: str) -> None:
    """A text frame is UTF-8, which has no form for a lone UTF-16 surrogate (one taken
    from a broken JSON escape such as "\\ud800")."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = _position(text, exc.start)
        raise WsMessageError(
            f"The message holds U+{ord(text[exc.start]):04X} (line {line}, column {column}),"
            " half of a character pair that UTF-8 cannot carry. Remove it.",
            line=line,
            column=column,
        ) from None


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _hex(text: str) -> bytes:
    """Hex digits in any case, in groups split by spaces or line breaks, each group
    optionally prefixed with ``0x``; every group must hold whole bytes."""
    digits: list[str] = []
    index, end = 0, len(text)
    while index < end:
        if text[index].isspace():
            index += 1
            continue
        start = index
        if text.startswith(("0x", "0X"), index):
            index += 2
        group = index
        while index < end and not text[index].isspace():
            if text[index] not in _HEX_DIGITS:
                line, column = _position(text, index)
                raise WsMessageError(
                    f"{text[index]!r} is not a hex digit (line {line}, column {column})."
                    " Hex messages hold 0-9 and a-f, optionally split by spaces or"
                    " line breaks and prefixed with 0x.",
                    line=line,
                    column=column,
                )
            index += 1
        if (index - group) % 2:
            line, column = _position(text, start)
            raise WsMessageError(
                f"The hex group {text[start:index]!r} has an odd number of digits (line"
                f" {line}, column {column}): each byte takes two, as in 0a.",
                line=line,
                column=column,
            )
        digits.append(text[group:index])
    return bytes.fromhex("".join(digits))


def _base64(text: str) -> bytes:
    """Standard or URL-safe base64 (even mixed), padding optional, line breaks and
    spaces ignored."""
    for index, char in enumerate(text):
        if not (char.isspace() or char == "=" or _BASE64_RE.fullmatch(char)):
            line, column = _position(text, index)
            raise WsMessageError(
                f"{char!r} is not a base64 character (line {line}, column {column})."
                " Base64 holds A-Z, a-z, 0-9, + and / (or - and _), with = at the end.",
                line=line,
                column=column,
            )
    compact = "".join(text.split())
    stripped = compact.rstrip("=")
    if "=" in stripped:
        index = text.index("=")
        line, column = _position(text, index)
        raise WsMessageError(
            f"The base64 text has '=' before its end (line {line}, column {column}):"
            " padding may only close it.",
            line=line,
            column=column,
        )
    if len(stripped) % 4 == 1:
        raise WsMessageError(
            f"The base64 text has {len(stripped)} characters, which no byte sequence"
            " encodes to: one is missing or extra."
        )
    standard = stripped.replace("-", "+").replace("_", "/")
    try:
        return binascii.a2b_base64(standard + "=" * (-len(standard) % 4), strict_mode=True)
    except binascii.Error as exc:
        raise WsMessageError(f"The base64 text cannot be decoded: {exc}.") from None


def _read_file(path_text: str, limit_bytes: int) -> bytes:
    if not path_text.strip():
        raise WsMessageError("No file is chosen. Choose the file to send as a binary message.")
    path = Path(path_text.strip()).expanduser()
    try:
        if path.is_dir():
            raise WsMessageError(f"{str(path)!r} is a folder, not a file. Choose a file.")
        size = path.stat().st_size
        _check_limit(size, limit_bytes)  # before reading: the file may be huge
        data = path.read_bytes()
    except FileNotFoundError:
        raise WsMessageError(f"The file {str(path)!r} does not exist.") from None
    except OSError as exc:
        raise WsMessageError(
            f"The file {str(path)!r} cannot be read ({exc.strerror or exc})."
        ) from None
    except ValueError:  # a NUL character: no file name holds one
        raise WsMessageError(
            f"The file name {str(path)!r} holds a NUL character, so no file has it."
            " Choose the file again."
        ) from None
    _check_limit(len(data), limit_bytes)  # it may have grown since
    return data
