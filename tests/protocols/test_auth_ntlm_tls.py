"""NTLM over HTTPS carries RFC 5929's channel binding (a hash of the server's
certificate): a server with Extended Protection that expects it accepts the handshake,
and one that expects another binding refuses it (so the binding is really sent)."""

from __future__ import annotations

import base64
import hashlib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spnego
import trustme
from connection_servers import uvicorn_on_thread
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError
from starlette.types import Receive, Scope, Send

from apiclient.core.models import Auth, RequestSettings, RestRequest
from apiclient.protocols.auth_errors import AuthHandshakeError
from apiclient.protocols.auth_ntlm import tls_server_end_point
from apiclient.protocols.rest import RestEngine

NTLM = Auth(kind="ntlm", domain="DEMO", username="demo", password="demo-password")


class _NtlmServer:
    """An ASGI app requiring NTLM with the channel binding in ``expected``."""

    def __init__(self) -> None:
        self.expected = b""
        self._handshakes: dict[Any, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        header = dict(scope["headers"]).get(b"authorization", b"").decode()
        token = base64.b64decode(header.partition(" ")[2] or "")
        status, challenge = 401, "NTLM"
        try:
            if token[8:12] == b"\x01\x00\x00\x00":
                context = spnego.server(protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)
                challenge = f"NTLM {base64.b64encode(context.step(token) or b'').decode()}"
                self._handshakes[scope["client"]] = context
            elif scope["client"] in self._handshakes:
                context = self._handshakes.pop(scope["client"])
                bindings = GssChannelBindings(application_data=self.expected)
                context.step(token, channel_bindings=bindings)
                status = 200
        except SpnegoError:
            pass
        headers = [(b"www-authenticate", challenge.encode())] if status == 401 else []
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok" if status == 200 else b""})


@pytest.fixture(scope="module")
def ntlm_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, bytes, _NtlmServer]]:
    """(URL, the certificate's DER, the app) of an NTLM server on 127.0.0.1 over TLS."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    folder: Path = tmp_path_factory.mktemp("ntlm-tls")
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    cert.private_key_pem.write_to_path(key_file)
    cert.cert_chain_pems[0].write_to_path(cert_file)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    app = _NtlmServer()
    with uvicorn_on_thread(app, ssl_keyfile=str(key_file), ssl_certfile=str(cert_file)) as port:
        yield f"https://127.0.0.1:{port}/", der, app


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test server's acceptor reads its users from NTLM_USER_FILE."""
    path = tmp_path / "ntlm-users"
    path.write_text("DEMO:demo:demo-password\n", encoding="utf-8")
    monkeypatch.setenv("NTLM_USER_FILE", str(path))


def test_the_binding_is_the_sha256_of_a_sha256_signed_certificate() -> None:
    der = ssl.PEM_cert_to_DER_cert(
        trustme.CA().issue_cert("a.test").cert_chain_pems[0].bytes().decode()
    )
    assert tls_server_end_point(der) == b"tls-server-end-point:" + hashlib.sha256(der).digest()


@pytest.mark.usefixtures("users")
async def test_ntlm_over_tls_sends_the_servers_certificate_binding(
    engine: RestEngine, ntlm_tls: tuple[str, bytes, _NtlmServer]
) -> None:
    url, der, app = ntlm_tls
    request = RestRequest(url=url, auth=NTLM, settings=RequestSettings(verify_tls=False))
    app.expected = b"tls-server-end-point:" + hashlib.sha256(der).digest()
    assert (await engine.send(request)).status_code == 200
    app.expected = b"tls-server-end-point:" + hashlib.sha256(b"another certificate").digest()
    with pytest.raises(AuthHandshakeError, match="refused the NTLM credentials"):
        await engine.send(request)
