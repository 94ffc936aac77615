"""What every log spool shares: one SQLite scratch file per log, opened in the spool
folder (WAL, no fsync), rows written in one transaction, pages read back by number, and
the file deleted when the log is done. A concrete spool names its table, schema, error
type and wording, and turns its items into rows and back
(:class:`~apiclient.core.event_spool.EventSpool`,
:class:`~apiclient.protocols.websocket_spool.WsSpool`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

from apiclient.core.spool_files import (
    delete_spool,
    folder_problem,
    new_spool_path,
    spool_problem,
    write_rows,
)

__all__ = ["READ_CHUNK", "SqliteSpool"]

READ_CHUNK = 500  # numbers per IN (...), well under SQLite's bound-parameter limit


class _SpoolErrorType(Protocol):
    def __call__(self, message: str, *, path: Path) -> Exception: ...


class SqliteSpool:
    """One log's items in a new SQLite file in ``folder``. Not thread-safe: make it and
    call it on one thread.

    Subclasses set ``KIND`` (the file name's prefix), ``WHAT`` (what the file keeps,
    for a folder problem), ``FILE`` (how a message names the file), ``NOUN`` (what a
    row is, plural), ``TABLE``, ``SCHEMA``, ``INSERT``, ``ERROR`` and :meth:`_row`.
    """

    KIND: ClassVar[str]
    WHAT: ClassVar[str]
    FILE: ClassVar[str]
    NOUN: ClassVar[str]
    TABLE: ClassVar[str]
    SCHEMA: ClassVar[str]
    INSERT: ClassVar[str]
    ERROR: ClassVar[_SpoolErrorType]

    def __init__(self, folder: Path) -> None:
        self.path = new_spool_path(folder, self.KIND)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self.ERROR(folder_problem(self.WHAT, folder, exc), path=self.path) from exc
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc, "create") from exc
        try:
            self._prepare(self._conn)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=OFF")
            self._conn.execute(self.SCHEMA)
        except sqlite3.Error as exc:
            self.remove()
            raise self._error(exc, "create") from exc

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Set up a new connection before the schema (e.g. SQL functions)."""

    def _row(self, number: int, item: Any) -> Sequence[Any]:
        raise NotImplementedError

    def write(self, first: int, items: Sequence[Any]) -> None:
        """Store ``items`` numbered from ``first``, in one transaction."""
        try:
            rows = [self._row(first + offset, item) for offset, item in enumerate(items)]
            write_rows(self._conn, self.INSERT, rows)
        except sqlite3.Error as exc:
            raise self._error(exc, "write to") from exc
        except Exception as exc:  # an item that cannot be stored: none of the batch is
            raise self.ERROR(
                f"Cannot write {self.NOUN} {first:,}-{first + len(items) - 1:,} to "
                f"{self.FILE} {self.path}: {exc}.",
                path=self.path,
            ) from exc

    def _read_rows(self, columns: str, numbers: Sequence[int], preview: int) -> list[Any]:
        """The rows (``columns``, where ``:k`` is ``preview``) numbered ``numbers``,
        those that exist, in order."""
        wanted = sorted(set(numbers))
        table = self.TABLE
        try:
            if wanted and wanted[-1] - wanted[0] + 1 == len(wanted):
                sql = f"SELECT {columns} FROM {table} WHERE n BETWEEN :lo AND :hi ORDER BY n"
                params: dict[str, object] = {"k": preview, "lo": wanted[0], "hi": wanted[-1]}
                return self._conn.execute(sql, params).fetchall()
            rows: list[Any] = []
            for start in range(0, len(wanted), READ_CHUNK):
                chunk = wanted[start : start + READ_CHUNK]
                marks = ", ".join(f":n{i}" for i in range(len(chunk)))
                params = {"k": preview, **{f"n{i}": n for i, n in enumerate(chunk)}}
                sql = f"SELECT {columns} FROM {table} WHERE n IN ({marks}) ORDER BY n"
                rows += self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc
        return rows

    def _read_one(self, columns: str, number: int) -> Any:
        """Row ``number`` (``columns``), or None when there is none."""
        try:
            return self._conn.execute(
                f"SELECT {columns} FROM {self.TABLE} WHERE n = ?", (number,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc

    def remove(self) -> None:
        """Close the file and delete it (with its WAL files); the spool is done."""
        delete_spool(self._conn, self.path)

    def _error(self, exc: sqlite3.Error, action: str) -> Exception:
        text = spool_problem(exc, action, f"{self.FILE} {self.path}")
        return self.ERROR(text, path=self.path)
