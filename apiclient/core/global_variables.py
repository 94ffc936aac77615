"""Global variables: the lowest scope, shared by every collection, kept in the data dir.

Like a collection's, a global variable marked secret keeps its value out of the file
(``globals.yaml`` gets an empty value): the value goes to the ``SecretStore`` under the
globals scope and is put back on load. A secret value still in the file (typed before
secrets were kept apart) is read as is and moves to the store on the next save.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.core.models import SCHEMA_VERSION, Variable
from apiclient.core.secrets import SecretStore
from apiclient.core.store_files import blank_secrets
from apiclient.core.store_format import (
    FormatError,
    check_schema_version,
    dump_yaml,
    load_yaml,
    model_doc,
    parse_model,
)


class GlobalsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use

    schema_version: int
    variables: list[Variable] = Field(default_factory=list)


def globals_scope_key(path: Path) -> str:
    """The scope key of the secret values of the global variables kept at ``path``."""
    return f"{path.resolve()}::globals"


def load_globals(path: Path, secrets: SecretStore | None = None) -> list[Variable]:
    """The global variables at ``path``, secret values put back from ``secrets`` (the
    user's ``SecretStore`` by default); none when the file does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError.from_os_error(exc, path, action="read") from exc
    try:
        doc = load_yaml(text)
        check_schema_version(doc)
        variables = parse_model(GlobalsFile, doc).variables
    except FormatError as exc:
        raise StoreError(
            f"Cannot read the global variables in {path}: {exc.reason}. Fix or remove the "
            "file; it is left as it is.",
            path,
        ) from exc
    if not any(v.secret for v in variables):
        return variables
    store = secrets if secrets is not None else SecretStore()
    stored = store.scope(globals_scope_key(path))
    return [
        v.model_copy(update={"value": stored[v.name]})
        if v.secret and not v.value and v.name in stored
        else v
        for v in variables
    ]


def save_globals(path: Path, variables: list[Variable], secrets: SecretStore | None = None) -> None:
    """Write the global variables to ``path``; secret values go to ``secrets`` (the user's
    ``SecretStore`` by default) first, so the file never holds one."""
    store = secrets if secrets is not None else SecretStore()
    store.replace_scope(globals_scope_key(path), {v.name: v.value for v in variables if v.secret})
    doc = model_doc(
        GlobalsFile(schema_version=SCHEMA_VERSION, variables=blank_secrets(variables)),
        always=("schema_version",),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, dump_yaml(doc))
