"""The webhook inbox's rows: captured events, newest first, fed in batches.

A burst of webhooks (a retry storm, a load test) arrives faster than a view repaints,
so ``add`` only buffers; a timer moves the buffer in at most ~20 times a second. The
model holds the newest ``capacity`` summaries (no bodies: those stay in SQLite and are
read for the selected event only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from apiclient.core.formatting import human_size
from apiclient.protocols.webhook_events import EventSummary

FLUSH_MS = 50
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
_ERROR_STATUS = QColor("#c62828")
_GREY = QColor("#757575")


def event_time(summary: EventSummary) -> str:
    """The local time an event arrived, to the millisecond."""
    return datetime.fromtimestamp(summary.received_at).strftime("%H:%M:%S.%f")[:-3]


def event_target(summary: EventSummary) -> str:
    """The path with its query string, as the sender asked for it."""
    return f"{summary.path}?{summary.query}" if summary.query else summary.path


@dataclass(frozen=True)
class InboxSnapshot:
    """What the store held when read: the newest ``rows`` (matching the filter when
    ``searching``), their cells (:func:`row_cells`), how many match in all, and the
    newest id of any event then (``upto``)."""

    rows: list[EventSummary]
    cells: list[list[QStandardItem]]
    total: int
    upto: int
    searching: bool


class WebhookInboxModel(QStandardItemModel):
    """Columns: #, time, method, path, size, source, signature, answered status.

    The rows live in Qt's own item model, so painting the table calls no Python: while a
    burst keeps the receiver's thread busy, every Python call from Qt would first wait
    for the interpreter lock, and a repaint makes hundreds of them.
    """

    HEADERS = ("#", "Time", "Method", "Path", "Size", "Source", "Signature", "Answer")

    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent=None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.capacity = capacity
        self._summaries: list[EventSummary] = []  # newest first, row for row
        self._pending: list[EventSummary] = []  # oldest first
        self._timer = QTimer(self, interval=FLUSH_MS, singleShot=True)
        self._timer.timeout.connect(self.flush)

    def add(self, summary: EventSummary) -> None:
        """Buffer one new event (cheap: called for every event of a burst)."""
        self._pending.append(summary)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Move the buffered events in at the top, then trim the bottom.

        The batch goes in as one insertion of empty rows, filled while views hear
        nothing and then told of it as one change: inserted row by row, each row made
        the views (and the slots counting rows) react once, which in a burst was most
        of the GUI thread's work, taken while the receiver waited for the interpreter
        lock."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        newest_first = pending[::-1][: self.capacity]
        cells = [_items(summary) for summary in newest_first]
        self._summaries[:0] = newest_first
        self.insertRows(0, len(cells))
        blocked = self.blockSignals(True)
        try:
            for row, items in enumerate(cells):
                for column, item in enumerate(items):
                    self.setItem(row, column, item)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(0, 0), self.index(len(cells) - 1, self.columnCount() - 1))
        extra = len(self._summaries) - self.capacity
        if extra > 0:
            self.removeRows(self.capacity, extra)
            del self._summaries[self.capacity :]

    def newest_id(self) -> int:
        """The highest id listed or waiting to be (0: none)."""
        return max((s.id for s in (*self._summaries[:1], *self._pending)), default=0)

    def set_rows(self, snapshot: InboxSnapshot) -> int:
        """Show the snapshot's rows instead of what is shown, as one reset. Events that
        arrived after it was read (ids above ``snapshot.upto``) stay, on top; returns how
        many did."""
        arrived = {s.id: s for s in (*self._summaries, *self._pending) if s.id > snapshot.upto}
        self._pending = sorted(arrived.values(), key=lambda s: s.id)
        self._summaries = list(snapshot.rows[: self.capacity])
        with self._one_reset():
            self.removeRows(0, self.rowCount())
            for items in snapshot.cells[: self.capacity]:
                self.appendRow(items)
        if self._pending:
            self.flush()
        return len(arrived)

    def remove_ids(self, ids: set[int]) -> None:
        """Take the events with these ids out of the view (deleted from the store)."""
        self._pending = [row for row in self._pending if row.id not in ids]
        doomed = [row for row, s in enumerate(self._summaries) if s.id in ids]
        if not doomed:
            return
        with self._one_reset():
            for row in reversed(doomed):
                self.removeRow(row)
                del self._summaries[row]

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


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def row_cells(summaries: list[EventSummary]) -> list[list[QStandardItem]]:
    """The items of each row, for :meth:`WebhookInboxModel.set_rows`. Plain C++ objects,
    not QObjects, so a worker thread may make them."""
    return [_items(summary) for summary in summaries]


def _items(summary: EventSummary) -> list[QStandardItem]:
    """One row's cells, each with its text, and the colours and tooltips that help."""
    items = [
        QStandardItem(str(summary.id)),
        QStandardItem(event_time(summary)),
        QStandardItem(summary.method),
        QStandardItem(event_target(summary)),
        QStandardItem(human_size(summary.size)),
        QStandardItem(summary.source),
        QStandardItem(VERDICT_LABELS.get(summary.verdict, summary.verdict)),
        QStandardItem(str(summary.response_status)),
    ]
    for column in (0, 4, 7):
        items[column].setTextAlignment(_RIGHT)
    verdict = items[6]
    verdict.setToolTip(summary.verdict_reason)
    verdict.setForeground(VERDICT_COLORS.get(summary.verdict, _GREY))
    if summary.response_status >= 400:
        items[7].setForeground(_ERROR_STATUS)
    if summary.note:
        items[7].setToolTip(summary.note)
    return items
