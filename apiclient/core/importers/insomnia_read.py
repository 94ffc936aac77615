"""Reading an Insomnia export and checking it is one we can import (v4, JSON or YAML).

Insomnia writes JSON or YAML; a JSON syntax error is reported with its line and column,
and the v5 YAML format (Insomnia 11 and later) and the legacy formats 1 to 3 are refused
with a message saying so. :mod:`apiclient.core.importers.insomnia` builds the collection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from apiclient.core import yaml_text
from apiclient.core.importers import CollectionImportError, describe_document, read_json_file
from apiclient.core.importers.common import Json, yaml_position

EXPORT_AGAIN = "In Insomnia, export the collection again (Export > Insomnia v4) and import that."


class InsomniaImportError(CollectionImportError):
    """A file that is not an Insomnia v4 export we can read."""


def read_export(path: Path) -> tuple[list[Json], int]:
    """The resources of the Insomnia v4 export in ``path`` that are objects with an
    ``_id``, and how many others were left out; ``InsomniaImportError`` when it is not
    one we can read."""
    doc = _read(path)
    resources = _check_shape(doc, path)
    return resources, len(doc["resources"]) - len(resources)


def _read(path: Path) -> Any:
    """JSON (its errors give line and column), else YAML: Insomnia writes both, and some
    YAML exports are one flow mapping that starts like JSON."""
    try:
        head = path.read_bytes()[:64].decode("utf-8-sig", errors="replace").lstrip()
    except OSError as exc:
        raise InsomniaImportError(f"Cannot read {path}: {exc.strerror or exc}.", path) from exc
    if not head or head[0] in "{[":
        try:
            return read_json_file(path, InsomniaImportError, EXPORT_AGAIN)
        except InsomniaImportError as json_error:
            doc = _read_yaml(path, quiet=True)
            if not isinstance(doc, dict):
                raise json_error from None
            return doc
    return _read_yaml(path, quiet=False)


def _read_yaml(path: Path, quiet: bool) -> Any:
    """The YAML document in ``path``; None when ``quiet`` and it is not YAML."""
    try:
        return yaml_text.load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        if quiet:
            return None
        raise InsomniaImportError(
            f"{path} is not UTF-8 text, so it is not an Insomnia export. {EXPORT_AGAIN}", path
        ) from exc
    except yaml.YAMLError as exc:
        if quiet:
            return None
        position = yaml_position(exc)
        where = f" ({position})" if position else ""
        problem = getattr(exc, "problem", None) or "it cannot be parsed"
        raise InsomniaImportError(
            f"{path} is neither valid JSON nor valid YAML{where}: {problem}. {EXPORT_AGAIN}",
            path,
        ) from exc


def _check_shape(doc: Any, path: Path) -> list[Json]:
    """The resources of a v4 export, their links made text; refuses v5, old formats and
    anything that is not an Insomnia export, saying which."""
    if isinstance(doc, dict) and str(doc.get("type", "")).startswith(
        ("collection.insomnia.rest/", "spec.insomnia.rest/", "environment.insomnia.rest/")
    ):
        raise InsomniaImportError(
            f"{path} is an Insomnia v5 export ({doc['type']}), which apiclient does not read "
            "yet. In Insomnia, export it in the v4 format (or as HAR) and import that.",
            path,
        )
    if not (isinstance(doc, dict) and (doc.get("_type") == "export" or "__export_format" in doc)):
        raise InsomniaImportError(
            f"{path} is not an Insomnia export: {describe_document(doc)} {EXPORT_AGAIN}", path
        )
    version = doc.get("__export_format")
    if version != 4:
        age = "an old" if isinstance(version, int) and version < 4 else "an unknown"
        raise InsomniaImportError(
            f"{path} is an Insomnia export in {age} format ({version!r}); apiclient reads "
            f"format 4. {EXPORT_AGAIN}",
            path,
        )
    resources = doc.get("resources")
    if not isinstance(resources, list):
        raise InsomniaImportError(
            f'{path} is an Insomnia export without a "resources" list, so it is cut short or '
            f"damaged. {EXPORT_AGAIN}",
            path,
        )
    # The links and kinds are used as keys, so anything but text there is dropped here.
    return [
        {
            **r,
            "parentId": r.get("parentId") if isinstance(r.get("parentId"), str) else None,
            "_type": r.get("_type") if isinstance(r.get("_type"), str) else "",
        }
        for r in resources
        if isinstance(r, dict) and isinstance(r.get("_id"), str)
    ]
