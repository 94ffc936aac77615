"""Proxies in the path: a small forward proxy (an ASGI app on uvicorn) between the REST
engine and the mock server, hosts that bypass it, credentials, and proxies that
cannot be used."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from connection_servers import (
    Certs,
    ForwardProxy,
    Socks5Relay,
    make_certs,
    refusing_tunnel_proxy,
    uvicorn_on_thread,
)

from apiclient.core.models import RequestSettings, RestRequest
from apiclient.protocols.connection_proxy import proxy_key
from apiclient.protocols.errors import DnsError, ProxyError, RequestBuildError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[ForwardProxy, str]]:
    app = ForwardProxy()
    with uvicorn_on_thread(app) as port:
        yield app, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def locked_proxy() -> Iterator[tuple[ForwardProxy, str]]:
    app = ForwardProxy(credentials=("proxy-user", "proxy-pass"))
    with uvicorn_on_thread(app) as port:
        yield app, f"http://127.0.0.1:{port}"


@pytest.fixture(params=["async", "threaded"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[RestEngine]:
    made = RestEngine() if request.param == "async" else ThreadedRestEngine(workers=2)
    try:
        yield made
    finally:
        await made.aclose()


def _via(proxy_url: str, **more: str) -> RequestSettings:
    return RequestSettings.model_validate({"proxy": "custom", "proxy_url": proxy_url, **more})


async def test_a_request_goes_through_the_custom_proxy(
    engine: RestEngine, proxy: tuple[ForwardProxy, str], rest_url: str
) -> None:
    app, proxy_url = proxy
    request = RestRequest(url=f"{rest_url}/echo?via=proxy", settings=_via(proxy_url))
    response = await engine.send(request)
    assert response.status_code == 200
    assert f"GET {rest_url}/echo?via=proxy" in app.seen
    assert '"via"' in response.text()


async def test_hosts_in_no_proxy_bypass_it(
    engine: RestEngine, proxy: tuple[ForwardProxy, str], rest_url: str
) -> None:
    app, proxy_url = proxy
    port = rest_url.rsplit(":", 1)[1]
    for no_proxy in ("127.0.0.1", f"localhost, 127.0.0.1:{port}"):
        before = len(app.seen)
        settings = _via(proxy_url, no_proxy=no_proxy)
        response = await engine.send(RestRequest(url=f"{rest_url}/echo", settings=settings))
        assert response.status_code == 200
        assert len(app.seen) == before, no_proxy


async def test_proxy_credentials_are_sent_and_a_407_is_shown(
    engine: RestEngine, locked_proxy: tuple[ForwardProxy, str], rest_url: str
) -> None:
    app, proxy_url = locked_proxy
    url = f"{rest_url}/echo"
    before = len(app.seen)
    refused = await engine.send(RestRequest(url=url, settings=_via(proxy_url)))
    assert (refused.status_code, refused.reason) == (407, "Proxy Authentication Required")
    settings = _via(proxy_url, proxy_username="proxy-user", proxy_password="proxy-pass")
    allowed = await engine.send(RestRequest(url=url, settings=settings))
    assert allowed.status_code == 200
    assert app.seen[before:] == [f"GET {url}"]


async def test_an_unreachable_proxy_is_named_not_the_server(
    engine: RestEngine, rest_url: str, closed_port: int
) -> None:
    for scheme in ("http", "socks5"):
        settings = _via(f"{scheme}://127.0.0.1:{closed_port}")
        with pytest.raises(ProxyError) as caught:
            await engine.send(RestRequest(url=f"{rest_url}/echo", settings=settings))
        message = str(caught.value)
        assert message.startswith(f"Could not connect to the proxy 127.0.0.1:{closed_port}")
        assert "connection refused" in message and "proxy settings" in message
        assert caught.value.proxy == f"127.0.0.1:{closed_port}"


async def test_the_system_proxy_comes_from_the_environment(
    engine: RestEngine,
    proxy: tuple[ForwardProxy, str],
    rest_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, proxy_url = proxy
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    before = len(app.seen)
    await engine.send(RestRequest(url=f"{rest_url}/echo?system=1"))
    assert len(app.seen) == before + 1
    direct = RestRequest(url=f"{rest_url}/echo", settings=RequestSettings(proxy="none"))
    await engine.send(direct)
    assert len(app.seen) == before + 1
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    await engine.aclose()  # the system's settings are read when a client is made
    await engine.send(RestRequest(url=f"{rest_url}/echo?bypassed=1"))
    assert len(app.seen) == before + 1


@pytest.mark.parametrize(
    ("proxy_url", "no_proxy", "expected"),
    [
        ("", "", "the Proxy URL (request settings) is empty"),
        ("ftp://127.0.0.1:21", "", "uses the scheme 'ftp'"),
        ("http://", "", "has no host"),
        ("http://127.0.0.1:99999", "", "is not valid"),
        ("http://127.0.0.1:3128", "10.0.0.0/8", "The No proxy entry '10.0.0.0/8'"),
        ("http://127.0.0.1:3128", "ok.example, host:abc", "The No proxy entry 'host:abc'"),
        ("http://127.0.0.1:3128", "a:b:c", "The No proxy entry 'a:b:c'"),
        ("http://127.0.0.1:3128", "host:99999", "The No proxy entry 'host:99999'"),
        ("http://127.0.0.1:3128", "[::1]:http", "The No proxy entry '[::1]:http'"),
    ],
)
async def test_proxy_settings_that_cannot_be_used_are_told_before_sending(
    rest_url: str, proxy_url: str, no_proxy: str, expected: str
) -> None:
    engine = RestEngine()
    settings = _via(proxy_url, no_proxy=no_proxy)
    try:
        with pytest.raises(RequestBuildError) as caught:
            await engine.send(RestRequest(url=f"{rest_url}/echo", settings=settings))
    finally:
        await engine.aclose()
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("scheme", "host", "credentials"),
    [
        ("socks5", "127.0.0.1", {}),
        ("socks5h", "localhost", {"proxy_username": "u", "proxy_password": "p"}),
    ],
)
async def test_a_socks5_proxy_in_the_path(
    engine: RestEngine, rest_url: str, scheme: str, host: str, credentials: dict[str, str]
) -> None:
    relay = Socks5Relay()
    port = rest_url.rsplit(":", 1)[1]
    async with relay.serving() as where:
        settings = _via(f"{scheme}://{where}", **credentials)
        url = f"http://{host}:{port}/echo"
        response = await engine.send(RestRequest(url=url, settings=settings))
        await engine.aclose()  # the relay's connections end before it stops
    assert response.status_code == 200
    assert relay.seen == [f"{host}:{port}"]  # socks5h: the proxy resolves the name


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (b"407 Proxy Authentication Required", "asks for credentials (407 Proxy Authentication"),
        (b"502 Bad Gateway", "could not open a tunnel to 127.0.0.1:"),
    ],
)
async def test_a_tunnel_the_proxy_refuses_is_told(
    engine: RestEngine, closed_port: int, status: bytes, expected: str
) -> None:
    async with refusing_tunnel_proxy(status) as where:
        settings = _via(f"http://{where}")
        with pytest.raises(ProxyError) as caught:
            await engine.send(
                RestRequest(url=f"https://127.0.0.1:{closed_port}/", settings=settings)
            )
        await engine.aclose()
    assert f"The proxy {where} {expected}" in str(caught.value)


async def test_a_name_in_no_proxy_bypasses_its_subdomains_too(
    engine: RestEngine, proxy: tuple[ForwardProxy, str]
) -> None:
    """As NO_PROXY in curl, requests and httpx: ``example.invalid`` covers
    ``api.example.invalid``; sent direct, the name does not resolve (never the proxy)."""
    app, proxy_url = proxy
    before = len(app.seen)
    settings = _via(proxy_url, no_proxy="example.invalid")
    with pytest.raises(DnsError, match=r"api\.example\.invalid"):
        await engine.send(RestRequest(url="http://api.example.invalid/", settings=settings))
    assert len(app.seen) == before


@pytest.mark.parametrize(
    ("entry", "host", "bypassed"),
    [
        ("example.com", "example.com", True),
        ("example.com", "api.example.com", True),
        ("example.com", "badexample.com", False),
        (".example.com", "example.com", True),
        ("*.example.com", "a.b.example.com", True),
        ("example.com:8080", "api.example.com", False),
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "127.0.0.10", False),
        ("::1", "::1", True),
        ("[::1]:8080", "[::1]:8080", True),
        ("[::1]:8080", "[::1]:8081", False),
        ("example.com:8080", "api.example.com:8080", True),
    ],
)
def test_no_proxy_entries_match_as_no_proxy_does(entry: str, host: str, bypassed: bool) -> None:
    import httpx

    settings = _via("http://127.0.0.1:3128", no_proxy=entry)
    patterns = proxy_key(settings).bypass
    shown = f"[{host}]" if host.count(":") > 1 and "[" not in host else host
    with httpx.Client(proxy="http://127.0.0.1:3128", mounts=dict.fromkeys(patterns)) as client:
        transport = client._transport_for_url(httpx.URL(f"http://{shown}/"))
        assert (transport is client._transport) is bypassed


async def test_an_unresolvable_idn_host_without_proxy_is_a_dns_error(engine: RestEngine) -> None:
    """httpcore connects to the punycode name: that is no proxy in the path."""
    settings = RequestSettings(proxy="none")
    with pytest.raises(DnsError):
        await engine.send(RestRequest(url="http://bücher.invalid/", settings=settings))


@pytest.mark.parametrize(
    ("proxy_url", "expected"),
    [
        ("http://alice:s3cret@127.0.0.1:99999", "'http://127.0.0.1:99999' (request settings) is"),
        ("ftp://alice:s3cret@127.0.0.1:21", "'ftp://127.0.0.1:21' (request settings) uses"),
        ("alice:s3cret@127.0.0.1:99999", "'http://127.0.0.1:99999' (request settings) is"),
    ],
)
async def test_proxy_credentials_never_show_in_a_message(
    rest_url: str, proxy_url: str, expected: str
) -> None:
    engine = RestEngine()
    try:
        with pytest.raises(RequestBuildError) as caught:
            await engine.send(RestRequest(url=f"{rest_url}/echo", settings=_via(proxy_url)))
    finally:
        await engine.aclose()
    assert expected in str(caught.value)
    assert "s3cret" not in str(caught.value) and "alice" not in str(caught.value)


@pytest.fixture(scope="module")
def proxy_certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("proxy-certs"))


@pytest.fixture(scope="module")
def https_proxy(proxy_certs: Certs) -> Iterator[tuple[ForwardProxy, str]]:
    """A forward proxy that speaks HTTPS itself, with a certificate of the test CA."""
    app = ForwardProxy()
    with uvicorn_on_thread(
        app, ssl_certfile=proxy_certs.server_cert, ssl_keyfile=proxy_certs.server_key
    ) as port:
        yield app, f"https://127.0.0.1:{port}"


async def test_an_https_proxy_is_checked_with_the_request_ca_file(
    engine: RestEngine,
    https_proxy: tuple[ForwardProxy, str],
    proxy_certs: Certs,
    rest_url: str,
) -> None:
    app, proxy_url = https_proxy
    url = f"{rest_url}/echo?via=https-proxy"
    settings = _via(proxy_url, ca_file=proxy_certs.ca_file)
    response = await engine.send(RestRequest(url=url, settings=settings))
    assert response.status_code == 200
    assert app.seen[-1] == f"GET {url}"
    unchecked = _via(proxy_url).model_copy(update={"verify_tls": False})
    assert (await engine.send(RestRequest(url=url, settings=unchecked))).status_code == 200
    with pytest.raises(ProxyError) as caught:
        await engine.send(RestRequest(url=url, settings=_via(proxy_url)))
    where = proxy_url.removeprefix("https://")
    assert str(caught.value).startswith(f"The TLS handshake with the proxy {where} failed")
    assert "(unable to get local issuer certificate)" in str(caught.value)
    assert caught.value.proxy == where
