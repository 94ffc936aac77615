"""Bodies of every kind, including the deliberately broken one."""

from __future__ import annotations

import gzip
import json
import struct
import zlib

import httpx
import pytest


def test_bytes_are_sized_and_seeded(client: httpx.Client) -> None:
    first = client.get("/bytes/70000")
    assert first.headers["content-type"] == "application/octet-stream"
    assert len(first.content) == 70000
    assert client.get("/bytes/70000").content == first.content
    assert client.get("/bytes/70000", params={"seed": 1}).content != first.content
    assert client.get("/bytes/0").content == b""


def test_bytes_cap(client: httpx.Client) -> None:
    response = client.get(f"/bytes/{100 * 1024 * 1024 + 1}")
    assert response.status_code == 400
    assert "100 MB" in response.json()["detail"]


def test_large_json_is_valid_and_about_the_size_asked(client: httpx.Client) -> None:
    response = client.get("/json/large", params={"mb": 0.5})
    assert response.headers["content-encoding"] == "gzip"
    assert 0.5 * 2**20 <= len(response.content) <= 0.7 * 2**20
    data = json.loads(response.content)
    assert data["count"] == len(data["records"])
    assert data["records"][1]["id"] == 1
    assert client.get("/json/large", params={"mb": 201}).status_code == 422


def test_large_response_without_gzip_when_not_accepted(client: httpx.Client) -> None:
    response = client.get(
        "/json/large", params={"mb": 0.1}, headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in response.headers
    assert json.loads(response.content)["count"] > 0


def test_gzip_endpoint(client: httpx.Client) -> None:
    with client.stream("GET", "/gzip", headers={"Accept-Encoding": "identity"}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))["gzipped"] is True
    assert client.get("/gzip").json()["gzipped"] is True


def test_xml_and_html(client: httpx.Client) -> None:
    xml = client.get("/xml")
    assert xml.headers["content-type"].startswith("application/xml")
    assert "<patient" in xml.text
    html = client.get("/html")
    assert html.headers["content-type"].startswith("text/html")
    assert "<h1>" in html.text


def test_latin1_body(client: httpx.Client) -> None:
    response = client.get("/encoding/latin1")
    assert response.headers["content-type"] == "text/plain; charset=iso-8859-1"
    assert "café" in response.text
    assert "café".encode("iso-8859-1") in response.content
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")


def test_png_is_valid(client: httpx.Client) -> None:
    content = client.get("/image/png").content
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    offset = 8
    kinds = []
    while offset < len(content):
        (length,) = struct.unpack(">I", content[offset : offset + 4])
        kind, data = content[offset + 4 : offset + 8], content[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", content[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + data) == crc
        kinds.append(kind)
        offset += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]


def test_broken_mid_body_raises_in_the_client(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="received 1000 bytes, expected 100000"):
        client.get("/broken/mid-body")
    # The server stays healthy afterwards.
    assert client.get("/echo").status_code == 200


def test_large_text_is_exactly_the_size_asked_and_not_gzipped(client: httpx.Client) -> None:
    response = client.get("/text/large", params={"mb": 2})
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-length"] == str(2 * 2**20)
    assert response.headers["content-encoding"] == "identity"
    assert len(response.content) == 2 * 2**20
    assert response.content.startswith(b"line 00000000 ")
    assert response.content.endswith(b"END-OF-BODY\n")
    assert client.get("/text/large", params={"mb": 0}).status_code == 422
