"""Autosave of unsaved edits, so a crash or a killed app never costs what was typed.

Each edit in a tab restarts a short timer; when typing pauses, the tab's request is
written as a draft (``apiclient.core.drafts``) in a worker thread. When the tab gets
clean again (saved, or its edits dropped for another request) its draft is discarded.
At start-up, once the collection is open, every draft of that collection comes back
into its tab, dirty, with a notice saying when it was written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance
from shiboken6 import isValid

from apiclient.core.drafts import Draft, DraftStore
from apiclient.core.errors import CoreError, StoreError
from apiclient.core.store import RequestNode
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tasks import start_task
from apiclient.ui.workspace import Workspace

AUTOSAVE_DELAY_MS = 1000


class DraftKeeper(QObject):
    """Writes and discards the drafts of the tabs it tracks, and restores them.

    Nothing is written or discarded before ``restore`` ran: until then the drafts on disk
    are the previous session's, waiting to be restored.

    Signals:
        problem_reported(str): a draft could not be written, read or deleted.
        draft_written(str): the draft of a tab kind is on disk.
        draft_discarded(str): the draft of a tab kind is gone.
    """

    problem_reported = Signal(str)
    draft_written = Signal(str)
    draft_discarded = Signal(str)

    def __init__(
        self,
        store: DraftStore,
        workspace: Workspace,
        tab_for: Callable[[str], RequestTab | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._workspace = workspace
        self._tab_for = tab_for
        self._timers: dict[str, QTimer] = {}
        self._tabs: dict[str, RequestTab] = {}
        self._armed = False
        self._io_lock = asyncio.Lock()  # drafts are written and deleted in the order asked
        self._pending: set[asyncio.Task[None]] = set()

    def track(self, tab: RequestTab) -> None:
        """Autosave ``tab`` from now on."""
        timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        timer.timeout.connect(lambda: self._on_timer_timeout(tab))
        self._timers[tab.kind] = timer
        self._tabs[tab.kind] = tab
        tab.edited.connect(timer.start)
        tab.dirty_changed.connect(lambda dirty: self._on_tab_dirty_changed(tab, dirty))

    # -- restoring ---------------------------------------------------------------------

    async def restore(self, collection: Path | None) -> list[str]:
        """Put the drafts of ``collection`` back into their tabs; returns their kinds.

        Called once the collection is open (None: none could be opened). Drafts of
        another collection stay on disk for when that one is opened.
        """
        try:
            drafts = await asyncio.to_thread(self._store.load_all)
        except CoreError as exc:
            self.problem_reported.emit(f"Unsaved edits could not be restored: {exc}")
            drafts = []
        for problem in self._store.problems:
            self.problem_reported.emit(
                f"A draft of unsaved edits could not be read ({problem.reason}); "
                f"it was set aside as {problem.path}."
            )
        mine = [d for d in drafts if collection is not None and _same(d.collection, collection)]
        restored = [draft.kind for draft in mine if self._restore_one(draft)]
        self._armed = True
        return restored

    def _restore_one(self, draft: Draft) -> bool:
        tab = self._tab_for(draft.kind)
        if tab is None:
            return False
        node = None
        if draft.relpath is not None:
            try:
                node = self._workspace.find(draft.relpath)
            except CoreError:
                node = None
        if isinstance(node, RequestNode):
            tab.open_request(node.request, node.relpath)
            tab.show_edits(draft.request)
            where = ""
        else:
            tab.open_request(draft.request, None)
            tab.detach()  # a draft is unsaved even when it equals a blank request
            where = " (its file is no longer in the collection; Save writes it again)"
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        tab.show_notice(f"Restored unsaved edits from {when}{where}.")
        return True

    # -- autosave ------------------------------------------------------------------------

    def _on_timer_timeout(self, tab: RequestTab) -> None:
        if not self._armed:
            return
        if not tab.dirty:
            self._queue(self._discard(tab.kind))
            return
        store = self._workspace.store
        draft = Draft(
            kind=tab.kind,
            collection=store.root if store is not None else None,
            relpath=tab.relpath,
            request=tab.current_request(),
            saved_at=datetime.now(UTC),
        )
        self._queue(self._write(draft))

    def _on_tab_dirty_changed(self, tab: RequestTab, dirty: bool) -> None:
        if dirty:
            self._timers[tab.kind].start()
        elif self._armed:
            self._timers[tab.kind].stop()
            self._queue(self._discard(tab.kind))

    def forget_all(self) -> None:
        """The user quit and chose what to do with every unsaved edit: no draft is left
        to restore. Runs from ``closeEvent``, when the event loop may be gone, so it
        deletes at once (a few small files); a write still running deletes its own."""
        if not self._armed:
            return
        self._armed = False
        for kind, timer in self._timers.items():
            timer.stop()
            try:
                self._store.discard(kind)
            except StoreError as exc:
                self.problem_reported.emit(f"An old draft could not be deleted: {exc}")

    async def aclose(self) -> None:
        """Wait for the drafts being written or deleted."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def _queue(self, work: Coroutine[Any, Any, None]) -> None:
        task = start_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, draft: Draft) -> None:
        async with self._io_lock:
            tab = self._tabs.get(draft.kind)
            if not self._armed or tab is None or not tab.dirty:
                return  # saved, dropped or quit while this write waited its turn
            try:
                await asyncio.to_thread(self._store.save, draft)
                if not self._armed:  # quit while it was being written
                    await asyncio.to_thread(self._store.discard, draft.kind)
                    return
            except StoreError as exc:
                self._tell(self.problem_reported, f"Unsaved edits could not be autosaved: {exc}")
                return
        self._tell(self.draft_written, draft.kind)

    async def _discard(self, kind: str) -> None:
        async with self._io_lock:
            try:
                await asyncio.to_thread(self._store.discard, kind)
            except StoreError as exc:
                self._tell(self.problem_reported, f"An old draft could not be deleted: {exc}")
                return
        self._tell(self.draft_discarded, kind)

    def _tell(self, signal: SignalInstance, text: str) -> None:
        """Emit after a worker's file I/O, unless the window went away meanwhile (the
        file work is done either way)."""
        if isValid(self):
            signal.emit(text)


def _same(a: Path | None, b: Path) -> bool:
    return a is not None and a.resolve() == b.resolve()
