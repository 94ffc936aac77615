"""What the logs that write everything to disk share (the WebSocket log, the event log
of a subscription or a gRPC stream): a table model over a numbered log whose newest
entries sit in memory and whose older ones are read back from the log's spool.

``append`` only buffers; a timer moves the buffer in at most ~20 times a second as one
insert, and hands each batch to the spool on the log's own thread
(:class:`~apiclient.ui.serial_worker.SerialWorker`, :class:`~apiclient.ui.spool_holder.
SpoolHolder`). Memory holds the newest ``capacity`` entries (up to a size cap) and a
cache of rows read back (``CACHE_ROWS``, cut to a preview). A row outside memory asks
for its page (``PAGE_ROWS``) and shows "…" until it comes, or "(not on disk)" when its
write had failed. When the spool cannot be written the log says so (``spool_problem``)
and goes on in memory: the entries already written stay rows; of the later ones it
keeps the newest ``capacity`` (``dropped`` counts those let go). A page that cannot be
read is told (``read_failed``) and its rows stay, asked for again when seen.

A concrete log names its columns, entry type and spool, and says how big an entry is
(:meth:`_size`, against :meth:`_max_kept`) and how a cell shows it (:meth:`_cell`).
"""

from __future__ import annotations

import bisect
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)

from apiclient.core.spool_files import spool_folder
from apiclient.ui.serial_worker import SerialWorker
from apiclient.ui.spool_holder import SpoolHolder
from apiclient.ui.widgets.header_model import HeaderTableModel

__all__ = ["CACHE_ROWS", "DEFAULT_CAPACITY", "FLUSH_MS", "PAGE_ROWS", "SpooledLogModel"]

FLUSH_MS = 50
DEFAULT_CAPACITY = 5_000
PAGE_ROWS = 200
CACHE_ROWS = 4_000
_LOADING = "…"
_MISSING = "(not on disk)"

T = TypeVar("T")


class SpooledLogModel(HeaderTableModel):
    """A log of numbered entries, the newest in memory, all of them on disk.

    ``dropped`` counts the entries let go (only after the spool could not be written);
    ``spool_problem`` says why it could not, or is ""; ``read_problem`` is the last read
    of the spool that failed, or "".

    Signals:
        page_loaded: rows read back from the spool are in (views repaint them).
        spool_failed(str): the spool cannot be written; later entries stay in memory.
        read_failed(str): a page (or a search) could not be read from the spool.

    Subclasses set ``NOUN`` (what an entry is called, plural), ``PREVIEW_KEEP`` (how
    much of an entry a page keeps), ``PLACEHOLDER_COLUMN`` (where "…" shows) and
    ``ROLES`` (the roles :meth:`_cell` answers).
    """

    page_loaded = Signal()
    spool_failed = Signal(str)
    read_failed = Signal(str)

    NOUN: ClassVar[str] = "entries"
    PREVIEW_KEEP: ClassVar[int]
    PLACEHOLDER_COLUMN: ClassVar[int]
    ROLES: ClassVar[frozenset[int]]

    def __init__(
        self,
        capacity: int,
        parent: QObject | None,
        *,
        folder: Path | None,
        make: Callable[[Path], Any],
        errors: type[Exception],
        thread_name: str,
    ) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.spool_problem = ""
        self.read_problem = ""
        self._holder: SpoolHolder[Any] = SpoolHolder(
            folder if folder is not None else spool_folder(), make, errors
        )
        self._worker = SerialWorker(thread_name)
        # A log dropped without close() (a test's, a widget's) still removes its file.
        weakref.finalize(self, self._worker.shutdown, self._holder.remove)
        self._generation = 0  # bumped by clear(): answers for older ones are ignored
        self._spooled = False  # a spool job was ever submitted (the thread runs)
        self._last = 0  # number of the newest entry moved in
        # After a failed write: the first number not on disk. Entries from there up to
        # _recent_first were let go (_dropped of them); the rows skip them.
        self._gap: int | None = None
        self._dropped = 0
        self._recent: list[Any] = []  # the newest entries, in full, oldest first
        self._recent_first = 1  # number of _recent[0]
        self._recent_size = 0
        # None: asked for, and not on disk (its write failed)
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._asked: set[int] = set()  # pages being read, by their first row's number
        self._pending: list[Any] = []
        self._shown: array[int] | None = None  # numbers shown; None: all
        self._timer = QTimer(self, interval=FLUSH_MS, singleShot=True)
        self._timer.timeout.connect(self.flush)

    # -- what a concrete log says -------------------------------------------------------

    def _size(self, entry: Any) -> int:
        """How much of the memory cap ``entry`` takes."""
        raise NotImplementedError

    def _max_kept(self) -> int:
        """The cap on the summed :meth:`_size` of the entries kept in memory."""
        raise NotImplementedError

    def _unwrap(self, spooled: Any) -> Any:
        """The entry in what the spool's ``read`` returned for it."""
        raise NotImplementedError

    def _cell(self, entry: Any, column: int, role: int) -> object:
        """What ``column`` shows of ``entry`` for ``role``."""
        raise NotImplementedError

    def _insert(self, start: int, pending: list[Any]) -> None:
        """Rows for the entries ``pending`` numbered from ``start`` (all shown here)."""
        first_row = self.rowCount()
        self.beginInsertRows(QModelIndex(), first_row, first_row + len(pending) - 1)
        self._last += len(pending)
        self.endInsertRows()

    def _reset_view(self) -> None:
        """The log is cleared (inside the model reset)."""

    def _gap_opened(self) -> None:
        """A write failed: ``_gap`` is where the file ends."""

    # -- feeding ------------------------------------------------------------------------

    def _submit(
        self, job: Callable[[], T], on_done: Callable[[object], None] | None = None
    ) -> Future[T]:
        self._spooled = True
        return self._worker.submit(job, on_done)

    def append(self, entry: Any) -> None:
        """Buffer one entry (cheap: called for every entry of a fast stream)."""
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
            self._submit(
                lambda: holder.write(start, pending),
                lambda outcome: self._on_written(generation, start, outcome),
            )
        if not self._recent:
            self._recent_first = start
        self._recent.extend(pending)
        self._recent_size += sum(self._size(entry) for entry in pending)
        self._insert(start, pending)
        self._trim()

    def _trim(self) -> None:
        """Let the oldest entries in memory go while over the count or the size cap (the
        newest always stays, however large). Those on disk are still rows, read back
        when seen; the others (written after the spool failed) are gone."""
        entries, size = self._recent, self._size
        excess = max(0, len(entries) - self.capacity)
        over = self._recent_size - self._max_kept()
        if over > 0:
            over -= sum(size(entry) for entry in entries[:excess])
            while over > 0 and excess < len(entries) - 1:
                over -= size(entries[excess])
                excess += 1
        if excess <= 0:
            return
        self._recent_size -= sum(size(entry) for entry in entries[:excess])
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
        if self._spooled:  # else there is nothing to reset: no thread is started for it
            self._worker.submit(self._holder.reset)
        self.beginResetModel()
        self._recent.clear()
        self._pending.clear()
        self._cache.clear()
        self._asked.clear()
        self._recent_size = 0
        self._last = self._dropped = 0
        self._gap = None
        self._recent_first = 1
        self.spool_problem = self.read_problem = ""
        self._reset_view()
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
            f"{problem} The {start - 1:,} {self.NOUN} before it stay on disk; later ones "
            f"are kept in memory only (the newest {self.capacity:,})."
        )
        self._gap_opened()
        self._drop_unwritten()
        self.spool_failed.emit(self.spool_problem)

    def _on_read_failed(self, what: str, then: str) -> None:
        self.read_problem = f"Cannot read {what}; {then}"
        self.read_failed.emit(self.read_problem)

    # -- reading ------------------------------------------------------------------------

    @property
    def dropped(self) -> int:
        """Entries let go for good (only after the spool could not be written)."""
        return self._dropped

    def number_at(self, row: int) -> int:
        if self._shown is not None:
            return self._shown[row]
        number = row + 1
        if self._gap is not None and number >= self._gap:
            number += self._dropped
        return number

    def row_of(self, number: int) -> int:
        """The row showing entry ``number``, or -1 (let go, not shown, or no such one)."""
        if self._shown is not None:
            at = bisect.bisect_left(self._shown, number)
            return at if at < len(self._shown) and self._shown[at] == number else -1
        if self._gap is not None and number >= self._gap:
            if number < self._gap + self._dropped:
                return -1
            number -= self._dropped
        return number - 1 if 1 <= number <= self.rowCount() else -1

    def is_missing(self, row: int) -> bool:
        """Whether the entry at ``row`` was asked for and is not on disk."""
        number = self.number_at(row)
        return number in self._cache and self._cache[number] is None

    def _entry_at(self, row: int) -> Any:
        """The entry at ``row`` if memory holds it (maybe cut to a preview), else None:
        not on disk (:meth:`is_missing`) or not read yet (its page is asked for)."""
        number = self.number_at(row)
        found = self._held(number)
        if found is None and number not in self._cache:
            self._ask(row)
        return found

    def _held(self, number: int) -> Any:
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        return self._unwrap(cached) if cached is not None else None

    def _complete(self, number: int) -> Any:
        """Entry ``number`` in full if memory holds it whole, else None."""
        offset = number - self._recent_first
        if 0 <= offset < len(self._recent):
            return self._recent[offset]
        cached = self._cache.get(number)
        return self._unwrap(cached) if cached is not None and cached.complete else None

    def _load(self, number: int, read: Callable[[Any], object], done: SignalInstance) -> None:
        """Read entry ``number`` in full with ``read(spool)`` on the log's thread;
        ``done`` brings it, or None (not on disk), or the error that kept it."""
        generation, holder = self._generation, self._holder

        def job() -> object:
            return None if holder.spool is None else read(holder.spool)

        def deliver(found: object) -> None:
            if generation == self._generation:
                done.emit(number, found)

        self._submit(job, deliver)

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
        generation, holder, keep = self._generation, self._holder, self.PREVIEW_KEEP

        def read() -> list[Any]:
            return [] if holder.spool is None else holder.spool.read(numbers, keep)

        self._submit(read, lambda found: self._on_page(generation, key, numbers, found))

    def _on_page(self, generation: int, key: int, numbers: list[int], found: object) -> None:
        if generation != self._generation:
            return
        self._asked.discard(key)
        if isinstance(found, Exception):  # the rows stay, asked again when seen
            self._on_read_failed(f"older {self.NOUN} ({found})", "they are read again when seen.")
            return
        assert isinstance(found, list)
        self.read_problem = ""
        cache = self._cache
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
        if parent.isValid():
            return 0
        if self._shown is None:
            return self._last - self._dropped
        return len(self._shown)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role not in self.ROLES or not index.isValid():
            return None  # most roles a repaint asks each cell for: answered first, cheaply
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return self.number_at(row)
        entry = self._entry_at(row)
        if entry is None:
            if role != Qt.ItemDataRole.DisplayRole or column != self.PLACEHOLDER_COLUMN:
                return None
            return _MISSING if self.is_missing(row) else _LOADING
        return self._cell(entry, column, role)
