"""The WebSocket message log: every frame and every connection change, fast, for as long
as the session lasts.

A busy socket delivers 10,000 messages a second, far more than a view can repaint, so
``MessageLogModel.append`` only buffers; a timer moves the buffer into the model at most
~20 times a second as one insert. Each batch also goes to the log's spool (an SQLite
file, :mod:`apiclient.protocols.websocket_spool`), written on the log's own thread, so a
day-long session loses nothing while memory holds only:

* the newest ``capacity`` entries (at most ``MAX_KEPT_BYTES`` of payload), and
* a cache of rows read back from the spool (``CACHE_ROWS``, payloads cut to a preview).

The model is virtual: ``rowCount`` is the exact number of entries (or of matches). A
row outside memory asks the spool thread for its page and shows "…" until the page
comes back, a few milliseconds later; scrolling to the top of a million entries reads
one page. A filter runs as SQL on the spool thread over the whole session, with an
exact count; entries that arrive meanwhile are matched in memory.

When the spool cannot be written (no space, a read-only folder) the log says so and
goes on in memory: it then keeps the newest ``capacity`` entries and lets older ones go
(``dropped`` counts them), as a log without a disk would.
"""

from __future__ import annotations

import bisect
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor

from apiclient.core.formatting import human_size
from apiclient.core.spool_files import spool_folder
from apiclient.protocols.websocket_events import WsFrame
from apiclient.protocols.websocket_spool import (
    LogEntry,
    LogFilter,
    SpooledEntry,
    SpoolError,
    WsSpool,
)
from apiclient.ui.serial_worker import SerialWorker
from apiclient.ui.spool_holder import SpoolHolder
from apiclient.ui.widgets.header_model import HeaderTableModel

__all__ = ["DEFAULT_CAPACITY", "LogEntry", "LogFilter", "MessageLogModel", "is_frame", "preview"]

FLUSH_MS = 50
DEFAULT_CAPACITY = 5_000
MAX_KEPT_BYTES = 32 * 1024 * 1024
PAGE_ROWS = 200
CACHE_ROWS = 4_000
PREVIEW_KEEP = 1_024  # characters (or bytes) of a payload read back for the table
_PREVIEW_CHARS = 200
_PREVIEW_BYTES = 48
_LOADING = "…"
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
    if not isinstance(entry, WsFrame):
        return entry.describe()
    data = entry.data
    if entry.kind == "close":
        reason = f" “{data}”" if data else ""
        return f"close {entry.close_code if entry.close_code is not None else ''}{reason}"
    if isinstance(data, str):
        return data[:_PREVIEW_CHARS].replace("\n", " ").replace("\r", " ")
    head = data[:_PREVIEW_BYTES].hex(" ")
    return head + (" …" if entry.size > _PREVIEW_BYTES else "")


class MessageLogModel(HeaderTableModel):
    """Columns: #, time, direction, kind, size, preview.

    ``total`` counts every entry appended since the last clear; ``dropped`` those let go
    (only while the spool is unavailable); ``spool_problem`` says why it is, or is "".

    Signals:
        page_loaded: rows read back from the spool are in (views repaint them).
        filtered: a filter's search over the whole session is done.
        spool_failed(str): the spool stopped working; the log goes on in memory.
        entry_loaded(int, object): an entry asked for with :meth:`load_entry`, in full.
    """

    HEADERS = ("#", "Time", "", "Kind", "Size", "Message")
    page_loaded = Signal()
    filtered = Signal()
    spool_failed = Signal(str)
    entry_loaded = Signal(int, object)

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, parent=None, *, folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.spool_problem = ""
        self._holder: SpoolHolder[WsSpool] = SpoolHolder(
            folder if folder is not None else spool_folder(), WsSpool, SpoolError
        )
        self._worker = SerialWorker("websocket-log")
        # A log dropped without close() (a test's, a widget's) still removes its file.
        weakref.finalize(self, self._worker.shutdown, self._holder.remove)
        self._generation = 0  # bumped by clear(): answers for older ones are ignored
        self._last = 0  # number of the newest entry moved in
        self._base = 1  # number of the oldest entry still to be had (1 with a spool)
        self._recent: list[LogEntry] = []  # the newest entries, in full, oldest first
        self._recent_first = 1  # number of _recent[0]
        self._recent_bytes = 0
        self._cache: OrderedDict[int, SpooledEntry] = OrderedDict()
        self._asked: set[int] = set()  # pages being read, by their first row's number
        self._pending: list[LogEntry] = []
        self._filter = LogFilter(control=True)
        self._matches = self._filter.matcher()
        self._shown: array[int] | None = None  # numbers shown; None: all
        self._search = 0  # the running search's token (0: none)
        self._searches = 0
        self._arrived: array[int] = array("q")  # matches that came in during the search
        self._timer = QTimer(self, interval=FLUSH_MS, singleShot=True)
        self._timer.timeout.connect(self.flush)

    # -- feeding ------------------------------------------------------------------------

    def append(self, entry: LogEntry) -> None:
        """Buffer one entry (cheap: called for every frame of a fast stream)."""
        self._pending.append(entry)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Move the buffered entries in (one insert) and hand them to the spool."""
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
        self._recent_bytes += sum(_size(entry) for entry in pending)
        if self._shown is None:
            first_row = self.rowCount()
            self.beginInsertRows(QModelIndex(), first_row, first_row + len(pending) - 1)
            self._last += len(pending)
            self.endInsertRows()
        else:
            self._last += len(pending)
            matches = self._matches
            new = [start + i for i, entry in enumerate(pending) if matches(entry)]
            if self._search:
                self._arrived.extend(new)
            elif new:
                first_row = len(self._shown)
                self.beginInsertRows(QModelIndex(), first_row, first_row + len(new) - 1)
                self._shown.extend(new)
                self.endInsertRows()
        self._trim()

    def _trim(self) -> None:
        """Let the oldest entries in memory go while over the count or the byte cap (the
        newest always stays, however large). With a spool they are still rows, read back
        when seen; without one they are gone."""
        entries = self._recent
        excess = max(0, len(entries) - self.capacity)
        over = self._recent_bytes - MAX_KEPT_BYTES
        if over > 0:
            over -= sum(_size(entry) for entry in entries[:excess])
            while over > 0 and excess < len(entries) - 1:
                over -= _size(entries[excess])
                excess += 1
        if excess <= 0:
            return
        self._recent_bytes -= sum(_size(entry) for entry in entries[:excess])
        del entries[:excess]
        self._recent_first += excess
        if self.spool_problem:
            self._drop_below(self._recent_first)

    def _drop_below(self, number: int) -> None:
        """Take the rows of entries numbered below ``number`` out (no spool to read)."""
        if number <= self._base:
            return
        if self._shown is None:
            rows = min(number, self._last + 1) - self._base
        else:
            rows = bisect.bisect_left(self._shown, number)
        if rows <= 0:
            self._base = number
            return
        self.beginRemoveRows(QModelIndex(), 0, rows - 1)
        if self._shown is not None:
            del self._shown[:rows]
        self._base = number
        self.endRemoveRows()

    def set_capacity(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self.flush()
        self._trim()

    def clear(self) -> None:
        """Start over: the entries, the counters and the spool file go."""
        self._generation += 1
        holder = self._holder
        self._worker.submit(holder.reset)
        self.beginResetModel()
        self._recent.clear()
        self._pending.clear()
        self._cache.clear()
        self._asked.clear()
        self._recent_bytes = 0
        self._last = 0
        self._base = self._recent_first = 1
        self.spool_problem = ""
        self._search = 0
        if self._shown is not None:
            self._shown = array("q")
        self.endResetModel()

    def close(self) -> None:
        """The log is done (its tab closes): the spool file goes once queued jobs ran."""
        self._generation += 1
        self._pending.clear()
        self._worker.shutdown(self._holder.remove)

    def _on_written(self, generation: int, outcome: object) -> None:
        if generation == self._generation and isinstance(outcome, SpoolError):
            self._fail(str(outcome))

    def _fail(self, problem: str) -> None:
        """The spool is lost: what is in memory is what the log has from now on."""
        self.spool_problem = (
            f"{problem} The log goes on in memory: only the newest {self.capacity:,} "
            "entries are kept."
        )
        self._cache.clear()
        self._asked.clear()
        if self._search:  # the search cannot finish: match what memory holds instead
            self.set_filter(self._filter)
        self._drop_below(self._recent_first)
        self.spool_failed.emit(self.spool_problem)

    # -- filtering ----------------------------------------------------------------------

    def set_filter(self, log_filter: LogFilter) -> None:
        """Show only what ``log_filter`` matches, over the whole session: at once when
        memory holds every entry, else searched on the spool's thread; ``filtered``
        follows either way."""
        self.flush()
        self.beginResetModel()
        self._filter = log_filter
        self._matches = log_filter.matcher()
        self._asked.clear()  # rows are other numbers now: pages are asked for anew
        self._search = 0
        self._arrived = array("q")
        if log_filter.shows_all:
            self._shown = None
        elif self.spool_problem or self._recent_first <= self._base:
            # Every entry the log has is in memory: matched here, at once.
            matches, first = self._matches, self._recent_first
            self._shown = array(
                "q", (first + i for i, entry in enumerate(self._recent) if matches(entry))
            )
        else:
            self._shown = array("q")
            self._searches += 1
            self._search = token = self._searches
            generation, holder, upto = self._generation, self._holder, self._last

            def search() -> array[int]:
                if holder.failed or upto == 0:
                    return array("q")
                return holder.open().matching(log_filter, upto)

            self._worker.submit(search, lambda found: self._on_searched(generation, token, found))
        self.endResetModel()
        if not self._search:
            self.filtered.emit()

    def _on_searched(self, generation: int, token: int, found: object) -> None:
        if generation != self._generation or token != self._search:
            return
        if isinstance(found, SpoolError):
            self._fail(str(found))
            return
        assert isinstance(found, array)
        self.beginResetModel()
        self._search = 0
        found.extend(self._arrived)
        self._arrived = array("q")
        self._shown = found
        self.endResetModel()
        self.filtered.emit()

    @property
    def searching(self) -> bool:
        """A filter's search over the spool is under way (the rows come with ``filtered``)."""
        return bool(self._search)

    # -- reading ------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._last + len(self._pending)

    @property
    def dropped(self) -> int:
        """Entries let go for good (only while the spool is unavailable)."""
        return self._base - 1

    @property
    def kept(self) -> int:
        """Entries the log still has (in memory or on disk)."""
        return self._last - self._base + 1

    @property
    def in_memory(self) -> int:
        return len(self._recent)

    def export(self, write: Callable[[Iterable[tuple[int, LogEntry]]], int]) -> Future[int]:
        """Run ``write`` over every entry the log has, oldest first, on the log's thread
        (after the pending writes); the future holds what ``write`` returns."""
        self.flush()
        upto, base, holder = self._last, self._base, self._holder
        if self.spool_problem:
            first = self._recent_first
            snapshot = [(first + i, e) for i, e in enumerate(self._recent) if first + i >= base]
            return self._worker.submit(lambda: write(snapshot))
        return self._worker.submit(lambda: write(holder.open().entries(upto) if upto else iter(())))

    def number_at(self, row: int) -> int:
        return self._base + row if self._shown is None else self._shown[row]

    def entry_at(self, row: int) -> LogEntry | None:
        """The entry at ``row`` if memory holds it (its payload may be cut: see
        :meth:`complete_entry`), else None (its page is asked for)."""
        number = self.number_at(row)
        found = self._held(number)
        if found is None:
            self._ask(row)
        return found

    def complete_entry(self, number: int) -> LogEntry | None:
        """Entry ``number`` in full if memory holds it whole, else None."""
        if number >= self._recent_first and number - self._recent_first < len(self._recent):
            return self._recent[number - self._recent_first]
        cached = self._cache.get(number)
        return cached.entry if cached is not None and cached.complete else None

    def load_entry(self, number: int) -> None:
        """Read entry ``number`` in full from the spool; ``entry_loaded`` brings it."""
        generation, holder = self._generation, self._holder

        def read() -> LogEntry | None:
            return None if holder.spool is None else holder.spool.entry(number)

        def done(entry: object) -> None:
            if generation == self._generation and not isinstance(entry, Exception):
                self.entry_loaded.emit(number, entry)

        self._worker.submit(read, done)

    def _held(self, number: int) -> LogEntry | None:
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        return cached.entry if cached is not None else None

    def _ask(self, row: int) -> None:
        """Read the page of rows around ``row`` from the spool (once)."""
        if self.spool_problem:
            return
        first = row - row % PAGE_ROWS
        key = self.number_at(first)
        if key in self._asked:
            return
        last = min(first + PAGE_ROWS, self.rowCount())
        numbers = [
            number
            for number in (self.number_at(r) for r in range(first, last))
            if number < self._recent_first and number not in self._cache
        ]
        if not numbers:
            return
        self._asked.add(key)
        generation, holder = self._generation, self._holder

        def read() -> list[SpooledEntry]:
            return [] if holder.spool is None else holder.spool.read(numbers, PREVIEW_KEEP)

        self._worker.submit(read, lambda found: self._on_page(generation, key, found))

    def _on_page(self, generation: int, key: int, found: object) -> None:
        if generation != self._generation:
            return
        self._asked.discard(key)
        if isinstance(found, SpoolError):
            self._fail(str(found))
            return
        assert isinstance(found, list)
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
        if parent.isValid():
            return 0
        if self._shown is None:
            return max(0, self._last - self._base + 1)
        return len(self._shown)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role not in _ROLES or not index.isValid():
            return None  # most roles a repaint asks each cell for: answered first, cheaply
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return self.number_at(row)
        entry = self.entry_at(row)
        if entry is None:
            return _LOADING if role == Qt.ItemDataRole.DisplayRole and column == 5 else None
        frame = isinstance(entry, WsFrame)
        if role == Qt.ItemDataRole.DisplayRole:
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
    return entry.size if isinstance(entry, WsFrame) else 0
