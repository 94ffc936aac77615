"""A reflection client on grpc.aio: asks a server for its services and the file
descriptors that describe them, in ``grpc.reflection.v1`` or, when the server only
knows that, ``v1alpha``.

grpcio-reflection's ``ProtoReflectionDescriptorDatabase`` blocks (it wants a sync
channel) and speaks only v1alpha; this speaks both (their messages are the same on
the wire, so v1alpha's generated classes serve for v1 too) over one stream per
attempt, asking for every service at once and then for every missing import at once,
so a distant server costs a few round trips, not one per file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.message import DecodeError
from grpc import aio
from grpc_reflection.v1alpha.reflection_pb2 import (
    ServerReflectionRequest,
    ServerReflectionResponse,
)

from apiclient.core.models import GrpcRequest
from apiclient.protocols.errors import ConnectError, GrpcDiscoveryError
from apiclient.protocols.grpc_channel import (
    ChannelKey,
    Metadata,
    call_metadata,
    channel_key,
    open_channel,
    transport_error,
)

__all__ = ["VERSIONS", "Found", "fetch_descriptors"]

VERSIONS = ("v1", "v1alpha")
_HIDDEN = ("grpc.reflection.",)


@dataclass(frozen=True)
class Found:
    """What reflection gave: the files (any order), the services the server listed,
    the protocol version that answered, and what could not be described."""

    files: tuple[FileDescriptorProto, ...]
    services: tuple[str, ...]
    version: str
    target: str
    problems: tuple[str, ...]


class _Unimplemented(Exception):
    """The server does not know this version of the reflection service."""


class _Unanswered(Exception):
    """The call of this version failed inside grpc before any answer (INTERNAL), as it
    does when the server ends the call while the first request is being written: the
    next version is tried, and ``error`` is told if none answers."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


async def fetch_descriptors(request: GrpcRequest) -> Found:
    """The descriptors of the server's services; see :func:`grpc_catalog.reflect`."""
    key = channel_key(request)
    metadata = call_metadata(request)
    limit = request.deadline_s
    loop = asyncio.get_running_loop()
    ends = loop.time() + limit
    try:
        channel = await open_channel(key)
    except ConnectError as exc:
        raise GrpcDiscoveryError(str(exc)) from None
    unanswered: Exception | None = None
    try:
        for version in VERSIONS:
            remaining = ends - loop.time()
            if remaining <= 0:
                break
            try:
                return await _conversation(channel, key, version, metadata, remaining)
            except _Unimplemented:
                continue
            except _Unanswered as exc:
                unanswered = unanswered or exc.error
                continue
            except TimeoutError:
                break
        else:
            if unanswered is not None:
                raise unanswered
            raise GrpcDiscoveryError(
                f"The server at {key.target} has no reflection service (it knows neither"
                " grpc.reflection.v1 nor v1alpha), so it cannot list its services. Load the"
                " service's .proto files instead."
            )
    finally:
        await channel.close()
    raise GrpcDiscoveryError(
        f"Reflection of {key.target} did not finish within {limit:g} s (the request's"
        " deadline). The server may be slow or stuck; raise the deadline and try again."
    )


async def _conversation(
    channel: aio.Channel, key: ChannelKey, version: str, metadata: Metadata, timeout: float
) -> Found:
    path = f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"
    call = channel.stream_stream(
        path,
        request_serializer=ServerReflectionRequest.SerializeToString,
        response_deserializer=ServerReflectionResponse.FromString,
    )(metadata=metadata, timeout=timeout)
    try:
        async with asyncio.timeout(timeout):
            try:
                (listing,) = await _ask(call, [ServerReflectionRequest(list_services="")])
            except aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.INTERNAL:
                    raise _Unanswered(_failure(exc, key, version)) from None
                raise
            found = await _ask_everything(call, listing, key.target, version)
        await call.done_writing()
        return found
    except aio.AioRpcError as exc:
        raise _failure(exc, key, version) from None
    finally:
        call.cancel()


async def _ask_everything(
    call: aio.StreamStreamCall, listing: ServerReflectionResponse, target: str, version: str
) -> Found:
    """Everything after the listing of services: their files and the files they import."""
    if listing.HasField("error_response"):
        raise GrpcDiscoveryError(
            f"The server at {target} would not list its services:"
            f" {listing.error_response.error_message or 'no reason given'}."
        )
    services = tuple(service.name for service in listing.list_services_response.service)
    wanted = [name for name in services if not name.startswith(_HIDDEN)]
    files: dict[str, FileDescriptorProto] = {}
    problems: list[str] = []
    answers = await _ask(
        call, [ServerReflectionRequest(file_containing_symbol=name) for name in wanted]
    )
    for name, answer in zip(wanted, answers, strict=True):
        if answer.HasField("error_response"):
            said = answer.error_response.error_message or "no reason given"
            problems.append(f"{name}: the server would not describe it ({said})")
        else:
            _keep(answer, files, target)
    asked: set[str] = set(files)
    while True:
        missing = sorted(
            {dep for file in files.values() for dep in file.dependency} - asked - set(files)
        )
        if not missing:
            break
        asked.update(missing)
        answers = await _ask(
            call, [ServerReflectionRequest(file_by_filename=name) for name in missing]
        )
        for answer in answers:
            if not answer.HasField("error_response"):
                _keep(answer, files, target)
    # A well-known import the server did not send is added from the local copy by the
    # catalog; anything else missing is reported there, naming the importer.
    return Found(tuple(files.values()), services, version, target, tuple(problems))


async def _ask(
    call: aio.StreamStreamCall, requests: Sequence[ServerReflectionRequest]
) -> list[ServerReflectionResponse]:
    for request in requests:
        await call.write(request)
    answers: list[ServerReflectionResponse] = []
    for _ in requests:
        answer = await call.read()
        if answer is aio.EOF:
            raise GrpcDiscoveryError(
                "The reflection service ended the conversation before answering everything."
            )
        answers.append(answer)
    return answers


def _keep(
    answer: ServerReflectionResponse, files: dict[str, FileDescriptorProto], target: str
) -> None:
    for data in answer.file_descriptor_response.file_descriptor_proto:
        try:
            file = FileDescriptorProto.FromString(data)
        except DecodeError:
            raise GrpcDiscoveryError(
                f"The server at {target} sent a file descriptor that does not decode."
            ) from None
        files.setdefault(file.name, file)


def _failure(exc: aio.AioRpcError, key: ChannelKey, version: str) -> Exception:
    code = exc.code()
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return _Unimplemented(version)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return TimeoutError()
    transport = transport_error(exc, key)
    if isinstance(transport, ConnectError):
        return GrpcDiscoveryError(str(transport))
    if transport is not None:
        return transport
    hint = ""
    if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        hint = " Check the metadata (authorization): it is sent with reflection too."
    said = f"{code.name}: {exc.details()}" if exc.details() else code.name
    return GrpcDiscoveryError(f"Reflection of {key.target} failed ({said}).{hint}")
