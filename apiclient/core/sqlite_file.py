"""One SQLite file shared between threads: the plumbing under the history and the inbox.

Stores that keep their rows in SQLite (the request history, the webhook inbox) are
written by one thread while others read. SQLite connections must not be shared between
threads, so :class:`SqliteFile` opens one connection per thread on first use, puts the
file in WAL mode (readers go on while one writer commits), and serialises writes on a
lock so writers queue here instead of spinning on SQLite's busy handler.

:meth:`SqliteFile.close` waits for the calls running in other threads (those inside
:meth:`SqliteFile.use`) before it closes every connection, so no call loses its
connection halfway. Connections of threads that have ended are closed when the next
thread opens one, so short-lived workers do not pile up open files.

:class:`SqliteStore` is the base of such a store: it creates the folder, opens the file
(closing it again when opening fails), and runs each call inside :meth:`SqliteStore._guard`.
What a store says to the person stays the store's own: this module sorts a ``sqlite3``
failure into a :class:`SqliteProblem`, and each store words it and raises its own error
type. The module itself raises only :class:`SqliteFileClosedError`, which the guard turns
into the store's error.
"""

from __future__ import annotations

import enum
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from apiclient.core.errors import CoreError

__all__ = [
    "SqliteFile",
    "SqliteFileClosedError",
    "SqliteProblem",
    "SqliteStore",
    "classify",
    "insert_row",
    "is_damage",
]


class SqliteFileClosedError(CoreError):
    """A call came after :meth:`SqliteFile.close`; ``path`` is the file."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"The database {path} is closed; open it again to use it.")
        self.path = path


class SqliteProblem(enum.Enum):
    """What kind of failure a ``sqlite3`` error is, for a store to put into words."""

    NOT_A_DATABASE = "not a database"
    DAMAGED = "damaged"
    DISK_FULL = "disk full"
    READ_ONLY = "read-only"
    CANNOT_OPEN = "cannot open"
    LOCKED = "locked"
    DISK_ERROR = "disk error"
    OTHER = "other"


def classify(exc: sqlite3.Error) -> SqliteProblem:
    """Sort ``exc`` by SQLite's error name, or by its text where the name is missing."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return SqliteProblem.NOT_A_DATABASE
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return SqliteProblem.DAMAGED
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return SqliteProblem.DISK_FULL
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return SqliteProblem.READ_ONLY
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return SqliteProblem.CANNOT_OPEN
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return SqliteProblem.LOCKED
    if name.startswith("SQLITE_IOERR") or "disk I/O" in text:
        return SqliteProblem.DISK_ERROR
    return SqliteProblem.OTHER


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file is no usable database (not SQLite, or damaged)."""
    return classify(exc) in (SqliteProblem.NOT_A_DATABASE, SqliteProblem.DAMAGED)


def insert_row(conn: sqlite3.Connection, table: str, row: Mapping[str, object]) -> int:
    """Insert ``row`` (column -> value) into ``table``; returns the new row's id.

    Column and table names come from the store's code, never from the user."""
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    cursor = conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", row)
    assert cursor.lastrowid is not None
    return cursor.lastrowid


class SqliteFile:
    """The SQLite file at ``path`` with one connection per thread; see the module docstring.

    ``on_connect`` runs on every new connection (to register SQL functions, say).
    Nothing touches the file until the first :meth:`connection`.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout_s: float,
        on_connect: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._on_connect = on_connect
        self._local = threading.local()
        self._lock = threading.Lock()  # guards connections, _closed, _shut, _in_use
        self._idle = threading.Condition(self._lock)
        self._write_lock = threading.Lock()
        self.connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False  # close() has begun: no new call may start
        self._shut = False  # close() has closed the connections: none may open
        self._in_use = 0  # calls running now; close() waits for them

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called (it may still be waiting)."""
        return self._closed

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (also while :meth:`close` waits
        for the calls still running)."""
        if self._shut:
            raise SqliteFileClosedError(self.path)
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        with self._lock:
            if self._shut:  # close() finished while this thread waited for the lock
                raise SqliteFileClosedError(self.path)
            self._close_orphans()
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout_s,
                isolation_level=None,  # transactions are explicit (transaction())
                check_same_thread=False,  # close() runs on another thread
            )
            self.connections.append((threading.current_thread(), conn))
        if self._on_connect is not None:
            self._on_connect(conn)
        self._local.conn = conn
        return conn

    @contextmanager
    def use(self) -> Iterator[None]:
        """Count a call as running, so :meth:`close` waits for it to end."""
        with self._lock:
            if self._closed:
                raise SqliteFileClosedError(self.path)
            self._in_use += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_use -= 1
                if not self._in_use:
                    self._idle.notify_all()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on this thread's connection: committed when the block
        ends, rolled back when it raises. Writers of every thread take turns here."""
        conn = self.connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise

    def schema_version(self) -> int:
        """The file's ``PRAGMA user_version``; reading it writes nothing, so a file that
        is not a database is refused before SQLite changes it."""
        return int(self.connection().execute("PRAGMA user_version").fetchone()[0])

    def use_wal(self) -> None:
        """WAL mode, and ``synchronous=NORMAL``: a commit survives a crash of the app; a
        power cut may lose the last commits."""
        conn = self.connection()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")

    def migrate(self, migrations: Sequence[str]) -> None:
        """Run ``migrations[version:]`` in one transaction and set the version to
        ``len(migrations)``; entry N upgrades the schema from version N to N + 1.

        Each entry is SQL statements separated by ``;`` (none inside string literals).
        """
        version = self.schema_version()
        if version >= len(migrations):
            return
        with self.transaction() as conn:
            for script in migrations[version:]:
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {len(migrations)}")

    def move_aside(self) -> Path:
        """Close every connection and rename the file to ``<name>.damaged-<UTC time>``
        (dropping its ``-wal`` and ``-shm`` files), so a new one can start; returns the
        new name. Raises ``OSError`` when the file cannot be moved."""
        self._drop_connections()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return aside

    def close(self) -> None:
        """Close every thread's connection once the calls running in other threads have
        ended; later calls raise :class:`SqliteFileClosedError`. Closing twice is fine.

        Never call it from inside :meth:`use` on the same thread: it would wait for
        itself.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._idle.wait_for(lambda: self._in_use == 0)
            self._shut = True
            connections, self.connections = self.connections, []
        for _, conn in connections:
            conn.close()

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended (called under ``_lock``)."""
        alive = []
        for thread, conn in self.connections:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                conn.close()
        self.connections = alive

    def _drop_connections(self) -> None:
        with self._lock:
            connections, self.connections = self.connections, []
        for _, conn in connections:
            conn.close()
        self._local = threading.local()


class SqliteStore(ABC):
    """Base of a store kept in one :class:`SqliteFile`; safe to share between threads.

    Opening creates the file's folder, then calls :meth:`_open`; when that fails, the
    file is closed again before the error goes on. A subclass sets what :meth:`_open`
    needs before it calls ``super().__init__`` with its file, and words its errors in the
    four abstract methods.
    """

    def __init__(self, file: SqliteFile) -> None:
        self._file = file
        self._path = file.path
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._folder_error(exc) from exc
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        """Close every thread's connection once the calls running in other threads have
        ended; later calls raise. Closing twice is fine."""
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (call it inside :meth:`_guard`)."""
        return self._file.connection()

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Count the call as running (see :meth:`close`) and turn ``sqlite3`` errors into
        the store's own error, worded for a person (``action``: "read", "clear"...)."""
        try:
            with self._file.use():
                yield
        except SqliteFileClosedError as exc:
            raise self._closed_error() from exc
        except sqlite3.Error as exc:
            raise self._failure(exc, action) from exc

    @abstractmethod
    def _open(self) -> None:
        """Check that the file is one this store can use, set it up and migrate it."""

    @abstractmethod
    def _folder_error(self, exc: OSError) -> Exception:
        """The error for a folder that cannot be created."""

    @abstractmethod
    def _closed_error(self) -> Exception:
        """The error for a call after :meth:`close`."""

    @abstractmethod
    def _failure(self, exc: sqlite3.Error, action: str) -> Exception:
        """The error for a failed ``action``."""
