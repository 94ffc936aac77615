"""Exports keep secret values out of the files they write, unless asked to include them:
Postman files, collection-folder copies, and the global variables file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiclient.core.collection_writer import write_collection
from apiclient.core.errors import StoreError
from apiclient.core.exporters.postman import export_postman
from apiclient.core.exporters.writer import export_collection
from apiclient.core.global_variables import load_globals, save_globals
from apiclient.core.models import (
    Auth,
    Collection,
    Environment,
    Folder,
    GraphqlRequest,
    RestRequest,
    SoapRequest,
    Variable,
    WsSecurity,
)
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk

SECRETS = {
    "basic": "s3cret-basic-pw",
    "bearer": "s3cret-bearer-token",
    "apikey": "s3cret-api-key",
    "graphql": "s3cret-graphql-token",
    "variable": "s3cret-variable",
    "env": "s3cret-environment",
    "wsse": "s3cret-wsse",
    "own": "s3cret-request-variable",
}


def shop() -> Collection:
    return Collection(
        name="Shop",
        variables=[
            Variable(name="base", value="http://127.0.0.1:8000"),
            Variable(name="password", value=SECRETS["variable"], secret=True),
        ],
        environments=[
            Environment(
                name="Local", variables=[Variable(name="key", value=SECRETS["env"], secret=True)]
            )
        ],
        items=[
            Folder(
                name="Items",
                items=[
                    RestRequest(
                        name="Create item",
                        method="POST",
                        url="{{base}}/items",
                        auth=Auth(kind="basic", username="ann", password=SECRETS["basic"]),
                    ),
                    RestRequest(
                        name="Create item",
                        url="{{base}}/items",
                        auth=Auth(kind="bearer", token=SECRETS["bearer"]),
                        variables=[Variable(name="own", value=SECRETS["own"], secret=True)],
                    ),
                ],
            ),
            RestRequest(
                name="Keyed",
                url="{{base}}/keyed",
                auth=Auth(kind="apikey", key_name="X-Key", key_value=SECRETS["apikey"]),
            ),
            RestRequest(
                name="By reference",
                url="{{base}}/ref",
                auth=Auth(kind="bearer", token="{{token}}"),
            ),
            GraphqlRequest(
                name="Books",
                url="{{base}}/graphql",
                auth=Auth(kind="bearer", token=SECRETS["graphql"]),
            ),
            SoapRequest(
                name="Add",
                endpoint="{{base}}/calc",
                wsse=WsSecurity(mode="text", username="u", password=SECRETS["wsse"]),
            ),
        ],
    )


def _without_secrets(data: bytes) -> list[str]:
    """The secret values found in ``data`` (none, when all is well)."""
    return [value for value in SECRETS.values() if value.encode() in data]


def _folder_bytes(root: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file())


# --- Postman --------------------------------------------------------------------------------


def test_postman_export_leaves_literal_secrets_out_as_references() -> None:
    doc, warnings = export_postman(shop(), file_name="shop.json")

    text = json.dumps(doc, ensure_ascii=False).encode()
    assert _without_secrets(text) == []
    items = doc["item"][0]["item"]
    basic = {e["key"]: e["value"] for e in items[0]["request"]["auth"]["basic"]}
    assert basic == {"username": "ann", "password": "{{items.create-item.password}}"}
    bearer = items[1]["request"]["auth"]["bearer"]
    assert bearer[0]["value"] == "{{items.create-item.token}}"
    keyed = {e["key"]: e["value"] for e in doc["item"][1]["request"]["auth"]["apikey"]}
    assert keyed["value"] == "{{keyed.api-key}}" and keyed["key"] == "X-Key"
    by_reference = doc["item"][2]["request"]["auth"]["bearer"]
    assert by_reference[0]["value"] == "{{token}}"  # a reference is no secret: kept
    assert doc["item"][3]["request"]["auth"]["bearer"][0]["value"] == "{{books.token}}"
    names = [
        "password",
        "items.create-item.password",
        "items.create-item.token",
        "keyed.api-key",
        "books.token",
    ]
    assert doc["variable"][1:] == [{"key": n, "value": "", "type": "secret"} for n in names]
    (secret_warning,) = [w for w in warnings if "Secret values were left out" in w]
    for name in names:
        assert f'--env-var "{name}=VALUE"' in secret_warning
    assert "newman run shop.json --env-var" in secret_warning


def test_generated_names_are_unique_and_stable() -> None:
    collection = Collection(
        name="c",
        variables=[Variable(name="a.token", value="taken")],
        items=[
            RestRequest(name="A", auth=Auth(kind="bearer", token="t1")),
            RestRequest(name="a", auth=Auth(kind="bearer", token="t2")),
        ],
    )
    first, _ = export_postman(collection)
    again, _ = export_postman(collection)
    assert first == again
    added = [v["key"] for v in first["variable"][1:]]
    assert added == ["a.token-2", "a.token-3"]


def test_postman_export_with_secrets_included_says_the_file_holds_them() -> None:
    doc, warnings = export_postman(shop(), include_secrets=True)

    text = json.dumps(doc, ensure_ascii=False)
    for key in ("basic", "bearer", "apikey", "graphql", "variable"):
        assert SECRETS[key] in text
    assert [v["key"] for v in doc["variable"]] == ["base", "password"]
    assert doc["variable"][1] == {"key": "password", "value": SECRETS["variable"], "type": "secret"}
    (warning,) = [w for w in warnings if "clear text" in w]
    assert "'Items / Create item'" in warning and "'password'" in warning
    assert not any("left out of the file" in w for w in warnings)


def test_a_collection_with_no_secret_gets_no_secret_warning() -> None:
    collection = Collection(name="c", items=[RestRequest(name="a", url="http://h/")])
    for include in (False, True):
        _, warnings = export_postman(collection, include_secrets=include)
        assert warnings == ()


# --- export_collection: files on disk --------------------------------------------------------


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = write_collection(shop(), tmp_path / "shop")
    assert _without_secrets(_folder_bytes(root)) == []
    return root


def test_export_to_a_postman_file_writes_no_secret(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "shop.postman_collection.json"

    result = export_collection(source, "postman", output)

    assert _without_secrets(output.read_bytes()) == []
    assert json.loads(output.read_bytes())["info"]["name"] == "Shop"
    assert any("items.create-item.password" in w for w in result.warnings)


def test_export_to_a_postman_file_with_secrets_included(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "shop.json"
    export_collection(source, "postman", output, include_secrets=True)
    assert SECRETS["basic"].encode() in output.read_bytes()


def test_export_as_a_folder_keeps_secrets_in_the_secret_store(source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy"

    result = export_collection(source, "folder", dest)

    assert _without_secrets(_folder_bytes(dest)) == []
    assert any("copied to" in w and str(dest) in w for w in result.warnings)
    copy = CollectionStore.open(dest)
    assert copy.name == "Shop"
    assert copy.variables[1].value == SECRETS["variable"]
    assert copy.environments[0].variables[0].value == SECRETS["env"]
    requests = {n.relpath: n.request for n in walk(copy.tree) if isinstance(n, RequestNode)}
    originals = {
        n.relpath: n.request
        for n in walk(CollectionStore.open(source).tree)
        if isinstance(n, RequestNode)
    }
    assert requests == originals
    assert requests["items/create-item-2.yaml"].variables[0].value == SECRETS["own"]


def test_export_as_a_folder_refuses_what_it_must_not_write(source: Path, tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not empty"):
        export_collection(source, "folder", busy)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    with pytest.raises(StoreError, match="inside the collection"):
        export_collection(source, "folder", source / "items" / "copy")
    with pytest.raises(StoreError, match="cannot be included in a collection folder"):
        export_collection(source, "folder", tmp_path / "new", include_secrets=True)
    with pytest.raises(StoreError, match="'yaml' is not a format"):
        export_collection(source, "yaml", tmp_path / "x")
    with pytest.raises(StoreError, match="it is a folder"):
        export_collection(source, "postman", busy)
    assert not (tmp_path / "new").exists() and not (tmp_path / "x").exists()


# --- global variables -------------------------------------------------------------------------


def test_secret_globals_never_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "globals.yaml"
    secrets = SecretStore(tmp_path / "secrets.json")
    variables = [
        Variable(name="host", value="127.0.0.1"),
        Variable(name="token", value=SECRETS["variable"], secret=True),
    ]

    save_globals(path, variables, secrets)

    data = path.read_bytes()
    assert SECRETS["variable"].encode() not in data and b"127.0.0.1" in data
    assert load_globals(path, secrets) == variables
    assert load_globals(path, SecretStore(tmp_path / "other.json"))[1].value == ""


def test_a_secret_global_in_clear_text_moves_out_on_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "globals.yaml"
    secrets = SecretStore(tmp_path / "secrets.json")
    path.write_text(
        "schema_version: 1\nvariables:\n"
        f"- name: token\n  value: {SECRETS['variable']}\n  secret: true\n",
        encoding="utf-8",
    )
    variables = load_globals(path, secrets)
    assert variables[0].value == SECRETS["variable"]

    save_globals(path, [*variables, Variable(name="added", value="1")], secrets)

    assert SECRETS["variable"].encode() not in path.read_bytes()
    assert load_globals(path, secrets)[0].value == SECRETS["variable"]


def test_globals_use_the_default_secret_store(tmp_path: Path) -> None:
    path = tmp_path / "globals.yaml"
    save_globals(path, [Variable(name="token", value=SECRETS["variable"], secret=True)])
    assert SECRETS["variable"].encode() not in path.read_bytes()
    assert load_globals(path)[0].value == SECRETS["variable"]
