"""Fixtures for engine tests: the real mock servers, a TLS server, a closed port, and
for the WSDL tests a network without the internet, the shared corpus and loaded WSDLs."""

from __future__ import annotations

import gc
import socket
import ssl
import threading
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme
import uvicorn
from starlette.types import Receive, Scope, Send
from webhook_helpers import Receivers
from wsdl_helpers import CORPUS, FILES, RPC_AND_PARTS

from apiclient.core.models import GraphqlRequest
from apiclient.protocols.graphql import GraphqlEngine
from apiclient.protocols.graphql_schema import LoadedSchema
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine
from apiclient.protocols.soap import SoapEngine
from apiclient.protocols.soap_wsdl import LoadedWsdl, load_wsdl


@pytest.fixture
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[RestEngine]:
    """A fresh engine per test: its clients belong to the test's event loop. The window's
    engine, or the runner's where a module parametrizes ``engine`` (indirect) with
    ``"threaded"``."""
    kind = getattr(request, "param", "async")
    rest_engine = RestEngine() if kind == "async" else ThreadedRestEngine(workers=4)
    try:
        yield rest_engine
    finally:
        await rest_engine.aclose()


@pytest.fixture
async def soap() -> AsyncIterator[SoapEngine]:
    """A fresh SOAP engine (with its own REST engine) per test."""
    soap_engine = SoapEngine()
    try:
        yield soap_engine
    finally:
        await soap_engine.aclose()


@pytest.fixture
def closed_port() -> int:
    """A port that was just free on 127.0.0.1, so connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello over tls"})


@pytest.fixture(scope="session")
def tls_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate no system store trusts."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    folder: Path = tmp_path_factory.mktemp("tls")
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    cert.private_key_pem.write_to_path(key_file)
    cert.cert_chain_pems[0].write_to_path(cert_file)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        _hello,
        http="h11",
        ws="none",
        lifespan="off",
        log_config=None,
        log_level="error",
        access_log=False,
        ssl_keyfile=str(key_file),
        ssl_certfile=str(cert_file),
        ssl_cert_reqs=ssl.CERT_NONE,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The TLS test server did not start.")
        time.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# -- WSDLs -------------------------------------------------------------------------------


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """Send anything not local to a proxy that refuses: no test may reach the internet."""
    proxy = f"http://127.0.0.1:{closed_port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real-world WSDLs (the test is skipped without it)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared WSDL corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture
async def hospital() -> LoadedWsdl:
    """The test service: SOAP 1.1 and 1.2 ports, an imported XSD, enumerations, a choice."""
    return await load_wsdl(str(FILES / "hospital.wsdl"))


@pytest.fixture
async def assorted(tmp_path: Path) -> LoadedWsdl:
    """rpc/literal, a document message with two parts, a huge message, 30 enum values."""
    countries = "".join(f'<xs:enumeration value="C{i:02}"/>' for i in range(30))
    wide = "".join(f'<xs:element name="R{i}" type="tns:Row"/>' for i in range(60))
    row = "".join(f'<xs:element name="V{i}" type="xs:string"/>' for i in range(60))
    path = tmp_path / "assorted.wsdl"
    path.write_text(RPC_AND_PARTS.format(countries=countries, wide=wide, row=row))
    return await load_wsdl(str(path))


@pytest.fixture(scope="module")
def graphql_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["graphql"]


@pytest.fixture
async def gql() -> AsyncIterator[GraphqlEngine]:
    """A fresh GraphQL engine per test: its clients belong to the test's event loop."""
    graphql_engine = GraphqlEngine()
    try:
        yield graphql_engine
    finally:
        await graphql_engine.aclose()


@pytest.fixture
async def schema(gql: GraphqlEngine, graphql_url: str) -> LoadedSchema:
    """The GraphQL mock's schema, by introspection."""
    return await gql.introspect(GraphqlRequest(url=f"{graphql_url}/graphql"))


# -- WebSocket ---------------------------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections (into the kernel's backlog) but
    never answers a byte, so a handshake there waits for its timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


@pytest.fixture
def no_leaked_sockets() -> Iterator[None]:
    """Fail a test that leaves a socket or transport open. Their ResourceWarning comes
    from a finaliser, where pytest would only report it as unraisable (ignored here)."""
    yield
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, leaks


@pytest.fixture
async def receivers(tmp_path: Path) -> AsyncIterator[Receivers]:
    """Webhook receivers a test starts, each on its own inbox; stopped (and checked to
    leave no thread behind) after the test."""
    made = Receivers(tmp_path)
    try:
        yield made
    finally:
        await made.close()
