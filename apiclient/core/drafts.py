"""Autosaved drafts: the unsaved edits of each request tab, kept apart from the collection.

A crash, a power cut or a killed process must not cost what a person typed since the last
Save, yet a draft must never touch the collection's own files (they are shared through
git, and an unsaved edit is not a decision to change them). So each collection keeps, per
tab kind, one small YAML file in the data dir, written atomically:

```
drafts/<collection folder name>-<hash of its path>/rest.yaml
drafts/no-collection/rest.yaml      (typed while no collection was open)
    schema_version, kind, collection, relpath, saved_at, base, request
```

One folder per collection, so the drafts of a collection wait, untouched, while another
one is open and edited. ``request`` is the request document exactly as the store writes
it (``request_doc``), read back with ``parse_request``. ``base`` is the fingerprint of the
saved request the edits were made over: when the file changed since (a git pull while
the app was closed), restoring the draft is a conflict to show, not a silent choice.

A draft holds what the user typed, secrets included (an auth token typed since the last
Save is part of the work), so its file is readable by its owner only. A draft file that
does not load is moved aside (``*.broken-<time>``) and reported in ``problems``; it never
stops the app from starting. Temporary files of an interrupted write start with "." and
are ignored.
"""

from __future__ import annotations

import hashlib
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
    slugify,
)
from apiclient.core.store_nodes import LoadProblem

__all__ = ["Draft", "DraftStore", "request_fingerprint"]

_PRIVATE_MODE = 0o600
_NO_COLLECTION = "no-collection"


@dataclass(frozen=True)
class Draft:
    """The unsaved state of one tab: which collection and file it belongs to (``relpath``
    None for a request never saved), the request as it was in the editor, and ``base``,
    the ``request_fingerprint`` of the saved request it was edited from (None: unknown,
    or never saved)."""

    kind: str
    collection: Path | None
    relpath: str | None
    request: AnyRequest
    saved_at: datetime
    base: str | None = None


def request_fingerprint(request: AnyRequest) -> str:
    """A short digest of ``request`` as the store writes it: equal for equal requests."""
    text = dump_yaml(request_doc(request))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class DraftStore:
    """The drafts in folder ``directory``: per collection, one file per tab kind (created
    on first save).

    Methods do blocking file I/O: the UI calls them through ``asyncio.to_thread``.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[LoadProblem] = []

    def folder(self, collection: Path | None) -> Path:
        """The folder of the drafts of ``collection``: its name, for a person looking, and
        a hash of its full path, so two collections with one name never share drafts."""
        if collection is None:
            return self.directory / _NO_COLLECTION
        digest = hashlib.sha256(str(collection.resolve()).encode("utf-8")).hexdigest()[:12]
        return self.directory / f"{slugify(collection.name, 'collection')}-{digest}"

    def path(self, kind: str, collection: Path | None) -> Path:
        """The draft file of tab kind ``kind`` in ``collection``."""
        if kind not in REQUEST_KINDS:
            raise StoreError(f"There is no tab kind {kind!r} to keep a draft for.", self.directory)
        return self.folder(collection) / f"{kind}{SUFFIX}"

    def save(self, draft: Draft) -> None:
        """Write ``draft`` over the previous draft of its kind and collection, atomically."""
        doc = {
            "schema_version": SCHEMA_VERSION,
            "kind": draft.kind,
            "collection": str(draft.collection) if draft.collection is not None else None,
            "relpath": draft.relpath,
            "saved_at": draft.saved_at.astimezone(UTC).isoformat(),
            "base": draft.base,
            "request": request_doc(draft.request),
        }
        path = self.path(draft.kind, draft.collection)
        ensure_dir(path.parent)
        atomic_write_text(path, dump_yaml(doc), mode=_PRIVATE_MODE)

    def discard(self, kind: str, collection: Path | None) -> None:
        """Forget the draft of ``kind`` in ``collection`` (saved, or its edits dropped); no
        draft is fine."""
        path = self.path(kind, collection)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "delete") from exc

    def set_aside(self, kind: str, collection: Path | None) -> Path:
        """Move the draft of ``kind`` in ``collection`` out of the way of the next autosave,
        keeping it for a person to look at (it could not be restored); returns where."""
        path = self.path(kind, collection)
        target = _aside(path, "kept")
        try:
            os.replace(path, target)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "move") from exc
        return target

    def load(self, collection: Path | None) -> list[Draft]:
        """Every draft of ``collection`` that loads; the others are moved aside and listed
        in ``problems``."""
        self.problems = []
        drafts = []
        for kind in REQUEST_KINDS:
            path = self.path(kind, collection)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.problems.append(LoadProblem(path, load_reason(exc)))
                continue
            try:
                draft = _parse(kind, data.decode("utf-8"))
            except LOAD_ERRORS as exc:
                self.problems.append(LoadProblem(self._set_aside_broken(path), load_reason(exc)))
                continue
            if _same(draft.collection, collection):
                drafts.append(draft)
        return drafts

    def _set_aside_broken(self, path: Path) -> Path:
        """Move a broken draft out of the way (kept for a person to look at)."""
        target = _aside(path, "broken")
        try:
            os.replace(path, target)
        except OSError:
            return path  # left where it is; the next start reports it again
        return target


def _aside(path: Path, why: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return path.with_name(f"{path.name}.{why}-{stamp}")


def _same(a: Path | None, b: Path | None) -> bool:
    """Whether two collection paths name one folder (a hash of the path chose the folder;
    this rules out a collision, and a draft file copied in by hand)."""
    if a is None or b is None:
        return a is b
    return a.resolve() == b.resolve()


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
    base = doc.get("base")
    if base is not None and not isinstance(base, str):
        raise FormatError("field 'base': expected the fingerprint of the saved request")
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
        base=base,
    )
