"""Finding a term in a long text (a response body of up to hundreds of megabytes).

The search walks the text's parts (:class:`~apiclient.core.paged_text.TextParts`, in
memory or read from a file), a hundred thousand characters at a time: each regex call
holds the GIL for well under a millisecond, so run from a worker thread it never
freezes the GUI thread the way one ``str.find`` over 100 MB (30-100 ms) or a
``QTextDocument.find`` over a long line would. A match may run across the seam between
two parts.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from apiclient.core.paged_text import TextParts


@dataclass(frozen=True)
class Match:
    """Where a match lies in the text: ``start`` included, ``end`` excluded."""

    start: int
    end: int


def _pattern(needle: str) -> re.Pattern[str]:
    # Case-insensitive, as every editor's search box is.
    return re.compile(re.escape(needle), re.IGNORECASE)


def _window(text: TextParts, index: int, size: int) -> str:
    """Part ``index`` and what follows it, for a match across the seam."""
    end = text.starts[index] + len(text.parts[index])
    return text.parts[index] + text.slice(end, end + size - 1)


def find_forward(
    text: TextParts, needle: str, start: int, *, stop: threading.Event | None = None
) -> Match | None:
    """The first match at or after ``start``, wrapping around to the top of the text.

    Setting ``stop`` (a newer search began) ends the walk early, with no match."""
    if not needle:
        return None
    pattern, stop = _pattern(needle), stop or threading.Event()
    first = text.part_at(start)
    # Past the end, then from the top: the wrap pass takes any match.
    for index, floor in [
        *((i, start if i == first else 0) for i in range(first, len(text.parts))),
        *((i, 0) for i in range(first + 1)),
    ]:
        if stop.is_set():
            return None
        base = text.starts[index]
        found = pattern.search(_window(text, index, len(needle)), max(0, floor - base))
        if found is not None and found.start() < len(text.parts[index]):
            return Match(base + found.start(), base + found.end())
    return None


def find_backward(
    text: TextParts, needle: str, before: int, *, stop: threading.Event | None = None
) -> Match | None:
    """The last match that starts before ``before``, wrapping around to the bottom;
    ``stop`` as for :func:`find_forward`."""
    if not needle:
        return None
    pattern, stop = _pattern(needle), stop or threading.Event()
    first = text.part_at(before)
    last = len(text.parts) - 1
    for index, ceiling in [
        *((i, before if i == first else text.length) for i in range(first, -1, -1)),
        *((i, text.length) for i in range(last, first - 1, -1)),
    ]:
        if stop.is_set():
            return None
        base = text.starts[index]
        bound = min(len(text.parts[index]), ceiling - base)
        found = _last_before(pattern, _window(text, index, len(needle)), bound)
        if found is not None:
            return Match(base + found[0], base + found[1])
    return None


def _last_before(pattern: re.Pattern[str], window: str, bound: int) -> tuple[int, int] | None:
    """The last match in ``window`` starting before ``bound``, overlapping ones included
    (finditer skips "aa" at 1 in "aaa")."""
    last = None
    for found in pattern.finditer(window):
        if found.start() >= bound:
            break
        last = found
    while last is not None:
        overlapping = pattern.search(window, last.start() + 1)
        if overlapping is None or overlapping.start() >= bound:
            return last.start(), last.end()
        last = overlapping
    return None
