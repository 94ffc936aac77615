"""Serve the gRPC mock with grpc.aio: TrackService, the standard health service, and
server reflection in both versions clients use (grpc.reflection.v1alpha and v1).

Reflection answers from a private descriptor pool holding only what this server
serves, and hands out tracks.proto with its comments (source info from the committed
descriptor set), so reflection-based clients can show the documentation too.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from importlib import resources
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2

from mock_servers.errors import MockServerError
from mock_servers.grpc_generated import tracks_pb2, tracks_pb2_grpc
from mock_servers.grpc_reflection import (
    REFLECTION_V1,
    REFLECTION_V1ALPHA,
    add_reflection,
    pool_of,
)
from mock_servers.grpc_service import SERVED_BY, SERVICE_NAME, SLOW_SECONDS, TrackService
from mock_servers.serving import RunningServer, bind_socket

__all__ = [
    "HEALTH_SERVICE",
    "REFLECTION_V1",
    "REFLECTION_V1ALPHA",
    "SERVICE_NAME",
    "start_grpc_mock",
]

HEALTH_SERVICE = health.SERVICE_NAME  # grpc.health.v1.Health
# Calls still running when the host stops (a Jam, a slow GetTrack) get this long.
GRACEFUL_SHUTDOWN_SECONDS = 2.0

_V1ALPHA_PREFIX = ".grpc.reflection.v1alpha."
_V1_PREFIX = ".grpc.reflection.v1."


# --- metadata on every call -------------------------------------------------------------


class _MetadataInterceptor(grpc.aio.ServerInterceptor):
    """Echo `x-request-id` in the response headers and add the `x-served-by` trailer,
    on every call of every service (health and reflection included)."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        request_id = next(
            (
                value
                for key, value in handler_call_details.invocation_metadata or ()  # type: ignore[attr-defined]
                if key == "x-request-id"
            ),
            None,
        )
        return _wrap_handler(handler, request_id)


def _wrap_handler(handler: grpc.RpcMethodHandler, request_id: str | None) -> Any:
    async def prepare(context: grpc.aio.ServicerContext) -> None:
        if request_id is not None:
            await context.send_initial_metadata((("x-request-id", request_id),))
        context.set_trailing_metadata((("x-served-by", SERVED_BY),))

    def wrap(behavior: Callable[..., Any]) -> Callable[..., Any]:
        # Keep the behaviour's kind: grpc.aio drives async generators by iterating them
        # and coroutines by awaiting them (those may call context.write themselves).
        if inspect.isasyncgenfunction(behavior):

            async def streaming(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await prepare(context)
                async for response in behavior(request, context):
                    yield response

            return streaming

        async def awaiting(request: Any, context: grpc.aio.ServicerContext) -> Any:
            await prepare(context)
            return await behavior(request, context)

        return awaiting

    codecs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(wrap(handler.unary_unary), **codecs)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(wrap(handler.unary_stream), **codecs)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(wrap(handler.stream_unary), **codecs)
    return grpc.stream_stream_rpc_method_handler(wrap(handler.stream_stream), **codecs)


# --- reflection -------------------------------------------------------------------------


def _files_with_comments() -> dict[str, bytes]:
    """tracks.proto as FileDescriptorProto bytes with source info (comments), by name."""
    data = (resources.files("mock_servers.grpc_generated") / "tracks.binpb").read_bytes()
    files = descriptor_pb2.FileDescriptorSet.FromString(data).file
    return {file.name: file.SerializeToString() for file in files}


def _v1_reflection_file() -> descriptor_pb2.FileDescriptorProto:
    """grpc/reflection/v1/reflection.proto, derived from the v1alpha one grpcio-reflection
    ships: the two differ only in package name and options, so the wire format and
    messages are the same."""
    proto = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(proto)
    proto.name = "grpc/reflection/v1/reflection.proto"
    proto.package = "grpc.reflection.v1"
    proto.ClearField("options")

    def rename(name: str) -> str:
        return _V1_PREFIX + name.removeprefix(_V1ALPHA_PREFIX)

    def visit(messages: Iterable[descriptor_pb2.DescriptorProto]) -> None:
        for message in messages:
            for field in message.field:
                if field.HasField("type_name"):  # assigning "" would set it
                    field.type_name = rename(field.type_name)
            visit(message.nested_type)

    visit(proto.message_type)
    for service in proto.service:
        for method in service.method:
            method.input_type = rename(method.input_type)
            method.output_type = rename(method.output_type)
    return proto


def _reflection_pool(with_v1: bool) -> descriptor_pool.DescriptorPool:
    """A pool with exactly the files this server serves and their dependencies."""
    pool = pool_of((tracks_pb2.DESCRIPTOR, health_pb2.DESCRIPTOR, reflection_pb2.DESCRIPTOR))
    if with_v1:
        pool.Add(_v1_reflection_file())
    return pool


class _ReflectionServicer(reflection.aio.ReflectionServicer):
    """grpcio-reflection's servicer, handing out the commented tracks.proto."""

    def __init__(self, service_names: Iterable[str], pool: descriptor_pool.DescriptorPool):
        super().__init__(service_names, pool=pool)
        self._with_comments = _files_with_comments()

    async def ServerReflectionInfo(  # type: ignore[override]
        self,
        request_iterator: AsyncIterator[reflection_pb2.ServerReflectionRequest],
        context: grpc.aio.ServicerContext,
    ) -> AsyncIterator[reflection_pb2.ServerReflectionResponse]:
        async for response in super().ServerReflectionInfo(request_iterator, context):
            if response.HasField("file_descriptor_response"):
                files = response.file_descriptor_response.file_descriptor_proto
                for index, serialized in enumerate(files):
                    name = descriptor_pb2.FileDescriptorProto.FromString(serialized).name
                    if name in self._with_comments:
                        files[index] = self._with_comments[name]
            yield response


def _add_reflection(server: grpc.aio.Server, service_names: list[str]) -> None:
    names = [*service_names, REFLECTION_V1ALPHA, REFLECTION_V1]
    add_reflection(server, _ReflectionServicer(names, _reflection_pool(with_v1=True)))


# --- the server -------------------------------------------------------------------------


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind_error(host: str, port: int, exc: Exception) -> MockServerError:
    """grpc only says "Failed to bind"; find out why by binding the same way ourselves."""
    if port:
        probe = bind_socket("grpc", host, port)  # raises PortInUseError or MockServerError
        probe.close()
    return MockServerError(f"Cannot listen on {_address(host, port)} for the grpc mock: {exc}")


async def start_grpc_mock(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    reflection: bool = True,
    credentials: grpc.ServerCredentials | None = None,
    slow_seconds: float = SLOW_SECONDS,
) -> RunningServer:
    """Start the gRPC mock on the running loop; return once it listens.

    Port 0 picks a free port. `reflection=False` leaves out both reflection services
    (clients get UNIMPLEMENTED); `credentials` (grpc.ssl_server_credentials) serves TLS
    instead of plaintext. `slow_seconds` is how long GetTrack("slow") waits.
    """
    # No SO_REUSEPORT: a second mock on the same port must fail, not share it.
    server = grpc.aio.server(
        interceptors=[_MetadataInterceptor()], options=[("grpc.so_reuseport", 0)]
    )
    tracks_pb2_grpc.add_TrackServiceServicer_to_server(TrackService(slow_seconds), server)
    health_servicer = health.aio.HealthServicer()
    serving = health_pb2.HealthCheckResponse.SERVING
    await health_servicer.set("", serving)
    await health_servicer.set(SERVICE_NAME, serving)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if reflection:
        _add_reflection(server, [SERVICE_NAME, HEALTH_SERVICE])
    address = _address(host, port)
    try:
        if credentials is None:
            bound = server.add_insecure_port(address)
        else:
            bound = server.add_secure_port(address, credentials)
    except RuntimeError as exc:
        raise _bind_error(host, port, exc) from exc
    try:
        await server.start()
    except BaseException:
        # Also on cancellation (the host's start timeout): leave nothing listening.
        await server.stop(None)
        raise

    async def stop() -> None:
        await health_servicer.enter_graceful_shutdown()
        await server.stop(GRACEFUL_SHUTDOWN_SECONDS)

    return RunningServer(port=bound, stop=stop)
