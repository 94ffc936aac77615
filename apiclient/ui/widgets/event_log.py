"""A log of streamed events (subscription events, gRPC stream messages), for as long as
the stream lasts.

Events arrive faster than a view can repaint, so ``EventLogModel.append`` only buffers;
a timer moves the buffer into the model at most ~20 times a second as one insert. Each
batch also goes to the log's spool (:mod:`apiclient.core.event_spool`), written on the
log's own thread, so a day-long subscription loses nothing while memory holds only the
newest ``capacity`` events (at most ``MAX_KEPT_CHARS`` of detail) and a cache of rows
read back (details cut to a preview). ``rowCount`` is the exact number of events; a row
outside memory shows "…" until its page comes back from disk.

When the spool cannot be written the log says so (``spool_problem``) and goes on in
memory, keeping the newest ``capacity`` events (``dropped`` counts those let go).
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


class EventLogModel(HeaderTableModel):
    """Columns: #, time, kind, summary.

    ``total()`` counts every event since the last clear; ``dropped`` those let go (only
    while the spool is unavailable); ``spool_problem`` says why it is, or is "".

    Signals:
        page_loaded: rows read back from the spool are in (views repaint them).
        spool_failed(str): the spool stopped working; the log goes on in memory.
        event_loaded(int, object): an event asked for with :meth:`load_event`, in full.
    """

    HEADERS = ("#", "Time", "Kind", "Event")
    page_loaded = Signal()
    spool_failed = Signal(str)
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
        self._holder: SpoolHolder[EventSpool] = SpoolHolder(
            folder if folder is not None else spool_folder(), EventSpool, EventSpoolError
        )
        self._worker = SerialWorker("event-log")
        weakref.finalize(self, self._worker.shutdown, self._holder.remove)
        self._generation = 0
        self._last = 0
        self._base = 1
        self._recent: list[LoggedEvent] = []
        self._recent_first = 1
        self._recent_chars = 0
        self._cache: OrderedDict[int, SpooledEvent] = OrderedDict()
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
            self._worker.submit(
                lambda: holder.write(start, pending),
                lambda outcome: self._on_written(generation, outcome),
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
        newest always stays). With a spool they are still rows, read back when seen."""
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
        if self.spool_problem:
            self._drop_below(self._recent_first)

    def _drop_below(self, number: int) -> None:
        rows = min(number, self._last + 1) - self._base
        if rows <= 0:
            return
        self.beginRemoveRows(QModelIndex(), 0, rows - 1)
        self._base = number
        self.endRemoveRows()

    def clear(self) -> None:
        """Start over: the events, the counters and the spool file go."""
        self._generation += 1
        self._worker.submit(self._holder.reset)
        self.beginResetModel()
        self._recent.clear()
        self._pending.clear()
        self._cache.clear()
        self._asked.clear()
        self._recent_chars = 0
        self._last = 0
        self._base = self._recent_first = 1
        self.spool_problem = ""
        self.endResetModel()

    def close(self) -> None:
        """The log is done: the spool file goes once queued jobs ran."""
        self._generation += 1
        self._pending.clear()
        self._worker.shutdown(self._holder.remove)

    def _on_written(self, generation: int, outcome: object) -> None:
        if generation != self._generation or not isinstance(outcome, EventSpoolError):
            return
        self.spool_problem = (
            f"{outcome} The log goes on in memory: only the newest {self.capacity:,} "
            "events are kept."
        )
        self._cache.clear()
        self._asked.clear()
        self._drop_below(self._recent_first)
        self.spool_failed.emit(self.spool_problem)

    @property
    def dropped(self) -> int:
        """Events let go for good (only while the spool is unavailable)."""
        return self._base - 1

    def total(self) -> int:
        """Events received since the last clear, including those not yet shown."""
        return self._last + len(self._pending)

    def event_at(self, row: int) -> LoggedEvent | None:
        """The event at ``row`` if memory holds it (its detail may be cut: see
        :meth:`complete_event`), else None (its page is asked for)."""
        number = self._base + row
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        if cached is None:
            self._ask(number)
            return None
        return cached.event

    def complete_event(self, row: int) -> LoggedEvent | None:
        """The event at ``row`` in full if memory holds it whole, else None."""
        number = self._base + row
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        return cached.event if cached is not None and cached.complete else None

    def number_at(self, row: int) -> int:
        return self._base + row

    def load_event(self, number: int) -> None:
        """Read event ``number`` in full from the spool; ``event_loaded`` brings it."""
        generation, holder = self._generation, self._holder

        def read() -> LoggedEvent | None:
            return None if holder.spool is None else holder.spool.event(number)

        def done(event: object) -> None:
            if generation == self._generation and not isinstance(event, Exception):
                self.event_loaded.emit(number, event)

        self._worker.submit(read, done)

    def _ask(self, number: int) -> None:
        if self.spool_problem:
            return
        first = number - (number - 1) % PAGE_ROWS
        if first in self._asked:
            return
        self._asked.add(first)
        last = min(first + PAGE_ROWS, self._recent_first)
        numbers = [n for n in range(max(first, self._base), last) if n not in self._cache]
        generation, holder = self._generation, self._holder

        def read() -> list[SpooledEvent]:
            if holder.spool is None or not numbers:
                return []
            return holder.spool.read(numbers, PREVIEW_KEEP)

        self._worker.submit(read, lambda found: self._on_page(generation, first, found))

    def _on_page(self, generation: int, first: int, found: object) -> None:
        if generation != self._generation:
            return
        self._asked.discard(first)
        if not isinstance(found, list):
            return
        cache = self._cache
        for spooled in found:
            cache[spooled.number] = spooled
        while len(cache) > CACHE_ROWS:
            cache.popitem(last=False)
        rows = self.rowCount()
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, len(self.HEADERS) - 1))
        self.page_loaded.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else max(0, self._last - self._base + 1)

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
            loading = role == Qt.ItemDataRole.DisplayRole and index.column() == 3
            return _LOADING if loading else None
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

    def _on_event_loaded(self, number: int, event: LoggedEvent | None) -> None:
        current = self.table.currentIndex()
        if not current.isValid() or self.model.number_at(current.row()) != number:
            return  # the selection moved on meanwhile
        if event is not None:
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
