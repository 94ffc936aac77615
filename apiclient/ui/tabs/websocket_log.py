"""The WebSocket message log: every frame and every connection change, fast.

A busy socket delivers 10,000 messages a second, far more than a view can repaint, so
``MessageLogModel.append`` only buffers; a timer moves the buffer into the model at most
~20 times a second as one insert (and at most one removal). The model keeps the newest
``capacity`` entries and at most ``MAX_KEPT_BYTES`` of payload, so memory stays bounded
on an endless stream; ``total``/``dropped`` stay exact. Filtering (direction, text,
control frames) keeps a list of the matching entries' sequence numbers, so the view
stays virtual either way: only visible rows are ever formatted.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor

from apiclient.core.formatting import human_size
from apiclient.protocols.websocket_events import WsFrame, WsStatus
from apiclient.ui.widgets.header_model import HeaderTableModel

LogEntry = WsFrame | WsStatus

FLUSH_MS = 50
DEFAULT_CAPACITY = 10_000
MAX_KEPT_BYTES = 64 * 1024 * 1024
_PREVIEW_CHARS = 200
_PREVIEW_BYTES = 48
_CONTROL = frozenset(("ping", "pong", "close"))
_IN_COLOR = QColor("#1565c0")
_OUT_COLOR = QColor("#2e7d32")
_STATUS_COLOR = QColor("#6d6d6d")
_ERROR_COLOR = QColor("#c62828")
_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
    )
)


def is_frame(entry: LogEntry) -> bool:
    """A frame (sent or received), as opposed to a connection change."""
    return isinstance(entry, WsFrame)


def preview(entry: LogEntry) -> str:
    """One line for the table: the start of the text, or of the bytes in hex."""
    if not is_frame(entry):
        return entry.describe()
    data = entry.data
    if entry.kind == "close":
        reason = f" “{data}”" if data else ""
        return f"close {entry.close_code if entry.close_code is not None else ''}{reason}"
    if isinstance(data, str):
        return data[:_PREVIEW_CHARS].replace("\n", " ").replace("\r", " ")
    head = data[:_PREVIEW_BYTES].hex(" ")
    return head + (" …" if len(data) > _PREVIEW_BYTES else "")


@dataclass(frozen=True)
class LogFilter:
    """Which entries show: a direction (``""`` both), text in the message, control frames."""

    direction: str = ""
    text: str = ""
    control: bool = False

    @property
    def shows_all(self) -> bool:
        return not self.direction and not self.text and self.control

    def matcher(self) -> Callable[[LogEntry], bool]:
        direction, needle, control = self.direction, self.text.casefold(), self.control

        def matches(entry: LogEntry) -> bool:
            if not is_frame(entry):
                return not needle  # connection changes show unless searching
            if entry.kind in _CONTROL and not control:
                return False
            if direction and entry.direction != direction:
                return False
            if needle:
                data = entry.data
                text = data if isinstance(data, str) else data.hex(" ")
                return needle in text.casefold()
            return True

        return matches


class MessageLogModel(HeaderTableModel):
    """Columns: #, time, direction, kind, size, preview.

    ``total`` counts every entry appended since the last clear (kept, dropped or still
    buffered); ``dropped`` those let go to stay under the caps.
    """

    HEADERS = ("#", "Time", "", "Kind", "Size", "Message")

    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent=None) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.dropped = 0
        self._entries: list[LogEntry] = []  # kept, oldest first; entry n is at n - _first
        self._first = 1  # sequence number of _entries[0]
        self._next = 1  # sequence number the next kept entry gets
        self._kept_bytes = 0
        self._pending: list[LogEntry] = []
        self._filter = LogFilter(control=True)
        self._matches = self._filter.matcher()
        self._shown: list[int] | None = None  # sequence numbers shown; None: all kept
        self._timer = QTimer(self, interval=FLUSH_MS, singleShot=True)
        self._timer.timeout.connect(self.flush)

    # -- feeding ------------------------------------------------------------------------

    def append(self, entry: LogEntry) -> None:
        """Buffer one entry (cheap: called for every frame of a fast stream)."""
        self._pending.append(entry)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Move the buffered entries into the model: one insert, at most one removal."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        if len(pending) >= self.capacity:
            # More arrived than can be kept: the oldest of them and everything kept so
            # far go at once (numbering stays contiguous: entry n is at n - _first).
            skipped = len(pending) - self.capacity
            self.dropped += skipped + len(self._entries)
            self._next += skipped
            pending = pending[skipped:]
            self.beginResetModel()
            self._entries.clear()
            self._kept_bytes = 0
            self._first = self._next
            if self._shown is not None:
                self._shown = []
            self.endResetModel()
        start = self._next
        self._next += len(pending)
        self._kept_bytes += sum(_size(entry) for entry in pending)
        if self._shown is None:
            first_row = len(self._entries)
            self.beginInsertRows(QModelIndex(), first_row, first_row + len(pending) - 1)
            self._entries.extend(pending)
            self.endInsertRows()
        else:
            self._entries.extend(pending)
            matches = self._matches
            new = [start + i for i, entry in enumerate(pending) if matches(entry)]
            if new:
                first_row = len(self._shown)
                self.beginInsertRows(QModelIndex(), first_row, first_row + len(new) - 1)
                self._shown.extend(new)
                self.endInsertRows()
        self._trim()

    def _trim(self) -> None:
        """Let the oldest entries go while over the count or the byte cap (the newest
        entry always stays, however large)."""
        entries = self._entries
        excess = max(0, len(entries) - self.capacity)
        over = self._kept_bytes - MAX_KEPT_BYTES
        if over > 0:
            over -= sum(_size(entry) for entry in entries[:excess])
            while over > 0 and excess < len(entries) - 1:
                over -= _size(entries[excess])
                excess += 1
        if excess <= 0:
            return
        gone = self._entries[:excess]
        self._kept_bytes -= sum(_size(entry) for entry in gone)
        self.dropped += excess
        new_first = self._first + excess
        if self._shown is None:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._entries[:excess]
            self._first = new_first
            self.endRemoveRows()
            return
        rows = bisect.bisect_left(self._shown, new_first)
        if rows:
            self.beginRemoveRows(QModelIndex(), 0, rows - 1)
            del self._shown[:rows]
        del self._entries[:excess]
        self._first = new_first
        if rows:
            self.endRemoveRows()

    def set_capacity(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self.flush()
        self._trim()

    def clear(self) -> None:
        self.beginResetModel()
        self._entries.clear()
        self._pending.clear()
        self._kept_bytes = 0
        self._first = self._next = 1
        self.dropped = 0
        if self._shown is not None:
            self._shown = []
        self.endResetModel()

    def set_filter(self, log_filter: LogFilter) -> None:
        """Show only what ``log_filter`` matches (of the kept entries)."""
        self.flush()
        self.beginResetModel()
        self._filter = log_filter
        self._matches = log_filter.matcher()
        if log_filter.shows_all:
            self._shown = None
        else:
            matches, first = self._matches, self._first
            self._shown = [first + i for i, entry in enumerate(self._entries) if matches(entry)]
        self.endResetModel()

    # -- reading ------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._next - 1 + len(self._pending)

    @property
    def kept(self) -> int:
        return len(self._entries)

    def numbered_entries(self) -> list[tuple[int, LogEntry]]:
        """Every kept entry with its number, oldest first (for export)."""
        self.flush()
        return list(enumerate(self._entries, start=self._first))

    def entry_at(self, row: int) -> LogEntry:
        return self._entries[self._number(row) - self._first]

    def number_at(self, row: int) -> int:
        return self._number(row)

    def _number(self, row: int) -> int:
        return self._first + row if self._shown is None else self._shown[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self._entries) if self._shown is None else len(self._shown)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role not in _ROLES or not index.isValid():
            return None  # most roles a repaint asks each cell for: answered first, cheaply
        row, column = index.row(), index.column()
        entry = self.entry_at(row)
        frame = is_frame(entry)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self._number(row)
            if column == 1:
                return datetime.fromtimestamp(entry.at).strftime("%H:%M:%S.%f")[:-3]
            if column == 2:
                return ("↓" if entry.direction == "in" else "↑") if frame else "•"
            if column == 3:
                return entry.kind if frame else entry.phase
            if column == 4:
                return human_size(entry.size) if frame else ""
            return preview(entry)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not frame:
                return _ERROR_COLOR if entry.error is not None else _STATUS_COLOR
            if column == 2:
                return _IN_COLOR if entry.direction == "in" else _OUT_COLOR
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and frame:
            return "Received" if entry.direction == "in" else "Sent"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _size(entry: LogEntry) -> int:
    return entry.size if is_frame(entry) else 0
