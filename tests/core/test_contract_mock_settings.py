"""The collection's contract mocks in collection.yaml: round trip, stable order, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiclient.core.collection_writer import write_collection
from apiclient.core.errors import CollectionLoadError
from apiclient.core.models import ContractMockSettings, PinnedResponse, Variable
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore
from apiclient.core.store_contract_mocks import resolved_path, stored_path


@pytest.fixture
def store(tmp_path: Path) -> CollectionStore:
    return CollectionStore.create(tmp_path / "my-api", "My API", SecretStore(tmp_path / "s"))


def _mocks() -> list[ContractMockSettings]:
    return [
        ContractMockSettings(
            file="contracts/shop.yaml",
            seed=7,
            pins={
                "listOrders": PinnedResponse(status=503, body='{"error": "down"}', delay_s=0.2),
                "getOrder": PinnedResponse(body="{}"),
            },
        ),
        ContractMockSettings(
            file="/elsewhere/shop.proto",
            port=50051,
            pins={"/shop.Shop/GetOrder": PinnedResponse(status="UNAVAILABLE")},
        ),
    ]


def test_contract_mocks_round_trip(store: CollectionStore) -> None:
    store.contract_mocks = _mocks()
    store.save_settings()
    again = CollectionStore.open(store.root, SecretStore(store.root.parent / "s"))
    assert again.contract_mocks == _mocks()
    assert again.contract_mocks[1].pins["/shop.Shop/GetOrder"].status == "UNAVAILABLE"
    assert again.contract_mocks[0].pins["listOrders"].status == 503
    assert again.same_content(store)


def test_contract_mocks_are_written_in_a_stable_order(store: CollectionStore) -> None:
    store.contract_mocks = _mocks()
    store.save_settings()
    text = (store.root / "collection.yaml").read_text()
    # Pins sorted by operation, mocks in the user's order, defaults left out.
    assert text.index("getOrder") < text.index("listOrders")
    assert text.index("shop.yaml") < text.index("shop.proto")
    assert "port: 0" not in text and "seed: 0" not in text
    before = (store.root / "collection.yaml").read_bytes()
    store.save_settings()
    assert (store.root / "collection.yaml").read_bytes() == before


def test_saving_variables_keeps_the_contract_mocks(store: CollectionStore) -> None:
    store.contract_mocks = _mocks()
    store.save_settings()
    again = CollectionStore.open(store.root, SecretStore(store.root.parent / "s"))
    again.variables = [Variable(name="host", value="localhost")]
    again.save_settings()
    assert CollectionStore.open(store.root).contract_mocks == _mocks()


def test_a_collection_file_without_contract_mocks_still_loads(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    (root / "collection.yaml").write_text("schema_version: 1\nname: Old\n")
    store = CollectionStore.open(root)
    assert store.contract_mocks == []
    store.save_settings()
    assert "contract_mocks" not in (root / "collection.yaml").read_text()


def test_a_bad_contract_mock_entry_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "bad"
    root.mkdir()
    (root / "collection.yaml").write_text(
        "schema_version: 1\nname: Bad\ncontract_mocks:\n- file: a.yaml\n  port: 70000\n"
    )
    with pytest.raises(CollectionLoadError, match=r"contract_mocks\.0\.port"):
        CollectionStore.open(root)


def test_paths_inside_the_collection_are_stored_relative(tmp_path: Path) -> None:
    root = tmp_path / "my-api"
    inside = root / "contracts" / "shop.yaml"
    outside = tmp_path / "other" / "shop.proto"
    assert stored_path(root, inside) == "contracts/shop.yaml"
    assert stored_path(root, outside) == str(outside)
    assert resolved_path(root, "contracts/shop.yaml") == inside
    assert resolved_path(root, str(outside)) == outside


def test_a_copy_written_elsewhere_keeps_the_mocks_pointing_at_the_contracts(
    store: CollectionStore, tmp_path: Path
) -> None:
    store.contract_mocks = _mocks()
    store.save_settings()
    secrets = SecretStore(tmp_path / "s")
    collection = store.to_collection()
    inside = str(store.root.absolute() / "contracts" / "shop.yaml")
    assert [mock.file for mock in collection.contract_mocks] == [inside, "/elsewhere/shop.proto"]

    copy = CollectionStore.open(write_collection(collection, tmp_path / "copy", secrets), secrets)
    assert copy.contract_mocks == [
        _mocks()[0].model_copy(update={"file": inside}),
        _mocks()[1],
    ]
    assert resolved_path(copy.root, copy.contract_mocks[0].file) == Path(inside)
