"""Auth passwords, tokens, API keys and WS-Security passwords stay out of request files:
they go to the secret store on save and come back on load, like the webhook secret."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from apiclient.core.models import (
    AnyRequest,
    Auth,
    BatchRequest,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RestRequest,
    SoapRequest,
    WebsocketRequest,
    WsSecurity,
)
from apiclient.core.paths import resources_dir
from apiclient.core.secret_fields import (
    AUTH_KEY_VALUE_KEY,
    AUTH_PASSWORD_KEY,
    AUTH_TOKEN_KEY,
    WSSE_PASSWORD_KEY,
    fill_secret_fields,
    split_secret_fields,
)
from apiclient.core.secrets import SecretStore, request_scope_key
from apiclient.core.store import CollectionStore, RequestNode, walk

SECRET = "s3cr3t-value"

REQUESTS: dict[str, AnyRequest] = {
    "rest bearer": RestRequest(name="R", auth=Auth(kind="bearer", token=SECRET)),
    "batch basic": BatchRequest(name="B", auth=Auth(kind="basic", username="u", password=SECRET)),
    "soap wsse": SoapRequest(
        name="S", wsse=WsSecurity(mode="digest", username="n", password=SECRET)
    ),
    "soap apikey": SoapRequest(name="S", auth=Auth(kind="apikey", key_name="k", key_value=SECRET)),
    "graphql digest": GraphqlRequest(
        name="G", auth=Auth(kind="digest", username="u", password=SECRET)
    ),
    "websocket bearer": WebsocketRequest(name="W", auth=Auth(kind="bearer", token=SECRET)),
    "unused token of an auth of kind none": RestRequest(name="N", auth=Auth(token=SECRET)),
}


def _saved(tmp_path: Path, request: AnyRequest) -> tuple[CollectionStore, SecretStore, str]:
    secrets = SecretStore(tmp_path / "secrets.json")
    store = CollectionStore.create(tmp_path / "c", "C", secrets)
    return store, secrets, store.save_request(request)


def _request_at(store: CollectionStore, relpath: str) -> AnyRequest:
    node = store.find(relpath)
    assert isinstance(node, RequestNode)
    return node.request


@pytest.mark.parametrize("request_", REQUESTS.values(), ids=REQUESTS.keys())
def test_a_typed_secret_stays_out_of_the_file_and_comes_back(
    tmp_path: Path, request_: AnyRequest
) -> None:
    store, secrets, relpath = _saved(tmp_path, request_)
    text = (store.root / "items" / relpath).read_text()
    assert SECRET not in text
    assert SECRET in secrets.scope(request_scope_key(store.root, relpath)).values()

    assert _request_at(CollectionStore.open(store.root, secrets), relpath) == request_
    elsewhere = CollectionStore.open(store.root, SecretStore(tmp_path / "other.json"))
    assert SECRET not in repr(_request_at(elsewhere, relpath))


def test_each_field_has_its_own_key() -> None:
    request = SoapRequest(
        name="S",
        auth=Auth(kind="basic", password="p", token="t", key_value="k"),
        wsse=WsSecurity(mode="text", username="n", password="w"),
    )
    on_disk, stored = split_secret_fields(request)
    assert stored == {
        AUTH_PASSWORD_KEY: "p",
        AUTH_TOKEN_KEY: "t",
        AUTH_KEY_VALUE_KEY: "k",
        WSSE_PASSWORD_KEY: "w",
    }
    assert on_disk.auth == Auth(kind="basic") and on_disk.wsse.password == ""
    assert fill_secret_fields(on_disk, stored) == request


def test_variable_references_are_written_as_is(tmp_path: Path) -> None:
    request = RestRequest(name="R", auth=Auth(kind="basic", username="u", password="{{pw}}"))
    store, secrets, relpath = _saved(tmp_path, request)
    assert "'{{pw}}'" in (store.root / "items" / relpath).read_text()
    assert secrets.scope(request_scope_key(store.root, relpath)) == {}


def test_a_value_typed_in_the_file_wins_over_the_stored_one() -> None:
    request = RestRequest(name="R", auth=Auth(kind="bearer", token="{{token}}"))
    _on_disk, stored = split_secret_fields(RestRequest(auth=Auth(token=SECRET)))
    assert fill_secret_fields(request, stored) == request


def test_grpc_metadata_is_not_a_secret_field() -> None:
    request = GrpcRequest(name="G", metadata=[KeyValue(name="authorization", value=SECRET)])
    assert split_secret_fields(request) == (request, {})


def test_clearing_the_token_forgets_the_stored_value(tmp_path: Path) -> None:
    store, secrets, relpath = _saved(tmp_path, REQUESTS["rest bearer"])
    store.save_request(RestRequest(name="R", auth=Auth(kind="bearer")), relpath)
    assert secrets.scope(request_scope_key(store.root, relpath)) == {}
    request = _request_at(CollectionStore.open(store.root, secrets), relpath)
    assert isinstance(request, RestRequest) and request.auth.token == ""


def test_rename_move_and_duplicate_keep_the_token(tmp_path: Path) -> None:
    store, secrets, relpath = _saved(tmp_path, REQUESTS["rest bearer"])
    relpath = store.rename(relpath, "Renamed")
    folder = store.new_folder("", "Folder")
    relpath = store.move(relpath, folder, 0)
    copy = store.duplicate(relpath)
    folder_copy = store.duplicate(folder)

    again = CollectionStore.open(store.root, secrets)
    tokens = {
        node.relpath: node.request.auth.token
        for node in walk(again.tree)
        if isinstance(node, RequestNode) and isinstance(node.request, RestRequest)
    }
    assert tokens == {
        relpath: SECRET,
        copy: SECRET,
        f"{folder_copy}/renamed.yaml": SECRET,
        f"{folder_copy}/renamed-copy.yaml": SECRET,
    }
    on_disk = b"".join(p.read_bytes() for p in store.root.rglob("*") if p.is_file())
    assert SECRET.encode() not in on_disk


def test_sample_requests_with_referenced_secrets_stay_unchanged(tmp_path: Path) -> None:
    root = shutil.copytree(resources_dir() / "sample-collection", tmp_path / "sample")
    secrets = SecretStore(tmp_path / "secrets.json")
    store = CollectionStore.open(root, secrets)
    saved = []
    for node in walk(store.tree):
        if not isinstance(node, RequestNode) or split_secret_fields(node.request)[1]:
            continue
        auth = getattr(node.request, "auth", Auth())
        if "{{" in auth.token + auth.key_value + auth.password:
            path = root / "items" / node.relpath
            before = path.read_bytes()
            store.save_request(node.request, node.relpath)
            assert path.read_bytes() == before, node.relpath
            saved.append(node.relpath)
    assert "http-basics/api-key-in-header.yaml" in saved
    folder_file = root / "items" / "playlists" / "folder.yaml"
    before = folder_file.read_bytes()
    store.save_folder_auth("playlists", store.folder_auth("playlists"))  # {{token}}
    assert folder_file.read_bytes() == before
    assert not secrets.path.exists()
