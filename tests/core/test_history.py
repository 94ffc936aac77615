"""The request history: storing, searching, pruning, secrets, threads, damaged files."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apiclient.core.history import (
    _MIGRATIONS,
    PREVIEW_BYTES,
    HistoryEntry,
    HistoryError,
    HistoryStore,
    default_history_path,
    describe_request,
)
from apiclient.core.models import (
    Auth,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RestRequest,
    SoapRequest,
    Variable,
    WsSecurity,
)
from apiclient.core.paths import data_dir

START = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def rest(name: str, url: str = "{{base_url}}/api/items", method: str = "GET") -> RestRequest:
    return RestRequest(name=name, method=method, url=url)


def entry(request, status: str = "200 OK", minutes: int = 0, **kwargs) -> HistoryEntry:
    return HistoryEntry.now(
        request, status, sent_at=START + timedelta(minutes=minutes), elapsed_ms=12.5, **kwargs
    )


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_default_path_is_in_the_data_dir() -> None:
    assert default_history_path() == data_dir() / "history.sqlite3"


def test_add_then_get_gives_the_request_as_written(store: HistoryStore) -> None:
    request = RestRequest(
        name="List items",
        method="POST",
        url="{{base_url}}/api/items",
        headers=[KeyValue(name="Accept", value="application/json")],
        params=[KeyValue(name="page", value="{{page}}")],
    )
    stored = store.add(entry(request, "201 Created", size=42, environment="Local mocks"))
    assert stored.id > 0
    again = store.get(stored.id)
    assert again.request == request  # {{variables}} kept, nothing resolved
    assert (again.status, again.size, again.environment) == ("201 Created", 42, "Local mocks")
    assert again.elapsed_ms == 12.5
    assert again.sent_at == "2026-11-20T09:30:00.000+00:00"
    assert again.redacted == ()


def test_search_is_newest_first_and_matches_name_url_method_status(store: HistoryStore) -> None:
    store.add(entry(rest("List items"), minutes=0))
    store.add(entry(rest("Create contact", "http://h/api/v1/contacts", "POST"), "400 Bad Request"))
    store.add(entry(GrpcRequest(name="Say hello", target="127.0.0.1:5", method="x.Greeter/Hi")))
    store.add(entry(rest("Broken", "http://127.0.0.1:9/x"), "Could not connect", error="refused"))

    assert [s.name for s in store.search()] == [
        "Broken",
        "Say hello",
        "Create contact",
        "List items",
    ]
    assert [s.name for s in store.search("CONTACTS")] == ["Create contact"]  # URL, any case
    assert [s.name for s in store.search("post")] == ["Create contact"]  # method
    assert [s.name for s in store.search("bad request")] == ["Create contact"]  # status
    assert [s.name for s in store.search("hello")] == ["Say hello"]  # name
    assert [s.name for s in store.search(kind="grpc")] == ["Say hello"]
    assert store.search("nothing like this") == []
    broken = store.search("broken")[0]
    assert (broken.status, broken.error) == ("Could not connect", "refused")


def test_paging_with_before_id_and_limit(store: HistoryStore) -> None:
    ids = [store.add(entry(rest(f"r{i}"), minutes=i)).id for i in range(7)]
    first = store.search(limit=3)
    assert [s.id for s in first] == ids[::-1][:3]
    second = store.search(limit=3, before_id=first[-1].id)
    assert [s.id for s in second] == ids[::-1][3:6]


def test_describe_request_labels_every_kind() -> None:
    assert describe_request(rest("a", "u", "post")) == ("POST", "u")
    assert describe_request(SoapRequest(endpoint="http://h/soap")) == ("SOAP", "http://h/soap")
    assert describe_request(GraphqlRequest(url="http://h/graphql")) == ("POST", "http://h/graphql")
    grpc = GrpcRequest(target="h:1", method="demo.Greeter/SayHello")
    assert describe_request(grpc) == ("gRPC", "h:1/SayHello")


def test_delete_clear_and_count(store: HistoryStore) -> None:
    first = store.add(entry(rest("a")))
    store.add(entry(rest("b")))
    assert store.count() == 2
    assert store.delete(first.id) is True
    assert store.delete(first.id) is False
    with pytest.raises(HistoryError, match="gone"):
        store.get(first.id)
    assert store.clear() == 1
    assert store.count() == 0 and store.search() == []


def test_the_oldest_entries_go_past_the_cap(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3", max_entries=10) as small:
        ids = [small.add(entry(rest(f"r{i}"))).id for i in range(25)]
        assert small.count() == 10
        assert [s.id for s in small.search()] == ids[::-1][:10]


def test_a_new_cap_applies_from_the_next_add(tmp_path: Path) -> None:
    """The user's history size changed while the store is open: nothing is deleted
    at once, the next add prunes to the new cap, and later adds keep to it."""
    with HistoryStore(tmp_path / "h.sqlite3", max_entries=100) as store:
        for i in range(40):
            store.add(entry(rest(f"r{i}")))
        store.set_max_entries(10)
        assert store.count() == 40 and store.prune_every == 1
        store.add(entry(rest("r40")))
        assert store.count() == 10
        assert [s.name for s in store.search()] == [f"r{i}" for i in range(40, 30, -1)]
        store.set_max_entries(1000)
        for i in range(41, 61):
            store.add(entry(rest(f"r{i}")))
        assert store.count() == 30 and store.prune_every == 50
        with pytest.raises(ValueError, match="at least 1"):
            store.set_max_entries(0)
        assert store.max_entries == 1000


def test_the_cap_is_checked_every_few_adds_and_never_overshoots_by_more(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3", max_entries=100) as store:
        assert store.prune_every == 5
        counts = []
        for i in range(130):
            store.add(entry(rest(f"r{i}")))
            counts.append(store.count())
        assert max(counts) < 100 + store.prune_every
        assert counts[-1] >= 100
        assert store.search(limit=1)[0].name == "r129"


def test_secrets_are_not_stored_in_clear_text(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    bearer = RestRequest(
        name="With token",
        url="http://127.0.0.1/api/playlists",
        auth=Auth(kind="bearer", token="tok-SECRET-1234"),
        headers=[
            KeyValue(name="Authorization", value="Bearer hdr-SECRET-5678"),
            KeyValue(name="X-Trace", value="visible-value"),
        ],
        variables=[
            Variable(name="api_key", value="var-SECRET-9012", secret=True),
            Variable(name="page", value="2"),
        ],
    )
    basic = SoapRequest(
        name="With password",
        endpoint="http://127.0.0.1/soap",
        auth=Auth(kind="basic", username="alice", password="pw-SECRET-3456"),
        wsse=WsSecurity(mode="text", username="bob", password="wsse-SECRET-7890"),
    )
    by_reference = RestRequest(
        name="Token by variable", auth=Auth(kind="bearer", token="{{token}}")
    )
    with HistoryStore(path) as store:
        stored = store.add(entry(bearer))
        store.add(entry(basic))
        kept = store.add(entry(by_reference))
        again = store.get(stored.id)
        assert again.request.auth.token == ""
        assert again.request.headers[0].value == ""
        assert again.request.headers[1].value == "visible-value"
        assert [v.value for v in again.request.variables] == ["", "2"]
        assert set(again.redacted) == {"auth token", "header Authorization", "variable api_key"}
        # A reference is no secret itself: reopening it keeps working.
        assert store.get(kept.id).request.auth.token == "{{token}}"
        assert store.get(kept.id).redacted == ()
        assert store.search("with password")[0].name == "With password"
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("h.sqlite3"))
    for secret in (b"tok-SECRET", b"hdr-SECRET", b"var-SECRET", b"pw-SECRET", b"wsse-SECRET"):
        assert secret not in raw
    assert b"alice" in raw and b"visible-value" in raw  # only the secrets were dropped


def test_adds_from_two_threads_all_land(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with HistoryStore(tmp_path / "h.sqlite3") as store:

        def add_many(prefix: str) -> None:
            try:
                for i in range(60):
                    store.add(entry(rest(f"{prefix}{i}")))
                    store.search(prefix, limit=5)
            except BaseException as exc:  # reported to the test below
                errors.append(exc)

        threads = [threading.Thread(target=add_many, args=(p,)) for p in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.count() == 120
        assert len({s.id for s in store.search(limit=500)}) == 120


def test_a_damaged_file_is_moved_aside_and_a_new_history_starts(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with HistoryStore(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes().startswith(b"this is not a database")
        assert store.count() == 0
        store.add(entry(rest("after")))
        assert [s.name for s in store.search()] == ["after"]


def test_a_history_from_a_newer_apiclient_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer apiclient"):
        HistoryStore(path)
    assert path.read_bytes() == before


def test_a_locked_history_raises_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        store.add(entry(rest("a")))
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        store._connection().execute("PRAGMA busy_timeout = 50")
        try:
            with pytest.raises(HistoryError, match="locked"):
                store.add(entry(rest("b")))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.add(entry(rest("c")))
        assert [s.name for s in store.search()] == ["c", "a"]


def test_a_closed_store_refuses_use(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.close()
    with pytest.raises(HistoryError, match="closed"):
        store.search()


def test_the_response_preview_is_capped_and_kept_with_the_full_size(tmp_path: Path) -> None:
    body = bytes(range(256)) * 1024  # 256 KB
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        stored = store.add(
            entry(rest("big"), size=500 << 20, preview=body, preview_type="application/json")
        )
        got = store.get(stored.id)
    assert got.preview == body[:PREVIEW_BYTES] and len(got.preview) == 64 * 1024
    assert got.preview_type == "application/json"
    assert got.size == 500 << 20 and got.preview_is_partial


def test_a_history_written_before_previews_opens_and_gains_them(tmp_path: Path) -> None:
    """Schema 1 (no preview columns) is migrated in place; its entries read back with an
    empty preview, and new entries keep one."""
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(_MIGRATIONS[0])
        conn.execute(
            "INSERT INTO entries (sent_at, kind, name, method, url, status, elapsed_ms, size,"
            " error, environment, redacted, request, search_text) VALUES ('2026-01-01T00:00:00',"
            " 'rest', 'old', 'GET', 'http://x', '200 OK', 1.0, 10, '', '', '[]',"
            ' \'{"kind": "rest", "name": "old", "url": "http://x"}\', \'old\')'
        )
        conn.execute("PRAGMA user_version = 1")
    with HistoryStore(path) as store:
        (old,) = store.search()
        kept = store.get(old.id)
        assert kept.name == "old" and kept.preview == b"" and kept.preview_type == ""
        new = store.add(entry(rest("new"), size=2, preview=b"{}", preview_type="text/plain"))
        assert store.get(new.id).preview == b"{}"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (2,)


def test_credentials_in_the_preview_are_masked_before_the_write(tmp_path: Path) -> None:
    body = b'{"access_token": "eyJhbGciOi.abc", "expires_in": 3600, "token_type": "Bearer"}'
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        stored = store.add(
            entry(
                rest("login"),
                size=len(body),
                preview=body,
                preview_type="application/json",
                redacted=("response preview: secret variable values",),
            )
        )
        got = store.get(stored.id)
    assert b"eyJhbGciOi" not in (tmp_path / "h.sqlite3").read_bytes()
    assert got.preview.startswith(b'{"access_token": "[redacted]", "expires_in": 3600')
    assert got.redacted == (
        "response preview: secret variable values",
        "response preview: access_token",
    )


@pytest.mark.parametrize(
    ("body", "content_type", "kept"),
    [
        (b"grant_type=password&password=hunter2&user=bob", "x-www-form-urlencoded", b"user=bob"),
        (b"<r><ns:Password>hunter2</ns:Password><user>bob</user></r>", "text/xml", b"bob"),
        (b"Set-Cookie: sid=hunter2\nX: bob\n", "text/plain", b"X: bob"),
        (b'{"client_secret": 12, "refresh_token": "hunter2", "name": "bob"}', "", b"bob"),
    ],
)
def test_credentials_are_masked_in_any_text(
    tmp_path: Path, body: bytes, content_type: str, kept: bytes
) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        got = store.get(store.add(entry(rest("x"), preview=body, preview_type=content_type)).id)
    assert b"hunter2" not in got.preview and b"12" not in got.preview
    assert kept in got.preview and b"[redacted]" in got.preview
