"""Writing a whole :class:`Collection` (an import, usually) as one of our collection folders.

All of it or nothing: the folder is built beside its destination under a hidden name and
renamed into place only when every file is written (and synced to the disk). A failure
half-way, or a cancel, removes the hidden folder and its secret values, so the
destination never holds half a collection.

The collection file and the environments go through the :class:`CollectionStore` that
edits collections. The request tree, which may hold thousands of requests, is written by
``importers.tree_writer`` in one pass, byte for byte as the store writes it: the store
would rewrite a folder's ``folder.yaml`` (its order) after every request and fsync every
file on its own, which made a 5,000-request import take a minute; there each file is
written once, and one sync before the rename makes them all durable.

Secret values (secret variables, auth passwords and tokens, certificate passphrases) never
reach the files: the collection's (variables, auth, certificates) and its environments' go
through the store under keys that contain the
hidden folder's path and are re-keyed to the destination after the rename; the requests'
are kept in memory and stored once, under the destination's keys. Anything the secret
store still held for that path (a collection once there, deleted by hand) is forgotten
first.

``add_folder`` and ``merge_settings`` serve the other choice, adding an import to a
collection that is already open, without changing anything it holds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from apiclient.core.errors import StoreError
from apiclient.core.importers.progress import WRITING, ImportProgress
from apiclient.core.importers.tree_writer import (
    NOTHING_KEPT,
    UNNAMED_FOLDER,
    UNNAMED_REQUEST,
    TreeWriter,
)
from apiclient.core.models import AnyRequest, Collection, Environment, Folder, Variable
from apiclient.core.paths import ensure_dir
from apiclient.core.secrets import (
    SecretStore,
    collection_auth_scope_key,
    collection_scope_key,
    environment_scope_key,
    request_scope_key,
)
from apiclient.core.store import CollectionStore, FolderNode
from apiclient.core.store_format import ITEMS_DIR, unique_slug

__all__ = [
    "UNNAMED_FOLDER",
    "UNNAMED_REQUEST",
    "add_folder",
    "free_folder",
    "merge_settings",
    "write_collection",
]

IMPORTED_SUFFIX = " (imported)"


def write_collection(
    collection: Collection,
    dest: Path,
    secrets: SecretStore | None = None,
    progress: ImportProgress | None = None,
) -> Path:
    """Write ``collection`` as a new collection folder at ``dest``; returns ``dest``.

    ``dest`` must not exist or be an empty folder; anything else raises ``StoreError``
    before a file is written. Requests and folders without a name get a placeholder name
    (the store refuses blank ones). ``progress`` hears of each request written and may
    cancel (``ImportCancelledError``): then, as after any failure, nothing is left.
    """
    secrets = secrets if secrets is not None else SecretStore()
    progress = progress if progress is not None else ImportProgress()
    _check_destination(dest)
    ensure_dir(dest.parent)
    staging = _staging_path(dest)
    store: CollectionStore | None = None
    try:
        store = CollectionStore.create(staging, collection.name.strip() or dest.name, secrets)
        request_secrets = _fill(store, collection, progress, dest)
        keys = _scope_keys(store, staging, dest)
        _sync(staging)
        progress.check()  # the last moment a cancel still leaves nothing behind
        _move_into_place(staging, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        if store is not None:
            with contextlib.suppress(StoreError):
                for old, _new in _scope_keys(store, staging, dest):
                    secrets.replace_scope(old, {})
        raise
    # Values a collection once at ``dest`` left in the store (deleted by hand) would fill
    # the new collection's blank secrets: forget them, then move every group, empty or not.
    secrets.forget_collection(dest)
    for old, new in keys:
        values = secrets.scope(old)
        secrets.replace_scope(new, values)
        if values:
            secrets.replace_scope(old, {})
    for relpath, values in request_secrets.items():
        secrets.replace_scope(request_scope_key(dest, relpath), values)
    return dest


def add_folder(store: CollectionStore, folder: Folder, parent: str = "") -> str:
    """Write ``folder`` (and everything in it) as a new folder at the end of ``parent`` of
    an open collection; returns its relpath. Used to add an import to the open collection."""
    relpath = store.new_folder(parent, folder.name.strip() or UNNAMED_FOLDER)
    node = store.find(relpath)
    assert isinstance(node, FolderNode)
    node.description = folder.description
    if folder.auth.kind != "inherit":
        store.save_folder_auth(relpath, folder.auth)
    _fill_items(store, folder.items, relpath)
    if folder.description and not folder.items:
        # The folder file is written with its children; an empty folder gets its
        # description written by a rename to the same name.
        store.rename(relpath, node.name)
    return relpath


def free_folder(parent: Path, name: str) -> Path:
    """``parent`` / a slug of ``name`` that no file or folder in ``parent`` has yet: where a
    new collection called ``name`` can go."""
    try:
        taken = {p.name for p in parent.iterdir()} if parent.is_dir() else set()
    except OSError:
        taken = set()
    return parent / unique_slug(name, taken, "collection")


def merge_settings(
    variables: list[Variable], environments: list[Environment], imported: Collection
) -> tuple[list[Variable], list[Environment]]:
    """An open collection's variables and environments with ``imported``'s added.

    Nothing of the open collection changes: an imported variable whose name it already
    has is left out, and an imported environment whose name is taken is added as
    "<name> (imported)" ("<name> (imported 2)"...).
    """
    known = {v.name for v in variables}
    merged = [v.model_copy() for v in variables]
    merged += [v.model_copy() for v in imported.variables if v.name not in known]
    taken = {env.name for env in environments}
    added = []
    for env in imported.environments:
        name = env.name.strip() or "Imported"
        candidate, n = name, 1
        while candidate in taken:
            candidate = f"{name}{IMPORTED_SUFFIX}" if n == 1 else f"{name} (imported {n})"
            n += 1
        taken.add(candidate)
        added.append(env.model_copy(update={"name": candidate}, deep=True))
    return merged, [env.model_copy(deep=True) for env in environments] + added


def _check_destination(dest: Path) -> None:
    if not dest.exists():
        return
    if not dest.is_dir():
        raise StoreError(
            f"Cannot write the collection to {dest}: it is a file. Choose a new or empty folder.",
            dest,
        )
    try:
        empty = not any(dest.iterdir())
    except OSError as exc:
        raise StoreError.from_os_error(exc, dest, "read") from exc
    if not empty:
        raise StoreError(
            f"Cannot write the collection to {dest}: the folder is not empty. Choose a new "
            "or empty folder, so nothing in it is overwritten.",
            dest,
        )


def _staging_path(dest: Path) -> Path:
    while True:
        candidate = dest.with_name(f".{dest.name}.{os.urandom(4).hex()}.importing")
        if not candidate.exists():
            return candidate


def _fill(
    store: CollectionStore, collection: Collection, progress: ImportProgress, dest: Path
) -> dict[str, dict[str, str]]:
    """Write everything into the new ``store``; the requests' secret values by relpath."""
    store.description = collection.description
    store.variables = [v.model_copy() for v in collection.variables]
    store.contract_mocks = [mock.model_copy(deep=True) for mock in collection.contract_mocks]
    store.auth = collection.auth.model_copy()
    store.client_certificates = [cert.model_copy() for cert in collection.client_certificates]
    for env in collection.environments:
        store.save_environment(env)
    progress.start(WRITING, _count_requests(collection.items))
    writer = TreeWriter(store.root / ITEMS_DIR, progress, shown=dest / ITEMS_DIR)
    store.tree.children = writer.write(collection.items)
    store.save_settings()  # collection.yaml, with the order of the top level
    return writer.secrets


def _fill_items(store: CollectionStore, items: list[Folder | AnyRequest], parent: str) -> None:
    for item in items:
        if isinstance(item, Folder):
            add_folder(store, item, parent)
        else:
            if not item.name.strip():
                item = item.model_copy(update={"name": UNNAMED_REQUEST})
            store.save_request(item, None, parent)


def _scope_keys(store: CollectionStore, staging: Path, dest: Path) -> list[tuple[str, str]]:
    """Every secret scope key the store may have used, paired with its key at ``dest``
    (requests' values are never stored under the hidden folder's keys)."""
    pairs = [
        (collection_scope_key(staging), collection_scope_key(dest)),
        (collection_auth_scope_key(staging), collection_auth_scope_key(dest)),
    ]
    for env in store.environments:
        pairs.append(
            (environment_scope_key(staging, env.name), environment_scope_key(dest, env.name))
        )
    return pairs


def _count_requests(items: list[Folder | AnyRequest]) -> int:
    return sum(_count_requests(i.items) if isinstance(i, Folder) else 1 for i in items)


def _sync(staging: Path) -> None:
    """Make every file of the hidden folder durable before it is renamed into place: one
    ``sync`` where the system has it (thousands of fsyncs took longer than the writing),
    else an fsync per file."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in staging.rglob("*"):
        if path.is_file():
            try:
                with open(path, "rb+") as handle:
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise StoreError.from_os_error(exc, path, "write", keep=NOTHING_KEPT) from exc


def _move_into_place(staging: Path, dest: Path) -> None:
    try:
        if dest.exists():
            dest.rmdir()  # checked empty above; a rename onto a folder is not portable
        os.rename(staging, dest)
    except OSError as exc:
        raise StoreError.from_os_error(exc, dest, "create") from exc
