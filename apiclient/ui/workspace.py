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

from apiclient.core.errors import StoreError
from apiclient.core.global_variables import load_globals, save_globals
from apiclient.core.models import Environment, RestRequest, Variable
from apiclient.core.paths import data_dir
from apiclient.core.store import CollectionStore, FolderNode, RequestNode
from apiclient.core.variables import Scope

T = TypeVar("T")


class Workspace(QObject):
    """Signals:
    collection_opened: a collection was opened (or closed: ``store`` is then None).
    tree_changed: requests or folders were added, renamed, moved or deleted.
    environments_changed: the list of environments or any variable changed.
    environment_selected(str): the chosen environment ("" for none).
    """

    collection_opened = Signal()
    tree_changed = Signal()
    environments_changed = Signal()
    environment_selected = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store: CollectionStore | None = None
        self.environment_name = ""
        self.globals: list[Variable] = []
        self.globals_problem = ""
        self._globals_path = data_dir() / "globals.yaml"

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

    async def open_collection(self, root: Path) -> CollectionStore:
        """Open the collection at ``root``; raises ``StoreError`` with path and reason."""
        store = await asyncio.to_thread(CollectionStore.open, root)
        self.store = store
        self.environment_name = ""
        self.collection_opened.emit()
        self.environments_changed.emit()
        return store

    async def create_collection(self, root: Path, name: str) -> CollectionStore:
        store = await asyncio.to_thread(CollectionStore.create, root, name)
        self.store = store
        self.environment_name = ""
        self.collection_opened.emit()
        self.environments_changed.emit()
        return store

    def close_collection(self) -> None:
        self.store = None
        self.environment_name = ""
        self.collection_opened.emit()
        self.environments_changed.emit()

    # -- environments and variables -------------------------------------------------------

    def environments(self) -> list[Environment]:
        return list(self.store.environments) if self.store else []

    def select_environment(self, name: str) -> None:
        if name != self.environment_name:
            self.environment_name = name
            self.environment_selected.emit(name)

    def scope(self) -> Scope:
        """Globals < collection < chosen environment; requests add their own layer."""
        store = self.store
        environment = next(
            (e for e in self.environments() if e.name == self.environment_name), None
        )
        return Scope.layered(
            globals=self.globals,
            collection=store.variables if store else [],
            environment=environment.variables if environment else [],
        )

    async def save_variables(
        self,
        globals_: list[Variable],
        collection: list[Variable],
        environments: list[Environment],
        renamed: dict[str, str],
    ) -> None:
        """Write what the environment editor changed; ``renamed`` maps new name -> old."""
        store = self.store
        if store is not None:
            store.variables = collection
            await asyncio.to_thread(store.save_settings)
            kept = set()
            for env in environments:
                old = renamed.get(env.name)
                await asyncio.to_thread(store.save_environment, env, old)
                kept.add(env.name)
            for env in list(store.environments):
                if env.name not in kept:
                    await asyncio.to_thread(store.delete_environment, env.name)
        if globals_ != self.globals:
            if self.globals_problem:
                raise StoreError(self.globals_problem, self._globals_path)
            await asyncio.to_thread(save_globals, self._globals_path, globals_)
            self.globals = globals_
        if self.environment_name and self.environment_name not in {
            e.name for e in self.environments()
        }:
            self.environment_name = renamed_back(renamed, self.environment_name)
        self.environments_changed.emit()
        self.environment_selected.emit(self.environment_name)

    # -- requests and folders -------------------------------------------------------------

    def find(self, relpath: str) -> FolderNode | RequestNode:
        assert self.store is not None
        return self.store.find(relpath)

    async def save_request(
        self, request: RestRequest, relpath: str | None, folder: str = ""
    ) -> str:
        store = self._require_store()
        new_path = await asyncio.to_thread(store.save_request, request, relpath, folder)
        self.tree_changed.emit()
        return new_path

    async def rename(self, relpath: str, name: str) -> str:
        return await self._tree_op(self._require_store().rename, relpath, name)

    async def duplicate(self, relpath: str) -> str:
        return await self._tree_op(self._require_store().duplicate, relpath)

    async def delete(self, relpath: str) -> None:
        await self._tree_op(self._require_store().delete, relpath)

    async def new_folder(self, parent: str, name: str) -> str:
        return await self._tree_op(self._require_store().new_folder, parent, name)

    async def move(self, relpath: str, new_parent: str, index: int) -> str:
        return await self._tree_op(self._require_store().move, relpath, new_parent, index)

    async def _tree_op(self, op: Callable[..., T], *args: object) -> T:
        try:
            return await asyncio.to_thread(op, *args)
        finally:
            # Even a failed operation may have changed part of the tree before failing.
            self.tree_changed.emit()

    def _require_store(self) -> CollectionStore:
        if self.store is None:
            raise NoCollectionError
        return self.store


class NoCollectionError(Exception):
    def __str__(self) -> str:
        return "No collection is open. Open or create one from the File menu first."


def renamed_back(renamed: dict[str, str], old_name: str) -> str:
    """The new name of an environment that was called ``old_name`` ("" if it is gone)."""
    return next((new for new, old in renamed.items() if old == old_name), "")
