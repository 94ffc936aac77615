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
goes on in memory for what comes after: the entries already written stay rows, read
back from the file as before (and exported); of the later ones it keeps the newest
``capacity`` and lets older ones go (``dropped`` counts them), as a log without a disk
would. A page or a search that cannot be read is told (``read_failed``) and the rows
stay; a page is asked for again when scrolled to.
"""

from __future__ import annotations

import bisect
import itertools
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
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
_MISSING = "(not on disk)"
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
    (only after the spool could not be written); ``spool_problem`` says why it could
    not, or is ""; ``read_problem`` is the last read of the spool that failed, or "".

    Signals:
        page_loaded: rows read back from the spool are in (views repaint them).
        filtered: a filter's search over the whole session is done.
        spool_failed(str): the spool cannot be written; later entries stay in memory.
        read_failed(str): a page or a search could not be read from the spool.
        entry_loaded(int, object): an entry asked for with :meth:`load_entry`: the
            entry in full, None when the spool does not hold it, or the error that
            kept it from being read.
    """

    HEADERS = ("#", "Time", "", "Kind", "Size", "Message")
    page_loaded = Signal()
    filtered = Signal()
    spool_failed = Signal(str)
    read_failed = Signal(str)
    entry_loaded = Signal(int, object)

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, parent=None, *, folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.spool_problem = ""
        self.read_problem = ""
        self._holder: SpoolHolder[WsSpool] = SpoolHolder(
            folder if folder is not None else spool_folder(), WsSpool, SpoolError
        )
        self._worker = SerialWorker("websocket-log")
        # A log dropped without close() (a test's, a widget's) still removes its file.
        weakref.finalize(self, self._worker.shutdown, self._holder.remove)
        self._generation = 0  # bumped by clear(): answers for older ones are ignored
        self._last = 0  # number of the newest entry moved in
        # After a failed write: the first number not on disk. Entries from there up to
        # _recent_first were let go (_dropped of them); the rows skip them.
        self._gap: int | None = None
        self._dropped = 0
        self._recent: list[LogEntry] = []  # the newest entries, in full, oldest first
        self._recent_first = 1  # number of _recent[0]
        self._recent_bytes = 0
        # None: asked for, and not on disk (its write failed)
        self._cache: OrderedDict[int, SpooledEntry | None] = OrderedDict()
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
                lambda outcome: self._on_written(generation, start, outcome),
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
        newest always stays, however large). Those on disk are still rows, read back
        when seen; the others (written after the spool failed) are gone."""
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
        self._drop_unwritten()

    def _drop_unwritten(self) -> None:
        """Take out the rows of entries neither on disk nor in memory any more: those
        numbered from the gap's end up to ``_recent_first`` (after a failed write)."""
        if self._gap is None:
            return
        start = self._gap + self._dropped  # the first entry not let go yet
        end = min(self._recent_first, self._last + 1)
        if end <= start:
            return
        if self._shown is None:
            first, last = self._gap - 1, self._gap - 1 + end - start - 1
        else:
            first = bisect.bisect_left(self._shown, start)
            last = bisect.bisect_left(self._shown, end) - 1
        if last < first:
            self._dropped += end - start
            return
        self.beginRemoveRows(QModelIndex(), first, last)
        if self._shown is not None:
            del self._shown[first : last + 1]
        self._dropped += end - start
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
        self._last = self._dropped = 0
        self._gap = None
        self._recent_first = 1
        self.spool_problem = self.read_problem = ""
        self._search = 0
        if self._shown is not None:
            self._shown = array("q")
        self.endResetModel()

    def close(self) -> None:
        """The log is done (its tab closes): the spool file goes once queued jobs ran."""
        self._generation += 1
        self._pending.clear()
        self._worker.shutdown(self._holder.remove)

    def _on_written(self, generation: int, start: int, outcome: object) -> None:
        if generation == self._generation and isinstance(outcome, Exception):
            self._fail(start, str(outcome))

    def _fail(self, start: int, problem: str) -> None:
        """Entries from ``start`` on could not be written: those before stay on disk,
        read back as before; later ones are kept in memory only."""
        if self._gap is not None:
            return
        self._gap = start
        self.spool_problem = (
            f"{problem} The {start - 1:,} entries before it stay on disk; later ones are "
            f"kept in memory only (the newest {self.capacity:,})."
        )
        if self._search:  # search again, knowing where the file ends
            self.set_filter(self._filter)
        self._drop_unwritten()
        self.spool_failed.emit(self.spool_problem)

    def _on_read_failed(self, what: str, then: str) -> None:
        self.read_problem = f"Cannot read {what}; {then}"
        self.read_failed.emit(self.read_problem)

    def _on_disk(self, number: int) -> bool:
        """Whether entry ``number`` was handed to a spool write that did not fail."""
        return self._gap is None or number < self._gap

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
        on_disk = self._last if self._gap is None else min(self._last, self._gap - 1)
        if log_filter.shows_all:
            self._shown = None
        elif self._recent_first <= 1 or not on_disk:
            # Every entry the log has is in memory: matched here, at once.
            self._shown = self._memory_matches(0, self._last)
        else:
            self._shown = array("q")
            self._searches += 1
            self._search = token = self._searches
            generation, holder, upto = self._generation, self._holder, self._last

            def search() -> array[int]:
                spool = holder.spool
                return (
                    array("q")
                    if spool is None or not on_disk
                    else spool.matching(log_filter, on_disk)
                )

            self._worker.submit(
                search, lambda found: self._on_searched(generation, token, on_disk, upto, found)
            )
        self.endResetModel()
        if not self._search:
            self.filtered.emit()

    def _memory_matches(self, above: int, upto: int) -> array[int]:
        """The numbers of the entries in memory in ``above < n <= upto`` that the filter
        shows."""
        matches, first = self._matches, self._recent_first
        skip = max(0, above + 1 - first)
        entries = self._recent[skip : max(skip, upto + 1 - first)]
        return array("q", (first + skip + i for i, entry in enumerate(entries) if matches(entry)))

    def _on_searched(
        self, generation: int, token: int, on_disk: int, upto: int, found: object
    ) -> None:
        if generation != self._generation or token != self._search:
            return
        if isinstance(found, Exception):
            self._on_read_failed(f"the search ({found})", "showing matches in memory only.")
            found, on_disk = array("q"), 0
        assert isinstance(found, array)
        self.beginResetModel()
        self._search = 0
        found.extend(self._memory_matches(on_disk, upto))
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
        """Entries let go for good (only after the spool could not be written)."""
        return self._dropped

    @property
    def kept(self) -> int:
        """Entries the log still has (in memory or on disk)."""
        return self._last - self._dropped

    @property
    def in_memory(self) -> int:
        return len(self._recent)

    def export(self, write: Callable[[Iterable[tuple[int, LogEntry]]], int]) -> Future[int]:
        """Run ``write`` over every entry the log has, oldest first, on the log's thread
        (after the pending writes): those on disk read from the spool, then those kept
        in memory only; the future holds what ``write`` returns."""
        self.flush()
        upto, holder = self._last, self._holder
        on_disk = upto if self._gap is None else min(upto, self._gap - 1)
        first = self._recent_first
        in_memory = [(first + i, e) for i, e in enumerate(self._recent) if first + i > on_disk]

        def run() -> int:
            spool = holder.spool
            from_disk: Iterator[tuple[int, LogEntry]] = (
                spool.entries(on_disk) if spool is not None and on_disk else iter(())
            )
            return write(itertools.chain(from_disk, in_memory))

        return self._worker.submit(run)

    def number_at(self, row: int) -> int:
        if self._shown is not None:
            return self._shown[row]
        number = row + 1
        if self._gap is not None and number >= self._gap:
            number += self._dropped
        return number

    def entry_at(self, row: int) -> LogEntry | None:
        """The entry at ``row`` if memory holds it (its payload may be cut: see
        :meth:`complete_entry`), else None: not on disk (:meth:`is_missing`) or not
        read yet (its page is asked for)."""
        number = self.number_at(row)
        found = self._held(number)
        if found is None and number not in self._cache:
            self._ask(row)
        return found

    def is_missing(self, row: int) -> bool:
        """Whether the entry at ``row`` was asked for and is not on disk."""
        number = self.number_at(row)
        return number in self._cache and self._cache[number] is None

    def complete_entry(self, number: int) -> LogEntry | None:
        """Entry ``number`` in full if memory holds it whole, else None."""
        if number >= self._recent_first and number - self._recent_first < len(self._recent):
            return self._recent[number - self._recent_first]
        cached = self._cache.get(number)
        return cached.entry if cached is not None and cached.complete else None

    def load_entry(self, number: int) -> None:
        """Read entry ``number`` in full from the spool; ``entry_loaded`` brings it, or
        None (not on disk), or the error that kept it from being read."""
        generation, holder = self._generation, self._holder

        def read() -> LogEntry | None:
            return None if holder.spool is None else holder.spool.entry(number)

        def done(entry: object) -> None:
            if generation == self._generation:
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

        self._worker.submit(read, lambda found: self._on_page(generation, key, numbers, found))

    def _on_page(self, generation: int, key: int, numbers: list[int], found: object) -> None:
        if generation != self._generation:
            return
        self._asked.discard(key)
        if isinstance(found, Exception):  # the rows stay, asked again when seen
            self._on_read_failed(f"older entries ({found})", "they are read again when seen.")
            return
        assert isinstance(found, list)
        self.read_problem = ""
        cache: OrderedDict[int, SpooledEntry | None] = self._cache
        for spooled in found:
            cache[spooled.number] = spooled
        returned = {spooled.number for spooled in found}
        for number in numbers:
            if number not in returned:  # not written (its batch failed): not asked again
                cache[number] = None
        while len(cache) > CACHE_ROWS:
            cache.popitem(last=False)
        rows = [row for row in (self._row_of(numbers[0]), self._row_of(numbers[-1])) if row >= 0]
        if rows:  # only this page's rows
            last_column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last_column))
        self.page_loaded.emit()

    def _row_of(self, number: int) -> int:
        """The row showing entry ``number``, or -1."""
        if self._shown is not None:
            at = bisect.bisect_left(self._shown, number)
            return at if at < len(self._shown) and self._shown[at] == number else -1
        if self._gap is not None and number >= self._gap:
            if number < self._gap + self._dropped:
                return -1
            number -= self._dropped
        return number - 1 if 1 <= number <= self.rowCount() else -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid():
            return 0
        if self._shown is None:
            return self._last - self._dropped
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
            if role != Qt.ItemDataRole.DisplayRole or column != 5:
                return None
            return _MISSING if self.is_missing(row) else _LOADING
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
