"""The last two responses of each request, in memory, for "Compare with previous".

A request is keyed by its saved file (collection folder, kind, relpath) when it has
one, so closing and reopening it keeps its history for the session; an unsaved draft is
keyed by the view showing it. Bodies above ``MAX_BODY_BYTES`` are remembered without
their bytes (the comparison then says the body was too large), and only the
``MAX_REQUESTS`` requests used last are kept, so the memory stays at a few tens of MB.
Nothing here is written to disk: responses may hold secrets.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

from apiclient.core.formatting import human_size, render_body
from apiclient.core.text_diff import TextDiff, diff_texts, header_changes

__all__ = [
    "MAX_BODY_BYTES",
    "Comparison",
    "RememberedResponse",
    "ResponseMemory",
    "compare",
    "response_memory",
]

MAX_BODY_BYTES = 4 << 20
MAX_REQUESTS = 32


@dataclass(frozen=True)
class RememberedResponse:
    """One response as the comparison needs it. ``body`` is ``None`` when it was too
    large to keep (``size`` still tells its size)."""

    status: str
    headers: tuple[tuple[str, str], ...]
    content_type: str
    charset: str | None
    body: bytes | None
    size: int
    received_at: datetime = field(default_factory=datetime.now)


@dataclass(frozen=True)
class Comparison:
    """Two responses compared: the body diff (of their pretty texts), the changes in
    the status line and headers, and a caption saying which responses these are."""

    diff: TextDiff
    changes: list[str]
    caption: str
    problem: str = ""


def compare(previous: RememberedResponse, current: RememberedResponse) -> Comparison:
    """Compare two responses; CPU-bound on long bodies: run it in a worker thread."""
    changes = []
    if previous.status != current.status:
        changes.append(f"Status {previous.status} → {current.status}")
    headers = header_changes(previous.headers, current.headers)
    if headers:
        changes.append("Headers: " + ", ".join(headers))
    caption = (
        f"previous response at {previous.received_at:%H:%M:%S}, this one at "
        f"{current.received_at:%H:%M:%S}"
    )
    too_big = [r for r in (previous, current) if r.body is None]
    if too_big:
        sizes = " and ".join(human_size(r.size) for r in too_big)
        problem = (
            f"The body is too large to compare ({sizes}; bodies up to "
            f"{human_size(MAX_BODY_BYTES)} are kept for comparing)."
        )
        return Comparison(TextDiff((), 0, 0), changes, caption, problem)
    old, new = (
        render_body(r.content_type, r.charset, r.body or b"").pretty for r in (previous, current)
    )
    return Comparison(diff_texts(old, new), changes, caption)


class ResponseMemory:
    """Per request key, the last two responses, oldest first."""

    def __init__(self, max_requests: int = MAX_REQUESTS) -> None:
        self._max = max_requests
        self._kept: OrderedDict[Hashable, deque[RememberedResponse]] = OrderedDict()

    def remember(self, key: Hashable, response: RememberedResponse) -> None:
        kept = self._kept.pop(key, None) or deque(maxlen=2)
        kept.append(response)
        self._kept[key] = kept
        while len(self._kept) > self._max:
            self._kept.popitem(last=False)

    def last_two(self, key: Hashable) -> tuple[RememberedResponse, ...]:
        """The previous and the latest response (or fewer), oldest first."""
        return tuple(self._kept.get(key, ()))

    def forget(self, key: Hashable) -> None:
        self._kept.pop(key, None)


_memory: ResponseMemory | None = None


def response_memory() -> ResponseMemory:
    """The memory every response view of the app shares."""
    global _memory
    if _memory is None:
        _memory = ResponseMemory()
    return _memory
