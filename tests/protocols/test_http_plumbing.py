"""The shared HTTP plumbing: URL checks, query encoding, the client pool, timings, errors."""

from __future__ import annotations

import time

import httpx
import pytest

from apiclient.protocols.connection_tls import TlsKey
from apiclient.protocols.errors import (
    ConnectionClosedError,
    HttpProtocolError,
    ProtocolError,
    RequestBuildError,
    RequestTimeoutError,
)
from apiclient.protocols.http import (
    ConnectionKey,
    HttpClientPool,
    TraceRecorder,
    append_query,
    encode_header,
    map_httpx_error,
    normalize_url,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("example.com", "http://example.com"),
        ("localhost:8000/api", "http://localhost:8000/api"),
        ("HTTPS://Example.com/a b", "https://Example.com/a%20b"),
        ("http://h/already%20done/100%", "http://h/already%20done/100%25"),
        ("http://h/x?a=1&b=two words", "http://h/x?a=1&b=two%20words"),
        ("http://h/x#section", "http://h/x"),
        ("http://user:pw@h:81/", "http://user:pw@h:81/"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
    ],
)
def test_normalize_url(typed: str, expected: str) -> None:
    assert normalize_url(typed) == expected


def test_normalize_url_other_schemes_when_allowed() -> None:
    assert normalize_url("ws://h/s", schemes=("ws", "wss")) == "ws://h/s"
    with pytest.raises(RequestBuildError, match="use ws:// or wss://"):
        normalize_url("http://h/", schemes=("ws", "wss"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/p", "http://h/p?a=1&flag&empty=&sp=x%20y"),
        ("http://h/p?", "http://h/p?a=1&flag&empty=&sp=x%20y"),
        ("http://h/p?t=0", "http://h/p?t=0&a=1&flag&empty=&sp=x%20y"),
        ("http://h/p?t=0&", "http://h/p?t=0&a=1&flag&empty=&sp=x%20y"),
    ],
)
def test_append_query(url: str, expected: str) -> None:
    pairs = [("a", "1"), ("flag", None), ("empty", ""), ("sp", "x y")]
    assert append_query(url, pairs) == expected


def test_append_query_encodes_only_what_it_must() -> None:
    pairs: list[tuple[str, str | None]] = [
        ("k=", "v=="),
        ("a&b", "c&d"),
        ("pct", "50%"),
        ("done", "%7Bx%7D"),
        ("plus", "a+b"),
    ]
    assert append_query("http://h/", pairs) == (
        "http://h/?k%3D=v==&a%26b=c%26d&pct=50%25&done=%7Bx%7D&plus=a+b"
    )
    assert append_query("http://h/", []) == "http://h/"


def test_encode_header() -> None:
    assert encode_header("X-A", " v ") == (b"X-A", b"v")
    assert encode_header("X-U", "é") == (b"X-U", "é".encode())
    with pytest.raises(RequestBuildError, match="'X A'"):
        encode_header("X A", "v")
    with pytest.raises(RequestBuildError, match="control character"):
        encode_header("X-A", "a\x00b")


@pytest.mark.parametrize(
    ("exc", "phase"),
    [
        (httpx.ConnectTimeout("t"), "connect"),
        (httpx.ReadTimeout("t"), "read"),
        (httpx.WriteTimeout("t"), "write"),
        (httpx.PoolTimeout("t"), "pool"),
    ],
)
def test_each_timeout_names_its_phase(exc: httpx.TimeoutException, phase: str) -> None:
    error = map_httpx_error(exc, "http://h:8080/x", 2.5)
    assert isinstance(error, RequestTimeoutError)
    assert error.phase == phase
    assert f"{phase} timeout" in str(error)
    assert "2.5 s" in str(error)
    assert "h:8080" in str(error)


def test_remote_protocol_errors() -> None:
    closed = map_httpx_error(
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        "https://h/",
        1,
    )
    assert isinstance(closed, ConnectionClosedError)
    assert "h:443" in str(closed)
    assert closed.received_bytes is None
    other = map_httpx_error(httpx.RemoteProtocolError("illegal status line"), "http://h/", 1)
    assert type(other) is HttpProtocolError
    assert "illegal status line" in str(other)


def test_other_library_errors() -> None:
    decoding = map_httpx_error(httpx.DecodingError("bad gzip"), "http://h/", 1)
    assert isinstance(decoding, HttpProtocolError)
    assert "Content-Encoding" in str(decoding)
    unsupported = map_httpx_error(httpx.UnsupportedProtocol("nope"), "gopher://h/", 1)
    assert isinstance(unsupported, RequestBuildError)
    reset = map_httpx_error(httpx.ReadError("reset"), "http://h/", 1)
    assert isinstance(reset, ConnectionClosedError)
    mine = RequestBuildError("already mapped")
    assert map_httpx_error(mine, "http://h/", 1) is mine
    assert type(map_httpx_error(httpx.StreamClosed(), "http://h/", 1)) is ProtocolError


async def test_trace_recorder_keeps_the_final_hop() -> None:
    recorder = TraceRecorder()
    events = [
        "connection.connect_tcp.started",
        "connection.connect_tcp.complete",
        "http11.send_request_headers.started",
        "http11.send_request_body.complete",
        "http11.receive_response_headers.complete",
        "http11.receive_response_body.complete",
        # second hop on the same (reused) connection
        "http11.send_request_headers.started",
        "http11.send_request_headers.complete",
        "http11.send_request_body.started",
        "http11.send_request_body.complete",
        "http11.receive_response_headers.started",
        "http11.receive_response_headers.complete",
        "http11.receive_response_body.started",
        "http11.receive_response_body.complete",
    ]
    for name in events:
        await recorder(name, {})
    timings = recorder.timings(time.perf_counter())
    assert timings.reused_connection
    assert timings.connect_s is None
    assert timings.tls_s is None
    assert timings.total_s >= timings.send_s + timings.ttfb_s + timings.download_s


async def test_pool_lends_each_client_to_one_send_at_a_time() -> None:
    pool = HttpClientPool()
    try:
        async with pool.lease() as plain:
            async with pool.lease() as concurrent:
                assert concurrent is not plain
            async with pool.lease(ConnectionKey(TlsKey(verify=False))) as unverified:
                assert unverified is not plain
            async with pool.lease(ConnectionKey(max_redirects=3)) as fewer_redirects:
                assert fewer_redirects is not plain
        async with pool.lease() as again:
            assert again is plain  # sends one after another keep one warm connection
    finally:
        await pool.aclose()
    assert plain.is_closed
    assert concurrent.is_closed


async def test_pool_closes_clients_lent_when_it_closes() -> None:
    pool = HttpClientPool()
    async with pool.lease() as client:
        await pool.aclose()
        assert client.is_closed
    async with pool.lease() as fresh:
        assert fresh is not client
        assert not fresh.is_closed
    await pool.aclose()


async def test_pool_without_jar_keeps_no_cookies(rest_url: str) -> None:
    pool = HttpClientPool()
    try:
        async with pool.lease() as client:
            await client.get(f"{rest_url}/cookies/set?k=v")
            response = await client.get(f"{rest_url}/cookies")
        assert response.json() == {"cookies": {}}
    finally:
        await pool.aclose()
