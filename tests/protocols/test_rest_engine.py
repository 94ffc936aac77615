"""The REST engine against the real REST mock: bodies, auth, params, redirects, cookies."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from apiclient.core.models import (
    Auth,
    Body,
    FormField,
    KeyValue,
    RequestSettings,
    RestRequest,
)
from apiclient.protocols.rest import RestEngine, RestResponse
from mock_servers.rest import DEMO_TOKEN

# Every test here runs on the window's engine and on the runner's (worker threads).
pytestmark = pytest.mark.parametrize("engine", ["async", "threaded"], indirect=True)


def echo_json(response: RestResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.text()
    data: dict[str, Any] = json.loads(response.body)
    return data


# --- method, URL, params, headers -------------------------------------------------------


async def test_get_echo_basic_fields(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}/echo"))
    data = echo_json(response)
    assert data["method"] == "GET"
    assert response.method == "GET"
    assert response.reason == "OK"
    assert response.http_version == "HTTP/1.1"
    assert response.url == f"{rest_url}/echo"
    assert response.content_type == "application/json"
    assert response.headers_size > 20
    assert response.elapsed_s >= response.timings.total_s > 0
    assert ("User-Agent", "apiclient/0.1.0") in response.request_headers


async def test_custom_method_is_sent_as_given(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(method="PURGE", url=f"{rest_url}/echo"))
    assert echo_json(response)["method"] == "PURGE"


async def test_params_are_appended_and_encoded(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(
        url=f"{rest_url}/echo",
        params=[
            KeyValue(name="q", value="two words"),
            KeyValue(name="pre", value="already%20encoded"),
            KeyValue(name="amp", value="a&b=c"),
            KeyValue(name="tag", value="x"),
            KeyValue(name="tag", value="y"),
            KeyValue(name="off", value="nope", enabled=False),
            KeyValue(name="", value=""),
            KeyValue(name="ünï", value="çödé"),
            KeyValue(name="flag", bare=True),
            KeyValue(name="blank", value=""),
        ],
    )
    response = await engine.send(request)
    data = echo_json(response)
    assert data["query"] == {
        "q": ["two words"],
        "pre": ["already encoded"],
        "amp": ["a&b=c"],
        "tag": ["x", "y"],
        "ünï": ["çödé"],
        "flag": [""],
        "blank": [""],
    }
    assert "already%20encoded" in data["url"]
    assert "%2520" not in data["url"]
    assert response.url.endswith("&flag&blank=")


async def test_params_join_a_query_typed_in_the_url(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(
        url=f"{rest_url}/echo?typed=1&space=a b", params=[KeyValue(name="row", value="2")]
    )
    data = echo_json(await engine.send(request))
    assert data["query"] == {"typed": ["1"], "space": ["a b"], "row": ["2"]}


async def test_url_without_scheme_defaults_to_http(engine: RestEngine, rest_url: str) -> None:
    bare = rest_url.removeprefix("http://")
    response = await engine.send(RestRequest(url=f"  {bare}/echo/with space#frag  "))
    data = echo_json(response)
    assert data["path"] == "/echo/with space"
    assert response.url == f"{rest_url}/echo/with%20space"


async def test_only_enabled_headers_are_sent(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(
        url=f"{rest_url}/echo",
        headers=[
            KeyValue(name="X-On", value="  yes "),
            KeyValue(name="X-Off", value="no", enabled=False),
            KeyValue(name="", value="ignored"),
            KeyValue(name="X-Unicode", value="café"),
        ],
    )
    headers = echo_json(await engine.send(request))["headers"]
    assert headers["x-on"] == "yes"
    assert "x-off" not in headers
    assert "ignored" not in headers.values()
    assert headers["x-unicode"].encode("latin-1").decode("utf-8") == "café"


# --- bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "content_type"),
    [
        ("json", "application/json"),
        ("xml", "application/xml"),
        ("html", "text/html"),
        ("text", "text/plain"),
        ("javascript", "application/javascript"),
    ],
)
async def test_raw_body_sets_content_type_from_language(
    engine: RestEngine, rest_url: str, language: str, content_type: str
) -> None:
    body = Body(mode="raw", raw='{"name": "Ünïcode"}', language=language)  # type: ignore[arg-type]
    data = echo_json(
        await engine.send(RestRequest(method="POST", url=f"{rest_url}/echo", body=body))
    )
    assert data["headers"]["content-type"] == content_type
    assert data["body_text"] == '{"name": "Ünïcode"}'


async def test_raw_body_keeps_the_users_content_type(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(
        method="POST",
        url=f"{rest_url}/echo",
        headers=[KeyValue(name="content-type", value="application/vnd.api+json")],
        body=Body(mode="raw", raw='{"a": 1}', language="json"),
    )
    data = echo_json(await engine.send(request))
    assert data["headers"]["content-type"] == "application/vnd.api+json"
    assert data["json"] == {"a": 1}


async def test_urlencoded_body_keeps_order_and_repeats(engine: RestEngine, rest_url: str) -> None:
    rows = [
        KeyValue(name="b", value="2"),
        KeyValue(name="a", value="one & two"),
        KeyValue(name="b", value="3"),
        KeyValue(name="skip", value="x", enabled=False),
    ]
    request = RestRequest(
        method="POST", url=f"{rest_url}/echo", body=Body(mode="urlencoded", urlencoded=rows)
    )
    data = echo_json(await engine.send(request))
    assert data["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert data["body_text"] == "b=2&a=one+%26+two&b=3"
    assert data["form"]["fields"] == {"b": ["2", "3"], "a": ["one & two"]}


async def test_multipart_text_and_files(engine: RestEngine, rest_url: str, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 400
    upload = tmp_path / "blob.bin"
    upload.write_bytes(payload)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    rows = [
        FormField(name="title", value="Report ü"),
        FormField(name="file", value=str(upload), type="file"),
        FormField(name="notes", value=str(notes), type="file", content_type="text/x-custom"),
        FormField(name="off", value="x", enabled=False),
    ]
    request = RestRequest(
        method="POST",
        url=f"{rest_url}/echo",
        headers=[KeyValue(name="Content-Type", value="multipart/form-data")],
        body=Body(mode="multipart", multipart=rows),
    )
    form = echo_json(await engine.send(request))["form"]
    assert form["fields"] == {"title": ["Report ü"]}
    blob, text = form["files"]
    assert blob["name"] == "file"
    assert blob["filename"] == "blob.bin"
    assert blob["size"] == len(payload)
    assert blob["sha256"] == hashlib.sha256(payload).hexdigest()
    assert text["content_type"] == "text/x-custom"
    assert text["size"] == 5


async def test_binary_body_from_file(engine: RestEngine, rest_url: str, tmp_path: Path) -> None:
    payload = b"\x00\xff\x10binary" * 1000
    path = tmp_path / "payload.dat"
    path.write_bytes(payload)
    request = RestRequest(
        method="PUT", url=f"{rest_url}/echo", body=Body(mode="binary", binary_path=str(path))
    )
    data = echo_json(await engine.send(request))
    assert data["headers"]["content-type"] == "application/octet-stream"
    assert data["headers"]["content-length"] == str(len(payload))
    assert data["body_base64"] is not None


async def test_no_body_sends_no_content_type(engine: RestEngine, rest_url: str) -> None:
    data = echo_json(await engine.send(RestRequest(method="POST", url=f"{rest_url}/echo")))
    assert "content-type" not in data["headers"]
    assert data["body_text"] is None


async def test_items_crud_and_validation(engine: RestEngine, rest_url: str) -> None:
    created = await engine.send(
        RestRequest(
            method="POST",
            url=f"{rest_url}/api/items",
            body=Body(mode="raw", raw='{"name": "Lamp", "price": 12.5}'),
        )
    )
    assert created.status_code == 201, created.text()
    invalid = await engine.send(
        RestRequest(
            method="POST", url=f"{rest_url}/api/items", body=Body(mode="raw", raw='{"name": 5}')
        )
    )
    assert invalid.status_code == 422


# --- auth -------------------------------------------------------------------------------


async def test_basic_auth(engine: RestEngine, rest_url: str) -> None:
    good = Auth(kind="basic", username="ada", password="s3cret")
    bad = Auth(kind="basic", username="ada", password="wrong")
    url = f"{rest_url}/basic-auth/ada/s3cret"
    assert (await engine.send(RestRequest(url=url, auth=good))).status_code == 200
    assert (await engine.send(RestRequest(url=url, auth=bad))).status_code == 401


async def test_digest_auth(engine: RestEngine, rest_url: str) -> None:
    url = f"{rest_url}/digest-auth/auth/ada/s3cret"
    good = Auth(kind="digest", username="ada", password="s3cret")
    bad = Auth(kind="digest", username="ada", password="wrong")
    response = await engine.send(RestRequest(url=url, auth=good))
    assert response.status_code == 200
    assert response.redirects == ()
    assert (await engine.send(RestRequest(url=url, auth=bad))).status_code == 401


async def test_bearer_auth_on_playlists(engine: RestEngine, rest_url: str) -> None:
    url = f"{rest_url}/api/v1/playlists"
    ok = await engine.send(RestRequest(url=url, auth=Auth(kind="bearer", token=DEMO_TOKEN)))
    assert ok.status_code == 200
    wrong = await engine.send(RestRequest(url=url, auth=Auth(kind="bearer", token="nope")))
    assert wrong.status_code == 401
    assert (await engine.send(RestRequest(url=url))).status_code == 401


async def test_bearer_prefix_and_override(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(
        url=f"{rest_url}/echo",
        headers=[KeyValue(name="authorization", value="typed by hand")],
        auth=Auth(kind="bearer", token="abc", token_prefix=""),
    )
    assert echo_json(await engine.send(request))["headers"]["authorization"] == "abc"
    custom = RestRequest(
        url=f"{rest_url}/echo", auth=Auth(kind="bearer", token="abc", token_prefix="Token")
    )
    assert echo_json(await engine.send(custom))["headers"]["authorization"] == "Token abc"


async def test_api_key_in_header_and_query(engine: RestEngine, rest_url: str) -> None:
    in_header = Auth(kind="apikey", key_name="X-Api-Key", key_value="k1", key_in="header")
    in_query = Auth(kind="apikey", key_name="api_key", key_value="k 2", key_in="query")
    header_echo = echo_json(await engine.send(RestRequest(url=f"{rest_url}/echo", auth=in_header)))
    assert header_echo["headers"]["x-api-key"] == "k1"
    query_echo = echo_json(
        await engine.send(
            RestRequest(
                url=f"{rest_url}/echo", params=[KeyValue(name="a", value="1")], auth=in_query
            )
        )
    )
    assert query_echo["query"] == {"a": ["1"], "api_key": ["k 2"]}


# --- redirects and cookies --------------------------------------------------------------


async def test_redirects_followed(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}/redirect/3"))
    assert response.status_code == 200
    assert response.url == f"{rest_url}/echo"
    assert response.redirects == (
        (302, f"{rest_url}/redirect/3"),
        (302, f"{rest_url}/redirect/2"),
        (302, f"{rest_url}/redirect/1"),
    )
    assert response.timings.total_s >= response.timings.download_s


async def test_redirects_not_followed(engine: RestEngine, rest_url: str) -> None:
    settings = RequestSettings(follow_redirects=False)
    response = await engine.send(RestRequest(url=f"{rest_url}/redirect/3", settings=settings))
    assert response.status_code == 302
    assert response.header("Location") == "/redirect/2"
    assert response.redirects == ()


async def test_cookies_are_captured_and_sent_back(engine: RestEngine, rest_url: str) -> None:
    set_response = await engine.send(RestRequest(url=f"{rest_url}/cookies/set?flavour=oat"))
    (cookie,) = set_response.cookies
    assert (cookie.name, cookie.value, cookie.path) == ("flavour", "oat", "/")
    assert cookie.domain == "127.0.0.1"
    assert cookie.expires is None
    assert [c.name for c in engine.cookies] == ["flavour"]

    read = await engine.send(RestRequest(url=f"{rest_url}/cookies"))
    assert echo_json(read) == {"cookies": {"flavour": "oat"}}
    assert ("Cookie", "flavour=oat") in read.request_headers
    assert read.cookies == ()

    engine.clear_cookies()
    assert engine.cookies == ()
    assert echo_json(await engine.send(RestRequest(url=f"{rest_url}/cookies"))) == {"cookies": {}}


# --- response bodies --------------------------------------------------------------------


async def test_gzip_is_decoded(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}/gzip"))
    assert response.header("content-encoding") == "gzip"
    assert json.loads(response.body)["gzipped"] is True
    assert response.wire_size == int(response.header("content-length") or 0)
    assert response.wire_size != len(response.body)


async def test_large_json_20_mb_is_read_whole(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}/json/large?mb=20"))
    assert response.status_code == 200
    assert len(response.body) >= 20 * 1024 * 1024
    assert response.header("content-encoding") == "gzip"
    assert response.wire_size < len(response.body)
    assert json.loads(response.body)["records"][0]["id"] == 0
    assert not response.is_binary


async def test_latin1_text_is_decoded_with_its_charset(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}/encoding/latin1"))
    assert response.charset == "iso-8859-1"
    assert response.content_type == "text/plain"
    assert "café crème à Zürich" in response.text()
    assert not response.is_binary


@pytest.mark.parametrize(
    ("path", "binary"),
    [
        ("/bytes/2048", True),
        ("/image/png", True),
        ("/echo", False),
        ("/xml", False),
        ("/html", False),
    ],
)
async def test_binary_detection(engine: RestEngine, rest_url: str, path: str, binary: bool) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}{path}"))
    assert response.is_binary is binary


async def test_head_has_no_body(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(method="HEAD", url=f"{rest_url}/status/200"))
    assert response.status_code == 200
    assert response.body == b""


async def test_status_codes_are_results_not_errors(engine: RestEngine, rest_url: str) -> None:
    response = await engine.send(RestRequest(url=f"{rest_url}/status/503"))
    assert (response.status_code, response.reason) == (503, "Service Unavailable")
    assert response.header("retry-after") == "1"


# --- timings ----------------------------------------------------------------------------


async def test_timings_fresh_then_reused(engine: RestEngine, rest_url: str) -> None:
    first = (await engine.send(RestRequest(url=f"{rest_url}/echo"))).timings
    assert first.connect_s is not None
    assert first.connect_s >= 0
    assert first.tls_s is None
    assert not first.reused_connection
    parts = first.connect_s + first.send_s + first.ttfb_s + first.download_s
    assert parts <= first.total_s + 1e-3

    second = (await engine.send(RestRequest(url=f"{rest_url}/delay/0.2"))).timings
    assert second.reused_connection
    assert second.connect_s is None
    assert second.ttfb_s >= 0.15
    assert second.total_s >= second.ttfb_s


async def test_303_turns_post_into_get(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(
        method="POST",
        url=f"{rest_url}/redirect-to",
        params=[KeyValue(name="url", value="/echo"), KeyValue(name="status_code", value="303")],
        body=Body(mode="raw", raw="{}"),
    )
    response = await engine.send(request)
    assert response.method == "GET"
    assert echo_json(response)["method"] == "GET"
    assert [status for status, _ in response.redirects] == [303]
