"""Formatting a large body in another process without pickling megabytes of text.

Handing a 50 MB body to a worker process and 130 MB of text back through pickles costs
the app 0.3-0.6 s of GIL-bound copying and decoding in one go, which freezes the window.
Instead the body goes to a file, the worker writes the pretty text to a file beside it,
and the app reads and decodes the texts a megabyte at a time in a thread, into parts
(:class:`PagedText`), so the GIL is never held for long.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from apiclient.core.body_spool import PART_SUFFIX
from apiclient.core.file_text import text_codec
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


class JobStopped(Exception):
    """A formatting job found itself moot: its body was deleted, or it was told to stop."""


def job_stopped(source: str, stop_path: str = "") -> bool:
    """Whether the job on the file ``source`` is moot: the file went (the response was
    replaced, the tab closed), or ``stop_path`` exists (the view asked it to stop). A
    job in the worker process cannot be cancelled from the app, so it asks this every
    megabyte, and the single worker is soon free for the next body."""
    return not os.path.exists(source) or (bool(stop_path) and os.path.exists(stop_path))


@contextlib.contextmanager
def side_file(source: str, target: str, stop_path: str = "") -> Iterator[TextIO]:
    """A UTF-8 text file to write ``target`` (made from ``source``) into: a file beside
    it (``<target>.part``), renamed to ``target`` at the end only if the job was not
    stopped and ``source`` is still there, so a stopped job leaves nothing behind. Raises
    :class:`JobStopped`; the stop file, if any, is deleted whatever happens."""
    temp = target + PART_SUFFIX  # one job at a time per target: the worker is single
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        # backslashreplace: a character UTF-8 cannot hold (a lone surrogate) is written
        # as its escape, which is what a JSON text says anyway; it never fails the write.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as out:
            yield out
        if job_stopped(source, stop_path):
            raise JobStopped
        os.replace(temp, target)
        if not os.path.exists(source):  # the body went just before the rename
            with contextlib.suppress(OSError):
                os.unlink(target)
            raise JobStopped
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    finally:
        if stop_path:
            with contextlib.suppress(OSError):
                os.unlink(stop_path)


def format_body_file(
    content_type: str, charset: str | None, body_path: str, target: str = "", stop_path: str = ""
) -> FormattedFile:
    """Runs in the worker process: format the body in ``body_path``; its pretty text
    goes to ``target`` (``<body_path>.pretty`` by default). Raises :class:`JobStopped`
    (see :func:`job_stopped`) between steps; the stop file goes whatever happens."""
    try:
        return _format_body_file(content_type, charset, body_path, target, stop_path)
    finally:
        if stop_path:
            with contextlib.suppress(OSError):
                os.unlink(stop_path)


def _format_body_file(
    content_type: str, charset: str | None, body_path: str, target: str, stop_path: str
) -> FormattedFile:
    body = Path(body_path).read_bytes()
    kind = body_kind(content_type, body)
    if kind == "binary":
        return FormattedFile(kind, None, dump=hex_dump(body))
    raw = decode_body(body, charset)
    del body
    if job_stopped(body_path, stop_path):
        raise JobStopped
    pretty = pretty_body(kind, raw)
    if pretty.problem or pretty.text == raw:
        return FormattedFile(kind, None, pretty.problem)
    target = target or f"{body_path}.pretty"
    text = pretty.text
    with side_file(body_path, target, stop_path) as out:
        for start in range(0, len(text), STEP_BYTES):
            if job_stopped(body_path, stop_path):
                raise JobStopped
            out.write(text[start : start + STEP_BYTES])
    return FormattedFile(kind, target)


def decode_in_steps(data: bytes, charset: str | None, page_chars: int) -> PagedText:
    """:func:`decode_body` a megabyte at a time, so another thread gets the GIL between;
    a charset that is no text encoding, or refuses to replace bad bytes (idna), is read
    as UTF-8."""
    try:
        return _decode_in_steps(data, text_codec(charset, data[:4]) or "utf-8", page_chars)
    except (UnicodeError, TypeError):
        return _decode_in_steps(data, "utf-8", page_chars)


def _decode_in_steps(data: bytes, charset: str, page_chars: int) -> PagedText:
    decoder = codecs.getincrementaldecoder(charset)(errors="replace")
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
