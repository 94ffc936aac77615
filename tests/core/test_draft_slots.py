"""Drafts of several open requests of one kind: each sub-tab's draft in its own slot
(``rest``, ``rest-2``...), loaded back in order, kept aside and swapped per slot."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apiclient.core.drafts import Draft, DraftStore, slot_kind
from apiclient.core.errors import StoreError
from apiclient.core.models import GraphqlRequest, RestRequest

WHEN = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
COLLECTION = Path("/tmp/collection")


def draft(slot: str, url: str) -> Draft:
    return Draft("rest", COLLECTION, None, RestRequest(url=url), WHEN, slot=slot)


def test_a_draft_is_kept_in_its_kind_unless_a_slot_is_given() -> None:
    assert Draft("rest", None, None, RestRequest(), WHEN).slot == "rest"
    assert draft("rest-3", "http://x").slot == "rest-3"


@pytest.mark.parametrize("slot", ["rest", "rest-2", "graphql-12"])
def test_slots_name_their_kind(slot: str) -> None:
    assert slot_kind(slot) == slot.partition("-")[0]


@pytest.mark.parametrize("slot", ["telnet", "rest-1", "rest-02", "rest-x", "rest-", "-2"])
def test_what_is_no_slot_is_refused(tmp_path: Path, slot: str) -> None:
    with pytest.raises(ValueError):
        slot_kind(slot)
    with pytest.raises(StoreError, match="no tab kind"):
        DraftStore(tmp_path).path(slot, COLLECTION)


def test_the_drafts_of_several_slots_come_back_in_order_and_private(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    for slot, url in (("rest-10", "http://ten"), ("rest", "http://one"), ("rest-2", "http://two")):
        store.save(draft(slot, url))
    store.save(Draft("graphql", COLLECTION, None, GraphqlRequest(query="{ a }"), WHEN))
    loaded = store.load(COLLECTION)
    assert [(d.slot, d.kind) for d in loaded] == [
        ("rest", "rest"),
        ("rest-2", "rest"),
        ("rest-10", "rest"),
        ("graphql", "graphql"),
    ]
    assert [d.request.url for d in loaded[:3]] == ["http://one", "http://two", "http://ten"]
    assert stat.S_IMODE(store.path("rest-2", COLLECTION).stat().st_mode) == 0o600

    store.discard("rest-2", COLLECTION)
    assert [d.slot for d in store.load(COLLECTION)] == ["rest", "rest-10", "graphql"]


def test_a_slot_file_holding_another_kind_is_set_aside(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(draft("rest-2", "http://two"))
    path = store.path("rest-2", COLLECTION)
    path.rename(store.folder(COLLECTION) / "graphql-2.yaml")
    assert store.load(COLLECTION) == []
    assert [p.path.name.startswith("graphql-2.yaml.broken-") for p in store.problems] == [True]


def test_kept_drafts_are_found_and_swapped_back_per_slot(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(draft("rest-2", "http://kept"))
    kept = store.set_aside("rest-2", COLLECTION)
    assert kept.name.startswith("rest-2.yaml.kept-")
    assert store.find(COLLECTION).kept == {"rest-2": [kept]}

    current = draft("rest-2", "http://typed-meanwhile")
    back, aside = store.swap(COLLECTION, kept, current)
    assert back == replace(draft("rest-2", "http://kept"), collection=COLLECTION)
    assert aside is not None and aside.name.startswith("rest-2.yaml.kept-")
    assert [d.request.url for d in store.load(COLLECTION)] == ["http://kept"]
