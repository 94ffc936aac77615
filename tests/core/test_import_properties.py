"""Property tests of the importers: whatever JSON a file holds, in the shape of each
format or not, ``import_any`` either imports it or raises a CollectionImportError with
a message; nothing else escapes. Keys are drawn from the ones the importers read, so
the documents reach deep into each importer rather than stopping at the first check."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from apiclient.core.importers import CollectionImportError
from apiclient.core.importers.detect import import_any

_KEYS = st.sampled_from(
    [
        # Postman
        "name", "item", "request", "url", "raw", "host", "path", "query", "method",
        "header", "key", "value", "body", "mode", "urlencoded", "formdata", "graphql",
        "auth", "type", "variable", "event", "script", "exec", "disabled",
        # Insomnia
        "_type", "_id", "parentId", "headers", "parameters", "data", "mimeType", "text",
        # OpenAPI / Swagger
        "paths", "get", "post", "in", "schema", "$ref", "servers", "components",
        "requestBody", "content", "application/json", "example", "examples", "properties",
        "items", "securitySchemes", "security", "required", "default", "enum",
        # HAR
        "log", "entries", "postData", "params", "queryString", "cookies", "pageref",
    ]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["http://127.0.0.1/{id}", "#/components/schemas/A", "request", "GET"]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)
_PM = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_DOCUMENTS = st.one_of(
    _JSON,
    st.builds(lambda item: {"info": {"name": "c", "schema": _PM}, "item": item}, _JSON),
    st.builds(
        lambda resources: {"_type": "export", "__export_format": 4, "resources": resources},
        _JSON,
    ),
    st.builds(
        lambda paths, components: {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": components,
        },
        _JSON,
        _JSON,
    ),
    st.builds(lambda paths: {"swagger": "2.0", "info": {"title": "t"}, "paths": paths}, _JSON),
    st.builds(lambda entries: {"log": {"version": "1.2", "entries": entries}}, _JSON),
)


def _import(content: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_text(content, encoding="utf-8")
        try:
            result = import_any(path)
        except CollectionImportError as exc:
            assert str(exc).strip()
        else:
            assert all(warning.strip() for warning in result.warnings)


@settings(max_examples=300, deadline=None)
@given(_DOCUMENTS)
def test_any_json_document_imports_or_is_refused_clearly(document: Any) -> None:
    _import(json.dumps(document), ".json")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from([".json", ".yaml", ".har", ".txt"]))
def test_any_text_imports_or_is_refused_clearly(text: str, suffix: str) -> None:
    _import(text, suffix)
