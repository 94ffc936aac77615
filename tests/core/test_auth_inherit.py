"""Auth inherited from folders and the collection: which one a request sends, how folder
and collection auth (and client certificates) are stored with their secrets kept out of
the files, and how they travel through Postman import and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_paths import CORPUS

from apiclient.core.auth_inherit import effective_auth
from apiclient.core.collection_writer import add_folder, write_collection
from apiclient.core.exporters.postman import export_postman
from apiclient.core.importers.postman import import_postman
from apiclient.core.models import (
    Auth,
    ClientCertificate,
    Collection,
    Folder,
    RestRequest,
    inherit_auth,
)
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore, FolderNode
from apiclient.core.store_nodes import RequestNode

BASIC = Auth(kind="basic", username="ann", password="folder-pw")
BEARER = Auth(kind="bearer", token="collection-token")
REQUEST = RestRequest(name="Get", url="http://h/", auth=inherit_auth())


def _tree() -> FolderNode:
    """Root > outer (basic) > middle (inherit) > inner (inherit) with a request in each."""
    inner = FolderNode("outer/middle/inner", "Inner")
    inner.children = [RequestNode("outer/middle/inner/r.yaml", REQUEST)]
    middle = FolderNode("outer/middle", "Middle", children=[inner])
    outer = FolderNode("outer", "Outer", auth=BASIC, children=[middle])
    outer.children.append(RequestNode("outer/r.yaml", REQUEST))
    other = FolderNode("outer-2", "Other", children=[RequestNode("outer-2/r.yaml", REQUEST)])
    return FolderNode("", "Demo", children=[outer, other, RequestNode("top.yaml", REQUEST)])


def test_own_auth_wins_over_every_parent() -> None:
    own = Auth(kind="apikey", key_name="X-Key", key_value="k")
    assert effective_auth(_tree(), BEARER, "outer/r.yaml", own) == (own, "this request")
    none = Auth(kind="none")
    assert effective_auth(_tree(), BEARER, "outer/r.yaml", none) == (none, "this request")


def test_the_nearest_folder_that_sets_an_auth_wins() -> None:
    tree = _tree()
    assert effective_auth(tree, BEARER, "outer/middle/inner/r.yaml", inherit_auth()) == (
        BASIC,
        "folder 'Outer'",
    )
    middle = tree.children[0].children[0]  # type: ignore[union-attr]
    assert isinstance(middle, FolderNode)
    middle.auth = Auth(kind="none")
    assert effective_auth(tree, BEARER, "outer/middle/inner/r.yaml", inherit_auth()) == (
        Auth(kind="none"),
        "folder 'Middle'",
    )


def test_without_a_folder_auth_the_collection_s_is_used() -> None:
    # "outer-2" starts with "outer" but is not inside it.
    assert effective_auth(_tree(), BEARER, "outer-2/r.yaml", inherit_auth()) == (
        BEARER,
        "collection 'Demo'",
    )
    assert effective_auth(_tree(), BEARER, "top.yaml", inherit_auth()) == (
        BEARER,
        "collection 'Demo'",
    )


def test_a_draft_inherits_from_the_collection_alone() -> None:
    assert effective_auth(_tree(), BEARER, None, inherit_auth()) == (BEARER, "collection 'Demo'")


@pytest.mark.parametrize("collection_auth", [inherit_auth(), Auth(kind="none")])
def test_nothing_set_means_no_auth(collection_auth: Auth) -> None:
    assert effective_auth(_tree(), collection_auth, "top.yaml", inherit_auth()) == (
        Auth(kind="none"),
        "",
    )


def test_a_deep_tree_answers_fast() -> None:
    root = FolderNode("", "Deep")
    node = root
    for depth in range(30):
        child = FolderNode(f"{node.relpath}/f{depth}".lstrip("/"), f"F{depth}")
        child.children = [RequestNode(f"{child.relpath}/r{i}.yaml", REQUEST) for i in range(50)]
        node.children.insert(0, child)
        node = child
    import time

    start = time.perf_counter()
    for _ in range(200):
        effective_auth(root, BEARER, f"{node.relpath}/r49.yaml", inherit_auth())
    assert (time.perf_counter() - start) / 200 < 0.005


# ---- the store ---------------------------------------------------------------------------


@pytest.fixture
def secrets(tmp_path: Path) -> SecretStore:
    return SecretStore(tmp_path / "secrets.json")


def _all_text(root: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(root.rglob("*.yaml")))


def test_folder_and_collection_auth_round_trip_with_secrets_out_of_the_files(
    tmp_path: Path, secrets: SecretStore
) -> None:
    root = tmp_path / "c"
    store = CollectionStore.create(root, "Demo", secrets)
    folder = store.new_folder("", "Playlists")
    store.save_request(REQUEST, None, folder)
    oauth2 = Auth(
        kind="oauth2",
        client_id="app",
        client_secret="s3cret-client",
        token_url="http://h/token",
    )
    store.save_folder_auth(folder, oauth2)
    store.save_folder_auth("", Auth(kind="bearer", token="clear-token-1"))
    certs = [
        ClientCertificate(host="api.example.com", pfx_file="/c.p12", passphrase="pfx-pass"),
        ClientCertificate(host="*.example.org", cert_file="/c.pem", passphrase="{{pass}}"),
    ]
    store.save_client_certificates(certs)

    text = _all_text(root)
    for secret in ("s3cret-client", "clear-token-1", "pfx-pass"):
        assert secret not in text
    assert "{{pass}}" in text  # a reference is no secret: a shared collection needs it
    assert "kind: oauth2" in (root / "items" / "playlists" / "folder.yaml").read_text()

    again = CollectionStore.open(root, secrets)
    assert again.folder_auth(folder) == oauth2
    assert again.auth == Auth(kind="bearer", token="clear-token-1")
    assert again.client_certificates == certs
    assert again.same_content(store)
    exported = again.to_collection()
    assert exported.auth == again.auth
    assert exported.client_certificates == certs
    assert isinstance(exported.items[0], Folder) and exported.items[0].auth == oauth2


def test_a_folder_s_auth_secrets_follow_rename_move_copy_and_delete(
    tmp_path: Path, secrets: SecretStore
) -> None:
    root = tmp_path / "c"
    store = CollectionStore.create(root, "Demo", secrets)
    outer = store.new_folder("", "Outer")
    inner = store.new_folder(outer, "Inner")
    store.save_folder_auth(inner, BASIC)

    inner = store.rename(inner, "Renamed")
    inner = store.move(inner, "", 0)
    copy = store.duplicate(inner)
    reopened = CollectionStore.open(root, secrets)
    assert reopened.folder_auth(inner) == BASIC
    assert reopened.folder_auth(copy) == BASIC
    assert reopened.same_content(store)

    before = len(json.loads((tmp_path / "secrets.json").read_text())["values"])
    store.delete(copy)
    after = json.loads((tmp_path / "secrets.json").read_text())["values"]
    assert len(after) == before - 1
    assert "folder-pw" in json.dumps(after)  # the original's stays


def test_writing_a_collection_keeps_folder_and_collection_auth(
    tmp_path: Path, secrets: SecretStore
) -> None:
    collection = Collection(
        name="Imported",
        auth=BEARER,
        client_certificates=[ClientCertificate(host="h", pfx_file="/p.p12", passphrase="pp")],
        items=[Folder(name="F", auth=BASIC, items=[REQUEST])],
    )
    dest = write_collection(collection, tmp_path / "dest", secrets)

    text = _all_text(dest)
    assert "collection-token" not in text and "folder-pw" not in text and "pp" not in text
    store = CollectionStore.open(dest, secrets)
    assert store.auth == BEARER
    assert store.client_certificates == collection.client_certificates
    assert store.folder_auth("f") == BASIC

    added = add_folder(store, Folder(name="Added", auth=BEARER, items=[REQUEST]))
    assert CollectionStore.open(dest, secrets).folder_auth(added) == BEARER


# ---- Postman -----------------------------------------------------------------------------

INHERITED = CORPUS / "postman" / "v2.0" / "newman-inherited-entities.postman_collection.json"


@pytest.mark.skipif(not INHERITED.is_file(), reason=f"no corpus file {INHERITED}")
def test_postman_collection_and_folder_auth_survive_import_and_export(tmp_path: Path) -> None:
    collection = import_postman(INHERITED).collection
    assert (collection.auth.kind, collection.auth.username) == ("basic", "postman")

    doc, _ = export_postman(collection)
    assert doc["auth"]["type"] == "basic"
    folder = next(item for item in doc["item"] if item["name"] == "Folder level stuff")
    assert folder["auth"]["type"] == "digest"
    assert all("auth" not in item["request"] for item in folder["item"])  # they inherit
    override = next(item for item in doc["item"] if item["name"] == "Auth override")
    assert override["request"]["auth"] == {"type": "noauth"}
    passwords = [
        entry["value"]
        for auth in (doc["auth"], folder["auth"])
        for entry in auth[auth["type"]]
        if entry["key"] == "password"
    ]
    assert passwords and all(value.startswith("{{") for value in passwords)

    path = tmp_path / "again.json"
    path.write_text(json.dumps(doc))
    again = import_postman(path).collection
    assert again.auth.kind == "basic"
    assert again.auth.password.startswith("{{")
    assert [i.auth.kind for i in again.items] == [i.auth.kind for i in collection.items]


def test_postman_export_writes_every_kind_and_hides_its_secrets() -> None:
    kinds = {
        "oauth2": Auth(kind="oauth2", client_id="app", client_secret="cs-one", token_url="u"),
        "oauth1": Auth(kind="oauth1", consumer_key="ck", consumer_secret="cs-two", token="tok-one"),
        "awsv4": Auth(kind="awsv4", access_key="AK", secret_key="sk-one", service="s3"),
        "hawk": Auth(kind="hawk", hawk_id="id", hawk_key="hk-one"),
        "ntlm": Auth(kind="ntlm", username="u", password="pw-one", domain="D"),
    }
    collection = Collection(
        name="All",
        items=[RestRequest(name=k, url="http://h/", auth=a) for k, a in kinds.items()],
    )

    doc, warnings = export_postman(collection)
    text = json.dumps(doc)
    for secret in ("cs-one", "cs-two", "tok-one", "sk-one", "hk-one", "pw-one"):
        assert secret not in text
    assert [item["request"]["auth"]["type"] for item in doc["item"]] == list(kinds)
    assert any("Secret values were left out" in w for w in warnings)

    clear, _ = export_postman(collection, include_secrets=True)
    assert "sk-one" in json.dumps(clear)
