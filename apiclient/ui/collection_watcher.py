"""Picks up changes made to the open collection outside the app (a git pull, an editor).

The collection's folders and files are watched; a burst of changes (a pull touches many
files) is read once, shortly after it ends, through ``Workspace.reload``; a change that
holds what the app already has (its own Save, rename or move) stops there. Otherwise each
open tab whose file changed is brought in step without losing anything: a clean tab
shows the new version; a tab with unsaved edits keeps them and says the file changed,
offering to reload; a tab whose file was deleted keeps its content as an unsaved draft.

When a collection is opened it is watched first, then the temporary files that a crash
left in the folders the store writes (``remove_crash_leftovers``) are removed, so no
change made meanwhile goes unseen.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal

from apiclient.core.errors import CoreError
from apiclient.core.store import RequestNode
from apiclient.core.store_files import remove_crash_leftovers
from apiclient.core.store_format import SUFFIX
from apiclient.ui.collections_sidebar import CollectionsSidebar
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tasks import OwnedTask
from apiclient.ui.workspace import Workspace

DEBOUNCE_MS = 300
WATCH_BATCH = 500
CHANGED_ON_DISK = "This request changed on disk (e.g. git pull)."
RELOAD_LINK = "reload"
KEEP_LINK = "keep"
CONFLICT_CHOICES = (
    "Your unsaved edits are kept; Save overwrites the file, Reload takes the file's "
    f"version. <a href='{RELOAD_LINK}'>Reload</a> · <a href='{KEEP_LINK}'>Keep my edits</a>"
)
DELETED_NOTICE = (
    "This request's file was deleted on disk. Your version is kept here as an unsaved "
    "draft; Save writes it again."
)


class CollectionWatcher(QObject):
    """Watches the open collection and reloads it after an outside change.

    Signals:
        reloaded: the collection was read again and the open tabs brought in step.
        skipped: files changed, but hold what the app already has (its own writes), so
            nothing was reloaded.
        problem_reported(str): the changed collection could not be read.
    """

    reloaded = Signal()
    skipped = Signal()
    problem_reported = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        tabs: Callable[[], Iterable[RequestTab]],
        sidebar: CollectionsSidebar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._tabs = tabs
        self._sidebar = sidebar
        self._conflicts: set[RequestTab] = set()  # the tabs showing the conflict notice
        self._linked: set[RequestTab] = set()  # the tabs whose notice links are connected
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_watcher_changed)
        self._watcher.fileChanged.connect(self._on_watcher_changed)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._reload = OwnedTask()
        self._again = False
        self._stopped = False
        self._touched: set[str] = set()  # paths reported changed since the last rewatch
        workspace.collection_opened.connect(self._on_collection_opened)
        # A reload still reading when the window goes must not land on deleted widgets.
        self.destroyed.connect(self._reload.abandon)

    def stop(self) -> None:
        """Stop watching (the window is shutting down): no reload starts after this."""
        self._stopped = True
        self._reload.abandon()
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self._timer.stop()
            paths = self._watcher.files() + self._watcher.directories()
            if paths:
                self._watcher.removePaths(paths)

    def has_conflict(self, tab: RequestTab) -> bool:
        """Whether ``tab`` shows edits made over a file that changed on disk since."""
        return tab in self._conflicts and tab.dirty

    def forget(self, tab: RequestTab) -> None:
        """``tab`` is being closed."""
        self._conflicts.discard(tab)
        self._linked.discard(tab)

    def watched_paths(self) -> list[str]:
        """The folders and files watched now (empty until the collection is opened)."""
        return self._watcher.directories() + self._watcher.files()

    # -- watching ------------------------------------------------------------------------

    def _on_collection_opened(self) -> None:
        self._conflicts.clear()
        self._reload.start(self._watch_and_clean_up())

    async def _watch_and_clean_up(self) -> None:
        await self._rewatch()
        store = self._workspace.store
        if store is not None:
            await asyncio.to_thread(remove_crash_leftovers, store.root)

    async def _rewatch(self) -> None:
        """Watch what the collection holds now: only paths that came or went change, a
        few thousand at a time (each batch holds the GUI thread for a few milliseconds)."""
        store = self._workspace.store
        touched, self._touched = self._touched, set()
        paths = await asyncio.to_thread(_watch_paths, store.root) if store is not None else []
        wanted = set(paths)
        current = set(self._watcher.files() + self._watcher.directories())
        # Gone, or changed: a changed file may be a new file under the old name (atomic
        # writes) while its watch is still on the old one, so it is watched anew.
        stale = (current - wanted) | (current & touched)
        for batch in _batches(sorted(stale)):
            self._watcher.removePaths(batch)
            await asyncio.sleep(0)
        for batch in _batches(sorted(wanted - (current - stale))):
            self._watcher.addPaths(batch)  # a path gone meanwhile is simply not watched
            await asyncio.sleep(0)

    def _on_watcher_changed(self, path: str) -> None:
        if not self._stopped:
            self._touched.add(path)
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._stopped:
            return
        if self._reload.running():
            self._again = True  # read again once the running reload ends
            return
        self._reload.start(self._reload_and_reconcile())

    async def _reload_and_reconcile(self) -> None:
        if self._workspace.store is None:
            return
        before = {tab: tab.relpath for tab in self._tabs()}
        selected = self._sidebar.current_relpath()
        try:
            changed = await self._workspace.reload()
        except CoreError as exc:
            self.problem_reported.emit(f"The collection changed on disk and cannot be read: {exc}")
            changed = True
        else:
            if changed:
                if selected is not None:
                    self._sidebar.select(selected)
                self._sidebar.show_problems()
                for tab, relpath in before.items():
                    if relpath is not None:
                        self._bring_in_step(tab)
        await self._rewatch()  # also when unchanged: a Save as added a file to watch
        (self.reloaded if changed else self.skipped).emit()
        if self._again:
            self._again = False
            self._timer.start()

    # -- the open tabs ---------------------------------------------------------------------

    def _bring_in_step(self, tab: RequestTab) -> None:
        if tab.relpath is None:  # the window detached it: its file is gone
            self._conflicts.discard(tab)
            tab.show_notice(DELETED_NOTICE)
            return
        try:
            node = self._workspace.find(tab.relpath)
        except CoreError:
            return
        if not isinstance(node, RequestNode) or node.request == tab.saved_request:
            return
        if not tab.dirty:
            tab.open_request(node.request, node.relpath)
        elif tab.current_request() == node.request:
            tab.mark_saved(node.relpath, node.request)  # the edits are what was pulled
        else:
            self.show_conflict(tab)

    def show_conflict(self, tab: RequestTab, cause: str = CHANGED_ON_DISK) -> None:
        """Tell ``tab`` that its unsaved edits were made over a file that changed on disk
        since (``cause`` says how), offering Reload and Keep my edits."""
        if tab not in self._linked:
            self._linked.add(tab)
            tab.notice.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
            tab.notice.linkActivated.connect(lambda link: self._on_notice_link(tab, link))
        self._conflicts.add(tab)
        tab.show_notice(f"{cause} {CONFLICT_CHOICES}")

    def _on_notice_link(self, tab: RequestTab, link: str) -> None:
        if tab not in self._conflicts or link not in (RELOAD_LINK, KEEP_LINK):
            return
        self._conflicts.discard(tab)
        if link == RELOAD_LINK and tab.relpath is not None:
            try:
                node = self._workspace.find(tab.relpath)
            except CoreError as exc:
                tab.show_notice(str(exc))
                return
            if isinstance(node, RequestNode):
                tab.open_request(node.request, node.relpath)
                return
        tab.show_notice("")


def _watch_paths(root: Path) -> list[str]:
    """The collection's folders and YAML files (hidden ones, like .git, left out)."""
    paths = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths.append(folder)
        paths.extend(
            os.path.join(folder, f) for f in files if f.endswith(SUFFIX) and not f.startswith(".")
        )
    return paths


def _batches(paths: list[str]) -> list[list[str]]:
    return [paths[i : i + WATCH_BATCH] for i in range(0, len(paths), WATCH_BATCH)]
