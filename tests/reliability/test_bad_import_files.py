"""Broken files of every format through ``import_any``, the entry point of File ▸ Import
and ``apiclient import``: each is refused with a CollectionImportError naming the file
and what is wrong, or imported with a warning saying what was left out. Nothing else
escapes, and no file takes long (YAML alias bombs, deep nesting, huge numbers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clear_errors import assert_clear, assert_clear_error, params
from corpus_paths import CORPUS

from apiclient.core.importers.detect import import_any

_PM_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _postman(**fields: Any) -> str:
    return json.dumps({"info": {"name": "c", "schema": _PM_SCHEMA}, **fields})


def _insomnia(resources: Any, export_format: int = 4) -> str:
    return json.dumps({"_type": "export", "__export_format": export_format, "resources": resources})


def _openapi(**fields: Any) -> str:
    return json.dumps({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, **fields})


def _har(entries: Any) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": entries}})


_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
_YAML_BOMB = "openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x]\n" + _BOMB
_DEEP_JSON = "[" * 100_000 + "]" * 100_000

# (id, (file name, content), fragment of the error or of a warning)
FILES: list[tuple[str, tuple[str, str | bytes], str]] = [
    # any file
    ("empty", ("a.json", b""), "is empty"),
    ("only-whitespace", ("a.json", b"  \n\t\n"), "is empty"),
    ("nul-bytes", ("a.json", b"\x00\x00\x00"), "neither JSON nor valid YAML"),
    ("latin-1-text", ("a.json", "café = 1".encode("latin-1")), "binary file"),
    ("utf-16", ("a.json", '{"a": 1}'.encode("utf-16")), "binary file"),
    ("zip-archive", ("a.json", b"PK\x03\x04rest"), "ZIP archive"),
    ("png-image", ("a.json", b"\x89PNG\r\n\x1a\n\x00"), "PNG image"),
    ("sqlite-database", ("a.db", b"SQLite format 3\x00rest"), "SQLite database"),
    ("cut-short-json", ("a.json", b'{"info": {"name": "x"'), "line 1, column 22"),
    ("bom-then-garbage", ("a.json", b"\xef\xbb\xbf{"), "not valid JSON"),
    ("json-list", ("a.json", b"[1, 2]"), "holds a list"),
    ("json-number", ("a.json", b"42"), "holds just a number"),
    ("json-string", ("a.json", b'"x"'), "holds just text"),
    ("json-null", ("a.json", b"null"), "holds just null"),
    ("json-true", ("a.json", b"true"), "holds just true"),
    ("deeply-nested-json", ("a.json", _DEEP_JSON), "too deeply"),
    ("yaml-syntax-error", ("a.yaml", b"a: [\n"), "line 2, column 1"),
    ("yaml-scalar", ("a.yaml", b"hello\n"), "holds just text"),
    ("yaml-list", ("a.yaml", b"- a\n- b\n"), "holds a list"),
    ("csv", ("a.csv", b"a,b\n1,2\n"), "holds just text"),
    ("unknown-keys", ("a.json", b'{"hello": 1}'), "its keys: hello"),
    ("swagger-1.2", ("a.json", b'{"swaggerVersion": "1.2", "apis": []}'), "swaggerVersion"),
    ("xml", ("a.xml", b"<a><b></a>"), "XML document"),
    ("wsdl", ("a.wsdl", b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>'), "SOAP tab"),
    ("proto", ("a.proto", b'syntax = "proto3";\npackage a;\n'), "gRPC tab"),
    ("graphql-sdl", ("a.graphql", b"type Query { a: Int }\n"), "GraphQL tab"),
    # Postman
    ("postman-v1", ("a.json", b'{"id": "x", "name": "y", "requests": [], "order": []}'), "v1"),
    ("postman-item-not-a-list", ("a.json", _postman(item=5)), "'item' is not a list"),
    ("postman-items-not-objects", ("a.json", _postman(item=["a", 1, None])), "not an object"),
    (
        "postman-schema-v3",
        ("a.json", _postman(item=[]).replace("v2.1.0", "v3.0.0")),
        "does not read",
    ),
    (
        "postman-request-without-url",
        ("a.json", _postman(item=[{"name": "r", "request": 5}])),
        "has no URL",
    ),
    (
        "postman-environment-values-not-a-list",
        ("a.json", b'{"name": "e", "values": "x", "_postman_variable_scope": "environment"}'),
        "Postman environment",
    ),
    # Insomnia
    ("insomnia-resources-not-a-list", ("a.json", _insomnia("x")), 'without a "resources" list'),
    ("insomnia-format-3", ("a.json", _insomnia([], export_format=3)), "old format (3)"),
    (
        "insomnia-resources-not-objects",
        ("a.json", _insomnia([1, None, {"_type": "request"}])),
        "not objects with an _id",
    ),
    (
        "insomnia-folder-loop",
        (
            "a.json",
            _insomnia(
                [
                    {"_type": "request_group", "_id": "a", "parentId": "b", "name": "a"},
                    {"_type": "request_group", "_id": "b", "parentId": "a", "name": "b"},
                ]
            ),
        ),
        "form a loop",
    ),
    (
        "insomnia-yaml-cut-short",
        ("a.yaml", b"_type: export\n__export_format: 4\nresources: [\n"),
        "neither valid JSON nor valid YAML",
    ),
    # OpenAPI and Swagger
    ("openapi-version-9", ("a.json", b'{"openapi": "9.9", "paths": {}}'), "version '9.9'"),
    ("openapi-paths-a-list", ("a.json", _openapi(paths=[])), "describes no operations"),
    (
        "openapi-missing-ref",
        (
            "a.json",
            _openapi(
                paths={"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/x"}]}}}
            ),
        ),
        "cannot be followed: there is no 'components'",
    ),
    (
        "openapi-ref-to-missing-file",
        ("a.json", _openapi(paths={"/a": {"$ref": "other.yaml#/x"}})),
        "other.yaml does not exist",
    ),
    (
        "openapi-ref-loop",
        ("a.json", _openapi(paths={"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"}})),
        "form a cycle",
    ),
    (
        "openapi-ref-not-text",
        ("a.json", _openapi(paths={"/a": {"get": {"parameters": [{"$ref": 5}]}}})),
        "a $ref must be text",
    ),
    (
        "openapi-parameter-without-name",
        ("a.json", _openapi(paths={"/a": {"get": {"parameters": [{"in": "query"}]}}})),
        "has no name or no 'in'",
    ),
    ("openapi-yaml-tab", ("a.yaml", b"openapi: 3.0.0\ninfo:\n\ttitle: t\n"), "line 3, column 1"),
    (
        "openapi-yaml-python-tag",
        ("a.yaml", b"openapi: 3.0.0\ninfo: !!python/object/apply:os.system ['echo hi']\n"),
        "could not determine a constructor",
    ),
    (
        "openapi-yaml-huge-number",
        ("a.yaml", b"openapi: 3.0.0\npaths: {}\nx: " + b"9" * 5000 + b"\n"),
        "more than 4,300 digits",
    ),
    (
        "openapi-yaml-impossible-date",
        ("a.yaml", b"openapi: 3.0.0\ninfo: {title: t, version: 2021-02-30}\npaths: {}\n"),
        "day is out of range for month",
    ),
    ("openapi-yaml-alias-bomb", ("a.yaml", _YAML_BOMB + "paths: {}\n"), "describes no operations"),
    (
        "swagger-missing-definition",
        (
            "a.json",
            json.dumps(
                {
                    "swagger": "2.0",
                    "info": {"title": "t", "version": "1"},
                    "paths": {
                        "/a": {
                            "post": {
                                "parameters": [
                                    {
                                        "in": "body",
                                        "name": "b",
                                        "schema": {"$ref": "#/definitions/x"},
                                    }
                                ]
                            }
                        }
                    },
                }
            ),
        ),
        "there is no 'definitions'",
    ),
    # HAR
    ("har-log-a-list", ("a.har", b'{"log": []}'), "its keys: log"),
    (
        "har-entries-not-a-list",
        ("a.har", b'{"log": {"entries": "x"}}'),
        'without an "entries" list',
    ),
    ("har-entries-not-requests", ("a.har", _har([1, None, {"request": 5}])), "no request object"),
    (
        "har-bad-ipv6-url",
        ("a.har", _har([{"request": {"method": "GET", "url": "http://[::1"}}])),
        "URL that is not valid",
    ),
    (
        "har-only-data-urls",
        ("a.har", _har([{"request": {"method": "GET", "url": "data:,x"}}])),
        "not HTTP or WebSocket",
    ),
    # curl files
    (
        "curl-unclosed-quote",
        ("a.sh", b"curl 'http://127.0.0.1/\n"),
        "command 1: The curl command has unbalanced",
    ),
    ("curl-without-url", ("a.sh", b"curl -X POST\n"), "names no URL"),
]
CORPUS_FILES: list[tuple[str, str, str]] = [
    ("corpus-har-no-entries", "har/har-to-postman/invalid/noEntries.har", "entries"),
    ("corpus-har-no-request", "har/har-to-postman/invalid/noRequest.har", "no request object"),
    ("corpus-postman-v1", "postman/legacy/here-geocoder.v1.postman_collection", "v1"),
]
CASES = [*FILES, *CORPUS_FILES]


def _import_and_check(path: Path, fragment: str) -> None:
    try:
        result = import_any(path)
    except Exception as exc:
        assert_clear_error(exc, fragment)
        return
    assert result.warnings, "imported without an error or a warning"
    assert_clear(" ".join(result.warnings), fragment)


@pytest.mark.parametrize(("file", "fragment"), params(FILES))
def test_a_broken_file_is_refused_or_warned_about(
    tmp_path: Path, file: tuple[str, str | bytes], fragment: str
) -> None:
    name, content = file
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    _import_and_check(path, fragment)


@pytest.mark.parametrize(("relpath", "fragment"), params(CORPUS_FILES))
def test_a_file_broken_on_purpose_in_the_corpus_is_refused_clearly(
    relpath: str, fragment: str
) -> None:
    path = CORPUS / relpath
    if not path.exists():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    _import_and_check(path, fragment)
