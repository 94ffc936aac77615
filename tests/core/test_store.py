"""Collections on disk: round trips, stable bytes, tree operations, broken files, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiclient.core.errors import CollectionLoadError, StoreError
from apiclient.core.models import (
    AnyRequest,
    Auth,
    Body,
    Environment,
    FormField,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RestRequest,
    SoapRequest,
    Variable,
    WebsocketRequest,
    WsMessage,
    WsSecurity,
)
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore, FolderNode, Node, RequestNode


def _shape(node: Node) -> object:
    """A comparable picture of a tree: names, relpaths and requests."""
    if isinstance(node, RequestNode):
        return (node.relpath, node.request)
    return (node.relpath, node.name, node.description, [_shape(c) for c in node.children])


def _assert_reopens_the_same(store: CollectionStore) -> CollectionStore:
    again = CollectionStore.open(store.root)
    assert _shape(again.tree) == _shape(store.tree)
    assert again.variables == store.variables
    assert again.environments == store.environments
    assert again.problems == store.problems
    return again


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _request(name: str = "Get item", **fields: object) -> RestRequest:
    return RestRequest(name=name, **fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> CollectionStore:
    return CollectionStore.create(tmp_path / "my-api", "My API")


def test_create_then_open(store: CollectionStore) -> None:
    assert (store.root / "collection.yaml").read_text() == "schema_version: 1\nname: My API\n"
    again = _assert_reopens_the_same(store)
    assert again.name == "My API" and again.problems == []


def test_create_refuses_a_non_empty_folder_and_an_existing_collection(
    tmp_path: Path, store: CollectionStore
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not an empty folder"):
        CollectionStore.create(other, "X")
    with pytest.raises(StoreError, match="already holds a collection"):
        CollectionStore.create(store.root, "X")
    with pytest.raises(StoreError, match="needs a name"):
        CollectionStore.create(tmp_path / "new", "   ")


def test_request_file_is_readable_yaml(store: CollectionStore) -> None:
    request = _request(
        method="POST",
        url="{{base_url}}/api/items",
        headers=[KeyValue(name="Accept", value="application/json")],
        body=Body(mode="raw", raw='{\n  "name": "x"\n}'),
    )
    relpath = store.save_request(request)
    assert relpath == "get-item.yaml"
    assert (store.root / "items" / relpath).read_text() == (
        "kind: rest\n"
        "name: Get item\n"
        "method: POST\n"
        "url: '{{base_url}}/api/items'\n"
        "headers:\n"
        "  - name: Accept\n"
        "    value: application/json\n"
        "body:\n"
        "  mode: raw\n"
        "  raw: |-\n"
        "    {\n"
        '      "name": "x"\n'
        "    }\n"
    )
    _assert_reopens_the_same(store)


def test_soap_request_file_is_readable_yaml(store: CollectionStore) -> None:
    request = SoapRequest(
        name="Get patient",
        wsdl="{{soap_url}}/hospital?wsdl",
        service="HospitalService",
        port="HospitalSoap12",
        operation="GetPatientRecord",
        endpoint="{{soap_url}}/hospital12",
        soap_version="1.2",
        envelope="<soap:Envelope>\n  <soap:Body/>\n</soap:Envelope>\n",
        wsse=WsSecurity(mode="digest", username="nurse", password="{{nurse_password}}"),
        validate_response=True,
    )
    relpath = store.save_request(request)
    assert (store.root / "items" / relpath).read_text() == (
        "kind: soap\n"
        "name: Get patient\n"
        "wsdl: '{{soap_url}}/hospital?wsdl'\n"
        "service: HospitalService\n"
        "port: HospitalSoap12\n"
        "operation: GetPatientRecord\n"
        "endpoint: '{{soap_url}}/hospital12'\n"
        "soap_version: '1.2'\n"
        "envelope: |\n"
        "  <soap:Envelope>\n"
        "    <soap:Body/>\n"
        "  </soap:Envelope>\n"
        "wsse:\n"
        "  mode: digest\n"
        "  username: nurse\n"
        "  password: '{{nurse_password}}'\n"
        "validate_response: true\n"
    )
    again = _assert_reopens_the_same(store)
    (node,) = again.tree.children
    assert isinstance(node, RequestNode) and node.request == request


def test_websocket_request_file_is_readable_yaml(store: CollectionStore) -> None:
    request = WebsocketRequest(
        name="Editor room",
        url="{{ws_url}}/room/doc?user=alice",
        subprotocols=["chat.v1"],
        message_format="json",
        message='{\n  "type": "cursor_move"\n}\n',
        messages=[
            WsMessage(name="Hello", body="hi"),
            WsMessage(name="Bytes", format="hex", body="de ad"),
        ],
        auto_reconnect=True,
    )
    relpath = store.save_request(request)
    assert (store.root / "items" / relpath).read_text() == (
        "kind: websocket\n"
        "name: Editor room\n"
        "url: '{{ws_url}}/room/doc?user=alice'\n"
        "subprotocols:\n"
        "  - chat.v1\n"
        "auto_reconnect: true\n"
        "message_format: json\n"
        "message: |\n"
        "  {\n"
        '    "type": "cursor_move"\n'
        "  }\n"
        "messages:\n"
        "  - name: Hello\n"
        "    body: hi\n"
        "  - name: Bytes\n"
        "    format: hex\n"
        "    body: de ad\n"
    )
    again = _assert_reopens_the_same(store)
    (node,) = again.tree.children
    assert isinstance(node, RequestNode) and node.request == request


def test_same_content_gives_same_bytes_and_unchanged_save_writes_nothing(
    store: CollectionStore,
) -> None:
    relpath = store.save_request(_request(url="http://x"))
    folder = store.new_folder("", "Folder A")
    path = store.root / "items" / relpath
    before = _files(store.root)
    stamps = {p: p.stat().st_mtime_ns for p in store.root.rglob("*") if p.is_file()}
    store.save_request(_request(url="http://x"), relpath)
    store.save_settings()
    store.rename(folder, "Folder A")
    assert _files(store.root) == before
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    store.save_request(_request(url="http://y"), relpath)
    assert path.read_text().endswith("url: http://y\n")


def test_new_names_get_unique_slugs(store: CollectionStore) -> None:
    first = store.save_request(_request("Hello, World!"))
    second = store.save_request(_request("hello world"))
    third = store.save_request(_request("Folder"))  # folder.yaml is reserved
    fourth = store.save_request(_request("???"))
    folder = store.new_folder("", "hello world")
    assert (first, second, third, fourth, folder) == (
        "hello-world.yaml",
        "hello-world-2.yaml",
        "folder-2.yaml",
        "request.yaml",
        "hello-world-3",
    )
    long_name = "x" * 200
    assert store.save_request(_request(long_name)) == "x" * 60 + ".yaml"
    with pytest.raises(StoreError, match="needs a name"):
        store.save_request(_request(" \t"))


def test_rename_duplicate_delete(store: CollectionStore) -> None:
    a = store.save_request(_request("A"))
    b = store.save_request(_request("B"))
    renamed = store.rename(a, "Alpha one")
    assert renamed == "alpha-one.yaml"
    assert not (store.root / "items" / a).exists()
    assert store.find(renamed).request.name == "Alpha one"  # type: ignore[union-attr]
    copy = store.duplicate(renamed)
    assert copy == "alpha-one-copy.yaml"
    assert [c.relpath for c in store.tree.children] == [renamed, copy, b]
    store.delete(renamed)
    assert [c.relpath for c in store.tree.children] == [copy, b]
    assert not (store.root / "items" / renamed).exists()
    _assert_reopens_the_same(store)
    with pytest.raises(StoreError, match="not in the collection"):
        store.find(renamed)


def test_folders_rename_duplicate_delete(store: CollectionStore) -> None:
    folder = store.new_folder("", "Playlists")
    inner = store.new_folder(folder, "Inner")
    request = store.save_request(_request("List"), folder=inner)
    assert request == "playlists/inner/list.yaml"
    renamed = store.rename(folder, "Play lists")
    assert renamed == "play-lists"
    assert store.find("play-lists/inner/list.yaml").relpath == "play-lists/inner/list.yaml"
    copy = store.duplicate(renamed)
    assert copy == "play-lists-copy"
    copied = store.find(copy)
    assert isinstance(copied, FolderNode) and copied.name == "Play lists copy"
    assert isinstance(store.find("play-lists-copy/inner/list.yaml"), RequestNode)
    _assert_reopens_the_same(store)
    store.delete(renamed)
    assert not (store.root / "items" / renamed).exists()
    assert [c.relpath for c in store.tree.children] == [copy]
    _assert_reopens_the_same(store)
    with pytest.raises(StoreError, match="cannot be renamed"):
        store.rename("", "x")


def test_move_reorders_and_crosses_folders(store: CollectionStore) -> None:
    a = store.save_request(_request("A"))
    b = store.save_request(_request("B"))
    c = store.save_request(_request("C"))
    folder = store.new_folder("", "F")
    assert store.move(c, "", 0) == c
    assert [n.relpath for n in store.tree.children] == [c, a, b, folder]
    _assert_reopens_the_same(store)
    moved = store.move(a, folder, 0)
    assert moved == "f/a.yaml"
    assert (store.root / "items" / moved).exists() and not (store.root / "items" / a).exists()
    other_a = store.save_request(_request("A"))  # the name is free again at the top
    assert other_a == "a.yaml"
    moved_again = store.move(other_a, folder, 0)  # collides with f/a.yaml
    assert moved_again == "f/a-2.yaml"
    assert [n.relpath for n in store.find(folder).children] == [moved_again, moved]  # type: ignore[union-attr]
    sub = store.new_folder("", "Sub")
    moved_folder = store.move(sub, folder, 99)
    assert moved_folder == "f/sub"
    _assert_reopens_the_same(store)
    with pytest.raises(StoreError, match="into itself"):
        store.move(folder, "f/sub", 0)
    with pytest.raises(StoreError, match="into itself"):
        store.move(folder, folder, 0)


def test_order_lists_entries_unlisted_come_sorted_and_missing_are_dropped(
    store: CollectionStore,
) -> None:
    store.save_request(_request("B"))
    store.save_request(_request("A"))
    items = store.root / "items"
    (items / "c.yaml").write_text("kind: rest\nname: C\n")  # added by hand, not listed
    (items / "0.yaml").write_text("kind: rest\nname: Zero\n")
    text = (store.root / "collection.yaml").read_text()
    (store.root / "collection.yaml").write_text(text + "  - gone\n")
    again = CollectionStore.open(store.root)
    assert [n.relpath for n in again.tree.children] == ["b.yaml", "a.yaml", "0.yaml", "c.yaml"]
    again.save_request(_request("D"))
    order = (store.root / "collection.yaml").read_text().split("order:\n")[1]
    assert order == "  - b\n  - a\n  - '0'\n  - c\n  - d\n"


def test_broken_request_is_reported_and_never_overwritten(store: CollectionStore) -> None:
    store.save_request(_request("First"))
    store.save_request(_request("Get item"))
    store.save_request(_request("Last"))
    broken = store.root / "items" / "get-item.yaml"
    broken.write_text("kind: rest\nname: Get item\nmethod: [\n")
    bad_field = store.root / "items" / "bad-field.yaml"
    bad_field.write_text("kind: rest\nname: x\nmethod: 3\n")
    again = CollectionStore.open(store.root)
    reasons = {p.path: p.reason for p in again.problems}
    assert set(reasons) == {broken, bad_field}
    assert reasons[broken].startswith("line 4")
    assert reasons[bad_field] == "field 'method': Input should be a valid string"
    assert [n.relpath for n in again.tree.children] == ["first.yaml", "last.yaml"]
    broken_bytes = broken.read_bytes()

    again.save_request(_request("First", url="http://changed"), "first.yaml")
    new = again.save_request(_request("Get item"))
    assert new == "get-item-2.yaml"
    again.move("last.yaml", "", 0)
    again.duplicate("first.yaml")
    assert broken.read_bytes() == broken_bytes
    order = (store.root / "collection.yaml").read_text().split("order:\n")[1]
    # The broken entry stays right after the entry it followed ("first").
    assert order == "  - last\n  - first\n  - get-item\n  - first-copy\n  - get-item-2\n"
    _assert_reopens_the_same(again)


def test_broken_folder_file_is_left_alone(store: CollectionStore) -> None:
    folder = store.new_folder("", "Folder")
    folder_file = store.root / "items" / folder / "folder.yaml"
    folder_file.write_text("name: [oops\n")
    again = CollectionStore.open(store.root)
    node = again.find(folder)
    assert isinstance(node, FolderNode) and node.name == folder  # the folder's directory name
    assert [p.path for p in again.problems] == [folder_file]
    again.save_request(_request("Inside"), folder=folder)
    assert folder_file.read_text() == "name: [oops\n"
    with pytest.raises(StoreError, match="could not be loaded"):
        again.rename(folder, "Better")


def test_folder_without_folder_file_is_a_folder(store: CollectionStore) -> None:
    (store.root / "items" / "by-hand").mkdir(parents=True)
    (store.root / "items" / "by-hand" / "r.yaml").write_text("kind: rest\nname: R\n")
    again = CollectionStore.open(store.root)
    node = again.find("by-hand")
    assert isinstance(node, FolderNode) and node.name == "by-hand"
    assert again.problems == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("schema_version: 1\nname: [\n", "line 3"),
        ("name: No version\n", "field 'schema_version' is missing"),
        ("schema_version: 2\nname: Future\n", "newer apiclient (schema_version 2"),
        ("schema_version: 1\n", "field 'name': Field required"),
        ("", "the file is empty"),
    ],
)
def test_broken_collection_file_cannot_be_opened(
    store: CollectionStore, text: str, reason: str
) -> None:
    path = store.root / "collection.yaml"
    path.write_text(text)
    with pytest.raises(CollectionLoadError) as info:
        CollectionStore.open(store.root)
    assert info.value.path == path
    assert reason in str(info.value) and str(path) in str(info.value)
    assert path.read_text() == text


def test_not_a_collection(tmp_path: Path) -> None:
    with pytest.raises(CollectionLoadError, match=r"no collection\.yaml"):
        CollectionStore.open(tmp_path)
    with pytest.raises(CollectionLoadError, match="does not exist"):
        CollectionStore.open(tmp_path / "missing")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("kind: rest\nschema_version: 2\nname: x\n", "newer apiclient (schema_version 2"),
        ("kind: carrier-pigeon\nname: x\n", "unknown request kind 'carrier-pigeon'"),
        ("name: x\n", "field 'kind' is missing"),
        ("kind: rest\nnmae: x\n", "field 'nmae': unknown field"),
    ],
)
def test_unreadable_request_files_are_reported(
    store: CollectionStore, text: str, reason: str
) -> None:
    path = store.root / "items" / "r.yaml"
    path.parent.mkdir()
    path.write_text(text)
    again = CollectionStore.open(store.root)
    assert len(again.problems) == 1
    assert again.problems[0].path == path and reason in again.problems[0].reason


def test_secret_variables_stay_out_of_files(tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    store = CollectionStore.create(tmp_path / "c", "C", secrets)
    store.variables = [
        Variable(name="token", value="s3cr3t-collection", secret=True),
        Variable(name="plain", value="visible"),
    ]
    store.save_settings()
    store.save_environment(
        Environment(name="Prod", variables=[Variable(name="key", value="s3cr3t-env", secret=True)])
    )
    store.save_request(
        _request(variables=[Variable(name="r", value="s3cr3t-request", secret=True)])
    )
    store.new_folder("", "F")
    store.move("get-item.yaml", "f", 0)
    contents = b"".join(_files(store.root).values())
    assert b"s3cr3t" not in contents and b"visible" in contents
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600

    again = CollectionStore.open(store.root, secrets)
    assert again.variables[0].value == "s3cr3t-collection"
    assert again.environments[0].variables[0].value == "s3cr3t-env"
    request = again.find("f/get-item.yaml")
    assert isinstance(request, RequestNode)
    assert request.request.variables[0].value == "s3cr3t-request"
    without = CollectionStore.open(store.root, SecretStore(tmp_path / "elsewhere.json"))
    assert without.variables[0].value == ""


def test_default_secret_store_lives_in_the_data_dir(tmp_path: Path) -> None:
    store = CollectionStore.create(tmp_path / "c", "C")
    store.variables = [Variable(name="t", value="v", secret=True)]
    store.save_settings()
    assert (tmp_path / "data" / "secrets.json").exists()
    assert CollectionStore.open(store.root).variables[0].value == "v"


def test_environments_save_rename_delete(store: CollectionStore) -> None:
    store.save_environment(Environment(name="Local mocks", variables=[Variable(name="a")]))
    store.save_environment(Environment(name="Another"))
    path = store.root / "environments" / "local-mocks.yaml"
    assert path.read_text() == "name: Local mocks\nvariables:\n  - name: a\n"
    assert [e.name for e in store.environments] == ["Another", "Local mocks"]
    with pytest.raises(StoreError, match="already exists"):
        store.save_environment(Environment(name="Another"), old_name="Local mocks")
    store.save_environment(Environment(name="Staging"), old_name="Local mocks")
    assert not path.exists() and (store.root / "environments" / "staging.yaml").exists()
    _assert_reopens_the_same(store)
    store.delete_environment("Staging")
    assert [e.name for e in store.environments] == ["Another"]
    _assert_reopens_the_same(store)


def test_broken_environment_is_reported_and_keeps_its_slug(store: CollectionStore) -> None:
    broken = store.root / "environments" / "local.yaml"
    broken.parent.mkdir()
    broken.write_text("variables: 3\n")
    again = CollectionStore.open(store.root)
    assert [p.path for p in again.problems] == [broken]
    again.save_environment(Environment(name="Local"))
    assert broken.read_text() == "variables: 3\n"
    assert (store.root / "environments" / "local-2.yaml").exists()


def test_to_collection(store: CollectionStore) -> None:
    folder = store.new_folder("", "F")
    store.save_request(_request("In F"), folder=folder)
    store.save_request(_request("Top"))
    collection = store.to_collection()
    assert collection.name == "My API"
    assert [item.name for item in collection.items] == ["F", "Top"]


_TEXT = st.text(max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=_TEXT.filter(lambda s: s.strip() != ""),
    url=_TEXT,
    header=st.tuples(_TEXT, _TEXT),
    body=_TEXT,
    description=_TEXT,
)
def test_any_strings_come_back_unchanged(
    tmp_path: Path, name: str, url: str, header: tuple[str, str], body: str, description: str
) -> None:
    root = tmp_path / "prop"
    store = CollectionStore.open(root) if root.exists() else CollectionStore.create(root, "P")
    request = RestRequest(
        name=name,
        description=description,
        url=url,
        headers=[KeyValue(name=header[0], value=header[1])],
        body=Body(mode="raw", raw=body, multipart=[FormField(name=body)]),
        auth=Auth(kind="basic", username=name, password=body),
    )
    relpath = store.save_request(request)
    node = CollectionStore.open(root).find(relpath)
    assert isinstance(node, RequestNode) and node.request == request
    store.delete(relpath)


def _other_kind(kind: str, name: str, a: str, b: str, c: str) -> AnyRequest:
    """A request of ``kind`` whose every free-text field holds one of the texts."""
    row = [KeyValue(name=b, value=c)]
    if kind == "soap":
        return SoapRequest(name=name, wsdl=a, endpoint=b, soap_action=c, headers=row, envelope=a)
    if kind == "graphql":
        return GraphqlRequest(name=name, url=a, query=b, variables_json=c, headers=row)
    if kind == "grpc":
        return GrpcRequest(name=name, target=a, method=b, message=c, metadata=row)
    return WebsocketRequest(
        name=name, url=a, headers=row, messages=[WsMessage(name=b, format="json", body=c)]
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["soap", "graphql", "grpc", "websocket"]),
    name=_TEXT.filter(lambda s: s.strip() != ""),
    texts=st.tuples(_TEXT, _TEXT, _TEXT),
    variables=st.lists(
        st.builds(Variable, name=_TEXT.filter(str.strip), value=_TEXT, secret=st.booleans()),
        max_size=3,
        unique_by=lambda variable: variable.name,
    ),
)
def test_every_kind_and_its_environment_come_back_unchanged(
    tmp_path: Path, kind: str, name: str, texts: tuple[str, str, str], variables: list[Variable]
) -> None:
    """Write then read gives back the same request of every kind, and the same
    environment, secret values included (they come back from the secret store)."""
    root = tmp_path / "kinds"
    store = CollectionStore.open(root) if root.exists() else CollectionStore.create(root, "K")
    request = _other_kind(kind, name, *texts)
    relpath = store.save_request(request)
    environment = Environment(name=name, variables=variables)
    store.save_environment(environment)
    reopened = CollectionStore.open(root)
    node = reopened.find(relpath)
    assert isinstance(node, RequestNode) and node.request == request
    assert reopened.environments == [environment]
    assert reopened.problems == []
    store.delete(relpath)
    store.delete_environment(name)
