"""Autosave of unsaved edits, so a crash or a killed app never costs what was typed.

Each edit in an open request restarts a short timer; when typing pauses, its request is
written as a draft (``apiclient.core.drafts``) of the open collection, in the slot of its
sub-tab, in a worker thread (which also fingerprints the saved request the edits were
made over). When the tab gets clean again (saved, or its edits dropped for another
request) its draft is discarded; closing a sub-tab (its edits saved or dropped by choice)
discards it too. Whenever a collection is opened (at start-up, or later from the File
menu) its drafts come back into the sub-tabs of their slots (opened if needed), dirty,
with a notice saying when they were written; a draft made over a request whose file
changed since then comes back as a conflict to settle (Reload / Keep my edits), like a
change seen by the watcher. Drafts typed while no collection was open come back into an
empty tab of their slot.

No draft is ever buried: one that meets a tab already holding other edits is kept aside,
and the tab's notice names it with a link that swaps it in (the tab's edits are kept
aside in turn); drafts kept aside earlier are named again at each opening.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance
from shiboken6 import isValid

from apiclient.core.atomic import remove_stale_temp_files
from apiclient.core.drafts import Draft, DraftStore, Fingerprints, Found, slot_kind
from apiclient.core.errors import CoreError, StoreError
from apiclient.core.models import AnyRequest
from apiclient.core.paths import data_dir
from apiclient.core.store import RequestNode
from apiclient.ui.collection_watcher import KEEP_LINK, RELOAD_LINK
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tasks import start_task
from apiclient.ui.workspace import Workspace

AUTOSAVE_DELAY_MS = 1000
RESTORE_KEPT_LINK = "restore-kept"


@dataclass(frozen=True)
class _Restored:
    """A draft shown in its tab as it is on disk. While the tab holds exactly ``draft``
    at ``relpath`` it is not written again; while ``conflict`` (restored over a file
    changed since, not yet settled) every autosave keeps the draft's ``base`` and
    ``saved_at``, so a second crash still shows the conflict."""

    draft: Draft
    relpath: str | None
    conflict: bool


class DraftKeeper(QObject):
    """Writes and discards the drafts of the tabs it tracks, and restores them.

    Nothing is written while the drafts of the collection just opened are being read:
    those on disk are waiting to be restored. A draft is discarded only from the
    collection it was written for (or restored from), so the drafts of a collection that
    is not open stay untouched.

    Signals:
        problem_reported(str): a draft could not be written, read or deleted, or was
            kept aside (where it is).
        draft_written(str): the draft of a slot (``rest``, ``rest-2``...) is on disk.
        draft_discarded(str): the draft of a slot is gone.
        drafts_restored(list): the drafts of the collection just opened are back; the
            slots of the tabs that got one.
        draft_swapped(str): a kept draft was swapped into the tab of a slot.
        conflict_found(object, str): a draft was restored over a request whose file
            changed since it was written; the tab and what to tell about the cause.
    """

    problem_reported = Signal(str)
    draft_written = Signal(str)
    draft_discarded = Signal(str)
    drafts_restored = Signal(list)
    draft_swapped = Signal(str)
    conflict_found = Signal(object, str)

    def __init__(
        self,
        store: DraftStore,
        workspace: Workspace,
        tab_for: Callable[[str], RequestTab | None],  # by slot, opened if needed
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._workspace = workspace
        self._tab_for = tab_for
        self._timers: dict[str, QTimer] = {}
        self._tabs: dict[str, RequestTab] = {}
        # Per slot: the collection whose draft on disk holds that tab's edits.
        self._owner: dict[str, Path | None] = {}
        self._restored: dict[str, _Restored] = {}
        self._kept: dict[str, Path] = {}  # per slot, the kept draft its notice offers
        self._swapping: set[str] = set()
        self._fingerprints = Fingerprints()  # used in workers only
        self._restoring: asyncio.Task[None] | None = None
        self._restoring_for: Path | None = None
        self._cleaned_up = False
        self._quit = False
        self._io_lock = asyncio.Lock()  # drafts are written and deleted in the order asked
        self._pending: set[asyncio.Task[None]] = set()
        workspace.collection_opened.connect(self._on_workspace_collection_opened)

    def track(self, tab: RequestTab) -> None:
        """Autosave ``tab`` from now on, in its slot."""
        timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        timer.setObjectName(f"drafts.autosave.{tab.slot}")
        timer.timeout.connect(lambda: self._on_timer_timeout(tab))
        self._timers[tab.slot] = timer
        self._tabs[tab.slot] = tab
        tab.edited.connect(timer.start)
        tab.dirty_changed.connect(lambda dirty: self._on_tab_dirty_changed(tab, dirty))
        tab.notice.linkActivated.connect(lambda link: self._on_notice_link(tab, link))

    def forget(self, tab: RequestTab) -> None:
        """``tab`` is being closed, its edits saved or dropped by choice: its draft goes,
        and its slot is free for another sub-tab."""
        slot = tab.slot
        if self._tabs.get(slot) is not tab:
            return
        del self._tabs[slot]
        self._timers.pop(slot).deleteLater()
        self._restored.pop(slot, None)
        self._kept.pop(slot, None)
        self._discard_owned(slot)

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
            found = await asyncio.to_thread(self._store.find, collection)
        except CoreError as exc:
            self._tell(self.problem_reported, f"Unsaved edits could not be restored: {exc}")
            return
        if not isValid(self):
            return
        nodes = {d.slot: n for d in found.drafts if (n := self._saved_node(d)) is not None}
        requests = {slot: node.request for slot, node in nodes.items()}
        bases = await asyncio.to_thread(
            lambda: {slot: self._fingerprints.of(slot, saved) for slot, saved in requests.items()}
        )
        if not isValid(self):
            return
        self._report(found)
        self._kept.clear()
        self._restored.clear()  # shown for the collection no longer open
        restored = []
        for draft in found.drafts:
            tab = self._tab_for(draft.slot)
            if tab is None:
                continue
            if tab.dirty:
                await self._keep_aside(draft, tab)
                if not isValid(self):
                    return
            elif self._restore_into(draft, tab, nodes.get(draft.slot), bases.get(draft.slot)):
                restored.append(draft.slot)
        for draft in found.loose:
            tab = self._tab_for(draft.slot)
            if tab is not None and not tab.dirty and tab.relpath is None:
                self._restore_into(draft, tab, None, None)
                restored.append(draft.slot)
            else:
                path = self._store.path(draft.slot, None)
                self.problem_reported.emit(
                    f"Unsaved edits typed while no collection was open are kept in {path}; "
                    f"they come back into an empty {draft.kind} tab."
                )
        self._offer_kept(found, restored)
        self.drafts_restored.emit(restored)

    def _saved_node(self, draft: Draft) -> RequestNode | None:
        if draft.relpath is None:
            return None
        try:
            node = self._workspace.find(draft.relpath)
        except CoreError:
            return None
        return node if isinstance(node, RequestNode) else None

    def _report(self, found: Found) -> None:
        for problem in found.problems:
            self.problem_reported.emit(
                f"A draft of unsaved edits could not be read ({problem.reason}); "
                f"it was set aside as {problem.path}."
            )
        for moved in found.moved_aside:
            self.problem_reported.emit(
                f"A draft of unsaved edits was not restored: {moved.reason}. "
                f"It is kept in {moved.path}."
            )

    def _remove_stale_temp_files(self) -> None:
        """In a worker: what crashed writes left among the drafts and the data dir's own
        files (globals, secrets); collections are cleaned as they are opened."""
        remove_stale_temp_files(self._store.directory)
        remove_stale_temp_files(data_dir(), recursive=False)

    def _on_restore_done(self, task: asyncio.Task[None]) -> None:
        """Edits typed while the drafts were read are autosaved now."""
        if task is not self._restoring or not isValid(self):
            return
        for slot, tab in self._tabs.items():
            if isValid(tab) and tab.dirty:
                self._timers[slot].start()

    def _restore_into(
        self,
        draft: Draft,
        tab: RequestTab,
        node: RequestNode | None,
        base_now: str | None,
        note: str = "",
    ) -> bool:
        """Show ``draft`` in ``tab`` over ``node``, the saved request it was made over if
        it is still there (``base_now`` its fingerprint); False when it holds nothing
        unsaved after all. ``note`` ends the notice."""
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if node is None:
            tab.open_request(draft.request, None)
            tab.detach()  # a draft is unsaved even when it equals a blank request
            self._owner[draft.slot] = draft.collection
            self._restored[draft.slot] = _Restored(draft, None, conflict=False)
            gone = " (its file is no longer in the collection; Save writes it again)"
            _show_notice(
                tab, f"Restored unsaved edits from {when}{gone if draft.relpath else ''}.{note}"
            )
            return True
        tab.open_request(node.request, node.relpath)
        tab.show_edits(draft.request)
        if not tab.dirty:  # the file now holds these very edits (e.g. pulled)
            self._queue(self._discard(draft.slot, draft.collection))
            return False
        self._owner[draft.slot] = draft.collection
        conflict = draft.base is not None and base_now is not None and draft.base != base_now
        self._restored[draft.slot] = _Restored(draft, node.relpath, conflict)
        if conflict:
            self.conflict_found.emit(
                tab,
                f"Restored unsaved edits from {when}, made before this request changed "
                f"on disk (e.g. git pull).{note}",
            )
        else:
            _show_notice(tab, f"Restored unsaved edits from {when}.{note}")
        return True

    async def _keep_aside(self, draft: Draft, tab: RequestTab) -> None:
        """The tab already holds other unsaved edits: never replace them unasked, and move
        the draft where the next autosave of this tab will not overwrite it; the notice
        names it and offers to swap it in."""
        try:
            async with self._io_lock:
                kept = await asyncio.to_thread(self._store.set_aside, draft.slot, draft.collection)
        except StoreError as exc:
            self._tell(self.problem_reported, f"Unsaved edits could not be restored: {exc}")
            return
        if isValid(self) and isValid(tab):
            self._kept[draft.slot] = kept
            when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
            _show_notice(
                tab,
                f"Unsaved edits from {when} were not restored over the edits in this tab; "
                f"they are kept in {escape(str(kept))}. {_restore_link()}",
            )

    def _offer_kept(self, found: Found, restored: list[str]) -> None:
        """Drafts kept aside in earlier sessions: named in the status line, and offered in
        the notice of a tab of their kind that shows nothing else."""
        for slot, paths in found.kept.items():
            self.problem_reported.emit(
                f"{len(paths)} draft(s) of unsaved {slot_kind(slot)} edits kept aside earlier "
                f"are in {paths[-1].parent}: " + ", ".join(p.name for p in paths)
            )
            tab = self._tabs.get(slot)
            busy = slot in restored or slot in self._kept
            if tab is None or busy or not tab.notice.isHidden():
                continue
            self._kept[slot] = paths[-1]
            _show_notice(
                tab,
                f"Unsaved edits kept aside earlier are in {escape(str(paths[-1]))}. "
                + _restore_link(),
            )

    # -- the notice's links -----------------------------------------------------------------

    def _on_notice_link(self, tab: RequestTab, link: str) -> None:
        if self._tabs.get(tab.slot) is not tab:
            return  # closed
        if link in (RELOAD_LINK, KEEP_LINK):
            restored = self._restored.get(tab.slot)
            if restored is not None and restored.conflict:
                # Settled: the edits are kept over the file as it is now (or dropped).
                del self._restored[tab.slot]
                self._timers[tab.slot].start()
        elif link == RESTORE_KEPT_LINK and tab.slot in self._kept:
            self._swapping.add(tab.slot)
            self._queue(self._swap_in(tab, self._kept.pop(tab.slot)))

    async def _swap_in(self, tab: RequestTab, kept: Path) -> None:
        """Bring the draft in ``kept`` into ``tab``; the edits it held (if any) are kept
        aside in its place, with a link back. No autosave runs meanwhile: it would write
        the edits being swapped out over the draft swapped in."""
        try:
            await self._swap_into(tab, kept)
        finally:
            self._swapping.discard(tab.slot)
            if isValid(self) and isValid(tab) and tab.dirty and self._tabs.get(tab.slot) is tab:
                self._timers[tab.slot].start()

    async def _swap_into(self, tab: RequestTab, kept: Path) -> None:
        store = self._workspace.store
        current = None
        if tab.dirty:
            current = Draft(
                kind=tab.kind,
                collection=store.root if store is not None else None,
                relpath=tab.relpath,
                request=tab.current_request(),
                saved_at=datetime.now(UTC),
                slot=tab.slot,
            )
        saved = tab.saved_request
        restored = self._restored.get(tab.slot)
        if current is not None and restored is not None and restored.conflict:
            held = restored.draft
            current = replace(current, saved_at=held.saved_at, base=held.base)
            saved = None  # the changed file, not the request these edits were made over
        collection = store.root if store is not None else None
        try:
            async with self._io_lock:
                draft, aside = await asyncio.to_thread(self._swap, collection, kept, current, saved)
        except StoreError as exc:
            self._tell(self.problem_reported, f"The kept edits could not be restored: {exc}")
            return
        if not isValid(self) or not isValid(tab):
            return
        self._owner.pop(tab.slot, None)  # the draft on disk is the swapped-in one now
        node = self._saved_node(draft)
        base_now = None
        if node is not None:
            base_now = await asyncio.to_thread(self._fingerprints.of, draft.slot, node.request)
        if not isValid(self) or not isValid(tab):
            return
        note = ""
        if aside is not None:
            self._kept[tab.slot] = aside
            note = (
                f" The edits that were in this tab are kept in {escape(str(aside))}. "
                + _restore_link("Swap them back")
            )
        self._restore_into(draft, tab, node, base_now, note)
        self.draft_swapped.emit(tab.slot)

    def _swap(
        self, collection: Path | None, kept: Path, current: Draft | None, saved: AnyRequest | None
    ) -> tuple[Draft, Path | None]:
        """In a worker: ``DraftStore.swap`` with the base of ``current`` filled in."""
        if current is not None and saved is not None:
            current = replace(current, base=self._fingerprints.of(current.slot, saved))
        return self._store.swap(collection, kept, current)

    # -- autosave ------------------------------------------------------------------------

    def _on_timer_timeout(self, tab: RequestTab) -> None:
        if self._quit or self._restoring_now() or tab.slot in self._swapping:
            return  # restarted when the restore ends; a swap writes its own
        if not tab.dirty:
            self._discard_owned(tab.slot)
            return
        request = tab.current_request()
        restored = self._restored.get(tab.slot)
        if restored is not None and (tab.relpath, request) == (
            restored.relpath,
            restored.draft.request,
        ):
            return  # the draft on disk holds exactly this
        store = self._workspace.store
        draft = Draft(
            kind=tab.kind,
            collection=store.root if store is not None else None,
            relpath=tab.relpath,
            request=request,
            saved_at=datetime.now(UTC),
            slot=tab.slot,
        )
        saved = tab.saved_request
        if restored is not None and restored.conflict:
            # Not settled yet: the saved request shown is the changed file, not the one
            # these edits were made over.
            draft = replace(draft, saved_at=restored.draft.saved_at, base=restored.draft.base)
            saved = None
        if restored is not None:  # what is on disk from now on
            if restored.conflict:
                self._restored[tab.slot] = _Restored(draft, tab.relpath, conflict=True)
            else:
                del self._restored[tab.slot]
        previous = self._owner.get(tab.slot, draft.collection)
        if previous != draft.collection:
            self._discard_owned(tab.slot)
        self._owner[tab.slot] = draft.collection
        self._queue(self._write(draft, saved, tab))

    def _on_tab_dirty_changed(self, tab: RequestTab, dirty: bool) -> None:
        if self._tabs.get(tab.slot) is not tab:
            return  # closed
        if dirty:
            self._timers[tab.slot].start()
        elif not self._quit:
            self._restored.pop(tab.slot, None)
            self._timers[tab.slot].stop()
            self._discard_owned(tab.slot)

    def _discard_owned(self, slot: str) -> None:
        """Discard the draft this tab's edits were kept in, if any: a draft not written
        or restored by this session may be one still waiting to be restored."""
        if slot in self._owner:
            self._queue(self._discard(slot, self._owner.pop(slot)))

    def forget_all(self) -> None:
        """The user quit and chose what to do with every unsaved edit: no draft of theirs
        is left to restore. Runs from ``closeEvent``, when the event loop may be gone, so
        it deletes at once (a few small files); a write still running deletes its own."""
        if self._quit:
            return
        self._quit = True
        for timer in self._timers.values():
            timer.stop()
        for slot, collection in self._owner.items():
            try:
                self._store.discard(slot, collection)
            except StoreError as exc:
                self.problem_reported.emit(f"An old draft could not be deleted: {exc}")
        self._owner.clear()

    async def aclose(self) -> None:
        """Stop restoring, and wait for the drafts being written or deleted."""
        restoring = self._restoring
        if restoring is not None and not restoring.done():
            restoring.cancel()
            await asyncio.wait({restoring})
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def _queue(self, work: Coroutine[Any, Any, None]) -> None:
        task = start_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, draft: Draft, saved: AnyRequest | None, tab: RequestTab) -> None:
        """Write ``draft`` of ``tab``; its base is the fingerprint of ``saved`` (when
        given), computed in the worker."""
        async with self._io_lock:
            if self._quit or self._tabs.get(draft.slot) is not tab or not tab.dirty:
                return  # saved, dropped, closed or quit while this write waited its turn
            try:
                await asyncio.to_thread(self._save, draft, saved)
                if self._quit:  # quit while it was being written
                    await asyncio.to_thread(self._store.discard, draft.slot, draft.collection)
                    return
            except StoreError as exc:
                self._tell(self.problem_reported, f"Unsaved edits could not be autosaved: {exc}")
                return
        self._tell(self.draft_written, draft.slot)

    def _save(self, draft: Draft, saved: AnyRequest | None) -> None:
        """In a worker: fingerprint ``saved`` into ``draft``, then write it."""
        if saved is not None:
            draft = replace(draft, base=self._fingerprints.of(draft.slot, saved))
        self._store.save(draft)

    async def _discard(self, slot: str, collection: Path | None) -> None:
        async with self._io_lock:
            try:
                await asyncio.to_thread(self._store.discard, slot, collection)
            except StoreError as exc:
                self._tell(self.problem_reported, f"An old draft could not be deleted: {exc}")
                return
        self._tell(self.draft_discarded, slot)

    def _tell(self, signal: SignalInstance, text: str) -> None:
        """Emit after a worker's file I/O, unless the window went away meanwhile (the
        file work is done either way)."""
        if isValid(self):
            signal.emit(text)


def _restore_link(text: str = "Restore these edits instead") -> str:
    return f"<a href='{RESTORE_KEPT_LINK}'>{text}</a>"


def _show_notice(tab: RequestTab, text: str) -> None:
    """Show ``text`` (which may hold links) in ``tab``'s notice."""
    tab.notice.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
    tab.show_notice(text)
