"""Build and read ``multipart/mixed`` batch calls (the OData ``$batch`` and Google style).

One request carries many: each part is ``Content-Type: application/http`` holding a
whole HTTP/1.1 request, and the answer holds one HTTP response per part, in order
(matched by ``Content-ID`` where the server echoes it). Sending stays with the REST
engine; this module only builds the body and reads the answer.

The HTTP messages inside the parts are written and read by h11, and the answer's MIME
envelope is read by the stdlib ``email`` parser. The request envelope is written here
rather than by ``email.generator``, because that generator rewrites every line ending of
a payload to CRLF, which changes a part's body behind its ``Content-Length``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from urllib.parse import urlsplit

import h11

from apiclient.protocols.errors import BatchResultError, RequestBuildError
from apiclient.protocols.http import decode_header_value, encode_header, validate_method

__all__ = [
    "BatchResultError",
    "SubRequest",
    "SubResponse",
    "build_multipart_batch",
    "parse_multipart_batch",
]

# RFC 2046 boundary: 1 to 70 of these characters, not ending with a space.
_BOUNDARY_RE = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_BAD_ID_RE = re.compile(r"[\x00-\x1f\x7f]")
_QUOTED = 120


@dataclass(frozen=True)
class SubRequest:
    """One request of the batch. ``path`` is the request target as the batch endpoint
    expects it (``/api/v1/contacts/3``, OData's relative ``Customers('ALFKI')``, or an
    absolute URL); ``content_id`` is sent as ``Content-ID`` when not empty."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_id: str = ""


@dataclass(frozen=True)
class SubResponse:
    """One response of the answer, in the order the server sent them; ``content_id`` is
    the part's ``Content-ID`` ("" when it has none), ``headers`` the HTTP headers of the
    response inside the part as ``(name, value)`` pairs."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_id: str = ""


# --- building ---------------------------------------------------------------------------


def build_multipart_batch(
    parts: Sequence[SubRequest], *, boundary: str | None = None, host: str = ""
) -> tuple[str, bytes]:
    """The ``Content-Type`` (``multipart/mixed; boundary=...``) and body of a batch.

    HTTP/1.1 needs a ``Host`` header in every request: a part without one gets the host
    of its absolute URL, else ``host`` (give the batch URL's host, ``api.example.com``).
    A body gets a ``Content-Length`` unless a ``Transfer-Encoding`` or ``Content-Length``
    is given. A generated boundary is ``batch_`` and a random UUID. Raises
    :class:`RequestBuildError` naming the part for a bad method, header, target or
    boundary; nothing is sent.
    """
    if not parts:
        raise RequestBuildError("The batch has no requests; add at least one.")
    messages = [_http_request(number, part, host) for number, part in enumerate(parts, start=1)]
    if boundary is None:
        boundary = f"batch_{uuid.uuid4()}"
    elif not _BOUNDARY_RE.fullmatch(boundary):
        raise RequestBuildError(
            f"The boundary {boundary!r} is not valid: use 1 to 70 letters, digits or"
            " '()+_,-./:=? (not ending with a space), or leave it empty to generate one."
        )
    delimiter = f"--{boundary}".encode("ascii")
    for number, message in enumerate(messages, start=1):
        if delimiter in message:
            raise RequestBuildError(
                f"Part {number} of the batch contains the boundary {boundary!r}; choose"
                " another boundary, or leave it empty to generate one."
            )
    out = bytearray()
    for part, message in zip(parts, messages, strict=True):
        out += delimiter + b"\r\n"
        out += b"Content-Type: application/http\r\n"
        out += b"Content-Transfer-Encoding: binary\r\n"
        if part.content_id:
            out += b"Content-ID: " + part.content_id.encode("utf-8") + b"\r\n"
        out += b"\r\n" + message + b"\r\n"
    out += delimiter + b"--\r\n"
    quoted = boundary if _is_token(boundary) else f'"{boundary}"'
    return f"multipart/mixed; boundary={quoted}", bytes(out)


def _is_token(text: str) -> bool:
    return re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", text) is not None


def _http_request(number: int, part: SubRequest, host: str) -> bytes:
    """The HTTP/1.1 request of one part, written by h11."""
    where = f"Part {number} of the batch"
    try:
        method = validate_method(part.method)
    except RequestBuildError as error:
        raise RequestBuildError(f"{where}: {error}") from None
    target = part.path.strip()
    if not target or re.search(r"[\x00-\x20\x7f]", target):
        raise RequestBuildError(
            f"{where} ({method}): the path {part.path!r} is empty or contains a space or"
            " control character; escape spaces as %20."
        )
    if _BAD_ID_RE.search(part.content_id):
        raise RequestBuildError(
            f"{where}: the Content-ID contains a line break or control character."
        )
    headers: list[tuple[bytes, bytes]] = []
    try:
        for name, value in part.headers:
            headers.append(encode_header(name.strip(), value))
    except RequestBuildError as error:
        raise RequestBuildError(f"{where} ({method} {target}): {error}") from None
    names = {name.lower() for name, _ in headers}
    if b"host" not in names:
        given = urlsplit(target).netloc if "://" in target else host.strip()
        if not given:
            raise RequestBuildError(
                f"{where} ({method} {target}) has no Host header, which HTTP/1.1 requires:"
                " add one, or build the batch with the host of the batch URL."
            )
        headers.insert(0, (b"Host", given.encode("utf-8")))
    if part.body and not names & {b"content-length", b"transfer-encoding"}:
        headers.append((b"Content-Length", str(len(part.body)).encode("ascii")))
    connection = h11.Connection(h11.CLIENT)
    try:
        data = connection.send(h11.Request(method=method, target=target, headers=headers)) or b""
        if part.body:
            data += connection.send(h11.Data(data=part.body)) or b""
        data += connection.send(h11.EndOfMessage()) or b""
    except h11.LocalProtocolError as error:
        raise RequestBuildError(
            f"{where} ({method} {target}) cannot be written: {error}."
        ) from None
    return data


# --- reading ----------------------------------------------------------------------------


def _server_error(body: bytes) -> str:
    """The message of a JSON error answer (``{"error": "..."}``), or ""."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    if not isinstance(document, dict):
        return ""
    said = document.get("error", document.get("message"))
    if isinstance(said, dict):
        said = said.get("message")
    return said.strip() if isinstance(said, str) else ""


def parse_multipart_batch(content_type: str, body: bytes) -> tuple[SubResponse, ...]:
    """The responses of a ``multipart/mixed`` batch answer, in order.

    Parts are ``application/http`` responses; an OData changeset (a nested
    ``multipart/mixed`` part) is flattened into its responses. Raises
    :class:`BatchResultError` naming the part (``part 2``, ``part 2.1`` inside a
    changeset) and what is wrong, or saying what was expected of the answer as a whole.
    """
    envelope = BytesParser(policy=compat32).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body
    )
    if envelope.get_content_type() != "multipart/mixed":
        what = (
            f"The batch answer is {content_type or 'without a Content-Type'}, not multipart/mixed"
        )
        said = _server_error(body)
        if said:
            raise BatchResultError(f"{what}: the server refused the batch: {said}")
        shown = " ".join(body[:_QUOTED].decode("utf-8", "replace").split())
        raise BatchResultError(
            f"{what} with one application/http part per request; it starts: {shown!r}"
        )
    if not envelope.get_boundary():
        raise BatchResultError(
            "The batch answer's Content-Type has no boundary parameter"
            " (multipart/mixed; boundary=...), so its parts cannot be found."
        )
    responses: list[SubResponse] = []
    _read_parts(envelope, "", None, responses)
    if not responses:
        raise BatchResultError(
            f"The batch answer has no parts: expected one application/http part per request"
            f" between '--{envelope.get_boundary()}' lines."
        )
    return tuple(responses)


def _read_parts(
    container: Message, prefix: str, outer: int | None, responses: list[SubResponse]
) -> None:
    payload = container.get_payload()
    if not isinstance(payload, list):
        return
    for number, part in enumerate(payload, start=1):
        label = f"{prefix}{number}"
        top = outer if outer is not None else number
        kind = part.get_content_type()
        if kind == "multipart/mixed":
            if outer is not None:
                raise BatchResultError(
                    f"Part {label} of the batch answer nests a changeset in a changeset;"
                    " expected application/http parts.",
                    part=top,
                )
            _read_parts(part, f"{label}.", top, responses)
            continue
        if kind != "application/http" and part.get("Content-Type") is not None:
            raise BatchResultError(
                f"Part {label} of the batch answer is {kind}; expected application/http"
                " holding one HTTP response.",
                part=top,
            )
        raw = part.get_payload(decode=True)
        content_id = (part.get("Content-ID") or "").strip()
        responses.append(
            _http_response(label, top, raw if isinstance(raw, bytes) else b"", content_id)
        )


def _read_response(raw: bytes) -> tuple[h11.Response | None, bytes]:
    """Read one HTTP response with h11; raises h11's RemoteProtocolError."""
    connection = h11.Connection(h11.CLIENT)
    # h11 reads a response only after a request; HEAD would forbid a body, so say GET.
    connection.send(h11.Request(method="GET", target="/", headers=[("Host", "batch")]))
    connection.send(h11.EndOfMessage())
    connection.receive_data(raw)
    connection.receive_data(b"")  # the part's end is the end of an unframed body
    response: h11.Response | None = None
    chunks: list[bytes] = []
    while True:
        event = connection.next_event()
        if isinstance(event, h11.Response):
            response = event
        elif isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed) or event is h11.NEED_DATA:
            return response, b"".join(chunks)  # NEED_DATA never comes after EOF


def _http_response(label: str, top: int, raw: bytes, content_id: str) -> SubResponse:
    """The HTTP response inside one part, read by h11 (a body runs to the part's end
    when the response gives no length).

    A response with no body whose blank line after the headers was lost (the line
    break before a boundary belongs to the boundary) is read with that line restored.
    """
    where = f"Part {label} of the batch answer"
    if not raw.strip():
        raise BatchResultError(
            f"{where} is empty; expected an HTTP response such as 'HTTP/1.1 200 OK'.", part=top
        )
    try:
        response, body = _read_response(raw)
    except h11.RemoteProtocolError as error:
        if b"\n\n" in raw or b"\r\n\r\n" in raw:
            raise _bad_response(where, top, raw, error) from None
        try:
            response, body = _read_response(raw.rstrip(b"\r\n") + b"\r\n\r\n")
        except h11.RemoteProtocolError:
            raise _bad_response(where, top, raw, error) from None
    if response is None:  # pragma: no cover - h11 gives the response before the end
        raise BatchResultError(f"{where} holds no HTTP response.", part=top)
    headers = tuple(
        (name.decode("ascii", "replace"), decode_header_value(value))
        for name, value in response.headers.raw_items()
    )
    return SubResponse(
        status=response.status_code,
        reason=response.reason.decode("latin-1"),
        headers=headers,
        body=body,
        content_id=content_id,
    )


def _bad_response(where: str, top: int, raw: bytes, error: Exception) -> BatchResultError:
    first = raw.lstrip().split(b"\n", 1)[0][:_QUOTED].decode("utf-8", "replace").strip()
    return BatchResultError(
        f"{where} is not a valid HTTP response ({error}); it starts {first!r}, expected"
        " a status line such as 'HTTP/1.1 200 OK' then headers.",
        part=top,
    )
