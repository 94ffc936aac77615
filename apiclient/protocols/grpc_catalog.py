"""The services a gRPC server offers, from reflection or from .proto files, and what
the message editor needs from them: a template, field notes, a check of the JSON.

A :class:`GrpcCatalog` owns a private ``DescriptorPool`` (never the process's default
one, so two servers with clashing files can be loaded side by side) built from the
file descriptors, with the well-known types added when the source left them out.
Building it is CPU work: :func:`load_proto_files` is called from a worker, and
:func:`reflect` does its building in one. The reflection service itself
(``grpc.reflection.*``) is left out of a reflected catalog (but not when its .proto is
loaded on purpose); health checking stays visible, since calling it is useful.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from google.protobuf import (
    any_pb2,
    api_pb2,
    descriptor_pb2,
    duration_pb2,
    empty_pb2,
    field_mask_pb2,
    source_context_pb2,
    struct_pb2,
    timestamp_pb2,
    type_pb2,
    wrappers_pb2,
)
from google.protobuf.descriptor import Descriptor
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import Message

from apiclient.core.models import GrpcRequest
from apiclient.protocols.errors import GrpcDiscoveryError
from apiclient.protocols.grpc_json import parse_messages
from apiclient.protocols.grpc_protoc import compile_protos
from apiclient.protocols.grpc_reflect import fetch_descriptors
from apiclient.protocols.grpc_template import field_notes, template

__all__ = [
    "GrpcCatalog",
    "GrpcMethod",
    "GrpcService",
    "MethodKind",
    "build_catalog",
    "load_proto_files",
    "reflect",
]

MethodKind = Literal["unary", "server_streaming", "client_streaming", "bidi_streaming"]
HIDDEN_PREFIXES = ("grpc.reflection.",)

_WELL_KNOWN = {
    module.DESCRIPTOR.name: module.DESCRIPTOR.serialized_pb
    for module in (
        any_pb2,
        api_pb2,
        duration_pb2,
        empty_pb2,
        field_mask_pb2,
        source_context_pb2,
        struct_pb2,
        timestamp_pb2,
        type_pb2,
        wrappers_pb2,
    )
}
# Added only when a file imports it (custom options): it is large.
_ON_DEMAND = {descriptor_pb2.DESCRIPTOR.name: descriptor_pb2.DESCRIPTOR.serialized_pb}


@dataclass(frozen=True)
class GrpcMethod:
    service: str  # full name, "mock.tracks.v1.TrackService"
    name: str  # "GetTrack"
    path: str  # "/mock.tracks.v1.TrackService/GetTrack", what goes on the wire
    kind: MethodKind
    input_type: str  # full names
    output_type: str
    description: str = ""  # the method's comments when the source had them

    @property
    def client_streams(self) -> bool:
        return self.kind in ("client_streaming", "bidi_streaming")

    @property
    def server_streams(self) -> bool:
        return self.kind in ("server_streaming", "bidi_streaming")


@dataclass(frozen=True)
class GrpcService:
    name: str  # full name
    methods: tuple[GrpcMethod, ...]
    description: str = ""


class GrpcCatalog:
    """The services of one server (or one set of .proto files) and their types.

    ``source`` says where it came from ("reflection (v1) of host:port", "files:
    a.proto, b.proto"); ``problems`` lists what could not be described (a service the
    server lists but would not describe). Reading it is safe from any thread.
    """

    def __init__(
        self,
        source: str,
        services: tuple[GrpcService, ...],
        pool: DescriptorPool,
        problems: tuple[str, ...] = (),
    ) -> None:
        self.source = source
        self.services = services
        self.pool = pool
        self.problems = problems
        self._methods = {method.path: method for service in services for method in service.methods}

    def __repr__(self) -> str:
        return f"<GrpcCatalog {self.source}: {len(self._methods)} methods>"

    @property
    def methods(self) -> tuple[GrpcMethod, ...]:
        return tuple(self._methods.values())

    def method(self, path: str) -> GrpcMethod | None:
        """The method at ``/pkg.Service/Method`` (a leading slash may be left out)."""
        path = path.strip()
        if path and not path.startswith("/"):
            path = "/" + path
        return self._methods.get(path)

    def message_type(self, full_name: str) -> Descriptor:
        return self.pool.FindMessageTypeByName(full_name)

    def template(self, method: GrpcMethod) -> str:
        """JSON text (2-space indent) of the input message with every field filled in
        (a client or bidi stream's too: one object, which is one message)."""
        return template(self.message_type(method.input_type))

    def field_notes(self, method: GrpcMethod) -> list[str]:
        """What the template cannot say: enum values, oneofs, how to write well-known
        types, and for streams how to write several messages."""
        notes = field_notes(self.message_type(method.input_type))
        if method.client_streams:
            notes.insert(
                0,
                "messages: one JSON object is one message; a JSON array sends each of its"
                " objects in turn",
            )
        return notes

    def check_message(self, method: GrpcMethod, text: str) -> list[Message]:
        """The messages ``text`` holds, ready to send; raises
        :class:`~apiclient.protocols.errors.GrpcMessageError` naming the field."""
        return parse_messages(
            self.message_type(method.input_type), self.pool, text, many=method.client_streams
        )


# --- building -------------------------------------------------------------------------


def build_catalog(
    files: Iterable[FileDescriptorProto],
    service_names: Sequence[str],
    source: str,
    problems: Sequence[str] = (),
    *,
    hide: tuple[str, ...] = (),
) -> GrpcCatalog:
    """A catalog of ``service_names`` (in that order, leaving out names starting with
    one of ``hide``) from these file descriptors; the well-known types are added when
    missing. Raises :class:`GrpcDiscoveryError` when a file's import is missing or the
    files contradict each other."""
    by_name = {file.name: file for file in files}
    pool = DescriptorPool()
    _add_all(pool, by_name)
    found: dict[str, GrpcService] = {}
    for file in by_name.values():
        comments = _comments(file)
        for index, service in enumerate(file.service):
            full = f"{file.package}.{service.name}" if file.package else service.name
            found[full] = _service(full, index, service, comments)
    services: list[GrpcService] = []
    missing = list(problems)
    for name in service_names:
        if hide and name.startswith(hide):
            continue
        if name in found:
            services.append(found[name])
        else:
            missing.append(f"{name}: listed, but its description was not found")
    return GrpcCatalog(source, tuple(services), pool, tuple(missing))


def _add_all(pool: DescriptorPool, by_name: dict[str, FileDescriptorProto]) -> None:
    for name, data in _WELL_KNOWN.items():
        if name not in by_name:
            by_name[name] = FileDescriptorProto.FromString(data)
    added: set[str] = set()
    for name in list(by_name):
        stack: list[tuple[str, bool]] = [(name, False)]
        while stack:
            current, ready = stack.pop()
            if current in added:
                continue
            file = _file(by_name, current, stack)
            if not ready:
                stack.append((current, True))
                stack.extend((dep, False) for dep in file.dependency if dep not in added)
                continue
            try:
                pool.Add(file)
            except (TypeError, ValueError) as exc:
                raise GrpcDiscoveryError(
                    f"The descriptor of {current} cannot be used: {exc}"
                ) from None
            added.add(current)


def _file(
    by_name: dict[str, FileDescriptorProto], name: str, stack: list[tuple[str, bool]]
) -> FileDescriptorProto:
    file = by_name.get(name)
    if file is None and name in _ON_DEMAND:
        file = by_name[name] = FileDescriptorProto.FromString(_ON_DEMAND[name])
    if file is None:
        importer = next(
            (other.name for other in by_name.values() if name in other.dependency),
            "a file",
        )
        raise GrpcDiscoveryError(f"{importer} imports {name}, which is missing.")
    if len(stack) > 10_000:
        raise GrpcDiscoveryError(f"The imports of {name} go round in a circle.")
    return file


def _service(
    full: str,
    index: int,
    service: descriptor_pb2.ServiceDescriptorProto,
    comments: dict[tuple[int, ...], str],
) -> GrpcService:
    methods = tuple(
        GrpcMethod(
            service=full,
            name=method.name,
            path=f"/{full}/{method.name}",
            kind=_kind(method.client_streaming, method.server_streaming),
            input_type=method.input_type.lstrip("."),
            output_type=method.output_type.lstrip("."),
            description=comments.get((6, index, 2, number), ""),
        )
        for number, method in enumerate(service.method)
    )
    return GrpcService(full, methods, comments.get((6, index), ""))


def _kind(client: bool, server: bool) -> MethodKind:
    if client and server:
        return "bidi_streaming"
    if client:
        return "client_streaming"
    return "server_streaming" if server else "unary"


def _comments(file: FileDescriptorProto) -> dict[tuple[int, ...], str]:
    """Leading (else trailing) comments by location path; only services and methods
    (paths starting with 6, ``FileDescriptorProto.service``) are kept."""
    out: dict[tuple[int, ...], str] = {}
    for location in file.source_code_info.location:
        path = tuple(location.path)
        if not path or path[0] != 6 or len(path) not in (2, 4):
            continue
        text = location.leading_comments or location.trailing_comments
        lines = [line.removeprefix(" ").rstrip() for line in text.strip("\n").split("\n")]
        cleaned = "\n".join(lines).strip()
        if cleaned:
            out[path] = cleaned
    return out


# --- the two sources ------------------------------------------------------------------


def load_proto_files(files: list[str], import_paths: list[str]) -> GrpcCatalog:
    """A catalog of the services in ``files``, compiled with ``import_paths`` searched
    for their imports (the well-known types are always found). CPU work: call it in
    a worker. Raises :class:`GrpcDiscoveryError` with protoc's located messages."""
    compiled = compile_protos(files, import_paths)
    named = set(compiled.named)
    services = [
        f"{file.package}.{service.name}" if file.package else service.name
        for file in compiled.files
        if file.name in named
        for service in file.service
    ]
    shown = ", ".join(name.rsplit("/", 1)[-1] for name in compiled.named)
    catalog = build_catalog(compiled.files, services, f"files: {shown}")
    if not catalog.services:
        raise GrpcDiscoveryError(
            f"{shown} defines no service: choose the .proto file that declares the service"
            " (the files it imports are found through the import paths)."
        )
    return catalog


async def reflect(request: GrpcRequest) -> GrpcCatalog:
    """The services of the server at ``request.target``, by its reflection service (v1,
    else v1alpha), with the request's TLS settings and metadata, within its deadline.

    Raises :class:`GrpcDiscoveryError` (no reflection: load .proto files; unreachable;
    reflection failed), :class:`~apiclient.protocols.errors.TlsError` for TLS trouble
    and ``RequestBuildError`` for a request that cannot be sent as typed.
    """
    found = await fetch_descriptors(request)
    return await asyncio.to_thread(
        build_catalog,
        found.files,
        found.services,
        f"reflection ({found.version}) of {found.target}",
        found.problems,
        hide=HIDDEN_PREFIXES,
    )
