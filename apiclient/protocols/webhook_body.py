"""A captured webhook body made readable: pretty JSON and XML, form fields one per line,
text in its charset, and a hex dump for everything else.

:func:`render_body` never raises: a body that is not what its type says stays as
received, with ``problem`` saying why ("Malformed JSON at line 3, column 5: ..."). It is
CPU-bound on large bodies (up to a second or two for 10 MB of JSON made of small values,
mostly Python's indenting encoder, which lets the GIL go between steps): call it from a
worker thread. Hex dumps stop at :data:`HEX_DUMP_LIMIT` bytes, a few hundred kilobytes
of text, which a text view still shows at once; form bodies at :data:`FORM_FIELD_LIMIT`
fields (decoding each field costs a few microseconds).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from email.message import Message
from typing import Literal

from apiclient.core.formatting import hex_dump, human_size
from apiclient.protocols.soap_xml import (
    DtdDeclared,
    NotWellFormed,
    parse_untrusted,
    pretty_xml,
)

__all__ = ["FORM_FIELD_LIMIT", "HEX_DUMP_LIMIT", "RenderedBody", "RenderedKind", "render_body"]

RenderedKind = Literal["empty", "json", "form", "xml", "text", "binary"]
HEX_DUMP_LIMIT = 64 * 1024
FORM_FIELD_LIMIT = 10_000

_AS_RECEIVED = " — shown as received."
_BINARY_TYPES = ("image/", "audio/", "video/", "font/")
_BINARY_MIMES = frozenset(
    {"application/octet-stream", "application/pdf", "application/zip", "application/gzip"}
)
_TEXT_MIMES = frozenset(
    {
        "application/javascript",
        "application/ecmascript",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
        "application/sql",
        "application/csv",
    }
)


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """What the detail view shows for a body: ``text`` of this ``kind``, and
    ``problem``, a sentence when the body is not quite what it claims (else "")."""

    kind: RenderedKind
    text: str
    problem: str = ""


def render_body(content_type: str, body: bytes) -> RenderedBody:
    """Render ``body`` by its declared ``content_type`` (sniffing JSON when none)."""
    if not body:
        return RenderedBody("empty", "")
    mime, charset = _parse_content_type(content_type)
    if mime == "application/json" or mime.endswith("+json"):
        return _render_json(body, charset)
    if mime == "application/x-www-form-urlencoded":
        return _render_form(body, charset)
    if mime.endswith(("/xml", "+xml")):
        return _render_xml(body, charset)
    if mime.startswith("text/") or mime in _TEXT_MIMES:
        return _render_text(body, charset)
    if mime in _BINARY_MIMES or mime.startswith(_BINARY_TYPES):
        return _render_binary(body)
    return _sniff(body, declared=bool(mime))


def _parse_content_type(content_type: str) -> tuple[str, str | None]:
    """``("application/json", "utf-8")`` from a Content-Type value (any case)."""
    if not content_type.strip():
        return "", None
    message = Message()
    message["content-type"] = content_type
    mime = message.get_content_type().lower() if "/" in content_type else ""
    charset = message.get_param("charset")
    return mime, charset.strip().lower() if isinstance(charset, str) and charset.strip() else None


def _decode(body: bytes, charset: str | None) -> tuple[str, str]:
    """The text and, when some bytes had to be replaced, a sentence saying so."""
    codec = charset or "utf-8"
    if codec.replace("_", "-") in ("utf-8", "utf8"):
        codec = "utf-8-sig"  # a byte order mark is not part of the text
    try:
        return body.decode(codec), ""
    except LookupError:
        text = body.decode("utf-8", errors="replace")
        problem = f"Unknown charset {charset!r}: decoded as UTF-8"
        if "\ufffd" in text:
            problem += "; bytes that are not UTF-8 are shown as �"
        return text, problem + "."
    except UnicodeDecodeError as exc:
        name = "UTF-8" if codec == "utf-8-sig" else codec
        return body.decode(codec, errors="replace"), (
            f"Some bytes are not valid {name} (the first at byte {exc.start}); they are shown as �."
        )


def _join(*problems: str) -> str:
    return " ".join(p for p in problems if p)


def _render_json(body: bytes, charset: str | None) -> RenderedBody:
    text, decode_problem = _decode(body, charset)
    try:
        value = json.loads(text)
        pretty = json.dumps(value, indent=2, ensure_ascii=False)
    except json.JSONDecodeError as exc:
        problem = f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        return RenderedBody("json", text, _join(decode_problem, problem + _AS_RECEIVED))
    except (RecursionError, ValueError) as exc:
        # Nesting deeper than Python's recursion limit, or an integer too long to print.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        problem = f"The JSON cannot be pretty-printed ({reason})"
        return RenderedBody("json", text, _join(decode_problem, problem + _AS_RECEIVED))
    return RenderedBody("json", pretty, decode_problem)


def _render_form(body: bytes, charset: str | None) -> RenderedBody:
    codec = charset or "utf-8"
    try:
        "".encode(codec)
    except LookupError:
        codec = "utf-8"
    pieces = [piece for piece in body.split(b"&") if piece]
    fields = [_form_field(piece) for piece in pieces[:FORM_FIELD_LIMIT]]
    if not fields:
        return RenderedBody("form", body.decode(codec, errors="replace"), "No form fields.")
    bad = False
    lines = []
    for name, value in fields:
        texts = []
        for raw in (name, value):
            try:
                texts.append(_escape(raw.decode(codec)))
            except UnicodeDecodeError:
                bad = True
                texts.append(_escape(raw.decode(codec, errors="replace")))
        lines.append(f"{texts[0]} = {texts[1]}")
    problem = f"Bytes that are not valid {codec} are shown as �." if bad else ""
    if charset is not None and codec != charset:
        problem = _join(f"Unknown charset {charset!r}: decoded as UTF-8.", problem)
    if len(pieces) > len(fields):
        problem = _join(
            problem,
            f"Only the first {len(fields):,} of {len(pieces):,} fields are shown; export "
            "the event for the rest.",
        )
    return RenderedBody("form", "\n".join(lines), problem)


def _form_field(piece: bytes) -> tuple[bytes, bytes]:
    """One ``name=value`` of a form body, ``+`` and ``%XX`` decoded (as browsers do)."""
    name, _, value = piece.partition(b"=")
    return _unquote_plus(name), _unquote_plus(value)


def _unquote_plus(raw: bytes) -> bytes:
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    return urllib.parse.unquote_to_bytes(raw) if b"%" in raw else raw


def _escape(text: str) -> str:
    """Control characters (a newline in a field) as escapes, so one field is one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _render_xml(body: bytes, charset: str | None) -> RenderedBody:
    encoding = charset
    try:
        root = parse_untrusted(body, encoding=encoding)
    except LookupError:
        encoding = None
        root = None
    except DtdDeclared as exc:
        text, decode_problem = _decode(body, charset)
        why = "a DTD with entities" if exc.entities else "a DTD"
        problem = f"The XML declares {why}, which is never read (it is where entity attacks live)"
        return RenderedBody("xml", text, _join(decode_problem, problem + _AS_RECEIVED))
    except NotWellFormed as exc:
        return _malformed_xml(body, charset, exc)
    if root is None:  # unknown charset: let the document's own declaration decide
        try:
            root = parse_untrusted(body)
        except (DtdDeclared, LookupError):
            text, decode_problem = _decode(body, charset)
            return RenderedBody("xml", text, _join(decode_problem, "Not pretty-printed."))
        except NotWellFormed as exc:
            return _malformed_xml(body, charset, exc)
    return RenderedBody("xml", pretty_xml(root))


def _malformed_xml(body: bytes, charset: str | None, exc: NotWellFormed) -> RenderedBody:
    text, decode_problem = _decode(body, charset)
    problem = f"Malformed XML at line {exc.line}, column {exc.column}: {exc.reason}"
    return RenderedBody("xml", text, _join(decode_problem, problem + _AS_RECEIVED))


def _render_text(body: bytes, charset: str | None) -> RenderedBody:
    text, problem = _decode(body, charset)
    return RenderedBody("text", text, problem)


def _render_binary(body: bytes) -> RenderedBody:
    dump = hex_dump(body, HEX_DUMP_LIMIT)
    if len(body) <= HEX_DUMP_LIMIT:
        return RenderedBody("binary", dump)
    return RenderedBody(
        "binary",
        dump,
        f"Binary body of {human_size(len(body))}: only the first "
        f"{human_size(HEX_DUMP_LIMIT)} are shown; export or save the event for the rest.",
    )


def _sniff(body: bytes, *, declared: bool) -> RenderedBody:
    """No type (or one we do not know): JSON if it parses, text if it is UTF-8, else hex."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _render_binary(body)
    if "\x00" in text:
        return _render_binary(body)
    start = text.lstrip()[:1]
    if not declared and start and start in '{["-0123456789tfn':
        try:
            value = json.loads(text)
            return RenderedBody("json", json.dumps(value, indent=2, ensure_ascii=False))
        except (ValueError, RecursionError):
            pass  # not JSON after all: plain text
    if not declared and text.lstrip().startswith("<?xml"):
        return _render_xml(body, None)
    return RenderedBody("text", text)
