"""SqliteFile and SqliteStore: per-thread connections, write transactions, migrations,
safe close, and a store's own errors."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from apiclient.core.errors import CoreError
from apiclient.core.sqlite_file import (
    SqliteFile,
    SqliteFileClosedError,
    SqliteProblem,
    SqliteStore,
    classify,
    insert_row,
    is_damage,
)

MIGRATIONS = (
    "CREATE TABLE rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL);",
    "ALTER TABLE rows ADD COLUMN note TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX by_value ON rows (value)",
)


@pytest.fixture
def db(tmp_path: Path):
    file = SqliteFile(tmp_path / "t.sqlite3", busy_timeout_s=5.0)
    yield file
    file.close()


def test_each_thread_gets_its_own_connection(db: SqliteFile) -> None:
    mine = db.connection()
    assert db.connection() is mine
    theirs: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: theirs.append(db.connection()))
    worker.start()
    worker.join()
    assert theirs and theirs[0] is not mine
    assert {conn for _, conn in db.connections} == {mine, theirs[0]}


def test_a_new_connection_closes_those_of_ended_threads(db: SqliteFile) -> None:
    theirs: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: theirs.append(db.connection()))
    worker.start()
    worker.join()
    other = threading.Thread(target=db.connection)
    other.start()
    other.join()
    with pytest.raises(sqlite3.ProgrammingError):
        theirs[0].execute("SELECT 1")


def test_on_connect_runs_on_every_connection(tmp_path: Path) -> None:
    def register(conn: sqlite3.Connection) -> None:
        conn.create_function("twice", 1, lambda n: n * 2)

    with_function = SqliteFile(tmp_path / "f.sqlite3", busy_timeout_s=5.0, on_connect=register)
    found: list[int] = []
    worker = threading.Thread(
        target=lambda: found.append(
            with_function.connection().execute("SELECT twice(4)").fetchone()[0]
        )
    )
    worker.start()
    worker.join()
    assert found == [8]
    assert with_function.connection().execute("SELECT twice(5)").fetchone()[0] == 10
    with_function.close()


def test_migrate_runs_only_the_missing_steps_and_sets_the_version(db: SqliteFile) -> None:
    assert db.schema_version() == 0
    db.use_wal()
    db.migrate(MIGRATIONS[:1])
    assert db.schema_version() == 1
    with db.transaction() as conn:
        conn.execute("INSERT INTO rows (value) VALUES ('kept')")
    db.migrate(MIGRATIONS)
    assert db.schema_version() == 2
    conn = db.connection()
    assert conn.execute("SELECT value, note FROM rows").fetchall() == [("kept", "")]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.migrate(MIGRATIONS)  # nothing left to do
    assert db.schema_version() == 2


def test_a_transaction_that_raises_is_rolled_back(db: SqliteFile) -> None:
    db.migrate(MIGRATIONS)
    with pytest.raises(ValueError, match="stop"), db.transaction() as conn:
        conn.execute("INSERT INTO rows (value) VALUES ('lost')")
        raise ValueError("stop")
    assert db.connection().execute("SELECT count(*) FROM rows").fetchone()[0] == 0
    assert not db.connection().in_transaction


def test_writers_of_many_threads_all_commit(db: SqliteFile) -> None:
    db.use_wal()
    db.migrate(MIGRATIONS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(50):
                with db.use(), db.transaction() as conn:
                    conn.execute("INSERT INTO rows (value) VALUES (?)", (f"{n}-{i}",))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert db.connection().execute("SELECT count(*) FROM rows").fetchone()[0] == 200


def test_close_waits_for_calls_running_in_other_threads(db: SqliteFile) -> None:
    db.migrate(MIGRATIONS)
    inside = threading.Event()
    release = threading.Event()
    done: list[int] = []

    def slow_read() -> None:
        with db.use():
            inside.set()
            release.wait()
            done.append(db.connection().execute("SELECT count(*) FROM rows").fetchone()[0])

    reader = threading.Thread(target=slow_read)
    reader.start()
    inside.wait()
    closer = threading.Thread(target=db.close)
    closer.start()
    assert closer.is_alive()  # blocked on the running call, not on a clock
    release.set()
    reader.join()
    closer.join()
    assert done == [0]
    assert db.closed


def test_a_closed_file_refuses_use_and_closes_twice(db: SqliteFile) -> None:
    conn = db.connection()
    db.close()
    db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
    with pytest.raises(SqliteFileClosedError, match="closed") as caught:
        db.connection()
    assert caught.value.path == db.path
    with pytest.raises(SqliteFileClosedError), db.use():
        pass


def test_a_file_that_is_not_sqlite_is_damage_and_can_be_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"no database here " * 200)
    file = SqliteFile(path, busy_timeout_s=5.0)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        file.schema_version()
    assert classify(caught.value) is SqliteProblem.NOT_A_DATABASE
    assert is_damage(caught.value)
    aside = file.move_aside()
    assert aside.name.startswith("bad.sqlite3.damaged-")
    assert aside.read_bytes().startswith(b"no database here")
    assert not path.exists()
    file.migrate(MIGRATIONS)  # a new file starts in its place
    assert file.schema_version() == 2
    file.close()


def test_a_locked_file_is_classified_as_locked(db: SqliteFile) -> None:
    db.migrate(MIGRATIONS)
    db.connection().execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(db.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as caught, db.transaction():
            pass
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert classify(caught.value) is SqliteProblem.LOCKED
    assert not is_damage(caught.value)


def test_a_read_only_file_is_classified_as_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    first = SqliteFile(path, busy_timeout_s=5.0)
    first.migrate(MIGRATIONS)
    first.close()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            reader.execute("INSERT INTO rows (value) VALUES ('x')")
    finally:
        reader.close()
    assert classify(caught.value) is SqliteProblem.READ_ONLY


class NotesError(CoreError):
    pass


class Notes(SqliteStore):
    """The smallest store: one table, its own error type and wording."""

    def __init__(self, path: Path, opened: list[sqlite3.Connection] | None = None) -> None:
        on_connect = None if opened is None else opened.append
        super().__init__(SqliteFile(path, busy_timeout_s=5.0, on_connect=on_connect))

    def add(self, value: str) -> int:
        with self._guard("save to"), self._file.transaction() as conn:
            return insert_row(conn, "rows", {"value": value, "note": value.upper()})

    def values(self) -> list[tuple[int, str, str]]:
        with self._guard("read"):
            return self._connection().execute("SELECT id, value, note FROM rows").fetchall()

    def _open(self) -> None:
        with self._guard("open"):
            self._file.use_wal()
            self._file.migrate(MIGRATIONS)

    def _folder_error(self, exc: OSError) -> NotesError:
        return NotesError(f"No folder for {self.path}.")

    def _closed_error(self) -> NotesError:
        return NotesError(f"The notes {self.path} are closed.")

    def _failure(self, exc: sqlite3.Error, action: str) -> NotesError:
        return NotesError(f"Cannot {action} the notes: {classify(exc).value}.")


def test_a_store_creates_its_folder_and_inserts_rows(tmp_path: Path) -> None:
    with Notes(tmp_path / "deep" / "notes.sqlite3") as notes:
        assert notes.add("a") == 1
        assert notes.add("b") == 2
        assert notes.values() == [(1, "a", "A"), (2, "b", "B")]
    with pytest.raises(NotesError, match="closed"):
        notes.values()


def test_a_store_words_sqlite_failures_in_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"not notes " * 200)
    opened: list[sqlite3.Connection] = []
    with pytest.raises(NotesError, match="Cannot open the notes: not a database") as caught:
        Notes(path, opened)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert opened
    with pytest.raises(sqlite3.ProgrammingError):  # a failed open closes the file again
        opened[0].execute("SELECT 1")
    assert path.read_bytes() == b"not notes " * 200


def test_a_store_whose_folder_cannot_be_made_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with pytest.raises(NotesError, match="No folder") as caught:
        Notes(blocker / "notes.sqlite3")
    assert isinstance(caught.value.__cause__, OSError)
