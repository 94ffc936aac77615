"""The webhook inbox: every captured event in one SQLite file, kept across restarts.

The receiver's server thread writes while worker threads of the window read, so each
thread gets its own connection (SQLite in WAL mode lets readers go on while one writer
commits) and writes are serialised by a lock, so writers queue here rather than spin
on SQLite's busy handler. :meth:`WebhookStore.add` commits before it returns: the
receiver answers the sender only once the event is safe on disk (``synchronous=NORMAL``
in WAL mode survives a crash of the app; a power cut may lose the last commits).

The schema is numbered with ``PRAGMA user_version`` and migrated forward on open. A
file that is not a usable inbox (not SQLite, damaged, another program's database, or
written by a newer apiclient) is reported with its path and left exactly as it was.

Search is a case-insensitive substring match over the request's line, its sender, its
verdict, its headers and its body. The text columns are folded into one column when
stored; bodies are searched by a function registered on each connection: an ASCII
needle is looked for in the raw bytes with ASCII case folding (right for any body, text
in any ASCII-compatible charset or binary), any other needle in the body decoded as
UTF-8 (bad bytes replaced, never an error).

Every ``sqlite3`` failure becomes a :class:`WebhookStoreError` with a sentence naming the
file and what to try.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from apiclient.core.paths import data_dir
from apiclient.core.sqlite_file import (
    SqliteFile,
    SqliteProblem,
    SqliteStore,
    classify,
    insert_row,
)
from apiclient.protocols.errors import WebhookStoreError
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent

__all__ = ["INBOX_FILE", "SCHEMA_VERSION", "WebhookStore", "default_inbox_path"]

INBOX_FILE = "webhooks.sqlite3"
SCHEMA_VERSION = 1
_BUSY_TIMEOUT_S = 10.0
_DELETE_CHUNK = 500  # ids per DELETE or SELECT, well under SQLite's limit on bound parameters

# Each entry upgrades the schema from version N (its index) to N + 1.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so ids only grow
        received_at REAL NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        query TEXT NOT NULL,
        source TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        verdict_reason TEXT NOT NULL,
        response_status INTEGER NOT NULL,
        note TEXT NOT NULL,
        headers TEXT NOT NULL,      -- JSON: [[name, value], ...] in arrival order
        body BLOB NOT NULL,
        search_text TEXT NOT NULL   -- casefolded text columns and headers, for search
    );
    """,
)
_SUMMARY_COLUMNS = (
    "id, received_at, method, path, query, source, content_type, size, verdict, "
    "verdict_reason, response_status, note"
)
_SEARCH_WHERE = "(instr(search_text, :needle) > 0 OR webhook_body_contains(body, :needle))"


def default_inbox_path() -> Path:
    """Where the app keeps its inbox: ``webhooks.sqlite3`` in the user's data folder."""
    return data_dir() / INBOX_FILE


class WebhookStore(SqliteStore):
    """The captured events in the SQLite file at ``path``; safe to share between threads.

    Opening creates the file (and its folder) when missing. :meth:`close` waits for the
    calls running in other threads, then closes the connections of every thread; any
    call after it raises :class:`WebhookStoreError`. The per-thread connections, the
    write lock and WAL come from :class:`~apiclient.core.sqlite_file.SqliteFile`.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(
            SqliteFile(path, busy_timeout_s=_BUSY_TIMEOUT_S, on_connect=_register_functions)
        )

    def add(self, event: WebhookEvent) -> WebhookEvent:
        """Store ``event`` under a new id (its own id is ignored) and commit; return it
        with that id."""
        return self.add_many([event])[0]

    def add_many(self, events: Sequence[WebhookEvent]) -> list[WebhookEvent]:
        """Store ``events`` in one transaction (all of them or, on an error, none) and
        commit; return them with their new ids, in order. One commit for a burst of
        events costs about what one commit for a single event does."""
        rows = [_row(event) for event in events]
        with self._guard("save an event to"), self._file.transaction() as conn:
            ids = [insert_row(conn, "events", row) for row in rows]
        return [
            dataclasses.replace(event, summary=dataclasses.replace(event.summary, id=new_id))
            for event, new_id in zip(events, ids, strict=True)
        ]

    def summaries(
        self, *, search: str = "", limit: int = 1000, before_id: int | None = None
    ) -> list[EventSummary]:
        """Up to ``limit`` events, newest first, without headers or bodies; ``before_id``
        pages on (events older than that id); ``search`` as in the module docstring."""
        where, params = _where(search)
        if before_id is not None:
            where.append("id < :before_id")
            params["before_id"] = before_id
        params["limit"] = max(0, limit)
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT :limit"
        with self._guard("read"):
            rows = self._connection().execute(sql, params).fetchall()
        return [_summary(row) for row in rows]

    def ids(self, search: str = "", *, upto: int | None = None) -> array[int]:
        """The ids of every event (matching ``search`` when given; up to ``upto`` when
        given), oldest first: the inbox's exact row list, 8 bytes an event."""
        where, params = _where(search)
        if upto is not None:
            where.append("id <= :upto")
            params["upto"] = upto
        sql = "SELECT id FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        found: array[int] = array("q")
        with self._guard("read"):
            cursor = self._connection().execute(sql + " ORDER BY id", params)
            while rows := cursor.fetchmany(10_000):
                found.extend(row[0] for row in rows)
        return found

    def summaries_by_ids(self, ids: Sequence[int]) -> list[EventSummary]:
        """The events with these ids (those still stored), without headers or bodies."""
        wanted = sorted({int(event_id) for event_id in ids})
        found: list[EventSummary] = []
        with self._guard("read"):
            conn = self._connection()
            for start in range(0, len(wanted), _DELETE_CHUNK):
                chunk = wanted[start : start + _DELETE_CHUNK]
                marks = ", ".join("?" * len(chunk))
                sql = f"SELECT {_SUMMARY_COLUMNS} FROM events WHERE id IN ({marks})"
                found += [_summary(row) for row in conn.execute(sql, chunk).fetchall()]
        return found

    def get(self, event_id: int) -> WebhookEvent | None:
        """The whole event, or None when there is no such id (deleted, cleared)."""
        sql = f"SELECT {_SUMMARY_COLUMNS}, headers, body FROM events WHERE id = ?"
        with self._guard("read"):
            row = self._connection().execute(sql, (event_id,)).fetchone()
        if row is None:
            return None
        headers = tuple((str(name), str(value)) for name, value in json.loads(row[12]))
        return WebhookEvent(summary=_summary(row[:12]), headers=headers, body=bytes(row[13]))

    def count(self, search: str = "", *, before_id: int | None = None) -> int:
        """How many events there are (matching ``search`` when given; older than
        ``before_id`` when given, to count what a ``summaries`` call pages through)."""
        where, params = _where(search)
        if before_id is not None:
            where.append("id < :before_id")
            params["before_id"] = before_id
        sql = "SELECT count(*) FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._guard("read"):
            (total,) = self._connection().execute(sql, params).fetchone()
        return int(total)

    def delete(self, ids: Iterable[int]) -> int:
        """Delete these events; returns how many there were (unknown ids are ignored)."""
        wanted = sorted({int(event_id) for event_id in ids})
        if not wanted:
            return 0
        deleted = 0
        with self._guard("delete events from"), self._file.transaction() as conn:
            for start in range(0, len(wanted), _DELETE_CHUNK):
                chunk = wanted[start : start + _DELETE_CHUNK]
                marks = ", ".join("?" * len(chunk))
                deleted += conn.execute(f"DELETE FROM events WHERE id IN ({marks})", chunk).rowcount
        return deleted

    def clear(self) -> int:
        """Delete every event; returns how many there were. Ids keep growing after it."""
        with self._guard("clear"), self._file.transaction() as conn:
            return conn.execute("DELETE FROM events").rowcount

    # -- opening ---------------------------------------------------------------------

    @property
    def _connections(self) -> list[tuple[threading.Thread, sqlite3.Connection]]:
        """The open connections and their threads (those of ended threads included)."""
        return self._file.connections

    def _open(self) -> None:
        with self._guard("open"):
            self._prepare()

    def _prepare(self) -> None:
        """Check the file is an inbox this version can use, then set it up and migrate.

        The first statement only reads, so a file that is not a database is refused
        before SQLite writes anything to it.
        """
        version = self._file.schema_version()
        if version > SCHEMA_VERSION:
            raise WebhookStoreError(
                f"The webhook inbox {self._path} was written by a newer version of apiclient "
                f"(schema {version}, this one knows {SCHEMA_VERSION}). Update apiclient, or "
                "choose another inbox file; this one was left as it is.",
                path=str(self._path),
            )
        if version == 0:
            tables = (
                self._connection()
                .execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
                .fetchone()[0]
            )
            if tables:
                raise WebhookStoreError(
                    f"{self._path} is a SQLite database of another program, not a webhook "
                    "inbox. Choose another file; this one was left as it is.",
                    path=str(self._path),
                )
        self._file.use_wal()
        self._file.migrate(_MIGRATIONS)

    def _folder_error(self, exc: OSError) -> WebhookStoreError:
        return WebhookStoreError(
            f"Cannot create the folder {self._path.parent} for the webhook inbox: "
            f"{exc.strerror or exc}. Choose a folder you may write to.",
            path=str(self._path),
        )

    def _closed_error(self) -> WebhookStoreError:
        return WebhookStoreError(
            f"The webhook inbox {self._path} is closed; open it again to use it.",
            path=str(self._path),
        )

    def _failure(self, exc: sqlite3.Error, action: str) -> WebhookStoreError:
        return WebhookStoreError(_explain(exc, action, self._path), path=str(self._path))


def _register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("webhook_body_contains", 2, _body_contains, deterministic=True)


def _explain(exc: sqlite3.Error, action: str, path: Path) -> str:
    """A sentence for a failed ``action`` ("open", "read", "save an event to"...)."""
    where = f"the webhook inbox {path}"
    problem = classify(exc)
    if problem is SqliteProblem.NOT_A_DATABASE:
        return (
            f"Cannot {action} {where}: the file is not a SQLite database, or it is damaged. "
            "Move it away (or choose another inbox file) and start again; apiclient leaves "
            "it as it is."
        )
    if problem is SqliteProblem.DAMAGED:
        return (
            f"Cannot {action} {where}: the database is damaged ({exc}). Move the file away "
            "to start a new inbox; apiclient leaves it as it is."
        )
    if problem is SqliteProblem.DISK_FULL:
        return f"Cannot {action} {where}: the disk is full. Free some space and try again."
    if problem is SqliteProblem.READ_ONLY:
        return (
            f"Cannot {action} {where}: the file or its folder is read-only. Make them "
            "writable, or choose an inbox in a folder you may write to."
        )
    if problem is SqliteProblem.CANNOT_OPEN:
        return (
            f"Cannot {action} {where}: the file cannot be opened or created. Check that the "
            "folder exists and that you may write to it."
        )
    if problem is SqliteProblem.LOCKED:
        return (
            f"Cannot {action} {where}: another program keeps the database locked. Close "
            "other copies of apiclient (or tools holding the file) and try again."
        )
    if problem is SqliteProblem.DISK_ERROR:
        return (
            f"Cannot {action} {where}: the disk reported an error ({exc}). Check the disk, "
            "or choose an inbox on another one."
        )
    return f"Cannot {action} {where}: {exc}."


def _row(event: WebhookEvent) -> dict[str, object]:
    summary = event.summary
    return {
        "received_at": summary.received_at,
        "method": summary.method,
        "path": summary.path,
        "query": summary.query,
        "source": summary.source,
        "content_type": summary.content_type,
        "size": summary.size,
        "verdict": summary.verdict,
        "verdict_reason": summary.verdict_reason,
        "response_status": summary.response_status,
        "note": summary.note,
        "headers": json.dumps([list(pair) for pair in event.headers], ensure_ascii=False),
        "body": bytes(event.body),
        "search_text": _search_text(summary, event.headers),
    }


def _search_text(summary: EventSummary, headers: Iterable[tuple[str, str]]) -> str:
    parts = [
        summary.method,
        summary.path,
        summary.query,
        summary.source,
        summary.content_type,
        summary.verdict,
        summary.verdict_reason,
        summary.note,
    ]
    for name, value in headers:
        parts.append(f"{name}: {value}")
    return "\n".join(parts).casefold()


def _where(search: str) -> tuple[list[str], dict[str, object]]:
    needle = search.strip().casefold()
    if not needle:
        return [], {}
    return [_SEARCH_WHERE], {"needle": needle}


def _body_contains(body: bytes | None, needle: str | None) -> bool:
    """Whether ``needle`` (casefolded) is in ``body``: see the module docstring."""
    if not body or not needle:
        return False
    if needle.isascii():
        return needle.encode("ascii") in bytes(body).lower()
    return needle in bytes(body).decode("utf-8", errors="replace").casefold()


def _summary(row: Sequence[Any]) -> EventSummary:
    (
        event_id,
        received_at,
        method,
        path,
        query,
        source,
        content_type,
        size,
        verdict,
        verdict_reason,
        response_status,
        note,
    ) = row
    return EventSummary(
        id=int(event_id),
        received_at=float(received_at),
        method=str(method),
        path=str(path),
        query=str(query),
        source=str(source),
        content_type=str(content_type),
        size=int(size),
        verdict=verdict,
        verdict_reason=str(verdict_reason),
        response_status=int(response_status),
        note=str(note),
    )
