"""Auth on a WebSocket handshake and on a gRPC call: the kinds a fixed header (or
metadata row) can carry reach the server, the others are refused before any traffic."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from websocket_helpers import opened, run_to_end

from apiclient.core.models import Auth, GrpcRequest, KeyValue
from apiclient.protocols.auth_sign import NO_OAUTH2_TOKEN
from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.grpc import GrpcEngine
from apiclient.protocols.grpc_catalog import GrpcCatalog, reflect
from apiclient.protocols.grpc_channel import call_metadata

SIGNING_KINDS = [
    (Auth(kind="digest", username="a", password="b"), "Digest"),
    (Auth(kind="oauth1", consumer_key="k", consumer_secret="s"), "OAuth 1.0a"),
    (Auth(kind="awsv4", access_key="a", secret_key="s", service="demo"), "AWS Signature v4"),
    (Auth(kind="hawk", hawk_id="i", hawk_key="k"), "Hawk"),
    (Auth(kind="ntlm", username="u", password="p"), "NTLM"),
]
TRACK = "/mock.tracks.v1.TrackService/GetTrack"


# --- WebSocket --------------------------------------------------------------------------


async def test_an_oauth2_token_reaches_the_handshake_like_bearer(websocket_url: str) -> None:
    auth = Auth(kind="oauth2", token="tok-9", token_prefix="Bearer")
    async with opened(f"{websocket_url}/headers", auth=auth) as (_, probe, _task):
        await probe.until(lambda: len(probe.received()) == 1, "the handshake report")
    assert json.loads(probe.received()[0])["headers"]["authorization"] == "Bearer tok-9"


@pytest.mark.parametrize(("auth", "name"), SIGNING_KINDS, ids=[n for _, n in SIGNING_KINDS])
async def test_a_kind_that_signs_or_is_challenged_is_refused_for_websocket(
    websocket_url: str, auth: Auth, name: str
) -> None:
    final, _ = await run_to_end(f"{websocket_url}/echo", auth=auth)
    assert isinstance(final.error, RequestBuildError)
    assert f"{name} auth is not available for WebSocket handshakes" in str(final.error)


async def test_oauth2_without_a_token_is_refused_for_websocket(websocket_url: str) -> None:
    final, _ = await run_to_end(f"{websocket_url}/echo", auth=Auth(kind="oauth2"))
    assert isinstance(final.error, RequestBuildError)
    assert str(final.error) == NO_OAUTH2_TOKEN


# --- gRPC -------------------------------------------------------------------------------


@pytest.fixture
async def grpc_engine() -> AsyncIterator[GrpcEngine]:
    engine = GrpcEngine()
    try:
        yield engine
    finally:
        await engine.aclose()


@pytest.fixture
async def catalog(mock_urls: dict[str, str]) -> GrpcCatalog:
    return await reflect(GrpcRequest(target=mock_urls["grpc"]))


@pytest.mark.parametrize(
    ("auth", "row"),
    [
        (Auth(kind="bearer", token="t0k"), ("authorization", "Bearer t0k")),
        (Auth(kind="oauth2", token="tok", token_prefix="Token"), ("authorization", "Token tok")),
        (Auth(kind="apikey", key_name="X-Api-Key", key_value=" k1 "), ("x-api-key", "k1")),
        (
            Auth(kind="apikey", key_name="api_key", key_value="k2", key_in="query"),
            ("api_key", "k2"),
        ),
        (Auth(kind="basic", username="ada", password="pw"), ("authorization", "Basic YWRhOnB3")),
    ],
)
def test_auth_becomes_one_metadata_row_replacing_a_typed_one(
    auth: Auth, row: tuple[str, str]
) -> None:
    typed = [KeyValue(name="x-trace", value="1"), KeyValue(name=row[0].title(), value="typed")]
    request = GrpcRequest(target="127.0.0.1:1", metadata=typed, auth=auth)
    assert call_metadata(request) == (("x-trace", "1"), row)


@pytest.mark.parametrize("kind", ["none", "inherit"])
def test_no_auth_adds_no_metadata(kind: str) -> None:
    assert call_metadata(GrpcRequest(auth=Auth(kind=kind, token="t"))) == ()  # type: ignore[arg-type]


@pytest.mark.parametrize(("auth", "name"), SIGNING_KINDS, ids=[n for _, n in SIGNING_KINDS])
def test_a_kind_grpc_cannot_carry_is_refused(auth: Auth, name: str) -> None:
    with pytest.raises(RequestBuildError, match=f"{name} auth is not available for gRPC"):
        call_metadata(GrpcRequest(auth=auth))


def test_oauth2_without_a_token_is_refused_for_grpc() -> None:
    with pytest.raises(RequestBuildError) as caught:
        call_metadata(GrpcRequest(auth=Auth(kind="oauth2")))
    assert str(caught.value) == NO_OAUTH2_TOKEN


async def test_the_oauth2_token_reaches_the_grpc_server(
    grpc_engine: GrpcEngine, catalog: GrpcCatalog, mock_urls: dict[str, str]
) -> None:
    """The mock refuses the bearer token 'deny' and serves any other: its answer shows
    the token arrived as ``authorization`` metadata."""
    request = GrpcRequest(target=mock_urls["grpc"], method=TRACK, message='{"id": "t1"}')
    denied = request.model_copy(update={"auth": Auth(kind="oauth2", token="deny")})
    allowed = request.model_copy(update={"auth": Auth(kind="oauth2", token="fine")})
    assert (await grpc_engine.call(denied, catalog)).code == "UNAUTHENTICATED"
    assert (await grpc_engine.call(allowed, catalog)).code == "OK"
