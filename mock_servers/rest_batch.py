"""`POST /api/v1/$batch`: several HTTP requests in one multipart/mixed body.

The OData and Google APIs style of batching: each part is `application/http` holding
one HTTP/1.1 request to this mock under /api/v1/; the answer holds one `application/http`
part per request, in order, each an HTTP/1.1 response. The envelope is read by the
stdlib `email` package and each request by h11, so the parsing is a library's, not ours;
the sub-requests run one after another against this same app, as if sent on their own.
"""

from __future__ import annotations

import http
import uuid
from dataclasses import dataclass
from email.message import MIMEPart
from email.parser import BytesParser
from email.policy import default as default_policy
from urllib.parse import urlsplit

import h11
import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from mock_servers.rest_contacts import ContactsRequestError, read_body

__all__ = ["BATCH_ENDPOINTS", "BATCH_PATH", "MAX_PARTS", "create_batch_router"]

BATCH_PATH = "/api/v1/$batch"
BATCH_ENDPOINTS: list[tuple[str, str]] = [
    (BATCH_PATH, "POST multipart/mixed: up to 100 application/http requests to /api/v1/..."),
]
MAX_PARTS = 100
API_ROOT = "/api/v1/"
_EXAMPLE_TYPE = "multipart/mixed; boundary=batch_1"
# Framing and hop-by-hop headers: the sub-request or sub-response gets its own.
_NOT_PASSED_ON = {b"host", b"content-length", b"transfer-encoding", b"connection", b"keep-alive"}


class BatchEnvelopeError(Exception):
    """A $batch body refused as a whole; `message` is the sentence the client sees."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SubRequest:
    """One part of the batch: its Content-ID, the h11 connection that read it, the request."""

    content_id: str | None
    connection: h11.Connection
    method: str
    target: str  # path and query under /api/v1/
    headers: list[tuple[bytes, bytes]]
    body: bytes


class _RequestError(BatchEnvelopeError):
    """A part h11 could not read; `stage` is how far it got (for picking the best message)."""

    def __init__(self, stage: int, message: str) -> None:
        super().__init__(400, message)
        self.stage = stage  # 0 cut short in the headers, 1 not HTTP, 2 a request, bad body


def _read_request(number: int, payload: bytes) -> tuple[h11.Connection, h11.Request, bytes]:
    """Read one HTTP request with h11; its body may run to the end of the part unframed."""
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(payload)
    request: h11.Request | None = None
    body = bytearray()
    try:
        while not isinstance(event := connection.next_event(), h11.EndOfMessage):
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
            else:  # NEED_DATA: the part ended inside the request
                raise _RequestError(
                    0 if request is None else 2,
                    f"Part {number} ends before its HTTP request does: the headers need a "
                    "blank line after them, and the body as many bytes as Content-Length says.",
                )
    except h11.RemoteProtocolError as exc:
        raise _RequestError(
            1,
            f"Part {number} does not hold a valid HTTP/1.1 request ({exc}); write a request "
            "line such as GET /api/v1/contacts/1 HTTP/1.1, headers, a blank line, then the body.",
        ) from None
    assert request is not None  # h11 gives the request before its end
    rest = connection.trailing_data[0]
    framed = any(name in (b"content-length", b"transfer-encoding") for name, _ in request.headers)
    if rest.strip():
        if framed:
            raise _RequestError(
                2,
                f"Part {number} has {len(rest)} bytes after the body its Content-Length or "
                "Transfer-Encoding announces; fix the length or leave the header out.",
            )
        body += rest  # no framing header: the body is the rest of the part
    return connection, request, bytes(body)


def _parse_request(number: int, payload: bytes) -> tuple[h11.Connection, h11.Request, bytes]:
    """As `_read_request`, but lenient where real batch servers are.

    Google's examples leave out the Host header, and the blank line that ends the headers
    of a request without a body is easy to lose (the line break before a boundary belongs
    to the boundary). Retried with those added; if nothing helps, the error of the try
    that got furthest stands."""
    request_line, newline, rest = payload.partition(b"\n")
    with_host = request_line + (newline or b"\r\n") + b"Host: mock\r\n" + rest
    errors: list[_RequestError] = []
    for attempt in (
        payload,
        payload + b"\r\n",
        payload + b"\r\n\r\n",
        with_host,
        with_host + b"\r\n",
    ):
        try:
            return _read_request(number, attempt)
        except _RequestError as exc:
            errors.append(exc)
    raise max(errors, key=lambda error: error.stage)  # max keeps the first of equals


def _target(number: int, raw: bytes) -> str:
    """The path and query a sub-request asks for, which must be under /api/v1/."""
    text = raw.decode("ascii", "replace")
    parts = urlsplit(text)
    path = parts.path if parts.path.startswith("/") else API_ROOT + parts.path
    climbs = {".", ".."} & set(path.split("/"))  # /api/v1/../echo would leave the API
    if climbs or not path.startswith(API_ROOT) or path.rstrip("/") == BATCH_PATH:
        raise BatchEnvelopeError(
            400,
            f"Part {number} asks for {text}; sub-requests must go to this mock's API under "
            f"{API_ROOT} (not $batch itself), for example GET /api/v1/contacts/1 HTTP/1.1.",
        )
    return path + (f"?{parts.query}" if parts.query else "")


def parse_envelope(content_type: str, body: bytes) -> list[SubRequest]:
    """Check the whole multipart/mixed body and read every sub-request in it."""
    header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=default_policy).parsebytes(header + body)
    if not content_type or message.get_content_type() != "multipart/mixed":
        got = content_type or "no Content-Type"
        raise BatchEnvelopeError(
            400, f"A $batch body must be multipart/mixed (got {got}); send {_EXAMPLE_TYPE}."
        )
    boundary = message.get_boundary()
    if not boundary:
        raise BatchEnvelopeError(
            400, f"The Content-Type has no boundary parameter; send {_EXAMPLE_TYPE}."
        )
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts:
        raise BatchEnvelopeError(
            400, f"The body holds no part: each part starts with a line --{boundary}."
        )
    if len(parts) > MAX_PARTS:
        raise BatchEnvelopeError(
            413, f"The batch holds {len(parts)} parts; at most {MAX_PARTS} fit in one $batch."
        )
    return [_sub_request(number, part) for number, part in enumerate(parts, start=1)]


def _sub_request(number: int, part: MIMEPart) -> SubRequest:
    if part.get_content_type() != "application/http":
        got = part["Content-Type"] or "no Content-Type (so text/plain)"
        raise BatchEnvelopeError(
            400,
            f"Part {number} has {got}; each part must be Content-Type: application/http "
            "holding one HTTP/1.1 request.",
        )
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)  # a part that is not multipart decodes to bytes
    connection, request, body = _parse_request(number, payload)
    content_id = part["Content-ID"]
    return SubRequest(
        content_id=None if content_id is None else " ".join(str(content_id).split()),
        connection=connection,
        method=request.method.decode("ascii"),
        target=_target(number, request.target),
        headers=[(k, v) for k, v in request.headers if k not in _NOT_PASSED_ON],
        body=body,
    )


async def _execute(client: httpx.AsyncClient, sub: SubRequest) -> bytes:
    """Send one sub-request to the app; its response written as HTTP/1.1 by h11."""
    url = client.base_url.join(sub.target)
    request = httpx.Request(sub.method, url, headers=sub.headers, content=sub.body)
    response = await client.send(request, stream=True)
    try:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _NOT_PASSED_ON]
    if sub.method == "HEAD":  # the length of the body a GET would have had
        headers += [(k, v) for k, v in response.headers.raw if k.lower() == b"content-length"]
    elif response.status_code not in (204, 304):
        headers.append((b"content-length", str(len(body)).encode()))
    try:
        reason = http.HTTPStatus(response.status_code).phrase.encode()
    except ValueError:
        reason = b""
    connection = sub.connection
    written = (
        connection.send(
            h11.Response(status_code=response.status_code, headers=headers, reason=reason)
        )
        or b""
    )
    written += (connection.send(h11.Data(data=body)) or b"") if body else b""
    written += connection.send(h11.EndOfMessage()) or b""
    return written


def _multipart(boundary: str, answers: list[tuple[str | None, bytes]]) -> bytes:
    out = bytearray()
    for content_id, answer in answers:
        out += f"--{boundary}\r\nContent-Type: application/http\r\n".encode()
        if content_id is not None:
            out += f"Content-ID: {content_id}\r\n".encode()
        out += b"\r\n" + answer + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def create_batch_router() -> APIRouter:
    """The $batch route; sub-requests go to whichever app serves it."""
    router = APIRouter(tags=["batch"])

    @router.post(BATCH_PATH)
    async def batch(request: Request) -> Response:
        try:
            raw = await read_body(request)
            subs = parse_envelope(request.headers.get("content-type", ""), raw)
        except (BatchEnvelopeError, ContactsRequestError) as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        # An endpoint that raises answers 500 in its own part, as it would alone.
        transport = httpx.ASGITransport(app=request.app, raise_app_exceptions=False)
        base_url = str(request.base_url)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            answers = [(sub.content_id, await _execute(client, sub)) for sub in subs]
        boundary = f"batchresponse_{uuid.uuid4().hex}"
        return Response(
            _multipart(boundary, answers), media_type=f"multipart/mixed; boundary={boundary}"
        )

    return router
