"""Discovering a gRPC server's services by reflection, and every way reaching a server
can fail: no reflection, unreachable, stuck, TLS in all its mismatches."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import trustme
from grpc_reflection.v1alpha import reflection

from apiclient.core.models import ClientTls, GrpcRequest
from apiclient.core.paths import resources_dir
from apiclient.protocols.errors import ConnectError, GrpcDiscoveryError, RequestBuildError, TlsError
from apiclient.protocols.grpc import GrpcEngine
from apiclient.protocols.grpc_catalog import load_proto_files, reflect
from mock_servers.grpc_generated import tracks_pb2_grpc
from mock_servers.grpc_server import start_grpc_mock
from mock_servers.grpc_service import SERVICE_NAME, TrackService
from mock_servers.serving import RunningServer

GET_TRACK = "/mock.tracks.v1.TrackService/GetTrack"
FILES = Path(__file__).parent / "grpc_files"


@pytest.fixture(scope="module")
def grpc_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["grpc"]


@pytest.fixture
async def grpc_engine() -> AsyncIterator[GrpcEngine]:
    engine = GrpcEngine()
    try:
        yield engine
    finally:
        await engine.aclose()


async def _started(server: RunningServer) -> AsyncIterator[str]:
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop()


@pytest.fixture
async def no_reflection() -> AsyncIterator[str]:
    """The mock without its reflection services."""
    async for target in _started(await start_grpc_mock("127.0.0.1", 0, reflection=False)):
        yield target


@pytest.fixture
async def v1alpha_only() -> AsyncIterator[str]:
    """TrackService with grpcio-reflection's own servicer: v1alpha only, no comments."""
    server = grpc.aio.server()
    tracks_pb2_grpc.add_TrackServiceServicer_to_server(TrackService(), server)
    reflection.enable_server_reflection([SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


@pytest.fixture
def silent() -> Iterator[str]:
    """A port that accepts TCP connections and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
async def stuck() -> AsyncIterator[str]:
    """A gRPC server whose reflection service never answers."""

    async def never(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> None:
        await asyncio.sleep(30)

    handler = grpc.stream_stream_rpc_method_handler(never)
    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "grpc.reflection.v1.ServerReflection", {"ServerReflectionInfo": handler}
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


# --- reflection -------------------------------------------------------------------------


async def test_reflection_lists_the_services_with_their_comments(grpc_url: str) -> None:
    catalog = await reflect(GrpcRequest(target=grpc_url))
    port = grpc_url.rsplit(":", 1)[1]
    assert catalog.source == f"reflection (v1) of 127.0.0.1:{port}"
    # In the server's order; health is kept (checking it is a useful call), the
    # reflection services themselves are left out.
    assert [service.name for service in catalog.services] == [
        "grpc.health.v1.Health",
        "mock.tracks.v1.TrackService",
    ]
    assert catalog.problems == ()
    tracks = catalog.services[1]
    assert tracks.description.startswith("Look up, list, record and jam about tracks.")
    kinds = [(method.name, method.kind) for method in tracks.methods]
    assert kinds == [
        ("GetTrack", "unary"),
        ("ListTracks", "server_streaming"),
        ("RecordPlays", "client_streaming"),
        ("Jam", "bidi_streaming"),
    ]
    get = catalog.method(GET_TRACK)
    assert get is not None and get.description.startswith("Fetch one track by id")
    assert (get.input_type, get.output_type) == (
        "mock.tracks.v1.GetTrackRequest",
        "mock.tracks.v1.Track",
    )


async def test_a_reflected_catalog_gives_templates_and_notes(grpc_url: str) -> None:
    catalog = await reflect(GrpcRequest(target=grpc_url))
    plays = catalog.method("/mock.tracks.v1.TrackService/RecordPlays")
    jam = catalog.method("/mock.tracks.v1.TrackService/Jam")
    listing = catalog.method("/mock.tracks.v1.TrackService/ListTracks")
    assert plays is not None and jam is not None and listing is not None
    assert json.loads(catalog.template(plays)) == {
        "track_id": "",
        "at": "2026-01-31T12:00:00Z",
        "seconds": 0,
    }
    assert json.loads(catalog.template(jam)) == {
        "from": "",
        "text": "",
        "at": "2026-01-31T12:00:00Z",
        "bpm": 0,
    }
    assert (
        "genre: one of GENRE_UNSPECIFIED, ROCK, JAZZ, ELECTRONIC, CLASSICAL"
        in catalog.field_notes(listing)
    )
    assert "at: Timestamp, RFC 3339 text (e.g. 2026-01-31T12:00:00Z)" in catalog.field_notes(plays)


async def test_reflection_falls_back_to_v1alpha(v1alpha_only: str, grpc_engine: GrpcEngine) -> None:
    catalog = await reflect(GrpcRequest(target=v1alpha_only))
    assert catalog.source == f"reflection (v1alpha) of {v1alpha_only}"
    assert [service.name for service in catalog.services] == ["mock.tracks.v1.TrackService"]
    request = GrpcRequest(target=v1alpha_only, method=GET_TRACK, message='{"id": "t5"}')
    result = await grpc_engine.call(request, catalog)
    assert json.loads(result.messages[0])["released_at"].endswith(".123456Z")


async def test_a_server_without_reflection_says_to_load_proto_files(no_reflection: str) -> None:
    with pytest.raises(GrpcDiscoveryError) as caught:
        await reflect(GrpcRequest(target=no_reflection))
    assert str(caught.value) == (
        f"The server at {no_reflection} has no reflection service (it knows neither"
        " grpc.reflection.v1 nor v1alpha), so it cannot list its services. Load the"
        " service's .proto files instead."
    )


async def test_files_describe_a_server_without_reflection(
    no_reflection: str, grpc_engine: GrpcEngine
) -> None:
    proto = resources_dir() / "proto"
    catalog = load_proto_files([str(proto / "tracks/v1/tracks.proto")], [str(proto)])
    request = GrpcRequest(target=no_reflection, method=GET_TRACK, message='{"id": "t3"}')
    result = await grpc_engine.call(request, catalog)
    assert json.loads(result.messages[0])["artist"]["name"] == "Ines Moreau Trio"


async def test_a_method_the_server_does_not_have_is_unimplemented(
    grpc_url: str, grpc_engine: GrpcEngine
) -> None:
    shop = load_proto_files([str(FILES / "shop/v1/shop.proto")], [str(FILES)])
    request = GrpcRequest(target=grpc_url, method="/shop.v1.Shop/GetItem", message='{"id": "1"}')
    result = await grpc_engine.call(request, shop)
    assert result.code == "UNIMPLEMENTED"


async def test_reflecting_an_unreachable_server(closed_port: int) -> None:
    with pytest.raises(GrpcDiscoveryError) as caught:
        await reflect(GrpcRequest(target=f"127.0.0.1:{closed_port}"))
    assert str(caught.value) == (
        f"Could not connect to 127.0.0.1:{closed_port} (Connection refused). Check that the"
        " server is running and the address and port are right."
    )


async def test_reflection_within_the_deadline(stuck: str) -> None:
    started = time.perf_counter()
    with pytest.raises(GrpcDiscoveryError) as caught:
        await reflect(GrpcRequest(target=stuck, deadline_s=0.5))
    assert time.perf_counter() - started < 2
    assert str(caught.value).startswith(f"Reflection of {stuck} did not finish within 0.5 s")


async def test_a_port_that_does_not_speak_grpc(silent: str) -> None:
    with pytest.raises(GrpcDiscoveryError) as caught:
        await reflect(GrpcRequest(target=silent, deadline_s=5))
    assert "accepted the connection but never answered as a gRPC (HTTP/2) server" in str(
        caught.value
    )


async def test_reflection_needs_an_address() -> None:
    with pytest.raises(RequestBuildError, match="Enter the server's address"):
        await reflect(GrpcRequest(target=" "))


# --- calls that cannot reach the server -----------------------------------------------


async def test_calling_an_unreachable_server_raises_connect_error(
    grpc_url: str, grpc_engine: GrpcEngine, closed_port: int
) -> None:
    catalog = await reflect(GrpcRequest(target=grpc_url))
    request = GrpcRequest(target=f"127.0.0.1:{closed_port}", method=GET_TRACK, message="{}")
    with pytest.raises(ConnectError, match=f"Could not connect to 127.0.0.1:{closed_port}"):
        await grpc_engine.call(request, catalog)
    assert grpc_engine._channels == {}  # dropped: the next call dials afresh


async def test_a_server_started_after_a_failed_call_is_found_at_once(
    grpc_url: str, grpc_engine: GrpcEngine
) -> None:
    catalog = await reflect(GrpcRequest(target=grpc_url))
    first = await start_grpc_mock("127.0.0.1", 0)
    target = f"127.0.0.1:{first.port}"
    request = GrpcRequest(target=target, method=GET_TRACK, message='{"id": "t1"}')
    assert (await grpc_engine.call(request, catalog)).code == "OK"
    await first.stop()
    with pytest.raises(ConnectError):
        await grpc_engine.call(request, catalog)
    again = await start_grpc_mock("127.0.0.1", first.port)
    try:
        assert (await grpc_engine.call(request, catalog)).code == "OK"
    finally:
        await again.stop()


# --- TLS --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    ca: trustme.CA
    ca_file: str
    client_cert: str
    client_key: str


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("grpc-tls")
    ca.cert_pem.write_to_path(folder / "ca.pem")
    client = ca.issue_cert("client.example")
    client.cert_chain_pems[0].write_to_path(folder / "client.pem")
    client.private_key_pem.write_to_path(folder / "client.key")
    return TlsFiles(
        ca, str(folder / "ca.pem"), str(folder / "client.pem"), str(folder / "client.key")
    )


@pytest.fixture
async def tls_target(tls_files: TlsFiles) -> AsyncIterator[str]:
    """The mock over TLS, with a certificate for "localhost" only (not 127.0.0.1)."""
    cert = tls_files.ca.issue_cert("localhost")
    credentials = grpc.ssl_server_credentials(
        [(cert.private_key_pem.bytes(), cert.cert_chain_pems[0].bytes())]
    )
    async for target in _started(await start_grpc_mock("127.0.0.1", 0, credentials=credentials)):
        yield target


def _tls(target: str, **settings: object) -> GrpcRequest:
    return GrpcRequest(
        target=target,
        security="tls",
        tls=ClientTls(**settings),
        method=GET_TRACK,
        message='{"id": "t1"}',
    )


async def test_tls_with_the_ca_and_the_certificates_name(
    tls_target: str, tls_files: TlsFiles, grpc_engine: GrpcEngine
) -> None:
    request = _tls(tls_target, ca_file=tls_files.ca_file, server_name="localhost")
    catalog = await reflect(request)
    assert len(catalog.services) == 2
    assert (await grpc_engine.call(request, catalog)).code == "OK"


async def test_tls_with_a_client_certificate(
    tls_target: str, tls_files: TlsFiles, grpc_engine: GrpcEngine
) -> None:
    request = _tls(
        tls_target,
        ca_file=tls_files.ca_file,
        server_name="localhost",
        client_cert_file=tls_files.client_cert,
        client_key_file=tls_files.client_key,
    )
    assert len((await reflect(request)).services) == 2


async def test_an_untrusted_certificate_says_how_to_trust_it(tls_target: str) -> None:
    with pytest.raises(TlsError) as caught:
        await reflect(_tls(tls_target))
    assert str(caught.value) == (
        f"The TLS certificate of {tls_target} could not be verified (unable to get local"
        " issuer certificate). Set the CA file that signed it, or turn certificate"
        " verification off if you trust this server."
    )


async def test_a_certificate_for_another_name(tls_target: str, tls_files: TlsFiles) -> None:
    with pytest.raises(TlsError, match=r"is not for that name\. Set the TLS server name"):
        await reflect(_tls(tls_target, ca_file=tls_files.ca_file))


async def test_verification_off_trusts_what_the_server_shows(
    tls_target: str, grpc_engine: GrpcEngine
) -> None:
    request = _tls(tls_target, verify=False)
    catalog = await reflect(request)
    result = await grpc_engine.call(request, catalog)
    assert json.loads(result.messages[0])["id"] == "t1"


async def test_plaintext_against_a_tls_server(
    tls_target: str, grpc_url: str, grpc_engine: GrpcEngine
) -> None:
    catalog = await reflect(GrpcRequest(target=grpc_url))
    request = GrpcRequest(target=tls_target, method=GET_TRACK, message='{"id": "t1"}')
    with pytest.raises(ConnectError, match="It may expect TLS: switch the request to TLS"):
        await grpc_engine.call(request, catalog)
    with pytest.raises(GrpcDiscoveryError, match="It may expect TLS"):
        await reflect(request)


async def test_tls_against_a_plaintext_server(grpc_url: str, grpc_engine: GrpcEngine) -> None:
    catalog = await reflect(GrpcRequest(target=grpc_url))
    request = _tls(grpc_url)
    with pytest.raises(
        TlsError, match=r"does not seem to speak TLS on this port\. Switch the request to plaintext"
    ):
        await grpc_engine.call(request, catalog)
    with pytest.raises(
        TlsError, match=r"failed .*WRONG_VERSION_NUMBER.* while fetching its certificate"
    ):
        await grpc_engine.call(_tls(grpc_url, verify=False), catalog)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"ca_file": "/no/such/ca.pem"}, "The CA file /no/such/ca.pem cannot be read"),
        ({"client_cert_file": "CLIENT"}, "A client certificate needs its key"),
    ],
)
async def test_tls_files_are_checked_before_any_traffic(
    tls_target: str, tls_files: TlsFiles, settings: dict[str, str], expected: str
) -> None:
    settings = {
        key: tls_files.client_cert if value == "CLIENT" else value
        for key, value in settings.items()
    }
    with pytest.raises(RequestBuildError, match=expected):
        await reflect(_tls(tls_target, **settings))
