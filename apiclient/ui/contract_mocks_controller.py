"""The open collection's contract mocks: which there are, starting and stopping them,
their pins, and keeping all of it in the collection's settings.

``ContractMocks`` blocks while a mock starts or stops (0.1-0.5 s) and wants one thread
driving it, so every call to it runs on this controller's own single worker thread;
the GUI thread only awaits. Pins change the live ``Pins`` object at once (it is
thread-safe) and are written to ``collection.yaml`` through the workspace.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from apiclient.core.errors import CoreError
from apiclient.core.models import ContractMockSettings, PinnedResponse
from apiclient.core.store import CollectionStore
from apiclient.core.store_contract_mocks import resolved_path, stored_path
from apiclient.ui.contract_mocks_rows import MockRow, State, live_pin
from apiclient.ui.tasks import start_task
from apiclient.ui.workspace import NoCollectionError, Workspace
from mock_servers.contracts.host import ContractMocks, contract_kind, unique_name
from mock_servers.errors import MockServerError, PortInUseError

T = TypeVar("T")


def port_in_use_message(exc: PortInUseError) -> str:
    """The GUI's words for a taken port (the error's own advice is for the CLI)."""
    return (
        f"Port {exc.port} is already in use on {exc.host}; stop the program using it, "
        "or set this mock's port to 0 to let the system pick a free one."
    )


def _describe(path: Path) -> tuple[str, State | None, str]:
    """On the worker: the contract's kind, or the state and message of one that cannot
    be used (its file is gone, or it is no contract these mocks know)."""
    if not path.is_file():
        return "", State.MISSING, f"file not found: {path}"
    try:
        return contract_kind(path), None, ""
    except MockServerError as exc:
        return "", State.FAILED, str(exc)


class ContractMocksController(QObject):
    """Signals:
    rows_changed: a mock was added, removed or changed state, or another collection opened.
    status_changed(str): a sentence for the panel's status line.
    """

    rows_changed = Signal()
    status_changed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._host = ContractMocks()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="contract-mocks")
        self.rows: list[MockRow] = []
        self._root: Path | None = None  # the collection the rows belong to
        self._saved: list[ContractMockSettings] = []  # the mocks as last read or written
        self._read_from: CollectionStore | None = None  # a reload replaces the store
        self._switching: asyncio.Task[None] | None = None
        self._closed = False
        workspace.collection_opened.connect(self._on_workspace_collection_opened)
        workspace.tree_changed.connect(self._on_workspace_tree_changed)
        self._switching = start_task(self._load())

    async def _run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, lambda: fn(*args, **kwargs))

    def row(self, name: str) -> MockRow | None:
        return next((row for row in self.rows if row.name == name), None)

    @property
    def running(self) -> int:
        return sum(row.state is State.RUNNING for row in self.rows)

    def _changed(self, message: str | None = None) -> None:
        if self._closed:  # the window may be gone: nobody to tell
            return
        self.rows_changed.emit()
        if message is not None:
            self.status_changed.emit(message)

    # -- the collection ----------------------------------------------------------------

    def _on_workspace_collection_opened(self) -> None:
        self._switching = start_task(self._switch())

    async def _switch(self) -> None:
        """Another collection opened: its mocks replace these, which stop first. The rows
        go at once, so nothing edited while they stop is saved into the new collection."""
        self.rows, self._root = [], None
        self._changed()
        await self._stop_everything()
        await self._load()

    def _on_workspace_tree_changed(self) -> None:
        """The collection was read again (a git pull, say): show its mocks if they changed."""
        store = self._workspace.store
        if store is None or store.root != self._root or store is self._read_from:
            return  # another collection is opening, or the tree changed through the app
        self._read_from = store
        if store.contract_mocks == self._saved:
            return
        self._saved = [mock.model_copy(deep=True) for mock in store.contract_mocks]
        old, self.rows = self.rows, _rows_for(self._saved, store.root, self.rows)
        for row in old:
            if row.state is State.RUNNING and row not in self.rows:  # removed outside
                start_task(self._stop_quietly(row.name))
        self._changed()
        self._switching = start_task(self._describe(self.rows))

    async def loaded(self) -> None:
        """Wait until the open collection's mocks are listed (tests, the panel's first show)."""
        while self._switching is not None and not self._switching.done():
            await asyncio.shield(self._switching)

    async def _load(self) -> None:
        store = self._workspace.store
        self._root = store.root if store is not None else None
        self._read_from = store
        self._saved = [mock.model_copy(deep=True) for mock in store.contract_mocks] if store else []
        self.rows = _rows_for(self._saved, store.root, []) if store is not None else []
        self._changed()
        await self._describe(self.rows)

    async def _describe(self, rows: list[MockRow]) -> None:
        """Find the kind of each row that has none yet, or why its contract cannot be used."""
        for row in rows:
            if row.kind:
                continue
            row.kind, state, message = await self._run(_describe, row.path)
            if state is not None and row in self.rows:
                row.state, row.message = state, message
        self._changed()

    def _save(self) -> Coroutine[Any, Any, None]:
        """Write the rows' settings as they are now into the collection they belong to."""
        self._saved = [row.settings for row in self.rows]
        return self._write(self._saved, self._root)

    async def _write(self, mocks: list[ContractMockSettings], root: Path | None) -> None:
        if root is None:
            return
        try:
            await self._workspace.save_contract_mocks(mocks, root)
        except (CoreError, NoCollectionError) as exc:
            self.status_changed.emit(f"Contract mocks not saved: {exc}")

    # -- adding and removing -----------------------------------------------------------

    async def add_files(self, paths: Iterable[Path]) -> None:
        """Add each contract file as a stopped mock; files of no known kind are refused."""
        root = self._root
        if root is None:
            self.status_changed.emit(str(NoCollectionError()))
            return
        added, refused = [], []
        for path in paths:
            path = path.absolute()
            if any(row.path == path for row in self.rows):
                refused.append(f"{path.name} is already listed")
                continue
            kind, state, message = await self._run(_describe, path)
            if self._root != root:  # another collection opened meanwhile
                return
            if state is not None:
                refused.append(message)
                continue
            settings = ContractMockSettings(file=stored_path(root, path))
            name = unique_name(path, (row.name for row in self.rows))
            self.rows.append(MockRow(name, settings, path, kind))
            added.append(name)
        if added:
            await self._save()
        message = f"Added {', '.join(added)}." if added else ""
        if refused:
            message = f"{message} Not added: {'; '.join(refused)}.".strip()
        self._changed(message)

    async def remove(self, name: str) -> None:
        row = self.row(name)
        if row is None or row.busy:
            return
        if row.state is State.RUNNING:
            await self.stop(name)
        if row in self.rows:
            self.rows.remove(row)
            await self._save()
            self._changed(f"Removed {name} (its file is left as it is).")

    def set_port(self, name: str, port: int) -> None:
        self._update(name, port=port)

    def set_seed(self, name: str, seed: int) -> None:
        self._update(name, seed=seed)

    def _update(self, name: str, **fields: int) -> None:
        row = self.row(name)
        if row is not None and any(getattr(row.settings, k) != v for k, v in fields.items()):
            row.settings = row.settings.model_copy(update=fields)
            start_task(self._save())
            self._changed()

    # -- pins --------------------------------------------------------------------------

    def set_pin(self, name: str, operation: str, pinned: PinnedResponse | None) -> None:
        """Pin (None: unpin) ``operation``; a running mock answers with it from now on."""
        row = self.row(name)
        if row is None:
            return
        pins = dict(row.settings.pins)
        if pinned is None:
            pins.pop(operation, None)
        else:
            pins[operation] = pinned
        row.settings = row.settings.model_copy(update={"pins": pins})
        row.pins.set(operation, None if pinned is None else live_pin(pinned))
        start_task(self._save())
        if pinned is None:
            self._changed(f"Unpinned {operation} of {name}: generated answers again.")
            return
        status = "the contract's status" if pinned.status is None else str(pinned.status)
        delay = f" after {pinned.delay_s:g} s" if pinned.delay_s else ""
        self._changed(f"Pinned {operation} of {name}: {status}{delay}.")

    # -- running -----------------------------------------------------------------------

    async def start(self, name: str) -> None:
        row = self.row(name)
        if row is None or row.busy or row.state is State.RUNNING:
            return
        row.state, row.message = State.STARTING, ""
        self._changed(f"Starting {name}…")
        settings = row.settings
        try:
            mock = await self._run(
                self._host.start, row.path, settings.port, settings.seed, name=name, pins=row.pins
            )
        except PortInUseError as exc:
            row.fail(port_in_use_message(exc))
        except MockServerError as exc:
            row.fail(str(exc))
        else:
            if row not in self.rows:  # removed, or another collection opened meanwhile
                await self._stop_quietly(name)
                return
            row.state, row.url, row.operations = State.RUNNING, mock.url, mock.operations
            self._changed(f"{name} is running at {mock.url}.")
            return
        if not row.path.is_file():
            row.state, row.message = State.MISSING, f"file not found: {row.path}"
        self._changed(f"{name} did not start: {row.message}")

    async def stop(self, name: str) -> None:
        row = self.row(name)
        if row is None or row.state is not State.RUNNING:
            return
        row.state = State.STOPPING
        self._changed(f"Stopping {name}…")
        try:
            await self._run(self._host.stop, name)
        except MockServerError as exc:
            row.fail(str(exc))
            self._changed(f"{name} did not stop cleanly: {exc}")
            return
        row.state, row.url = State.STOPPED, ""
        self._changed(f"{name} stopped.")

    async def _stop_quietly(self, name: str) -> None:
        """Stop the mock of a row that is gone; it may have stopped already."""
        with contextlib.suppress(MockServerError, RuntimeError):
            await self._run(self._host.stop, name)

    async def start_all(self) -> None:
        for row in list(self.rows):
            if row.state in (State.STOPPED, State.FAILED):
                await self.start(row.name)
        failed = [row.name for row in self.rows if row.state in (State.FAILED, State.MISSING)]
        summary = f"{self.running} of {len(self.rows)} contract mocks running."
        if failed:
            summary += f" Not running: {', '.join(failed)} (see their rows)."
        self.status_changed.emit(summary)

    async def stop_all(self) -> None:
        for row in list(self.rows):
            await self.stop(row.name)
        self.status_changed.emit("All contract mocks stopped.")

    async def _stop_everything(self) -> None:
        """Stop every mock, including any whose start is still on the worker."""
        await self._run(self._host.stop_all)
        for row in self.rows:
            if row.state is State.RUNNING:
                row.state, row.url = State.STOPPED, ""
        self._changed()

    async def aclose(self) -> None:
        """Stop every mock and the worker thread (the window is closing)."""
        if self._closed:
            return
        self._closed = True
        await self._stop_everything()
        self._worker.shutdown(wait=False)


def _rows_for(mocks: list[ContractMockSettings], root: Path, rows: list[MockRow]) -> list[MockRow]:
    """Rows for ``mocks`` of the collection in ``root``; of ``rows``, one that is running
    or busy and is for the same file stays, with its state and its new settings."""
    active = [row for row in rows if row.state is State.RUNNING or row.busy]
    taken = [row.name for row in active]
    result: list[MockRow] = []
    for settings in mocks:
        path = resolved_path(root, settings.file)
        row = next((r for r in active if r.path == path and r not in result), None)
        if row is None:
            row = MockRow(unique_name(path, taken), settings.model_copy(deep=True), path)
            taken.append(row.name)
        else:
            row.settings = settings.model_copy(deep=True)
            for operation in set(row.pins.all()) | set(row.settings.pins):
                pinned = row.settings.pins.get(operation)
                row.pins.set(operation, None if pinned is None else live_pin(pinned))
        result.append(row)
    return result
