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

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from apiclient.core.errors import CoreError
from apiclient.core.spool_files import (
    decode_text,
    delete_spool,
    encode_text,
    folder_problem,
    new_spool_path,
    spool_problem,
    write_rows,
)

__all__ = ["EventSpool", "EventSpoolError", "LoggedEvent", "SpooledEvent"]

_READ_CHUNK = 500
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


class EventSpool:
    """One log's events in a new SQLite file in ``folder``. Not thread-safe: make it and
    call it on one thread."""

    def __init__(self, folder: Path) -> None:
        self.path = new_spool_path(folder, "events")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EventSpoolError(
                folder_problem("the events", folder, exc), path=self.path
            ) from exc
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc, "create") from exc
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=OFF")
            self._conn.execute(_SCHEMA)
        except sqlite3.Error as exc:
            self.remove()
            raise self._error(exc, "create") from exc

    def write(self, first: int, events: Sequence[LoggedEvent]) -> None:
        """Store ``events`` numbered from ``first``, in one transaction."""
        try:
            rows = [
                (first + offset, e.at, e.kind, encode_text(e.summary), encode_text(e.detail))
                for offset, e in enumerate(events)
            ]
            write_rows(self._conn, "INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            raise self._error(exc, "write to") from exc
        except Exception as exc:  # an event that cannot be stored: none of the batch is
            raise EventSpoolError(
                f"Cannot write events {first:,}-{first + len(events) - 1:,} to the events "
                f"file {self.path}: {exc}.",
                path=self.path,
            ) from exc

    def read(self, numbers: Sequence[int], preview: int) -> list[SpooledEvent]:
        """The events with these numbers (those that exist), details cut to ``preview``
        characters."""
        wanted = sorted(set(numbers))
        found: list[SpooledEvent] = []
        try:
            for start in range(0, len(wanted), _READ_CHUNK):
                chunk = wanted[start : start + _READ_CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows = self._conn.execute(
                    "SELECT n, at, kind, summary, substr(detail, 1, ?), length(detail) <= ? "
                    f"FROM events WHERE n IN ({marks}) ORDER BY n",
                    (preview, preview, *chunk),
                ).fetchall()
                found += [
                    SpooledEvent(
                        n,
                        LoggedEvent(
                            at,
                            kind,
                            decode_text(summary),
                            decode_text(detail, cut=not complete),
                        ),
                        bool(complete),
                    )
                    for n, at, kind, summary, detail, complete in rows
                ]
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc
        return found

    def event(self, number: int) -> LoggedEvent | None:
        """Event ``number`` in full, or None when there is none."""
        try:
            row = self._conn.execute(
                "SELECT at, kind, summary, detail FROM events WHERE n = ?", (number,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc
        if row is None:
            return None
        at, kind, summary, detail = row
        return LoggedEvent(at, kind, decode_text(summary), decode_text(detail))

    def remove(self) -> None:
        """Close the file and delete it (with its WAL files); the spool is done."""
        delete_spool(self._conn, self.path)

    def _error(self, exc: sqlite3.Error, action: str) -> EventSpoolError:
        text = spool_problem(exc, action, f"the events file {self.path}")
        return EventSpoolError(text, path=self.path)
