"""A log of streamed events (subscription events, gRPC stream messages), for as long as
the stream lasts.

Events arrive faster than a view can repaint, so ``EventLogModel.append`` only buffers;
a timer moves the buffer into the model at most ~20 times a second as one insert. Each
batch also goes to the log's spool (:mod:`apiclient.core.event_spool`), written on the
log's own thread, so a day-long subscription loses nothing while memory holds only the
newest ``capacity`` events (at most ``MAX_KEPT_CHARS`` of detail) and a cache of rows
read back (details cut to a preview). ``rowCount`` is the exact number of events; a row
outside memory shows "…" until its page comes back from disk.

When the spool cannot be written the log says so (``spool_problem``): the events
already written stay rows, read back from the file; of the later ones it keeps the
newest ``capacity`` in memory (``dropped`` counts those let go). A page or an event that
cannot be read is told in the status line and its rows stay, asked for again when seen.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.event_spool import EventSpool, EventSpoolError, LoggedEvent, SpooledEvent
from apiclient.core.formatting import pretty_json
from apiclient.core.spool_files import spool_folder
from apiclient.ui.serial_worker import SerialWorker
from apiclient.ui.spool_holder import SpoolHolder
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.header_model import HeaderTableModel

__all__ = ["EventLogModel", "EventLogView", "LoggedEvent"]

FLUSH_MS = 50
DEFAULT_CAPACITY = 5_000
MAX_KEPT_CHARS = 32 * 1024 * 1024
PAGE_ROWS = 200
CACHE_ROWS = 4_000
PREVIEW_KEEP = 2_048
_SUMMARY_CHARS = 200
DETAIL_LIMIT_CHARS = 200_000
_LOADING = "…"
_MISSING = "(not on disk)"


class EventLogModel(HeaderTableModel):
    """Columns: #, time, kind, summary.

    ``total()`` counts every event since the last clear; ``dropped`` those let go (only
    after the spool could not be written); ``spool_problem`` says why it could not, or
    is ""; ``read_problem`` is the last read of the spool that failed, or "".

    Signals:
        page_loaded: rows read back from the spool are in (views repaint them).
        spool_failed(str): the spool cannot be written; later events stay in memory.
        read_failed(str): a page of events could not be read from the spool.
        event_loaded(int, object): an event asked for with :meth:`load_event`: the
            event in full, None when the spool does not hold it, or the error that kept
            it from being read.
    """

    HEADERS = ("#", "Time", "Kind", "Event")
    page_loaded = Signal()
    spool_failed = Signal(str)
    read_failed = Signal(str)
    event_loaded = Signal(int, object)

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.spool_problem = ""
        self.read_problem = ""
        self._holder: SpoolHolder[EventSpool] = SpoolHolder(
            folder if folder is not None else spool_folder(), EventSpool, EventSpoolError
        )
        self._worker = SerialWorker("event-log")
        weakref.finalize(self, self._worker.shutdown, self._holder.remove)
        self._generation = 0
        self._spooled = False  # a spool job was ever submitted (the thread runs)
        self._last = 0
        # After a failed write: the first number not on disk. Events from there up to
        # _recent_first were let go (_dropped of them); the rows skip them.
        self._gap: int | None = None
        self._dropped = 0
        self._recent: list[LoggedEvent] = []
        self._recent_first = 1
        self._recent_chars = 0
        # None: asked for, and not on disk (its write failed)
        self._cache: OrderedDict[int, SpooledEvent | None] = OrderedDict()
        self._asked: set[int] = set()  # pages being read, by their first number
        self._pending: list[LoggedEvent] = []
        self._timer = QTimer(self, interval=FLUSH_MS, singleShot=True)
        self._timer.timeout.connect(self.flush)

    def append(self, event: LoggedEvent) -> None:
        self._pending.append(event)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Move buffered events in (one insert) and hand them to the spool."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        start = self._last + 1
        if not self.spool_problem:
            generation, holder = self._generation, self._holder
            self._spooled = True
            self._worker.submit(
                lambda: holder.write(start, pending),
                lambda outcome: self._on_written(generation, start, outcome),
            )
        if not self._recent:
            self._recent_first = start
        self._recent.extend(pending)
        self._recent_chars += sum(len(event.detail) for event in pending)
        first_row = self.rowCount()
        self.beginInsertRows(QModelIndex(), first_row, first_row + len(pending) - 1)
        self._last += len(pending)
        self.endInsertRows()
        self._trim()

    def _trim(self) -> None:
        """Let the oldest events in memory go while over the count or the size cap (the
        newest always stays). Those on disk are still rows, read back when seen."""
        recent = self._recent
        excess = max(0, len(recent) - self.capacity)
        over = self._recent_chars - MAX_KEPT_CHARS - sum(len(e.detail) for e in recent[:excess])
        while over > 0 and excess < len(recent) - 1:
            over -= len(recent[excess].detail)
            excess += 1
        if excess <= 0:
            return
        self._recent_chars -= sum(len(event.detail) for event in recent[:excess])
        del recent[:excess]
        self._recent_first += excess
        self._drop_unwritten()

    def _drop_unwritten(self) -> None:
        """Take out the rows of events neither on disk nor in memory any more: those
        numbered from the gap's end up to ``_recent_first`` (after a failed write)."""
        if self._gap is None:
            return
        start = self._gap + self._dropped
        end = min(self._recent_first, self._last + 1)
        if end <= start:
            return
        first = self._gap - 1
        self.beginRemoveRows(QModelIndex(), first, first + end - start - 1)
        self._dropped += end - start
        self.endRemoveRows()

    def clear(self) -> None:
        """Start over: the events, the counters and the spool file go."""
        self._generation += 1
        if self._spooled:  # else there is nothing to reset: no thread is started for it
            self._worker.submit(self._holder.reset)
        self.beginResetModel()
        self._recent.clear()
        self._pending.clear()
        self._cache.clear()
        self._asked.clear()
        self._recent_chars = 0
        self._last = self._dropped = 0
        self._gap = None
        self._recent_first = 1
        self.spool_problem = self.read_problem = ""
        self.endResetModel()

    def close(self) -> None:
        """The log is done: the spool file goes once queued jobs ran."""
        self._generation += 1
        self._pending.clear()
        self._worker.shutdown(self._holder.remove)

    def _on_written(self, generation: int, start: int, outcome: object) -> None:
        """Events from ``start`` on could not be written: those before stay on disk,
        read back as before; later ones are kept in memory only."""
        if generation != self._generation or not isinstance(outcome, Exception):
            return
        if self._gap is not None:
            return
        self._gap = start
        self.spool_problem = (
            f"{outcome} The {start - 1:,} events before it stay on disk; later ones are "
            f"kept in memory only (the newest {self.capacity:,})."
        )
        self._drop_unwritten()
        self.spool_failed.emit(self.spool_problem)

    @property
    def dropped(self) -> int:
        """Events let go for good (only after the spool could not be written)."""
        return self._dropped

    def total(self) -> int:
        """Events received since the last clear, including those not yet shown."""
        return self._last + len(self._pending)

    def event_at(self, row: int) -> LoggedEvent | None:
        """The event at ``row`` if memory holds it (its detail may be cut: see
        :meth:`complete_event`), else None: not on disk (:meth:`is_missing`) or not
        read yet (its page is asked for)."""
        number = self.number_at(row)
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        if cached is None:
            if number not in self._cache:
                self._ask(number)
            return None
        return cached.event

    def is_missing(self, row: int) -> bool:
        """Whether the event at ``row`` was asked for and is not on disk."""
        number = self.number_at(row)
        return number in self._cache and self._cache[number] is None

    def complete_event(self, row: int) -> LoggedEvent | None:
        """The event at ``row`` in full if memory holds it whole, else None."""
        number = self.number_at(row)
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        return cached.event if cached is not None and cached.complete else None

    def number_at(self, row: int) -> int:
        number = row + 1
        if self._gap is not None and number >= self._gap:
            number += self._dropped
        return number

    def row_of(self, number: int) -> int:
        """The row showing event ``number``, or -1 (let go, or no such event)."""
        if self._gap is not None and number >= self._gap:
            if number < self._gap + self._dropped:
                return -1
            number -= self._dropped
        return number - 1 if 1 <= number <= self.rowCount() else -1

    def load_event(self, number: int) -> None:
        """Read event ``number`` in full from the spool; ``event_loaded`` brings it, or
        None (not on disk), or the error that kept it from being read."""
        generation, holder = self._generation, self._holder

        def read() -> LoggedEvent | None:
            return None if holder.spool is None else holder.spool.event(number)

        def done(event: object) -> None:
            if generation == self._generation:
                self.event_loaded.emit(number, event)

        self._spooled = True
        self._worker.submit(read, done)

    def _ask(self, number: int) -> None:
        first = number - (number - 1) % PAGE_ROWS
        if first in self._asked:
            return
        last = min(first + PAGE_ROWS, self._recent_first)
        if self._gap is not None:
            last = min(last, self._gap)
        numbers = [n for n in range(first, last) if n not in self._cache]
        if not numbers:
            return
        self._asked.add(first)
        generation, holder = self._generation, self._holder

        def read() -> list[SpooledEvent]:
            return [] if holder.spool is None else holder.spool.read(numbers, PREVIEW_KEEP)

        self._spooled = True
        self._worker.submit(read, lambda found: self._on_page(generation, first, numbers, found))

    def _on_page(self, generation: int, first: int, numbers: list[int], found: object) -> None:
        if generation != self._generation:
            return
        self._asked.discard(first)
        if isinstance(found, Exception):  # the rows stay, asked again when seen
            self.read_problem = (
                f"Cannot read older events ({found}); they are read again when seen."
            )
            self.read_failed.emit(self.read_problem)
            return
        assert isinstance(found, list)
        self.read_problem = ""
        cache: OrderedDict[int, SpooledEvent | None] = self._cache
        for spooled in found:
            cache[spooled.number] = spooled
        returned = {spooled.number for spooled in found}
        for number in numbers:
            if number not in returned:  # not written (its batch failed): not asked again
                cache[number] = None
        while len(cache) > CACHE_ROWS:
            cache.popitem(last=False)
        rows = [row for row in (self.row_of(numbers[0]), self.row_of(numbers[-1])) if row >= 0]
        if rows:  # only this page's rows
            last_column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last_column))
        self.page_loaded.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._last - self._dropped

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            return self.number_at(index.row())
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole):
            return None
        event = self.event_at(index.row())
        if event is None:
            if role != Qt.ItemDataRole.DisplayRole or index.column() != 3:
                return None
            return _MISSING if self.is_missing(index.row()) else _LOADING
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 1:
                return datetime.fromtimestamp(event.at).strftime("%H:%M:%S.%f")[:-3]
            if column == 2:
                return event.kind
            return event.summary[:_SUMMARY_CHARS]
        if event.kind == "error":
            return QColor("#c62828")
        return None


class EventLogView(QWidget):
    """The table of events and, below it, the selected event in full."""

    def __init__(
        self, prefix: str, parent: QWidget | None = None, *, folder: Path | None = None
    ) -> None:
        """``folder``: where the log spools its events (the app's spool folder if None)."""
        super().__init__(parent)
        self.model = EventLogModel(parent=self, folder=folder)
        self.status = QLabel(objectName=f"{prefix}.status", wordWrap=True)
        self.table = QTableView(objectName=prefix)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        width = self.table.fontMetrics().horizontalAdvance
        for column, sample in enumerate(("000000", "00:00:00.000", "message")):
            header.resizeSection(column, width(sample) + 16)
        self.detail = CodeEditor(f"{prefix}.detail", read_only=True)
        self.detail.set_language("json")
        self.detail.setPlaceholderText("Select an event to see it in full.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.status.setVisible(False)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.model.rowsInserted.connect(self._follow)
        self.model.rowsRemoved.connect(self._tell_dropped)
        self.model.modelReset.connect(self._tell_dropped)
        self.model.spool_failed.connect(self._tell_dropped)
        self.model.read_failed.connect(self._tell_dropped)
        self.model.page_loaded.connect(self._tell_dropped)
        self.model.event_loaded.connect(self._on_event_loaded)

    def _tell_dropped(self) -> None:
        model = self.model
        if model.spool_problem:
            text = model.spool_problem
            if model.dropped:
                text += f" {model.dropped:,} older events were let go."
        elif model.dropped:
            text = (
                f"Showing the newest {model.rowCount():,} events; {model.dropped:,} older "
                "ones were let go to keep memory bounded."
            )
        else:
            text = ""
        if model.read_problem:
            text = f"{text} {model.read_problem}".strip()
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _on_row_changed(self, current: QModelIndex) -> None:
        if not current.isValid():
            self.detail.set_text("")
            return
        event = self.model.complete_event(current.row())
        if event is None:  # on disk only: read it in full, shown when it comes
            self.detail.set_text("Reading the event from disk…")
            self.model.load_event(self.model.number_at(current.row()))
            return
        self._show_detail(event.detail)

    def _on_event_loaded(self, number: int, event: LoggedEvent | Exception | None) -> None:
        current = self.table.currentIndex()
        if not current.isValid() or self.model.number_at(current.row()) != number:
            return  # the selection moved on meanwhile
        if isinstance(event, Exception):
            self.detail.set_text(f"Event #{number} cannot be read from disk: {event}")
        elif event is None:
            why = (
                "it was not written: see the line above the log"
                if self.model.spool_problem
                else "the log was cleared"
            )
            self.detail.set_text(f"Event #{number} is not on disk ({why}).")
        else:
            self._show_detail(event.detail)

    def _show_detail(self, detail: str) -> None:
        if len(detail) > DETAIL_LIMIT_CHARS:  # indenting megabytes would stall the window
            self.detail.set_text(
                detail[:DETAIL_LIMIT_CHARS]
                + f"\n… {len(detail) - DETAIL_LIMIT_CHARS:,} more characters not shown"
            )
            return
        self.detail.set_text(pretty_json(detail).text)

    def _follow(self) -> None:
        """Keep the newest row in view unless the user scrolled up to read older ones."""
        bar = self.table.verticalScrollBar()
        if bar.value() >= bar.maximum() - 2:
            self.table.scrollToBottom()
