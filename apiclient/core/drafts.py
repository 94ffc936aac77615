"""Autosaved drafts: the unsaved edits of each request tab, kept apart from the collection.

A crash, a power cut or a killed process must not cost what a person typed since the last
Save, yet a draft must never touch the collection's own files (they are shared through
git, and an unsaved edit is not a decision to change them). So each collection keeps, per
open request, one small YAML file in the data dir, written atomically. Its name is the
*slot* of the sub-tab the request is open in: the first of a kind is the kind itself,
later ones ``<kind>-2``, ``<kind>-3``...

```
drafts/<collection folder name>-<hash of its path>/rest.yaml, rest-2.yaml, soap.yaml
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
does not load is moved aside (``*.broken-<time>``) and reported in ``problems``; one found
in the right folder but recorded for another path (a symlink re-pointed, a folder moved)
is moved aside (``*.kept-<time>``) and reported in ``moved_aside``; neither ever stops the
app from starting. A draft that could not be restored over other edits is kept the same
way (``set_aside``), listed by ``kept`` and brought back by ``swap``. Temporary files of
an interrupted write start with "." and are ignored.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
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

__all__ = ["Draft", "DraftStore", "Fingerprints", "Found", "request_fingerprint", "slot_kind"]

_PRIVATE_MODE = 0o600
_NO_COLLECTION = "no-collection"


def slot_kind(slot: str) -> str:
    """The request kind of a draft slot (``rest`` and ``rest-2`` hold REST requests);
    raises ``ValueError`` for a name that is no slot."""
    kind, dash, number = slot.partition("-")
    if kind not in REQUEST_KINDS or (
        dash and not (number.isdigit() and int(number) >= 2 and str(int(number)) == number)
    ):
        raise ValueError(slot)
    return kind


def _slot_number(slot: str) -> int:
    number = slot.partition("-")[2]
    return int(number) if number else 1


@dataclass(frozen=True)
class Draft:
    """The unsaved state of one open request: which collection and file it belongs to
    (``relpath`` None for a request never saved), the request as it was in the editor,
    ``base``, the ``request_fingerprint`` of the saved request it was edited from (None:
    unknown, or never saved), and ``slot``, where it is kept (default: its kind)."""

    kind: str
    collection: Path | None
    relpath: str | None
    request: AnyRequest
    saved_at: datetime
    base: str | None = None
    slot: str = ""

    def __post_init__(self) -> None:
        if not self.slot:
            object.__setattr__(self, "slot", self.kind)


@dataclass(frozen=True)
class Found:
    """What ``DraftStore.find`` read for a collection being opened."""

    drafts: list[Draft]
    loose: list[Draft]  # typed while no collection was open (none when that is the one)
    problems: list[LoadProblem]  # drafts that did not load, moved aside
    moved_aside: list[LoadProblem]  # drafts recorded for another path, moved aside
    kept: dict[str, list[Path]]  # per slot, the drafts kept aside (oldest first)


def request_fingerprint(request: AnyRequest) -> str:
    """A short digest of ``request`` as the store writes it: equal for equal requests.

    It serialises the whole request (a multi-megabyte body takes seconds): call it in a
    worker, through ``Fingerprints``."""
    text = dump_yaml(request_doc(request))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Fingerprints:
    """``request_fingerprint`` of the saved request of each draft slot, computed once per
    saved request (the store replaces a request object, never edits it). Used from
    worker threads; two of them racing at worst compute one twice."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[AnyRequest, str]] = {}

    def of(self, slot: str, saved: AnyRequest) -> str:
        cached = self._last.get(slot)
        if cached is not None and cached[0] is saved:
            return cached[1]
        fingerprint = request_fingerprint(saved)
        self._last[slot] = (saved, fingerprint)
        return fingerprint


class DraftStore:
    """The drafts in folder ``directory``: per collection, one file per slot (created on
    first save).

    Methods do blocking file I/O: the UI calls them through ``asyncio.to_thread``.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[LoadProblem] = []
        self.moved_aside: list[LoadProblem] = []

    def folder(self, collection: Path | None) -> Path:
        """The folder of the drafts of ``collection``: its name, for a person looking, and
        a hash of its full path, so two collections with one name never share drafts."""
        if collection is None:
            return self.directory / _NO_COLLECTION
        digest = hashlib.sha256(str(collection.resolve()).encode("utf-8")).hexdigest()[:12]
        return self.directory / f"{slugify(collection.name, 'collection')}-{digest}"

    def path(self, slot: str, collection: Path | None) -> Path:
        """The draft file of ``slot`` (a tab kind, or ``<kind>-<n>``) in ``collection``."""
        try:
            slot_kind(slot)
        except ValueError:
            raise StoreError(
                f"There is no tab kind {slot!r} to keep a draft for.", self.directory
            ) from None
        return self.folder(collection) / f"{slot}{SUFFIX}"

    def save(self, draft: Draft) -> None:
        """Write ``draft`` over the previous draft of its slot and collection, atomically."""
        path = self.path(draft.slot, draft.collection)
        ensure_dir(path.parent)
        atomic_write_text(path, _text(draft), mode=_PRIVATE_MODE)

    def discard(self, slot: str, collection: Path | None) -> None:
        """Forget the draft of ``slot`` in ``collection`` (saved, or its edits dropped); no
        draft is fine."""
        path = self.path(slot, collection)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "delete") from exc

    def set_aside(self, slot: str, collection: Path | None) -> Path:
        """Move the draft of ``slot`` in ``collection`` out of the way of the next autosave,
        keeping it for a person to look at (it could not be restored); returns where."""
        path = self.path(slot, collection)
        target = _aside(path, "kept")
        try:
            os.replace(path, target)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "move") from exc
        return target

    def kept(self, slot: str, collection: Path | None) -> list[Path]:
        """The drafts of ``slot`` in ``collection`` kept aside (``set_aside``, ``swap``, or
        recorded for another path), oldest first."""
        try:
            found = self.folder(collection).glob(f"{slot}{SUFFIX}.kept-*")
            return sorted(found, key=lambda path: (path.stat().st_mtime, path.name))
        except OSError:
            return []

    def swap(
        self, collection: Path | None, kept: Path, current: Draft | None
    ) -> tuple[Draft, Path | None]:
        """Make the draft kept in ``kept`` the draft of its slot in ``collection`` again,
        keeping ``current`` (the edits it replaces in the tab, if any) aside instead.
        Returns the draft and where ``current`` is kept. Nothing changes when ``kept``
        does not load; a crash midway leaves a copy too many, never one too few."""
        slot = kept.name.partition(".")[0]
        try:
            draft = _parse(slot, kept.read_text(encoding="utf-8"))
        except (*LOAD_ERRORS, StoreError) as exc:
            reason = exc.message if isinstance(exc, StoreError) else load_reason(exc)
            raise StoreError(f"{kept} cannot be restored: {reason}", kept) from exc
        draft = replace(draft, collection=collection)
        path = self.path(slot, collection)
        ensure_dir(path.parent)
        aside = None
        if current is not None:
            aside = _aside(path, "kept")
            atomic_write_text(aside, _text(current), mode=_PRIVATE_MODE)
        atomic_write_text(path, _text(draft), mode=_PRIVATE_MODE)
        try:
            kept.unlink()
        except OSError as exc:
            raise StoreError.from_os_error(exc, kept, "delete") from exc
        return draft, aside

    def find(self, collection: Path | None) -> Found:
        """Everything to restore or name when ``collection`` is opened (None: none could
        be): its drafts, those typed with no collection open, and the drafts kept aside."""
        drafts = self.load(collection)
        problems, moved = list(self.problems), list(self.moved_aside)
        loose = []
        if collection is not None:
            loose = self.load(None)
            problems += self.problems
            moved += self.moved_aside
        slots = self._slots(collection, f"{SUFFIX}.kept-*")
        kept = {slot: paths for slot in slots if (paths := self.kept(slot, collection))}
        return Found(drafts, loose, problems, moved, kept)

    def _slots(self, collection: Path | None, pattern: str) -> list[str]:
        """The slots with a file named ``<slot><pattern>`` in ``collection``'s folder: by
        kind, then by number."""
        try:
            names = [path.name for path in self.folder(collection).glob(f"*{pattern}")]
        except OSError:
            return []
        slots = set()
        for name in names:
            slot = name.partition(".")[0]
            try:
                slot_kind(slot)
            except ValueError:
                continue
            slots.add(slot)
        order = {kind: i for i, kind in enumerate(REQUEST_KINDS)}
        return sorted(slots, key=lambda slot: (order[slot_kind(slot)], _slot_number(slot)))

    def load(self, collection: Path | None) -> list[Draft]:
        """Every draft of ``collection`` that loads; the others are moved aside and listed
        in ``problems``."""
        self.problems = []
        self.moved_aside = []
        drafts = []
        for slot in self._slots(collection, SUFFIX):
            path = self.path(slot, collection)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.problems.append(LoadProblem(path, load_reason(exc)))
                continue
            try:
                draft = _parse(slot, data.decode("utf-8"))
            except LOAD_ERRORS as exc:
                self.problems.append(LoadProblem(self._set_aside_broken(path), load_reason(exc)))
                continue
            if _same(draft.collection, collection):
                drafts.append(draft)
                continue
            target = _aside(path, "kept")
            try:
                os.replace(path, target)
            except OSError as exc:
                self.problems.append(LoadProblem(path, load_reason(exc)))
                continue
            self.moved_aside.append(
                LoadProblem(target, f"it was written for the collection at {draft.collection}")
            )
        return drafts

    def _set_aside_broken(self, path: Path) -> Path:
        """Move a broken draft out of the way (kept for a person to look at)."""
        target = _aside(path, "broken")
        try:
            os.replace(path, target)
        except OSError:
            return path  # left where it is; the next start reports it again
        return target


def _text(draft: Draft) -> str:
    return dump_yaml(
        {
            "schema_version": SCHEMA_VERSION,
            "kind": draft.kind,
            "collection": str(draft.collection) if draft.collection is not None else None,
            "relpath": draft.relpath,
            "saved_at": draft.saved_at.astimezone(UTC).isoformat(),
            "base": draft.base,
            "request": request_doc(draft.request),
        }
    )


def _aside(path: Path, why: str) -> Path:
    """A name beside ``path`` that no file has yet: ``<name>.<why>-<time>[-<n>]``."""
    stamp = f"{path.name}.{why}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    target, n = path.with_name(stamp), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{stamp}-{n}")
    return target


def _same(a: Path | None, b: Path | None) -> bool:
    """Whether two collection paths name one folder (a hash of the path chose the folder;
    this rules out a collision, and a draft file copied in by hand)."""
    if a is None or b is None:
        return a is b
    return a.resolve() == b.resolve()


def _parse(slot: str, text: str) -> Draft:
    kind = slot_kind(slot)
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
        slot=slot,
    )
