"""Recognise what a file is and hand it to the importer that reads it.

People drop whatever they have onto the window (or give it to ``apiclient import``):
Postman and Insomnia exports, OpenAPI and Swagger descriptions in JSON or YAML, HAR
captures, a curl command saved as text, and, by mistake, files another tab opens (a
WSDL, a .proto, a GraphQL schema) or that are nothing we know. The content decides,
not the suffix: a Swagger file called ``api.txt`` still imports, and a ``.json`` file
that holds a HAR capture goes to the HAR importer. A file nothing fits raises
:class:`UnknownFormatError` saying what the file looks like and where it belongs.

A Postman environment file imports as a collection with no requests that holds just
that environment (named after it); :func:`environments_only` tells such a result apart,
and the UI adds its environments to the open collection instead of creating a new one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from apiclient.core import yaml_text
from apiclient.core.importers import (
    CollectionImportError,
    ImportResult,
    describe_document,
    read_json_file,
)
from apiclient.core.importers.json_steps import loads_in_steps
from apiclient.core.importers.progress import READING, ImportProgress
from apiclient.core.models import Collection, Folder

_SNIFF_BYTES = 4096
_CURL = re.compile(r"^\s*(?:\$\s*)?curl(?:\.exe)?\s", re.IGNORECASE)
_PROTO = re.compile(r"^\s*(?:syntax\s*=\s*[\"']proto[23][\"']|package\s+[\w.]+\s*;)", re.MULTILINE)
_SDL = re.compile(
    r"^\s*(?:type|schema|interface|input|enum|scalar|union)\s+\w*\s*\{?", re.MULTILINE
)
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive",
    b"SQLite format 3": "an SQLite database",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}
_CUT_SHORT = "Check that the file was saved or downloaded completely, then import it again."
_SUPPORTED = (
    "apiclient imports Postman collections (v2.0, v2.1) and environments, Insomnia v4 "
    "exports, OpenAPI 3.x and Swagger 2.0 (JSON or YAML), HAR 1.2 captures and curl commands."
)


class UnknownFormatError(CollectionImportError):
    """A file that is none of the formats apiclient imports."""


@dataclass(frozen=True)
class ImportCounts:
    """How much an import brought in, for the summary a person reads."""

    requests_by_kind: dict[str, int]
    folders: int
    environments: int

    @property
    def requests(self) -> int:
        return sum(self.requests_by_kind.values())


def import_any(path: Path, progress: ImportProgress | None = None) -> ImportResult:
    """Import ``path`` with the importer its content calls for.

    ``progress`` hears of each phase (and, for a Postman collection, of each request) and
    may cancel the import (``ImportCancelledError``). Raises a
    :class:`CollectionImportError` subclass: the chosen importer's own error for a file of
    a known format that is broken, :class:`UnknownFormatError` otherwise.
    """
    progress = progress if progress is not None else ImportProgress()
    progress.start(READING)
    importer = _importer_for(path, progress)
    progress.check()
    return importer(path)


def environments_only(result: ImportResult) -> bool:
    """True for an import that holds environments and no request (a Postman environment
    file): the UI adds it to the open collection rather than making a new collection."""
    collection = result.collection
    return bool(collection.environments) and not collection.items


def count_items(collection: Collection) -> ImportCounts:
    """Requests by kind ("rest", "graphql"...), folders at any depth, environments."""
    kinds: Counter[str] = Counter()
    folders = 0

    def walk(items: list[Any]) -> None:
        nonlocal folders
        for item in items:
            if isinstance(item, Folder):
                folders += 1
                walk(item.items)
            else:
                kinds[item.kind] += 1

    walk(collection.items)
    return ImportCounts(dict(sorted(kinds.items())), folders, len(collection.environments))


def describe_counts(counts: ImportCounts) -> str:
    """ "19 requests in 3 folders, 2 environments" (the parts that are not zero)."""
    parts = [_plural(counts.requests, "request")]
    if counts.folders:
        parts[0] += f" in {_plural(counts.folders, 'folder')}"
    if counts.environments:
        parts.append(_plural(counts.environments, "environment"))
    return ", ".join(parts)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# ---- choosing the importer ---------------------------------------------------------------

Importer = Callable[[Path], ImportResult]


def _importer_for(path: Path, progress: ImportProgress) -> Importer:
    if path.is_dir():
        if (path / "collection.yaml").is_file():
            raise UnknownFormatError(
                f"{path} is an apiclient collection folder already: open it with File > "
                "Open collection instead of importing it.",
                path,
            )
        raise UnknownFormatError(f"{path} is a folder; choose the file to import.", path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UnknownFormatError(f"Cannot read {path}: {reason}.", path) from exc
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise _unknown(path, f"{path} is {what}, not an export or API description.")
    try:
        text_head = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed bytes is still text.
        if exc.start < len(head) - 4:
            raise _unknown(path, f"{path} is a binary file, not a text export.") from exc
        text_head = head[: exc.start].decode("utf-8-sig")
    stripped = text_head.lstrip()
    if not stripped:
        raise _unknown(path, f"{path} is empty.")
    if _CURL.match(_first_line(stripped)):
        return _curl()
    if stripped.startswith("<"):
        raise _unknown(path, _xml_hint(path, text_head))
    if path.suffix.lower() == ".proto" or _PROTO.search(text_head):
        raise UnknownFormatError(
            f"{path} is a Protocol Buffers (.proto) file: open it in the gRPC tab instead "
            "(.proto files…) to call its services.",
            path,
        )
    if path.suffix.lower() in (".graphql", ".graphqls", ".gql") or _SDL.search(text_head):
        raise UnknownFormatError(
            f"{path} is a GraphQL schema or query: open it in the GraphQL tab instead.",
            path,
        )
    doc = _parse(path, stripped)
    if doc is _UNPARSED:
        return _by_suffix(path, stripped)
    return _by_document(path, doc, progress)


_UNPARSED = object()


def _first_line(text: str) -> str:
    """The first line that is not blank and not a ``#`` comment (shell files have them)."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


def _parse(path: Path, head: str) -> Any:
    """The whole file as JSON (when it starts like JSON) or YAML; ``_UNPARSED`` when it is
    neither, so the suffix decides which importer explains the problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return _UNPARSED
    if head.startswith(("{", "[")):
        try:
            return loads_in_steps(text)
        except (json.JSONDecodeError, RecursionError):
            return _UNPARSED
    try:
        return yaml_text.load(text)
    except (yaml.YAMLError, RecursionError):
        return _UNPARSED


def _by_suffix(path: Path, head: str) -> Importer:
    """A file that does not parse (cut short, say): the importer its first keys or its
    name point to says where it breaks and what to do; else a plain sentence."""
    hinted = _sniffed_importer(head) or _named_importer(path)
    if hinted is not None:
        return hinted
    if head.startswith(("{", "[")):
        read_json_file(path, UnknownFormatError, _CUT_SHORT)  # raises, naming line and column
    else:
        try:
            yaml_text.load(path.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError) as exc:
            where = getattr(exc, "problem_mark", None)
            at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
            raise _unknown(path, f"{path} is neither JSON nor valid YAML{at}.") from exc
    raise _unknown(path, f"{path} is neither JSON nor YAML, nor a curl command.")


def _sniffed_importer(head: str) -> Importer | None:
    """The importer the first keys of a file that does not parse point to."""
    for pattern, importer in _SNIFFS:
        if pattern.search(head):
            return importer()
    return None


def _named_importer(path: Path) -> Importer | None:
    """The importer a file's name points to (``x.postman_collection.json``, ``x.har``)."""
    name = path.name.lower()
    if name.endswith(".postman_environment.json"):
        return _postman_environment()
    if name.endswith((".postman_collection.json", ".postman_collection")):
        return _postman()
    if name.endswith((".har", ".har.json")):
        return _har()
    if "openapi" in name or "swagger" in name:
        return _openapi()
    if "insomnia" in name:
        return _insomnia()
    return None


def _by_document(path: Path, doc: Any, progress: ImportProgress) -> Importer:
    if not isinstance(doc, dict):
        return _unknown_doc(path, doc)
    if "openapi" in doc or "swagger" in doc:
        return _openapi()
    if doc.get("_type") == "export" or "__export_format" in doc:
        return _insomnia()
    if str(doc.get("type", "")).startswith(("collection.insomnia", "spec.insomnia")):
        return _insomnia()  # Insomnia v5; its importer names the version it reads
    if isinstance(doc.get("log"), dict):
        return _har()  # its importer says what a capture without entries lacks
    if isinstance(doc.get("values"), list) and "item" not in doc:
        return _postman_environment()
    if "item" in doc or ("requests" in doc and ("order" in doc or "folders" in doc)):
        return _postman_parsed(doc, progress)
    if "schema_version" in doc and "name" in doc:
        raise UnknownFormatError(
            f"{path} is an apiclient collection file: open its folder with File > Open "
            "collection instead of importing it.",
            path,
        )
    data = doc.get("data")
    if "__schema" in doc or (isinstance(data, dict) and "__schema" in data):
        raise UnknownFormatError(
            f"{path} is a GraphQL introspection result: load it in the GraphQL tab instead.",
            path,
        )
    hinted = _named_importer(path)
    if hinted is not None:
        return hinted  # a file named like an export: its importer says what is missing
    return _unknown_doc(path, doc)


def _unknown_doc(path: Path, doc: Any) -> NoReturn:
    what = describe_document(doc)
    raise _unknown(path, f"{path} is not a file apiclient can import: {what}")


def _unknown(path: Path, sentence: str) -> UnknownFormatError:
    return UnknownFormatError(f"{sentence} {_SUPPORTED}", path)


def _xml_hint(path: Path, head: str) -> str:
    wsdl_namespace = "schemas.xmlsoap.org/wsdl/" in head or "w3.org/ns/wsdl" in head
    if wsdl_namespace or re.search(r"<(?:\w+:)?definitions\b", head):
        return f"{path} looks like a WSDL: load it in the SOAP tab instead to call its operations."
    if re.search(r"<(?:\w+:)?schema\b", head):
        return f"{path} is an XML Schema (XSD), which describes messages but no requests."
    return f"{path} is an XML document, not an export."


# The importers are imported when chosen, so detecting one format never pays for loading
# the libraries of the others.


def _postman() -> Importer:
    from apiclient.core.importers.postman import import_postman

    return import_postman


def _postman_parsed(doc: Any, progress: ImportProgress) -> Importer:
    """The Postman importer for a file already parsed here (a 10 MB file is not parsed twice)."""
    from apiclient.core.importers.postman import import_postman

    return lambda path: import_postman(path, doc=doc, progress=progress)


def _postman_environment() -> Importer:
    from apiclient.core.importers.postman import import_postman_environment

    def read(path: Path) -> ImportResult:
        env = import_postman_environment(path)
        return ImportResult(
            Collection(name=env.name, environments=[env]), (), "Postman environment"
        )

    return read


def _insomnia() -> Importer:
    from apiclient.core.importers.insomnia import import_insomnia

    return import_insomnia


def _openapi() -> Importer:
    from apiclient.core.importers.openapi import import_openapi

    return import_openapi


def _har() -> Importer:
    from apiclient.core.importers.har import import_har

    return import_har


def _curl() -> Importer:
    from apiclient.core.importers.curl import import_curl

    return import_curl


def _key(name: str) -> re.Pattern[str]:
    """A top-level key ``name`` in JSON (``"name":``) or YAML (``name:`` starting a line)."""
    return re.compile(rf'"{name}"\s*:|^{name}\s*:', re.MULTILINE)


_SNIFFS: tuple[tuple[re.Pattern[str], Callable[[], Importer]], ...] = (
    (_key("openapi"), _openapi),
    (_key("swagger"), _openapi),
    (_key("__export_format"), _insomnia),
    (re.compile(r"schema\.getpostman\.com"), _postman),
    (_key("_postman_variable_scope"), _postman_environment),
    (re.compile(r'"log"\s*:\s*\{'), _har),
)
