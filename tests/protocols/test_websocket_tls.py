"""wss:// against the WebSocket mock served with a trustme certificate: the CA file,
verification off, a wrong CA, the server name, client certificates, missing files."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from websocket_helpers import opened, run_to_end

from apiclient.core.models import ClientTls, WsMessage
from apiclient.protocols.websocket import RequestBuildError, TlsError, WebsocketError
from mock_servers.websocket import start_websocket_mock

pytestmark = pytest.mark.usefixtures("no_leaked_sockets")


@dataclass(frozen=True)
class Certs:
    ca: trustme.CA
    server: trustme.LeafCert
    ca_file: str
    other_ca_file: str
    client_cert: str
    client_key: str


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    folder: Path = tmp_path_factory.mktemp("wss")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "ws.test")
    client = ca.issue_cert("client@apiclient.test")
    ca.cert_pem.write_to_path(folder / "ca.pem")
    trustme.CA().cert_pem.write_to_path(folder / "other-ca.pem")
    client.cert_chain_pems[0].write_to_path(folder / "client.pem")
    client.private_key_pem.write_to_path(folder / "client.key")
    return Certs(
        ca,
        server,
        str(folder / "ca.pem"),
        str(folder / "other-ca.pem"),
        str(folder / "client.pem"),
        str(folder / "client.key"),
    )


async def _serve(certs: Certs, *, client_certs: bool) -> AsyncIterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certs.server.configure_cert(context)
    if client_certs:
        certs.ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    server = await start_websocket_mock("127.0.0.1", 0, ssl=context)
    try:
        yield f"wss://127.0.0.1:{server.port}"
    finally:
        await server.stop()


@pytest.fixture
async def wss_url(certs: Certs) -> AsyncIterator[str]:
    """The WebSocket mock over TLS, with a certificate for 127.0.0.1 and ws.test."""
    async for url in _serve(certs, client_certs=False):
        yield url


@pytest.fixture
async def mutual_wss_url(certs: Certs) -> AsyncIterator[str]:
    """The same, asking every client for a certificate signed by the test CA."""
    async for url in _serve(certs, client_certs=True):
        yield url


async def test_verified_with_the_ca_file(wss_url: str, certs: Certs) -> None:
    tls = ClientTls(ca_file=certs.ca_file)
    async with opened(f"{wss_url}/echo", tls=tls) as (session, probe, _):
        await session.send(WsMessage(body="secret"))
        await probe.until(lambda: probe.received() == ["secret"], "the echo")


async def test_verification_off_accepts_an_unknown_certificate(wss_url: str) -> None:
    async with opened(f"{wss_url}/echo", tls=ClientTls(verify=False)) as (session, _, _task):
        assert session.status.phase == "open"


@pytest.mark.parametrize("ca", ["system", "other"])
async def test_an_untrusted_certificate_is_a_tls_error(wss_url: str, certs: Certs, ca: str) -> None:
    tls = ClientTls(ca_file=certs.other_ca_file) if ca == "other" else ClientTls()
    final, _ = await run_to_end(f"{wss_url}/echo", tls=tls)
    assert isinstance(final.error, TlsError)
    assert "could not be verified" in str(final.error)
    assert "Set the CA file that signed it" in str(final.error)


async def test_the_server_name_is_what_the_certificate_is_checked_against(
    wss_url: str, certs: Certs
) -> None:
    tls = ClientTls(ca_file=certs.ca_file, server_name="ws.test")
    async with opened(f"{wss_url}/echo", tls=tls) as (session, _, _task):
        assert session.status.phase == "open"
    wrong = ClientTls(ca_file=certs.ca_file, server_name="elsewhere.test")
    final, _ = await run_to_end(f"{wss_url}/echo", tls=wrong)
    assert isinstance(final.error, TlsError)
    assert "Set the TLS server name" in str(final.error)


async def test_a_client_certificate_is_presented(mutual_wss_url: str, certs: Certs) -> None:
    tls = ClientTls(
        ca_file=certs.ca_file, client_cert_file=certs.client_cert, client_key_file=certs.client_key
    )
    async with opened(f"{mutual_wss_url}/echo", tls=tls) as (session, probe, _):
        await session.send(WsMessage(body="mutual"))
        await probe.until(lambda: probe.received() == ["mutual"], "the echo")


async def test_a_missing_client_certificate_is_named(mutual_wss_url: str, certs: Certs) -> None:
    final, _ = await run_to_end(f"{mutual_wss_url}/echo", tls=ClientTls(ca_file=certs.ca_file))
    assert isinstance(final.error, WebsocketError)
    assert "If it asks for a client certificate, set one in the TLS settings" in str(final.error)


async def test_wss_to_a_plain_server_is_a_tls_error(websocket_url: str) -> None:
    final, _ = await run_to_end(websocket_url.replace("ws://", "wss://") + "/echo")
    assert isinstance(final.error, TlsError)
    assert "It may not speak TLS on this port" in str(final.error)


async def test_ws_to_a_tls_server_says_to_use_wss(wss_url: str) -> None:
    final, _ = await run_to_end(wss_url.replace("wss://", "ws://") + "/echo")
    assert isinstance(final.error, WebsocketError)
    assert "if the server expects TLS, use wss://" in str(final.error)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"ca_file": "/no/such/ca.pem"}, "The CA file /no/such/ca.pem cannot be read"),
        ({"client_cert_file": "CERT"}, "A client certificate needs its key"),
        (
            {"client_cert_file": "CERT", "client_key_file": "/no/such/key.pem"},
            "The client key /no/such/key.pem cannot be read",
        ),
        ({"ca_file": "KEY"}, "holds no usable certificate"),
        ({"client_cert_file": "CERT", "client_key_file": "CA"}, "could not be loaded"),
    ],
)
async def test_tls_files_are_checked_before_any_traffic(
    wss_url: str, certs: Certs, fields: dict[str, str], expected: str
) -> None:
    names = {"CERT": certs.client_cert, "KEY": certs.client_key, "CA": certs.ca_file}
    tls = ClientTls(**{key: names.get(value, value) for key, value in fields.items()})
    final, probe = await run_to_end(f"{wss_url}/echo", tls=tls)
    assert isinstance(final.error, RequestBuildError)
    assert expected in str(final.error)
    assert probe.phases == ["connecting", "closed"]
