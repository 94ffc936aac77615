"""Reading OpenAPI documents (JSON or YAML) and following their ``$ref``s, with no network.

A ``$ref`` is followed lazily, when the importer reaches it, so a broken reference in a
part we never read (a response schema, a link) does not stop an import. Within the
document a reference is a JSON pointer (``#/components/schemas/Pet``, with ``~0``/``~1``
escapes and %-encoding); a reference to a sibling file (``common.yaml#/schemas/Error``)
is read from disk relative to the file that holds the reference. A reference to a URL is
never fetched: it is reported like one that does not resolve. A chain of references that
comes back to itself is reported as a cycle rather than followed forever.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from apiclient.core import yaml_text
from apiclient.core.importers import CollectionImportError
from apiclient.core.importers.common import json_syntax_message, read_text, yaml_position

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_ADVICE = "Check that it is an OpenAPI 3 or Swagger 2.0 description in JSON or YAML."


class OpenApiImportError(CollectionImportError):
    """A file that is not an OpenAPI (or Swagger) description we can read."""


class OpenApiRefError(OpenApiImportError):
    """A ``$ref`` that cannot be followed; ``ref`` is the reference as written."""

    def __init__(self, message: str, path: Path, ref: str) -> None:
        super().__init__(message, path)
        self.ref = ref


@dataclass(frozen=True)
class Node:
    """A value of a document and the file it came from (its relative refs start there)."""

    value: Any
    file: Path


def load_document(path: Path, error_path: Path | None = None) -> Any:
    """The JSON or YAML document in ``path``; ``OpenApiImportError`` (about
    ``error_path``, default ``path``) with the line and column of a syntax error."""
    reported = error_path or path
    content = read_text(path, OpenApiImportError, "an OpenAPI description", _ADVICE, reported)
    try:
        if path.suffix.lower() == ".json" or content.lstrip().startswith("{"):
            try:
                return json.loads(content)
            except json.JSONDecodeError as exc:
                if path.suffix.lower() == ".json":
                    raise OpenApiImportError(
                        json_syntax_message(path, exc, _ADVICE), reported
                    ) from exc
        return yaml_text.load(content)
    except yaml.YAMLError as exc:
        raise OpenApiImportError(
            f"{path} is not valid YAML ({_yaml_problem(exc)}). {_ADVICE}", reported
        ) from exc
    except RecursionError as exc:
        raise OpenApiImportError(
            f"{path} nests too deeply to be read. {_ADVICE}", reported
        ) from exc


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    position = yaml_position(exc)
    return f"{position}: {problem}" if position else str(problem)


class Documents:
    """The root document and the sibling files its references reach, each read once."""

    def __init__(self, root: Path, doc: Any) -> None:
        self.root = root.resolve()
        self._cache: dict[Path, Any] = {self.root: doc}

    def resolve(self, node: Node, where: str) -> Node:
        """``node`` itself, or what its ``$ref`` (chain) points at; ``OpenApiRefError``
        naming the reference and ``where`` it was used when it cannot be followed."""
        seen: list[tuple[Path, str]] = []
        while isinstance(node.value, dict) and "$ref" in node.value:
            ref = node.value["$ref"]
            if not isinstance(ref, str):
                raise self._error(repr(ref), where, "a $ref must be text")
            target, pointer = self._split(ref, node.file, where)
            if (target, pointer) in seen:
                chain = " -> ".join(p for _, p in seen)
                raise self._error(ref, where, f"the references form a cycle ({chain} -> {pointer})")
            seen.append((target, pointer))
            doc = self._document(target, ref, where)
            node = Node(self._walk(doc, pointer, ref, where), target)
        return node

    def _split(self, ref: str, base: Path, where: str) -> tuple[Path, str]:
        file_part, _, fragment = ref.partition("#")
        if file_part.startswith("//") or (
            _SCHEME.match(file_part) and not _WINDOWS_DRIVE.match(file_part)
        ):
            raise self._error(
                ref,
                where,
                "it points to another server, and apiclient never fetches references over "
                "the network; download that file next to this one and refer to it by its "
                "relative path",
            )
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            raise self._error(ref, where, "only JSON pointers (#/...) are supported after the '#'")
        target = (base.parent / unquote(file_part)).resolve() if file_part else base
        return target, fragment

    def _document(self, path: Path, ref: str, where: str) -> Any:
        if path not in self._cache:
            if not path.is_file():
                raise self._error(ref, where, f"the file {path} does not exist")
            try:
                self._cache[path] = load_document(path, self.root)
            except OpenApiImportError as exc:
                raise self._error(ref, where, f"the file it names cannot be read: {exc}") from exc
        return self._cache[path]

    def _walk(self, doc: Any, pointer: str, ref: str, where: str) -> Any:
        value = doc
        for raw in pointer.split("/")[1:] if pointer else []:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(value, dict):
                if token in value:
                    value = value[token]
                    continue
                as_number = _number(token)
                if as_number is not None and as_number in value:  # YAML `200:` keys
                    value = value[as_number]
                    continue
                raise self._error(ref, where, f"there is no {token!r} in the document")
            index = _number(token)
            if isinstance(value, list) and index is not None and 0 <= index < len(value):
                value = value[index]
                continue
            raise self._error(ref, where, f"there is no {token!r} in the document")
        return value

    def _error(self, ref: str, where: str, reason: str) -> OpenApiRefError:
        return OpenApiRefError(
            f"{self.root}: the $ref {ref!r} used in {where} cannot be followed: {reason}.",
            self.root,
            ref,
        )


def _number(token: str) -> int | None:
    return int(token) if token.isdigit() else None
