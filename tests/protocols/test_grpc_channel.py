"""The small parts of the gRPC engine that need no server: targets, metadata, status
errors and rich details."""

from __future__ import annotations

import json

import pytest
from google.rpc import error_details_pb2, status_pb2

from apiclient.core.models import ClientTls, GrpcRequest, KeyValue
from apiclient.protocols.errors import GrpcStatusError, RequestBuildError
from apiclient.protocols.grpc import GrpcResult
from apiclient.protocols.grpc_channel import call_metadata, channel_key, target_of
from apiclient.protocols.grpc_status import decode_details


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("localhost:50051", "localhost:50051"),
        ("  grpc://127.0.0.1:8713/ ", "127.0.0.1:8713"),
        ("GRPCS://api.example.com:443", "api.example.com:443"),
        ("http://[::1]:50051", "[::1]:50051"),
        ("dns:///svc.local:80", "svc.local:80"),
    ],
)
def test_targets_tolerate_a_scheme(typed: str, target: str) -> None:
    assert target_of(GrpcRequest(target=typed)) == target


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", "Enter the server's address"), ("host:1/path", "is not a server address")],
)
def test_bad_targets_are_refused_before_any_traffic(typed: str, expected: str) -> None:
    with pytest.raises(RequestBuildError, match=expected):
        target_of(GrpcRequest(target=typed))


def test_tls_settings_only_matter_with_tls() -> None:
    tls = ClientTls(ca_file="ca.pem", verify=False, server_name="x")
    plain = channel_key(GrpcRequest(target="h:1", tls=tls))
    assert (plain.ca_file, plain.verify, plain.server_name) == ("", True, "")
    secure = channel_key(GrpcRequest(target="h:1", security="tls", tls=tls))
    assert (secure.ca_file, secure.verify, secure.server_name) == ("ca.pem", False, "x")


def test_metadata_rows_become_call_metadata() -> None:
    request = GrpcRequest(
        metadata=[
            KeyValue(name="X-Request-Id", value=" abc "),
            KeyValue(name="off", value="1", enabled=False),
            KeyValue(name="", value="ignored"),
            KeyValue(name="trace-bin", value="AAEC"),
            KeyValue(name="token-bin", value="_-8"),  # URL-safe base64, no padding
        ]
    )
    assert call_metadata(request) == (
        ("x-request-id", "abc"),
        ("trace-bin", b"\x00\x01\x02"),
        ("token-bin", b"\xff\xef"),
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("bad key", "v", "is not allowed: use letters, digits"),
        ("grpc-timeout", "1S", "reserved for gRPC itself"),
        ("x-name", "Zoë", "must be printable ASCII"),
        ("data-bin", "not base64!", "must be base64"),
    ],
)
def test_metadata_grpc_would_refuse_is_refused_first(name: str, value: str, expected: str) -> None:
    with pytest.raises(RequestBuildError, match=expected):
        call_metadata(GrpcRequest(metadata=[KeyValue(name=name, value=value)]))


def test_a_non_ok_result_raises_on_request() -> None:
    ok = GrpcResult((), "OK", "", (), (), (), 0.1)
    ok.raise_for_status()
    bad = GrpcResult(
        (), "NOT_FOUND", "No track with id '404'", (("google.rpc.ResourceInfo", "{}"),), (), (), 0.1
    )
    with pytest.raises(GrpcStatusError) as caught:
        bad.raise_for_status()
    error = caught.value
    assert str(error) == "NOT_FOUND: No track with id '404' (details: ResourceInfo)"
    assert (error.code, error.details) == ("NOT_FOUND", "No track with id '404'")
    assert error.rich_details == (("google.rpc.ResourceInfo", "{}"),)


def test_rich_details_decode_known_types_and_keep_others_as_base64() -> None:
    info = error_details_pb2.ErrorInfo(
        reason="QUOTA", domain="example.com", metadata={"limit": "5"}
    )
    status = status_pb2.Status(code=8, message="slow down")
    status.details.add().Pack(info)
    status.details.add(type_url="type.googleapis.com/acme.Secret", value=b"\x01\x02")
    decoded = decode_details(status.SerializeToString())
    assert decoded[0][0] == "google.rpc.ErrorInfo"
    assert json.loads(decoded[0][1]) == {
        "reason": "QUOTA",
        "domain": "example.com",
        "metadata": {"limit": "5"},
    }
    assert decoded[1] == ("acme.Secret", '"AQI="')
    assert decode_details(b"\xff\xff") == (("google.rpc.Status", '"//8="'),)
