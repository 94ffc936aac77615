"""Collections on disk: a folder of small YAML files that diffs cleanly in git.

```
my-api/
  collection.yaml            schema_version, name, description, variables, auth, client
                             certificates, contract mocks, order
  environments/<slug>.yaml   name, variables (secret values live in the SecretStore)
  items/                     the request tree
    get-item.yaml            kind: rest, name, method, url, params, headers, body...
    playlists/               a folder
      folder.yaml            name, description, auth, order
      list-playlists.yaml
```

Requests live under ``items/`` so a folder may be called "environments" or anything else.
File names are slugs of the display names (the ``name:`` inside the file is what the user
sees); ``order:`` lists entry names (file stems, folder names), unlisted entries follow
sorted by entry name.

Rules this module keeps: every write is atomic and happens only when the text changed;
a file that fails to load is reported in ``problems`` and is never overwritten or
deleted by later saves (it keeps its name and its place in ``order``); after every
operation the in-memory tree is what a fresh ``open`` would read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from apiclient.core.errors import CollectionLoadError, StoreError
from apiclient.core.models import (
    SCHEMA_VERSION,
    AnyRequest,
    Auth,
    ClientCertificate,
    Collection,
    Environment,
    Folder,
)
from apiclient.core.paths import ensure_dir
from apiclient.core.secret_fields import (
    fill_auth,
    fill_certificates,
    fill_secret_fields,
    needs_secret_fields,
    split_auth,
    split_certificates,
    split_secret_fields,
)
from apiclient.core.secrets import (
    SecretStore,
    collection_auth_scope_key,
    collection_scope_key,
    folder_scope_key_in,
    request_scope_key_in,
    scope_base,
)
from apiclient.core.store_cache import read_request
from apiclient.core.store_contract_mocks import detached, for_file
from apiclient.core.store_environments import EnvironmentStore
from apiclient.core.store_files import (
    LOAD_ERRORS,
    CollectionFiles,
    NotRegularFileError,
    blank_secrets,
    list_entries,
    load_reason,
    read_doc,
)
from apiclient.core.store_format import (
    COLLECTION_FILE,
    FOLDER_FILE,
    ITEMS_DIR,
    SUFFIX,
    CollectionFile,
    FolderFile,
    FormatError,
    check_schema_version,
    dump_yaml,
    model_doc,
    parse_model,
    request_doc,
    unique_slug,
)
from apiclient.core.store_nodes import (
    FolderNode,
    LoadProblem,
    Node,
    RequestNode,
    entry_name,
    in_order,
    is_within,
    join_relpath,
    parent_relpath,
    walk,
)

__all__ = ["CollectionStore", "FolderNode", "LoadProblem", "Node", "RequestNode"]

PROGRESS_EVERY = 250
"""How many request files ``CollectionStore.open`` reads between two progress calls."""


def _check_name(name: str, what: str, path: Path) -> None:
    if not name.strip():
        raise StoreError(f"A {what} needs a name; type at least one visible character.", path)


def _kind(node: Node) -> str:
    return "folder" if isinstance(node, FolderNode) else "request"


class CollectionStore:
    """One collection folder, loaded into a tree of nodes the UI shows and edits.

    Build it with ``open`` or ``create``. Every method that changes something writes it
    to disk before returning and raises ``StoreError`` (with a message for a person) when
    it cannot. ``name``, ``description``, ``variables``, ``contract_mocks``, ``auth`` (what
    requests inherit when no folder sets one) and ``client_certificates`` are edited in
    place and written by ``save_settings``; ``save_folder_auth`` and
    ``save_client_certificates`` write one of the latter at once. Secret values of them
    all live in the ``SecretStore``, never in the files.
    """

    def __init__(self, root: Path, secrets: SecretStore, settings: CollectionFile) -> None:
        self.root = root
        self._files = CollectionFiles(root, secrets)
        self._envs = EnvironmentStore(self._files)
        self._settings = settings  # collection.yaml as last written (secret values blank)
        self._orders: dict[str, list[str]] = {}  # folder relpath -> order as last read/written
        self.tree = FolderNode("", settings.name, settings.description)
        self._scope_base = scope_base(root)
        # Scope keys holding secret values, read once per load (None: not read yet).
        self._secret_scopes: frozenset[str] | None = None
        self._progress: Callable[[int], None] | None = None  # while ``open`` reads
        self._requests_read = 0
        key = collection_scope_key(root)
        self.variables = self._files.fill_secrets(settings.variables, key)
        self.contract_mocks = [mock.model_copy(deep=True) for mock in settings.contract_mocks]
        # Filled whatever the kind: a secret kept while the auth is switched off stays.
        stored = self._files.stored_secrets(collection_auth_scope_key(root))
        self.auth = fill_auth(settings.auth, stored)
        self.client_certificates = fill_certificates(settings.client_certificates, stored)

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        root: Path,
        secrets: SecretStore | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> CollectionStore:
        """Load the collection in ``root``; files that fail to load end up in ``problems``.

        ``progress`` is called with the number of request files read so far, every
        ``PROGRESS_EVERY`` files (from the thread that reads)."""
        path = root / COLLECTION_FILE
        if not root.is_dir():
            raise CollectionLoadError(root, "the folder does not exist (or is not a folder).")
        if not path.exists():
            raise CollectionLoadError(
                root,
                f"there is no {COLLECTION_FILE} in it, so it is not an apiclient collection. "
                f"Choose the folder that holds {COLLECTION_FILE}.",
            )
        try:
            doc = read_doc(path)
            if "schema_version" not in doc:
                raise FormatError("field 'schema_version' is missing")
            check_schema_version(doc)
            settings = parse_model(CollectionFile, doc)
        except NotRegularFileError as exc:
            raise CollectionLoadError(
                path,
                f"{COLLECTION_FILE} is not a regular file (it is a pipe, socket or device), "
                "so it was not read. Put the collection's YAML file in its place and open "
                "the collection again.",
            ) from exc
        except LOAD_ERRORS as exc:
            reason = load_reason(exc).rstrip(".")
            raise CollectionLoadError(
                path, f"{reason}. Fix the file (it is plain YAML) and open the collection again."
            ) from exc
        store = cls(root, secrets if secrets is not None else SecretStore(), settings)
        items = root / ITEMS_DIR
        store._orders[""] = store._listed(items, settings.order)
        store._progress = progress
        store.tree = store._load_folder(items, "", settings.name, settings.description)
        store._progress = None
        store._envs.load()
        return store

    @classmethod
    def create(cls, root: Path, name: str, secrets: SecretStore | None = None) -> CollectionStore:
        """A new, empty collection in ``root`` (a new or empty folder)."""
        _check_name(name, "collection", root)
        if (root / COLLECTION_FILE).exists():
            raise StoreError(f"{root} already holds a collection; open it instead.", root)
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise StoreError(
                f"Cannot create a collection in {root}: it is not an empty folder. "
                "Choose a new or empty folder.",
                root,
            )
        ensure_dir(root)
        settings = CollectionFile(schema_version=SCHEMA_VERSION, name=name)
        store = cls(root, secrets if secrets is not None else SecretStore(), settings)
        store._write_collection_file()
        return store

    def _load_folder(self, directory: Path, relpath: str, name: str, desc: str) -> FolderNode:
        node = FolderNode(relpath, name, desc)
        try:
            entries = list_entries(directory)
        except FileNotFoundError:
            return node
        except OSError as exc:
            self._files.report(directory, load_reason(exc))
            return node
        children: list[tuple[str, Node]] = []
        for entry in entries:
            path = directory / entry.name
            child_rel = join_relpath(relpath, entry.name)
            if entry.is_dir:
                children.append((entry.name, self._load_subfolder(path, child_rel)))
            elif path.suffix != SUFFIX or entry.name == FOLDER_FILE:
                continue
            elif entry.problem:
                self._files.report(path, entry.problem)
            else:
                request = self._load_request(path, child_rel)
                if request is not None:
                    children.append((path.stem, request))
                self._requests_read += 1
                if self._progress is not None and self._requests_read % PROGRESS_EVERY == 0:
                    self._progress(self._requests_read)
        node.children = in_order(children, self._orders.get(relpath, []))
        return node

    def _load_subfolder(self, directory: Path, relpath: str) -> FolderNode:
        settings = FolderFile(name=directory.name)
        path = directory / FOLDER_FILE
        if path.exists():
            try:
                settings = parse_model(FolderFile, read_doc(path))
            except LOAD_ERRORS as exc:
                self._files.report(path, load_reason(exc))
        self._orders[relpath] = self._listed(directory, settings.order)
        node = self._load_folder(directory, relpath, settings.name, settings.description)
        node.auth = self._filled_folder_auth(relpath, settings.auth)
        return node

    def _filled_folder_auth(self, relpath: str, auth: Auth) -> Auth:
        key = folder_scope_key_in(self._scope_base, relpath)
        if self._secret_scopes is None:
            self._secret_scopes = self._files.stored_scope_keys()
        if key not in self._secret_scopes:
            return auth
        return fill_auth(auth, self._files.stored_secrets(key))

    def _listed(self, directory: Path, order: list[str]) -> list[str]:
        """The entries of ``order`` that exist in ``directory`` (broken files included)."""
        present = self._files.taken(directory)
        return [entry for entry in dict.fromkeys(order) if entry in present]

    def _load_request(self, path: Path, relpath: str) -> RequestNode | None:
        try:
            request = read_request(path)
        except LOAD_ERRORS as exc:
            self._files.report(path, load_reason(exc))
            return None
        key = request_scope_key_in(self._scope_base, relpath)
        if self._secret_scopes is None:
            self._secret_scopes = self._files.stored_scope_keys()
        if key not in self._secret_scopes:
            return RequestNode(relpath, request)  # nothing stored to put back
        variables = self._files.fill_secrets(request.variables, key)
        if variables != request.variables:
            request = request.model_copy(update={"variables": variables})
        if needs_secret_fields(request):
            request = fill_secret_fields(request, self._files.stored_secrets(key))
        return RequestNode(relpath, request)

    # ---- the collection itself -----------------------------------------------------------

    @property
    def name(self) -> str:
        """The collection's display name (written by ``save_settings``)."""
        return self.tree.name

    @name.setter
    def name(self, value: str) -> None:
        self.tree.name = value

    @property
    def description(self) -> str:
        """The collection's description (written by ``save_settings``)."""
        return self.tree.description

    @description.setter
    def description(self, value: str) -> None:
        self.tree.description = value

    @property
    def problems(self) -> list[LoadProblem]:
        """Files that failed to load; they are left exactly as they are on disk."""
        return self._files.problems

    @property
    def environments(self) -> list[Environment]:
        """The environments, sorted by name; change them with ``save_environment``."""
        return self._envs.environments

    def save_settings(self) -> None:
        """Write name, description, variables, auth, client certificates and contract
        mocks; secret values go to the SecretStore."""
        _check_name(self.name, "collection", self.root / COLLECTION_FILE)
        self._files.keep_secrets(self.variables, collection_scope_key(self.root))
        auth, auth_secrets = split_auth(self.auth)
        certs, passphrases = split_certificates(self.client_certificates)
        self._files.keep_secrets(
            [], collection_auth_scope_key(self.root), auth_secrets | passphrases
        )
        self._settings = CollectionFile(
            schema_version=SCHEMA_VERSION,
            name=self.name,
            description=self.description,
            variables=blank_secrets(self.variables),
            auth=auth,
            client_certificates=certs,
            contract_mocks=for_file(self.contract_mocks),
        )
        self._write_collection_file()

    def folder_auth(self, relpath: str) -> Auth:
        """The auth a folder sets for its requests ("" is the collection's own)."""
        return self.auth if not relpath else self._folder(relpath).auth

    def save_folder_auth(self, relpath: str, auth: Auth) -> None:
        """Set and write the auth of the folder at ``relpath`` ("" is the collection's
        own); its secret values go to the SecretStore."""
        if not relpath:
            self.auth = auth.model_copy()
            self._save_collection_auth()
            return
        folder = self._folder(relpath)
        path = self._path(relpath) / FOLDER_FILE
        if self._files.is_broken(path):
            raise StoreError(
                f"The folder file {path} failed to load, so its auth was not saved (it is "
                "never overwritten). Fix the file and reload the collection.",
                path,
            )
        _, secrets = split_auth(auth)
        self._files.keep_secrets([], folder_scope_key_in(self._scope_base, relpath), secrets)
        self._secret_scopes = None
        folder.auth = auth.model_copy()
        self._write_order(folder)

    def save_client_certificates(self, certs: list[ClientCertificate]) -> None:
        """Set and write the collection's client certificates (passphrases to the
        SecretStore)."""
        self.client_certificates = [cert.model_copy() for cert in certs]
        self._save_collection_auth()

    def _save_collection_auth(self) -> None:
        """Write the collection's auth and certificates, keeping the rest of the
        collection file as last written."""
        auth, auth_secrets = split_auth(self.auth)
        certs, passphrases = split_certificates(self.client_certificates)
        self._files.keep_secrets(
            [], collection_auth_scope_key(self.root), auth_secrets | passphrases
        )
        self._settings = self._settings.model_copy(
            update={"auth": auth, "client_certificates": certs}
        )
        self._write_collection_file()

    def save_environment(self, env: Environment, old_name: str | None = None) -> None:
        """Create or update an environment; ``old_name`` is its name before a rename."""
        self._envs.save(env, old_name)

    def delete_environment(self, name: str) -> None:
        """Delete an environment's file and its secret values."""
        self._envs.delete(name)

    def to_collection(self) -> Collection:
        """The whole collection as one model (for export); secret values included, and
        contract mocks' files absolute."""

        def items(folder: FolderNode) -> list[Folder | AnyRequest]:
            out: list[Folder | AnyRequest] = []
            for child in folder.children:
                if isinstance(child, RequestNode):
                    out.append(child.request.model_copy(deep=True))
                else:
                    sub = items(child)
                    out.append(
                        Folder(
                            name=child.name,
                            description=child.description,
                            auth=child.auth.model_copy(),
                            items=sub,
                        )
                    )
            return out

        return Collection(
            name=self.name,
            description=self.description,
            variables=[v.model_copy() for v in self.variables],
            auth=self.auth.model_copy(),
            client_certificates=[cert.model_copy() for cert in self.client_certificates],
            contract_mocks=detached(self.root, self.contract_mocks),
            environments=[env.model_copy(deep=True) for env in self.environments],
            items=items(self.tree),
        )

    def same_content(self, other: CollectionStore) -> bool:
        """Whether ``other`` holds what this store holds: besides the tree, variables,
        environments and problems, what only the files say (each folder's ``order:``,
        where entries that failed to load keep their place, and the collection file's
        other fields). After each of its operations a store equals a fresh ``open``."""
        return (
            self.tree == other.tree
            and self.variables == other.variables
            and self.auth == other.auth
            and self.client_certificates == other.client_certificates
            and self.contract_mocks == other.contract_mocks
            and self.environments == other.environments
            and self.problems == other.problems
            and self._orders == other._orders
            and self._settings.model_copy(update={"order": []})
            == other._settings.model_copy(update={"order": []})
        )

    # ---- the tree ------------------------------------------------------------------------

    def find(self, relpath: str) -> Node:
        """The node at ``relpath`` ("" is the root); ``StoreError`` when there is none."""
        node: Node = self.tree
        while node.relpath != relpath and isinstance(node, FolderNode):
            found = next((c for c in node.children if is_within(relpath, c.relpath)), None)
            if found is None:
                break
            node = found
        if node.relpath != relpath:
            raise StoreError(
                f"'{relpath}' is not in the collection '{self.name}'. It may have been moved "
                "or deleted; reload the collection.",
                self._path(relpath),
            )
        return node

    def save_request(
        self, request: AnyRequest, relpath: str | None = None, folder: str = ""
    ) -> str:
        """Save ``request`` over ``relpath``, or (None) as a new file at the end of ``folder``.

        Saving keeps the file name even if the request's name changed (``rename`` renames).
        Returns the request's relpath.
        """
        _check_name(request.name, "request", self._path(relpath or folder))
        request = request.model_copy(deep=True)
        if relpath is not None:
            node = self.find(relpath)
            if not isinstance(node, RequestNode):
                raise StoreError(f"'{relpath}' is a folder, not a request.", self._path(relpath))
            self._write_request(relpath, request)
            node.request = request
            return relpath
        parent = self._folder(folder)
        slug = unique_slug(request.name, self._files.taken(self._path(folder)), "request")
        relpath = join_relpath(parent.relpath, slug + SUFFIX)
        self._write_request(relpath, request)
        parent.children.append(RequestNode(relpath, request))
        self._write_order(parent)
        return relpath

    def new_folder(self, parent: str, name: str) -> str:
        """Create an empty folder at the end of ``parent``; returns its relpath."""
        _check_name(name, "folder", self._path(parent))
        parent_node = self._folder(parent)
        slug = unique_slug(name, self._files.taken(self._path(parent)), "folder")
        node = FolderNode(join_relpath(parent, slug), name)
        self._write_order(node)
        parent_node.children.append(node)
        self._write_order(parent_node)
        return node.relpath

    def rename(self, relpath: str, new_name: str) -> str:
        """Give a request or folder a new name and a matching file name; returns its relpath."""
        node = self._child(relpath)
        _check_name(new_name, _kind(node), self._path(relpath))
        parent = self._folder(parent_relpath(relpath))
        old_entry = entry_name(node)
        taken = self._files.taken(self._path(parent.relpath)) - {old_entry, old_entry + SUFFIX}
        new_entry = unique_slug(new_name, taken, _kind(node))
        if isinstance(node, RequestNode):
            new_rel = join_relpath(parent.relpath, new_entry + SUFFIX)
            renamed = node.request.model_copy(update={"name": new_name})
            if new_rel != relpath:
                self._files.secrets.move_scopes(*self._request_keys(relpath, new_rel))
            self._write_request(new_rel, renamed)
            if new_rel != relpath:
                self._files.remove(self._path(relpath))
            node.relpath, node.request = new_rel, renamed
        else:
            new_rel = join_relpath(parent.relpath, new_entry)
            self._files.check_writable(self._path(relpath) / FOLDER_FILE)
            if new_rel != relpath:
                self._relocate(node, new_rel)
            node.name = new_name
            self._write_order(node)
        order = self._orders.get(parent.relpath, [])
        self._orders[parent.relpath] = [new_entry if e == old_entry else e for e in order]
        self._write_order(parent)
        return new_rel

    def duplicate(self, relpath: str) -> str:
        """Copy a request or folder (named "<name> copy") right after the original."""
        node = self._child(relpath)
        parent = self._folder(parent_relpath(relpath))
        taken = self._files.taken(self._path(parent.relpath))
        copy: Node
        if isinstance(node, RequestNode):
            request = node.request.model_copy(update={"name": f"{node.request.name} copy"})
            slug = unique_slug(request.name, taken, "request")
            copy = RequestNode(join_relpath(parent.relpath, slug + SUFFIX), request)
            self._write_request(copy.relpath, request)
        else:
            name = f"{node.name} copy"
            new_rel = join_relpath(parent.relpath, unique_slug(name, taken, "folder"))
            order = self._order_with_broken(node)
            self._files.copy_tree(self._path(relpath), self._path(new_rel), skip=FOLDER_FILE)
            self._files.secrets.move_scopes(*self._request_keys(relpath, new_rel), copy=True)
            auth = split_auth(node.auth)[0]
            doc = FolderFile(name=name, description=node.description, auth=auth, order=order)
            self._files.write_text(self._path(new_rel) / FOLDER_FILE, _folder_text(doc))
            self._orders[new_rel] = order
            self._secret_scopes = None  # the copy's scopes are new
            copy = self._load_folder(self._path(new_rel), new_rel, name, node.description)
            copy.auth = node.auth.model_copy()
        parent.children.insert(parent.children.index(node) + 1, copy)
        self._write_order(parent)
        return copy.relpath

    def delete(self, relpath: str) -> None:
        """Delete a request, or a folder with everything in it."""
        node = self._child(relpath)
        parent = self._folder(parent_relpath(relpath))
        self._files.remove(self._path(relpath))
        for key in [k for k in self._orders if is_within(k, relpath)]:
            del self._orders[key]
        self._files.secrets.delete_scopes(self._request_key(relpath))
        parent.children.remove(node)
        self._write_order(parent)

    def move(self, relpath: str, new_parent: str, index: int) -> str:
        """Put a node at position ``index`` among ``new_parent``'s children; returns its relpath.

        ``index`` is the node's position after the move (clamped to the ends). Within one
        folder this reorders; across folders the file or folder moves on disk, keeping its
        file name unless the target already has one like it.
        """
        node = self._child(relpath)
        if isinstance(node, FolderNode) and is_within(new_parent, relpath):
            raise StoreError(
                f"Cannot move the folder '{node.name}' into itself or one of its sub-folders.",
                self._path(relpath),
            )
        old_parent = self._folder(parent_relpath(relpath))
        target = self._folder(new_parent)
        if old_parent is target:
            target.children.remove(node)
            target.children.insert(max(0, min(index, len(target.children))), node)
            self._write_order(target)
            return relpath
        entry = entry_name(node)
        taken = self._files.taken(self._path(new_parent))
        if entry in taken:
            label = node.request.name if isinstance(node, RequestNode) else node.name
            entry = unique_slug(label, taken, _kind(node))
        suffix = SUFFIX if isinstance(node, RequestNode) else ""
        new_rel = join_relpath(new_parent, entry + suffix)
        self._relocate(node, new_rel)
        old_parent.children.remove(node)
        target.children.insert(max(0, min(index, len(target.children))), node)
        self._write_order(old_parent)
        self._write_order(target)
        return new_rel

    # ---- helpers -------------------------------------------------------------------------

    def _path(self, relpath: str) -> Path:
        return self.root / ITEMS_DIR / relpath if relpath else self.root / ITEMS_DIR

    def _folder(self, relpath: str) -> FolderNode:
        node = self.find(relpath)
        if not isinstance(node, FolderNode):
            raise StoreError(f"'{relpath}' is a request, not a folder.", self._path(relpath))
        return node

    def _child(self, relpath: str) -> Node:
        """A node other than the root (which is renamed and saved through its settings)."""
        if not relpath:
            raise StoreError(
                "The collection itself cannot be renamed, moved, copied or deleted here; "
                "use its settings, or the folder on disk.",
                self.root,
            )
        return self.find(relpath)

    def _request_key(self, relpath: str) -> str:
        return request_scope_key_in(self._scope_base, relpath)

    def _request_keys(self, old_rel: str, new_rel: str) -> tuple[str, str]:
        return self._request_key(old_rel), self._request_key(new_rel)

    def _write_request(self, relpath: str, request: AnyRequest) -> None:
        on_disk, fields = split_secret_fields(request)
        self._files.keep_secrets(request.variables, self._request_key(relpath), fields)
        on_disk = on_disk.model_copy(update={"variables": blank_secrets(request.variables)})
        self._files.write_text(self._path(relpath), dump_yaml(request_doc(on_disk)))

    def _order_with_broken(self, folder: FolderNode) -> list[str]:
        """The folder's order to write: its children, with broken files kept in place."""
        broken = self._files.broken_stems(self._path(folder.relpath), exclude=FOLDER_FILE)
        result = [entry_name(child) for child in folder.children]
        previous = self._orders.get(folder.relpath, [])
        for i, entry in enumerate(previous):
            if entry in broken and entry not in result:
                anchor = next((e for e in reversed(previous[:i]) if e in result), None)
                result.insert(result.index(anchor) + 1 if anchor is not None else 0, entry)
        return result

    def _write_order(self, folder: FolderNode) -> None:
        """Write the file that holds ``folder``'s order (and name, and description)."""
        if folder is self.tree:
            self._write_collection_file()
            return
        path = self._path(folder.relpath) / FOLDER_FILE
        if self._files.is_broken(path):
            return  # never overwrite a file that failed to load; its order stays as is
        order = self._order_with_broken(folder)
        self._orders[folder.relpath] = order
        doc = FolderFile(
            name=folder.name,
            description=folder.description,
            auth=split_auth(folder.auth)[0],
            order=order,
        )
        self._files.write_text(path, _folder_text(doc))

    def _write_collection_file(self) -> None:
        order = self._order_with_broken(self.tree)
        self._orders[""] = order
        doc = self._settings.model_copy(update={"order": order})
        text = dump_yaml(model_doc(doc, always=("schema_version", "name")))
        self._files.write_text(self.root / COLLECTION_FILE, text)

    def _relocate(self, node: Node, new_rel: str) -> None:
        """Rename ``node``'s file or folder on disk and re-path everything under it."""
        old_rel = node.relpath
        self._files.move(self._path(old_rel), self._path(new_rel))
        self._files.secrets.move_scopes(*self._request_keys(old_rel, new_rel))
        for inner in walk(node):
            inner.relpath = new_rel + inner.relpath[len(old_rel) :]
        for key in [k for k in self._orders if is_within(k, old_rel)]:
            self._orders[new_rel + key[len(old_rel) :]] = self._orders.pop(key)


def _folder_text(doc: FolderFile) -> str:
    return dump_yaml(model_doc(doc, always=("name",)))
