"""Autosaved drafts: saved and loaded per collection and tab kind, discarded, broken files
set aside, the saved request they were made over fingerprinted."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest

from apiclient.core import drafts
from apiclient.core.drafts import Draft, DraftStore, request_fingerprint
from apiclient.core.errors import StoreError
from apiclient.core.models import Auth, GraphqlRequest, KeyValue, RestRequest

WHEN = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)
COLLECTION = Path("/tmp/collection")


def rest_draft(url: str = "http://127.0.0.1/api/items", relpath: str | None = "a.yaml") -> Draft:
    request = RestRequest(
        name="Items",
        url=url,
        headers=[KeyValue(name="Accept", value="application/json")],
        auth=Auth(kind="bearer", token="typed-but-unsaved"),
        description="line one\nline two",
    )
    return Draft("rest", COLLECTION, relpath, request, WHEN, base="0" * 32)


def test_a_draft_comes_back_as_it_was_saved(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    draft = rest_draft()
    store.save(draft)
    assert store.load(COLLECTION) == [draft]
    assert store.problems == []


def test_one_draft_per_kind_and_a_new_one_replaces_the_old(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft(url="http://one"))
    store.save(rest_draft(url="http://two", relpath=None))
    graphql = Draft("graphql", None, None, GraphqlRequest(query="{ items { id } }"), WHEN)
    store.save(graphql)
    drafts = {d.kind: d for d in store.load(COLLECTION)}
    assert set(drafts) == {"rest"}
    assert drafts["rest"].request.url == "http://two"
    assert drafts["rest"].relpath is None
    assert store.load(None) == [graphql]


def test_the_file_is_the_request_document_and_private(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft())
    path = store.path("rest", COLLECTION)
    text = path.read_text(encoding="utf-8")
    assert "request:\n  kind: rest\n  name: Items\n" in text
    assert "relpath: a.yaml" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_discard_forgets_the_draft_and_tolerates_none(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft())
    store.discard("rest", COLLECTION)
    store.discard("rest", COLLECTION)
    assert store.load(COLLECTION) == []
    assert not store.path("rest", COLLECTION).exists()


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no tab kind"):
        DraftStore(tmp_path).path("telnet", None)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"kind: rest\nrequest: [unclosed\n", "line"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b"schema_version: 1\nkind: rest\nsaved_at: x\nrequest: {kind: rest, nme: a}\n", "nme"),
        (b"schema_version: 1\nkind: soap\nsaved_at: x\nrequest: {kind: rest}\n", "expected"),
        (b"schema_version: 1\nkind: rest\nsaved_at: yesterday\nrequest: {kind: rest}\n", "date"),
        (b"", "empty"),
    ],
)
def test_a_broken_draft_is_set_aside_and_reported(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    store = DraftStore(tmp_path)
    store.save(Draft("graphql", None, None, GraphqlRequest(), WHEN))
    store.path("rest", None).write_bytes(content)
    drafts = store.load(None)
    assert [d.kind for d in drafts] == ["graphql"]
    [problem] = store.problems
    assert reason in problem.reason
    assert problem.path.name.startswith("rest.yaml.broken-")
    assert problem.path.read_bytes() == content
    assert not store.path("rest", None).exists()
    # Reported once: the next start finds nothing wrong.
    assert [d.kind for d in store.load(None)] == ["graphql"]
    assert store.problems == []


def test_leftover_temporary_files_are_ignored(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft())
    folder = store.folder(COLLECTION)
    (folder / ".rest.yaml.0badc0de.tmp").write_text("kind: rest\nrequest: {kin")
    assert [d.kind for d in store.load(COLLECTION)] == ["rest"]
    assert store.problems == []


def test_each_collection_keeps_its_own_drafts(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    one, two = tmp_path / "a" / "api", tmp_path / "b" / "api"  # same folder name
    store.save(Draft("rest", one, None, RestRequest(url="http://one"), WHEN))
    store.save(Draft("rest", two, None, RestRequest(url="http://two"), WHEN))
    assert store.folder(one) != store.folder(two)
    assert store.folder(one).name.startswith("api-")
    assert [d.request.url for d in store.load(one)] == ["http://one"]
    store.discard("rest", two)
    assert store.load(two) == []
    assert [d.request.url for d in store.load(one)] == ["http://one"]


def test_a_draft_recorded_for_another_path_is_set_aside_and_reported(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    other = tmp_path / "other"
    store.save(rest_draft(url="http://recorded-elsewhere"))
    folder = store.folder(other)
    folder.mkdir()
    store.path("rest", COLLECTION).rename(folder / "rest.yaml")  # e.g. a re-pointed symlink
    assert store.load(other) == []
    [moved] = store.moved_aside
    assert str(COLLECTION) in moved.reason
    assert moved.path.name.startswith("rest.yaml.kept-")
    assert "http://recorded-elsewhere" in moved.path.read_text(encoding="utf-8")
    assert not store.path("rest", other).exists()  # out of the next autosave's way
    assert store.kept("rest", other) == [moved.path]


def test_names_set_aside_within_one_second_never_collide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return WHEN

    monkeypatch.setattr(drafts, "datetime", Frozen)
    store = DraftStore(tmp_path)
    kept = []
    for url in ("http://one", "http://two", "http://three"):
        store.save(rest_draft(url=url))
        kept.append(store.set_aside("rest", COLLECTION))
    assert len(set(kept)) == 3
    for path, url in zip(kept, ("http://one", "http://two", "http://three"), strict=True):
        assert url in path.read_text(encoding="utf-8")
    assert store.kept("rest", COLLECTION) == kept


def test_a_kept_draft_swaps_places_with_the_edits_in_the_tab(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft(url="http://kept"))
    kept = store.set_aside("rest", COLLECTION)
    store.save(rest_draft(url="http://autosaved-earlier"))
    current = rest_draft(url="http://in-the-tab", relpath=None)
    draft, aside = store.swap(COLLECTION, kept, current)
    assert draft.request.url == "http://kept"
    assert draft.saved_at == WHEN and draft.base == "0" * 32
    assert store.load(COLLECTION) == [draft]
    assert not kept.exists()
    assert aside is not None and aside.name.startswith("rest.yaml.kept-")
    assert "http://in-the-tab" in aside.read_text(encoding="utf-8")
    assert store.kept("rest", COLLECTION) == [aside]


def test_a_kept_draft_of_another_path_comes_back_as_this_collections(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    other = tmp_path / "other"
    store.save(rest_draft(url="http://recorded-elsewhere"))
    store.folder(other).mkdir()
    store.path("rest", COLLECTION).rename(store.path("rest", other))
    store.load(other)
    [moved] = store.moved_aside
    draft, aside = store.swap(other, moved.path, None)
    assert aside is None
    assert draft.collection == other
    assert store.load(other) == [draft]


def test_a_kept_file_that_does_not_load_is_left_where_it_is(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    kept = store.folder(COLLECTION) / "rest.yaml.kept-20261121T183000"
    kept.parent.mkdir()
    kept.write_text("kind: rest\nrequest: [unclosed\n", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot be restored"):
        store.swap(COLLECTION, kept, rest_draft())
    assert kept.exists()
    assert not store.path("rest", COLLECTION).exists()


def test_set_aside_keeps_the_draft_out_of_the_next_autosaves_way(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft(url="http://kept"))
    kept = store.set_aside("rest", COLLECTION)
    assert kept.name.startswith("rest.yaml.kept-")
    assert "http://kept" in kept.read_text(encoding="utf-8")
    assert store.load(COLLECTION) == []
    store.save(rest_draft(url="http://new"))
    assert "http://kept" in kept.read_text(encoding="utf-8")


def test_a_draft_without_a_base_still_loads(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(Draft("rest", None, None, RestRequest(url="http://x"), WHEN))
    path = store.path("rest", None)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("base: null\n", ""), encoding="utf-8")
    [draft] = store.load(None)
    assert draft.base is None
    path.write_text(text.replace("base: null", "base: [1]"), encoding="utf-8")
    assert store.load(None) == []
    assert "base" in store.problems[0].reason


def test_the_fingerprint_follows_the_saved_request() -> None:
    request = RestRequest(name="Items", url="http://127.0.0.1/api/items")
    same = RestRequest(name="Items", url="http://127.0.0.1/api/items")
    pulled = request.model_copy(update={"url": "http://127.0.0.1/api/items?page=2"})
    assert request_fingerprint(request) == request_fingerprint(same)
    assert request_fingerprint(request) != request_fingerprint(pulled)


def test_find_gathers_what_opening_a_collection_needs(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft(url="http://kept"))
    kept = store.set_aside("rest", COLLECTION)
    store.save(rest_draft(url="http://draft"))
    loose = Draft("graphql", None, None, GraphqlRequest(query="{ a }"), WHEN)
    store.save(loose)
    found = store.find(COLLECTION)
    assert [d.request.url for d in found.drafts] == ["http://draft"]
    assert found.loose == [loose]
    assert found.kept == {"rest": [kept]}
    assert found.problems == found.moved_aside == []
    assert store.find(None).loose == []  # no collection open: they are its drafts


def test_a_saved_request_is_fingerprinted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = drafts.request_fingerprint

    def counting(request: RestRequest) -> str:
        calls.append(request)
        return real(request)

    monkeypatch.setattr(drafts, "request_fingerprint", counting)
    fingerprints = drafts.Fingerprints()
    saved = RestRequest(url="http://127.0.0.1/api/items")
    first = fingerprints.of("rest", saved)
    assert fingerprints.of("rest", saved) == first
    assert len(calls) == 1
    pulled = saved.model_copy(update={"url": "http://127.0.0.1/api/items?page=2"})
    assert fingerprints.of("rest", pulled) != first
    assert len(calls) == 2
