"""Exports read back (JSON, HAR 1.2) and curl commands run for real against a local server."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from apiclient.protocols.errors import WebhookError
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.protocols.webhook_export import (
    FORMAT,
    curl_command,
    export_har,
    export_json,
)

BINARY = bytes(range(256)) + b"\x00\x00end"


def make_event(
    event_id: int = 1,
    *,
    method: str = "POST",
    path: str = "/hooks/stripe",
    query: str = "",
    headers: tuple[tuple[str, str], ...] = (
        ("host", "127.0.0.1:8765"),
        ("content-type", "application/json"),
        ("stripe-signature", "t=1700000000,v1=abc"),
    ),
    body: bytes = '{"amount": 4200, "name": "Zoë"}'.encode(),
    status: int = 200,
) -> WebhookEvent:
    content_type = next((v for n, v in headers if n == "content-type"), "")
    summary = EventSummary(
        id=event_id,
        received_at=1_700_000_000.123,
        method=method,
        path=path,
        query=query,
        source="127.0.0.1:50123",
        content_type=content_type,
        size=len(body),
        verdict="invalid",
        verdict_reason="Stripe-Signature does not match the body with this secret.",
        response_status=status,
        note="a note",
    )
    return WebhookEvent(summary=summary, headers=headers, body=body)


# -- JSON ----------------------------------------------------------------------------


def test_export_json_reads_back_with_text_and_base64_bodies(tmp_path: Path) -> None:
    text_event = make_event(1, query="a=1&b=%20x")
    binary_event = make_event(
        2, headers=(("content-type", "application/octet-stream"),), body=BINARY, status=413
    )
    target = tmp_path / "events.json"
    assert export_json(iter([text_event, binary_event]), target) == 2
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["version"] == 1
    datetime.fromisoformat(data["exported_at"])
    first, second = data["events"]
    assert first == {
        "id": 1,
        "received_at": "2023-11-14T22:13:20.123+00:00",
        "method": "POST",
        "path": "/hooks/stripe",
        "query": "a=1&b=%20x",
        "source": "127.0.0.1:50123",
        "content_type": "application/json",
        "size": len(text_event.body),
        "headers": [[n, v] for n, v in text_event.headers],
        "body": '{"amount": 4200, "name": "Zoë"}',
        "encoding": "utf-8",
        "verdict": "invalid",
        "reason": "Stripe-Signature does not match the body with this secret.",
        "response_status": 200,
        "note": "a note",
    }
    assert second["encoding"] == "base64"
    assert base64.b64decode(second["body"]) == BINARY
    assert second["response_status"] == 413


def test_export_json_keeps_unusual_characters_exact(tmp_path: Path) -> None:
    body = 'line\u2028sep\x85next\nquote"back\\'.encode()
    target = tmp_path / "odd.json"
    export_json([make_event(body=body)], target)
    (event,) = json.loads(target.read_text(encoding="utf-8"))["events"]
    assert event["body"].encode() == body


def test_export_nothing_is_still_a_valid_file(tmp_path: Path) -> None:
    assert export_json([], tmp_path / "none.json") == 0
    assert json.loads((tmp_path / "none.json").read_text())["events"] == []
    assert export_har([], tmp_path / "none.har") == 0
    assert json.loads((tmp_path / "none.har").read_text())["log"]["entries"] == []


def test_export_failure_names_the_path_and_keeps_what_was_there(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "events.json"
    with pytest.raises(WebhookError) as caught:
        export_json([make_event()], missing)
    assert str(missing) in caught.value.message
    folder = tmp_path / "a-folder.har"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(WebhookError) as caught:
        export_har([make_event()], folder)
    assert str(folder) in caught.value.message
    assert (folder / "inside").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder.har"]  # no temp left


# -- HAR -----------------------------------------------------------------------------

HAR_LOG_KEYS = {"version", "creator", "entries"}
HAR_ENTRY_KEYS = {"startedDateTime", "time", "request", "response", "cache", "timings"}
HAR_REQUEST_KEYS = {
    "method",
    "url",
    "httpVersion",
    "cookies",
    "headers",
    "queryString",
    "headersSize",
    "bodySize",
}
HAR_RESPONSE_KEYS = {
    "status",
    "statusText",
    "httpVersion",
    "cookies",
    "headers",
    "content",
    "redirectURL",
    "headersSize",
    "bodySize",
}


def _check_har(data: dict[str, Any]) -> list[dict[str, Any]]:
    log = data["log"]
    assert isinstance(log, dict) and log.keys() >= HAR_LOG_KEYS
    assert log["version"] == "1.2"
    assert log["creator"]["name"] == "apiclient" and log["creator"]["version"]
    for entry in log["entries"]:
        assert entry.keys() >= HAR_ENTRY_KEYS
        assert entry["request"].keys() >= HAR_REQUEST_KEYS
        assert entry["response"].keys() >= HAR_RESPONSE_KEYS
        assert {"size", "mimeType"} <= entry["response"]["content"].keys()
        assert {"send", "wait", "receive"} <= entry["timings"].keys()
        datetime.fromisoformat(entry["startedDateTime"])
        for pair in entry["request"]["headers"] + entry["request"]["queryString"]:
            assert set(pair) == {"name", "value"}
        for key in entry:
            assert key in HAR_ENTRY_KEYS | {"comment"} or key.startswith("_")
    return log["entries"]


def test_export_har_reads_back_as_valid_har(tmp_path: Path) -> None:
    json_event = make_event(
        7,
        query="page=2&q=a%20b&flag",
        headers=(
            ("host", "hooks.example.test:8765"),
            ("content-type", "application/json"),
            ("cookie", "session=abc; theme=dark"),
        ),
        status=202,
    )
    binary_event = make_event(
        8, headers=(("content-type", "image/png"),), body=BINARY, status=599, path="/img"
    )
    get_event = make_event(9, method="GET", headers=(), body=b"", path="/ping")
    target = tmp_path / "events.har"
    assert export_har([json_event, binary_event, get_event], target) == 3
    entries = _check_har(json.loads(target.read_text(encoding="utf-8")))
    first, second, third = entries
    request = first["request"]
    assert request["method"] == "POST"
    assert request["url"] == "http://hooks.example.test:8765/hooks/stripe?page=2&q=a%20b&flag"
    assert request["queryString"] == [
        {"name": "page", "value": "2"},
        {"name": "q", "value": "a b"},
        {"name": "flag", "value": ""},
    ]
    assert request["cookies"] == [
        {"name": "session", "value": "abc"},
        {"name": "theme", "value": "dark"},
    ]
    assert request["postData"] == {
        "mimeType": "application/json",
        "text": '{"amount": 4200, "name": "Zoë"}',
    }
    assert request["bodySize"] == len(json_event.body)
    assert first["response"]["status"] == 202
    assert first["response"]["statusText"] == "Accepted"
    assert first["_webhook"]["id"] == 7 and first["_webhook"]["verdict"] == "invalid"
    assert second["request"]["url"] == "http://127.0.0.1/img"
    assert second["request"]["postData"]["encoding"] == "base64"
    assert base64.b64decode(second["request"]["postData"]["text"]) == BINARY
    assert second["response"]["status"] == 599 and second["response"]["statusText"] == ""
    assert "postData" not in third["request"] and third["request"]["bodySize"] == 0


# -- curl, for real ------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: list[tuple[str, str, list[tuple[str, str]], bytes]]

    def _capture(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.received.append((self.command, self.path, list(self.headers.items()), body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _capture

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str, list[tuple[str, str]], bytes]]]]:
    received: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


CURL_EVENTS = {
    "json with quotes and unicode": make_event(
        body=b'{"text": "it\'s $HOME `date` \\"q\\" \xe2\x9c\x93",\n\t"n": 1}'
    ),
    "binary with NUL bytes": make_event(
        method="PUT",
        headers=(("content-type", "application/octet-stream"), ("x-tag", "1"), ("x-tag", "2")),
        body=BINARY,
    ),
    "text starting with @ and -": make_event(
        headers=(("content-type", "text/plain"),), body=b"@/etc/passwd\n-n"
    ),
    "text starting with - piped": make_event(
        headers=(("content-type", "text/plain"),), body=b"-e \\x41 %s\x1b[31m"
    ),
    "large text": make_event(
        headers=(("content-type", "text/plain"),), body=b"0123456789" * 20_000
    ),
    "get with brackets and dots": make_event(
        method="GET",
        path="/a/./b/../c",
        query="ids[]=1&ids[]=2&q={x}",
        headers=(
            ("host", "example.test"),
            ("user-agent", "Stripe/1.0"),
            ("accept-encoding", "gzip"),
            ("connection", "keep-alive"),
            ("x-empty", ""),
        ),
        body=b"",
    ),
    "delete without type": make_event(method="DELETE", headers=(("x-a", "b"),), body=b"a=1"),
    "head": make_event(method="HEAD", headers=(("accept", "*/*"),), body=b""),
}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("shell", ["bash", "sh"])
@pytest.mark.parametrize("name", list(CURL_EVENTS))
def test_curl_command_resends_the_same_bytes(
    recorder: tuple[str, list[tuple[str, str, list[tuple[str, str]], bytes]]],
    shell: str,
    name: str,
    tmp_path: Path,
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    base, received = recorder
    event = CURL_EVENTS[name]
    command = curl_command(event, base + "/") + " --silent --show-error --max-time 20"
    if len(command) < 100_000:
        argv = [shell, "-c", command]
    else:  # Linux refuses a single argument over 128 KB: the same script from a file
        script = tmp_path / "resend.sh"
        script.write_text(command, encoding="utf-8")
        argv = [shell, str(script)]
    result = subprocess.run(argv, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, (command, result.stderr)
    (method, target, headers, body) = received[0]
    assert method == event.summary.method
    expected_target = event.summary.path + (
        f"?{event.summary.query}" if event.summary.query else ""
    )
    assert target == expected_target
    dropped = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}
    sent = [(n.lower(), v) for n, v in event.headers if n.lower() not in dropped]
    got = [(n.lower(), v) for n, v in headers if n.lower() not in {"host", "content-length"}]
    assert got == sent
    assert body == event.body


def test_curl_command_shape() -> None:
    command = curl_command(make_event(query="x=1"), "http://127.0.0.1:9000/base/")
    lines = command.split(" \\\n  ")
    assert lines[0] == "curl 'http://127.0.0.1:9000/base/hooks/stripe?x=1'"
    assert "-H 'content-type: application/json'" in lines
    assert not any(line.startswith("-H host") for line in lines)
    assert lines[-1] == '--data-binary \'{"amount": 4200, "name": "Zoë"}\''
    binary = curl_command(make_event(body=b"\x00\xff"), "http://h")
    assert binary.startswith("printf '\\000\\377' | curl http://h/hooks/stripe \\\n")
    assert binary.endswith("--data-binary @-")
