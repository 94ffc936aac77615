"""Autosaved drafts: saved and loaded per tab kind, discarded, broken files set aside."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apiclient.core.drafts import Draft, DraftStore
from apiclient.core.errors import StoreError
from apiclient.core.models import Auth, GraphqlRequest, KeyValue, RestRequest

WHEN = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)


def rest_draft(url: str = "http://127.0.0.1/api/items", relpath: str | None = "a.yaml") -> Draft:
    request = RestRequest(
        name="Items",
        url=url,
        headers=[KeyValue(name="Accept", value="application/json")],
        auth=Auth(kind="bearer", token="typed-but-unsaved"),
        description="line one\nline two",
    )
    return Draft("rest", Path("/tmp/collection"), relpath, request, WHEN)


def test_a_draft_comes_back_as_it_was_saved(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    draft = rest_draft()
    store.save(draft)
    assert store.load_all() == [draft]
    assert store.problems == []


def test_one_draft_per_kind_and_a_new_one_replaces_the_old(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft(url="http://one"))
    store.save(rest_draft(url="http://two", relpath=None))
    graphql = Draft("graphql", None, None, GraphqlRequest(query="{ items { id } }"), WHEN)
    store.save(graphql)
    drafts = {d.kind: d for d in store.load_all()}
    assert set(drafts) == {"rest", "graphql"}
    assert drafts["rest"].request.url == "http://two"
    assert drafts["rest"].relpath is None
    assert drafts["graphql"] == graphql


def test_the_file_is_the_request_document_and_private(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft())
    path = store.path("rest")
    text = path.read_text(encoding="utf-8")
    assert "request:\n  kind: rest\n  name: Items\n" in text
    assert "relpath: a.yaml" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_discard_forgets_the_draft_and_tolerates_none(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft())
    store.discard("rest")
    store.discard("rest")
    assert store.load_all() == []
    assert not store.path("rest").exists()


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no tab kind"):
        DraftStore(tmp_path).path("telnet")


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
    store.path("rest").write_bytes(content)
    drafts = store.load_all()
    assert [d.kind for d in drafts] == ["graphql"]
    [problem] = store.problems
    assert reason in problem.reason
    assert problem.path.name.startswith("rest.yaml.broken-")
    assert problem.path.read_bytes() == content
    assert not store.path("rest").exists()
    # Reported once: the next start finds nothing wrong.
    assert [d.kind for d in store.load_all()] == ["graphql"]
    assert store.problems == []


def test_leftover_temporary_files_are_ignored(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(rest_draft())
    (tmp_path / ".rest.yaml.0badc0de.tmp").write_text("kind: rest\nrequest: {kin")
    assert [d.kind for d in store.load_all()] == ["rest"]
    assert store.problems == []
