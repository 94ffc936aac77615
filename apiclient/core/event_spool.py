"""A stream's events on disk (subscription events, gRPC stream messages), so a long
stream loses nothing while the window keeps only what is on screen.

Each event log writes every event to its own SQLite file in the app's spool folder
(:mod:`apiclient.core.spool_files`: scratch space, deleted when the log is cleared or
closed, abandoned files swept). A spool belongs to one thread (the log's writer): every
call runs there, in order, so a page read after a write always sees it. Writes skip
fsync: losing scratch space in a power cut costs nothing that was promised. Summaries
and details are stored as UTF-8 in BLOBs (:func:`~apiclient.core.spool_files.encode_text`),
so a NUL or a lone surrogate inside neither cuts them short nor fails the write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiclient.core.errors import CoreError
from apiclient.core.spool_files import decode_text, encode_text
from apiclient.core.sqlite_spool import SqliteSpool

__all__ = ["EventSpool", "EventSpoolError", "LoggedEvent", "SpooledEvent"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    n INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    summary BLOB NOT NULL,
    detail BLOB NOT NULL
)
"""


@dataclass(frozen=True)
class LoggedEvent:
    at: float  # time.time() when received
    kind: str  # "event", "message", "error"...
    summary: str
    detail: str  # shown in full when the row is selected


@dataclass(frozen=True, slots=True)
class SpooledEvent:
    """An event read back for the table: ``complete`` is False when its detail was cut
    to the preview length (the whole event is one :meth:`EventSpool.event` away)."""

    number: int
    event: LoggedEvent
    complete: bool


class EventSpoolError(CoreError):
    """The events cannot be kept on disk (``path`` is the spool file)."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


class EventSpool(SqliteSpool):
    """One log's events in a new SQLite file in ``folder``. Not thread-safe: make it and
    call it on one thread."""

    KIND = "events"
    WHAT = "the events"
    FILE = "the events file"
    NOUN = "events"
    TABLE = "events"
    SCHEMA = _SCHEMA
    INSERT = "INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?)"
    ERROR = EventSpoolError

    def _row(self, number: int, item: Any) -> Sequence[Any]:
        return (number, item.at, item.kind, encode_text(item.summary), encode_text(item.detail))

    def read(self, numbers: Sequence[int], preview: int) -> list[SpooledEvent]:
        """The events with these numbers (those that exist), details cut to ``preview``
        characters."""
        columns = "n, at, kind, summary, substr(detail, 1, :k), length(detail) <= :k"
        return [
            SpooledEvent(
                n,
                LoggedEvent(at, kind, decode_text(summary), decode_text(detail, cut=not complete)),
                bool(complete),
            )
            for n, at, kind, summary, detail, complete in self._read_rows(columns, numbers, preview)
        ]

    def event(self, number: int) -> LoggedEvent | None:
        """Event ``number`` in full, or None when there is none."""
        row = self._read_one("at, kind, summary, detail", number)
        if row is None:
            return None
        at, kind, summary, detail = row
        return LoggedEvent(at, kind, decode_text(summary), decode_text(detail))
