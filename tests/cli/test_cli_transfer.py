"""``apiclient import`` and ``apiclient export``: what they print, write and exit with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from apiclient.cli import main
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk

REPO = Path(__file__).resolve().parents[2]
V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

POSTMAN: dict[str, Any] = {
    "info": {"name": "Shop", "schema": V21},
    "variable": [{"key": "base", "value": "http://127.0.0.1:8080"}],
    "item": [
        {
            "name": "Items",
            "item": [
                {
                    "name": "List items",
                    "request": {
                        "method": "GET",
                        "url": "{{base}}/api/items?page=1",
                        "header": [{"key": "Accept", "value": "application/json"}],
                    },
                },
                {
                    "name": "Create item",
                    "request": {
                        "method": "POST",
                        "url": "{{base}}/api/items",
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "body": {"mode": "raw", "raw": '{"name": "pen"}'},
                        "auth": {
                            "type": "bearer",
                            "bearer": [{"key": "token", "value": "{{token}}"}],
                        },
                    },
                },
            ],
        },
        {
            "name": "Signed",
            "request": {
                "method": "GET",
                "url": "{{base}}/signed",
                "auth": {"type": "edgegrid", "edgegrid": [{"key": "accessToken", "value": "x"}]},
            },
        },
    ],
}

OPENAPI = """\
openapi: 3.0.3
info: {title: Petstore, version: "1.0"}
servers: [{url: "http://127.0.0.1:8080/v1"}]
paths:
  /pets:
    get: {tags: [pets], operationId: listPets}
    post: {tags: [pets], operationId: createPet}
  /orders:
    get: {tags: [store], operationId: listOrders}
"""


def _write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def _requests(root: Path) -> list[Any]:
    store = CollectionStore.open(root)
    return [n.request for n in walk(store.tree) if isinstance(n, RequestNode)]


def test_import_a_postman_file_prints_what_came_in_and_what_did_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "shop.postman_collection.json", POSTMAN)
    into = tmp_path / "collections" / "shop"

    code = main(["import", str(source), "--into", str(into)])

    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Imported 'Shop' (Postman collection): 3 requests in 1 folder"
    assert lines[1] == f"Wrote {into}"
    assert lines[2] == "1 warning(s):"
    assert "edgegrid" in lines[3] and "'Signed'" in lines[3]
    requests = _requests(into)
    assert [r.name for r in requests] == ["List items", "Create item", "Signed"]
    assert requests[1].auth.kind == "bearer"
    assert requests[1].body.raw == '{"name": "pen"}'


def test_import_openapi_counts_folders_and_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "petstore.yaml", OPENAPI)
    into = tmp_path / "petstore"

    code = main(["import", str(source), "--into", str(into)])

    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0] == (
        "Imported 'Petstore' (OpenAPI 3.0.3): 3 requests in 2 folders, 1 environment"
    )
    assert CollectionStore.open(into).environments


def test_import_a_curl_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(
        tmp_path,
        "calls.txt",
        "curl -X PUT 'http://127.0.0.1:8080/api/items/1' -H 'X-Trace: 1' --frobnicate\n",
    )
    into = tmp_path / "calls"

    code = main(["import", str(source), "--into", str(into)])

    out, _ = capsys.readouterr()
    assert code == 0
    assert out.startswith("Imported 'calls' (curl commands): 1 request\n")
    assert "--frobnicate" in out  # the unknown flag is named in a warning
    (request,) = _requests(into)
    assert (request.method, request.url) == ("PUT", "http://127.0.0.1:8080/api/items/1")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("shop.postman_collection.json", json.dumps(POSTMAN)[:80], "is not valid JSON"),
        ("echo.proto", 'syntax = "proto3";\n', "open it in the gRPC tab"),
        ("cut.yaml", "openapi: 3.0.0\npaths:\n  /x: {get: [\n", "OpenAPI"),
        ("calls.txt", "curl 'http://127.0.0.1:8080/a\n", "quote"),
    ],
)
def test_import_of_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, expected: str
) -> None:
    source = _write(tmp_path, name, content)
    into = tmp_path / "out"

    code = main(["import", str(source), "--into", str(into)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("apiclient import: error: ")
    assert expected in err
    assert len(err.splitlines()) == 1
    assert not into.exists()
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_import_refuses_a_folder_in_use_and_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "shop.json", POSTMAN)
    into = tmp_path / "mine"
    into.mkdir()
    (into / "notes.txt").write_text("keep me", encoding="utf-8")

    assert main(["import", str(source), "--into", str(into)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in into.iterdir()] == ["notes.txt"]

    assert main(["import", str(tmp_path / "gone.json"), "--into", str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err

    assert main(["import", str(source)]) == 2  # --into is required
    assert "--into" in capsys.readouterr().err


def test_export_writes_postman_v21_that_imports_back_equivalent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "shop.postman_collection.json", POSTMAN)
    first = tmp_path / "first"
    assert main(["import", str(source), "--into", str(first)]) == 0
    exported = tmp_path / "exported.postman_collection.json"
    capsys.readouterr()

    code = main(["export", str(first), "--format", "postman", "--output", str(exported)])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[0].startswith("Exported 'Shop' as Postman Collection v2.1")
    doc = json.loads(exported.read_text(encoding="utf-8"))
    assert doc["info"]["schema"] == V21
    second = tmp_path / "second"
    assert main(["import", str(exported), "--into", str(second)]) == 0

    def shape(root: Path) -> list[tuple[Any, ...]]:
        return [
            (r.name, r.method, r.url, r.params, r.headers, r.body, r.auth) for r in _requests(root)
        ]

    assert shape(second) == shape(first)


def test_export_lists_a_corrupt_file_and_exports_the_rest(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = next((sample / "items").rglob("*.yaml"))
    broken.write_text("kind: rest\nname: [unclosed\n", encoding="utf-8")
    output = tmp_path / "sample.json"

    code = main(["export", str(sample), "--output", str(output)])

    out, _ = capsys.readouterr()
    assert code == 0
    assert f"{broken} could not be loaded and was left out" in out
    assert json.loads(output.read_text(encoding="utf-8"))["item"]


def test_export_of_bad_input_exits_2(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.json"

    assert main(["export", str(sample), "--format", "insomnia", "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("apiclient export: error: --format 'insomnia'")
    assert "use 'postman'" in err and "'folder'" in err

    assert main(["export", str(tmp_path / "nowhere"), "--output", str(output)]) == 2
    assert "does not exist" in capsys.readouterr().err

    assert main(["export", str(sample), "--output", str(tmp_path / "no" / "out.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not output.exists()


def test_both_commands_run_without_qt(tmp_path: Path) -> None:
    source = _write(tmp_path, "shop.json", POSTMAN)
    script = (
        "import sys\n"
        "from apiclient.cli import main\n"
        f"assert main(['import', {str(source)!r}, '--into', {str(tmp_path / 'c')!r}]) == 0\n"
        f"assert main(['export', {str(tmp_path / 'c')!r}, '--output', "
        f"{str(tmp_path / 'o.json')!r}]) == 0\n"
        "assert not any(m.startswith(('PySide6', 'qasync')) for m in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env["APICLIENT_DATA_DIR"] = str(tmp_path / "data")

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o.json").is_file()
