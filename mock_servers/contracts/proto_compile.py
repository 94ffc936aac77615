"""Compile a .proto file in-process with grpcio-tools' protoc into a descriptor pool.

Nothing is written to disk: protoc's Python output for the file and its imports is
read only for the serialized FileDescriptorProto each module embeds. Imports resolve
against the file's folder and the well-known types grpcio-tools ships.
"""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_tools import _protoc_compiler

from mock_servers.contracts.base import ContractError


def _protoc_message(contract: Path, errors: _protoc_compiler.ProtocErrors) -> str:
    """protoc's first error as ``file line L, column C: message`` (1-based)."""
    found = errors.errors()
    if not found:
        return f"protoc could not compile {contract.name}."
    first = found[0]
    name = first.filename.decode("utf-8", "replace")
    where = f"{name} line {first.line + 1}, column {first.column + 1}"
    if first.line < 0:
        where = name
    message = first.message.decode("utf-8", "replace")
    if "not found" in message.lower():
        message += (
            f" (imports are looked up in {contract.parent} and the well-known types;"
            " put the imported files there)"
        )
    return f"{where}: {message}"


def _serialized_files(module_source: bytes) -> list[bytes]:
    """The FileDescriptorProto bytes a generated ``_pb2`` module adds to its pool."""
    tree = ast.parse(module_source)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "AddSerializedFile"
            and node.args
        ):
            found.append(ast.literal_eval(node.args[0]))
    return found


def compile_proto(contract: Path) -> tuple[descriptor_pool.DescriptorPool, list[str]]:
    """A pool holding ``contract`` and everything it imports, and the contract's own
    file name in that pool (first) followed by its imports."""
    if not contract.is_file():
        raise ContractError(f"No .proto file at {contract}.")
    well_known = Path(str(resources.files("grpc_tools") / "_proto"))
    include = [str(contract.parent.resolve()).encode(), str(well_known).encode()]
    try:
        modules = _protoc_compiler.get_protos(contract.name.encode(), include)
    except _protoc_compiler.ProtocErrors as exc:
        raise ContractError(
            f"{contract.name} does not compile: {_protoc_message(contract, exc)}"
        ) from exc
    pool = descriptor_pool.DescriptorPool()
    names: list[str] = []
    for _module, source in modules:
        for serialized in _serialized_files(source):
            proto = descriptor_pb2.FileDescriptorProto.FromString(serialized)
            pool.Add(proto)
            names.append(proto.name)
    if contract.name in names:
        names.remove(contract.name)
    return pool, [contract.name, *names]
