"""A log of streamed events (subscription events, later WebSocket frames and webhook hits).

Events arrive faster than a view can repaint, so ``EventLogModel.append`` only buffers;
a timer moves the buffer into the model at most ~20 times a second, and the model keeps
the newest ``capacity`` events (memory stays bounded on an endless stream). The view is
a plain virtual table, so only visible rows cost anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
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

from apiclient.core.formatting import pretty_json
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.header_model import HeaderTableModel

FLUSH_MS = 50
DEFAULT_CAPACITY = 10_000
_SUMMARY_CHARS = 200
DETAIL_LIMIT_CHARS = 200_000


@dataclass(frozen=True)
class LoggedEvent:
    at: float  # time.time() when received
    kind: str  # "event" or "error"
    summary: str
    detail: str  # shown in full when the row is selected


class EventLogModel(HeaderTableModel):
    """Columns: #, time, kind, summary. ``dropped`` counts events pushed out by the cap."""

    HEADERS = ("#", "Time", "Kind", "Event")

    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.dropped = 0
        self._rows: list[tuple[int, LoggedEvent]] = []
        self._pending: list[LoggedEvent] = []
        self._count = 0
        self._timer = QTimer(self, interval=FLUSH_MS, singleShot=True)
        self._timer.timeout.connect(self.flush)

    def append(self, event: LoggedEvent) -> None:
        self._pending.append(event)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Move buffered events into the model (one insert, at most one removal)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(pending) - 1)
        for event in pending:
            self._count += 1
            self._rows.append((self._count, event))
        self.endInsertRows()
        excess = len(self._rows) - self.capacity
        if excess > 0:
            self.dropped += excess
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._rows[:excess]
            self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._pending.clear()
        self._count = 0
        self.dropped = 0
        self.endResetModel()

    def event_at(self, row: int) -> LoggedEvent:
        return self._rows[row][1]

    def total(self) -> int:
        """Events received since the last clear, including those dropped or not yet shown."""
        return self._count + len(self._pending)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid():
            return None
        number, event = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return number
            if column == 1:
                return datetime.fromtimestamp(event.at).strftime("%H:%M:%S.%f")[:-3]
            if column == 2:
                return event.kind
            return event.summary[:_SUMMARY_CHARS]
        if role == Qt.ItemDataRole.ForegroundRole and event.kind == "error":
            return QColor("#c62828")
        return None


class EventLogView(QWidget):
    """The table of events and, below it, the selected event in full."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EventLogModel(parent=self)
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

    def _tell_dropped(self) -> None:
        dropped = self.model.dropped
        self.status.setText(
            f"Showing the newest {self.model.rowCount():,} events; {dropped:,} older ones "
            "were let go to keep memory bounded."
        )
        self.status.setVisible(dropped > 0)

    def _on_row_changed(self, current: QModelIndex) -> None:
        if not current.isValid():
            self.detail.set_text("")
            return
        detail = self.model.event_at(current.row()).detail
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
