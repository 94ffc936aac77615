"""Formatting a large body in another process without pickling megabytes of text.

Handing a 50 MB body to a worker process and 130 MB of text back through pickles costs
the app 0.3-0.6 s of GIL-bound copying and decoding in one go, which freezes the window.
Instead the body goes to a file, the worker writes the pretty text to a file beside it,
and the app reads and decodes the texts a megabyte at a time in a thread, into parts
(:class:`PagedText`), so the GIL is never held for long.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from apiclient.core.formatting import BodyKind, body_kind, decode_body, hex_dump, pretty_body
from apiclient.core.paged_text import PagedText

STEP_BYTES = 1 << 20


@dataclass(frozen=True)
class FormattedFile:
    """What the worker made of a body file: its kind, the pretty text's file (``None``
    when the pretty text is the body as received), why it stayed raw, or a hex dump."""

    kind: BodyKind
    pretty_path: str | None
    problem: str = ""
    dump: str = ""


def format_body_file(content_type: str, charset: str | None, body_path: str) -> FormattedFile:
    """Runs in the worker process: format the body in ``body_path``."""
    body = Path(body_path).read_bytes()
    kind = body_kind(content_type, body)
    if kind == "binary":
        return FormattedFile(kind, None, dump=hex_dump(body))
    raw = decode_body(body, charset)
    pretty = pretty_body(kind, raw)
    if pretty.problem or pretty.text == raw:
        return FormattedFile(kind, None, pretty.problem)
    pretty_path = f"{body_path}.pretty"
    Path(pretty_path).write_text(pretty.text, encoding="utf-8")
    return FormattedFile(kind, pretty_path)


def decode_in_steps(data: bytes, charset: str | None, page_chars: int) -> PagedText:
    """:func:`decode_body` a megabyte at a time, so another thread gets the GIL between."""
    try:
        decoder = codecs.getincrementaldecoder(charset or "utf-8")(errors="replace")
    except LookupError:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    view = memoryview(data)
    chunks = (decoder.decode(view[i : i + STEP_BYTES]) for i in range(0, len(data), STEP_BYTES))
    return PagedText.from_chunks([*chunks, decoder.decode(b"", final=True)], page_chars)


def read_text_in_steps(path: str, page_chars: int) -> PagedText:
    """A UTF-8 text file, read and decoded a megabyte at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def chunks() -> Iterator[str]:
        with open(path, "rb") as file:
            while chunk := file.read(STEP_BYTES):
                yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)

    return PagedText.from_chunks(chunks(), page_chars)
