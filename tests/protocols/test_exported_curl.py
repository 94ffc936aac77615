"""Exported requests run by the real tools against the REST mock: what curl, a Python
httpx snippet and a JavaScript fetch snippet send must be what the app's RestEngine
sends (method, path, query, the headers that matter, body), as the /echo endpoint sees
them. And a collection exported as Postman v2.1 runs green under newman."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from apiclient.core.exporters.code import to_fetch, to_httpx
from apiclient.core.exporters.curl import to_curl
from apiclient.core.exporters.postman import export_postman
from apiclient.core.models import (
    Auth,
    Body,
    Capture,
    Check,
    Collection,
    Folder,
    FormField,
    KeyValue,
    RestRequest,
    Variable,
)
from apiclient.protocols.rest import RestEngine

# Headers every client sets its own way; everything else must match.
_CLIENT_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length"})
NEWMAN_DIR = Path.home() / ".cache" / "apiclient-bench" / "newman"  # as runner_bench.py has it


def requests(rest_url: str, upload: Path) -> dict[str, RestRequest]:
    echo = f"{rest_url}/echo"
    return {
        "get": RestRequest(
            url=f"{echo}/items",
            params=[
                KeyValue(name="q", value="cats & dogs"),
                KeyValue(name="off", value="1", enabled=False),
                KeyValue(name="tag", value="ä/€"),
                KeyValue(name="flag", bare=True),
            ],
            headers=[
                KeyValue(name="Accept", value="application/json"),
                KeyValue(name="X-Trace", value="it's 42"),
            ],
            auth=Auth(kind="bearer", token="tok"),
        ),
        "json": RestRequest(
            method="POST",
            url=echo,
            body=Body(mode="raw", raw='{"name": "it\'s", "tags": ["a", "ü"]}'),
        ),
        "form": RestRequest(
            method="PUT",
            url=echo,
            body=Body(
                mode="urlencoded",
                urlencoded=[
                    KeyValue(name="user", value="ann@example.com"),
                    KeyValue(name="note", value="a b&c=d"),
                    KeyValue(name="user", value="bob"),
                ],
            ),
        ),
        "multipart": RestRequest(
            method="POST",
            url=echo,
            headers=[KeyValue(name="Content-Type", value="multipart/form-data")],
            body=Body(
                mode="multipart",
                multipart=[
                    FormField(name="title", value="Q1; final"),
                    FormField(name="literal", value="@not-a-file"),
                    FormField(
                        name="file", value=str(upload), type="file", content_type="text/plain"
                    ),
                ],
            ),
        ),
        "basic": RestRequest(
            method="DELETE",
            url=f"{echo}/items/7",
            auth=Auth(kind="basic", username="ann", password="p:ss wörd"),
        ),
        "binary": RestRequest(
            method="PATCH",
            url=echo,
            body=Body(mode="binary", binary_path=str(upload)),
            auth=Auth(kind="apikey", key_name="api_key", key_value="k 1", key_in="query"),
        ),
    }


def seen(echo: dict[str, Any]) -> dict[str, Any]:
    """What must be the same, whoever sent the request."""
    headers = {
        name: value for name, value in echo["headers"].items() if name not in _CLIENT_HEADERS
    }
    if "multipart/form-data" in headers.get("content-type", ""):
        headers["content-type"] = "multipart/form-data"  # the boundary is random
        body = echo["form"]
    else:
        body = (echo["body_text"], echo["body_base64"])
    return {
        "method": echo["method"],
        "path": echo["path"],
        "query": echo["query"],
        "headers": headers,
        "body": body,
    }


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "notes one.txt"
    path.write_bytes("first line\nsecond line ü\n".encode())
    return path


async def sent_by_app(engine: RestEngine, request: RestRequest) -> dict[str, Any]:
    response = await engine.send(request)
    assert response.status_code == 200, response.text()
    return seen(json.loads(response.body))


def run_tool(command: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(
        command, input=stdin, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


CASES = ["get", "json", "form", "multipart", "basic", "binary"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="the curl program is not installed")
@pytest.mark.parametrize("case", CASES)
async def test_exported_curl_sends_what_the_app_sends(
    case: str, engine: RestEngine, rest_url: str, upload: Path
) -> None:
    request = requests(rest_url, upload)[case]
    expected = await sent_by_app(engine, request)
    command = to_curl(request)
    output = await asyncio.to_thread(run_tool, ["sh", "-c", f"{command} --silent"])
    assert seen(json.loads(output)) == expected
    if case == "multipart":
        files = expected["body"]["files"]
        assert files[0]["filename"] == "notes one.txt"
        assert files[0]["sha256"] == hashlib.sha256(upload.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", CASES)
async def test_exported_httpx_snippet_sends_what_the_app_sends(
    case: str, engine: RestEngine, rest_url: str, upload: Path
) -> None:
    request = requests(rest_url, upload)[case]
    expected = await sent_by_app(engine, request)
    output = await asyncio.to_thread(run_tool, [sys.executable, "-"], to_httpx(request))
    status, _, body = output.partition("\n")
    assert status == "200"
    assert seen(json.loads(body)) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("case", ["get", "json", "form", "basic", "binary"])
async def test_exported_fetch_snippet_sends_what_the_app_sends(
    case: str, engine: RestEngine, rest_url: str, upload: Path
) -> None:
    request = requests(rest_url, upload)[case]
    expected = await sent_by_app(engine, request)
    command = ["node", "--input-type=module", "-"]
    output = await asyncio.to_thread(run_tool, command, to_fetch(request))
    status, _, body = output.partition("\n")
    assert status == "200"
    got = seen(json.loads(body))
    for header in ("accept", "accept-language", "sec-fetch-mode"):  # fetch's own defaults
        if header not in expected["headers"]:
            got["headers"].pop(header, None)
    assert got == expected


# --- newman ---------------------------------------------------------------------------


def _newman() -> Path | None:
    """newman where tests/bench/runner_bench.py installs it, when it is already there
    (a test never installs it)."""
    binary = NEWMAN_DIR / "node_modules" / ".bin" / "newman"
    return binary if binary.exists() else None


def newman_collection() -> Collection:
    echo = "{{base_url}}/echo"
    return Collection(
        name="Exported for newman",
        variables=[Variable(name="base_url")],
        items=[
            RestRequest(
                name="List items",
                url="{{base_url}}/api/items",
                checks=[Check(source="status", expected="200")],
            ),
            Folder(
                name="Echo",
                items=[
                    RestRequest(
                        name="JSON body",
                        method="POST",
                        url=echo,
                        params=[KeyValue(name="page", value="2")],
                        headers=[KeyValue(name="X-Trace", value="42")],
                        body=Body(mode="raw", raw='{"name": "x", "n": 3}'),
                        checks=[
                            Check(source="status", expected="200"),
                            Check(source="jsonpath", expression="$.json.name", expected="x"),
                            Check(source="jsonpath", expression="$.json.n", expected="3"),
                            Check(source="jsonpath", expression="$.query.page[0]", expected="2"),
                            Check(
                                source="header",
                                expression="content-type",
                                op="contains",
                                expected="json",
                            ),
                            Check(source="body", op="contains", expected="X-Trace".lower()),
                        ],
                        captures=[Capture(variable="seen_method", expression="$.method")],
                    ),
                    RestRequest(
                        name="Form with the captured value",
                        method="PUT",
                        url=echo,
                        body=Body(
                            mode="urlencoded",
                            urlencoded=[KeyValue(name="m", value="{{seen_method}}")],
                        ),
                        auth=Auth(kind="basic", username="ann", password="pw"),
                        checks=[
                            Check(
                                source="jsonpath",
                                expression="$.form.fields.m[0]",
                                expected="{{seen_method}}",
                            ),
                            Check(
                                source="jsonpath",
                                expression="$.headers.authorization",
                                expected="Basic YW5uOnB3",
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )


def test_newman_runs_the_exported_collection(rest_url: str, tmp_path: Path) -> None:
    newman = _newman()
    if newman is None:
        pytest.skip("newman is not installed (tests/bench/runner_bench.py installs it)")
    doc, warnings = export_postman(newman_collection())
    secret = "echo.form-with-the-captured-value.password"  # the basic auth's, left out
    assert len(warnings) == 1 and f'--env-var "{secret}=VALUE"' in warnings[0]
    path = tmp_path / "exported.postman_collection.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            str(newman),
            "run",
            str(path),
            "--env-var",
            f"base_url={rest_url}",
            "--env-var",
            f"{secret}=pw",
            "--reporters",
            "cli,json",
            "--reporter-json-export",
            str(report),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["assertions"] == {"total": 9, "pending": 0, "failed": 0}
    assert stats["requests"]["failed"] == 0
