"""TLS connection settings against local servers with a trustme CA: a CA file, client
certificates per host (PEM pair and PKCS#12) on a server that requires one, HTTP/2."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from connection_servers import Certs, hello, hypercorn_h2, make_certs, uvicorn_on_thread
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_pem_x509_certificate

from apiclient.core.models import (
    ClientCertificate,
    ClientTls,
    GrpcRequest,
    RequestSettings,
    RestRequest,
)
from apiclient.protocols import connection_tls, http
from apiclient.protocols.connection_tls import choose_certificate
from apiclient.protocols.errors import ClientCertificateError, RequestBuildError, TlsError
from apiclient.protocols.grpc_channel import channel_key, open_channel
from apiclient.protocols.http import HttpClientPool, connection_key
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine
from apiclient.protocols.tls import client_ssl_context


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def mtls_url(certs: Certs) -> Iterator[str]:
    """An HTTPS server that requires a client certificate issued by the test CA."""
    with uvicorn_on_thread(
        hello,
        ssl_certfile=certs.server_cert,
        ssl_keyfile=certs.server_key,
        ssl_ca_certs=certs.ca_file,
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    ) as port:
        yield f"https://127.0.0.1:{port}"


@pytest.fixture(params=["async", "threaded"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[RestEngine]:
    made = RestEngine() if request.param == "async" else ThreadedRestEngine(workers=2)
    try:
        yield made
    finally:
        await made.aclose()


def _pfx(certs: Certs, password: bytes) -> str:
    key = serialization.load_pem_private_key(certs.client.private_key_pem.bytes(), None)
    cert = load_pem_x509_certificate(certs.client.cert_chain_pems[0].bytes())
    data = pkcs12.serialize_key_and_certificates(
        b"client",
        key,  # type: ignore[arg-type]
        cert,
        None,
        serialization.BestAvailableEncryption(password),
    )
    path = certs.folder / "client.p12"
    path.write_bytes(data)
    return str(path)


def _request(url: str, certs: Certs) -> RestRequest:
    return RestRequest(url=f"{url}/", settings=RequestSettings(ca_file=certs.ca_file))


async def test_without_a_client_certificate_the_handshake_fails_clearly(
    engine: RestEngine, mtls_url: str, certs: Certs
) -> None:
    with pytest.raises(TlsError) as caught:
        await engine.send(_request(mtls_url, certs))
    assert "client certificate" in caught.value.message
    assert "127.0.0.1" in caught.value.message


async def test_a_pem_client_certificate_for_the_host_is_presented(
    engine: RestEngine, mtls_url: str, certs: Certs
) -> None:
    engine.set_client_certificates(
        [
            ClientCertificate(host="other.example.com", pfx_file="/nowhere.p12"),
            ClientCertificate(
                host="127.0.0.1", cert_file=certs.client_cert, key_file=certs.client_key
            ),
        ]
    )
    response = await engine.send(_request(mtls_url, certs))
    assert response.status_code == 200
    assert response.text() == "hello over HTTP/1.1"


async def test_a_pkcs12_client_certificate_is_presented(
    engine: RestEngine, mtls_url: str, certs: Certs
) -> None:
    pfx = _pfx(certs, b"s3cret")
    host = f"127.0.0.1:{mtls_url.rsplit(':', 1)[1]}"
    engine.set_client_certificates(
        [ClientCertificate(host=host, pfx_file=pfx, passphrase="s3cret")]
    )
    response = await engine.send(_request(mtls_url, certs))
    assert response.status_code == 200


async def test_a_pkcs12_file_with_a_wrong_password_is_told_before_any_traffic(
    mtls_url: str, certs: Certs
) -> None:
    pfx = _pfx(certs, b"s3cret")
    engine = RestEngine()
    engine.set_client_certificates(
        [ClientCertificate(host="127.0.0.1", pfx_file=pfx, passphrase="wrong")]
    )
    try:
        with pytest.raises(ClientCertificateError) as caught:
            await engine.send(_request(mtls_url, certs))
    finally:
        await engine.aclose()
    assert f"The PKCS#12 file {pfx} could not be opened: wrong password?" in str(caught.value)


async def test_a_ca_file_that_is_not_a_certificate_is_told(mtls_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("hello, I am no certificate\n")
    engine = RestEngine()
    request = RestRequest(url=f"{mtls_url}/", settings=RequestSettings(ca_file=str(bad)))
    try:
        with pytest.raises(RequestBuildError) as caught:
            await engine.send(request)
        missing = request.model_copy(
            update={"settings": RequestSettings(ca_file=str(tmp_path / "missing.pem"))}
        )
        with pytest.raises(RequestBuildError) as not_there:
            await engine.send(missing)
    finally:
        await engine.aclose()
    assert f"The CA file {bad} holds no certificate" in str(caught.value)
    assert "missing.pem cannot be read" in str(not_there.value)


async def test_without_the_ca_file_the_test_certificate_does_not_verify(
    mtls_url: str, certs: Certs
) -> None:
    engine = RestEngine()
    engine.set_client_certificates(
        [
            ClientCertificate(
                host="127.0.0.1", cert_file=certs.client_cert, key_file=certs.client_key
            )
        ]
    )
    try:
        with pytest.raises(TlsError) as caught:
            await engine.send(RestRequest(url=f"{mtls_url}/"))
    finally:
        await engine.aclose()
    assert "could not be verified" in str(caught.value)


async def test_an_edited_ca_file_is_read_again(
    mtls_url: str, certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "KEY_TTL_S", 0.0)  # the file is looked at on every send
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(Path(certs.ca_file).read_bytes())
    engine = RestEngine()
    engine.set_client_certificates(
        [
            ClientCertificate(
                host="127.0.0.1", cert_file=certs.client_cert, key_file=certs.client_key
            )
        ]
    )
    request = RestRequest(url=f"{mtls_url}/", settings=RequestSettings(ca_file=str(ca_file)))
    try:
        assert (await engine.send(request)).status_code == 200
        ca_file.write_text("edited: no certificate any more\n")
        with pytest.raises(RequestBuildError, match="holds no certificate"):
            await engine.send(request)
    finally:
        await engine.aclose()


def test_the_certificate_for_a_host_prefers_exact_names_and_ports() -> None:
    exact = ClientCertificate(host="api.example.com", pfx_file="a.p12")
    with_port = ClientCertificate(host="api.example.com:8443", pfx_file="b.p12")
    wildcard = ClientCertificate(host="*.example.com", pfx_file="c.p12")
    off = ClientCertificate(host="api.example.com:443", pfx_file="d.p12", enabled=False)
    every = [wildcard, exact, with_port, off]
    assert choose_certificate(every, "api.example.com", 8443) is with_port
    assert choose_certificate(every, "api.example.com", 443) is exact
    assert choose_certificate(every, "API.example.com", 443) is exact
    assert choose_certificate(every, "www.example.com", 443) is wildcard
    assert choose_certificate(every, "example.com", 443) is None
    assert choose_certificate(every, "example.org", 443) is None


async def test_http2_to_an_h2_server(engine: RestEngine, certs: Certs) -> None:
    async with hypercorn_h2(certs) as url:
        settings = RequestSettings(ca_file=certs.ca_file, http2=True)
        response = await engine.send(RestRequest(url=f"{url}/", settings=settings))
        plain = await engine.send(
            RestRequest(url=f"{url}/", settings=RequestSettings(ca_file=certs.ca_file))
        )
        await engine.aclose()  # so the server stops at once, with no connection open
    assert response.http_version == "HTTP/2"
    assert response.text() == "hello over HTTP/2"
    assert plain.http_version == "HTTP/1.1"  # HTTP/2 only where the request asks for it


def _encrypted_key(certs: Certs, passphrase: bytes) -> str:
    key = serialization.load_pem_private_key(certs.client.private_key_pem.bytes(), None)
    path = certs.folder / "client-key-encrypted.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )
    return str(path)


async def test_an_encrypted_pem_key_takes_its_passphrase(mtls_url: str, certs: Certs) -> None:
    key_file = _encrypted_key(certs, b"pem-pass")
    engine = RestEngine()

    def use(passphrase: str) -> None:
        engine.set_client_certificates(
            [
                ClientCertificate(
                    host="127.0.0.1",
                    cert_file=certs.client_cert,
                    key_file=key_file,
                    passphrase=passphrase,
                )
            ]
        )

    try:
        use("pem-pass")
        assert (await engine.send(_request(mtls_url, certs))).status_code == 200
        use("not-it")
        with pytest.raises(ClientCertificateError) as wrong:
            await engine.send(_request(mtls_url, certs))
        engine.set_client_certificates(
            [
                ClientCertificate(
                    host="127.0.0.1", cert_file=certs.client_cert, key_file="/no/key.pem"
                )
            ]
        )
        with pytest.raises(ClientCertificateError) as missing:
            await engine.send(_request(mtls_url, certs))
    finally:
        await engine.aclose()
    assert "could not be loaded" in str(wrong.value) and "passphrase" in str(wrong.value)
    assert str(missing.value).startswith("The client key /no/key.pem cannot be read")
    assert missing.value.host == "127.0.0.1"


def _only_key(certs: Certs, key_file: str, passphrase: str = "") -> list[ClientCertificate]:
    return [
        ClientCertificate(
            host="127.0.0.1", cert_file=certs.client_cert, key_file=key_file, passphrase=passphrase
        )
    ]


async def test_an_encrypted_pem_key_without_its_passphrase_is_told_at_once(
    mtls_url: str, certs: Certs
) -> None:
    """OpenSSL asks on the terminal for the passphrase of an encrypted key loaded with
    none: the send would hang; it must fail at once, saying what to enter."""
    key_file = _encrypted_key(certs, b"pem-pass")
    engine = RestEngine()
    try:
        engine.set_client_certificates(_only_key(certs, key_file))
        with pytest.raises(ClientCertificateError) as empty:
            await asyncio.wait_for(engine.send(_request(mtls_url, certs)), 10)
        engine.set_client_certificates(_only_key(certs, key_file, "not-it"))
        with pytest.raises(ClientCertificateError) as wrong:
            await asyncio.wait_for(engine.send(_request(mtls_url, certs)), 10)
    finally:
        await engine.aclose()
    assert str(empty.value) == (
        f"The key {key_file} of the client certificate for 127.0.0.1 is encrypted: enter"
        " its passphrase in the collection's client certificates."
    )
    assert "could not be loaded: wrong passphrase?" in str(wrong.value)


def test_an_encrypted_key_in_websocket_and_grpc_tls_settings_is_refused(certs: Certs) -> None:
    """Those settings hold no passphrase: an encrypted key is told, never prompted for."""
    key_file = _encrypted_key(certs, b"pem-pass")
    tls = ClientTls(client_cert_file=certs.client_cert, client_key_file=key_file, verify=False)
    with pytest.raises(RequestBuildError) as caught:
        client_ssl_context(tls)
    assert f"The client key {key_file} is encrypted" in str(caught.value)


async def test_an_encrypted_key_for_a_grpc_channel_without_verification_is_refused(
    certs: Certs, closed_port: int
) -> None:
    key_file = _encrypted_key(certs, b"pem-pass")
    tls = ClientTls(client_cert_file=certs.client_cert, client_key_file=key_file, verify=False)
    request = GrpcRequest(target=f"127.0.0.1:{closed_port}", security="tls", tls=tls)
    with pytest.raises(RequestBuildError) as caught:
        await asyncio.wait_for(open_channel(channel_key(request)), 10)
    assert f"The client key {key_file} is encrypted" in str(caught.value)


async def test_a_missing_ca_file_does_not_stop_plain_http(rest_url: str) -> None:
    """The CA file (and client certificate) only serve TLS: checked for https:// URLs and
    https:// proxies only."""
    settings = RequestSettings(ca_file="/nowhere/ca.pem")
    missing = ClientCertificate(host="127.0.0.1", pfx_file="/nowhere/client.p12")
    plain = connection_key(settings, missing, "127.0.0.1", secure=False)
    assert plain.tls.ca_file is None and plain.tls.certificate is None
    with pytest.raises(RequestBuildError, match=r"The CA file /nowhere/ca\.pem cannot be read"):
        connection_key(settings, None, "127.0.0.1", secure=True)
    via_https_proxy = settings.model_copy(
        update={"proxy": "custom", "proxy_url": "https://127.0.0.1:3128"}
    )
    with pytest.raises(RequestBuildError, match=r"The CA file /nowhere/ca\.pem cannot be read"):
        connection_key(via_https_proxy, None, "127.0.0.1", secure=False)


def test_a_connection_key_with_files_is_reused_for_a_second(
    certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each send would otherwise stat every file and build nested keys (~30 us)."""
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(Path(certs.ca_file).read_bytes())
    certificate = ClientCertificate(
        host="127.0.0.1", cert_file=certs.client_cert, key_file=certs.client_key
    )
    settings = RequestSettings(ca_file=str(ca_file))
    first = connection_key(settings, certificate, "127.0.0.1")
    ca_file.unlink()  # within the time-to-live, not looked at again
    assert connection_key(settings, certificate, "127.0.0.1") is first
    monkeypatch.setattr(http, "KEY_TTL_S", 0.0)
    with pytest.raises(RequestBuildError, match="cannot be read"):
        connection_key(settings, certificate, "127.0.0.1")


async def test_the_pool_closes_the_idle_clients_of_settings_not_used_lately(
    rest_url: str,
) -> None:
    """Every CA file, certificate or proxy change makes a new key: the pool keeps idle
    clients for the most recent :data:`MAX_CONNECTION_KEYS` only, and SSL contexts are
    not kept without bound either."""
    pool = HttpClientPool()
    keys = [http.ConnectionKey(max_redirects=n) for n in range(http.MAX_CONNECTION_KEYS + 2)]
    clients = {}
    try:
        async with pool.lease(keys[0]) as first:
            assert (await first.get(f"{rest_url}/echo")).status_code == 200
            for key in keys[1:-1]:  # the last of these drops keys[0], which is lent
                async with pool.lease(key) as client:
                    clients[key] = client
            assert not first.is_closed
        assert first.is_closed  # its key was dropped while it was lent
        async with pool.lease(keys[-1]):
            pass  # drops keys[1], the least recently used, and closes its idle client
        assert clients[keys[1]].is_closed
        assert not clients[keys[2]].is_closed
    finally:
        await pool.aclose()
    assert connection_tls.ssl_context.cache_info().maxsize == connection_tls.SSL_CONTEXTS_KEPT
