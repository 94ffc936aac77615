"""Big collections in the store: the quick outline, files that cannot be read, the cache
of parsed files, and the fast path of the YAML reader."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import yaml

from apiclient.core import store_cache, yaml_text
from apiclient.core.errors import CollectionLoadError
from apiclient.core.models import (
    Auth,
    Environment,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    WebhookRequest,
    WebsocketRequest,
)
from apiclient.core.store import CollectionStore, FolderNode, Node, RequestNode
from apiclient.core.store_cache import PARSED_REQUESTS
from apiclient.core.store_files import NOT_REGULAR
from apiclient.core.store_outline import read_outline

T = TypeVar("T")


def _outline_shape(node: Node) -> object:
    """What the sidebar shows of a node: names, relpaths, kinds, methods and URLs."""
    if isinstance(node, RequestNode):
        request = node.request
        method = request.method if isinstance(request, RestRequest) else ""
        return (node.relpath, request.kind, request.name, method, getattr(request, "url", ""))
    return (node.relpath, node.name, [_outline_shape(c) for c in node.children])


@pytest.fixture(autouse=True)
def _no_parsed_files_kept() -> None:
    PARSED_REQUESTS.clear()


@pytest.fixture
def keep_fresh_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files just written are kept too (the tests write them moments before reading)."""
    monkeypatch.setattr(store_cache, "RACY_NS", 0)


def test_the_outline_shows_what_the_store_reads(tmp_path: Path) -> None:
    store = CollectionStore.create(tmp_path / "api", "My: API")
    store.save_request(RestRequest(name="List items", method="PATCH", url="http://h/a?b=1"))
    folder = store.new_folder("", "Second folder")
    inner = store.new_folder(folder, "Inner")
    for request in (
        GraphqlRequest(name="it's 'quoted'", url="http://h/graphql"),
        SoapRequest(name="yes"),  # YAML would read the word alone as true: quoted in the file
        GrpcRequest(name='Say "hello"\ttwice'),
        WebsocketRequest(name="- dash", url="ws://h/ws"),
        WebhookRequest(name="Hook #1"),
        RestRequest(name="1234"),
    ):
        store.save_request(request, folder=inner)
    store.save_request(RestRequest(name="Zed"), folder=folder)
    store.move(f"{folder}/zed.yaml", folder, 0)  # an order that is not sorted by name
    (store.root / "items" / "broken.yaml").write_text("kind: rest\nname: [\n")
    (store.root / "items" / "no-folder-file").mkdir()
    (store.root / "items" / "no-folder-file" / "a.yaml").write_text("kind: rest\nname: A\n")

    outline = read_outline(store.root)
    reopened = CollectionStore.open(store.root)
    assert outline is not None
    assert outline.requests == 9
    assert outline.root == store.root
    assert _outline_shape(outline.tree) == _outline_shape(reopened.tree)
    assert [p.path.name for p in reopened.problems] == ["broken.yaml"]


def test_a_folder_order_written_as_a_flow_list_is_read_too(tmp_path: Path) -> None:
    store = CollectionStore.create(tmp_path / "api", "API")
    folder = store.new_folder("", "F")
    for name in ("a", "b", "c"):
        store.save_request(RestRequest(name=name), folder=folder)
    (store.root / "items" / "f" / "folder.yaml").write_text("name: F\norder: [c, a]\n")
    outline = read_outline(store.root)
    assert outline is not None
    assert [c.request.name for c in outline.tree.children[0].children] == ["c", "a", "b"]


def test_no_outline_without_a_collection_file(tmp_path: Path) -> None:
    assert read_outline(tmp_path) is None


def test_files_that_cannot_be_read_are_reported_and_never_opened(tmp_path: Path) -> None:
    store = CollectionStore.create(tmp_path / "api", "API")
    for n in range(40):
        store.save_request(RestRequest(name=f"Request {n}"))
    items = store.root / "items"
    (items / "latin1.yaml").write_bytes(b"kind: rest\nname: caf\xe9\n")
    (items / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    os.mkfifo(items / "pipe.yaml")  # opening it would wait for a writer forever
    (items / "not-a-request.txt").write_text("ignored")

    reopened = CollectionStore.open(store.root)
    assert len(reopened.tree.children) == 40
    reasons = {p.path.name: p.reason for p in reopened.problems}
    assert reasons == {
        "gone.yaml": "a symbolic link to something that does not exist",
        "latin1.yaml": "not UTF-8 text (byte 20 cannot be decoded)",
        "pipe.yaml": "not a regular file (a pipe, socket or device), so it was not read",
    }
    outline = read_outline(store.root)
    assert outline is not None and outline.requests == 40
    # Broken files keep their place and are never written over.
    reopened.save_request(RestRequest(name="One more"))
    assert (items / "latin1.yaml").read_bytes() == b"kind: rest\nname: caf\xe9\n"


def test_unchanged_files_are_not_parsed_again(tmp_path: Path, keep_fresh_files: None) -> None:
    store = CollectionStore.create(tmp_path / "api", "API")
    store.save_request(RestRequest(name="Kept", url="http://h/1"))
    store.save_request(RestRequest(name="Edited", url="http://h/2"))
    first = CollectionStore.open(store.root)
    second = CollectionStore.open(store.root)
    kept = [c.request for c in first.tree.children]
    assert [c.request for c in second.tree.children] == kept
    assert all(a is b for a, b in zip(kept, [c.request for c in second.tree.children], strict=True))

    path = store.root / "items" / "edited.yaml"
    mtime = path.stat().st_mtime_ns
    path.write_text(path.read_text().replace("http://h/2", "http://h/3"))  # same size
    os.utime(path, ns=(mtime + 5_000_000_000, mtime + 5_000_000_000))  # a later time for sure
    third = CollectionStore.open(store.root)
    assert third.tree.children[0].request is kept[0]
    assert third.tree.children[1].request.url == "http://h/3"


def test_files_written_moments_ago_are_parsed_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file system with coarse times could show an edit made in the same tick as
    # the same file: such files are not kept.
    monkeypatch.setattr(store_cache, "RACY_NS", 3600 * 1_000_000_000)
    store = CollectionStore.create(tmp_path / "api", "API")
    store.save_request(RestRequest(name="Fresh"))
    first = CollectionStore.open(store.root)
    second = CollectionStore.open(store.root)
    assert first.tree.children[0].request == second.tree.children[0].request
    assert first.tree.children[0].request is not second.tree.children[0].request


def test_a_stored_secret_is_put_back_on_every_read(tmp_path: Path, keep_fresh_files: None) -> None:
    store = CollectionStore.create(tmp_path / "api", "API")
    store.save_request(RestRequest(name="Secret", auth=Auth(kind="bearer", token="s3cret")))
    for _ in range(2):
        reopened = CollectionStore.open(store.root)
        node = reopened.tree.children[0]
        assert isinstance(node, RequestNode) and node.request.auth.token == "s3cret"
    assert "s3cret" not in (store.root / "items" / "secret.yaml").read_text()


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2.5, true, null, ~, 2021-01-01]\nc: {d: 'x', e: \"y\\n\"}\n",
        "f: |\n  two\n  lines\ng: >-\n  folded\n  text\n",
        "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
        "? [1, 2]\n: x\n",
        "- 1\n- two\n- {3: 4}\n",
        "!!set {a, b}\n",
        "x: !!binary aGVsbG8=\n",
        "'quoted key': v\n0x1F: hex\nyes: 1\n~: 2\n1.5: f\n",
        "",
        "just a string",
        "a: !!str 12\nb: !!int '7'\n",
        "a: b\na: c\n",
    ],
)
def test_the_yaml_reader_reads_what_pyyaml_reads(text: str) -> None:
    try:
        expected: object = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        expected = type(exc)
    try:
        got: object = yaml_text.load(text)
    except yaml.YAMLError as exc:
        got = type(exc)
    assert got == expected


def test_yaml_aliases_stay_shared_so_nested_ones_stay_small() -> None:
    doc = yaml_text.load("l: &l [1]\nm: &m [*l, *l, *l]\nn: [*m, *m, *m]\n")
    assert doc["m"][0] is doc["l"] and doc["n"][0] is doc["m"]
    recursive = yaml_text.load("a: &a [*a]\n")
    assert recursive["a"][0] is recursive["a"]


def test_a_big_collection_reads_whole(tmp_path: Path) -> None:
    from big_collection import request_name, write_big_collection

    root = write_big_collection(tmp_path / "big", folders=5, per_folder=7)
    store = CollectionStore.open(root)
    assert not store.problems
    assert [f.name for f in store.tree.children] == [f"Folder {f}" for f in range(5)]
    folder = store.tree.children[2]
    assert isinstance(folder, FolderNode)
    assert [c.request.name for c in folder.children] == [request_name(2, r) for r in range(7)]
    # The generator writes files as the store does: saving one unchanged writes nothing.
    path = root / "items" / "folder-002" / "request-2-3.yaml"
    before = path.stat().st_mtime_ns
    store.save_request(folder.children[3].request, folder.children[3].relpath)
    assert path.stat().st_mtime_ns == before


def test_reading_a_big_collection_reports_progress(tmp_path: Path) -> None:
    from big_collection import write_big_collection

    root = write_big_collection(tmp_path / "big", folders=2, per_folder=130)
    read: list[int] = []
    store = CollectionStore.open(root, progress=read.append)
    assert read == [250]
    assert sum(len(f.children) for f in store.tree.children if isinstance(f, FolderNode)) == 260


def _finishes(call: Callable[[], T]) -> T:
    """``call``'s result, failing (not hanging) when it blocks: a pipe opened for reading
    waits for a writer forever."""
    done: list[T] = []
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done, "blocked"
    return done[0]


def test_pipes_in_place_of_folder_and_environment_files_are_reported_not_read(
    tmp_path: Path,
) -> None:
    store = CollectionStore.create(tmp_path / "api", "API")
    store.new_folder("", "Users")
    store.save_request(RestRequest(name="List", url="http://h/users"), folder="users")
    store.save_environment(Environment(name="Local"))
    os.mkfifo(tmp_path / "pipe")
    for path in (
        store.root / "items" / "users" / "folder.yaml",
        store.root / "environments" / "local.yaml",
    ):
        path.unlink()
        os.mkfifo(path)
    (store.root / "items" / "linked.yaml").symlink_to(tmp_path / "pipe")

    outline = _finishes(lambda: read_outline(store.root))
    assert outline is not None and outline.requests == 1
    reopened = _finishes(lambda: CollectionStore.open(store.root))
    assert [c.name for c in reopened.tree.children if isinstance(c, FolderNode)] == ["users"]
    assert reopened.environments == []
    reasons = {p.path.name: p.reason for p in reopened.problems}
    assert reasons == {
        "folder.yaml": NOT_REGULAR,
        "local.yaml": NOT_REGULAR,
        "linked.yaml": f"a symbolic link to something {NOT_REGULAR}",
    }


def test_a_pipe_in_place_of_the_collection_file_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "api"
    root.mkdir()
    os.mkfifo(root / "collection.yaml")
    assert _finishes(lambda: read_outline(root)) is None

    def opened() -> str:
        try:
            CollectionStore.open(root)
        except CollectionLoadError as exc:
            return str(exc)
        return "opened"

    assert "collection.yaml is not a regular file (it is a pipe, socket or device)" in (
        _finishes(opened)
    )
