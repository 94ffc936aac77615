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

import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal

from apiclient.core.formatting import human_size
from apiclient.protocols.websocket_events import WsFrame
from apiclient.protocols.websocket_spool import (
    LogEntry,
    LogFilter,
    SpooledEntry,
    SpoolError,
    WsSpool,
)
from apiclient.ui.spooled_log_model import DEFAULT_CAPACITY, SpooledLogModel
from apiclient.ui.theme import semantic_color

__all__ = ["DEFAULT_CAPACITY", "LogEntry", "LogFilter", "MessageLogModel", "is_frame", "preview"]

MAX_KEPT_BYTES = 32 * 1024 * 1024
PREVIEW_KEEP = 1_024  # characters (or bytes) of a payload read back for the table
_PREVIEW_CHARS = 200
_PREVIEW_BYTES = 48
# Semantic colours (apiclient.ui.theme), read as rows are drawn so a switch of theme
# repaints them in the new one's shades.
_IN_TONE = "info"
_OUT_TONE = "success"
_STATUS_TONE = "muted"
_ERROR_TONE = "error"
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


class MessageLogModel(SpooledLogModel):
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
        appended: a batch of entries came in, shown or hidden by the filter (``total``
            changed even when no row was inserted).
    """

    HEADERS = ("#", "Time", "", "Kind", "Size", "Message")
    NOUN = "entries"
    PREVIEW_KEEP = PREVIEW_KEEP
    PLACEHOLDER_COLUMN = 5
    ROLES = _ROLES
    filtered = Signal()
    entry_loaded = Signal(int, object)
    appended = Signal()

    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, parent=None, *, folder: Path | None = None
    ) -> None:
        super().__init__(
            capacity,
            parent,
            folder=folder,
            make=WsSpool,
            errors=SpoolError,
            thread_name="websocket-log",
        )
        self._filter = LogFilter(control=True)
        self._matches = self._filter.matcher()
        self._search = 0  # the running search's token (0: none)
        self._searches = 0
        self._arrived: array[int] = array("q")  # matches that came in during the search

    # -- what this log says -------------------------------------------------------------

    def _size(self, entry: LogEntry) -> int:
        return _size(entry)

    def _max_kept(self) -> int:
        return MAX_KEPT_BYTES

    def _unwrap(self, spooled: SpooledEntry) -> LogEntry:
        return spooled.entry

    def _insert(self, start: int, pending: list[LogEntry]) -> None:
        self._insert_rows(start, pending)
        self.appended.emit()

    def _insert_rows(self, start: int, pending: list[LogEntry]) -> None:
        if self._shown is None:
            super()._insert(start, pending)
            return
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

    def _reset_view(self) -> None:
        self._search = 0
        if self._shown is not None:
            self._shown = array("q")

    def _gap_opened(self) -> None:
        if self._search:  # search again, knowing where the file ends
            self.set_filter(self._filter)

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

            self._submit(
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

        return self._submit(run)

    def entry_at(self, row: int) -> LogEntry | None:
        """The entry at ``row`` if memory holds it (its payload may be cut: see
        :meth:`complete_entry`), else None: not on disk (:meth:`is_missing`) or not
        read yet (its page is asked for)."""
        return self._entry_at(row)

    def complete_entry(self, number: int) -> LogEntry | None:
        """Entry ``number`` in full if memory holds it whole, else None."""
        return self._complete(number)

    def load_entry(self, number: int) -> None:
        """Read entry ``number`` in full from the spool; ``entry_loaded`` brings it, or
        None (not on disk), or the error that kept it from being read."""
        self._load(number, lambda spool: spool.entry(number), self.entry_loaded)

    def _cell(self, entry: LogEntry, column: int, role: int) -> object:
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
                return semantic_color(_ERROR_TONE if entry.error is not None else _STATUS_TONE)
            if column == 2:
                return semantic_color(_IN_TONE if entry.direction == "in" else _OUT_TONE)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and frame:
            return "Received" if entry.direction == "in" else "Sent"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _size(entry: LogEntry) -> int:
    return entry.size if isinstance(entry, WsFrame) else 0
