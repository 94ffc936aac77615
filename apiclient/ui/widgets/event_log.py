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

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
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
from apiclient.ui.spooled_log_model import DEFAULT_CAPACITY, SpooledLogModel
from apiclient.ui.theme import semantic_color
from apiclient.ui.widgets.code_editor import CodeEditor

__all__ = ["EventLogModel", "EventLogView", "LoggedEvent"]

MAX_KEPT_CHARS = 32 * 1024 * 1024
PREVIEW_KEEP = 2_048
_SUMMARY_CHARS = 200
DETAIL_LIMIT_CHARS = 200_000


class EventLogModel(SpooledLogModel):
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
    NOUN = "events"
    PREVIEW_KEEP = PREVIEW_KEEP
    PLACEHOLDER_COLUMN = 3
    ROLES = frozenset(
        int(role) for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole)
    )
    event_loaded = Signal(int, object)

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
    ) -> None:
        super().__init__(
            capacity,
            parent,
            folder=folder,
            make=EventSpool,
            errors=EventSpoolError,
            thread_name="event-log",
        )

    def _size(self, entry: LoggedEvent) -> int:
        return len(entry.detail)

    def _max_kept(self) -> int:
        return MAX_KEPT_CHARS

    def _unwrap(self, spooled: SpooledEvent) -> LoggedEvent:
        return spooled.event

    def total(self) -> int:
        """Events received since the last clear, including those not yet shown."""
        return self._last + len(self._pending)

    def event_at(self, row: int) -> LoggedEvent | None:
        """The event at ``row`` if memory holds it (its detail may be cut: see
        :meth:`complete_event`), else None: not on disk (:meth:`is_missing`) or not
        read yet (its page is asked for)."""
        return self._entry_at(row)

    def complete_event(self, row: int) -> LoggedEvent | None:
        """The event at ``row`` in full if memory holds it whole, else None."""
        return self._complete(self.number_at(row))

    def load_event(self, number: int) -> None:
        """Read event ``number`` in full from the spool; ``event_loaded`` brings it, or
        None (not on disk), or the error that kept it from being read."""
        self._load(number, lambda spool: spool.event(number), self.event_loaded)

    def _cell(self, entry: LoggedEvent, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 1:
                return datetime.fromtimestamp(entry.at).strftime("%H:%M:%S.%f")[:-3]
            if column == 2:
                return entry.kind
            return entry.summary[:_SUMMARY_CHARS]
        if entry.kind == "error":  # read as drawn: a switch of theme repaints it
            return semantic_color("error")
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
