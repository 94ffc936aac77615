"""Writing a whole collection as a folder: everything lands, or nothing does."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from apiclient.core.collection_writer import (
    UNNAMED_REQUEST,
    add_folder,
    free_folder,
    merge_settings,
    write_collection,
)
from apiclient.core.errors import StoreError
from apiclient.core.importers.progress import WRITING, ImportCancelledError, ImportProgress
from apiclient.core.models import (
    Auth,
    Body,
    Collection,
    Environment,
    Folder,
    GraphqlRequest,
    KeyValue,
    RestRequest,
    Variable,
    WebhookRequest,
    WebhookSignature,
    WebsocketRequest,
)
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore, FolderNode, RequestNode
from apiclient.core.store_nodes import walk


def _collection() -> Collection:
    return Collection(
        name="Shop",
        description="The shop API",
        variables=[
            Variable(name="base_url", value="http://127.0.0.1:1"),
            Variable(name="api_key", value="s3cr3t-collection", secret=True),
        ],
        environments=[
            Environment(
                name="Prod",
                variables=[
                    Variable(name="base_url", value="https://shop.example"),
                    Variable(name="password", value="s3cr3t-env", secret=True),
                ],
            )
        ],
        items=[
            RestRequest(
                name="List items",
                url="{{base_url}}/api/items",
                params=[KeyValue(name="page", value="1")],
                headers=[KeyValue(name="Accept", value="application/json")],
            ),
            Folder(
                name="Orders",
                description="Everything about orders",
                items=[
                    RestRequest(
                        name="Create order",
                        method="POST",
                        url="{{base_url}}/api/orders",
                        body=Body(mode="raw", raw='{"sku": "A1"}'),
                        auth=Auth(kind="bearer", token="s3cr3t-token"),
                    ),
                    Folder(name="Empty but described", description="kept"),
                    GraphqlRequest(name="Query orders", url="{{base_url}}/graphql"),
                    WebhookRequest(
                        name="Order events",
                        signature=WebhookSignature(scheme="hmac", secret="s3cr3t-signing"),
                    ),
                ],
            ),
            WebsocketRequest(name="Live feed", url="ws://127.0.0.1:1/ws"),
            RestRequest(name="  ", url="{{base_url}}/blank-name"),
        ],
    )


def _on_disk(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file())


def test_everything_comes_back_when_the_folder_is_opened(tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    dest = tmp_path / "collections" / "shop"

    assert write_collection(_collection(), dest, secrets) == dest

    store = CollectionStore.open(dest, secrets)
    assert not store.problems
    again = store.to_collection()
    expected = _collection()
    assert again.name == "Shop"
    assert again.description == "The shop API"
    assert again.variables == expected.variables
    assert again.environments == expected.environments
    names = [item.name for item in again.items]
    assert names == ["List items", "Orders", "Live feed", UNNAMED_REQUEST]
    assert again.items[0] == expected.items[0]
    orders = again.items[1]
    assert isinstance(orders, Folder)
    assert orders.description == "Everything about orders"
    assert [item.name for item in orders.items] == [
        "Create order",
        "Empty but described",
        "Query orders",
        "Order events",
    ]
    assert orders.items[0] == expected.items[1].items[0]  # type: ignore[union-attr]
    empty = orders.items[1]
    assert isinstance(empty, Folder) and empty.description == "kept"
    assert isinstance(orders.items[2], GraphqlRequest)
    assert isinstance(again.items[2], WebsocketRequest)


def test_secret_values_stay_out_of_the_files_and_follow_the_rename(tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    dest = tmp_path / "shop"

    write_collection(_collection(), dest, secrets)

    text = _on_disk(dest)
    for secret in ("s3cr3t-collection", "s3cr3t-env", "s3cr3t-signing"):
        assert secret not in text
    stored = json.loads((tmp_path / "secrets.json").read_text(encoding="utf-8"))["values"]
    assert all(key.startswith(f"{dest.resolve()}::") for key in stored)
    reopened = CollectionStore.open(dest, secrets).to_collection()
    assert reopened.variables[1].value == "s3cr3t-collection"
    assert reopened.environments[0].variables[1].value == "s3cr3t-env"
    receiver = reopened.items[1].items[3]  # type: ignore[union-attr]
    assert isinstance(receiver, WebhookRequest)
    assert receiver.signature.secret == "s3cr3t-signing"


def test_an_empty_existing_folder_is_used(tmp_path: Path) -> None:
    dest = tmp_path / "shop"
    dest.mkdir()

    write_collection(_collection(), dest, SecretStore(tmp_path / "secrets.json"))

    assert (dest / "collection.yaml").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("kind", ["file", "full folder"])
def test_a_destination_in_use_is_refused_and_left_alone(tmp_path: Path, kind: str) -> None:
    dest = tmp_path / "shop"
    if kind == "file":
        dest.write_text("mine", encoding="utf-8")
    else:
        dest.mkdir()
        (dest / "notes.txt").write_text("mine", encoding="utf-8")

    with pytest.raises(StoreError, match="Choose a new or empty folder"):
        write_collection(_collection(), dest, SecretStore(tmp_path / "secrets.json"))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop"]


def test_a_failure_half_way_leaves_no_folder_and_no_secrets(tmp_path: Path) -> None:
    secrets_path = tmp_path / "secrets.json"
    collection = _collection()
    # The store refuses a nameless environment after the settings, the secrets and the
    # first environment were written.
    collection.environments.append(Environment(name=" ", variables=[]))
    dest = tmp_path / "shop"

    with pytest.raises(StoreError, match="environment needs a name"):
        write_collection(collection, dest, SecretStore(secrets_path))

    assert [p.name for p in tmp_path.iterdir()] == ["secrets.json"]
    assert json.loads(secrets_path.read_text(encoding="utf-8"))["values"] == {}


def test_add_folder_puts_an_import_into_an_open_collection(tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    store = CollectionStore.create(tmp_path / "mine", "Mine", secrets)
    store.save_request(RestRequest(name="Existing", url="http://127.0.0.1:1/"))
    imported = _collection()

    relpath = add_folder(store, Folder(name=imported.name, items=imported.items))

    reopened = CollectionStore.open(tmp_path / "mine", secrets)
    folder = reopened.find(relpath)
    assert isinstance(folder, FolderNode)
    assert folder.name == "Shop"
    requests = [n for n in walk(folder) if isinstance(n, RequestNode)]
    assert len(requests) == 6
    existing, added = reopened.tree.children
    assert isinstance(existing, RequestNode) and existing.request.name == "Existing"
    assert added.relpath == relpath


def test_free_folder_never_picks_a_name_in_use(tmp_path: Path) -> None:
    assert free_folder(tmp_path / "missing", "Pet Store") == tmp_path / "missing" / "pet-store"
    (tmp_path / "pet-store").mkdir()
    (tmp_path / "pet-store-2").write_text("", encoding="utf-8")

    assert free_folder(tmp_path, "Pet Store") == tmp_path / "pet-store-3"


def test_merge_settings_adds_without_changing_what_is_there() -> None:
    mine = [Variable(name="base_url", value="http://127.0.0.1:1")]
    envs = [Environment(name="Prod"), Environment(name="Prod (imported)")]
    imported = Collection(
        name="Shop",
        variables=[Variable(name="base_url", value="other"), Variable(name="token", value="t")],
        environments=[Environment(name="Prod", variables=[Variable(name="k", value="v")])],
    )

    variables, environments = merge_settings(mine, envs, imported)

    assert [(v.name, v.value) for v in variables] == [
        ("base_url", "http://127.0.0.1:1"),
        ("token", "t"),
    ]
    assert [e.name for e in environments] == ["Prod", "Prod (imported)", "Prod (imported 2)"]
    assert environments[2].variables == imported.environments[0].variables


def _nested() -> Collection:
    """Folders in folders, names that slug alike, blank names, an empty folder with a
    description, secret fields: what the one-pass writer must lay out as the store does."""
    return Collection(
        name="Nested",
        description="Two levels",
        items=[
            Folder(
                name="Users",
                description="About users",
                items=[
                    RestRequest(name="Get user", url="http://127.0.0.1:1/u/1"),
                    RestRequest(name="Get  user", url="http://127.0.0.1:1/u/2"),
                    RestRequest(name=" ", url="http://127.0.0.1:1/blank"),
                    Folder(
                        name="Admin",
                        items=[
                            RestRequest(
                                name="Folder",  # a reserved file name
                                url="http://127.0.0.1:1/a",
                                auth=Auth(kind="bearer", token="s3cr3t-token"),
                            )
                        ],
                    ),
                    Folder(name="Users", description="Empty, with a description"),
                    Folder(name=" "),
                ],
            ),
            Folder(name="users"),
            RestRequest(name="Users", url="http://127.0.0.1:1/all"),
        ],
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_files_are_those_the_store_writes(tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    collection = _nested()
    by_store = CollectionStore.create(tmp_path / "by-store", "Nested", secrets)
    by_store.description = collection.description
    by_store.save_settings()
    for item in collection.items:
        if isinstance(item, Folder):
            add_folder(by_store, item)
        else:
            by_store.save_request(item)

    dest = write_collection(collection, tmp_path / "written", secrets)

    assert _files(dest) == _files(tmp_path / "by-store")
    reopened = CollectionStore.open(dest, secrets)
    token = next(
        n.request.auth.token
        for n in walk(reopened.tree)
        if isinstance(n, RequestNode) and n.request.auth.kind == "bearer"
    )
    assert token == "s3cr3t-token"
    assert "s3cr3t-token" not in "".join(t.decode() for t in _files(dest).values())


def test_progress_counts_the_requests_and_a_cancel_leaves_nothing(tmp_path: Path) -> None:
    secrets_path = tmp_path / "secrets.json"
    reports: list[tuple[str, int, int]] = []
    write_collection(
        _nested(),
        tmp_path / "counted",
        SecretStore(secrets_path),
        ImportProgress(lambda *report: reports.append(report)),
    )
    assert reports[0] == (WRITING, 0, 5) and reports[-1] == (WRITING, 5, 5)

    def cancel_at_two(phase: str, done: int, total: int) -> None:
        if done == 2:
            progress.cancel()

    progress = ImportProgress(lambda *report: cancel_at_two(*report), interval=0)
    with pytest.raises(ImportCancelledError, match="nothing was written"):
        write_collection(_nested(), tmp_path / "stopped", SecretStore(secrets_path), progress)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["counted", "secrets.json"]
    values = json.loads(secrets_path.read_text(encoding="utf-8"))["values"]
    assert all(str((tmp_path / "counted").resolve()) in key for key in values)


def test_a_full_disk_while_writing_leaves_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = os.write
    calls = [0]

    def fills_up(fd: int, data: bytes | memoryview) -> int:
        calls[0] += 1
        if calls[0] > 4:  # collection.yaml and the first requests fit
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(fd, data)

    monkeypatch.setattr("apiclient.core.collection_writer.os.write", fills_up)
    with pytest.raises(StoreError, match="disk is full") as caught:
        write_collection(_nested(), tmp_path / "full", SecretStore(tmp_path / "secrets.json"))
    monkeypatch.undo()

    message = str(caught.value)
    assert f"while saving {tmp_path / 'full' / 'items'}" in message  # not the hidden folder
    assert "the half-written collection was deleted" in message
    assert [p.name for p in tmp_path.iterdir() if p.name != "secrets.json"] == []
