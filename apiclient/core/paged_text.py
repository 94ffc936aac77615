"""A long text kept in parts, never joined into one string.

Building one 80 MB ``str`` (joining decoded chunks, or unpickling it from a worker
process) holds the GIL for 0.1-0.4 s while fresh memory is faulted in, which freezes
the window however the work is spread over threads. Kept as parts of about a hundred
thousand characters, every step that makes or reads the text is short, and the parts
are just what the body view shows one at a time anyway.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from apiclient.core.formatting import BodyKind, RenderedBody, page_starts


class TextParts(Protocol):
    """A long text in parts: :class:`PagedText` in memory, or ``FileText`` on disk
    (:mod:`apiclient.core.file_text`)."""

    @property
    def parts(self) -> Sequence[str]: ...
    @property
    def starts(self) -> tuple[int, ...]: ...
    @property
    def length(self) -> int: ...
    def __len__(self) -> int: ...
    def part_at(self, offset: int) -> int: ...
    def slice(self, start: int, end: int) -> str: ...


def part_index(starts: Sequence[int], offset: int) -> int:
    """The index of the part holding ``offset`` (the last part for the very end), given
    the parts' ``starts``."""
    return max(0, bisect_right(starts, offset) - 1)


def text_slice(text: TextParts, start: int, end: int) -> str:
    """``text[start:end]``, read from its parts: for a selection, not for the whole text."""
    if end <= start:
        return ""
    pieces = []
    for index in range(text.part_at(start), text.part_at(max(start, end - 1)) + 1):
        base = text.starts[index]
        pieces.append(text.parts[index][max(0, start - base) : max(0, end - base)])
    return "".join(pieces)


@dataclass(frozen=True)
class PagedText:
    """``parts`` joined are the text; ``starts`` are their offsets in it."""

    parts: tuple[str, ...]
    starts: tuple[int, ...]
    length: int

    @classmethod
    def of(cls, text: str, page_chars: int) -> PagedText:
        starts = page_starts(text, page_chars)
        ends = [*starts[1:], len(text)]
        parts = tuple(text[a:b] for a, b in zip(starts, ends, strict=True))
        return cls(parts, tuple(starts), len(text))

    @classmethod
    def from_chunks(cls, chunks: Iterable[str], page_chars: int) -> PagedText:
        """Cut a stream of text chunks (e.g. a megabyte each) into parts as they come."""
        parts: list[str] = []
        starts: list[int] = []
        offset = 0
        carry = ""
        for chunk in chunks:
            buffer = carry + chunk
            cuts = page_starts(buffer, page_chars)
            for a, b in itertools.pairwise(cuts):
                parts.append(buffer[a:b])
                starts.append(offset)
                offset += b - a
            carry = buffer[cuts[-1] :]
        if carry or not parts:
            parts.append(carry)
            starts.append(offset)
            offset += len(carry)
        return cls(tuple(parts), tuple(starts), offset)

    def __len__(self) -> int:
        return self.length

    def part_at(self, offset: int) -> int:
        return part_index(self.starts, offset)

    def slice(self, start: int, end: int) -> str:
        return text_slice(self, start, end)


@dataclass(frozen=True)
class PagedBody:
    """A response body ready for the body view: raw and pretty text in parts."""

    kind: BodyKind
    raw: TextParts
    pretty: TextParts
    problem: str = ""

    @classmethod
    def of(cls, rendered: RenderedBody, page_chars: int) -> PagedBody:
        raw = PagedText.of(rendered.raw, page_chars)
        same = rendered.pretty is rendered.raw or rendered.pretty == rendered.raw
        pretty = raw if same else PagedText.of(rendered.pretty, page_chars)
        return cls(rendered.kind, raw, pretty, rendered.problem)
