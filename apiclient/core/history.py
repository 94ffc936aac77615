"""Sent requests, kept in one SQLite file in the user's data folder.

Each entry keeps the request as the user wrote it (``{{variables}}`` unresolved, so
reopening it works in any environment), a summary of how the send ended, and a preview
of the response body: its first ``PREVIEW_BYTES`` at most, never the whole body (which
may be hundreds of megabytes), with the full size in ``size``. Secrets never reach the
file: auth passwords, tokens, keys and client secrets, WS-Security passwords, secret
request variables and credential headers are blanked before the write; in the preview, the values of
credential-looking keys (``access_token``, ``password``, ``client_secret``,
``Authorization``... as JSON, form, XML or header lines) are masked here, and the
values of the secret variables in scope by the tab that sent the request
(:mod:`~apiclient.core.preview_redact`). The entry lists what was blanked or masked
(``redacted``) so the UI can say so when it is reopened. A value made only of
``{{variable}}`` references is no secret itself and is kept. The preview is otherwise
the body as received: data that is sensitive without looking like a credential (names,
addresses) is kept.

Threads: the window writes from workers (``asyncio.to_thread``), so every thread gets
its own connection (WAL lets readers go on while one writer commits) and writes queue
on a lock; :class:`~apiclient.core.sqlite_file.SqliteFile` does both. The cap is kept
cheaply: every ``prune_every`` adds (about 1/20 of the cap), the oldest entries over
``max_entries`` are deleted, so the file may briefly hold a few more than the cap,
never many. The cap may change while the store is open (``set_max_entries``, the
user's history size); the next add prunes to the new one.

A file that is not a usable history (damaged, not SQLite) is moved aside, a new one is
started, and :attr:`HistoryStore.recovered_from` names the moved file so the caller can
tell the user. Other SQLite failures (locked, read-only, disk full) raise
:class:`HistoryError` with a sentence naming the file and what to try.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from apiclient.core.auth_fields import SECRET_AUTH_FIELDS
from apiclient.core.errors import CoreError
from apiclient.core.models import (
    AnyRequest,
    Auth,
    BatchRequest,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    Request,
    RestRequest,
    SoapRequest,
    Variable,
)
from apiclient.core.paths import data_dir
from apiclient.core.preview_redact import redact_preview
from apiclient.core.secret_fields import only_references, split_secret_fields
from apiclient.core.sqlite_file import (
    SqliteFile,
    SqliteProblem,
    SqliteStore,
    classify,
    insert_row,
    is_damage,
)
from apiclient.core.store_format import request_doc
from apiclient.core.urls import join_url

__all__ = [
    "HISTORY_FILE",
    "PREVIEW_BYTES",
    "HistoryEntry",
    "HistoryError",
    "HistoryStore",
    "HistorySummary",
    "default_history_path",
    "describe_request",
    "redact_request",
]

HISTORY_FILE = "history.sqlite3"
SCHEMA_VERSION = 2
PREVIEW_BYTES = 64 * 1024
_BUSY_TIMEOUT_S = 5.0
# Header values that carry credentials whatever the request kind.
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"}
)
_M = TypeVar("_M", bound=BaseModel)
_REQUEST_ADAPTER: TypeAdapter[AnyRequest] = TypeAdapter(Request)

# Each entry upgrades the schema from version N (its index) to N + 1.
_MIGRATIONS: tuple[str, ...] = (
    """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: newest first is id order
    sent_at TEXT NOT NULL,                 -- UTC, ISO 8601
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    elapsed_ms REAL,
    size INTEGER,
    error TEXT NOT NULL,
    environment TEXT NOT NULL,
    redacted TEXT NOT NULL,                -- JSON list of what was blanked
    request TEXT NOT NULL,                 -- the request document as JSON
    search_text TEXT NOT NULL              -- casefolded name, method, url, status
)
""",
    # 2: the start of the response body (at most PREVIEW_BYTES) and its content type.
    """
ALTER TABLE entries ADD COLUMN preview BLOB NOT NULL DEFAULT x'';
ALTER TABLE entries ADD COLUMN preview_type TEXT NOT NULL DEFAULT ''
""",
)
_SUMMARY_COLUMNS = "id, sent_at, kind, name, method, url, status, elapsed_ms, size, error"


class HistoryError(CoreError):
    """The history file could not be opened, read or written; ``path`` says which."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class HistorySummary:
    """One row of the history list: enough to show it, without the request."""

    id: int
    sent_at: str
    kind: str
    name: str
    method: str  # the HTTP method, or a label ("SOAP", "gRPC")
    url: str  # URL, endpoint or gRPC target and method
    status: str  # "200 OK", "Fault", "NOT_FOUND"... or the error's title
    elapsed_ms: float | None
    size: int | None  # response bytes
    error: str  # "" when a response came back


@dataclass(frozen=True)
class HistoryEntry:
    """A sent request and how its send ended; ``id`` is 0 until stored."""

    sent_at: str
    request: AnyRequest
    status: str
    elapsed_ms: float | None = None
    size: int | None = None
    error: str = ""
    environment: str = ""
    redacted: tuple[str, ...] = ()
    id: int = 0
    preview: bytes = b""  # the start of the response body; ``size`` is its whole size
    preview_type: str = ""  # the response's Content-Type

    @property
    def preview_is_partial(self) -> bool:
        """Whether the body was larger than its preview."""
        return self.size is not None and self.size > len(self.preview)

    @classmethod
    def now(
        cls,
        request: AnyRequest,
        status: str,
        *,
        elapsed_ms: float | None = None,
        size: int | None = None,
        error: str = "",
        environment: str = "",
        sent_at: datetime | None = None,
        preview: bytes = b"",
        preview_type: str = "",
        redacted: tuple[str, ...] = (),
    ) -> HistoryEntry:
        """An entry for ``request`` sent at ``sent_at`` (now when not given); ``preview``
        is cut to ``PREVIEW_BYTES``; ``redacted`` says what the caller masked in it (the
        values of secret variables, which only the caller knows)."""
        when = (sent_at or datetime.now(UTC)).astimezone(UTC)
        return cls(
            sent_at=when.isoformat(timespec="milliseconds"),
            request=request,
            status=status,
            elapsed_ms=elapsed_ms,
            size=size,
            error=error,
            environment=environment,
            preview=preview[:PREVIEW_BYTES],
            preview_type=preview_type,
            redacted=redacted,
        )

    @property
    def kind(self) -> str:
        return self.request.kind

    @property
    def name(self) -> str:
        return self.request.name


def default_history_path() -> Path:
    """Where the app keeps its history: ``history.sqlite3`` in the user's data folder."""
    return data_dir() / HISTORY_FILE


def describe_request(request: AnyRequest) -> tuple[str, str]:
    """(method or label, URL or target) as the history list shows them."""
    if isinstance(request, RestRequest):
        return request.method.upper(), join_url(request.url, request.params)
    if isinstance(request, BatchRequest):
        return request.method.upper(), request.url
    if isinstance(request, GraphqlRequest):
        return request.method, request.url
    if isinstance(request, SoapRequest):
        return "SOAP", request.endpoint or request.wsdl
    if isinstance(request, GrpcRequest):
        method = request.method.rsplit("/", 1)[-1] if request.method else ""
        return "gRPC", f"{request.target}/{method}" if method else request.target
    return request.kind.upper(), getattr(request, "url", "")


def redact_request(request: AnyRequest) -> tuple[AnyRequest, tuple[str, ...]]:
    """``request`` without its secrets, and what was blanked (for a note to the user)."""
    redacted: list[str] = []
    update: dict[str, Any] = {}
    auth = getattr(request, "auth", None)
    if isinstance(auth, Auth):
        blank = _blank_fields(auth, SECRET_AUTH_FIELDS, "auth", redacted)
        if blank is not auth:
            update["auth"] = blank
    if isinstance(request, SoapRequest):
        wsse = _blank_fields(request.wsse, ("password",), "WS-Security", redacted)
        if wsse is not request.wsse:
            update["wsse"] = wsse
    for field in ("headers", "metadata"):
        rows = getattr(request, field, None)
        if isinstance(rows, list):
            kept = _blank_headers(rows, redacted)
            if kept is not rows:
                update[field] = kept
    variables = _blank_variables(request.variables, redacted)
    if variables is not request.variables:
        update["variables"] = variables
    cleaned = request.model_copy(update=update) if update else request
    cleaned, fields = split_secret_fields(cleaned)
    redacted.extend(f"secret field {name}" for name in fields)
    return cleaned, tuple(redacted)


def _is_secret(value: str) -> bool:
    return bool(value) and not only_references(value)


def _blank_fields(model: _M, names: tuple[str, ...], label: str, redacted: list[str]) -> _M:
    secret = {name: "" for name in names if _is_secret(getattr(model, name))}
    if not secret:
        return model
    redacted.extend(f"{label} {name.replace('_', ' ')}" for name in secret)
    copied: _M = model.model_copy(update=secret)
    return copied


def _blank_headers(rows: list[KeyValue], redacted: list[str]) -> list[KeyValue]:
    if not any(r.name.strip().lower() in _SECRET_HEADERS and _is_secret(r.value) for r in rows):
        return rows
    kept = []
    for row in rows:
        if row.name.strip().lower() in _SECRET_HEADERS and _is_secret(row.value):
            redacted.append(f"header {row.name.strip()}")
            row = row.model_copy(update={"value": ""})
        kept.append(row)
    return kept


def _blank_variables(variables: list[Variable], redacted: list[str]) -> list[Variable]:
    if not any(v.secret and _is_secret(v.value) for v in variables):
        return variables
    kept = []
    for variable in variables:
        if variable.secret and _is_secret(variable.value):
            redacted.append(f"variable {variable.name}")
            variable = variable.model_copy(update={"value": ""})
        kept.append(variable)
    return kept


class HistoryStore(SqliteStore):
    """The history in the SQLite file at ``path``; safe to share between threads.

    Opening creates the file (and its folder) when missing; a damaged file is moved
    aside (see :attr:`recovered_from`). :meth:`close` closes every thread's connection
    once the calls running in other threads have ended.
    """

    def __init__(self, path: Path, *, max_entries: int = 5000) -> None:
        self._adds_since_prune = 0
        self._prune_lock = threading.Lock()  # guards _adds_since_prune and cap changes
        self._set_cap(max_entries)
        self.recovered_from: Path | None = None
        super().__init__(SqliteFile(path, busy_timeout_s=_BUSY_TIMEOUT_S))

    def set_max_entries(self, max_entries: int) -> None:
        """Keep ``max_entries`` from now on (the user changed the history size). Nothing
        is deleted here: the next add prunes to the new cap, so a smaller cap takes
        effect with the next request sent."""
        with self._prune_lock:
            self._set_cap(max_entries)
            self._adds_since_prune = self.prune_every  # prune on the next add

    def _set_cap(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.prune_every = max(1, min(100, max_entries // 20))

    # -- writing ---------------------------------------------------------------------

    def add(self, entry: HistoryEntry) -> HistoryEntry:
        """Store ``entry`` (secrets blanked, credentials in its preview masked) under a
        new id and commit; return it as stored, with its id and ``redacted`` filled in
        (what the entry said was masked before, and what was blanked here)."""
        request, redacted = redact_request(entry.request)
        preview, masked = redact_preview(entry.preview[:PREVIEW_BYTES], entry.preview_type)
        notes = tuple(dict.fromkeys((*redacted, *entry.redacted, *masked)))
        stored = dataclasses.replace(entry, request=request, redacted=notes, preview=preview)
        method, url = describe_request(request)
        row = {
            "sent_at": stored.sent_at,
            "kind": request.kind,
            "name": request.name,
            "method": method,
            "url": url,
            "status": stored.status,
            "elapsed_ms": stored.elapsed_ms,
            "size": stored.size,
            "error": stored.error,
            "environment": stored.environment,
            "redacted": json.dumps(list(notes)),
            "request": json.dumps(request_doc(request), ensure_ascii=False),
            "search_text": "\n".join((request.name, method, url, stored.status)).casefold(),
            "preview": stored.preview,
            "preview_type": stored.preview_type,
        }
        with self._guard("save to"), self._file.transaction() as conn:
            entry_id = insert_row(conn, "entries", row)
        with self._prune_lock:
            self._adds_since_prune += 1
            due = self._adds_since_prune >= self.prune_every
            if due:
                self._adds_since_prune = 0
        if due:
            self.prune()
        return dataclasses.replace(stored, id=entry_id)

    def prune(self) -> int:
        """Delete the oldest entries beyond ``max_entries``; returns how many went."""
        with self._guard("prune"), self._file.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM entries WHERE id <= (SELECT id FROM entries ORDER BY id DESC "
                "LIMIT 1 OFFSET ?)",
                (self.max_entries,),
            )
            return cursor.rowcount

    def delete(self, entry_id: int) -> bool:
        """Delete one entry; False when there was no such id."""
        with self._guard("delete from"), self._file.transaction() as conn:
            return conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,)).rowcount > 0

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        with self._guard("clear"), self._file.transaction() as conn:
            return conn.execute("DELETE FROM entries").rowcount

    # -- reading ---------------------------------------------------------------------

    def search(
        self,
        text: str = "",
        *,
        kind: str | None = None,
        limit: int = 200,
        before_id: int | None = None,
    ) -> list[HistorySummary]:
        """Up to ``limit`` entries, newest first, whose name, method, URL or status holds
        ``text`` (any case); ``before_id`` pages on to older entries."""
        where: list[str] = []
        params: dict[str, object] = {"limit": max(0, limit)}
        needle = text.strip().casefold()
        if needle:
            where.append("instr(search_text, :needle) > 0")
            params["needle"] = needle
        if kind:
            where.append("kind = :kind")
            params["kind"] = kind
        if before_id is not None:
            where.append("id < :before_id")
            params["before_id"] = before_id
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT :limit"
        with self._guard("read"):
            rows = self._connection().execute(sql, params).fetchall()
        return [_summary(row) for row in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        """The whole entry; raises :class:`HistoryError` when it is gone."""
        sql = (
            "SELECT sent_at, status, elapsed_ms, size, error, environment, redacted, request, "
            "preview, preview_type FROM entries WHERE id = ?"
        )
        with self._guard("read"):
            row = self._connection().execute(sql, (entry_id,)).fetchone()
        if row is None:
            raise HistoryError(
                f"History entry {entry_id} is gone (deleted or pruned as the oldest).",
                self._path,
            )
        sent_at, status, elapsed_ms, size, error, environment, redacted, doc = row[:8]
        preview, preview_type = row[8:]
        try:
            request = _REQUEST_ADAPTER.validate_python(json.loads(doc))
        except (ValueError, ValidationError) as exc:
            raise HistoryError(
                f"History entry {entry_id} in {self._path} cannot be read back as a "
                f"request ({exc.__class__.__name__}); delete it.",
                self._path,
            ) from exc
        return HistoryEntry(
            sent_at=sent_at,
            request=request,
            status=status,
            elapsed_ms=elapsed_ms,
            size=size,
            error=error,
            environment=environment,
            redacted=tuple(json.loads(redacted)),
            id=entry_id,
            preview=bytes(preview),
            preview_type=str(preview_type),
        )

    def count(self) -> int:
        with self._guard("read"):
            (total,) = self._connection().execute("SELECT count(*) FROM entries").fetchone()
        return int(total)

    # -- opening ---------------------------------------------------------------------

    def _open(self) -> None:
        """Prepare the file; a damaged one is moved aside and a new one started."""
        try:
            with self._guard("open"):
                self._prepare()
        except HistoryError as exc:
            cause = exc.__cause__
            if not isinstance(cause, sqlite3.DatabaseError) or not is_damage(cause):
                raise
            try:
                aside = self._file.move_aside()
            except OSError as move_error:
                raise HistoryError(
                    f"The request history {self._path} is damaged and could not be moved "
                    f"aside ({move_error.strerror or move_error}). Move or delete it to "
                    "start a new history.",
                    self._path,
                ) from move_error
            self.recovered_from = aside
            with self._guard("open"):
                self._prepare()

    def _prepare(self) -> None:
        version = self._file.schema_version()
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"The request history {self._path} was written by a newer apiclient "
                f"(schema {version}, this one knows {SCHEMA_VERSION}). Update apiclient; "
                "the file was left as it is.",
                self._path,
            )
        self._file.use_wal()
        self._file.migrate(_MIGRATIONS)
        with self._prune_lock:
            self._adds_since_prune = self.prune_every  # prune on the first add

    def _folder_error(self, exc: OSError) -> HistoryError:
        return HistoryError(
            f"Cannot create the folder {self._path.parent} for the request history: "
            f"{exc.strerror or exc}. Check that you may write to it.",
            self._path,
        )

    def _closed_error(self) -> HistoryError:
        return HistoryError(f"The request history {self._path} is closed.", self._path)

    def _failure(self, exc: sqlite3.Error, action: str) -> HistoryError:
        return HistoryError(_explain(exc, action, self._path), self._path)


def _explain(exc: sqlite3.Error, action: str, path: Path) -> str:
    where = f"the request history {path}"
    problem = classify(exc)
    if problem in (SqliteProblem.NOT_A_DATABASE, SqliteProblem.DAMAGED):
        return f"Cannot {action} {where}: the file is damaged or not a SQLite database."
    if problem is SqliteProblem.LOCKED:
        return (
            f"Cannot {action} {where}: another program keeps it locked. Close other copies "
            "of apiclient and try again."
        )
    if problem is SqliteProblem.READ_ONLY:
        return f"Cannot {action} {where}: the file or its folder is read-only."
    if problem is SqliteProblem.DISK_FULL:
        return f"Cannot {action} {where}: the disk is full. Free some space and try again."
    return f"Cannot {action} {where}: {exc}."


def _summary(row: tuple[Any, ...]) -> HistorySummary:
    entry_id, sent_at, kind, name, method, url, status, elapsed_ms, size, error = row
    return HistorySummary(
        id=int(entry_id),
        sent_at=str(sent_at),
        kind=str(kind),
        name=str(name),
        method=str(method),
        url=str(url),
        status=str(status),
        elapsed_ms=None if elapsed_ms is None else float(elapsed_ms),
        size=None if size is None else int(size),
        error=str(error),
    )
