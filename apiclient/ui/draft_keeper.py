"""Autosave of unsaved edits, so a crash or a killed app never costs what was typed.

Each edit in a tab restarts a short timer; when typing pauses, the tab's request is
written as a draft (``apiclient.core.drafts``) of the open collection, in a worker
thread. When the tab gets clean again (saved, or its edits dropped for another request)
its draft is discarded. Whenever a collection is opened (at start-up, or later from the
File menu) its drafts come back into their tabs, dirty, with a notice saying when they
were written; a draft made over a request whose file changed since then comes back as a
conflict to settle (Reload / Keep my edits), like a change seen by the watcher.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance
from shiboken6 import isValid

from apiclient.core.atomic import remove_stale_temp_files
from apiclient.core.drafts import Draft, DraftStore, request_fingerprint
from apiclient.core.errors import CoreError, StoreError
from apiclient.core.paths import data_dir
from apiclient.core.store import RequestNode
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tasks import start_task
from apiclient.ui.workspace import Workspace

AUTOSAVE_DELAY_MS = 1000


class DraftKeeper(QObject):
    """Writes and discards the drafts of the tabs it tracks, and restores them.

    Nothing is written while the drafts of the collection just opened are being read:
    those on disk are waiting to be restored. A draft is discarded only from the
    collection it was written for (or restored from), so the drafts of a collection that
    is not open stay untouched.

    Signals:
        problem_reported(str): a draft could not be written, read or deleted.
        draft_written(str): the draft of a tab kind is on disk.
        draft_discarded(str): the draft of a tab kind is gone.
        drafts_restored(list): the drafts of the collection just opened are back; the
            kinds of the tabs that got one.
        conflict_found(object, str): a draft was restored over a request whose file
            changed since it was written; the tab and what to tell about the cause.
    """

    problem_reported = Signal(str)
    draft_written = Signal(str)
    draft_discarded = Signal(str)
    drafts_restored = Signal(list)
    conflict_found = Signal(object, str)

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
        # Per tab kind: the collection whose draft on disk holds that tab's edits.
        self._owner: dict[str, Path | None] = {}
        self._restoring: asyncio.Task[None] | None = None
        self._restoring_for: Path | None = None
        self._cleaned_up = False
        self._quit = False
        self._io_lock = asyncio.Lock()  # drafts are written and deleted in the order asked
        self._pending: set[asyncio.Task[None]] = set()
        workspace.collection_opened.connect(self._on_workspace_collection_opened)

    def track(self, tab: RequestTab) -> None:
        """Autosave ``tab`` from now on."""
        timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        timer.timeout.connect(lambda: self._on_timer_timeout(tab))
        self._timers[tab.kind] = timer
        self._tabs[tab.kind] = tab
        tab.edited.connect(timer.start)
        tab.dirty_changed.connect(lambda dirty: self._on_tab_dirty_changed(tab, dirty))

    # -- restoring ---------------------------------------------------------------------

    async def restore(self, collection: Path | None) -> None:
        """Wait until the drafts of ``collection`` are back in their tabs (None: no
        collection could be opened). Opening a collection starts this by itself; a second
        call for the same collection waits for that run instead of restoring again."""
        if self._restoring is None or self._restoring_for != collection:
            self._start_restore(collection)
        assert self._restoring is not None
        await asyncio.wait({self._restoring})  # cancelled when another collection opened

    def _on_workspace_collection_opened(self) -> None:
        store = self._workspace.store
        self._start_restore(store.root if store is not None else None)

    def _start_restore(self, collection: Path | None) -> None:
        if self._restoring is not None:
            self._restoring.cancel()  # its drafts belong to the collection no longer open
        self._restoring_for = collection
        self._restoring = start_task(self._restore(collection), self._on_restore_done)

    def _restoring_now(self) -> bool:
        return self._restoring is None or not self._restoring.done()

    async def _restore(self, collection: Path | None) -> None:
        if not self._cleaned_up:
            self._cleaned_up = True
            await asyncio.to_thread(self._remove_stale_temp_files)
        try:
            drafts = await asyncio.to_thread(self._store.load, collection)
        except CoreError as exc:
            self._tell(self.problem_reported, f"Unsaved edits could not be restored: {exc}")
            return
        if not isValid(self):
            return
        for problem in self._store.problems:
            self.problem_reported.emit(
                f"A draft of unsaved edits could not be read ({problem.reason}); "
                f"it was set aside as {problem.path}."
            )
        restored = []
        for draft in drafts:
            tab = self._tab_for(draft.kind)
            if tab is None:
                continue
            if tab.dirty:
                await self._keep_aside(draft, tab)
                if not isValid(self):
                    return
            elif self._restore_into(draft, tab):
                restored.append(draft.kind)
        self.drafts_restored.emit(restored)

    def _remove_stale_temp_files(self) -> None:
        """In a worker: what crashed writes left among the drafts and the data dir's own
        files (globals, secrets); collections are cleaned as they are opened."""
        remove_stale_temp_files(self._store.directory)
        remove_stale_temp_files(data_dir(), recursive=False)

    def _on_restore_done(self, task: asyncio.Task[None]) -> None:
        """Edits typed while the drafts were read are autosaved now."""
        if task is not self._restoring or not isValid(self):
            return
        for kind, tab in self._tabs.items():
            if isValid(tab) and tab.dirty:
                self._timers[kind].start()

    def _restore_into(self, draft: Draft, tab: RequestTab) -> bool:
        """Show ``draft`` in ``tab``; False when it holds nothing unsaved after all."""
        node = None
        if draft.relpath is not None:
            try:
                node = self._workspace.find(draft.relpath)
            except CoreError:
                node = None
        self._owner[draft.kind] = draft.collection
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if not isinstance(node, RequestNode):
            tab.open_request(draft.request, None)
            tab.detach()  # a draft is unsaved even when it equals a blank request
            tab.show_notice(
                f"Restored unsaved edits from {when} (its file is no longer in the "
                "collection; Save writes it again)."
            )
            return True
        tab.open_request(node.request, node.relpath)
        tab.show_edits(draft.request)
        if not tab.dirty:  # the file now holds these very edits (e.g. pulled)
            self._queue(self._discard(draft.kind, self._owner.pop(draft.kind)))
            return False
        if draft.base is not None and draft.base != request_fingerprint(node.request):
            self.conflict_found.emit(
                tab,
                f"Restored unsaved edits from {when}, made before this request changed "
                "on disk (e.g. git pull).",
            )
        else:
            tab.show_notice(f"Restored unsaved edits from {when}.")
        return True

    async def _keep_aside(self, draft: Draft, tab: RequestTab) -> None:
        """The tab already holds other unsaved edits: never replace them, and move the
        draft where the next autosave of this tab will not overwrite it."""
        try:
            async with self._io_lock:
                kept = await asyncio.to_thread(self._store.set_aside, draft.kind, draft.collection)
        except StoreError as exc:
            self._tell(self.problem_reported, f"Unsaved edits could not be restored: {exc}")
            return
        if isValid(tab):
            when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
            tab.show_notice(
                f"Unsaved edits from {when} were not restored over the edits in this tab; "
                f"they are kept in {kept}."
            )

    # -- autosave ------------------------------------------------------------------------

    def _on_timer_timeout(self, tab: RequestTab) -> None:
        if self._quit or self._restoring_now():
            return  # restarted when the restore ends
        if not tab.dirty:
            self._discard_owned(tab.kind)
            return
        store = self._workspace.store
        saved = tab.saved_request
        draft = Draft(
            kind=tab.kind,
            collection=store.root if store is not None else None,
            relpath=tab.relpath,
            request=tab.current_request(),
            saved_at=datetime.now(UTC),
            base=request_fingerprint(saved) if saved is not None else None,
        )
        previous = self._owner.get(tab.kind, draft.collection)
        if previous != draft.collection:
            self._discard_owned(tab.kind)
        self._owner[tab.kind] = draft.collection
        self._queue(self._write(draft))

    def _on_tab_dirty_changed(self, tab: RequestTab, dirty: bool) -> None:
        if dirty:
            self._timers[tab.kind].start()
        elif not self._quit:
            self._timers[tab.kind].stop()
            self._discard_owned(tab.kind)

    def _discard_owned(self, kind: str) -> None:
        """Discard the draft this tab's edits were kept in, if any: a draft not written
        or restored by this session may be one still waiting to be restored."""
        if kind in self._owner:
            self._queue(self._discard(kind, self._owner.pop(kind)))

    def forget_all(self) -> None:
        """The user quit and chose what to do with every unsaved edit: no draft of theirs
        is left to restore. Runs from ``closeEvent``, when the event loop may be gone, so
        it deletes at once (a few small files); a write still running deletes its own."""
        if self._quit:
            return
        self._quit = True
        for timer in self._timers.values():
            timer.stop()
        for kind, collection in self._owner.items():
            try:
                self._store.discard(kind, collection)
            except StoreError as exc:
                self.problem_reported.emit(f"An old draft could not be deleted: {exc}")
        self._owner.clear()

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
            if self._quit or tab is None or not isValid(tab) or not tab.dirty:
                return  # saved, dropped or quit while this write waited its turn
            try:
                await asyncio.to_thread(self._store.save, draft)
                if self._quit:  # quit while it was being written
                    await asyncio.to_thread(self._store.discard, draft.kind, draft.collection)
                    return
            except StoreError as exc:
                self._tell(self.problem_reported, f"Unsaved edits could not be autosaved: {exc}")
                return
        self._tell(self.draft_written, draft.kind)

    async def _discard(self, kind: str, collection: Path | None) -> None:
        async with self._io_lock:
            try:
                await asyncio.to_thread(self._store.discard, kind, collection)
            except StoreError as exc:
                self._tell(self.problem_reported, f"An old draft could not be deleted: {exc}")
                return
        self._tell(self.draft_discarded, kind)

    def _tell(self, signal: SignalInstance, text: str) -> None:
        """Emit after a worker's file I/O, unless the window went away meanwhile (the
        file work is done either way)."""
        if isValid(self):
            signal.emit(text)
