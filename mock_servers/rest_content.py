"""Bodies of every kind: binary, very large JSON, gzip, XML, HTML, Latin-1, PNG and a
deliberately broken one, to exercise a client's response viewer and error handling.
"""

from __future__ import annotations

import gzip
import json
import random
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

MAX_BYTES = 100 * 1024 * 1024
MAX_JSON_MB = 200.0
MAX_TEXT_MB = 2048
TEXT_END_MARKER = b"END-OF-BODY\n"
_MB = 1 << 20
BROKEN_DECLARED_LENGTH = 100_000
_CHUNK = 64 * 1024

router = APIRouter(tags=["content"])


@router.get("/bytes/{n}")
async def random_bytes(n: Annotated[int, Path(ge=0)], seed: int = 0) -> Response:
    """n pseudo-random bytes; the same n and seed always give the same bytes."""
    if n > MAX_BYTES:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"At most {MAX_BYTES} bytes (100 MB); asked for {n}."
        )

    async def chunks() -> AsyncIterator[bytes]:
        rng = random.Random(seed)
        for start in range(0, n, _CHUNK):
            yield rng.randbytes(min(_CHUNK, n - start))

    return StreamingResponse(
        chunks(), media_type="application/octet-stream", headers={"Content-Length": str(n)}
    )


def _text_block() -> bytes:
    """One mebibyte of numbered 64-byte lines."""
    lines = (
        f"line {i:08d} the quick brown fox jumps over the lazy dog .....\n" for i in range(16384)
    )
    return "".join(lines).encode("ascii")


@router.get("/text/large")
async def large_text(mb: Annotated[int, Query(gt=0, le=MAX_TEXT_MB)] = 1) -> Response:
    """``mb`` mebibytes of plain text lines, streamed with a Content-Length; the body
    ends with ``END-OF-BODY`` (something to search for at the very end)."""
    block = _text_block()
    last = block[: -len(TEXT_END_MARKER)] + TEXT_END_MARKER

    async def chunks() -> AsyncIterator[bytes]:
        for index in range(mb):
            yield last if index == mb - 1 else block

    return StreamingResponse(
        chunks(),
        media_type="text/plain",
        # "identity": the mock's gzip middleware leaves it as is, so the length holds.
        headers={"Content-Length": str(mb * _MB), "Content-Encoding": "identity"},
    )


# %-formatting a fixed template is several times faster than json.dumps per record,
# which matters at 200 MB; every value is a number, a bool or a safe ASCII string.
_RECORD = (
    '{"id": %d, "name": "Customer %07d", "email": "customer%d@example.com", '
    '"balance": %.2f, "active": %s, "tags": %s}'
)
_TAGS = ('["wholesale"]', '["retail", "eu"]')


def _record_values(i: int) -> tuple[int, int, int, float, str, str]:
    return (i, i, i, i * 1.37 % 10_000, "false" if i % 3 == 0 else "true", _TAGS[i % 2])


@router.get("/json/large")
async def large_json(mb: Annotated[float, Query(gt=0, le=MAX_JSON_MB)] = 1.0) -> Response:
    """About `mb` megabytes of valid JSON, streamed so memory stays flat."""
    target = int(mb * 1024 * 1024)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"records": ['
        sent = index = 0
        while sent < target:
            batch = ",".join(_RECORD % _record_values(i) for i in range(index, index + 1000))
            chunk = (batch if index == 0 else "," + batch).encode()
            yield chunk
            sent += len(chunk)
            index += 1000
        yield f'], "count": {index}}}'.encode()

    return StreamingResponse(chunks(), media_type="application/json")


@router.get("/gzip")
async def gzipped() -> Response:
    """Always gzip-compressed, whatever Accept-Encoding says, like httpbin's /gzip."""
    body = json.dumps({"gzipped": True, "message": "This body was sent with gzip."}).encode()
    return Response(
        gzip.compress(body),
        media_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )


_PATIENT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<patient xmlns="urn:example:hospital" id="P-10442">
  <name><given>Maria</given><family>Schulz</family></name>
  <birthDate>1984-03-17</birthDate>
  <ward code="C3">Cardiology</ward>
  <observations>
    <observation code="8867-4" unit="beats/min">72</observation>
    <observation code="8480-6" unit="mmHg">118</observation>
  </observations>
  <allergies><allergy severity="high">Penicillin</allergy></allergies>
</patient>
"""

_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Mock page</title></head>
<body>
  <h1>Hello from the mock server</h1>
  <p>A small page to check how the client shows HTML.</p>
  <ul><li><a href="/echo">/echo</a></li><li><a href="/json/large?mb=1">/json/large</a></li></ul>
</body>
</html>
"""


@router.get("/xml")
async def xml_document() -> Response:
    return Response(_PATIENT_XML, media_type="application/xml")


@router.get("/html")
async def html_page() -> HTMLResponse:
    return HTMLResponse(_HTML)


@router.get("/encoding/latin1")
async def latin1_text() -> Response:
    """Non-ASCII text in ISO-8859-1, so a client must honour the declared charset."""
    body = "Un café crème à Zürich, s'il vous plaît. Señor Ñandú: 4,50 CHF.\n".encode("iso-8859-1")
    return Response(body, headers={"Content-Type": "text/plain; charset=iso-8859-1"})


def _tiny_png() -> bytes:
    """A valid 4x4 PNG with a red-to-blue gradient, built rather than stored."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    width = height = 4
    rows = b"".join(
        b"\x00" + b"".join(bytes((255 - 60 * x, 40, 60 * x)) for x in range(width))
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG_BYTES = _tiny_png()


@router.get("/image/png")
async def png_image() -> Response:
    return Response(PNG_BYTES, media_type="image/png")


class _MidBodyApp:
    """Promises BROKEN_DECLARED_LENGTH bytes, sends a part, then ends the response.

    uvicorn then closes the connection, so the client sees an incomplete body. uvicorn
    logs one error line about it ("returned without completing response"), no traceback.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/octet-stream"),
                    (b"content-length", str(BROKEN_DECLARED_LENGTH).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"x" * 1000, "more_body": True})


def broken_routes() -> list[Route]:
    return [Route("/broken/mid-body", _MidBodyApp(), methods=["GET"], name="broken_mid_body")]
