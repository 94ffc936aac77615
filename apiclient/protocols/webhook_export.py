"""Captured webhook events leaving the app: a readable JSON file, a HAR 1.2 archive (for
browsers' dev tools and other HTTP tools), and a curl command that sends one again.

Both files are written atomically (:mod:`apiclient.core.atomic`): a failed export
leaves whatever had that name before. Each event is encoded on its own, so a worker
thread exporting large bodies hands the GIL back between events. A body is kept as text
when it is UTF-8, else as base64 with ``"encoding": "base64"``.

The curl command is for a POSIX shell (bash, dash, zsh) and reproduces the request's
bytes: the method, the headers in their order (without the ones that belong to a
connection: Host, Content-Length, Connection, Transfer-Encoding, Accept-Encoding) and
the body. Headers curl would add by itself (User-Agent, Accept, a form Content-Type,
Expect) are switched off when the event had none. A short text body is one
``--data-binary`` argument; a binary body (or one too long for a single argument, or
with control characters that a terminal would act on when pasted) is written by the
shell's ``printf`` with octal escapes and piped into ``--data-binary @-``.
"""

from __future__ import annotations

import base64
import http
import json
import shlex
import urllib.parse
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apiclient import __version__
from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.protocols.errors import WebhookError
from apiclient.protocols.webhook_events import LOOPBACK_HOST, WebhookEvent

__all__ = ["FORMAT", "VERSION", "curl_command", "event_json", "export_har", "export_json"]

FORMAT = "apiclient-webhook-events"
VERSION = 1

_CONNECTION_HEADERS = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}
)
_INLINE_BODY_LIMIT = 64 * 1024  # Linux refuses a single argument over 128 KB
_CURL_DEFAULTS = ("user-agent", "accept")  # curl sends these unless told not to


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def _text_or_none(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def event_json(event: WebhookEvent) -> dict[str, Any]:
    """One event as plain JSON data (the entries of :func:`export_json`)."""
    summary = event.summary
    text = _text_or_none(event.body)
    data: dict[str, Any] = {
        "id": summary.id,
        "received_at": _iso(summary.received_at),
        "method": summary.method,
        "path": summary.path,
        "query": summary.query,
        "source": summary.source,
        "content_type": summary.content_type,
        "size": summary.size,
        "headers": [[name, value] for name, value in event.headers],
        "body": text if text is not None else base64.b64encode(event.body).decode("ascii"),
        "encoding": "utf-8" if text is not None else "base64",
        "verdict": summary.verdict,
        "reason": summary.verdict_reason,
        "response_status": summary.response_status,
        "note": summary.note,
    }
    return data


def export_json(events: Iterable[WebhookEvent], path: Path) -> int:
    """Write ``events`` to ``path`` as indented JSON; returns how many were written."""
    head = {"format": FORMAT, "version": VERSION, "exported_at": _iso(_now())}
    chunks = [json.dumps(head, ensure_ascii=False, indent=2)[:-2], ',\n  "events": [']
    count = 0
    for event in events:
        chunks.append(",\n" if count else "\n")
        chunks.append(_indented(event_json(event), "    "))
        count += 1
    chunks.append("\n  ]\n}\n" if count else "]\n}\n")
    _write(path, "".join(chunks))
    return count


def export_har(events: Iterable[WebhookEvent], path: Path) -> int:
    """Write ``events`` to ``path`` as a HAR 1.2 archive; returns how many were written.

    The receiver keeps only the status it answered, so each response has that status
    and no headers or body; timings are zero (a captured request has none).
    """
    head = {
        "log": {
            "version": "1.2",
            "creator": {"name": "apiclient", "version": __version__},
            "comment": "Webhook events captured by apiclient's receiver.",
            "entries": [],
        }
    }
    opening = json.dumps(head, ensure_ascii=False, indent=2)
    before, _, after = opening.partition('"entries": []')
    chunks = [before, '"entries": [']
    count = 0
    for event in events:
        chunks.append(",\n" if count else "\n")
        chunks.append(_indented(har_entry(event), "      "))
        count += 1
    chunks.append("\n    ]" if count else "]")
    chunks.append(after)
    chunks.append("\n")
    _write(path, "".join(chunks))
    return count


def har_entry(event: WebhookEvent) -> dict[str, Any]:
    """One event as a HAR 1.2 entry (request as received, response status as answered)."""
    summary = event.summary
    request: dict[str, Any] = {
        "method": summary.method,
        "url": event_url(event),
        "httpVersion": "HTTP/1.1",
        "cookies": _cookies(event.headers),
        "headers": [{"name": name, "value": value} for name, value in event.headers],
        "queryString": [
            {"name": name, "value": value}
            for name, value in urllib.parse.parse_qsl(summary.query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(event.body),
    }
    if event.body:
        text = _text_or_none(event.body)
        post: dict[str, Any] = {"mimeType": summary.content_type or "application/octet-stream"}
        if text is not None:
            post["text"] = text
        else:
            post["text"] = base64.b64encode(event.body).decode("ascii")
            post["encoding"] = "base64"
        request["postData"] = post
    return {
        "startedDateTime": _iso(summary.received_at),
        "time": 0,
        "request": request,
        "response": {
            "status": summary.response_status,
            "statusText": _status_text(summary.response_status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "comment": summary.verdict_reason,
        "_webhook": {
            "id": summary.id,
            "source": summary.source,
            "verdict": summary.verdict,
            "reason": summary.verdict_reason,
            "note": summary.note,
        },
    }


def event_url(event: WebhookEvent) -> str:
    """``http://<Host header or 127.0.0.1><path>?<query>``: where the event was sent."""
    host = next((value for name, value in event.headers if name.lower() == "host"), "")
    path = event.summary.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    url = f"http://{host.strip() or LOOPBACK_HOST}{path}"
    return f"{url}?{event.summary.query}" if event.summary.query else url


def curl_command(event: WebhookEvent, url: str) -> str:
    """A POSIX shell command that sends ``event`` again to ``url`` (a base URL: the
    event's path and query are appended), byte for byte."""
    summary = event.summary
    path = summary.path if summary.path.startswith("/") else "/" + summary.path
    target = url.rstrip("/") + path
    if summary.query:
        target += "?" + summary.query
    method = summary.method.upper()
    body = event.body
    flags: list[str] = []
    if any(ch in target for ch in "[]{}"):
        flags.append("--globoff")  # brackets and braces are curl's URL patterns otherwise
    if _has_dot_segments(path):
        flags.append("--path-as-is")  # curl squashes /./ and /../ otherwise
    if method == "HEAD":
        flags.append("--head")  # -X HEAD would wait for a body that never comes
    options: list[tuple[str, str]] = []
    if method != "HEAD" and (method, bool(body)) not in (("GET", False), ("POST", True)):
        options.append(("-X", method))
    sent = set()
    for name, value in event.headers:
        lowered = name.lower()
        if lowered in _CONNECTION_HEADERS:
            continue
        sent.add(lowered)
        # "Name:" would remove the header; "Name;" sends it with an empty value.
        options.append(("-H", f"{name}: {value}" if value.strip() else f"{name};"))
    for default in _CURL_DEFAULTS:
        if default not in sent:
            options.append(("-H", f"{default.title()}:"))
    if body:
        if "content-type" not in sent:
            options.append(("-H", "Content-Type:"))  # --data would add a form type
        if "expect" not in sent:
            options.append(("-H", "Expect:"))  # no 100-continue round trip
    text = _inline_text(body)
    pipe = ""
    if text is not None:
        # --data-binary would read a file for a body starting with @; --data-raw does not.
        options.append(("--data-raw" if text.startswith("@") else "--data-binary", text))
    elif body:
        pipe = f"printf {shlex.quote(_printf_format(body))} | "
        options.append(("--data-binary", "@-"))
    first = " ".join(["curl", *flags, shlex.quote(target)])
    lines = [first, *(f"{option} {shlex.quote(value)}" for option, value in options)]
    return pipe + " \\\n  ".join(lines)


def _inline_text(body: bytes) -> str | None:
    """The body as one shell argument, or None when it must be piped (or is empty)."""
    if not body or len(body) > _INLINE_BODY_LIMIT:
        return None
    text = _text_or_none(body)
    if text is None or any(_is_control(ch) for ch in text):
        return None
    return text


def _is_control(ch: str) -> bool:
    """C0 and C1 control characters but tab and newline: a terminal acts on them when a
    command holding them is pasted (and the shell cannot pass NUL at all)."""
    return (ch < " " and ch not in "\n\t") or "\x7f" <= ch <= "\x9f"


def _printf_escape(byte: int) -> str:
    if byte == 0x25:
        return "%%"
    if byte == 0x5C:
        return "\\\\"
    if byte == 0x0A:
        return "\\n"
    if 0x20 <= byte < 0x7F:
        return chr(byte)
    return f"\\{byte:03o}"


_PRINTF_ESCAPES = tuple(_printf_escape(byte) for byte in range(256))


def _printf_format(body: bytes) -> str:
    """A printf format that writes exactly ``body``: printable ASCII as is (``%`` and
    backslash doubled), newlines as ``\\n``, every other byte as a 3-digit octal escape."""
    text = "".join(map(_PRINTF_ESCAPES.__getitem__, body))
    if text.startswith("-"):  # would be read as an option of printf
        text = "\\055" + text[1:]
    return text


def _has_dot_segments(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


def _cookies(headers: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    cookies = []
    for name, value in headers:
        if name.lower() != "cookie":
            continue
        for pair in value.split(";"):
            cookie_name, sep, cookie_value = pair.strip().partition("=")
            if sep and cookie_name:
                cookies.append({"name": cookie_name, "value": cookie_value})
    return cookies


def _status_text(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _indented(data: dict[str, Any], prefix: str) -> str:
    # Raw newlines only separate JSON tokens (those in strings are escaped), so this
    # never touches a value; str.splitlines would also split at U+2028 and the like.
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return "\n".join(prefix + line for line in text.split("\n"))


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _write(path: Path, text: str) -> None:
    try:
        atomic_write_text(path, text)
    except StoreError as exc:
        cause = exc.__cause__
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(exc)
        raise WebhookError(
            f"Cannot export the events to {path}: {reason}. Choose another file or folder "
            "(one you may write to, on a disk with free space)."
        ) from exc
    except OSError as exc:  # pragma: no cover - atomic_write_text wraps OSError already
        raise WebhookError(f"Cannot export the events to {path}: {exc}.") from exc
