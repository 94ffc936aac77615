"""The request tree of a new collection folder written in one pass (for
``collection_writer.write_collection``), laid out as the store lays it out.

File names, ``folder.yaml`` (name, description, auth, order) and the YAML of each request are
those ``CollectionStore`` writes, byte for byte, but each file is written once (the store
rewrites a folder's order after every request it adds) and none is synced on its own:
the folder is hidden until renamed, and the caller syncs it once before that.

Making the YAML in worker processes was tried: on a machine with no idle core it was
slower (pickling, and the processes compete for the same cores), so it is made here
(``yaml_text.dump`` takes about 0.1 ms per request).
"""

from __future__ import annotations

import os
from pathlib import Path

from apiclient.core.errors import StoreError
from apiclient.core.importers.progress import ImportProgress
from apiclient.core.models import AnyRequest, Folder
from apiclient.core.secret_fields import split_auth, split_secret_fields
from apiclient.core.store_files import blank_secrets
from apiclient.core.store_format import (
    FOLDER_FILE,
    SUFFIX,
    FolderFile,
    dump_yaml,
    model_doc,
    request_doc,
    unique_slug,
)
from apiclient.core.store_nodes import FolderNode, Node, RequestNode, entry_name, join_relpath

UNNAMED_REQUEST = "Unnamed request"
UNNAMED_FOLDER = "Unnamed folder"
NOTHING_KEPT = "the half-written collection was deleted"
_NEW_FILE_MODE = 0o666  # narrowed by the umask, as the store's atomic writes do


class TreeWriter:
    """Writes an item tree under ``items``, telling ``progress`` of each request written.
    ``secrets`` holds each request's secret values by relpath (its file leaves them
    blank), and each folder's auth secrets under ``<folder>/folder.yaml``, for the caller
    to store. An error names a file under ``shown`` (where the
    folder will be, not its hidden name) instead of ``items``."""

    def __init__(self, items: Path, progress: ImportProgress, shown: Path) -> None:
        self.items = items
        self.shown = shown
        self.progress = progress
        self.secrets: dict[str, dict[str, str]] = {}
        self._done = 0

    def write(self, items: list[Folder | AnyRequest], relpath: str = "") -> list[Node]:
        """Write ``items`` into the folder at ``relpath``; returns their nodes."""
        if items or relpath:  # as the store: no items folder for a collection without any
            self._make_dir(relpath)
        # As the store sees a folder: its folder.yaml is there before its entries.
        taken = {FOLDER_FILE, FOLDER_FILE.removesuffix(SUFFIX)} if relpath else set()
        nodes: list[Node] = []
        for item in items:
            if isinstance(item, Folder):
                name = item.name.strip() or UNNAMED_FOLDER
                slug = unique_slug(name, taken, "folder")
                taken.add(slug)
                folder = FolderNode(
                    join_relpath(relpath, slug), name, item.description, auth=item.auth.model_copy()
                )
                folder.children = self.write(item.items, folder.relpath)
                self._write_folder_file(folder)
                nodes.append(folder)
            else:
                if not item.name.strip():
                    item = item.model_copy(update={"name": UNNAMED_REQUEST})
                slug = unique_slug(item.name, taken, "request")
                taken.update((slug, slug + SUFFIX))
                node = RequestNode(join_relpath(relpath, slug + SUFFIX), item)
                self._write_request(node)
                nodes.append(node)
        return nodes

    def _write_request(self, node: RequestNode) -> None:
        request = node.request
        on_disk, fields = split_secret_fields(request)
        values = {v.name: v.value for v in request.variables if v.secret} | dict(fields)
        if values:
            self.secrets[node.relpath] = values
        on_disk = on_disk.model_copy(update={"variables": blank_secrets(request.variables)})
        self._write_file(node.relpath, dump_yaml(request_doc(on_disk)))
        self._done += 1
        self.progress.step(self._done)

    def _write_folder_file(self, folder: FolderNode) -> None:
        order = [entry_name(child) for child in folder.children]
        auth, values = split_auth(folder.auth)
        relpath = join_relpath(folder.relpath, FOLDER_FILE)
        if values:  # under the folder's scope key (``secrets.folder_scope_key_in``)
            self.secrets[relpath] = values
        doc = FolderFile(name=folder.name, description=folder.description, auth=auth, order=order)
        text = dump_yaml(model_doc(doc, always=("name",)))
        self._write_file(relpath, text)

    def _make_dir(self, relpath: str) -> None:
        try:
            (self.items / relpath).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(exc, relpath, "create") from exc

    def _write_file(self, relpath: str, text: str) -> None:
        """Write a new file (not atomic, not synced: nobody sees the folder yet)."""
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(self.items / relpath, flags, _NEW_FILE_MODE)
            try:
                view = memoryview(text.encode("utf-8"))
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        except OSError as exc:
            raise self._error(exc, relpath, "write") from exc

    def _error(self, exc: OSError, relpath: str, action: str) -> StoreError:
        return StoreError.from_os_error(exc, self.shown / relpath, action, keep=NOTHING_KEPT)
