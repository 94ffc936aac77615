"""Where long-running logs keep their spool files, and the sweep of abandoned ones.

A log that writes everything it shows to disk (a WebSocket session, a subscription's
events) owns one file in the app's ``spool`` folder, named ``<kind>-<pid>-<random>``
plus a suffix. The file is scratch space: its log deletes it when cleared or closed.
Files left by an apiclient that ended without cleaning up (a crash, a kill) are swept
when the next log opens one (:func:`sweep_stale`).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apiclient.core.paths import data_dir
from apiclient.core.sqlite_file import SqliteProblem, classify

__all__ = [
    "SPOOL_FOLDER",
    "decode_text",
    "delete_spool",
    "encode_text",
    "folder_problem",
    "new_spool_path",
    "spool_folder",
    "spool_problem",
    "sweep_stale",
    "write_rows",
]

SPOOL_FOLDER = "spool"
SUFFIX = ".sqlite3"


def spool_folder() -> Path:
    """Where logs keep their spool files: ``spool`` in the app's data folder."""
    return data_dir() / SPOOL_FOLDER


def encode_text(text: str) -> bytes:
    """``text`` as spools store it: UTF-8 bytes in a BLOB, so that a NUL inside is kept
    (SQLite's text functions stop at one) and a lone surrogate (a frame that is not
    valid Unicode) is kept as it came instead of failing the write."""
    return text.encode("utf-8", "surrogatepass")


def decode_text(stored: bytes | str, *, cut: bool = False) -> str:
    """Text stored by :func:`encode_text`; ``cut``: the bytes are a preview cut at any
    byte, so a character split at the end is left out."""
    if isinstance(stored, str):
        return stored
    decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
    return decoder.decode(bytes(stored), final=not cut)


def delete_spool(conn: sqlite3.Connection, path: Path) -> None:
    """Close a spool's connection and delete its files (with its WAL files). Called off
    the connection's thread (a log dropped at interpreter exit) the close is refused,
    but the files go all the same; one that cannot go is left to the next sweep."""
    with contextlib.suppress(sqlite3.ProgrammingError):
        conn.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def folder_problem(what: str, folder: Path, exc: OSError) -> str:
    """Why ``what`` (e.g. "the events") cannot be kept on disk in ``folder``."""
    return (
        f"Cannot keep {what} on disk: the folder {folder} cannot be created "
        f"({exc.strerror or exc}). Check that you may write there."
    )


def spool_problem(exc: sqlite3.Error, action: str, where: str) -> str:
    """A sentence for a person on why ``action`` ("write to", "read"...) failed on the
    spool file ``where`` names, and what to try."""
    problem = classify(exc)
    if problem is SqliteProblem.DISK_FULL:
        return f"Cannot {action} {where}: the disk is full. Free some space."
    if problem in (SqliteProblem.READ_ONLY, SqliteProblem.CANNOT_OPEN):
        return (
            f"Cannot {action} {where}: the folder is read-only or missing. Check that "
            "you may write to it."
        )
    return f"Cannot {action} {where}: {exc}."


def write_rows(conn: sqlite3.Connection, insert: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` in one transaction; whatever fails, the file stays as it was."""
    try:
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.rollback()


def new_spool_path(folder: Path, kind: str) -> Path:
    """A fresh file name in ``folder`` for a log of ``kind`` (``ws``, ``events``...),
    marked with this process's id so a later sweep knows whose it is."""
    return folder / f"{kind}-{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"


def sweep_stale(folder: Path) -> int:
    """Delete spool files that no running apiclient owns (their process has ended);
    returns how many spool files went. Files that cannot be deleted stay, quietly: a
    sweep is housekeeping, never a reason to refuse a session."""
    try:
        names = list(folder.iterdir())
    except OSError:
        return 0
    swept = 0
    for path in names:
        parts = path.name.split("-", 2)
        if len(parts) < 3 or not parts[1].isdecimal() or SUFFIX not in parts[2]:
            continue
        if _alive(int(parts[1])):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        swept += path.name.endswith(SUFFIX)
    return swept


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would end it; an open file refuses to go instead
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True
