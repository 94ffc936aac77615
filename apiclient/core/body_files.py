"""Formatting a large body in another process without pickling megabytes of text.

Handing a 50 MB body to a worker process and 130 MB of text back through pickles costs
the app 0.3-0.6 s of GIL-bound copying and decoding in one go, which freezes the window.
Instead the body goes to a file, the worker writes the pretty text to a file beside it,
and the app reads and decodes the texts a megabyte at a time in a thread, into parts
(:class:`PagedText`), so the GIL is never held for long.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from apiclient.core.formatting import BodyKind, body_kind, decode_body, hex_dump, pretty_body
from apiclient.core.paged_text import PagedText

STEP_BYTES = 1 << 20
FOLDER_PREFIX = "apiclient-body-"
# What tempfile.mkdtemp(prefix=FOLDER_PREFIX) names a folder, and nothing else.
_FOLDER_NAME = re.compile(re.escape(FOLDER_PREFIX) + "[a-z0-9_]{8}")
# A body folder untouched this long was left by a session that crashed or was killed:
# formatting even a 50 MB body takes seconds.
STALE_AFTER_S = 10 * 60


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
    # backslashreplace: a character UTF-8 cannot hold (a lone surrogate) is written as
    # its escape, which is what a JSON text says anyway; it never fails the write.
    Path(pretty_path).write_text(pretty.text, encoding="utf-8", errors="backslashreplace")
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


def make_body_folder() -> Path:
    """A fresh folder in the temp dir for a body and its pretty text."""
    return Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))


def remove_body_folder(folder: Path) -> None:
    """Remove ``folder`` and what is in it, never raising.

    A worker still running (its formatting was cancelled) may write the pretty text
    just after ``rmtree`` listed the folder, which then fails to go: so try twice."""
    for _ in range(2):
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder):
            return


def sweep_stale_body_folders(temp_dir: str | None = None) -> None:
    """Remove the body folders a crashed or killed session left in ``temp_dir`` (the
    temp dir by default): only folders named as :func:`make_body_folder` names them,
    owned by this user, with nothing in them changed for ``STALE_AFTER_S``."""
    root = temp_dir or tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = [e for e in os.scandir(root) if _FOLDER_NAME.fullmatch(e.name)]
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISDIR(info.st_mode) or uid not in (None, info.st_uid):
                continue
            if time.time() - _last_change(entry.path, info.st_mtime) < STALE_AFTER_S:
                continue
        except OSError:
            continue
        remove_body_folder(Path(entry.path))


def _last_change(folder: str, folder_mtime: float) -> float:
    """When ``folder`` or a file in it last changed."""
    with os.scandir(folder) as entries:
        return max([folder_mtime, *(e.stat(follow_symlinks=False).st_mtime for e in entries)])
