"""A WSDL fetched the way its request is sent: auth (to its own origin only), CA file.

Real servers on 127.0.0.1 (uvicorn on a thread): one serves a WSDL and a schema only
with the right Basic credentials, and records what each request carried; a second one,
another origin, serves a schema the WSDL imports too.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from connection_servers import make_certs, uvicorn_on_thread
from starlette.types import Receive, Scope, Send
from wsdl_helpers import minimal_wsdl

from apiclient.core.models import Auth, RequestSettings
from apiclient.protocols import soap_wsdl_transport
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.soap_wsdl import WsdlFetchError, WsdlParseError, load_wsdl
from apiclient.protocols.soap_wsdl_http import WsdlHttp

pytestmark = pytest.mark.usefixtures("no_internet")

BASIC = Auth(kind="basic", username="demo", password="demo-password")
_GOOD = "Basic " + base64.b64encode(b"demo:demo-password").decode("ascii")
_SCHEMA = (
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:{name}">'
    '<xs:element name="E" type="xs:string"/></xs:schema>'
)


@dataclass
class Server:
    """What the test servers answer, and the Authorization each request carried."""

    other: str = ""  # the second server's base URL
    other_needs_auth: bool = False  # whether /other.xsd wants credentials too
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, authorization)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("ascii")
        path = scope["path"]
        self.seen.append((path, authorization))
        status, body = 404, b"not found"
        if path == "/slow":
            await asyncio.sleep(5)
        elif path == "/other.xsd" and not self.other_needs_auth:
            status, body = 200, _SCHEMA.format(name="other").encode()
        elif authorization != _GOOD:
            status, body = 401, b"credentials needed"
        elif path == "/svc":
            imports = (
                f'<xs:import namespace="urn:types" schemaLocation="{scope["scheme"]}://{host}/types.xsd"/>'
                f'<xs:import namespace="urn:other" schemaLocation="{self.other}/other.xsd"/>'
            )
            status, body = 200, minimal_wsdl(schema=imports).encode()
        elif path == "/types.xsd":
            status, body = 200, _SCHEMA.format(name="types").encode()
        extra = [(b"www-authenticate", b'Basic realm="wsdl"')] if status == 401 else []
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/xml"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    """The WSDL's server and its base URL; ``server.other`` is the other origin."""
    app = Server()
    # A fetch cancelled while /slow waits is not awaited by the server's shutdown.
    quick = {"timeout_graceful_shutdown": 1}
    with uvicorn_on_thread(app, **quick) as port, uvicorn_on_thread(app) as other_port:
        app.other = f"http://127.0.0.1:{other_port}"
        yield app, f"http://127.0.0.1:{port}"


@pytest.fixture
async def rest() -> Iterator[RestEngine]:
    engine = RestEngine()
    try:
        yield engine
    finally:
        await engine.aclose()


async def test_the_request_auth_loads_the_wsdl_and_its_same_origin_schema(
    server: tuple[Server, str], rest: RestEngine
) -> None:
    app, base = server
    wsdl = await load_wsdl(f"{base}/svc?wsdl", http=WsdlHttp(rest, BASIC, RequestSettings()))

    assert wsdl.documents == (
        f"{base}/svc?wsdl",
        f"{base}/types.xsd",
        f"{app.other}/other.xsd",
    )
    seen = dict(app.seen)
    assert seen["/svc"] == _GOOD
    assert seen["/types.xsd"] == _GOOD
    # Another origin never gets the credentials.
    assert seen["/other.xsd"] == ""


async def test_without_the_auth_the_401_is_told_with_what_to_do(
    server: tuple[Server, str], rest: RestEngine
) -> None:
    _, base = server
    http = WsdlHttp(rest, Auth(kind="none"), RequestSettings())
    with pytest.raises(WsdlFetchError) as caught:
        await load_wsdl(f"{base}/svc?wsdl", http=http)
    message = str(caught.value)
    assert f"Could not read the WSDL {base}/svc?wsdl: the server answered 401" in message
    assert "Auth tab" in message


async def test_a_wrong_password_is_refused_with_the_same_advice(
    server: tuple[Server, str], rest: RestEngine
) -> None:
    _, base = server
    wrong = BASIC.model_copy(update={"password": "nope"})
    with pytest.raises(WsdlFetchError, match=r"401.*check the credentials there"):
        await load_wsdl(f"{base}/svc?wsdl", http=WsdlHttp(rest, wrong, RequestSettings()))


async def test_cancelling_a_fetch_through_the_engine_returns_at_once(
    server: tuple[Server, str], rest: RestEngine
) -> None:
    app, base = server
    task = asyncio.create_task(
        load_wsdl(f"{base}/slow", http=WsdlHttp(rest, BASIC, RequestSettings()))
    )
    while not any(path == "/slow" for path, _ in app.seen):
        await asyncio.sleep(0.01)
    started = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - started < 1
    # The GET on the loop was cancelled too, so the loading thread ends now, not when
    # the server would have answered.
    while any(thread.name == "wsdl-load" for thread in threading.enumerate()):
        assert time.perf_counter() - started < 2
        await asyncio.sleep(0.02)


async def test_a_ca_file_in_the_settings_is_trusted_for_an_https_wsdl(
    tmp_path: Path, rest: RestEngine
) -> None:
    certs = make_certs(tmp_path)
    app = Server()
    options = {"ssl_certfile": certs.server_cert, "ssl_keyfile": certs.server_key}
    with uvicorn_on_thread(app, **options) as port, uvicorn_on_thread(app) as other_port:
        app.other = f"http://127.0.0.1:{other_port}"
        url = f"https://127.0.0.1:{port}/svc?wsdl"
        with pytest.raises(WsdlFetchError, match="certificate"):
            await load_wsdl(url, http=WsdlHttp(rest, BASIC, RequestSettings()))
        trusted = RequestSettings(ca_file=certs.ca_file)
        wsdl = await load_wsdl(url, http=WsdlHttp(rest, BASIC, trusted))
        await rest.aclose()  # else the server's shutdown waits for the idle TLS connection
    assert wsdl.documents[0] == url


async def test_a_challenge_kind_digest_is_answered_for_the_wsdl(
    rest_url: str, rest: RestEngine
) -> None:
    # The mock answers JSON, not a WSDL: getting that far means the digest was accepted.
    url = f"{rest_url}/digest-auth/auth/demo/demo-password"
    digest = Auth(kind="digest", username="demo", password="demo-password")
    with pytest.raises(WsdlParseError, match=r"is JSON \(or text\), not XML"):
        await load_wsdl(url, http=WsdlHttp(rest, digest, RequestSettings()))
    with pytest.raises(WsdlFetchError, match="401"):
        await load_wsdl(url, http=WsdlHttp(rest, Auth(kind="none"), RequestSettings()))


async def test_the_request_proxy_is_used_for_the_wsdl(
    server: tuple[Server, str], rest: RestEngine, closed_port: int
) -> None:
    _, base = server
    unreachable = RequestSettings(proxy="custom", proxy_url=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(WsdlFetchError, match="proxy") as caught:
        await load_wsdl(f"{base}/svc?wsdl", http=WsdlHttp(rest, BASIC, unreachable))
    assert str(closed_port) in str(caught.value)


async def test_a_document_too_large_is_stopped_through_the_engine_too(
    server: tuple[Server, str], rest: RestEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base = server
    monkeypatch.setattr(soap_wsdl_transport, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(WsdlFetchError, match="larger than"):
        await load_wsdl(f"{base}/svc?wsdl", http=WsdlHttp(rest, BASIC, RequestSettings()))


async def test_an_import_on_another_server_that_wants_credentials_says_so(
    server: tuple[Server, str], rest: RestEngine
) -> None:
    app, base = server
    app.other_needs_auth = True
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(f"{base}/svc?wsdl", http=WsdlHttp(rest, BASIC, RequestSettings()))
    message = str(caught.value)
    assert f"Could not load {app.other}/other.xsd" in message
    assert "401" in message
    assert "credentials were not sent to it" in message
