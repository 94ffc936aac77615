"""The .proto contract mock, discovered through server reflection and called with
dynamic messages, as grpcurl and the app's gRPC tab do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import corpus_paths
import grpc
import pytest
from google.protobuf import descriptor_pool, json_format
from google.protobuf.message_factory import GetMessageClass
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from mock_servers.contracts import proto_mock
from mock_servers.contracts.base import ContractError, Pin, Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.errors import PortInUseError

HERE = Path(__file__).parent / "contract_files" / "proto"
SHOP = HERE / "shop.proto"
CORPUS = corpus_paths.CORPUS / "proto"
ORDERS = "/shop.v1.Orders/"


@asynccontextmanager
async def serving(
    contract: Path, seed: int = 1, pins: Pins | None = None
) -> AsyncIterator[StartedMock]:
    mock = await proto_mock.start(contract, "127.0.0.1", 0, FakeData(seed), pins or Pins())
    try:
        yield mock
    finally:
        await mock.stop()


def _call(target: str, method: str, requests: int = 2) -> list[dict[str, Any]]:
    """Call ``method`` (``/pkg.Service/Method``) with empty requests, learning its types
    by reflection; the answers as JSON-like dicts."""
    with grpc.insecure_channel(target) as channel:
        pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
        service, name = method[1:].split("/")
        found = pool.FindServiceByName(service).FindMethodByName(name)
        request = GetMessageClass(found.input_type)
        response = GetMessageClass(found.output_type)
        codecs = {
            "request_serializer": request.SerializeToString,
            "response_deserializer": response.FromString,
        }

        def many() -> Iterator[Any]:
            return iter([request() for _ in range(requests)])

        if found.client_streaming and found.server_streaming:
            answers = list(channel.stream_stream(method, **codecs)(many(), timeout=10))
        elif found.client_streaming:
            answers = [channel.stream_unary(method, **codecs)(many(), timeout=10)]
        elif found.server_streaming:
            answers = list(channel.unary_stream(method, **codecs)(request(), timeout=10))
        else:
            answers = [channel.unary_unary(method, **codecs)(request(), timeout=10)]
    return [json_format.MessageToDict(answer) for answer in answers]


async def call(mock: StartedMock, method: str, requests: int = 2) -> list[dict[str, Any]]:
    return await asyncio.to_thread(_call, mock.url.removeprefix("grpc://"), method, requests)


async def test_all_four_kinds_answer_generated_messages() -> None:
    async with serving(SHOP) as mock:
        assert mock.kind == "grpc"
        assert mock.operations == tuple(
            ORDERS + name for name in ("GetOrder", "ListOrders", "UploadOrders", "Chat")
        )
        (order,) = await call(mock, ORDERS + "GetOrder")
        listed = await call(mock, ORDERS + "ListOrders")
        (summary,) = await call(mock, ORDERS + "UploadOrders", requests=3)
        chatted = await call(mock, ORDERS + "Chat", requests=3)
    assert order["status"] in {"ORDER_STATUS_PLACED", "ORDER_STATUS_SHIPPED"}
    assert order["customer"]["email"].endswith("@example.com")
    assert order["customer"]["referredBy"]["id"]
    assert 2 <= len(order["tags"]) <= 4
    assert order["quantities"] and all(isinstance(v, int) for v in order["quantities"].values())
    assert order["createdAt"].endswith("Z")
    assert "cardNumber" in order and "iban" not in order  # the oneof's first member
    assert isinstance(order["total"], float)
    assert order["receipt"]
    assert 2 <= len(listed) <= 4
    assert listed[0] != listed[1]
    assert isinstance(summary["count"], int)
    assert len(chatted) == 3  # one answer per request


async def test_the_same_seed_gives_the_same_messages() -> None:
    async def order(seed: int) -> dict[str, Any]:
        async with serving(SHOP, seed) as mock:
            return (await call(mock, ORDERS + "GetOrder"))[0]

    first = await order(2)
    assert first == await order(2)
    assert first != await order(3)


async def test_pins_abort_with_their_code_or_answer_their_body() -> None:
    pins = Pins()
    async with serving(SHOP, pins=pins) as mock:
        pins.set(ORDERS + "GetOrder", Pin(status="NOT_FOUND", body="No order 42."))
        with pytest.raises(grpc.RpcError) as caught:
            await call(mock, ORDERS + "GetOrder")
        assert caught.value.code() is grpc.StatusCode.NOT_FOUND
        assert caught.value.details() == "No order 42."
        pins.set(ORDERS + "ListOrders", Pin(status=14))
        with pytest.raises(grpc.RpcError) as caught:
            await call(mock, ORDERS + "ListOrders")
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
        pins.set(
            ORDERS + "GetOrder", Pin(body='{"orderId": "ord-42", "status": "ORDER_STATUS_SHIPPED"}')
        )
        assert await call(mock, ORDERS + "GetOrder") == [
            {"orderId": "ord-42", "status": "ORDER_STATUS_SHIPPED"}
        ]
        pins.set(ORDERS + "GetOrder", Pin(body='{"nope": 1}'))
        with pytest.raises(grpc.RpcError) as caught:
            await call(mock, ORDERS + "GetOrder")
        assert caught.value.code() is grpc.StatusCode.INTERNAL
        assert "shop.v1.Order" in caught.value.details()


CORPUS_PROTOS = [
    "grpc-go/examples/route_guide/routeguide/route_guide.proto",
    "grpc-go/examples/features/proto/echo/echo.proto",
    "grpc-go/profiling/proto/service.proto",
    "grpc-proto/grpc/health/v1/health.proto",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
@pytest.mark.parametrize("name", CORPUS_PROTOS)
async def test_corpus_protos_answer_every_method(name: str) -> None:
    async with serving(CORPUS / name) as mock:
        for method in mock.operations:
            assert await call(mock, method)


@pytest.mark.parametrize(
    ("contract", "words"),
    [
        (HERE / "broken.proto", 'broken.proto line 6, column 3: "strng" is not defined'),
        (CORPUS / "grpc-proto/grpc/testing/test.proto", "grpc/testing/empty.proto: File not found"),
        (CORPUS / "googleapis/google/pubsub/v1/schema.proto", "google/api/annotations.proto"),
        (CORPUS / "googleapis/google/rpc/status.proto", "defines no service"),
    ],
)
async def test_contracts_that_do_not_compile_are_refused_naming_the_place(
    contract: Path, words: str
) -> None:
    if not contract.exists():
        pytest.skip("the shared corpus is not here")
    with pytest.raises(ContractError) as caught:
        await proto_mock.start(contract, "127.0.0.1", 0, FakeData(), Pins())
    assert words in str(caught.value)


async def test_a_port_in_use_is_reported(occupied_port: int) -> None:
    with pytest.raises(PortInUseError):
        await proto_mock.start(SHOP, "127.0.0.1", occupied_port, FakeData(), Pins())
