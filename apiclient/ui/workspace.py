"""The open collection, the chosen environment and the global variables, shared by the UI.

Every change to disk goes through here, off the GUI thread, and is announced by a
signal so the sidebar, the pickers and the tabs stay in step without knowing each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from apiclient.core import auth_inherit
from apiclient.core.cookie_store import PersistentCookieJar
from apiclient.core.errors import CoreError, StoreError
from apiclient.core.global_variables import load_globals, save_globals
from apiclient.core.models import (
    AnyRequest,
    Auth,
    ClientCertificate,
    ContractMockSettings,
    Environment,
    Variable,
)
from apiclient.core.oauth2_tokens import TokenCache
from apiclient.core.paths import data_dir
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore, FolderNode, RequestNode
from apiclient.core.store_outline import read_outline
from apiclient.core.variables import Scope
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.cookie_keeper import CookieKeeper

T = TypeVar("T")
OUTLINE_MIN_REQUESTS = 300
"""From this many requests on, an outline is shown while a collection opens: reading
them in full takes over a tenth of a second."""


class Workspace(QObject):
    """Signals:
    collection_opened: a collection was opened (or closed: ``store`` is then None).
    node_moved(str, str): a request or folder moved from one relpath to another (rename or
        move); sent before ``tree_changed``.
    tree_changed: requests or folders were added, renamed, moved or deleted.
    environments_changed: the list of environments or any variable changed.
    environment_selected(str): the chosen environment ("" for none).
    outline_read(object): a big collection being opened has been looked over (an
        ``Outline``, see ``apiclient.core.store_outline``): its tree can be shown while
        the store reads the rest; ``collection_opened`` (or the open's error) follows.
    outline_progress(int): how many of the outlined collection's requests are read.
    auth_changed: a folder's or the collection's auth, or the client certificates, were
        saved or reloaded (what requests inherit may differ now).
    """

    collection_opened = Signal()
    node_moved = Signal(str, str)
    tree_changed = Signal()
    environments_changed = Signal()
    environment_selected = Signal(str)
    outline_read = Signal(object)
    outline_progress = Signal(int)
    auth_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store: CollectionStore | None = None
        # What the GUI reads: a copy of the store's tree, replaced only on the GUI thread
        # between store operations, which run in a worker thread one at a time.
        self.tree: FolderNode | None = None
        self._collection_auth = Auth()  # the GUI's copies, as ``tree``
        self._certificates: list[ClientCertificate] = []
        self._store_lock = asyncio.Lock()
        # Bumped by each open or create: a read that finishes after a newer one began is
        # dropped, so the collection the user asked for last is the one that stays open.
        self._generation = 0
        self._loading = 0  # opens in flight
        self.environment_name = ""
        self.globals: list[Variable] = []
        self.globals_problem = ""
        self._globals_path = data_dir() / "globals.yaml"
        # One jar for the window's life, shared by every engine; the keeper swaps its
        # content to the chosen collection and environment and saves it.
        self.cookie_jar = PersistentCookieJar()
        self.cookies = CookieKeeper(self, self.cookie_jar)
        self._token_cache: TokenCache | None = None

    @property
    def token_cache(self) -> TokenCache:
        """The OAuth 2.0 token cache every tab shares, made on first use (so the
        keyring is not probed at start-up). Its calls may block (a keyring unlock
        prompt): call them through ``asyncio.to_thread``."""
        if self._token_cache is None:
            self._token_cache = TokenCache(SecretStore())
        return self._token_cache

    async def load_globals(self) -> str:
        """Read the global variables; a broken file is reported, kept, and not overwritten."""
        try:
            self.globals = await asyncio.to_thread(load_globals, self._globals_path)
            self.globals_problem = ""
        except StoreError as exc:
            self.globals = []
            self.globals_problem = str(exc)
        return self.globals_problem

    # -- collection -----------------------------------------------------------------

    async def open_collection(self, root: Path) -> CollectionStore | None:
        """Open the collection at ``root``; raises ``StoreError`` with path and reason.

        Returns None, adopting nothing and raising nothing, when another collection was
        opened or created while this one was read: the newest request wins, and the
        read it superseded stops early."""
        self._generation += 1
        mine = self._generation
        self._loading += 1
        try:
            found = await asyncio.to_thread(read_outline, root)
            if mine != self._generation:
                return None
            outlined = found is not None and found.requests >= OUTLINE_MIN_REQUESTS
            if outlined:
                self.outline_read.emit(found)
            progress = self._progress_reporter(mine, outlined)
            store = await asyncio.to_thread(CollectionStore.open, root, progress=progress)
        except _Superseded:
            return None
        except CoreError:
            if mine != self._generation:
                return None
            raise
        finally:
            self._loading -= 1
        return self._adopt(store) if mine == self._generation else None

    async def create_collection(self, root: Path, name: str) -> CollectionStore:
        """Create a collection at ``root`` and open it; raises ``StoreError`` when it
        cannot, leaving any collection being opened meanwhile to open."""
        store = await asyncio.to_thread(CollectionStore.create, root, name)
        # Only now does it supersede a collection being opened: a failed create does not.
        self._generation += 1
        return self._adopt(store)

    @property
    def loading(self) -> bool:
        """Whether a collection is being opened (read by a worker) right now."""
        return self._loading > 0

    def _progress_reporter(self, mine: int, shown: bool) -> Callable[[int], None]:
        """What ``CollectionStore.open`` calls (on the worker) as it reads: it stops the
        read once a newer open or create began, and reports progress while ``shown``."""

        def report(read: int) -> None:
            if mine != self._generation:
                raise _Superseded
            if shown:
                try:
                    self.outline_progress.emit(read)  # Qt queues it to the GUI thread
                except RuntimeError as exc:  # the window was closed meanwhile
                    raise _Superseded from exc

        return report

    async def reload(self) -> bool:
        """Read the open collection again (changed on disk, e.g. by a git pull), keeping
        the chosen environment when it still exists; raises ``StoreError`` and keeps the
        collection as it was when it no longer opens.

        Returns False, replacing and announcing nothing, when the files hold exactly what
        the app already has (the change was the app's own save), or when another
        collection was opened meanwhile.
        """
        async with self._store_lock:
            held = self._require_store()
            store = await asyncio.to_thread(CollectionStore.open, held.root)
            if self.store is not held:  # another collection was opened meanwhile
                return False
            if await asyncio.to_thread(store.same_content, held):
                return False
            self._take(store)
        self.environments_changed.emit()
        if self.environment_name not in {e.name for e in store.environments}:
            self.select_environment("")
        self.tree_changed.emit()
        self.auth_changed.emit()  # the files may set other auth now
        return True

    def _adopt(self, store: CollectionStore) -> CollectionStore:
        self._take(store)
        self.environment_name = ""
        self.collection_opened.emit()
        self.environments_changed.emit()
        return store

    def _take(self, store: CollectionStore) -> None:
        """Hold ``store`` and the GUI's copies of what it read (on the GUI thread)."""
        self.store = store
        self.tree = _copy_tree(store.tree)
        self._collection_auth = store.auth.model_copy()
        self._certificates = [cert.model_copy() for cert in store.client_certificates]

    # -- auth and certificates ------------------------------------------------------------

    def effective_auth(self, relpath: str | None, auth: Auth) -> tuple[Auth, str]:
        """The auth a request at ``relpath`` (None: a draft) whose own auth is ``auth``
        sends, and where it comes from (see ``apiclient.core.auth_inherit``)."""
        tree = self.tree if self.tree is not None else FolderNode("", "")
        return auth_inherit.effective_auth(tree, self._collection_auth, relpath, auth)

    def folder_auth(self, relpath: str) -> Auth:
        """The auth the folder at ``relpath`` sets ("" is the collection's own)."""
        if not relpath:
            return self._collection_auth.model_copy()
        node = self.find(relpath)
        if not isinstance(node, FolderNode):
            root = self.store.root if self.store else Path()
            raise StoreError(f"{relpath} is a request, not a folder.", root / relpath)
        return node.auth.model_copy()

    async def save_folder_auth(self, relpath: str, auth: Auth) -> None:
        """Write the auth of the folder at ``relpath`` ("" is the collection's own);
        ``StoreError`` when it cannot. ``auth_changed`` follows."""
        await self._auth_op(self._require_store().save_folder_auth, relpath, auth)

    def client_certificates(self) -> list[ClientCertificate]:
        """The collection's client certificates (secret passphrases included)."""
        return [cert.model_copy() for cert in self._certificates]

    async def save_client_certificates(self, certs: list[ClientCertificate]) -> None:
        """Write the collection's client certificates; ``auth_changed`` follows."""
        await self._auth_op(self._require_store().save_client_certificates, certs)

    async def _auth_op(self, op: Callable[..., None], *args: object) -> None:
        async with self._store_lock:
            store = self._require_store()
            try:
                await asyncio.to_thread(op, *args)
            finally:  # a failed write may have changed part of it: show what is held
                if self.store is store:
                    self._take(store)
                    self.auth_changed.emit()

    # -- environments and variables -------------------------------------------------------

    def environments(self) -> list[Environment]:
        return list(self.store.environments) if self.store else []

    def select_environment(self, name: str) -> None:
        if name != self.environment_name:
            self.environment_name = name
            self.environment_selected.emit(name)

    def scope(self) -> Scope:
        """Globals < collection < chosen environment; requests add their own layer. A
        request's "App default" connection settings mean the app's current preferences,
        read on every call, so a change in File > Settings applies to the next send."""
        globals_, collection, environment = self._variable_layers()
        return Scope.layered(
            globals=globals_,
            collection=collection,
            environment=environment,
            connection=app_preferences().current.connection_defaults(),
        )

    def secret_values(self) -> set[str]:
        """The values of the enabled secret variables in scope (globals, collection, the
        chosen environment), to tell when something about to leave the app holds one."""
        return {
            v.value
            for layer in self._variable_layers()
            for v in layer
            if v.secret and v.enabled and v.value
        }

    def _variable_layers(self) -> tuple[list[Variable], list[Variable], list[Variable]]:
        """The global, collection and chosen environment's variables."""
        store = self.store
        environment = next(
            (e for e in self.environments() if e.name == self.environment_name), None
        )
        return (
            self.globals,
            store.variables if store else [],
            environment.variables if environment else [],
        )

    async def save_variables(
        self,
        globals_: list[Variable],
        collection: list[Variable],
        environments: list[Environment],
        renamed: dict[str, str],
    ) -> None:
        """Write what the environment editor changed; ``renamed`` maps new name -> old."""
        try:
            async with self._store_lock:
                await asyncio.to_thread(self._write_variables, collection, environments, renamed)
            if globals_ != self.globals:
                if self.globals_problem:
                    raise StoreError(self.globals_problem, self._globals_path)
                await asyncio.to_thread(save_globals, self._globals_path, globals_)
                self.globals = globals_
        finally:
            # Part may be written even when a later step failed: show what is on disk.
            names = {e.name for e in self.environments()}
            if self.environment_name not in names:
                self.environment_name = renamed_back(renamed, self.environment_name)
                if self.environment_name not in names:
                    self.environment_name = ""
            self.environments_changed.emit()
            self.environment_selected.emit(self.environment_name)

    def _write_variables(
        self, collection: list[Variable], environments: list[Environment], renamed: dict[str, str]
    ) -> None:
        """On a worker thread: the collection's variables and its environments."""
        store = self.store
        if store is None:
            return
        store.variables = collection
        store.save_settings()
        for env in environments:
            store.save_environment(env, renamed.get(env.name))
        kept = {env.name for env in environments}
        for env in list(store.environments):
            if env.name not in kept:
                store.delete_environment(env.name)

    async def save_contract_mocks(self, mocks: list[ContractMockSettings], root: Path) -> None:
        """Write the contract mocks of the collection in ``root`` into its ``collection.yaml``
        (the settings' save path, as for the collection's variables); ``StoreError`` when
        it cannot, or when another collection is open now."""
        async with self._store_lock:
            store = self._require_store()
            if store.root != root:
                raise StoreError(
                    f"The contract mocks of {root} were not saved: another collection is open.",
                    root,
                )
            store.contract_mocks = [mock.model_copy(deep=True) for mock in mocks]
            await asyncio.to_thread(store.save_settings)

    # -- requests and folders -------------------------------------------------------------

    def find(self, relpath: str) -> FolderNode | RequestNode:
        """The node at ``relpath`` in the GUI's copy of the tree; ``StoreError`` if none."""
        node: FolderNode | RequestNode | None = self.tree
        while node is not None and node.relpath != relpath:
            children = node.children if isinstance(node, FolderNode) else []
            node = next(
                (
                    c
                    for c in children
                    if relpath == c.relpath or relpath.startswith(c.relpath + "/")
                ),
                None,
            )
        if node is None:
            root = self.store.root if self.store else Path()
            raise StoreError(f"{relpath} is no longer in the collection.", root / relpath)
        return node

    async def save_request(self, request: AnyRequest, relpath: str | None, folder: str = "") -> str:
        return await self._tree_op(self._require_store().save_request, request, relpath, folder)

    async def rename(self, relpath: str, name: str) -> str:
        return await self._tree_op(self._require_store().rename, relpath, name, moving=relpath)

    async def duplicate(self, relpath: str) -> str:
        return await self._tree_op(self._require_store().duplicate, relpath)

    async def delete(self, relpath: str) -> None:
        await self._tree_op(self._require_store().delete, relpath)

    async def new_folder(self, parent: str, name: str) -> str:
        return await self._tree_op(self._require_store().new_folder, parent, name)

    async def move(self, relpath: str, new_parent: str, index: int) -> str:
        store = self._require_store()
        return await self._tree_op(store.move, relpath, new_parent, index, moving=relpath)

    async def _tree_op(self, op: Callable[..., T], *args: object, moving: str = "") -> T:
        """Run one store operation in a worker, then refresh the GUI's copy of the tree."""
        async with self._store_lock:
            try:
                result = await asyncio.to_thread(op, *args)
            except BaseException:
                self._tree_refreshed()  # a failed operation may have changed part of it
                raise
            if not isValid(self):  # the window closed while the worker ran
                return result
            self.tree = _copy_tree(self._require_store().tree)
            if moving and isinstance(result, str) and result != moving:
                self.node_moved.emit(moving, result)
            self.tree_changed.emit()
            return result

    def _tree_refreshed(self) -> None:
        store = self.store
        self.tree = _copy_tree(store.tree) if store else None
        self.tree_changed.emit()

    def _require_store(self) -> CollectionStore:
        if self.store is None:
            raise NoCollectionError
        return self.store


class _Superseded(Exception):
    """Raised into a worker's read to stop it: its result would be dropped anyway."""


class NoCollectionError(Exception):
    def __str__(self) -> str:
        return "No collection is open. Open or create one from the File menu first."


def renamed_back(renamed: dict[str, str], old_name: str) -> str:
    """The new name of an environment that was called ``old_name`` ("" if it is gone)."""
    return next((new for new, old in renamed.items() if old == old_name), "")


def _copy_tree(folder: FolderNode) -> FolderNode:
    """A copy of the folders and nodes; requests are shared (the store replaces, never edits)."""
    children: list[FolderNode | RequestNode] = [
        _copy_tree(c) if isinstance(c, FolderNode) else RequestNode(c.relpath, c.request)
        for c in folder.children
    ]
    return FolderNode(folder.relpath, folder.name, folder.description, children, folder.auth)
