"""The exporters: curl, httpx and fetch snippets (golden texts) and Postman v2.1 (shape,
checks as tests, and the round trip through our Postman importer)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from corpus_paths import CORPUS

from apiclient.core.exporters.code import to_fetch, to_httpx
from apiclient.core.exporters.curl import to_curl
from apiclient.core.exporters.postman import SCHEMA_V21, export_postman
from apiclient.core.importers.curl import parse_curl
from apiclient.core.importers.postman import import_postman
from apiclient.core.models import (
    Auth,
    Body,
    Capture,
    Check,
    Collection,
    Folder,
    FormField,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RequestSettings,
    RestRequest,
    SoapRequest,
    Variable,
    WebsocketRequest,
)
from apiclient.core.urls import join_url

GET_ITEMS = RestRequest(
    method="GET",
    url="http://127.0.0.1:8000/api/items",
    params=[
        KeyValue(name="q", value="a b"),
        KeyValue(name="off", value="1", enabled=False),
        KeyValue(name="flag", bare=True),
    ],
    headers=[KeyValue(name="Accept", value="application/json")],
    auth=Auth(kind="bearer", token="tok"),
)
POST_JSON = RestRequest(
    method="POST",
    url="https://127.0.0.1:8443/echo",
    body=Body(mode="raw", raw='{"name": "it\'s"}'),
    auth=Auth(kind="basic", username="ann", password="pw"),
    settings=RequestSettings(verify_tls=False, follow_redirects=False, timeout_s=5),
)
UPLOAD = RestRequest(
    method="POST",
    url="http://h/upload",
    headers=[KeyValue(name="Content-Type", value="multipart/form-data")],
    body=Body(
        mode="multipart",
        multipart=[
            FormField(name="title", value="Q1; final"),
            FormField(name="file", value="/tmp/r.pdf", type="file", content_type="application/pdf"),
        ],
    ),
    auth=Auth(kind="apikey", key_name="api_key", key_value="k", key_in="query"),
)


# --- curl ---------------------------------------------------------------------------------


def test_curl_get_with_query_headers_and_bearer() -> None:
    assert to_curl(GET_ITEMS) == (
        "curl 'http://127.0.0.1:8000/api/items?q=a%20b&flag' \\\n"
        "  -H 'Accept: application/json' \\\n"
        "  -H 'Authorization: Bearer tok' \\\n"
        "  -L \\\n"
        "  --max-redirs 20"
    )


def test_curl_post_json_with_basic_auth_and_insecure() -> None:
    assert to_curl(POST_JSON) == (
        "curl https://127.0.0.1:8443/echo \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -u ann:pw \\\n"
        '  --data-raw \'{"name": "it\'"\'"\'s"}\' \\\n'
        "  -k \\\n"
        "  --max-time 5"
    )


def test_curl_multipart_drops_a_boundaryless_content_type() -> None:
    assert to_curl(UPLOAD) == (
        "curl 'http://h/upload?api_key=k' \\\n"
        "  --form-string 'title=Q1; final' \\\n"
        "  -F 'file=@\"/tmp/r.pdf\";type=application/pdf' \\\n"
        "  -L \\\n"
        "  --max-redirs 20"
    )


def test_curl_method_flags() -> None:
    assert "--head" in to_curl(RestRequest(method="HEAD", url="http://h/a"))
    assert "-X PUT" in to_curl(RestRequest(method="PUT", url="http://h/a"))
    assert "-X" not in to_curl(RestRequest(method="POST", url="http://h/a", body=POST_JSON.body))
    urlencoded = RestRequest(
        method="PATCH",
        url="h/a",
        body=Body(mode="urlencoded", urlencoded=[KeyValue(name="a", value="1 2&3")]),
        auth=Auth(kind="digest", username="u", password="p"),
    )
    command = to_curl(urlencoded)
    assert command.startswith("curl http://h/a")
    assert "--data-raw a=1+2%263" in command
    assert "--digest \\\n  -u u:p" in command
    binary = to_curl(
        RestRequest(method="PUT", url="http://h/a", body=Body(mode="binary", binary_path="x y"))
    )
    assert "--data-binary '@x y'" in binary
    assert "Content-Type: application/octet-stream" in binary


def test_curl_export_parses_back_to_the_same_request() -> None:
    for request in (GET_ITEMS, POST_JSON, UPLOAD):
        parsed, warnings = parse_curl(to_curl(request))
        assert warnings == ()
        assert parsed.method == request.method
        assert parsed.settings == request.settings
        if request.auth.kind == "basic":
            assert parsed.auth == request.auth


# --- httpx and fetch ----------------------------------------------------------------------


def test_httpx_golden() -> None:
    assert to_httpx(POST_JSON) == (
        "import httpx\n"
        "\n"
        "with httpx.Client(follow_redirects=False, verify=False, timeout=5.0) as client:\n"
        "    response = client.request(\n"
        "        'POST',\n"
        "        'https://127.0.0.1:8443/echo',\n"
        "        headers=[('Content-Type', 'application/json')],\n"
        "        auth=httpx.BasicAuth('ann', 'pw'),\n"
        '        content=\'{"name": "it\\\'s"}\'.encode(),\n'
        "    )\n"
        "\n"
        "print(response.status_code)\n"
        "print(response.text)\n"
    )


def test_fetch_golden() -> None:
    assert to_fetch(GET_ITEMS) == (
        'const response = await fetch("http://127.0.0.1:8000/api/items?q=a%20b&flag", {\n'
        '  method: "GET",\n'
        "  headers: [\n"
        '    ["Accept", "application/json"],\n'
        '    ["Authorization", "Bearer tok"],\n'
        "  ],\n"
        '  redirect: "follow",\n'
        "  signal: AbortSignal.timeout(30000),\n"
        "});\n"
        "\n"
        "console.log(response.status);\n"
        "console.log(await response.text());\n"
    )


def test_fetch_multipart_and_basic_auth() -> None:
    code = to_fetch(UPLOAD)
    assert code.startswith('import { readFile } from "node:fs/promises";')
    assert 'form.append("title", "Q1; final");' in code
    assert (
        'form.append("file", new Blob([await readFile("/tmp/r.pdf")], '
        '{ type: "application/pdf" }), "r.pdf");'
    ) in code
    assert "Content-Type" not in code
    assert '["Authorization", "Basic YW5uOnB3"]' in to_fetch(POST_JSON)


ALL = [GET_ITEMS, POST_JSON, UPLOAD]
ODD = RestRequest(
    method="POST",
    url="http://h/a",
    headers=[KeyValue(name="X-Q", value="\"'`$\u2028")],
    body=Body(mode="raw", raw="line1\nline2 ''' \"\"\" ${x} \\", language="text"),
)


@pytest.mark.parametrize("request_", [*ALL, ODD])
def test_httpx_snippets_are_valid_python(request_: RestRequest) -> None:
    compile(to_httpx(request_), "<snippet>", "exec")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("request_", [*ALL, ODD])
def test_fetch_snippets_are_valid_javascript(request_: RestRequest, tmp_path: Path) -> None:
    script = tmp_path / "snippet.mjs"
    script.write_text(to_fetch(request_), encoding="utf-8")
    node = shutil.which("node")
    assert node is not None
    checked = subprocess.run(
        [node, "--check", str(script)], capture_output=True, text=True, check=False, timeout=30
    )
    assert checked.returncode == 0, checked.stderr


# --- Postman ------------------------------------------------------------------------------


def sample_collection() -> Collection:
    return Collection(
        name="Shop",
        description="The shop API",
        variables=[
            Variable(name="base_url", value="http://127.0.0.1:8000"),
            Variable(name="password", value="hunter2", secret=True),
        ],
        items=[
            Folder(
                name="Items",
                description="All about items",
                items=[
                    RestRequest(
                        name="List",
                        url="{{base_url}}/api/items",
                        params=[KeyValue(name="page", value="1")],
                        checks=[
                            Check(source="status", expected="200"),
                            Check(source="jsonpath", expression="$.items[0].name", expected="x"),
                            Check(source="xpath", expression="//a", op="exists"),
                        ],
                        captures=[Capture(variable="first", expression="$.items[0].id")],
                    ),
                    GrpcRequest(name="Stream"),
                ],
            ),
            GraphqlRequest(name="Books", url="{{base_url}}/graphql", query="{ books { id } }"),
            SoapRequest(
                name="Add",
                endpoint="http://h:8001/calc",
                soap_action="urn:Add",
                envelope="<Envelope/>",
            ),
            WebsocketRequest(name="Chat"),
        ],
    )


def test_postman_document_shape() -> None:
    doc, warnings = export_postman(sample_collection())
    assert doc["info"] == {"name": "Shop", "schema": SCHEMA_V21, "description": "The shop API"}
    assert doc["variable"] == [
        {"key": "base_url", "value": "http://127.0.0.1:8000"},
        {"key": "password", "value": "", "type": "secret"},
    ]
    folder = doc["item"][0]
    assert folder["name"] == "Items" and folder["description"] == "All about items"
    assert len(folder["item"]) == 1  # the gRPC request is left out
    listing = folder["item"][0]
    assert listing["request"]["url"] == {
        "raw": "{{base_url}}/api/items?page=1",
        "host": ["{{base_url}}"],
        "path": ["api", "items"],
        "query": [{"key": "page", "value": "1"}],
    }
    tests = listing["event"][0]["script"]["exec"]
    assert tests[0] == (
        'pm.test("status equals 200", function () { pm.response.to.have.status(200); });'
    )
    assert 'pm.response.json()["items"][0]["name"]' in tests[1]
    assert tests[2].startswith("// apiclient check not translated: xpath //a exists")
    assert tests[3].startswith('pm.collectionVariables.set("first", ')
    graphql = doc["item"][1]["request"]
    assert graphql["body"] == {
        "mode": "graphql",
        "graphql": {"query": "{ books { id } }", "variables": ""},
    }
    soap = doc["item"][2]["request"]
    assert soap["method"] == "POST"
    assert {"key": "SOAPAction", "value": '"urn:Add"'} in soap["header"]
    assert soap["url"]["port"] == "8001" and soap["url"]["host"] == ["h"]
    assert soap["body"]["options"] == {"raw": {"language": "xml"}}
    assert len(doc["item"]) == 3  # the WebSocket request is left out
    joined = "\n".join(warnings)
    for named in ("Items / Stream", "gRPC", "Chat", "WebSocket", "password", "xpath //a"):
        assert named in joined
    json.dumps(doc, indent=2, ensure_ascii=False)


def test_postman_bodies_and_auth() -> None:
    requests = [
        UPLOAD,
        POST_JSON,
        RestRequest(
            name="form",
            method="POST",
            url="http://h/a",
            body=Body(mode="urlencoded", urlencoded=[KeyValue(name="a", value="1", enabled=False)]),
            auth=Auth(kind="digest", username="u", password="p"),
        ),
        RestRequest(
            name="file",
            method="PUT",
            url="http://h/a",
            body=Body(mode="binary", binary_path="/tmp/x.bin"),
            auth=Auth(kind="bearer", token="t", token_prefix="Token"),
        ),
    ]
    doc, warnings = export_postman(Collection(name="c", items=requests), include_secrets=True)
    upload, post, form, file = (item["request"] for item in doc["item"])
    assert upload["body"]["formdata"] == [
        {"key": "title", "type": "text", "value": "Q1; final"},
        {"key": "file", "type": "file", "src": "/tmp/r.pdf", "contentType": "application/pdf"},
    ]
    assert upload["auth"]["apikey"] == [
        {"key": "key", "value": "api_key", "type": "string"},
        {"key": "value", "value": "k", "type": "string"},
        {"key": "in", "value": "query", "type": "string"},
    ]
    assert post["body"]["options"] == {"raw": {"language": "json"}}
    assert post["auth"]["type"] == "basic"
    assert form["body"]["urlencoded"] == [{"key": "a", "value": "1", "disabled": True}]
    assert form["auth"]["type"] == "digest"
    assert file["body"] == {"mode": "file", "file": {"src": "/tmp/x.bin"}}
    assert "auth" not in file
    assert {"key": "Authorization", "value": "Token t"} in file["header"]
    assert any("Token" in w for w in warnings)


def _equivalent(request: Any) -> dict[str, Any]:
    """What must survive a round trip: method, URL, headers, body, auth, and the request's
    variables that apply (a disabled one is not exported)."""
    variables = [v.model_dump(include={"name", "value"}) for v in request.variables if v.enabled]
    if isinstance(request, GraphqlRequest):
        fields = {"method", "url", "headers", "auth", "query"}
        return {**request.model_dump(include=fields), "variables": variables}
    return {
        "method": request.method,
        "url": join_url(request.url, request.params),
        "params": [p.model_dump(exclude={"bare"}) for p in request.params],
        "headers": [h.model_dump() for h in request.headers],
        "body": request.body.model_dump(),
        "auth": request.auth.model_dump(),
        "variables": variables,
    }


def _requests(items: list[Any], trail: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for index, item in enumerate(items):
        key = f"{trail}/{index}:{item.name}"
        if isinstance(item, Folder):
            found.update(_requests(item.items, key))
        else:
            found[key] = item
    return found


def _round_trip(
    path: Path, tmp_path: Path, *, include_secrets: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Import ``path``, export it, import the export: the requests before and after.

    Without ``include_secrets`` a literal secret (in an auth, a credentials header or
    query row, a URL) comes back as a reference to a new blank secret variable; the
    "after" side has those references replaced by the values they stand for, so equal
    sides mean the requests are equivalent.
    """
    first = import_postman(path).collection
    doc, _ = export_postman(first, include_secrets=include_secrets)
    exported = tmp_path / "exported.postman_collection.json"
    exported.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    second = import_postman(exported).collection
    before = {k: _equivalent(r) for k, r in _requests(first.items).items()}
    after = {k: _equivalent(r) for k, r in _requests(second.items).items()}
    if include_secrets:
        assert second.variables == first.variables
        return before, after
    kept = len(first.variables)
    assert second.variables[:kept] == [
        v.model_copy(update={"value": ""}) if v.secret else v for v in first.variables
    ]
    added = second.variables[kept:]
    assert all(v.secret and not v.value for v in added)
    values: dict[str, str] = {}
    after = _resolve_references(before, after, [v.name for v in added], values)
    assert sorted(values) == sorted(v.name for v in added)
    return before, after


def _resolve_references(before: Any, after: Any, names: list[str], values: dict[str, str]) -> Any:
    """``after`` with the values put back where it refers to one of ``names`` instead of
    ``before``'s literal; ``values`` collects what each name stood for, which must be one
    value wherever it is used."""
    if isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        return {k: _resolve_references(old.get(k), v, names, values) for k, v in after.items()}
    if isinstance(after, list):
        old = before if isinstance(before, list) else []
        return [
            _resolve_references(old[i] if i < len(old) else None, v, names, values)
            for i, v in enumerate(after)
        ]
    if not isinstance(after, str) or not isinstance(before, str) or after == before:
        return after
    pattern, used = re.escape(after), []
    for name in names:
        reference = re.escape(f"{{{{{name}}}}}")
        if reference in pattern:
            pattern = pattern.replace(reference, f"(?P<n{len(used)}>.*?)", 1)
            used.append(name)
    found = re.fullmatch(pattern, before, re.DOTALL) if used else None
    if found is None:
        return after
    for number, name in enumerate(used):
        assert values.setdefault(name, found[f"n{number}"]) == found[f"n{number}"], name
    return before


ROUND_TRIP_FIXTURE = {
    "info": {"name": "Round trip", "schema": SCHEMA_V21, "description": "Every feature"},
    "variable": [{"key": "base", "value": "http://127.0.0.1:8000"}],
    "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
    "item": [
        {
            "name": "Items",
            "item": [
                {
                    "name": "List",
                    "event": [
                        {
                            "listen": "test",
                            "script": {"exec": ["pm.response.to.have.status(200);"]},
                        }
                    ],
                    "request": {
                        "method": "GET",
                        "url": {
                            "raw": "{{base}}/api/items?page=2&debug=1",
                            "host": ["{{base}}"],
                            "path": ["api", "items"],
                            "query": [
                                {"key": "page", "value": "2"},
                                {"key": "debug", "value": "1", "disabled": True},
                            ],
                        },
                        "header": [
                            {"key": "Accept", "value": "application/json"},
                            {"key": "X-Off", "value": "1", "disabled": True},
                        ],
                    },
                },
                {
                    "name": "Create",
                    "variable": [
                        {"key": "size", "value": 'say "50" \\ {{base}}'},
                        {"key": "signing_key", "value": "hunter2", "type": "secret"},
                        {"key": "off", "value": "1", "disabled": True},
                    ],
                    "request": {
                        "method": "POST",
                        "url": "{{base}}/api/items",
                        "auth": {
                            "type": "basic",
                            "basic": [
                                {"key": "username", "value": "ann"},
                                {"key": "password", "value": "pw"},
                            ],
                        },
                        "body": {
                            "mode": "raw",
                            "raw": '{"name": "x"}',
                            "options": {"raw": {"language": "json"}},
                        },
                    },
                },
            ],
        },
        {
            "name": "Login form",
            "request": {
                "method": "POST",
                "url": "http://127.0.0.1:8000/login",
                "auth": {"type": "noauth"},
                "body": {
                    "mode": "urlencoded",
                    "urlencoded": [
                        {"key": "user", "value": "ann"},
                        {"key": "pw", "value": "x", "disabled": True},
                    ],
                },
            },
        },
        {
            "name": "Upload",
            "request": {
                "method": "POST",
                "url": "http://127.0.0.1:8000/upload",
                "auth": {
                    "type": "apikey",
                    "apikey": [
                        {"key": "key", "value": "X-Key"},
                        {"key": "value", "value": "k"},
                        {"key": "in", "value": "header"},
                    ],
                },
                "body": {
                    "mode": "formdata",
                    "formdata": [
                        {"key": "title", "value": "Q1", "type": "text"},
                        {"key": "file", "src": "/tmp/r.pdf", "type": "file"},
                    ],
                },
            },
        },
        {
            "name": "Raw file",
            "request": {
                "method": "PUT",
                "url": "http://127.0.0.1:8000/files/1",
                "auth": {
                    "type": "digest",
                    "digest": [
                        {"key": "username", "value": "u"},
                        {"key": "password", "value": "p"},
                    ],
                },
                "body": {"mode": "file", "file": {"src": "/tmp/x.bin"}},
            },
        },
        {
            "name": "Books",
            "request": {
                "method": "POST",
                "url": "http://127.0.0.1:8000/graphql",
                "body": {
                    "mode": "graphql",
                    "graphql": {"query": "{ books { id } }", "variables": '{"a": 1}'},
                },
            },
        },
    ],
}


def test_postman_round_trip_keeps_every_request(tmp_path: Path) -> None:
    path = tmp_path / "fixture.postman_collection.json"
    path.write_text(json.dumps(ROUND_TRIP_FIXTURE), encoding="utf-8")
    before, after = _round_trip(path, tmp_path)
    assert len(before) == 6
    assert after == before
    again = import_postman(path).collection
    listing = again.items[0].items[0]  # type: ignore[union-attr]
    doc, _ = export_postman(again)
    events = doc["item"][0]["item"][0]["event"]
    assert events == [
        {
            "listen": "test",
            "script": {"type": "text/javascript", "exec": ["pm.response.to.have.status(200);"]},
        }
    ]
    assert listing.checks == [Check(source="status", expected="200")]


def test_postman_round_trip_with_secrets_included_keeps_the_values(tmp_path: Path) -> None:
    path = tmp_path / "fixture.postman_collection.json"
    path.write_text(json.dumps(ROUND_TRIP_FIXTURE), encoding="utf-8")
    before, after = _round_trip(path, tmp_path, include_secrets=True)
    assert after == before
    assert after["/0:Items/1:Create"]["auth"]["password"] == "pw"
    assert after["/0:Items/1:Create"]["variables"] == [
        {"name": "size", "value": 'say "50" \\ {{base}}'},
        {"name": "signing_key", "value": "hunter2"},
    ]


V21_CORPUS = sorted(
    path
    for folder in ("insomnia-fixtures", "postmanlabs-schemas-examples", "vendor", "newman")
    for path in (CORPUS / "postman" / folder).glob("*.json")
    if "environment" not in path.name
)


@pytest.mark.skipif(not V21_CORPUS, reason=f"no Postman exports under {CORPUS / 'postman'}")
@pytest.mark.parametrize("path", V21_CORPUS, ids=lambda p: p.name)
def test_postman_round_trip_of_real_exports(path: Path, tmp_path: Path) -> None:
    before, after = _round_trip(path, tmp_path)
    assert after == before
