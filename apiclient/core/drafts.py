"""Autosaved drafts: the unsaved edits of each request tab, kept apart from the collection.

A crash, a power cut or a killed process must not cost what a person typed since the last
Save, yet a draft must never touch the collection's own files (they are shared through
git, and an unsaved edit is not a decision to change them). So each tab kind keeps one
small YAML file in the data dir, written atomically:

```
drafts/rest.yaml     schema_version, kind, collection, relpath, saved_at, request
```

``request`` is the request document exactly as the store writes it (``request_doc``), and
is read back with ``parse_request``. A draft holds what the user typed, secrets included
(an auth token typed since the last Save is part of the work), so its file is readable
by its owner only. A draft file that does not load is moved aside (``*.broken-<time>``)
and reported in ``problems``; it never stops the app from starting. Temporary files of
an interrupted write start with "." and are ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.core.models import SCHEMA_VERSION, AnyRequest
from apiclient.core.paths import ensure_dir
from apiclient.core.store_files import LOAD_ERRORS, load_reason
from apiclient.core.store_format import (
    REQUEST_KINDS,
    SUFFIX,
    FormatError,
    check_schema_version,
    dump_yaml,
    load_yaml,
    parse_request,
    request_doc,
)
from apiclient.core.store_nodes import LoadProblem

__all__ = ["Draft", "DraftStore"]

_PRIVATE_MODE = 0o600


@dataclass(frozen=True)
class Draft:
    """The unsaved state of one tab: which collection and file it belongs to (``relpath``
    None for a request never saved) and the request as it was in the editor."""

    kind: str
    collection: Path | None
    relpath: str | None
    request: AnyRequest
    saved_at: datetime


class DraftStore:
    """The drafts in folder ``directory``, one file per tab kind (created on first save).

    Methods do blocking file I/O: the UI calls them through ``asyncio.to_thread``.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[LoadProblem] = []

    def path(self, kind: str) -> Path:
        """The draft file of tab kind ``kind``."""
        if kind not in REQUEST_KINDS:
            raise StoreError(f"There is no tab kind {kind!r} to keep a draft for.", self.directory)
        return self.directory / f"{kind}{SUFFIX}"

    def save(self, draft: Draft) -> None:
        """Write ``draft`` over the previous draft of its kind, atomically."""
        doc = {
            "schema_version": SCHEMA_VERSION,
            "kind": draft.kind,
            "collection": str(draft.collection) if draft.collection is not None else None,
            "relpath": draft.relpath,
            "saved_at": draft.saved_at.astimezone(UTC).isoformat(),
            "request": request_doc(draft.request),
        }
        ensure_dir(self.directory)
        atomic_write_text(self.path(draft.kind), dump_yaml(doc), mode=_PRIVATE_MODE)

    def discard(self, kind: str) -> None:
        """Forget the draft of ``kind`` (saved, or its edits dropped); no draft is fine."""
        path = self.path(kind)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "delete") from exc

    def load_all(self) -> list[Draft]:
        """Every draft that loads; the others are moved aside and listed in ``problems``."""
        self.problems = []
        drafts = []
        for kind in REQUEST_KINDS:
            path = self.directory / f"{kind}{SUFFIX}"
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.problems.append(LoadProblem(path, load_reason(exc)))
                continue
            try:
                drafts.append(_parse(kind, data.decode("utf-8")))
            except LOAD_ERRORS as exc:
                self.problems.append(LoadProblem(self._set_aside(path), load_reason(exc)))
        return drafts

    def _set_aside(self, path: Path) -> Path:
        """Move a broken draft out of the way (kept for a person to look at)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = path.with_name(f"{path.name}.broken-{stamp}")
        try:
            os.replace(path, target)
        except OSError:
            return path  # left where it is; the next start reports it again
        return target


def _parse(kind: str, text: str) -> Draft:
    doc = load_yaml(text)
    check_schema_version(doc)
    if doc.get("kind") != kind:
        raise FormatError(f"field 'kind': expected {kind!r}, found {doc.get('kind')!r}")
    request_part = doc.get("request")
    if not isinstance(request_part, dict):
        raise FormatError("field 'request': expected the request's fields")
    request = parse_request(dump_yaml(request_part))
    if request.kind != kind:
        raise FormatError(f"field 'request.kind': expected {kind!r}, found {request.kind!r}")
    collection = doc.get("collection")
    relpath = doc.get("relpath")
    if collection is not None and not isinstance(collection, str):
        raise FormatError("field 'collection': expected a folder path")
    if relpath is not None and not isinstance(relpath, str):
        raise FormatError("field 'relpath': expected a path inside the collection")
    saved_at = doc.get("saved_at")
    try:
        when = datetime.fromisoformat(str(saved_at))
    except ValueError as exc:
        raise FormatError(f"field 'saved_at': not a date and time ({saved_at!r})") from exc
    return Draft(
        kind=kind,
        collection=Path(collection) if collection is not None else None,
        relpath=relpath,
        request=request,
        saved_at=when if when.tzinfo is not None else when.replace(tzinfo=UTC),
    )
