"""A long text read from a file one part at a time: the body view of a spooled body.

:class:`~apiclient.core.paged_text.PagedText` keeps every part in memory; for a body of
hundreds of megabytes that is hundreds of megabytes of ``str``. :class:`FileText` keeps
only an index (where each part starts, in bytes of the file and in characters of the
text) and reads a part when it is asked for, with a few recent ones cached. It answers
the same questions (``parts``, ``starts``, ``part_at``, ``slice``), so the body view,
the part view and the search (:mod:`text_search`) take either.

The file is UTF-8 (a body in another charset is first copied to UTF-8 beside it). Parts
are cut after a newline near ``page_bytes``, or, in one long line, at a character
boundary; the text *is* the parts decoded one by one (bad bytes replaced), so offsets
never depend on how much was read at once. Building the index reads the file once; it
runs in a worker thread and may be stopped.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import overload

from apiclient.core.body_spool import COPY_STEP
from apiclient.core.paged_text import part_index, text_slice

_CACHED_PARTS = 8
_UTF8_NAMES = frozenset({"utf-8", "ascii"})


class IndexStopped(Exception):
    """Building the index was stopped (a newer body came)."""


def _chars(data: bytes) -> int:
    return len(data) if data.isascii() else len(data.decode("utf-8", "replace"))


def _boundary(block: bytes, cut: int) -> int:
    """``cut`` moved back to the start of a UTF-8 character (at most 3 bytes)."""
    for back in range(4):
        if cut - back <= 0 or block[cut - back] & 0xC0 != 0x80:
            return max(1, cut - back)
    return cut


class _Parts(Sequence[str]):
    """The parts of a :class:`FileText`, read on demand."""

    def __init__(self, owner: FileText) -> None:
        self._owner = owner

    def __len__(self) -> int:
        return len(self._owner.starts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._owner.read_part(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._owner.read_part(index)

    def __iter__(self) -> Iterator[str]:
        return (self._owner.read_part(i) for i in range(len(self)))


class FileText:
    """The text of a UTF-8 file, in parts read on demand; safe to read from any thread."""

    def __init__(
        self,
        path: str,
        byte_starts: tuple[int, ...],
        starts: tuple[int, ...],
        size: int,
        length: int,
    ) -> None:
        self.path = path
        self.byte_starts = byte_starts
        self.starts = starts
        self.size = size
        self.length = length
        self.parts: Sequence[str] = _Parts(self)
        self._cache: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def index(cls, path: str, page_bytes: int, *, stop: threading.Event | None = None) -> FileText:
        """Read ``path`` once to find where its parts start; raises :class:`IndexStopped`
        when ``stop`` is set meanwhile, ``OSError`` when the file cannot be read."""
        byte_starts, starts = [0], [0]
        chars = 0
        slack = max(1, page_bytes // 4)
        with open(path, "rb") as file:
            size = file.seek(0, 2)
            position = 0
            while size - position > page_bytes:
                if stop is not None and stop.is_set():
                    raise IndexStopped
                file.seek(position)
                block = file.read(page_bytes + slack)
                newline = block.find(b"\n", page_bytes)
                cut = newline + 1 if newline >= 0 else _boundary(block, page_bytes)
                if position + cut >= size:
                    break
                chars += _chars(block[:cut])
                position += cut
                byte_starts.append(position)
                starts.append(chars)
            file.seek(position)
            chars += _chars(file.read())
        return cls(path, tuple(byte_starts), tuple(starts), size, chars)

    def __len__(self) -> int:
        return self.length

    def read_part(self, index: int) -> str:
        """Part ``index``, from the cache or the file."""
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
        begin = self.byte_starts[index]
        end = self.byte_starts[index + 1] if index + 1 < len(self.byte_starts) else self.size
        with open(self.path, "rb") as file:
            file.seek(begin)
            text = file.read(end - begin).decode("utf-8", "replace")
        with self._lock:
            self._cache[index] = text
            while len(self._cache) > _CACHED_PARTS:
                self._cache.popitem(last=False)
        return text

    def part_at(self, offset: int) -> int:
        return part_index(self.starts, offset)

    def slice(self, start: int, end: int) -> str:
        return text_slice(self, start, end)


# Byte order marks, and the byte order assumed without one (as ``bytes.decode`` does on
# the machines the app runs on).
_BOMS = {
    "utf-16": ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16-le"),
    "utf-32": ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32-le"),
}


def text_codec(charset: str | None, head: bytes = b"") -> str | None:
    """The codec to read a body in ``charset`` with, or None when it is read as UTF-8
    as it is: no charset, an unknown one, or one that is no text encoding (base64,
    zlib, rot13: ``bytes.decode`` refuses those too). ``head`` is the body's start:
    UTF-16 or UTF-32 with no byte order mark there is read little-endian."""
    if not charset:
        return None
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return None  # an unknown charset is read as UTF-8, as for a body in memory
    if not getattr(info, "_is_text_encoding", True) or info.name in _UTF8_NAMES:
        return None
    boms, default = _BOMS.get(info.name, ((), ""))
    if boms and not head.startswith(boms):
        return default
    return info.name


def copy_as_utf8(path: str, codec: str, target: str) -> None:
    """Decode ``path`` with ``codec`` (as :func:`text_codec` gave it) a megabyte at a
    time into a UTF-8 file; raises ``OSError``."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    with (
        open(path, "rb") as source,
        open(target, "w", encoding="utf-8", errors="backslashreplace", newline="") as out,
    ):
        while chunk := source.read(COPY_STEP):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))


def open_body_text(
    path: str, charset: str | None, page_bytes: int, *, stop: threading.Event | None = None
) -> FileText:
    """The text of the body file at ``path`` in ``charset``, paged: indexed as it is
    when UTF-8, else first copied to UTF-8 beside it (``<path>.utf8``)."""
    with open(path, "rb") as file:
        head = file.read(4)
    codec = text_codec(charset, head)
    if codec is not None:
        try:
            copy_as_utf8(path, codec, path + ".utf8")
        except (UnicodeError, TypeError):
            # A codec that refuses errors="replace" (idna): read the body as UTF-8.
            with contextlib.suppress(OSError):
                os.unlink(path + ".utf8")
        else:
            path += ".utf8"
    return FileText.index(path, page_bytes, stop=stop)
