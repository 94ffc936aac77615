"""The lifecycle of the window's open requests: open, save, close, and reopen later.

Each protocol tab is a group of open requests (sub-tabs, :mod:`apiclient.ui.open_requests`).
This controller decides where a request opens (its own sub-tab if open, an untouched
blank one, else a new one), asks before unsaved edits go, saves, disposes of closed
sub-tabs, and keeps the requests open with their collection: the saved ones are
written down per collection and reopened with it, and when another collection opens
those still open become unsaved drafts, so Save never writes into the wrong one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from apiclient.core.errors import CoreError
from apiclient.ui import dialogs
from apiclient.ui.request_tabs import RequestTabs
from apiclient.ui.tasks import start_task

if TYPE_CHECKING:
    from apiclient.core.history import HistoryEntry
    from apiclient.core.models import AnyRequest
    from apiclient.core.store import RequestNode
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.open_requests import OpenRequests
    from apiclient.ui.settings import AppSettings
    from apiclient.ui.tabs.request_tab import RequestTab


class OpenRequestsController(QObject):
    def __init__(self, window: MainWindow, tabs: RequestTabs, settings: AppSettings) -> None:
        super().__init__(window)
        self._window = window
        self._tabs = tabs
        self._settings = settings
        # Per open request: the folder a new draft was started in, where Save puts it.
        self._new_request_folder: dict[RequestTab, str] = {}
        self._confirming: asyncio.Future[None] | None = None
        # The collection the requests open in tabs (their relpaths) belong to.
        self._tabs_collection: Path | None = None
        # Closed sub-tabs whose sends and connections are still being stopped.
        self._disposing: set[asyncio.Task[None]] = set()
        # While true, which requests are open is not remembered: the tabs are being cleared.
        self._frozen = False
        # Reopening the requests remembered for the collection just opened (meanwhile,
        # what is open is not remembered either: it is not all there yet).
        self._reopening: asyncio.Task[None] | None = None

    # -- building ------------------------------------------------------------------------

    def on_tab_built(self, tab: RequestTab) -> None:
        """A new open request: its sends go to the history, its edits to the drafts, and
        it takes the layout of the one in front of its kind, else the saved one."""
        from apiclient.ui.accessibility import label_controls_soon

        label_controls_soon(tab)
        tab.request_sent.connect(lambda entry: self._window.history.record(entry))
        self._window.drafts.track(tab)
        group = next((g for g in self._tabs.groups() if g.kind == tab.kind), None)
        shown = group.current() if group is not None else None
        saved = shown.splitter.saveState() if shown is not None else None
        saved = saved or self._settings.splitter(tab.kind)
        if saved is not None:
            tab.splitter.restoreState(saved)

    def on_group_built(self, group: OpenRequests) -> None:
        from apiclient.ui.accessibility import label_controls

        group.close_requested.connect(self.close_request)
        group.current_changed.connect(self._on_group_current_changed)
        group.dirty_changed.connect(lambda dirty: self._on_group_dirty_changed(group, dirty))
        group.tabs_changed.connect(self.remember_open_requests)
        # Qt makes each sub-tab's close button with a tooltip only: name them too.
        group.tabs_changed.connect(lambda: label_controls(group.bar))

    def _on_group_current_changed(self, tab: RequestTab) -> None:
        """Another open request in front: the sidebar shows where it is saved."""
        parts = self._window.parts
        if tab.relpath is not None and parts is not None:
            parts.sidebar.select(tab.relpath)

    def _on_group_dirty_changed(self, group: OpenRequests, dirty: bool) -> None:
        label = RequestTabs.label(group.kind)
        tabs = self._window.tabs
        tabs.setTabText(tabs.indexOf(group), f"{label} ●" if dirty else label)

    # -- finding -------------------------------------------------------------------------

    def group_of(self, tab: RequestTab) -> OpenRequests | None:
        return next((g for g in self._tabs.groups() if tab in g.tabs()), None)

    def focus_tab(self, tab: RequestTab) -> None:
        """Bring ``tab`` to the front: its protocol tab, then its sub-tab."""
        group = self.group_of(tab)
        if group is not None:
            group.focus(tab)
            self._window.tabs.setCurrentWidget(group)

    def tab_for_slot(self, slot: str) -> RequestTab | None:
        """The open request whose drafts are kept in ``slot`` (a sub-tab is opened for
        it, behind the others, if none is); None for a kind without a tab."""
        self._window.build_parts()
        group = self._tabs.group(slot.partition("-")[0])
        if group is None:
            return None
        return group.find_slot(slot) or group.open_tab(slot, focus=False)

    def group_or_report(self, kind: str) -> OpenRequests | None:
        self._window.build_parts()
        group = self._tabs.group(kind)
        if group is None:
            self._window.report_problem(
                f"This version of apiclient has no tab for {kind} requests."
            )
        return group

    # -- opening -------------------------------------------------------------------------

    def open_saved_request(self, relpath: str) -> None:
        """Show the saved request at ``relpath``: its sub-tab if it is open, else in a
        new sub-tab (or in place of an untouched blank one). Nothing is replaced."""
        from apiclient.core.store import RequestNode

        try:
            node = self._window.workspace.find(relpath)
        except CoreError as exc:
            self._window.report_problem(str(exc))
            return
        if isinstance(node, RequestNode):
            self._show_saved(node)

    def open_history_entry(self, entry: HistoryEntry) -> None:
        """Reopen a sent request from the history as an unsaved draft, in a new sub-tab,
        saying which secrets the history did not keep."""
        tab = self._vacant_tab(entry.kind)
        if tab is None:
            return
        tab.open_request(entry.request, None)
        self.focus_tab(tab)
        if entry.redacted:
            tab.show_notice(
                "Reopened from history without its secrets; type them again: "
                + ", ".join(entry.redacted)
                + "."
            )

    def open_draft(self, request: AnyRequest, notice: str = "") -> RequestTab | None:
        """Show ``request`` (imported, pasted...) as an unsaved draft in a new sub-tab of
        its kind; ``notice`` says where it came from. Closing it asks first."""
        tab = self._vacant_tab(request.kind)
        if tab is None:
            return None
        tab.open_request(request, None)
        tab.detach()  # unsaved work from the start: Save asks for a name
        self.focus_tab(tab)
        if notice:
            tab.show_notice(notice)
        return tab

    def new_request(self, kind: str, folder: str = "") -> None:
        """Start a new request of ``kind`` in a new sub-tab; Save puts it in ``folder``."""
        tab = self._vacant_tab(kind)
        if tab is None:
            return
        tab.open_request(tab.new_request(), None, blank=True)
        self._new_request_folder[tab] = folder
        self.focus_tab(tab)
        tab.focus_main_field()

    def _show_saved(self, node: RequestNode, focus: bool = True) -> RequestTab | None:
        """The sub-tab showing ``node``, opened if needed; brought to the front with
        ``focus``, else opened behind the one in front (unless that one was blank)."""
        group = self.group_or_report(node.request.kind)
        if group is None:
            return None
        tab = group.find(node.relpath)
        if tab is None:
            tab = self._vacant_tab(node.request.kind, focus)
            assert tab is not None
            self._new_request_folder.pop(tab, None)
            tab.open_request(node.request, node.relpath)
        if focus:
            self.focus_tab(tab)
            self._window.sidebar.select(node.relpath)
        return tab

    def _vacant_tab(self, kind: str, focus: bool = True) -> RequestTab | None:
        """Where a request of ``kind`` opens: the sub-tab in front if it holds a blank
        request nobody touched, else a new sub-tab (brought to the front with ``focus``)."""
        group = self.group_or_report(kind)
        if group is None:
            return None
        current = group.current()
        if current.blank and not current.is_sending():
            return current
        return group.open_tab(focus=focus)

    # -- saving --------------------------------------------------------------------------

    async def save(self, tab: RequestTab) -> bool:
        if tab.relpath is None:
            return await self.save_as(tab)
        return await self._write(tab, tab.current_request(), tab.relpath, "")

    async def save_as(self, tab: RequestTab) -> bool:
        request = tab.current_request()
        name, ok = await dialogs.get_text(
            self._window, "Save request", "Request name:", request.name
        )
        if not ok or not name.strip():
            return False
        folder = self._new_request_folder.get(tab) or self._window.sidebar.current_folder()
        return await self._write(
            tab, request.model_copy(update={"name": name.strip()}), None, folder
        )

    async def _write(
        self, tab: RequestTab, request: AnyRequest, relpath: str | None, folder: str
    ) -> bool:
        from apiclient.ui.workspace import NoCollectionError

        window = self._window
        store = window.workspace.store
        try:
            saved_path = await window.workspace.save_request(request, relpath, folder)
        except (CoreError, NoCollectionError) as exc:
            tab.show_notice(f"Not saved: {exc}")
            window.report_problem(f"Not saved: {exc}")
            return False
        self._new_request_folder.pop(tab, None)
        if store is not None and self._tabs_collection != store.root:
            # Another collection opened while it was written: the tab keeps it as a draft.
            tab.detach()
            window.statusBar().showMessage(
                f"Saved {saved_path} in {store.name}, which is no longer open", 6000
            )
            return True
        tab.mark_saved(saved_path, request)
        self.remember_open_requests()
        window.sidebar.select(saved_path)
        window.statusBar().showMessage(f"Saved {saved_path}", 4000)
        return True

    # -- closing -------------------------------------------------------------------------

    async def confirm_discard(self, tab: RequestTab | None = None) -> bool:
        """True when ``tab`` (else every open request) has nothing unsaved, or the user
        saved or chose to drop it."""
        for each in (tab,) if tab is not None else self._tabs.built():
            if each.dirty and not await self._confirm_discard_one(each):
                return False
        return True

    async def _confirm_discard_one(self, tab: RequestTab) -> bool:
        self.focus_tab(tab)
        answer = await dialogs.question(
            self._window,
            "Unsaved changes",
            f"'{tab.current_request().name}' has unsaved changes. Save them?",
            dialogs.Button.Save | dialogs.Button.Discard | dialogs.Button.Cancel,
            dialogs.Button.Save,
        )
        if answer == dialogs.Button.Save:
            return await self.save(tab)
        return answer == dialogs.Button.Discard

    def close_request(self, tab: RequestTab | None = None) -> None:
        """Close ``tab`` (else the open request in front), asking first when it holds
        unsaved edits (Save / Discard / Cancel)."""
        tab = tab if tab is not None else self._window.current_tab()
        if not tab.dirty:
            self._close_tab(tab)
            return

        async def confirm_then_close() -> None:
            if await self.confirm_discard(tab) and self.group_of(tab) is not None:
                self._close_tab(tab)

        self._confirming = start_task(confirm_then_close())

    def cycle_requests(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous open request of the protocol
        tab in front."""
        group = self.group_of(self._window.current_tab())
        if group is not None:
            group.cycle(step)
            group.current().focus_main_field()

    def _close_tab(self, tab: RequestTab) -> None:
        """Take ``tab`` away now (its draft discarded: its edits were saved or dropped by
        choice), then stop its send and connections, and delete it."""
        group = self.group_of(tab)
        if group is None:
            return
        self._window.drafts.forget(tab)
        self._window.watcher.forget(tab)
        self._new_request_folder.pop(tab, None)
        group.remove(tab)
        task = start_task(self._dispose(tab))
        self._disposing.add(task)
        task.add_done_callback(self._disposing.discard)

    @staticmethod
    async def _dispose(tab: RequestTab) -> None:
        try:
            await tab.aclose()
        finally:
            tab.deleteLater()

    async def wait_disposed(self) -> None:
        """Until the closed sub-tabs have stopped their sends and connections."""
        while self._disposing:
            await asyncio.gather(*self._disposing, return_exceptions=True)

    def close_clean_twins(self, slot: str) -> None:
        """A kept draft was swapped into the sub-tab of ``slot``: another sub-tab showing
        the same saved request with no edits of its own closes, so one file is open in
        one sub-tab (two with edits each stay: both hold work)."""
        group = self._tabs.group(slot.partition("-")[0])
        tab = group.find_slot(slot) if group is not None else None
        if group is None or tab is None or tab.relpath is None:
            return
        for other in group.tabs():
            if other is not tab and other.relpath == tab.relpath and not other.dirty:
                self._close_tab(other)

    # -- the collection around them ----------------------------------------------------------

    def on_node_moved(self, old: str, new: str) -> None:
        """An open request's file (or a folder around it) was renamed or moved."""
        from apiclient.core.store import RequestNode

        workspace = self._window.workspace
        for tab in self._tabs.built():
            current = tab.relpath
            if current is not None and (current == old or current.startswith(old + "/")):
                node = workspace.find(new + current[len(old) :])
                if isinstance(node, RequestNode):
                    tab.mark_saved(node.relpath, node.request)
        self.remember_open_requests()

    def on_tree_changed(self) -> None:
        """A deleted open request becomes an unsaved draft rather than vanishing."""
        workspace = self._window.workspace
        if workspace.store is None:
            return
        for tab in self._tabs.built():
            if tab.relpath is None:
                continue
            try:
                workspace.find(tab.relpath)
            except CoreError:
                tab.detach()
        self.remember_open_requests()

    def on_collection_opened(self) -> None:
        """Requests open in tabs belong to the collection open before: when another one
        opens, they become unsaved drafts (nothing is lost), so Save never writes one
        into the new collection at the relpath it had in the old one."""
        store = self._window.workspace.store
        root = store.root if store is not None else None
        if root != self._tabs_collection:
            for tab in self._tabs.built():
                if tab.relpath is not None:
                    tab.detach()
        self._tabs_collection = root
        if self._reopening is not None:
            self._reopening.cancel()  # for the collection open before
        if root is not None:
            self._reopening = start_task(
                self._reopen_requests(root, self._settings.open_requests_for(root)),
                lambda _task: self.remember_open_requests(),
            )

    def clear(self) -> None:
        """A collection is being opened or created (the user chose what to do with every
        unsaved edit): every kind is left with one blank request, in its first sub-tab."""
        self._frozen = True
        try:
            for group in self._tabs.groups():
                for tab in group.tabs():
                    if tab.slot != group.kind:
                        self._close_tab(tab)
                first = group.current()
                self._new_request_folder.pop(first, None)
                first.open_request(first.new_request(), None, blank=True)
        finally:
            self._frozen = False

    def remember_open_requests(self) -> None:
        """Write down the saved requests open for the collection shown (reopened when it
        is opened again), unless the tabs are being cleared or refilled."""
        parts = self._window.parts
        store = parts.workspace.store if parts is not None else None
        reopening = self._reopening is not None and not self._reopening.done()
        if self._frozen or reopening:
            return
        if store is None or store.root != self._tabs_collection:
            return
        relpaths = [tab.relpath for tab in self._tabs.built() if tab.relpath is not None]
        self._settings.set_open_requests_for(store.root, relpaths)

    async def _reopen_requests(self, root: Path, relpaths: list[str]) -> None:
        """Once the drafts of ``root`` are back, reopen the saved requests that were open
        when it was last shown (those gone since are skipped)."""
        from apiclient.core.store import RequestNode

        await self._window.drafts.restore(root)
        if self._tabs_collection != root:
            return  # another collection opened meanwhile
        for relpath in relpaths:
            try:
                node = self._window.workspace.find(relpath)
            except CoreError:
                continue
            if isinstance(node, RequestNode):
                self._show_saved(node, focus=False)
