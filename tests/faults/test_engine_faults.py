"""The engines' own errors for the faults the tabs meet, where a fix was needed at the
engine: the WSDL loader's network reasons and a gRPC stream reset by the server."""

from __future__ import annotations

import socket

import pytest

from apiclient.core.models import GrpcRequest
from apiclient.protocols.errors import GrpcStatusError, WsdlError
from apiclient.protocols.grpc import GrpcEngine
from apiclient.protocols.grpc_catalog import reflect
from apiclient.protocols.soap_wsdl import load_wsdl
from faults.http_faults import HttpFaultServer

METHOD = "mock.tracks.v1.TrackService/"


def test_the_fault_server_breaks_http_as_it_says() -> None:
    server = HttpFaultServer().start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /mid-body HTTP/1.1\r\nHost: x\r\n\r\n")
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        head, _sep, body = received.partition(b"\r\n\r\n")
        assert b"Content-Length: 1000" in head and len(body) == 100
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("mid-body", "the server closed the connection before the document was complete"),
        ("malformed", "the server did not answer with valid HTTP"),
        ("drip", "no answer within 0.5 s"),
    ],
)
async def test_wsdl_loads_say_how_the_server_failed(
    http_faults: HttpFaultServer, path: str, reason: str
) -> None:
    url = f"{http_faults.url}/{path}"
    with pytest.raises(WsdlError) as caught:
        await load_wsdl(url, timeout_s=0.5)
    assert str(caught.value).startswith(f"Could not read the WSDL {url}: {reason}.")


@pytest.mark.parametrize(("method", "received"), [("ListTracks", 2), ("GetTrack", 0)])
async def test_a_reset_grpc_call_says_the_server_reset_it(
    grpc_reset: str, method: str, received: int
) -> None:
    request = GrpcRequest(target=grpc_reset, method=METHOD + method, message="{}", deadline_s=5)
    catalog = await reflect(request)
    engine = GrpcEngine()
    try:
        result = await engine.call(request, catalog)
    finally:
        await engine.aclose()
    assert result.code == "CANCELLED" and len(result.messages) == received
    with pytest.raises(GrpcStatusError) as caught:
        result.raise_for_status()
    assert f"reset the call after {received} message" in str(caught.value)
    assert "try again" in str(caught.value)


async def test_reflecting_a_server_with_only_v1alpha_is_never_an_internal_error(
    grpc_reset: str,
) -> None:
    """The v1 attempt may end while its first request is written (grpc then says
    INTERNAL); it must still count as "no v1" and fall back to v1alpha every time."""
    for _ in range(15):
        catalog = await reflect(GrpcRequest(target=grpc_reset, deadline_s=5))
        assert catalog.source.startswith("reflection (v1alpha)")
