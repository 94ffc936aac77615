"""Bad URLs, methods, headers, bodies and auth through the REST engine's send: each is
refused before any traffic with a typed error a person can act on, never an escape.

The sends go to the REST mock server, so an input that is wrongly accepted shows up as
"accepted without an error" rather than as some connection failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from clear_errors import params, refused_async

from apiclient.core.models import Auth, Body, FormField, KeyValue, RestRequest
from apiclient.protocols.rest import RestEngine

# (id, what to change in a GET of the mock's /items, fragment of the message)
URLS: list[tuple[str, str, str]] = [
    ("empty", "", "The URL is empty"),
    ("blank", "   \t ", "The URL is empty"),
    ("ftp-scheme", "ftp://127.0.0.1/x", "unsupported scheme 'ftp'"),
    ("file-scheme", "file:///etc/passwd", "unsupported scheme 'file'"),
    ("ws-scheme", "ws://127.0.0.1/", "unsupported scheme 'ws'"),
    ("bang-in-scheme", "ht!tp://127.0.0.1/", "malformed scheme"),
    ("tab-in-scheme", "h\ttp://127.0.0.1/", "malformed scheme"),
    ("only-separator", "://127.0.0.1/", "malformed scheme"),
    ("scheme-only", "http://", "has no host"),
    ("three-slashes", "http:///path", "has no host"),
    ("scheme-relative", "//127.0.0.1/", "has no host"),
    ("port-without-host", "http://:80/", "has no host"),
    ("user-without-host", "http://user@:80/", "has no host"),
    ("space-in-host", "http://exa mple.com/", "contains a space"),
    ("space-in-port", "http://127.0.0.1:8 0/", "contains a space"),
    ("port-too-big", "http://127.0.0.1:99999/", "port '99999'"),
    ("port-65536", "http://127.0.0.1:65536", "port '65536'"),
    ("port-zero", "http://127.0.0.1:0/", "port 0"),
    ("port-negative", "http://127.0.0.1:-1/", "port '-1'"),
    ("port-letters", "http://127.0.0.1:abc/", "port 'abc'"),
    ("ipv6-unclosed", "http://[::1/", "not valid"),
    ("ipv6-garbage", "http://[zz]/", "not valid"),
    ("nul-in-host", "http://\x00host/", "not valid"),
    ("zero-width-space-host", "http://exa\u200bmple.com/", "not valid"),
    ("idna-too-long", "http://" + "é" * 70 + ".com/", "not valid"),
    ("lone-surrogate", "http://127.0.0.1/\ud800", "not valid: it holds U+D800"),
    ("javascript", "javascript:alert(1)", "scheme 'javascript:'"),
    ("mailto", "mailto:someone@example.com", "scheme 'mailto:'"),
    ("data", "data:text/plain,hi", "scheme 'data:'"),
    ("refused-port", "http://127.0.0.1:1/", "connection refused"),
]
METHODS: list[tuple[str, str, str]] = [
    ("empty", "", "The method is empty"),
    ("space-inside", "GE T", "not a valid HTTP method"),
    ("parentheses", "G(E)T", "not a valid HTTP method"),
    ("accented", "ÉGET", "not a valid HTTP method"),
    ("slash", "GET/1", "not a valid HTTP method"),
    ("colon", "GET:", "not a valid HTTP method"),
]
HEADERS: list[tuple[str, tuple[str, str], str]] = [
    ("space-in-name", ("Bad Name", "x"), "header name 'Bad Name'"),
    ("colon-in-name", ("X:y", "x"), "header name 'X:y'"),
    ("accented-name", ("é", "x"), "header name 'é'"),
    ("parentheses-name", ("(x)", "1"), "header name '(x)'"),
    ("tab-in-name", ("X\tY", "1"), "is not valid"),
    ("crlf-injection", ("X-A", "a\r\nInjected: 1"), "line break"),
    ("newline-value", ("X-A", "a\nb"), "line break"),
    ("nul-value", ("X-A", "\x00"), "control character"),
    ("del-value", ("X-A", "a\x7fb"), "control character"),
    ("escape-value", ("X-B", "\x1b[31m"), "control character"),
    ("lone-surrogate-value", ("X-C", "a\udc80"), "header 'X-C' holds U+DC80"),
]


BODIES: list[tuple[Any, ...]] = [
    (
        "binary-missing-file",
        Body(mode="binary", binary_path="/nonexistent/f.bin"),
        "does not exist",
    ),
    ("binary-no-file", Body(mode="binary", binary_path=""), "no file chosen"),
    ("binary-is-a-folder", Body(mode="binary", binary_path="/"), "is a folder"),
    (
        "multipart-missing-file",
        Body(mode="multipart", multipart=[FormField(name="f", type="file", value="/nope")]),
        "Form field 'f'",
    ),
    (
        "multipart-no-file",
        Body(mode="multipart", multipart=[FormField(name="f", type="file", value="")]),
        "no file chosen",
    ),
    (
        "multipart-folder",
        Body(mode="multipart", multipart=[FormField(name="d", type="file", value="/")]),
        "is a folder",
    ),
    ("raw-lone-surrogate", Body(mode="raw", raw="\ud800"), "UTF-8"),
    (
        "multipart-text-lone-surrogate",
        Body(mode="multipart", multipart=[FormField(name="t", value="\ud800")]),
        "Form field 't' holds U+D800",
    ),
]
AUTHS: list[tuple[Any, ...]] = [
    ("apikey-without-name", Auth(kind="apikey", key_name="", key_value="x"), "needs a key name"),
    ("apikey-bad-name", Auth(kind="apikey", key_name="Bad Name", key_value="x"), "Bad Name"),
    ("apikey-crlf-value", Auth(kind="apikey", key_name="X", key_value="a\r\nb"), "line break"),
    ("bearer-newline", Auth(kind="bearer", token="a\nb"), "Authorization"),
    ("basic-lone-surrogate", Auth(kind="basic", username="\ud800"), "UTF-8"),
    ("digest-password-lone-surrogate", Auth(kind="digest", password="x\udfff"), "UTF-8"),
]
CASES = [*URLS, *METHODS, *HEADERS, *BODIES, *AUTHS]


@pytest.fixture
async def engine() -> AsyncIterator[RestEngine]:
    rest_engine = RestEngine()
    try:
        yield rest_engine
    finally:
        await rest_engine.aclose()


@pytest.mark.parametrize(("url", "fragment"), params(URLS))
async def test_a_bad_url_is_refused_clearly(engine: RestEngine, url: str, fragment: str) -> None:
    await refused_async(lambda: engine.send(RestRequest(url=url)), fragment)


@pytest.mark.parametrize(("method", "fragment"), params(METHODS))
async def test_a_bad_method_is_refused_clearly(
    engine: RestEngine, rest_url: str, method: str, fragment: str
) -> None:
    request = RestRequest(method=method, url=f"{rest_url}/items")
    await refused_async(lambda: engine.send(request), fragment)


@pytest.mark.parametrize(("header", "fragment"), params(HEADERS))
async def test_a_bad_header_is_refused_clearly(
    engine: RestEngine, rest_url: str, header: tuple[str, str], fragment: str
) -> None:
    row = KeyValue(name=header[0], value=header[1])
    request = RestRequest(url=f"{rest_url}/items", headers=[row])
    await refused_async(lambda: engine.send(request), fragment)


@pytest.mark.parametrize(("body", "fragment"), params(BODIES))
async def test_a_bad_body_is_refused_clearly(
    engine: RestEngine, rest_url: str, body: Body, fragment: str
) -> None:
    request = RestRequest(method="POST", url=f"{rest_url}/items", body=body)
    await refused_async(lambda: engine.send(request), fragment)


@pytest.mark.parametrize(("auth", "fragment"), params(AUTHS))
async def test_bad_auth_is_refused_clearly(
    engine: RestEngine, rest_url: str, auth: Auth, fragment: str
) -> None:
    request = RestRequest(url=f"{rest_url}/items", auth=auth)
    await refused_async(lambda: engine.send(request), fragment)
