"""Credentials stay with their origin across redirects, in both REST engines: the
headers the auth added (an API key header, AWS's session token and date, Basic's
Authorization) and the client certificate chosen for the first host go to the same
origin only; a hop to another origin gets none of them (and its own certificate). Also
that a connection NTLM authenticated serves no later send.

The servers are small HTTP/1.1 servers in the test's loop (plain or TLS with an optional
client certificate) that record what each request carried.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from connection_servers import Certs, make_certs
from websockets.exceptions import InvalidStatus

from apiclient.core.models import (
    Auth,
    Body,
    ClientCertificate,
    RequestSettings,
    RestRequest,
    WebsocketRequest,
)
from apiclient.protocols.errors import WebsocketError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.websocket_handshake import OriginBoundConnect, handshake_target

both_engines = pytest.mark.parametrize("engine", ["async", "threaded"], indirect=True)

APIKEY = Auth(kind="apikey", key_name="X-Api-Key", key_value="key-123", key_in="header")
AWS = Auth(
    kind="awsv4",
    access_key="AKIDEXAMPLE",
    secret_key="secret",
    session_token="session-1",
    region="us-east-1",
    service="demo",
)
BASIC = Auth(kind="basic", username="demo", password="demo-password")
CREDENTIALS = {
    "apikey": (APIKEY, ("x-api-key",)),
    "aws": (AWS, ("authorization", "x-amz-security-token", "x-amz-date")),
    "basic": (BASIC, ("authorization",)),
}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    peer_certificate: bool


@dataclass
class Recorder:
    """Answers ``/to?url=U&status=N`` with a redirect to U, anything else with 200;
    records each request (``Connection: close`` every time, so each is a handshake)."""

    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ssl.SSLError):
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, target, _ = head[0].split(" ")
            headers = {}
            for line in head[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            peer = writer.get_extra_info("peercert")
            self.seen.append(Seen(method, target, headers, body, bool(peer)))
            parts = urlsplit(target)
            if parts.path == "/to":
                query = parse_qs(parts.query)
                status = query["status"][0]
                extra = f"Location: {query['url'][0]}\r\n"
            else:
                status, extra = "200", ""
            writer.write(
                f"HTTP/1.1 {status} X\r\n{extra}Content-Length: 2\r\n"
                "Connection: close\r\n\r\nok".encode("latin-1")
            )
            await writer.drain()
        writer.close()

    @contextlib.asynccontextmanager
    async def serving(self, tls: ssl.SSLContext | None = None) -> AsyncIterator[Recorder]:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=tls)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            yield self
        finally:
            server.close()


def redirect(start: Recorder, target: str, status: int = 302) -> str:
    return f"{start.url}/to?{urlencode({'url': target, 'status': status})}"


@pytest.fixture
async def two_origins() -> AsyncIterator[tuple[Recorder, Recorder]]:
    async with Recorder().serving() as first, Recorder().serving() as second:
        yield first, second


@both_engines
@pytest.mark.parametrize("keep_method", [True, False], ids=["keep-method", "browser-like"])
@pytest.mark.parametrize("kind", list(CREDENTIALS))
async def test_auth_headers_do_not_follow_a_redirect_to_another_origin(
    engine: RestEngine, two_origins: tuple[Recorder, Recorder], kind: str, keep_method: bool
) -> None:
    first, second = two_origins
    auth, names = CREDENTIALS[kind]
    request = RestRequest(
        method="POST",
        url=redirect(first, f"{second.url}/landing"),
        auth=auth,
        body=Body(mode="raw", raw="payload"),
        settings=RequestSettings(keep_method=keep_method),
    )
    response = await engine.send(request)
    assert response.status_code == 200
    assert response.redirects == ((302, request.url),)
    (sent,) = first.seen
    (landed,) = second.seen
    for name in names:
        assert name in sent.headers
        assert name not in landed.headers, name
    assert landed.method == ("POST" if keep_method else "GET")
    assert landed.body == (b"payload" if keep_method else b"")


@both_engines
@pytest.mark.parametrize("keep_method", [True, False], ids=["keep-method", "browser-like"])
@pytest.mark.parametrize("kind", list(CREDENTIALS))
async def test_auth_headers_stay_on_a_redirect_within_the_origin(
    engine: RestEngine, two_origins: tuple[Recorder, Recorder], kind: str, keep_method: bool
) -> None:
    first, _ = two_origins
    auth, names = CREDENTIALS[kind]
    request = RestRequest(
        url=redirect(first, f"{first.url}/landing", status=307),
        auth=auth,
        settings=RequestSettings(keep_method=keep_method),
    )
    assert (await engine.send(request)).status_code == 200
    sent, landed = first.seen
    assert landed.path == "/landing"
    for name in names:
        assert landed.headers[name] == sent.headers[name]


@both_engines
async def test_back_on_the_first_origin_after_another_the_credentials_stay_dropped(
    engine: RestEngine, two_origins: tuple[Recorder, Recorder]
) -> None:
    first, second = two_origins
    back = redirect(second, f"{first.url}/landing")
    await engine.send(RestRequest(url=redirect(first, back), auth=APIKEY))
    assert [s.path for s in first.seen][1] == "/landing"
    assert "x-api-key" not in second.seen[0].headers
    assert "x-api-key" not in first.seen[1].headers


# --- client certificates ----------------------------------------------------------------


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("redirect-certs"))


def _server_tls(certs: Certs) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.server_cert, certs.server_key)
    context.load_verify_locations(certs.ca_file)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


@pytest.fixture
async def two_tls_origins(certs: Certs) -> AsyncIterator[tuple[Recorder, Recorder]]:
    tls = _server_tls(certs)
    async with Recorder().serving(tls) as first, Recorder().serving(tls) as second:
        yield first, second


def _certificate_for(origin: Recorder, certs: Certs) -> ClientCertificate:
    return ClientCertificate(
        host=urlsplit(origin.url).netloc, cert_file=certs.client_cert, key_file=certs.client_key
    )


@both_engines
@pytest.mark.parametrize("keep_method", [True, False], ids=["keep-method", "browser-like"])
async def test_the_first_hosts_client_certificate_is_not_presented_to_another_origin(
    engine: RestEngine,
    two_tls_origins: tuple[Recorder, Recorder],
    certs: Certs,
    keep_method: bool,
) -> None:
    first, second = two_tls_origins
    engine.set_client_certificates([_certificate_for(first, certs)])
    settings = RequestSettings(ca_file=certs.ca_file, keep_method=keep_method)
    request = RestRequest(url=redirect(first, f"{second.url}/landing"), settings=settings)
    assert (await engine.send(request)).status_code == 200
    assert [s.peer_certificate for s in (*first.seen, *second.seen)] == [True, False]


@both_engines
async def test_a_redirect_target_gets_its_own_client_certificate(
    engine: RestEngine, two_tls_origins: tuple[Recorder, Recorder], certs: Certs
) -> None:
    first, second = two_tls_origins
    engine.set_client_certificates([_certificate_for(second, certs)])
    settings = RequestSettings(ca_file=certs.ca_file)
    request = RestRequest(url=redirect(first, f"{second.url}/landing"), settings=settings)
    assert (await engine.send(request)).status_code == 200
    assert [s.peer_certificate for s in (*first.seen, *second.seen)] == [False, True]


@both_engines
async def test_a_redirect_within_the_origin_presents_the_certificate_again(
    engine: RestEngine, two_tls_origins: tuple[Recorder, Recorder], certs: Certs
) -> None:
    first, _ = two_tls_origins
    engine.set_client_certificates([_certificate_for(first, certs)])
    settings = RequestSettings(ca_file=certs.ca_file)
    request = RestRequest(url=redirect(first, f"{first.url}/landing"), settings=settings)
    assert (await engine.send(request)).status_code == 200
    assert [s.peer_certificate for s in first.seen] == [True, True]


# --- NTLM -------------------------------------------------------------------------------


@both_engines
async def test_a_connection_ntlm_authenticated_is_not_reused(
    engine: RestEngine, rest_url: str
) -> None:
    ntlm = Auth(kind="ntlm", domain="DEMO", username="demo", password="demo-password")
    url = f"{rest_url}/auth/ntlm"
    assert (await engine.send(RestRequest(url=url, auth=ntlm))).status_code == 200
    later = await engine.send(RestRequest(url=url))
    assert later.status_code == 401
    assert not later.timings.reused_connection
    again = await engine.send(RestRequest(url=url))
    assert again.timings.reused_connection  # connections without NTLM stay warm


# --- WebSocket handshakes ---------------------------------------------------------------


async def _open(url: str, auth: Auth) -> None:
    target = await handshake_target(WebsocketRequest(url=url, auth=auth))
    connection = await OriginBoundConnect(
        target.url,
        additional_headers=list(target.headers),
        credential_headers=target.credential_headers,
        open_timeout=5,
    )
    await connection.close()


@pytest.mark.parametrize("auth", [APIKEY, BASIC], ids=["apikey", "basic"])
async def test_a_websocket_handshake_with_credentials_refuses_another_origin(
    two_origins: tuple[Recorder, Recorder], auth: Auth
) -> None:
    first, second = two_origins
    landing = second.url.replace("http", "ws") + "/landing"
    start = redirect(first, landing).replace("http", "ws", 1)
    with pytest.raises(WebsocketError) as caught:
        await _open(start, auth)
    assert str(caught.value) == (
        f"The server redirected the WebSocket handshake to another host {landing}; apiclient"
        " does not send your credentials there. Use that address directly."
    )
    assert len(first.seen) == 1
    assert second.seen == []


async def test_a_websocket_redirect_within_the_origin_keeps_the_api_key(
    two_origins: tuple[Recorder, Recorder],
) -> None:
    first, _ = two_origins
    start = redirect(first, first.url.replace("http", "ws") + "/landing").replace("http", "ws", 1)
    with pytest.raises(InvalidStatus):  # the recorder answers 200: no WebSocket
        await _open(start, APIKEY)
    sent, landed = first.seen
    assert landed.path == "/landing"
    assert landed.headers["x-api-key"] == sent.headers["x-api-key"] == "key-123"


async def test_a_websocket_without_credentials_follows_another_origin(
    two_origins: tuple[Recorder, Recorder],
) -> None:
    first, second = two_origins
    start = redirect(first, second.url.replace("http", "ws") + "/landing").replace("http", "ws", 1)
    with pytest.raises(InvalidStatus):
        await _open(start, Auth(kind="none"))
    assert [s.path for s in second.seen] == ["/landing"]
