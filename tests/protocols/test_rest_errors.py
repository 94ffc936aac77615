"""Every way a send can fail ends in a typed error with a message a person can act on."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from apiclient.core.models import (
    Auth,
    Body,
    FormField,
    KeyValue,
    RequestSettings,
    RestRequest,
)
from apiclient.protocols.errors import (
    ConnectError,
    ConnectionClosedError,
    DnsError,
    ProtocolError,
    RequestBuildError,
    RequestTimeoutError,
    TlsError,
    TooManyRedirectsError,
)
from apiclient.protocols.rest import RestEngine

# Every test here runs on the window's engine and on the runner's (worker threads).
pytestmark = pytest.mark.parametrize("engine", ["async", "threaded"], indirect=True)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("http://", "no host"),
        ("http://:8080/x", "no host"),
        ("http://exa mple.com/x", "space"),
        ("http://127.0.0.1:99999/x", "'99999'"),
        ("127.0.0.1:abc/x", "'abc'"),
        ("http://127.0.0.1:0/x", "port 0"),
        ("ftp://127.0.0.1/file", "unsupported scheme 'ftp'"),
        ("ws://127.0.0.1/socket", "unsupported scheme 'ws'"),
        ("http://[::1/x", "not valid"),
    ],
)
async def test_malformed_urls_fail_before_sending(
    engine: RestEngine, url: str, fragment: str
) -> None:
    with pytest.raises(RequestBuildError) as caught:
        await engine.send(RestRequest(url=url))
    assert fragment in str(caught.value)


@pytest.mark.parametrize("method", ["GE T", "", "PO\nST", "GET/1"])
async def test_bad_method(engine: RestEngine, closed_port: int, method: str) -> None:
    with pytest.raises(RequestBuildError, match="method"):
        await engine.send(RestRequest(method=method, url=f"127.0.0.1:{closed_port}/"))


@pytest.mark.parametrize("name", ["Bad Header", "X:colon", "ünï"])
async def test_invalid_header_name_is_named(
    engine: RestEngine, closed_port: int, name: str
) -> None:
    request = RestRequest(url=f"127.0.0.1:{closed_port}/", headers=[KeyValue(name=name, value="v")])
    with pytest.raises(RequestBuildError) as caught:
        await engine.send(request)
    assert repr(name) in str(caught.value)


async def test_header_value_with_line_break(engine: RestEngine, closed_port: int) -> None:
    request = RestRequest(
        url=f"127.0.0.1:{closed_port}/", headers=[KeyValue(name="X-Evil", value="a\r\nB: c")]
    )
    with pytest.raises(RequestBuildError, match="'X-Evil'"):
        await engine.send(request)


async def test_api_key_without_name(engine: RestEngine, closed_port: int) -> None:
    request = RestRequest(url=f"127.0.0.1:{closed_port}/", auth=Auth(kind="apikey"))
    with pytest.raises(RequestBuildError, match="key name"):
        await engine.send(request)


async def test_missing_binary_file_is_named(
    engine: RestEngine, closed_port: int, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.bin"
    request = RestRequest(
        method="POST",
        url=f"127.0.0.1:{closed_port}/",
        body=Body(mode="binary", binary_path=str(missing)),
    )
    # A build error, not ConnectError: nothing was sent to the (closed) port.
    with pytest.raises(RequestBuildError) as caught:
        await engine.send(request)
    assert str(missing) in str(caught.value)
    assert "does not exist" in str(caught.value)


async def test_binary_mode_without_file(engine: RestEngine, closed_port: int) -> None:
    request = RestRequest(url=f"127.0.0.1:{closed_port}/", body=Body(mode="binary"))
    with pytest.raises(RequestBuildError, match="no file chosen"):
        await engine.send(request)


async def test_missing_multipart_file_names_field_and_path(
    engine: RestEngine, closed_port: int, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.csv"
    rows = [FormField(name="upload", value=str(missing), type="file")]
    request = RestRequest(
        method="POST",
        url=f"127.0.0.1:{closed_port}/",
        body=Body(mode="multipart", multipart=rows),
    )
    with pytest.raises(RequestBuildError) as caught:
        await engine.send(request)
    assert "'upload'" in str(caught.value)
    assert str(missing) in str(caught.value)


async def test_multipart_file_that_is_a_folder(
    engine: RestEngine, closed_port: int, tmp_path: Path
) -> None:
    rows = [FormField(name="upload", value=str(tmp_path), type="file")]
    request = RestRequest(
        method="POST", url=f"127.0.0.1:{closed_port}/", body=Body(mode="multipart", multipart=rows)
    )
    with pytest.raises(RequestBuildError, match="is a folder"):
        await engine.send(request)


async def test_connection_refused(engine: RestEngine, closed_port: int) -> None:
    with pytest.raises(ConnectError) as caught:
        await engine.send(RestRequest(url=f"http://127.0.0.1:{closed_port}/echo"))
    assert not isinstance(caught.value, DnsError)
    message = str(caught.value)
    assert f"127.0.0.1:{closed_port}" in message
    assert "connection refused" in message
    assert "Is the server running?" in message


async def test_dns_failure(engine: RestEngine) -> None:
    with pytest.raises(DnsError) as caught:
        await engine.send(RestRequest(url="http://nope.invalid/x"))
    assert "Could not resolve host 'nope.invalid'" in str(caught.value)
    assert "spelling" in str(caught.value)


async def test_read_timeout(engine: RestEngine, rest_url: str) -> None:
    request = RestRequest(url=f"{rest_url}/delay/2", settings=RequestSettings(timeout_s=0.3))
    started = time.perf_counter()
    with pytest.raises(RequestTimeoutError) as caught:
        await engine.send(request)
    assert time.perf_counter() - started < 1.5
    assert caught.value.phase == "read"
    assert caught.value.timeout_s == 0.3
    assert "read timeout" in str(caught.value)
    assert "0.3 s" in str(caught.value)
    assert "raise the timeout" in str(caught.value)


async def test_too_many_redirects(engine: RestEngine, rest_url: str) -> None:
    settings = RequestSettings(max_redirects=2)
    with pytest.raises(TooManyRedirectsError, match=r"limit \(2\)"):
        await engine.send(RestRequest(url=f"{rest_url}/redirect/5", settings=settings))


async def test_server_closing_mid_body(engine: RestEngine, rest_url: str) -> None:
    with pytest.raises(ConnectionClosedError) as caught:
        await engine.send(RestRequest(url=f"{rest_url}/broken/mid-body"))
    assert caught.value.received_bytes == 1000
    assert "after 1000 bytes" in str(caught.value)
    # The engine recovers: the broken connection is not reused.
    assert (await engine.send(RestRequest(url=f"{rest_url}/echo"))).status_code == 200


async def test_untrusted_certificate(engine: RestEngine, tls_url: str) -> None:
    with pytest.raises(TlsError) as caught:
        await engine.send(RestRequest(url=f"{tls_url}/"))
    message = str(caught.value)
    assert "127.0.0.1" in message
    assert "certificate" in message
    assert "Settings" in message


async def test_verification_off_accepts_the_certificate(engine: RestEngine, tls_url: str) -> None:
    request = RestRequest(url=f"{tls_url}/", settings=RequestSettings(verify_tls=False))
    response = await engine.send(request)
    assert response.status_code == 200
    assert response.text() == "hello over tls"
    assert response.timings.tls_s is not None
    assert response.timings.connect_s is not None


async def test_plain_http_to_a_tls_port(engine: RestEngine, tls_url: str) -> None:
    plain = tls_url.replace("https://", "http://")
    with pytest.raises(ProtocolError):
        await engine.send(RestRequest(url=f"{plain}/"))


async def test_cancel_aborts_quickly_and_engine_still_works(
    engine: RestEngine, rest_url: str
) -> None:
    task = asyncio.create_task(engine.send(RestRequest(url=f"{rest_url}/delay/5")))
    await asyncio.sleep(0.3)
    assert not task.done()
    started = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - started < 0.5
    response = await engine.send(RestRequest(url=f"{rest_url}/echo"))
    assert response.status_code == 200


async def test_errors_share_one_base(engine: RestEngine, closed_port: int) -> None:
    with pytest.raises(ProtocolError) as caught:
        await engine.send(RestRequest(url=f"http://127.0.0.1:{closed_port}/"))
    assert str(caught.value) == caught.value.message


async def test_api_key_with_invalid_name(engine: RestEngine, closed_port: int) -> None:
    auth = Auth(kind="apikey", key_name="clé", key_value="v")
    with pytest.raises(RequestBuildError, match="'clé'"):
        await engine.send(RestRequest(url=f"127.0.0.1:{closed_port}/", auth=auth))
