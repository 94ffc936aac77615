"""Exports keep secret values out of the files they write, unless asked to include them:
Postman files, collection-folder copies, and the global variables file."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

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
    KeyValue,
    RestRequest,
    SoapRequest,
    Variable,
    WsSecurity,
)
from apiclient.core.secrets import SecretStore, environment_scope_key
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
    own = items[1]["event"][0]
    assert own["listen"] == "prerequest"
    assert own["script"]["exec"] == ['pm.variables.set("own", "{{items.create-item.own}}");']
    names = [
        "password",
        "items.create-item.password",
        "items.create-item.token",
        "items.create-item.own",
        "keyed.api-key",
        "books.token",
    ]
    assert doc["variable"][1:] == [{"key": n, "value": "", "type": "secret"} for n in names]
    (secret_warning,) = [w for w in warnings if "Secret values were left out" in w]
    for name in names:
        assert f'--env-var "{name}=VALUE"' in secret_warning
    assert "newman run shop.json --env-var" in secret_warning


CREDENTIALS = Collection(
    name="Creds",
    items=[
        RestRequest(
            name=f"Call {n}",
            url="https://ann:s3cret-url-pw@127.0.0.1:8000/x",
            params=[
                KeyValue(name="API_KEY", value="s3cret-query-key"),
                KeyValue(name="page", value="2"),
                KeyValue(name="Access_Token", value="{{token}}"),
            ],
            headers=[
                KeyValue(name="authorization", value="Bearer s3cret-inherited"),
                KeyValue(name="Proxy-Authorization", value="Basic s3cret-proxy", enabled=False),
                KeyValue(name="Cookie", value="sid=s3cret-cookie"),
                KeyValue(name="X-Api-Key", value="s3cret-header-key"),
                KeyValue(name="Accept", value="application/json"),
            ],
            auth=Auth(kind="bearer", token="s3cret-inherited"),
        )
        for n in (1, 2, 3)
    ],
)
CREDENTIAL_VALUES = [
    "s3cret-url-pw",
    "s3cret-query-key",
    "s3cret-inherited",
    "s3cret-proxy",
    "s3cret-cookie",
    "s3cret-header-key",
]


def test_credentials_in_headers_query_rows_and_urls_become_shared_secret_variables() -> None:
    doc, warnings = export_postman(CREDENTIALS, file_name='"creds.json"')

    text = json.dumps(doc)
    assert [v for v in CREDENTIAL_VALUES if v in text] == []
    names = [
        "call-1.token",
        "call-1.url-password",
        "call-1.api-key",
        "call-1.proxy-authorization",
        "call-1.cookie",
        "call-1.x-api-key",
    ]
    assert doc["variable"] == [{"key": n, "value": "", "type": "secret"} for n in names]
    for item in doc["item"]:  # the same values in three requests: one variable each
        request = item["request"]
        assert request["url"]["raw"] == (
            "https://ann:{{call-1.url-password}}@127.0.0.1:8000/x"
            "?API_KEY={{call-1.api-key}}&page=2&Access_Token={{token}}"
        )
        assert [(h["key"], h["value"]) for h in request["header"]] == [
            ("authorization", "Bearer {{call-1.token}}"),
            ("Proxy-Authorization", "Basic {{call-1.proxy-authorization}}"),
            ("Cookie", "{{call-1.cookie}}"),
            ("X-Api-Key", "{{call-1.x-api-key}}"),
            ("Accept", "application/json"),
        ]
        assert request["auth"]["bearer"][0]["value"] == "{{call-1.token}}"
    (warning,) = warnings
    run = " ".join(f'--env-var "{n}=VALUE"' for n in names)
    assert f'newman run "creds.json" {run} (' in warning


def test_credentials_are_kept_when_secrets_are_included() -> None:
    doc, warnings = export_postman(CREDENTIALS, include_secrets=True)

    text = json.dumps(doc)
    assert [v for v in CREDENTIAL_VALUES if v not in text] == []
    assert "variable" not in doc
    (warning,) = warnings
    assert "clear text" in warning and "the API_KEY query row of 'Call 1'" in warning


def test_request_variables_become_pre_request_lines() -> None:
    request = RestRequest(
        name="Vars",
        url="http://h/{{id}}",
        description=(
            "## Postman scripts (kept as text, not run by apiclient)\n\n"
            "### Pre-request script\n\n```javascript\nconsole.log(1);\n```"
        ),
        variables=[
            Variable(name="id", value='say "hi" \\ {{base}}'),
            Variable(name="off", value="1", enabled=False),
            Variable(name="pw", value=SECRETS["own"], secret=True),
        ],
    )
    for include, pw in ((False, "{{vars.pw}}"), (True, SECRETS["own"])):
        doc, _ = export_postman(Collection(name="c", items=[request]), include_secrets=include)
        (event,) = doc["item"][0]["event"]
        assert event["listen"] == "prerequest"
        assert event["script"]["exec"] == [
            'pm.variables.set("id", "say \\"hi\\" \\\\ {{base}}");',
            f'pm.variables.set("pw", "{pw}");',
            "console.log(1);",
        ]


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


@pytest.mark.parametrize("fmt", ["postman", "folder"])
def test_nothing_is_written_inside_the_collection(source: Path, fmt: str) -> None:
    before = sorted(p.relative_to(source) for p in source.rglob("*"))
    for output in (source / "out.json", source / "items" / "copy", source):
        with pytest.raises(StoreError, match="inside the collection itself"):
            export_collection(source, fmt, output)
    assert sorted(p.relative_to(source) for p in source.rglob("*")) == before


def test_inside_is_decided_by_the_file_system_not_the_spelling(
    source: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link"
    link.symlink_to(source / "items", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    dotted = tmp_path / "elsewhere" / ".." / "shop" / "out.json"
    for output in (link / "out.json", dotted):
        with pytest.raises(StoreError, match="inside the collection itself"):
            export_collection(source, "postman", output)
    assert not (source / "items" / "out.json").exists() and not (source / "out.json").exists()
    export_collection(source, "postman", tmp_path / "shop.json")  # beside it: fine
    assert (tmp_path / "shop.json").is_file()


def test_inside_ignores_case_where_the_disk_does(source: Path) -> None:
    other_case = source.parent / source.name.upper()
    if not other_case.exists():
        pytest.skip("this file system tells names apart by case")
    with pytest.raises(StoreError, match="inside the collection itself"):
        export_collection(source, "postman", other_case / "out.json")
    assert not (source / "out.json").exists()


def test_a_folder_export_onto_a_file_is_refused(source: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="it is a file"):
        export_collection(source, "folder", taken)
    assert taken.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("fmt", ["postman", "folder"])
def test_an_os_error_becomes_a_sentence(source: Path, tmp_path: Path, fmt: str) -> None:
    too_long = tmp_path / ("x" * 300) / "out"
    there = sorted(tmp_path.iterdir())
    with pytest.raises(StoreError) as raised:
        export_collection(source, fmt, too_long)
    message = str(raised.value)
    assert message.startswith("Could not use ") and "name too long" in message
    assert message.endswith("Nothing was exported.")
    assert sorted(tmp_path.iterdir()) == there


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


# --- leftovers under the target path, and the secret store's lock ----------------------------


def _with_blank_secrets(collection: Collection) -> Collection:
    """``collection`` with its secret variable and first password blank, and without its
    environment: what a shared copy may hold."""
    blank = collection.model_copy(deep=True, update={"environments": []})
    blank.variables[1].value = ""
    create = blank.items[0].items[0]  # type: ignore[union-attr]
    create.auth.password = ""
    return blank


@pytest.mark.parametrize("how", ["export", "import"])
def test_a_copy_does_not_pick_up_secrets_left_under_its_path(tmp_path: Path, how: str) -> None:
    """A collection once at the target path, deleted by hand, left its secret values in
    the store; a new collection written there must not get them."""
    secrets = SecretStore(tmp_path / "secrets.json")
    target = tmp_path / "target"
    write_collection(shop(), target, secrets)
    shutil.rmtree(target)  # deleted by hand: its values stay in the store
    blank = _with_blank_secrets(shop())

    if how == "export":
        source = write_collection(blank, tmp_path / "blank", secrets)
        export_collection(source, "folder", target, secrets=secrets)
    else:
        write_collection(blank, target, secrets)

    copy = CollectionStore.open(target, secrets)
    assert copy.variables[1].value == ""
    requests = {n.relpath: n.request for n in walk(copy.tree) if isinstance(n, RequestNode)}
    assert requests["items/create-item.yaml"].auth.password == ""
    assert requests["items/create-item-2.yaml"].auth.token == SECRETS["bearer"]  # its own
    # nothing is left for what the copy lacks (an environment file a git pull adds)
    assert secrets.scope(environment_scope_key(target, "Local")) == {}


def test_every_change_of_the_secrets_file_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second store in another thread (an export's worker) cannot read the file while
    one store changes it, so neither undoes the other's change."""
    from apiclient.core import secrets as secrets_module

    store = SecretStore(tmp_path / "secrets.json")
    write = store._write
    others_could_take_it: list[bool] = []

    def checked_write(doc: Any) -> None:
        def try_lock() -> None:
            taken = secrets_module._LOCK.acquire(blocking=False)
            if taken:
                secrets_module._LOCK.release()
            others_could_take_it.append(taken)

        thread = threading.Thread(target=try_lock)
        thread.start()
        thread.join()
        write(doc)

    monkeypatch.setattr(store, "_write", checked_write)
    store.set("a::collection", "x", "1")
    store.replace_scope("a::collection", {"x": "2"})
    store.move_scopes("a::collection", "b::collection")
    store.delete("b::collection", "x")
    store.set("c::collection", "y", "1")
    store.delete_scopes("c::collection")
    store.set(f"{tmp_path / 'd'}::collection", "z", "1")
    store.forget_collection(tmp_path / "d")
    assert others_could_take_it == [False] * 8
    assert store.scope(f"{tmp_path / 'd'}::collection") == {}
