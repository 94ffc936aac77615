"""Exporting a collection folder to a file or folder: what ``apiclient export`` and the
window's File > Export collection… both run, so they write the same thing.

Two formats. ``postman``: one Postman Collection v2.1 file (see
:mod:`apiclient.core.exporters.postman`), without secret values unless asked. ``folder``:
a copy as one of our collection folders, written through the same store that saves
collections, so secret values stay out of its files exactly as on save; they are copied
into this machine's ``SecretStore`` under the copy's scope, so the copy works here.

The source is read from disk: an export holds what is saved, not unsaved edits. Neither
format may be written inside the source collection's folder (it would become part of the
collection).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from apiclient.core.atomic import atomic_write_text
from apiclient.core.collection_writer import write_collection
from apiclient.core.errors import StoreError
from apiclient.core.models import AnyRequest, Collection, Folder
from apiclient.core.secret_fields import split_auth, split_certificates, split_secret_fields
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore

FORMATS: dict[str, str] = {
    "postman": "Postman Collection v2.1",
    "folder": "apiclient collection folder",
}
"""The formats ``export_collection`` writes, with their names for people."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: where, in which format, the collection as exported (for
    counts), and every warning about what was left out or needs care."""

    output: Path
    format: str
    collection: Collection
    warnings: tuple[str, ...]


def export_collection(
    source: Path,
    fmt: str,
    output: Path,
    *,
    include_secrets: bool = False,
    secrets: SecretStore | None = None,
) -> ExportResult:
    """Export the collection folder ``source`` as ``fmt`` to ``output``.

    Raises ``StoreError`` (or ``CollectionLoadError``) with a one-line message, before
    anything is written, for bad input: an unknown format, a collection that does not
    open, an output inside the collection, an output that is a folder (postman) or a
    file or non-empty folder (folder), secrets asked for in a folder. An ``OSError`` (a
    name too long, a folder that may not be read) becomes a ``StoreError`` too.
    """
    try:
        return _export(source, fmt, output, include_secrets, secrets)
    except OSError as exc:
        where = Path(os.fsdecode(exc.filename)) if exc.filename else output
        raise StoreError.from_os_error(exc, where, "use", keep="nothing was exported") from exc


def _export(
    source: Path, fmt: str, output: Path, include_secrets: bool, secrets: SecretStore | None
) -> ExportResult:
    if fmt not in FORMATS:
        known = ", ".join(f"'{name}' ({label})" for name, label in FORMATS.items())
        raise StoreError(f"{fmt!r} is not a format apiclient exports; use one of {known}.", output)
    if include_secrets and fmt == "folder":
        raise StoreError(
            "Secret values cannot be included in a collection folder: its files never hold "
            "them (they are copied to this machine's secret store instead). Export without "
            "secrets, or choose the Postman format.",
            output,
        )
    secrets = secrets if secrets is not None else SecretStore()
    store = CollectionStore.open(source, secrets)
    if _inside(output, source):
        raise StoreError(
            f"Cannot export the collection to {output}: it is inside the collection itself. "
            "Choose a place outside it.",
            output,
        )
    collection = store.to_collection()
    skipped = [
        f"{problem.path} could not be loaded and was left out: {problem.reason}"
        for problem in store.problems
    ]
    if fmt == "postman":
        warnings = _write_postman(collection, output, include_secrets)
    else:
        warnings = _write_folder(collection, output, secrets)
    return ExportResult(output, fmt, collection, (*skipped, *warnings))


def _write_postman(collection: Collection, output: Path, include_secrets: bool) -> list[str]:
    from apiclient.core.exporters.postman import export_postman

    if output.is_dir():
        raise StoreError(f"Cannot write to {output}: it is a folder; give a file name.", output)
    if not output.parent.is_dir():
        raise StoreError(f"Cannot write to {output}: {output.parent} does not exist.", output)
    # Double quotes: the one quoting that POSIX shells, cmd.exe and PowerShell all read.
    doc, warnings = export_postman(
        collection, include_secrets=include_secrets, file_name=f'"{output.name}"'
    )
    atomic_write_text(output, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return list(warnings)


def _write_folder(collection: Collection, output: Path, secrets: SecretStore) -> list[str]:
    write_collection(collection, output, secrets)
    if not _has_secrets(collection):
        return []
    return [
        f"Secret values are not in the files of {output}; they were copied to "
        f"{secrets.backend_name}, so the copy works on this machine. Anyone who opens "
        "it elsewhere types them in again."
    ]


def _inside(target: Path, root: Path) -> bool:
    """True when ``target`` is ``root`` or would be inside it, as the file system sees it
    (a disk that ignores case, links, ``..``): the nearest existing ancestor of ``target``
    is compared with ``root`` and each of its parents by identity, not by name."""
    path = target.expanduser().absolute()
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None:
        return False
    real = existing.resolve()
    return any(os.path.samefile(folder, root) for folder in (real, *real.parents))


def _has_secrets(collection: Collection) -> bool:
    """True when any variable marked secret, any secret request field, the secret fields
    of a folder's or the collection's auth or a certificate's passphrase has a value."""
    variables = [*collection.variables]
    for env in collection.environments:
        variables += env.variables
    if any(v.secret and v.value for v in variables):
        return True
    if split_auth(collection.auth)[1] or split_certificates(collection.client_certificates)[1]:
        return True

    def walk(items: list[Folder | AnyRequest]) -> bool:
        for item in items:
            if isinstance(item, Folder):
                if split_auth(item.auth)[1] or walk(item.items):
                    return True
            elif split_secret_fields(item)[1] or any(v.secret and v.value for v in item.variables):
                return True
        return False

    return walk(collection.items)
