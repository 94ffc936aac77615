"""`/echo` reports back exactly what the client sent, for every kind of body."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"])
def test_echo_any_method(client: httpx.Client, method: str) -> None:
    data = client.request(method, "/echo/some/path", params=[("a", "1"), ("a", "2")]).json()
    assert data["method"] == method
    assert data["path"] == "/echo/some/path"
    assert data["query"] == {"a": ["1", "2"]}
    assert data["body_text"] is None


def test_echo_head_has_no_body(client: httpx.Client) -> None:
    response = client.head("/echo")
    assert response.status_code == 200
    assert response.content == b""


def test_echo_headers_are_lower_case(client: httpx.Client) -> None:
    data = client.get("/echo", headers={"X-Trace-Id": "abc"}).json()
    assert data["headers"]["x-trace-id"] == "abc"


def test_echo_json(client: httpx.Client) -> None:
    data = client.post("/echo", json={"a": [1, 2], "ü": True}).json()
    assert data["json"] == {"a": [1, 2], "ü": True}
    assert data["headers"]["content-type"] == "application/json"
    assert data["form"] is None


def test_echo_text_and_binary(client: httpx.Client) -> None:
    text = client.put("/echo", content="plain text", headers={"Content-Type": "text/plain"})
    assert text.json()["body_text"] == "plain text"
    assert text.json()["json"] is None

    raw = bytes(range(256))
    binary = client.post(
        "/echo", content=raw, headers={"Content-Type": "application/octet-stream"}
    ).json()
    assert binary["body_text"] is None
    assert base64.b64decode(binary["body_base64"]) == raw


def test_echo_urlencoded_form(client: httpx.Client) -> None:
    data = client.post("/echo", data={"name": "Ada", "tags": ["x", "y"]}).json()
    assert data["form"] == {"fields": {"name": ["Ada"], "tags": ["x", "y"]}, "files": []}


def test_echo_multipart_files(client: httpx.Client) -> None:
    content = b"\x89PNG fake image bytes" * 100
    data = client.post(
        "/echo",
        data={"title": "Holiday"},
        files={"photo": ("beach.png", content, "image/png")},
    ).json()
    assert data["form"]["fields"] == {"title": ["Holiday"]}
    assert data["form"]["files"] == [
        {
            "name": "photo",
            "filename": "beach.png",
            "content_type": "image/png",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
    ]
