"""A gRPC mock from a .proto file: every method of every service, of all four kinds,
answers generated messages (``proto_values``), with server reflection over the compiled
descriptors so reflection clients (grpcurl, the app's gRPC tab) can discover it.

Pins are per full method name (``/pkg.Service/Method``): a status (a code name such as
``NOT_FOUND``, or its number) aborts with that code and the body as details; a body
alone is JSON for the response message; the delay comes first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor, descriptor_pool, json_format
from google.protobuf import message as pb_message
from google.protobuf.message_factory import GetMessageClass
from grpc_reflection.v1alpha import reflection, reflection_pb2

from mock_servers.contracts.base import ContractError, Pin, Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.proto_compile import compile_proto
from mock_servers.contracts.proto_values import MessageGenerator
from mock_servers.errors import MockServerError
from mock_servers.grpc_reflection import REFLECTION_V1ALPHA, add_reflection, pool_of
from mock_servers.serving import bind_socket

GRACEFUL_SHUTDOWN_SECONDS = 1.0
_CODES = {code.name: code for code in grpc.StatusCode}
_CODES.update({str(code.value[0]): code for code in grpc.StatusCode})


def status_code(status: int | str) -> grpc.StatusCode:
    """A pinned status as a gRPC code: its name (any case) or its number."""
    code = _CODES.get(str(status).strip().upper())
    if code is None:
        raise ValueError(f"{status!r} is not a gRPC status code name or number")
    return code


class _Method:
    """One method's answers: generated or pinned responses of its output type."""

    def __init__(
        self, method: descriptor.MethodDescriptor, generator: MessageGenerator, pins: Pins
    ) -> None:
        self.name = f"/{method.containing_service.full_name}/{method.name}"
        self.request = GetMessageClass(method.input_type)
        self.response = GetMessageClass(method.output_type)
        self.generator = generator
        self.pins = pins

    async def answer(self, context: grpc.aio.ServicerContext, index: int) -> pb_message.Message:
        """Response number ``index`` of this call, or the pinned one (aborting if pinned so)."""
        pin = self.pins.get(self.name)
        if pin is not None:
            return await self._pinned(pin, context, index)
        return self._generated(index)

    def _generated(self, index: int) -> pb_message.Message:
        response = self.response()
        self.generator.fill(response, f"{self.name}[{index}]")
        return response

    async def _pinned(
        self, pin: Pin, context: grpc.aio.ServicerContext, index: int
    ) -> pb_message.Message:
        if pin.delay_s > 0:
            await asyncio.sleep(pin.delay_s)
        code = grpc.StatusCode.OK
        if pin.status is not None:
            try:
                code = status_code(pin.status)
            except ValueError as exc:
                await context.abort(grpc.StatusCode.INTERNAL, f"The pin of {self.name}: {exc}.")
        if code is not grpc.StatusCode.OK:
            await context.abort(code, pin.body or f"{self.name} is pinned to {code.name}.")
        if not pin.body:
            return self._generated(index)
        try:
            return json_format.Parse(pin.body, self.response())
        except json_format.ParseError as exc:
            problem = str(exc)
        await context.abort(
            grpc.StatusCode.INTERNAL,
            f"The pinned body of {self.name} is not JSON for "
            f"{self.response.DESCRIPTOR.full_name}: {problem}",
        )

    def handler(self, method: descriptor.MethodDescriptor) -> grpc.RpcMethodHandler:
        codecs: dict[str, Callable[..., Any]] = {
            "request_deserializer": self.request.FromString,
            "response_serializer": self.response.SerializeToString,
        }
        if method.client_streaming and method.server_streaming:
            return grpc.stream_stream_rpc_method_handler(self._each, **codecs)
        if method.client_streaming:
            return grpc.stream_unary_rpc_method_handler(self._once_after, **codecs)
        if method.server_streaming:
            return grpc.unary_stream_rpc_method_handler(self._several, **codecs)
        return grpc.unary_unary_rpc_method_handler(self._once, **codecs)

    async def _once(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await self.answer(context, 0)

    async def _several(self, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator:
        for index in range(self.generator.fake.list_length(self.name)):
            yield await self.answer(context, index)

    async def _once_after(self, requests: AsyncIterator, context: grpc.aio.ServicerContext) -> Any:
        async for _request in requests:
            pass
        return await self.answer(context, 0)

    async def _each(self, requests: AsyncIterator, context: grpc.aio.ServicerContext) -> Any:
        index = 0
        async for _request in requests:
            yield await self.answer(context, index)
            index += 1


def _reflection_pool(
    pool: descriptor_pool.DescriptorPool, files: list[str]
) -> descriptor_pool.DescriptorPool:
    """A pool with the contract's files and the reflection service's own file."""
    return pool_of([*(pool.FindFileByName(name) for name in files), reflection_pb2.DESCRIPTOR])


def _add_reflection(
    server: grpc.aio.Server, services: list[str], pool: descriptor_pool.DescriptorPool
) -> None:
    add_reflection(
        server, reflection.aio.ReflectionServicer([*services, REFLECTION_V1ALPHA], pool=pool)
    )


def _listen(server: grpc.aio.Server, host: str, port: int) -> int:
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        return server.add_insecure_port(address)
    except RuntimeError as exc:
        if port:  # grpc only says "Failed to bind"; binding ourselves tells why
            bind_socket("grpc", host, port).close()
        raise MockServerError(f"Cannot listen on {address} for the grpc mock: {exc}") from exc


async def start(contract: Path, host: str, port: int, fake: FakeData, pins: Pins) -> StartedMock:
    """Serve every service of ``contract`` on host:port; see the module docstring."""
    pool, files = await asyncio.to_thread(compile_proto, contract)
    own = pool.FindFileByName(files[0])
    if not own.services_by_name:
        raise ContractError(f"{contract.name} defines no service, so there is nothing to serve.")
    generator = MessageGenerator(fake)
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    operations: list[str] = []
    for service in own.services_by_name.values():
        handlers = {}
        for method in service.methods:
            served = _Method(method, generator, pins)
            handlers[method.name] = served.handler(method)
            operations.append(served.name)
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(service.full_name, handlers),)
        )
    services = list(own.services_by_name)
    _add_reflection(
        server,
        [own.services_by_name[name].full_name for name in services],
        _reflection_pool(pool, files),
    )
    try:
        bound = _listen(server, host, port)
        await server.start()
    except BaseException:
        await server.stop(None)
        raise

    async def stop() -> None:
        await server.stop(GRACEFUL_SHUTDOWN_SECONDS)

    return StartedMock(
        kind="grpc", url=f"grpc://{host}:{bound}", operations=tuple(operations), stop=stop
    )
