"""Format detection: each kind of file reaches its importer by content, and files nothing
imports get a sentence saying what they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus_paths import CORPUS

from apiclient.core.importers import CollectionImportError, ImportResult
from apiclient.core.importers.detect import (
    UnknownFormatError,
    count_items,
    describe_counts,
    environments_only,
    import_any,
)
from apiclient.core.importers.postman import PostmanImportError
from apiclient.core.models import Folder, GraphqlRequest, RestRequest, WebsocketRequest

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

POSTMAN = {
    "info": {"name": "Shop", "schema": V21},
    "item": [
        {
            "name": "Items",
            "item": [
                {"name": "List", "request": {"method": "GET", "url": "{{base}}/api/items"}},
                {
                    "name": "Create",
                    "request": {
                        "method": "POST",
                        "url": "{{base}}/api/items",
                        "header": [{"key": "Content-Type", "value": "application/json"}],
                        "body": {"mode": "raw", "raw": '{"name": "pen"}'},
                    },
                },
            ],
        },
        {"name": "Health", "request": {"method": "GET", "url": "{{base}}/health"}},
    ],
}

OPENAPI_YAML = """\
openapi: 3.0.3
info: {title: Petstore, version: "1.0"}
servers:
  - url: http://127.0.0.1:8080/v1
tags: [{name: pets}, {name: store}]
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer, example: 10}}
    post:
      tags: [pets]
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string, example: Rex}}}
  /store/orders/{id}:
    get:
      tags: [store]
      operationId: getOrder
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
"""

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Legacy", "version": "1"},
    "host": "127.0.0.1:8080",
    "basePath": "/api",
    "schemes": ["http"],
    "paths": {"/items": {"get": {"operationId": "listItems", "tags": ["items"]}}},
}

HAR = {
    "log": {
        "version": "1.2",
        "creator": {"name": "Firefox", "version": "120"},
        "entries": [
            {
                "startedDateTime": "2024-01-01T00:00:00.000Z",
                "time": 12,
                "request": {
                    "method": "GET",
                    "url": "http://127.0.0.1:8080/api/items?page=2",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "Accept", "value": "application/json"}],
                    "queryString": [{"name": "page", "value": "2"}],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "response": {
                    "status": 200,
                    "statusText": "OK",
                    "httpVersion": "HTTP/1.1",
                    "headers": [],
                    "cookies": [],
                    "content": {"size": 2, "mimeType": "application/json", "text": "[]"},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": 2,
                },
                "cache": {},
                "timings": {"send": 1, "wait": 10, "receive": 1},
            }
        ],
    }
}

INSOMNIA = {
    "_type": "export",
    "__export_format": 4,
    "__export_source": "insomnia.desktop.app:v2023.5.8",
    "resources": [
        {"_id": "wrk_1", "_type": "workspace", "parentId": None, "name": "Shop"},
        {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "Items"},
        {
            "_id": "req_1",
            "_type": "request",
            "parentId": "fld_1",
            "name": "List items",
            "method": "GET",
            "url": "{{ _.base }}/api/items",
            "headers": [{"name": "Accept", "value": "application/json"}],
            "body": {},
        },
        {
            "_id": "req_2",
            "_type": "request",
            "parentId": "wrk_1",
            "name": "Query",
            "method": "POST",
            "url": "{{ _.base }}/graphql",
            "body": {"mimeType": "application/graphql", "text": '{"query": "{ items { id } }"}'},
        },
        {
            "_id": "ws_1",
            "_type": "websocket_request",
            "parentId": "wrk_1",
            "name": "Feed",
            "url": "ws://127.0.0.1:8080/ws",
        },
        {
            "_id": "env_1",
            "_type": "environment",
            "parentId": "wrk_1",
            "name": "Base",
            "data": {"base": "http://127.0.0.1:8080"},
        },
        {
            "_id": "env_2",
            "_type": "environment",
            "parentId": "env_1",
            "name": "Staging",
            "data": {"base": "http://127.0.0.1:9090"},
        },
    ],
}

CURL = """\
# saved from the browser
curl 'http://127.0.0.1:8080/api/items' -H 'Accept: application/json' --compressed

curl -X POST http://127.0.0.1:8080/api/items -d '{"name": "pen"}' \\
  -H 'Content-Type: application/json'
"""


def _write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        text = content if isinstance(content, str) else json.dumps(content, indent=1)
        path.write_text(text, encoding="utf-8")
    return path


def _requests(result: ImportResult) -> list[Any]:
    found: list[Any] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, Folder):
                walk(item.items)
            else:
                found.append(item)

    walk(result.collection.items)
    return found


def test_a_postman_collection_is_found_by_its_keys_whatever_its_name(tmp_path: Path) -> None:
    result = import_any(_write(tmp_path, "export.txt", POSTMAN))

    assert result.source == "Postman collection"
    assert result.collection.name == "Shop"
    counts = count_items(result.collection)
    assert counts.requests_by_kind == {"rest": 3}
    assert describe_counts(counts) == "3 requests in 1 folder"
    create = _requests(result)[1]
    assert isinstance(create, RestRequest)
    assert (create.method, create.body.raw) == ("POST", '{"name": "pen"}')


def test_a_postman_environment_becomes_an_environment_only_import(tmp_path: Path) -> None:
    doc = {
        "name": "Staging",
        "_postman_variable_scope": "environment",
        "values": [{"key": "base", "value": "http://127.0.0.1:8080", "enabled": True}],
    }

    result = import_any(_write(tmp_path, "staging.json", doc))

    assert result.source == "Postman environment"
    assert environments_only(result)
    assert result.collection.name == "Staging"
    assert result.collection.environments[0].variables[0].value == "http://127.0.0.1:8080"
    assert describe_counts(count_items(result.collection)) == "0 requests, 1 environment"


def test_openapi_yaml_brings_one_request_per_operation_grouped_by_tag(tmp_path: Path) -> None:
    result = import_any(_write(tmp_path, "petstore.yaml", OPENAPI_YAML))

    assert result.source.startswith("OpenAPI 3.0")
    assert [item.name for item in result.collection.items] == ["pets", "store"]
    assert count_items(result.collection).requests == 3
    assert result.collection.environments
    assert not environments_only(result)


def test_swagger_json_is_read_by_the_openapi_importer(tmp_path: Path) -> None:
    result = import_any(_write(tmp_path, "legacy.json", SWAGGER))

    assert result.source == "Swagger 2.0"
    assert count_items(result.collection).requests == 1


def test_a_har_capture_is_found_inside_a_json_file(tmp_path: Path) -> None:
    result = import_any(_write(tmp_path, "capture.json", HAR))

    assert result.source == "HAR capture"
    (request,) = _requests(result)
    assert request.method == "GET"
    assert request.url.startswith("http://127.0.0.1:8080/api/items")


def test_an_insomnia_export_brings_folders_kinds_and_environments(tmp_path: Path) -> None:
    result = import_any(_write(tmp_path, "insomnia.json", INSOMNIA))

    assert result.source.startswith("Insomnia")
    kinds = {type(r) for r in _requests(result)}
    assert {RestRequest, GraphqlRequest, WebsocketRequest} <= kinds
    assert count_items(result.collection).folders >= 1
    assert [env.name for env in result.collection.environments] == ["Staging"]
    assert [v.name for v in result.collection.variables] == ["base"]


def test_a_text_file_of_curl_commands_after_a_comment(tmp_path: Path) -> None:
    result = import_any(_write(tmp_path, "commands.sh", CURL))

    assert result.source == "curl commands"
    get, post = _requests(result)
    assert get.method == "GET"
    assert [(h.name, h.value) for h in get.headers][:1] == [("Accept", "application/json")]
    assert post.method == "POST"
    assert post.body.raw == '{"name": "pen"}'


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "service.wsdl",
            '<?xml version="1.0"?>\n<wsdl:definitions xmlns:wsdl='
            '"http://schemas.xmlsoap.org/wsdl/"/>',
            "WSDL: load it in the SOAP tab",
        ),
        ("types.xsd", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>', "XML Schema"),
        ("echo.proto", 'syntax = "proto3";\nservice Echo {}\n', "open it in the gRPC tab"),
        ("schema.txt", "type Query {\n  items: [String]\n}\n", "open it in the GraphQL tab"),
        ("intro.json", {"data": {"__schema": {"types": []}}}, "GraphQL introspection"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
        ("blob.bin", b"\x00\xff\xfe\x80" * 64, "binary file"),
        ("empty.json", "  \n", "is empty"),
        ("list.json", [1, 2, 3], "holds a list"),
        ("other.json", {"colour": "red"}, "its keys: colour"),
        ("collection.yaml", "schema_version: 1\nname: Mine\n", "File > Open collection"),
        ("notes.txt", "just: [some\nwords", "neither JSON nor valid YAML (line"),
    ],
)
def test_files_nothing_imports_are_named(
    tmp_path: Path, name: str, content: Any, expected: str
) -> None:
    path = _write(tmp_path, name, content)

    with pytest.raises(UnknownFormatError) as caught:
        import_any(path)

    assert expected in str(caught.value)
    assert caught.value.path == path


def test_a_truncated_openapi_json_reaches_its_importer(tmp_path: Path) -> None:
    text = json.dumps({"openapi": "3.0.0", "info": {"title": "Cut"}, "paths": {}})[:-12]

    with pytest.raises(CollectionImportError) as caught:
        import_any(_write(tmp_path, "api.json", text))

    assert type(caught.value).__name__ == "OpenApiImportError"
    assert "line 1" in str(caught.value)


def test_a_truncated_postman_export_gets_postman_advice(tmp_path: Path) -> None:
    text = json.dumps(POSTMAN)[:100]

    with pytest.raises(PostmanImportError, match="not valid JSON"):
        import_any(_write(tmp_path, "shop.postman_collection.json", text))


def test_truncated_json_of_no_known_kind_names_the_place(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormatError, match=r"line 1, column \d+.*saved or downloaded"):
        import_any(_write(tmp_path, "data.json", '{"a": [1, 2'))


def test_an_unknown_openapi_version_is_said(tmp_path: Path) -> None:
    with pytest.raises(CollectionImportError, match=r"'4\.0\.0'"):
        import_any(_write(tmp_path, "next.yaml", "openapi: 4.0.0\ninfo: {title: X}\n"))


def test_folders_are_refused_with_a_pointer(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "collection.yaml").write_text("name: x\n", encoding="utf-8")

    with pytest.raises(UnknownFormatError, match="Open collection"):
        import_any(tmp_path / "mine")
    with pytest.raises(UnknownFormatError, match="is a folder"):
        import_any(tmp_path)


def test_a_missing_file_is_said(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormatError, match="Cannot read"):
        import_any(tmp_path / "gone.json")


def test_every_corpus_file_imports_or_says_why(tmp_path: Path) -> None:
    """No file of the real-world corpus crashes detection or an importer."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    imported = 0
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        try:
            import_any(path)
        except CollectionImportError as exc:
            assert str(path) in str(exc)
        else:
            imported += 1
    assert imported >= 40
