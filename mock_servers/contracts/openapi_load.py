"""Read an OpenAPI file and the local files its ``$ref``s reach.

Files are parsed with a safe YAML loader (JSON is read by it too) that keeps dates as
text, so an example ``2026-01-31`` is served as written. A ``$ref`` is followed lazily,
so reference cycles are the caller's to cut (the schema converter gives each target one
``$defs`` entry).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from mock_servers.contracts.base import ContractError, UnsupportedContractError

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader without timestamps: dates stay strings, as JSON would have them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def describe(value: object) -> str:
    """A value's kind in words a contract's author knows: "a list", "a string"."""
    kinds = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "empty"
    return kinds.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def read_file(path: Path) -> Any:
    """Parse one YAML or JSON file, or raise ContractError saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(f"The contract file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise ContractError(f"{path.name} is not UTF-8 text; save it as UTF-8.") from None
    except OSError as exc:
        raise ContractError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContractError(
            f"{path.name} is not valid YAML or JSON{where}: {problem}; fix the file."
        ) from None


def check_version(document: Any, name: str) -> str:
    """The document's OpenAPI version ("3.0.3", "3.1.0"), or a ContractError on another."""
    if not isinstance(document, dict):
        raise ContractError(
            f"{name} is not an OpenAPI document: its top level is {describe(document)}, "
            "not a mapping with 'openapi', 'info' and 'paths'."
        )
    if "swagger" in document:
        raise UnsupportedContractError(
            f"{name} is Swagger {document['swagger']} (OpenAPI 2); contract mocks serve "
            "OpenAPI 3.0 and 3.1: convert it first (for example with swagger2openapi)."
        )
    version = document.get("openapi")
    if not isinstance(version, str | float | int) or isinstance(version, bool):
        raise ContractError(
            f"{name} has no 'openapi' version field; an OpenAPI 3 file starts with "
            "'openapi: 3.0.3' or 'openapi: 3.1.0'."
        )
    version = str(version)
    if not re.fullmatch(r"3\.[01](\.\d+)?(-.+)?", version):
        raise UnsupportedContractError(
            f"{name} is OpenAPI {version}; contract mocks serve OpenAPI 3.0 and 3.1."
        )
    return version


class Documents:
    """The contract file and every local file its ``$ref``s reach, each read once."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self._files: dict[Path, Any] = {}
        self.root = self.load(self.path)

    def load(self, path: Path) -> Any:
        if path not in self._files:
            self._files[path] = read_file(path)
        return self._files[path]

    def resolve(self, ref: object, base: Path, where: str) -> tuple[Any, Path, str]:
        """The node ``ref`` names, seen from ``base``: (node, its file, a readable key).

        ``where`` says where the ``$ref`` sits, for the messages.
        """
        if not isinstance(ref, str):
            raise ContractError(f"{where}: $ref must be a string, not {describe(ref)}.")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", ref):
            raise UnsupportedContractError(
                f"{where}: $ref '{ref}' is remote; contract mocks read only local files: "
                "save it next to the contract and refer to it by its file name."
            )
        file_part, _, fragment = ref.partition("#")
        target = (base.parent / unquote(file_part)).resolve() if file_part else base
        if file_part and not target.is_file():
            raise ContractError(
                f"{where}: $ref '{ref}' names {file_part}, which does not exist "
                f"next to {base.name}."
            )
        node = self.load(target)
        for raw in [part for part in fragment.split("/") if part]:
            step = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and step in node:
                node = node[step]
            elif isinstance(node, dict) and step.isdigit() and int(step) in node:
                node = node[int(step)]  # YAML read an unquoted key like 200 as a number
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                raise ContractError(
                    f"{where}: $ref '{ref}' points to nothing: {target.name} has no {fragment}."
                )
        key = fragment.rstrip("/").rsplit("/", 1)[-1] or target.stem
        return node, target, key

    def follow(self, node: Any, base: Path, where: str) -> tuple[Any, Path]:
        """``node`` itself, or what its chain of ``$ref``s ends at (for parameters,
        responses, request bodies, examples and headers)."""
        seen: set[tuple[Path, str]] = set()
        while isinstance(node, dict) and "$ref" in node:
            step = (base, str(node["$ref"]))
            if step in seen:
                raise ContractError(f"{where}: $ref '{node['$ref']}' refers back to itself.")
            seen.add(step)
            node, base, _ = self.resolve(node["$ref"], base, where)
        return node, base
