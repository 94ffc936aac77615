"""Compile .proto files in-process with grpc_tools' protoc, into file descriptors.

Two passes over the files, both in this process: ``get_protos`` first, because it
reports errors as data (file, line, column, message) instead of printing them on the
process's stderr; then ``run_main`` writes a descriptor set with every import and the
source info, which is where the comments shown as method descriptions come from.
Well-known types (``google/protobuf/*.proto``) come from grpc_tools' own copy, last
on the import path, so a project's copy wins. Everything here is CPU work for a worker.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from google.protobuf.descriptor_pb2 import FileDescriptorProto, FileDescriptorSet
from grpc_tools import _protoc_compiler

from apiclient.protocols.errors import GrpcDiscoveryError

__all__ = ["CompiledProtos", "compile_protos", "well_known_include"]

_MAX_ERRORS = 12  # the first ones matter; the rest are usually their echoes


@dataclass(frozen=True)
class CompiledProtos:
    """The compiled files: ``files`` in dependency order (imports first), ``named`` the
    names (relative to their import path) of the files the user chose."""

    files: tuple[FileDescriptorProto, ...]
    named: tuple[str, ...]


def well_known_include() -> Path:
    """grpc_tools' folder holding ``google/protobuf/*.proto``."""
    return Path(str(resources.files("grpc_tools") / "_proto"))


def compile_protos(files: Sequence[str], import_paths: Sequence[str]) -> CompiledProtos:
    """Compile ``files`` (paths on disk) with ``import_paths`` searched for imports.

    A file outside every import path has its own folder added, as most tools do.
    Raises :class:`GrpcDiscoveryError` for a missing file or folder, a file that does
    not compile (``file:line:column: message``) or an import not found (naming the
    folders that were searched).
    """
    if not files:
        raise GrpcDiscoveryError("Choose at least one .proto file to load.")
    includes = [_folder(path) for path in import_paths if path.strip()]
    named: list[str] = []
    for text in files:
        path = Path(text.strip()).expanduser()
        if not path.is_file():
            raise GrpcDiscoveryError(f"The .proto file {text} does not exist or is not a file.")
        path = path.resolve()
        root = next((folder for folder in includes if path.is_relative_to(folder)), None)
        if root is None:
            root = path.parent
            includes.append(root)
        named.append(path.relative_to(root).as_posix())
    searched = [*includes, well_known_include()]
    for name in named:
        _check(name, searched)
    return CompiledProtos(_descriptor_set(named, searched), tuple(named))


def _folder(text: str) -> Path:
    path = Path(text.strip()).expanduser()
    if not path.is_dir():
        raise GrpcDiscoveryError(f"The import path {text} is not a folder.")
    return path.resolve()


def _check(name: str, searched: list[Path]) -> None:
    """Raise the compiler's errors for one file, located on disk and 1-based."""
    try:
        _protoc_compiler.get_protos(name.encode(), [str(path).encode() for path in searched])
    except _protoc_compiler.ProtocErrors as exc:
        raise GrpcDiscoveryError(_describe(exc.errors(), searched)) from None


def _describe(errors: Sequence[_protoc_compiler.ProtocError], searched: list[Path]) -> str:
    missing = {
        _text(error.filename)
        for error in errors
        if error.line < 0 and _text(error.message).startswith("File not found")
    }
    lines: list[str] = []
    for error in errors:
        file, message = _text(error.filename), _text(error.message)
        if file in missing:
            continue  # said once, by the line that imports it
        where = _located(file, searched)
        if error.line >= 0:
            where += f":{error.line + 1}:{error.column + 1}"
        imported = _missing_import(message, missing)
        if imported is not None:
            folders = ", ".join(str(path) for path in searched)
            message = (
                f'import "{imported}" was not found: no {imported} under any import path'
                f" (looked in {folders}). Add the folder that {imported} is relative to"
                " as an import path."
            )
        elif _undefined_after_missing_import(message, missing):
            continue  # a type the missing import would have defined
        lines.append(f"{where}: {message}")
    shown = lines[:_MAX_ERRORS]
    if len(lines) > len(shown):
        shown.append(f"... and {len(lines) - len(shown)} more")
    return "The .proto files do not compile:\n" + "\n".join(shown)


def _missing_import(message: str, missing: set[str]) -> str | None:
    for name in missing:
        if message.startswith(f'Import "{name}" was not found'):
            return name
    return None


def _undefined_after_missing_import(message: str, missing: set[str]) -> bool:
    return bool(missing) and message.endswith("is not defined.")


def _located(name: str, searched: list[Path]) -> str:
    """The file's path on disk when it is found on the import path, else its name."""
    for folder in searched:
        candidate = folder / name
        if candidate.is_file():
            return str(candidate)
    return name


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _descriptor_set(named: list[str], searched: list[Path]) -> tuple[FileDescriptorProto, ...]:
    with tempfile.TemporaryDirectory(prefix="apiclient-protoc-") as folder:
        out = Path(folder) / "set.pb"
        arguments = [
            b"protoc",
            *(b"-I" + str(path).encode() for path in searched),
            b"--descriptor_set_out=" + str(out).encode(),
            b"--include_imports",
            b"--include_source_info",
            *(name.encode() for name in named),
        ]
        status = _protoc_compiler.run_main(arguments)
        if status != 0 or not out.is_file():
            raise GrpcDiscoveryError(
                f"protoc could not write the descriptors of {', '.join(named)} (exit"
                f" status {status}); its messages are on the application's console."
            )
        descriptor_set = FileDescriptorSet.FromString(out.read_bytes())
    return tuple(descriptor_set.file)
