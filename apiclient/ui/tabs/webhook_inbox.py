"""The webhook inbox's rows: captured events, newest first, fed in batches.

A burst of webhooks (a retry storm, a load test) arrives faster than a view repaints,
so ``add`` only buffers; a timer moves the buffer in at most ~20 times a second. The
model holds the newest ``capacity`` summaries (no bodies: those stay in SQLite and are
read for the selected event only).

Many rows at once (the stored inbox listed in a new window, a backlog after the GUI
thread was busy) go in ``SLICE_ROWS`` at a time, one event-loop turn each, so no turn
holds the GUI thread long. Cells are filled with ``setItemData``: Qt makes the items
itself and no Python wrapper is left per cell (5,000 rows made 40,000 of them, and
each full garbage collection, on whatever thread it struck, walked them all while
holding the interpreter lock: 0.1-0.4 s with the window frozen).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItemModel

from apiclient.core.formatting import human_size
from apiclient.protocols.webhook_events import EventSummary

FLUSH_MS = 50
SLICE_ROWS = 250  # 10-20 ms of the GUI thread a slice
DEFAULT_CAPACITY = 5_000
VERDICT_LABELS = {
    "valid": "✓ valid",
    "invalid": "✗ invalid",
    "unsigned": "unsigned",
    "unchecked": "—",
}
VERDICT_COLORS = {
    "valid": QColor("#2e7d32"),
    "invalid": QColor("#c62828"),
    "unsigned": QColor("#ef6c00"),
    "unchecked": QColor("#757575"),
}
_VERDICT_BRUSHES = {verdict: QBrush(color) for verdict, color in VERDICT_COLORS.items()}
_ERROR_BRUSH = QBrush(QColor("#c62828"))
_GREY_BRUSH = QBrush(QColor("#757575"))


def event_time(summary: EventSummary) -> str:
    """The local time an event arrived, to the millisecond."""
    return datetime.fromtimestamp(summary.received_at).strftime("%H:%M:%S.%f")[:-3]


def event_target(summary: EventSummary) -> str:
    """The path with its query string, as the sender asked for it."""
    return f"{summary.path}?{summary.query}" if summary.query else summary.path


@dataclass(frozen=True)
class InboxSnapshot:
    """What the store held when read: the newest ``rows`` (matching the filter when
    ``searching``), how many match in all, and the newest id of any event then
    (``upto``)."""

    rows: list[EventSummary]
    total: int
    upto: int
    searching: bool


class WebhookInboxModel(QStandardItemModel):
    """Columns: #, time, method, path, size, source, signature, answered status.

    The rows live in Qt's own item model, so painting the table calls no Python: while a
    burst keeps the receiver's thread busy, every Python call from Qt would first wait
    for the interpreter lock, and a repaint makes hundreds of them.

    Signal filled: the rows of a large :meth:`set_rows` are all in (see :meth:`filling`).
    """

    HEADERS = ("#", "Time", "Method", "Path", "Size", "Source", "Signature", "Answer")
    filled = Signal()

    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent=None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.capacity = capacity
        self._summaries: list[EventSummary] = []  # newest first, row for row
        self._pending: list[EventSummary] = []  # oldest first, to go in at the top
        self._backlog: list[EventSummary] = []  # newest first, to go in at the bottom
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.flush)
        self._fill_timer = QTimer(self, singleShot=True, interval=0)
        self._fill_timer.timeout.connect(self._fill)

    def add(self, summary: EventSummary) -> None:
        """Buffer one new event (cheap: called for every event of a burst)."""
        self._pending.append(summary)
        if not self._timer.isActive():
            self._timer.start(FLUSH_MS)

    def flush(self) -> None:
        """Move the oldest ``SLICE_ROWS`` buffered events in at the top (any others on the
        next event-loop turn), then trim the bottom."""
        pending = self._pending[-self.capacity :]
        batch, self._pending = pending[:SLICE_ROWS], pending[SLICE_ROWS:]
        if batch:
            newest_first = batch[::-1]
            self._insert(0, newest_first)
            self._trim()
        if self._pending:
            self._timer.start(0)

    def filling(self) -> bool:
        """Rows of the last :meth:`set_rows` are still to come (``filled`` follows)."""
        return self._fill_timer.isActive()

    def newest_id(self) -> int:
        """The highest id listed or waiting to be (0: none)."""
        listed = (*self._summaries[:1], *self._backlog[:1], *self._pending)
        return max((s.id for s in listed), default=0)

    def set_rows(self, snapshot: InboxSnapshot) -> int:
        """Show the snapshot's rows instead of what is shown: the first ``SLICE_ROWS`` as
        one reset, the others appended a slice per event-loop turn, then ``filled``.
        Events that arrived after it was read (ids above ``snapshot.upto``) stay, on top;
        returns how many did."""
        arrived = {s.id: s for s in (*self._summaries, *self._pending) if s.id > snapshot.upto}
        self._pending = sorted(arrived.values(), key=lambda s: s.id)
        rows = snapshot.rows[: self.capacity]
        self._summaries = []
        self._backlog = rows[SLICE_ROWS:]
        with self._one_reset():
            self.removeRows(0, self.rowCount())
            self._insert(0, rows[:SLICE_ROWS])
        if self._backlog:
            self._fill_timer.start()
        else:
            self._fill_timer.stop()
        if self._pending:
            self.flush()
        return len(arrived)

    def remove_ids(self, ids: set[int]) -> None:
        """Take the events with these ids out of the view (deleted from the store)."""
        self._pending = [row for row in self._pending if row.id not in ids]
        self._backlog = [row for row in self._backlog if row.id not in ids]
        doomed = [row for row, s in enumerate(self._summaries) if s.id in ids]
        if not doomed:
            return
        with self._one_reset():
            for row in reversed(doomed):
                self.removeRow(row)
                del self._summaries[row]

    def _fill(self) -> None:
        """Append the next slice of the snapshot's rows at the bottom."""
        summaries, self._backlog = self._backlog[:SLICE_ROWS], self._backlog[SLICE_ROWS:]
        self._insert(len(self._summaries), summaries)
        if self._backlog:
            self._fill_timer.start()
        else:
            self.filled.emit()

    def _insert(self, row: int, summaries: list[EventSummary]) -> None:
        """Put rows in at ``row`` as one insertion of empty rows, filled while views hear
        nothing and then told of it as one change: inserted row by row, each row made the
        views (and the slots counting rows) react once, which in a burst was most of the
        GUI thread's work, taken while the receiver waited for the interpreter lock."""
        if not summaries:
            return
        self._summaries[row:row] = summaries
        self.insertRows(row, len(summaries))
        index, set_cell = self.index, self.setItemData
        blocked = self.blockSignals(True)
        try:
            for offset, summary in enumerate(summaries):
                for column, roles in enumerate(_cells(summary)):
                    set_cell(index(row + offset, column), roles)
        finally:
            self.blockSignals(blocked)
        last = self.index(row + len(summaries) - 1, self.columnCount() - 1)
        self.dataChanged.emit(self.index(row, 0), last)

    def _trim(self) -> None:
        """Keep the newest ``capacity`` events: rows still to come at the bottom go first."""
        extra = len(self._summaries) + len(self._backlog) - self.capacity
        if extra <= 0:
            return
        kept = max(0, len(self._backlog) - extra)
        extra -= len(self._backlog) - kept
        del self._backlog[kept:]
        if extra > 0:
            self.removeRows(self.capacity, extra)
            del self._summaries[self.capacity :]

    @contextmanager
    def _one_reset(self) -> Iterator[None]:
        """Change many rows while views hear nothing, then tell them once (a view told
        of each row redraws and re-selects each time: seconds for thousands of rows)."""
        blocked = self.blockSignals(True)
        try:
            yield
        finally:
            self.blockSignals(blocked)
            self.beginResetModel()
            self.endResetModel()

    def summary(self, row: int) -> EventSummary | None:
        return self._summaries[row] if 0 <= row < len(self._summaries) else None

    def row_of(self, event_id: int) -> int:
        """The row showing ``event_id``, or -1."""
        return next((i for i, row in enumerate(self._summaries) if row.id == event_id), -1)


_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _cells(summary: EventSummary) -> list[dict[int, object]]:
    """One row's cells by role: text, and the alignment, colours and tooltips that help."""
    verdict = summary.verdict
    answer: dict[int, object] = {_DISPLAY: str(summary.response_status), _ALIGN: _RIGHT}
    if summary.response_status >= 400:
        answer[_FOREGROUND] = _ERROR_BRUSH
    if summary.note:
        answer[_TOOLTIP] = summary.note
    return [
        {_DISPLAY: str(summary.id), _ALIGN: _RIGHT},
        {_DISPLAY: event_time(summary)},
        {_DISPLAY: summary.method},
        {_DISPLAY: event_target(summary)},
        {_DISPLAY: human_size(summary.size), _ALIGN: _RIGHT},
        {_DISPLAY: summary.source},
        {
            _DISPLAY: VERDICT_LABELS.get(verdict, verdict),
            _TOOLTIP: summary.verdict_reason,
            _FOREGROUND: _VERDICT_BRUSHES.get(verdict, _GREY_BRUSH),
        },
        answer,
    ]
