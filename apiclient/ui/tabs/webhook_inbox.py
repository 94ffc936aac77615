"""The webhook inbox's rows: captured events, newest first, over the SQLite store.

The inbox may hold 100,000 events and more, so the model is virtual: it keeps the ids
of every listed event (8 bytes each, from :meth:`WebhookStore.ids`, so the count is
exact) and a cache of at most ``CACHE_ROWS`` summaries. A row outside the cache shows
"…" and asks for its page (``PAGE_ROWS`` summaries) on the model's reading thread; the
page comes back a few milliseconds later. An id the store no longer holds (deleted by
another window sharing the store) shows "(deleted)" instead of being asked for again;
a page that cannot be read is told with ``read_failed`` and asked for again when seen.
Bodies stay in SQLite and are read for the selected event only.

A burst of webhooks (a retry storm, a load test) arrives faster than a view repaints,
so ``add`` only buffers; a timer moves the buffer in at most ~20 times a second, as one
insertion at the top.
"""

from __future__ import annotations

import bisect
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush

from apiclient.core.formatting import human_size
from apiclient.protocols.webhook_events import EventSummary
from apiclient.ui.serial_worker import SerialWorker
from apiclient.ui.theme import semantic_color
from apiclient.ui.widgets.header_model import HeaderTableModel

FLUSH_MS = 50
FIRST_ROWS = 500  # summaries read with the id list: a small inbox never waits for a page
PAGE_ROWS = 200
CACHE_ROWS = 5_000
VERDICT_LABELS = {
    "valid": "✓ valid",
    "invalid": "✗ invalid",
    "unsigned": "unsigned",
    "unchecked": "—",
}
# A signature's verdict and its semantic colour (apiclient.ui.theme), read as the rows
# are drawn so a switch of theme repaints them in the new one's shades.
VERDICT_TONES = {
    "valid": "success",
    "invalid": "error",
    "unsigned": "warning",
    "unchecked": "muted",
}
_LOADING = "…"
_GONE = "(deleted)"

Fetch = Callable[[Sequence[int]], list[EventSummary]]


def event_time(summary: EventSummary) -> str:
    """The local time an event arrived, to the millisecond."""
    return datetime.fromtimestamp(summary.received_at).strftime("%H:%M:%S.%f")[:-3]


def event_target(summary: EventSummary) -> str:
    """The path with its query string, as the sender asked for it."""
    return f"{summary.path}?{summary.query}" if summary.query else summary.path


@dataclass(frozen=True)
class InboxSnapshot:
    """What the store held when read: the ids of the events listed (matching the filter
    when ``searching``), oldest first, the newest of them in full (``rows``, newest
    first), and the newest id of any event then (``upto``)."""

    ids: array[int]
    rows: list[EventSummary] = field(default_factory=list)
    upto: int = 0
    searching: bool = False

    @property
    def total(self) -> int:
        return len(self.ids)


class WebhookInboxModel(HeaderTableModel):
    """Columns: #, time, method, path, size, source, signature, answered status.

    Signals:
        page_loaded: summaries read from the store are in (views repaint them).
        read_failed(str): a page could not be read (what failed and what to try).
    """

    HEADERS = ("#", "Time", "Method", "Path", "Size", "Source", "Signature", "Answer")
    page_loaded = Signal()
    read_failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._ids: array[int] = array("q")  # every listed event, oldest first
        # None: asked for, but the store no longer holds it
        self._cache: OrderedDict[int, EventSummary | None] = OrderedDict()
        self._asked: set[int] = set()  # pages being read, by their first row's id
        self._pending: list[EventSummary] = []
        self._fetch: Fetch | None = None
        self._generation = 0  # bumped when the ids change wholesale: late pages are dropped
        self._worker = SerialWorker("webhook-inbox")
        self._timer = QTimer(self, singleShot=True, interval=FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def set_source(self, fetch: Fetch | None) -> None:
        """Where pages of summaries are read (a store's ``summaries_by_ids``; called on
        the model's reading thread). None: the store is closed."""
        self._fetch = fetch
        if fetch is None:
            self._worker.shutdown()

    def add(self, summary: EventSummary) -> None:
        """Buffer one new event (cheap: called for every event of a burst)."""
        self._pending.append(summary)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> int:
        """Move the buffered events in at the top, as one insertion; returns how many
        went in (events already listed, e.g. read by a reload too, do not)."""
        pending, self._pending = self._pending, []
        newest = self._ids[-1] if self._ids else 0
        fresh = sorted({s.id: s for s in pending if s.id > newest}.values(), key=lambda s: s.id)
        if not fresh:
            return 0
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._ids.extend(s.id for s in fresh)
        self._remember(fresh)
        self.endInsertRows()
        return len(fresh)

    def newest_id(self) -> int:
        """The highest id listed or waiting to be (0: none)."""
        listed = self._ids[-1] if self._ids else 0
        return max((listed, *(s.id for s in self._pending)))

    def set_rows(self, snapshot: InboxSnapshot) -> int:
        """List the snapshot's events instead of what is listed. Events that arrived
        after it was read (ids above ``snapshot.upto``) stay, on top; returns how many
        did."""
        self.flush()
        start = bisect.bisect_right(self._ids, snapshot.upto)
        arrived = self._ids[start:]
        self.beginResetModel()
        self._generation += 1
        self._asked.clear()
        self._ids = array("q", snapshot.ids)
        self._ids.extend(arrived)
        self._remember(snapshot.rows)
        self.endResetModel()
        return len(arrived)

    def remove_ids(self, ids: set[int]) -> None:
        """Take the events with these ids out of the view (deleted from the store)."""
        self._pending = [row for row in self._pending if row.id not in ids]
        kept = array("q", (event_id for event_id in self._ids if event_id not in ids))
        if len(kept) == len(self._ids):
            return
        self.beginResetModel()
        self._generation += 1
        self._asked.clear()
        self._ids = kept
        for event_id in ids:
            self._cache.pop(event_id, None)
        self.endResetModel()

    def id_at(self, row: int) -> int:
        """The id of the event at ``row`` (known for every row, read or not)."""
        return self._ids[len(self._ids) - 1 - row]

    def ids_in_rows(self, top: int, bottom: int) -> array[int]:
        """The ids shown in rows ``top`` to ``bottom`` (inclusive), oldest first."""
        count = len(self._ids)
        return self._ids[max(0, count - 1 - bottom) : max(0, count - top)]

    def row_ranges(self, ids: array[int]) -> list[tuple[int, int]]:
        """The rows showing ``ids`` (sorted, oldest first; those not listed are skipped)
        as ``(top, bottom)`` runs of adjacent rows, top first. Runs are matched a slice
        at a time, so a hundred thousand ids in a few runs cost a few comparisons."""
        listed = self._ids
        count = len(listed)
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(ids):
            at = bisect.bisect_left(listed, ids[i])
            if at == count or listed[at] != ids[i]:
                i += 1
                continue
            length = _common_run(ids, i, listed, at)
            runs.append((count - at - length, count - 1 - at))
            i += length
        runs.reverse()
        return runs

    def summary(self, row: int) -> EventSummary | None:
        """The summary at ``row``, or None: no such row, no longer in the store
        (:meth:`is_gone`), or not read yet (it is asked for, and ``page_loaded``
        follows)."""
        if not 0 <= row < len(self._ids):
            return None
        event_id = self.id_at(row)
        found = self._cache.get(event_id)
        if found is None and event_id not in self._cache:
            self._ask(row)
        return found

    def is_gone(self, row: int) -> bool:
        """Whether the event at ``row`` was asked for and the store no longer holds it."""
        if not 0 <= row < len(self._ids):
            return False
        event_id = self.id_at(row)
        return event_id in self._cache and self._cache[event_id] is None

    def row_of(self, event_id: int) -> int:
        """The row showing ``event_id``, or -1."""
        at = bisect.bisect_left(self._ids, event_id)
        if at < len(self._ids) and self._ids[at] == event_id:
            return len(self._ids) - 1 - at
        return -1

    def _remember(self, summaries: Sequence[EventSummary], gone: Sequence[int] = ()) -> None:
        cache = self._cache
        for summary in summaries:
            cache[summary.id] = summary
            cache.move_to_end(summary.id)
        for event_id in gone:
            cache[event_id] = None
        while len(cache) > CACHE_ROWS:
            cache.popitem(last=False)

    def _ask(self, row: int) -> None:
        """Read the page of rows around ``row`` from the store (once)."""
        fetch = self._fetch
        if fetch is None:
            return
        first = row - row % PAGE_ROWS
        key = self.id_at(first)
        if key in self._asked:
            return
        last = min(first + PAGE_ROWS, len(self._ids))
        wanted = [i for i in (self.id_at(r) for r in range(first, last)) if i not in self._cache]
        if not wanted:
            return
        self._asked.add(key)
        generation = self._generation
        self._worker.submit(
            lambda: fetch(wanted), lambda found: self._on_page(generation, key, wanted, found)
        )

    def _on_page(self, generation: int, key: int, wanted: list[int], found: object) -> None:
        self._asked.discard(key)
        if generation != self._generation:
            return  # listed anew meanwhile: asked again when seen
        if isinstance(found, Exception):
            self.read_failed.emit(
                f"Some events cannot be read from the inbox: {found} They are read again "
                "when scrolled to."
            )
            return
        assert isinstance(found, list)
        returned = {summary.id for summary in found}
        self._remember(found, [event_id for event_id in wanted if event_id not in returned])
        rows = [row for row in (self.row_of(wanted[0]), self.row_of(wanted[-1])) if row >= 0]
        if rows:  # only this page's rows: the rest of the view is not asked again
            last_column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last_column))
        self.page_loaded.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column == 0 and role == _DISPLAY:
            return str(self.id_at(row))
        summary = self.summary(row)
        if summary is None:
            if role != _DISPLAY or column != _PATH_COLUMN:
                return _brush("muted") if role == _FOREGROUND else None
            return _GONE if self.is_gone(row) else _LOADING
        return _cell(summary, column, role)


_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset(int(role) for role in (_DISPLAY, _ALIGN, _FOREGROUND, _TOOLTIP))
_PATH_COLUMN = 3


def _brush(tone: str) -> QBrush:
    return QBrush(semantic_color(tone))


def _cell(summary: EventSummary, column: int, role: int) -> object:
    """One cell's value for ``role``: text, and the alignment, colours and tooltips that
    help."""
    if role == _DISPLAY:
        return _TEXTS[column](summary)
    if role == _ALIGN:
        return _RIGHT if column in (0, 4, 7) else None
    if column == 6:
        if role == _TOOLTIP:
            return summary.verdict_reason
        if role == _FOREGROUND:
            return _brush(VERDICT_TONES.get(summary.verdict, "muted"))
    if column == 7:
        if role == _FOREGROUND and summary.response_status >= 400:
            return _brush("error")
        if role == _TOOLTIP and summary.note:
            return summary.note
    return None


def _common_run(ids: array[int], i: int, listed: array[int], at: int) -> int:
    """How many of ``ids[i:]`` equal ``listed[at:]`` one for one (at least 1: the first
    does): the longest matching slice, its length found by doubling then bisecting."""
    limit = min(len(ids) - i, len(listed) - at)

    def same(size: int) -> bool:
        return ids[i : i + size] == listed[at : at + size]

    good, size = 1, 2
    while size <= limit and same(size):
        good, size = size, size * 2
    bad = min(size, limit + 1)
    while bad - good > 1:
        middle = (good + bad) // 2
        if same(middle):
            good = middle
        else:
            bad = middle
    return good


_TEXTS: tuple[Callable[[EventSummary], str], ...] = (
    lambda s: str(s.id),
    event_time,
    lambda s: s.method,
    event_target,
    lambda s: human_size(s.size),
    lambda s: s.source,
    lambda s: VERDICT_LABELS.get(s.verdict, s.verdict),
    lambda s: str(s.response_status),
)
