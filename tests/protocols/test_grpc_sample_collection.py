"""Every gRPC call of the bundled sample collection against the gRPC mock, as a user
would make it (environment variables resolved): each ends as its name says."""

from __future__ import annotations

import pytest

from apiclient.core.models import GrpcRequest
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.core.variables import Scope, resolve_grpc_request
from apiclient.protocols.grpc import GrpcEngine, reflect

_STORE = CollectionStore.open(resources_dir() / "sample-collection")
_GRPC = [
    node.request
    for node in walk(_STORE.tree)
    if isinstance(node, RequestNode) and isinstance(node.request, GrpcRequest)
]
_NAMED_CODES = ("NOT_FOUND", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED")


@pytest.mark.parametrize("request_", _GRPC, ids=[r.name for r in _GRPC])
async def test_sample_grpc_call_ends_as_named(
    request_: GrpcRequest, mock_urls: dict[str, str]
) -> None:
    scope = Scope.layered(collection=_STORE.variables, environment=_STORE.environments[0].variables)
    resolved = resolve_grpc_request(request_, scope)
    resolved = resolved.model_copy(update={"target": mock_urls["grpc"].removeprefix("grpc://")})
    catalog = await reflect(resolved)
    engine = GrpcEngine()
    try:
        stream = engine.stream(resolved, catalog)
        if stream_keeps_open(request_):
            await stream.close_send()
        received = [event async for event in stream]
    finally:
        await engine.aclose()
    result = stream.result
    assert result is not None
    default = "ABORTED" if "aborted" in request_.name else "OK"
    expected = next((code for code in _NAMED_CODES if code in request_.name), default)
    assert result.code == expected, (result.code, result.details)
    if expected == "OK":
        assert received


def stream_keeps_open(request: GrpcRequest) -> bool:
    """Client and bidirectional calls wait for the end of sending."""
    return request.method.endswith(("/RecordPlays", "/Jam"))
