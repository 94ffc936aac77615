"""A WebSocket session's whole log on disk, so a day-long session loses nothing and the
window keeps only what is on screen.

Each log (one per WebSocket tab) writes every frame and connection change to its own
SQLite file in the app's spool folder (:mod:`apiclient.core.spool_files`: scratch
space, deleted when the log is cleared or closed, abandoned files swept), numbered as
the log numbers them.

A spool belongs to one thread (the log's writer): every call runs there, in order, so a
page read after a write always sees it. Writes skip fsync (``synchronous=OFF``): losing
the scratch file in a power cut costs nothing that was promised.

Texts are stored as UTF-8 in BLOBs (:func:`~apiclient.core.spool_files.encode_text`):
SQLite's text functions stop at a NUL, so a text frame holding one would read back cut
short, and a frame that is not valid Unicode would fail the write.

Search is over the whole file in SQL: a text frame matches when its text, casefolded,
contains the casefolded needle ("Straße" matches "strasse"), a binary or control frame
when its bytes in hex (``de ad``) do; connection changes show unless searching. The
SQL calls the same Python function (:func:`_contains`) that :class:`LogFilter` uses for
entries still in memory, so both always agree.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiclient.core.spool_files import decode_text, encode_text
from apiclient.core.sqlite_spool import READ_CHUNK, SqliteSpool
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.websocket_events import WsFrame, WsStatus

__all__ = [
    "LogEntry",
    "LogFilter",
    "SpoolError",
    "SpooledEntry",
    "WsSpool",
]

LogEntry = WsFrame | WsStatus

_CONTROL = ("ping", "pong", "close")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    n INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    status INTEGER NOT NULL,     -- 1: a connection change, 0: a frame
    direction TEXT NOT NULL,
    kind TEXT NOT NULL,          -- the frame's kind, or the change's phase
    size INTEGER NOT NULL,
    text BLOB,                   -- a text frame's text, a close frame's reason (UTF-8)
    data BLOB,                   -- a binary, ping or pong frame's bytes
    close_code INTEGER,
    meta TEXT,                   -- a connection change's other fields, as JSON
    plain INTEGER NOT NULL       -- 1: the text is ASCII without a NUL (SQL folds it alike)
)
"""
_COLUMNS = "n, at, status, direction, kind, size, text, data, close_code, meta"
_INSERT = f"INSERT OR REPLACE INTO entries ({_COLUMNS}, plain) VALUES ({', '.join('?' * 11)})"


class SpoolError(ProtocolError):
    """The session's log cannot be kept on disk (``path`` is the spool file); the log
    goes on in memory."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, slots=True)
class SpooledEntry:
    """An entry read back for the table: ``complete`` is False when its payload was cut
    to the preview length (the full entry is one :meth:`WsSpool.entry` away)."""

    number: int
    entry: LogEntry
    complete: bool


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
        """The rule as a function, for entries held in memory."""
        direction, needle, control = self.direction, self.text.casefold(), self.control

        def matches(entry: LogEntry) -> bool:
            if not isinstance(entry, WsFrame):
                return not needle  # connection changes show unless searching
            if entry.kind in _CONTROL and not control:
                return False
            if direction and entry.direction != direction:
                return False
            if needle:
                data = entry.data
                return (
                    _contains(data, None, needle)
                    if isinstance(data, str)
                    else _contains(None, data, needle)
                )
            return True

        return matches

    def where(self) -> tuple[str, dict[str, object]]:
        """The rule as an SQL condition and its parameters (for :meth:`WsSpool.matching`)."""
        clauses: list[str] = []
        params: dict[str, object] = {}
        if not self.control:
            clauses.append(f"NOT (status = 0 AND kind IN {_CONTROL!r})")
        if self.direction:
            clauses.append("(status = 1 OR direction = :direction)")
            params["direction"] = self.direction
        needle = self.text.casefold()
        if needle:
            params["needle"] = needle
            # A plain text (ASCII, no NUL) folds in SQL as casefold() does; only the
            # others need the Python function (a non-ASCII needle: only they can hold it).
            plain = "plain AND instr(lower(text), :needle) > 0" if needle.isascii() else "0"
            clauses.append(
                f"status = 0 AND ((text IS NOT NULL AND ({plain} OR (NOT plain AND "
                "ws_contains(text, NULL, :needle)))) "
                "OR (data IS NOT NULL AND ws_contains(NULL, data, :needle)))"
            )
        return (" AND ".join(clauses) or "1"), params


def _contains(text: str | bytes | None, data: bytes | None, needle: str) -> bool:
    """Whether the casefolded ``needle`` is in ``text`` (casefolded; as stored, or as
    held in memory) or ``data`` in hex."""
    if text is not None:
        return needle in decode_text(text).casefold()
    if data is not None:
        return needle in bytes(data).hex(" ")
    return False


class WsSpool(SqliteSpool):
    """One log's entries in a new SQLite file in ``folder`` (see the module docstring).

    Not thread-safe: make it and call it on one thread.
    """

    KIND = "ws"
    WHAT = "the session's log"
    FILE = "the session's log file"
    NOUN = "entries"
    TABLE = "entries"
    SCHEMA = _SCHEMA
    INSERT = _INSERT
    ERROR = SpoolError

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.create_function("ws_contains", 3, _contains, deterministic=True)

    def _row(self, number: int, item: Any) -> Sequence[Any]:
        return _row(number, item)

    def read(self, numbers: Sequence[int], preview: int) -> list[SpooledEntry]:
        """The entries with these numbers (those that exist), payloads cut to ``preview``
        characters or bytes."""
        columns = (
            "n, at, status, direction, kind, size, substr(text, 1, :k), substr(data, 1, :k), "
            "close_code, meta, text IS NULL OR length(text) <= :k, "
            "data IS NULL OR length(data) <= :k"
        )
        found: list[SpooledEntry] = []
        for row in self._read_rows(columns, numbers, preview):
            complete = bool(row[10] and row[11])
            found.append(SpooledEntry(row[0], _entry(row[:10], cut=not complete), complete))
        return found

    def entry(self, number: int) -> LogEntry | None:
        """Entry ``number`` in full, or None when there is none."""
        row = self._read_one(_COLUMNS, number)
        return None if row is None else _entry(row)

    def matching(self, log_filter: LogFilter, upto: int) -> array[int]:
        """The numbers of the entries up to ``upto`` that ``log_filter`` shows, in order."""
        condition, params = log_filter.where()
        params["upto"] = upto
        found: array[int] = array("q")
        try:
            cursor = self._conn.execute(
                f"SELECT n FROM entries WHERE n <= :upto AND {condition} ORDER BY n", params
            )
            while rows := cursor.fetchmany(10_000):
                found.extend(row[0] for row in rows)
        except sqlite3.Error as exc:
            raise self._error(exc, "search") from exc
        return found

    def entries(self, upto: int) -> Iterator[tuple[int, LogEntry]]:
        """Every entry up to ``upto`` in full, oldest first, read a chunk at a time."""
        after = 0
        while True:
            try:
                rows = self._conn.execute(
                    f"SELECT {_COLUMNS} FROM entries WHERE n > ? AND n <= ? ORDER BY n LIMIT ?",
                    (after, upto, READ_CHUNK),
                ).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc, "read") from exc
            if not rows:
                return
            for row in rows:
                yield row[0], _entry(row)
            after = rows[-1][0]


def _row(number: int, entry: LogEntry) -> tuple[Any, ...]:
    if isinstance(entry, WsFrame):
        payload = entry.data
        text = encode_text(payload) if isinstance(payload, str) else None
        data = payload if isinstance(payload, bytes) else None
        plain = isinstance(payload, str) and payload.isascii() and "\0" not in payload
        return (
            number,
            entry.at,
            0,
            entry.direction,
            entry.kind,
            entry.size,
            text,
            data,
            entry.close_code,
            None,
            plain,
        )
    meta = {
        "url": entry.url,
        "subprotocol": entry.subprotocol,
        "headers": [list(pair) for pair in entry.response_headers],
        "close_reason": entry.close_reason,
        "closed_by": entry.closed_by,
        "error": None if entry.error is None else str(entry.error),
        "attempt": entry.attempt,
        "retry_in_s": entry.retry_in_s,
    }
    return (
        number,
        entry.at,
        1,
        "",
        entry.phase,
        0,
        None,
        None,
        entry.close_code,
        json.dumps(meta),  # ASCII escapes: a lone surrogate in an error message is kept
        False,
    )


def _entry(row: Sequence[Any], *, cut: bool = False) -> LogEntry:
    _n, at, status, direction, kind, size, text, data, close_code, meta = row
    if not status:
        payload: str | bytes = (
            decode_text(text, cut=cut) if text is not None else bytes(data or b"")
        )
        return WsFrame(direction, kind, at, payload, size, close_code)
    fields = json.loads(meta)
    error = fields["error"]
    return WsStatus(
        phase=kind,
        at=at,
        url=fields["url"],
        subprotocol=fields["subprotocol"],
        response_headers=tuple((str(name), str(value)) for name, value in fields["headers"]),
        close_code=close_code,
        close_reason=fields["close_reason"],
        closed_by=fields["closed_by"],
        error=None if error is None else ProtocolError(error),
        attempt=fields["attempt"],
        retry_in_s=fields["retry_in_s"],
    )
