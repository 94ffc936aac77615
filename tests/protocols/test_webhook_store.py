"""The SQLite inbox: round trips, order, search, deletion, restarts, bad files, threads."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from apiclient.protocols.errors import WebhookStoreError
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.protocols.webhook_store import (
    INBOX_FILE,
    SCHEMA_VERSION,
    WebhookStore,
    default_inbox_path,
)


def make_event(
    *,
    path: str = "/hooks/github",
    body: bytes = b'{"action": "opened"}',
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),),
    method: str = "POST",
    query: str = "",
    note: str = "",
    reason: str = "GitHub signature (X-Hub-Signature-256, sha256) matches.",
    content_type: str = "application/json",
) -> WebhookEvent:
    summary = EventSummary(
        id=0,
        received_at=1_700_000_000.25,
        method=method,
        path=path,
        query=query,
        source="127.0.0.1:50123",
        content_type=content_type,
        size=len(body),
        verdict="valid",
        verdict_reason=reason,
        response_status=202,
        note=note,
    )
    return WebhookEvent(summary=summary, headers=headers, body=body)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[WebhookStore]:
    opened = WebhookStore(tmp_path / "inbox" / INBOX_FILE)
    yield opened
    opened.close()


def test_default_path_is_in_the_data_dir_and_opening_creates_the_folder(tmp_path: Path) -> None:
    path = default_inbox_path()
    assert path == tmp_path / "data" / INBOX_FILE  # APICLIENT_DATA_DIR from tests/conftest.py
    assert not path.parent.exists()
    with WebhookStore(path) as opened:
        assert opened.path == path
        assert path.is_file()


def test_round_trip_keeps_every_field_headers_in_order_and_bytes(store: WebhookStore) -> None:
    headers = (
        ("host", "127.0.0.1:8080"),
        ("x-tag", "one"),
        ("x-tag", "two"),
        ("x-unicode", "café ✓"),
    )
    event = make_event(body=bytes(range(256)), headers=headers, query="a=1&b=2", note="n")
    stored = store.add(event)
    assert stored.id == 1
    assert stored.summary == dataclasses.replace(event.summary, id=1)
    fetched = store.get(stored.id)
    assert fetched == stored
    assert fetched is not None and fetched.headers == headers and fetched.body == bytes(range(256))
    assert store.get(999) is None


def test_summaries_are_newest_first_and_page_with_before_id(store: WebhookStore) -> None:
    ids = [store.add(make_event(path=f"/e/{n}")).id for n in range(10)]
    assert ids == list(range(1, 11))
    rows = store.summaries()
    assert [row.id for row in rows] == ids[::-1]
    assert [row.path for row in rows[:2]] == ["/e/9", "/e/8"]
    page = store.summaries(limit=3)
    assert [row.id for row in page] == [10, 9, 8]
    nxt = store.summaries(limit=3, before_id=page[-1].id)
    assert [row.id for row in nxt] == [7, 6, 5]
    assert store.summaries(limit=0) == []
    assert store.count() == 10
    assert store.count(before_id=8) == 7
    assert store.count("/e/9", before_id=11) == 1 and store.count("/e/9", before_id=10) == 0


def test_search_across_fields_headers_and_bodies(store: WebhookStore) -> None:
    store.add(make_event(path="/stripe/Invoice", content_type="application/json"))  # 1
    store.add(make_event(headers=(("x-github-event", "Pull_Request"),)))  # 2
    store.add(make_event(body=b'{"customer": "Zo\xc3\xab M\xc3\xbcller"}'))  # 3 (UTF-8)
    store.add(make_event(body=b"\x00\x01PNG\xff\xfeSecret-Token\x00\x9c", content_type=""))  # 4
    store.add(make_event(body="Grüße aus Köln".encode("latin-1"), content_type="text/plain"))  # 5
    store.add(make_event(note="Body over the 10 MB limit", method="PUT", query="page=2"))  # 6
    store.add(make_event(reason="X-Hub-Signature-256 does not match", path="/p%_x"))  # 7

    def found(text: str) -> list[int]:
        ids = sorted(row.id for row in store.summaries(search=text))
        assert store.count(text) == len(ids)
        return ids

    assert found("invoice") == [1]
    assert found("PULL_REQUEST") == [2]  # header value, any case
    assert found("x-github-event") == [2]  # header name
    assert found("MÜLLER") == [3]  # non-ASCII in a UTF-8 body, case-folded
    assert found("secret-token") == [4]  # ASCII inside a binary body with NUL bytes
    assert found("aus k") == [5]  # ASCII part of a Latin-1 body
    assert found("grüße") == []  # not UTF-8: never matches, never fails
    assert found("10 mb limit") == [6]
    assert found("put") == [6]
    assert found("page=2") == [6]
    assert found("does not match") == [7]
    assert found("%_") == [7]  # no LIKE wildcards
    assert found("127.0.0.1:50123") == [1, 2, 3, 4, 5, 6, 7]  # source
    assert found("  ") == [1, 2, 3, 4, 5, 6, 7]  # blank search is no filter
    assert found("nothing like this") == []


def test_delete_and_clear(store: WebhookStore) -> None:
    ids = [store.add(make_event()).id for _ in range(5)]
    assert store.delete([ids[1], ids[3], 999]) == 2
    assert [row.id for row in store.summaries()] == [5, 3, 1]
    assert store.get(ids[1]) is None
    assert store.delete([]) == 0
    assert store.delete(range(1, 2000)) == 3  # more ids than one statement holds
    store.add(make_event())
    store.add(make_event())
    assert store.clear() == 2
    assert store.count() == 0
    assert store.add(make_event()).id == 8  # ids are never reused


def test_reopen_after_close_finds_everything(tmp_path: Path) -> None:
    path = tmp_path / INBOX_FILE
    store = WebhookStore(path)
    added = [store.add(make_event(path=f"/r/{n}", body=os.urandom(64))) for n in range(20)]
    store.close()
    store.close()  # twice is fine
    with pytest.raises(WebhookStoreError, match="closed"):
        store.count()
    with WebhookStore(path) as again:
        assert again.count() == 20
        assert [again.get(event.id) for event in added] == added
        assert again.add(make_event()).id == 21
        assert again._connection().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert again._connection().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_file_that_is_not_a_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / INBOX_FILE
    junk = b"\x13\x37" + os.urandom(8190)
    path.write_bytes(junk)
    before = path.stat()
    with pytest.raises(WebhookStoreError) as caught:
        WebhookStore(path)
    assert str(path) in caught.value.message
    assert "not a SQLite database" in caught.value.message
    assert caught.value.path == str(path)
    assert path.read_bytes() == junk
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == [INBOX_FILE]  # no -wal, no -shm


def test_another_programs_database_and_a_newer_schema_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (name TEXT)")
    conn.close()
    with pytest.raises(WebhookStoreError, match="another program"):
        WebhookStore(other)
    newer = tmp_path / "newer.sqlite3"
    with WebhookStore(newer) as store:
        store.add(make_event())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(WebhookStoreError, match="newer version of apiclient"):
        WebhookStore(newer)


def test_a_folder_where_nothing_can_be_written(tmp_path: Path) -> None:
    # /proc refuses new files even to root, so this runs in any container.
    with pytest.raises(WebhookStoreError) as caught:
        WebhookStore(Path("/proc") / INBOX_FILE)
    assert "/proc/" in caught.value.message
    assert "may write" in caught.value.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(WebhookStoreError) as caught:
            WebhookStore(folder / INBOX_FILE)
        assert str(folder) in caught.value.message
    finally:
        folder.chmod(0o755)


def test_concurrent_writers_and_readers_lose_nothing(store: WebhookStore) -> None:
    writers, per_writer = 4, 150
    errors: list[BaseException] = []
    done = threading.Event()

    def write(n: int) -> None:
        try:
            for i in range(per_writer):
                store.add(make_event(path=f"/w{n}/{i}", body=f"writer {n} event {i}".encode()))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        counts: list[int] = []
        try:
            while not done.is_set():
                rows = store.summaries(limit=50, search="writer")
                counts.append(store.count())
                for row in rows[:3]:
                    assert store.get(row.id) is not None
            assert counts == sorted(counts)  # each reader sees the inbox only grow
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers + threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    for thread in readers:
        thread.join(timeout=60)
    assert not errors, errors
    assert store.count() == writers * per_writer
    paths = {row.path for row in store.summaries(limit=10_000)}
    assert paths == {f"/w{n}/{i}" for n in range(writers) for i in range(per_writer)}
    opened = [conn for _, conn in store._connections]
    assert opened  # the threads have ended; their connections wait for close()
    store.close()
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


def test_two_thousand_adds_take_well_under_a_second_or_two(store: WebhookStore) -> None:
    event = make_event(body=b'{"id": "evt_1", "type": "invoice.paid", "amount": 4200}')
    started = time.perf_counter()
    for _ in range(2000):
        store.add(event)
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    rows = store.summaries(limit=1000)
    listed = time.perf_counter() - started
    started = time.perf_counter()
    hits = store.count("invoice.paid")
    searched = time.perf_counter() - started
    print(
        f"2000 adds: {elapsed:.3f} s; 1000 summaries: {listed * 1000:.1f} ms; "
        f"search of 2000: {searched * 1000:.1f} ms"
    )
    assert len(rows) == 1000 and hits == 2000
    assert elapsed < 2.0
