"""Global variables: the lowest scope, shared by every collection, kept in the data dir."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.core.models import SCHEMA_VERSION, Variable
from apiclient.core.store_format import (
    FormatError,
    check_schema_version,
    dump_yaml,
    load_yaml,
    model_doc,
    parse_model,
)


class GlobalsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int
    variables: list[Variable] = Field(default_factory=list)


def load_globals(path: Path) -> list[Variable]:
    """The global variables at ``path``; none when the file does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError.from_os_error(exc, path, action="read") from exc
    try:
        doc = load_yaml(text)
        check_schema_version(doc)
        return parse_model(GlobalsFile, doc).variables
    except FormatError as exc:
        raise StoreError(
            f"Cannot read the global variables in {path}: {exc.reason}. Fix or remove the "
            "file; it is left as it is.",
            path,
        ) from exc


def save_globals(path: Path, variables: list[Variable]) -> None:
    doc = model_doc(
        GlobalsFile(schema_version=SCHEMA_VERSION, variables=variables), always=("schema_version",)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, dump_yaml(doc))
