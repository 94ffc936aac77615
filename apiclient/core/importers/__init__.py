"""Importers: collections written by other tools, read into our models.

Each importer reads one format without any network access and returns our models plus
the warnings a person should read (what was left out or changed, and where). A file it
cannot read raises a :class:`CollectionImportError` subclass whose message says what the
file is, what is wrong with it and what to do instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiclient.core.errors import CoreError
from apiclient.core.importers.common import json_syntax_message, read_text
from apiclient.core.importers.json_steps import loads_in_steps
from apiclient.core.models import Collection


@dataclass(frozen=True)
class ImportResult:
    """What an importer brought in: a collection (its environments inside it) and the
    warnings a person should read: each says what was left out or changed, and where.
    ``source`` names the format read ("Postman collection", "OpenAPI 3.1"...)."""

    collection: Collection
    warnings: tuple[str, ...]
    source: str


class CollectionImportError(CoreError):
    """A file that cannot be imported; ``path`` says which, the message says why."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


def read_json_file(path: Path, error: type[CollectionImportError], advice: str) -> Any:
    """The JSON document in ``path`` (UTF-8, a BOM allowed); ``error`` with a sentence
    (ending in ``advice``) when it cannot be read, is empty or is not JSON. Parsed in short
    steps (see ``json_steps``), so a worker reading a big export leaves the window responsive."""
    content = read_text(path, error, "a JSON export", advice)
    try:
        return loads_in_steps(content)
    except json.JSONDecodeError as exc:
        raise error(json_syntax_message(path, exc, advice), path) from exc
    except RecursionError as exc:
        raise error(f"{path} nests its JSON too deeply to be read. {advice}", path) from exc


def describe_document(doc: Any) -> str:
    """One sentence saying what a JSON document holds, for "this is not X" messages."""
    if not isinstance(doc, dict):
        return f"the file holds {_json_kind(doc)}, not a JSON object."
    if doc.get("_type") == "export" or "__export_format" in doc:
        return "it looks like an Insomnia export."
    if "openapi" in doc or "swagger" in doc:
        return "it looks like an OpenAPI (Swagger) description."
    if isinstance(doc.get("log"), dict) and "entries" in doc["log"]:
        return "it looks like a HAR capture (browser network log)."
    if "values" in doc and "_postman_variable_scope" in doc:
        return "it is a Postman environment, not a collection."
    if "requests" in doc and ("order" in doc or "folders" in doc):
        return "it is in Postman's old v1 collection format."
    if "info" in doc and "item" in doc:
        return "it looks like a Postman collection."
    keys = ", ".join(sorted(map(str, doc))[:8]) or "none"
    return f"it has none of the keys this kind of file has (its keys: {keys})."


def _json_kind(value: Any) -> str:
    """What a JSON (or YAML) value is, in JSON's words rather than Python's."""
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "just null"
    if isinstance(value, bool):
        return f"just {str(value).lower()}"
    if isinstance(value, int | float):
        return "just a number"
    if isinstance(value, str):
        return "just text"
    return f"a single {type(value).__name__} value"  # a YAML date, say
