"""Hand-broken collection folders through ``CollectionStore.open``: a collection that
cannot be opened raises a CollectionLoadError naming the file and the reason; a broken
request, folder or environment file is listed in ``problems`` with its reason while the
rest opens. Either way nothing else escapes and no broken file is changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from clear_errors import assert_clear, assert_clear_error, params

from apiclient.core.store import CollectionStore

_COLLECTION = "schema_version: 1\nname: c\n"
_REQUEST = "kind: rest\nname: r\nmethod: GET\nurl: http://127.0.0.1/\n"
_ALIASES = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdef", "bcdefg", strict=True)
)
_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + _ALIASES

# (id, (collection.yaml or None for none, {other file: content}), fragment)
Layout = tuple[str | bytes | None, dict[str, str | bytes]]
FOLDERS: list[tuple[str, Layout, str]] = [
    ("no-collection-file", (None, {}), "there is no collection.yaml"),
    ("collection-empty", ("", {}), "the file is empty"),
    ("collection-a-list", ("- a\n", {}), "found a list"),
    ("collection-bad-yaml", ("name: [\n", {}), "line 2, column 1"),
    ("collection-no-version", ("name: c\n", {}), "'schema_version' is missing"),
    ("collection-from-the-future", ("schema_version: 99\nname: c\n", {}), "newer apiclient"),
    ("collection-version-words", ("schema_version: one\nname: c\n", {}), "expected a whole number"),
    (
        "collection-impossible-date",
        ("schema_version: 1\nname: 2020-02-30\n", {}),
        "day is out of range",
    ),
    (
        "collection-huge-number",
        ("schema_version: " + "9" * 5000 + "\nname: c\n", {}),
        "4,300 digits",
    ),
    ("collection-not-utf8", (b"\xff\xfe\x00", {}), "not UTF-8 text"),
    ("collection-name-a-list", ("schema_version: 1\nname: [a]\n", {}), "field 'name'"),
    ("collection-variables-a-number", (_COLLECTION + "variables: 5\n", {}), "field 'variables'"),
    ("collection-order-a-number", (_COLLECTION + "order: 5\n", {}), "field 'order'"),
    (
        "collection-python-tag",
        ("schema_version: 1\nname: !!python/name:os.system\n", {}),
        "constructor",
    ),
    ("collection-alias-bomb", (_COLLECTION + _BOMB + "variables: *g\n", {}), "field 'variables.0'"),
    ("collection-nul", ("schema_version: 1\nname: c\x00\n", {}), "control character"),
    ("request-empty", (_COLLECTION, {"items/a.yaml": ""}), "the file is empty"),
    ("request-a-list", (_COLLECTION, {"items/a.yaml": "- 1\n"}), "found a list"),
    ("request-no-kind", (_COLLECTION, {"items/a.yaml": "name: a\n"}), "field 'kind' is missing"),
    (
        "request-unknown-kind",
        (_COLLECTION, {"items/a.yaml": "kind: ftp\nname: a\n"}),
        "unknown request kind 'ftp'",
    ),
    (
        "request-method-a-list",
        (_COLLECTION, {"items/a.yaml": _REQUEST.replace("GET", "[1]")}),
        "field 'method'",
    ),
    (
        "request-unknown-field",
        (_COLLECTION, {"items/a.yaml": _REQUEST + "frobnicate: 1\n"}),
        "'frobnicate': unknown field",
    ),
    (
        "request-headers-text",
        (_COLLECTION, {"items/a.yaml": _REQUEST + "headers: x\n"}),
        "field 'headers'",
    ),
    (
        "request-negative-timeout",
        (_COLLECTION, {"items/a.yaml": _REQUEST + "settings: {timeout_s: -1}\n"}),
        "settings.timeout_s",
    ),
    (
        "request-unknown-body-mode",
        (_COLLECTION, {"items/a.yaml": _REQUEST + "body: {mode: telepathy}\n"}),
        "body.mode",
    ),
    (
        "request-impossible-date",
        (_COLLECTION, {"items/a.yaml": _REQUEST + "description: 2021-02-30\n"}),
        "day is out of range",
    ),
    (
        "request-huge-number",
        (_COLLECTION, {"items/a.yaml": _REQUEST + "description: " + "1" * 5000 + "\n"}),
        "4,300 digits",
    ),
    (
        "request-latin-1",
        (_COLLECTION, {"items/a.yaml": b"kind: rest\nname: caf\xe9\n"}),
        "not UTF-8 text",
    ),
    (
        "request-alias-bomb",
        (_COLLECTION, {"items/a.yaml": _REQUEST + _BOMB + "headers: *g\n"}),
        "field 'headers.0'",
    ),
    (
        "request-tab-indent",
        (_COLLECTION, {"items/a.yaml": "kind: rest\n\tname: a\n"}),
        "tab character",
    ),
    (
        "request-nul",
        (_COLLECTION, {"items/a.yaml": "kind: rest\nname: a\x00\n"}),
        "control character (#x0000)",
    ),
    (
        "request-deep-nesting",
        (
            _COLLECTION,
            {"items/a.yaml": _REQUEST + "description: " + "[" * 5000 + "]" * 5000 + "\n"},
        ),
        "field 'description'",
    ),
    (
        "request-surrogate-escape",
        (_COLLECTION, {"items/a.yaml": _REQUEST + 'description: "\\ud800"\n'}),
        "invalid Unicode character escape",
    ),
    (
        "request-grpc-message-a-map",
        (_COLLECTION, {"items/a.yaml": "kind: grpc\nname: g\nmessage: {a: 1}\n"}),
        "field 'message'",
    ),
    (
        "request-websocket-limit-zero",
        (_COLLECTION, {"items/a.yaml": "kind: websocket\nname: w\nmax_message_bytes: 0\n"}),
        "max_message_bytes",
    ),
    (
        "request-webhook-port-too-big",
        (_COLLECTION, {"items/a.yaml": "kind: webhook\nname: h\nport: 70000\n"}),
        "field 'port'",
    ),
    (
        "folder-bad-yaml",
        (_COLLECTION, {"items/f/folder.yaml": "name: [\n", "items/f/a.yaml": _REQUEST}),
        "line 2, column 1",
    ),
    ("folder-a-list", (_COLLECTION, {"items/f/folder.yaml": "- x\n"}), "found a list"),
    (
        "environment-bad-yaml",
        (_COLLECTION, {"environments/e.yaml": "name: [\n"}),
        "line 2, column 1",
    ),
    ("environment-a-list", (_COLLECTION, {"environments/e.yaml": "- 1\n"}), "found a list"),
    (
        "environment-variables-not-objects",
        (_COLLECTION, {"environments/e.yaml": "name: e\nvariables: [1]\n"}),
        "variables.0",
    ),
    (
        "environment-without-name",
        (_COLLECTION, {"environments/e.yaml": "variables: []\n"}),
        "field 'name'",
    ),
]
CASES = FOLDERS


def _write(root: Path, layout: Layout) -> dict[Path, bytes]:
    collection, files = layout
    (root / "items").mkdir(parents=True)
    written = {}
    if collection is not None:
        written[root / "collection.yaml"] = collection
    for relpath, content in files.items():
        written[root / relpath] = content
    data = {p: c.encode() if isinstance(c, str) else c for p, c in written.items()}
    for path, content in data.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return data


@pytest.mark.parametrize(("layout", "fragment"), params(FOLDERS))
def test_a_broken_collection_is_reported_and_left_alone(
    tmp_path: Path, layout: Layout, fragment: str
) -> None:
    root = tmp_path / "collection"
    written = _write(root, layout)
    try:
        store = CollectionStore.open(root)
    except Exception as exc:
        assert_clear_error(exc, fragment)
    else:
        assert store.problems, "opened without reporting the broken file"
        [problem] = store.problems
        assert problem.path in written
        assert_clear(f"{problem.path.name}: {problem.reason}", fragment)
    assert {path: path.read_bytes() for path in written} == written
