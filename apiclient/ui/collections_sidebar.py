"""The collections sidebar: the open collection as a tree, with filter and file operations."""

from __future__ import annotations

from collections import deque
from functools import partial
from html import escape
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.errors import CoreError
from apiclient.core.store import FolderNode, LoadProblem, RequestNode
from apiclient.core.store_outline import Outline
from apiclient.ui import dialogs
from apiclient.ui.actions import make_action
from apiclient.ui.collection_filter import CollectionFilter
from apiclient.ui.collection_model import RELPATH_ROLE, CollectionTreeModel
from apiclient.ui.method_style import badge_size
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.empty_state import EmptyState
from apiclient.ui.workspace import NoCollectionError, Workspace

NO_COLLECTION_TEXT = "No collection open"
NO_COLLECTION_HINT = "Open a collection folder, or start a new one."
NO_REQUESTS_TEXT = "No requests yet"
NO_REQUESTS_HINT = "Press Ctrl+N or right-click to add one."
FILTER_EXPANDED_ROWS = 300
"""About how many rows the filter opens folders for (more would not fit on a screen)."""
PROBLEM_LINES = 8
"""Files listed by name under the tree when some failed to load; the rest are counted."""
PROBLEM_TOOLTIP_LINES = 40


class CollectionsSidebar(QWidget):
    """Signals:
    request_activated(str): the user opened the request at this relpath.
    new_request_requested(str, str): the user asked for a new request in this folder,
        of this kind ("rest", "soap"...).
    problem_reported(str): an operation failed; the text says what and why.
    run_requested(str): the user asked to run the folder at this relpath ("" for the
        whole collection) in the Batch tab's runner.
    """

    request_activated = Signal(str)
    new_request_requested = Signal(str, str)
    problem_reported = Signal(str)
    run_requested = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        request_kinds: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        """``request_kinds``: (kind, label) of each request the user may create here."""
        super().__init__(parent)
        self.setObjectName("collections")
        self._request_kinds = request_kinds
        self._workspace = workspace
        self.model = CollectionTreeModel(workspace, self)
        self.proxy = CollectionFilter(self.model, self)

        self.title = QLabel(objectName="collections.name")
        self.filter = QLineEdit(objectName="collections.filter")
        self.filter.setPlaceholderText("Filter by name, URL or body")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeView(objectName="collections.tree")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)  # no per-row size query: big trees lay out fast
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.loading = QLabel(objectName="collections.loading", wordWrap=True, visible=False)
        self.problems = QLabel(objectName="collections.problems", wordWrap=True, visible=False)
        themed_style(self.problems, "color: $error")
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree.setIconSize(badge_size())
        # No collection open (or one loading): what to do, with buttons for it. Its
        # title is the label "collections.empty", which says why the tree is not shown.
        self.no_collection = EmptyState(
            "collections.none", NO_COLLECTION_TEXT, NO_COLLECTION_HINT, "Open collection…"
        )
        self.empty = self.no_collection.title
        self.empty.setObjectName("collections.empty")
        self.new_collection_button = QPushButton(
            "New collection…", objectName="collections.none.new", autoDefault=False
        )
        self.no_collection.layout().insertWidget(
            5, self.new_collection_button, 0, Qt.AlignmentFlag.AlignHCenter
        )
        self.no_collection.button_clicked.connect(
            lambda: self._trigger_window_action("Open collection…")
        )
        self.new_collection_button.clicked.connect(
            lambda: self._trigger_window_action("New collection…")
        )
        # A collection without any request: how to add the first one.
        self.no_requests = EmptyState(
            "collections.no_requests", NO_REQUESTS_TEXT, NO_REQUESTS_HINT, "New request"
        )
        self.no_requests.button_clicked.connect(lambda: self._trigger_window_action("New request"))
        self.no_requests.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.no_requests.customContextMenuRequested.connect(
            lambda pos: self._show_menu(QModelIndex(), self.no_requests.mapToGlobal(pos))
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.no_collection, 1)
        layout.addWidget(self.no_requests, 1)
        layout.addWidget(self.loading)
        layout.addWidget(self.problems)

        self._expanded: set[str] = set()  # folders the user opened
        # The open collection's opened folders, while an outline is shown in its place.
        self._expanded_before_outline: set[str] | None = None
        self._expanding_matches = False
        self._outline: Outline | None = None  # shown while its collection is read
        self._loading_shown = False  # "Loading…" or an outline stands in for the tree
        self._pending_activation: str | None = None  # opened on the outline
        self._actions()
        self.filter.textChanged.connect(self._on_filter_changed)
        self.tree.activated.connect(self._on_tree_activated)
        self.tree.doubleClicked.connect(self._on_tree_activated)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.tree.expanded.connect(self._on_tree_expanded)
        self.tree.collapsed.connect(lambda i: self._expanded.discard(i.data(RELPATH_ROLE)))
        self.model.modelReset.connect(self._restore_expanded)
        self.model.modelReset.connect(self._show_tree_or_empty_state)
        self.model.move_requested.connect(self._on_move_requested)
        workspace.collection_opened.connect(self._on_collection_opened)
        workspace.outline_read.connect(self._on_workspace_outline_read)
        workspace.outline_progress.connect(self._on_workspace_outline_progress)
        self._on_collection_opened()

    # -- selection --------------------------------------------------------------------

    def current_relpath(self) -> str | None:
        """The selected item of the open collection (None while an outline is shown: its
        items are not the open collection's)."""
        index = self.tree.currentIndex()
        return index.data(RELPATH_ROLE) if index.isValid() and not self.model.outline else None

    def current_folder(self) -> str:
        """The folder a new item goes into: the selected folder, or the selected item's."""
        relpath = self.current_relpath()
        if relpath is None or self._workspace.tree is None:
            return ""
        node = self._workspace.find(relpath)
        if isinstance(node, FolderNode):
            return node.relpath
        return relpath.rpartition("/")[0]

    def select(self, relpath: str) -> None:
        source = self.model.index_of(relpath)
        index = self.proxy.mapFromSource(source)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    # -- actions ------------------------------------------------------------------------

    def _actions(self) -> None:
        tree_only = Qt.ShortcutContext.WidgetShortcut
        self.new_request_actions = [
            make_action(self, f"New {label} request", partial(self._on_new_request, kind))
            for kind, label in self._request_kinds
        ]
        self.new_folder_action = make_action(
            self, "New folder…", self._on_new_folder, ["Ctrl+Shift+N"], tree_only
        )
        self.rename_action = make_action(self, "Rename…", self._on_rename, ["F2"], tree_only)
        self.duplicate_action = make_action(
            self, "Duplicate", self._on_duplicate, ["Ctrl+D"], tree_only
        )
        self.delete_action = make_action(
            self, "Delete…", self._on_delete, [QKeySequence.StandardKey.Delete], tree_only
        )
        self.run_folder_action = make_action(self, "Run folder…", self._on_run_folder)
        self.run_collection_action = make_action(
            self, "Run collection…", lambda: self.run_requested.emit("")
        )
        self.folder_auth_action = make_action(self, "Auth…", lambda: self._on_folder_auth(None))
        self.collection_settings_action = make_action(
            self, "Collection auth and certificates…", lambda: self._on_folder_auth("")
        )
        self.tree.addActions(
            [self.new_folder_action, self.rename_action, self.duplicate_action, self.delete_action]
        )

    def _on_context_menu(self, pos) -> None:
        self._show_menu(self.tree.indexAt(pos), self.tree.viewport().mapToGlobal(pos))

    def _show_menu(self, index: QModelIndex, where: QPoint) -> None:
        """The menu for the item at ``index`` (an invalid one: the whole collection)."""
        if self.model.outline or self._workspace.store is None:
            return  # nothing can be changed before the collection is read
        has_item = index.isValid()
        menu = QMenu(self)
        menu.addActions(self.new_request_actions)
        menu.addAction(self.new_folder_action)
        # An empty spot stands for the root, i.e. the whole collection.
        node = self.model.node(self.proxy.mapToSource(index))
        if isinstance(node, FolderNode):
            menu.addSeparator()
            menu.addAction(self.run_folder_action if has_item else self.run_collection_action)
            menu.addAction(self.folder_auth_action if has_item else self.collection_settings_action)
        if has_item:
            menu.addSeparator()
            menu.addAction(self.rename_action)
            menu.addAction(self.duplicate_action)
            menu.addAction(self.delete_action)
        menu.exec(where)

    def _trigger_window_action(self, text: str) -> None:
        """Do what the window's menu item ``text`` does (one way to do each thing)."""
        for action in self.window().findChildren(QAction):
            if action.text() == text and action.isEnabled():
                action.trigger()
                return

    def _on_new_request(self, kind: str, *_checked: bool) -> None:
        self.new_request_requested.emit(self.current_folder(), kind)

    def _on_run_folder(self, *_checked: bool) -> None:
        self.run_requested.emit(self.current_folder())

    @asyncSlot()
    async def _on_folder_auth(self, relpath: str | None = None) -> None:
        """Open the auth of ``relpath`` ("": the collection; None: the selected folder)."""
        from apiclient.ui.folder_settings_dialog import FolderSettingsDialog  # on first use

        if self._workspace.store is None or self.model.outline:
            return
        relpath = self.current_folder() if relpath is None else relpath
        try:
            dialog = FolderSettingsDialog(self._workspace, relpath, self)
        except CoreError as exc:  # the folder went away meanwhile
            self.problem_reported.emit(str(exc))
            return
        await dialogs.shown(dialog)

    @asyncSlot()
    async def _on_new_folder(self) -> None:
        name, ok = await dialogs.get_text(self, "New folder", "Folder name:")
        if ok and name.strip():
            relpath = await self._run(self._workspace.new_folder(self.current_folder(), name))
            if relpath:
                self.select(relpath)

    @asyncSlot()
    async def _on_rename(self) -> None:
        relpath = self.current_relpath()
        if relpath is None:
            return
        node = self._workspace.find(relpath)
        old = node.name if isinstance(node, FolderNode) else node.request.name
        name, ok = await dialogs.get_text(self, "Rename", "New name:", text=old)
        if ok and name.strip() and name != old:
            new_path = await self._run(self._workspace.rename(relpath, name))
            if new_path:
                self.select(new_path)

    @asyncSlot()
    async def _on_duplicate(self) -> None:
        relpath = self.current_relpath()
        if relpath is not None:
            new_path = await self._run(self._workspace.duplicate(relpath))
            if new_path:
                self.select(new_path)

    @asyncSlot()
    async def _on_delete(self) -> None:
        relpath = self.current_relpath()
        if relpath is None:
            return
        node = self._workspace.find(relpath)
        what = (
            f"the folder '{node.name}' and everything in it"
            if isinstance(node, FolderNode)
            else f"the request '{node.request.name}'"
        )
        answer = await dialogs.question(self, "Delete", f"Delete {what}? This cannot be undone.")
        if answer == dialogs.Button.Yes:
            await self._run(self._workspace.delete(relpath))

    @asyncSlot(str, str, int)
    async def _on_move_requested(self, relpath: str, new_parent: str, index: int) -> None:
        new_path = await self._run(self._workspace.move(relpath, new_parent, index))
        if new_path:
            self.select(new_path)

    async def _run(self, operation):
        """Await a workspace operation; a failure is reported, never raised into Qt."""
        try:
            return await operation
        except (CoreError, NoCollectionError) as exc:
            self.problem_reported.emit(str(exc))
            return None

    # -- view state -----------------------------------------------------------------------

    def _on_tree_activated(self, index: QModelIndex) -> None:
        node = self.model.node(self.proxy.mapToSource(index))
        if isinstance(node, RequestNode):
            if self.model.outline:
                self._pending_activation = node.relpath  # opened once the store has it
            else:
                self.request_activated.emit(node.relpath)

    def _on_tree_expanded(self, index: QModelIndex) -> None:
        # Folders the filter opens are not remembered: clearing it closes them again.
        if not self._expanding_matches:
            self._expanded.add(index.data(RELPATH_ROLE))

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        if text:
            self._expand_matches()
        else:
            self.tree.collapseAll()
            self._restore_expanded()

    def _expand_matches(self) -> None:
        """Open the folders that hold matches, breadth first, until about
        ``FILTER_EXPANDED_ROWS`` rows show: opening all of them would lay out thousands
        of rows at each keystroke when a short text matches everything."""
        self._expanding_matches = True
        try:
            shown = self.proxy.rowCount()
            queue = deque([QModelIndex()])
            while queue and shown < FILTER_EXPANDED_ROWS:
                parent = queue.popleft()
                for row in range(self.proxy.rowCount(parent)):
                    index = self.proxy.index(row, 0, parent)
                    rows = self.proxy.rowCount(index)
                    if rows and shown + rows <= FILTER_EXPANDED_ROWS:
                        self.tree.expand(index)
                        shown += rows
                        queue.append(index)
                    if shown >= FILTER_EXPANDED_ROWS:
                        break
        finally:
            self._expanding_matches = False

    def _on_workspace_outline_read(self, outline: Outline) -> None:
        """Show a big collection's outline while the store reads its files."""
        if self._outline is None:
            self._expanded_before_outline = self._expanded
        self._outline = outline
        self._expanded = set()
        self._pending_activation = None
        self.tree.show()
        self.filter.show()
        self.no_collection.hide()
        self.no_requests.hide()
        self.model.show_outline(outline.tree)
        self.problems.hide()
        self.title.setText(f"<b>{escape(outline.tree.name)}</b>")
        self.loading.setText(f"Reading the {outline.requests:,} requests…")
        self.loading.show()
        self._loading_shown = True

    def _on_workspace_outline_progress(self, read: int) -> None:
        outline = self._outline
        if outline is not None:  # else it came late: the collection is open
            self.loading.setText(f"Reading the {outline.requests:,} requests… {read:,} read")

    def show_loading(self, root: Path) -> None:
        """Say the collection at ``root`` is being read (by a worker, so the window is
        already usable); ``collection_opened`` or ``loading_failed`` ends this."""
        self._drop_outline()
        self.tree.hide()
        self.filter.hide()
        self.no_requests.hide()
        self.no_collection.set_text(f"Loading {root.name}…", "")
        self.no_collection.set_button("")
        self.new_collection_button.hide()
        self.no_collection.show()
        self._loading_shown = True

    def loading_dropped(self) -> None:
        """An opening ended with nothing to show (a newer open or create superseded it)
        while nothing newer is being read: show the open collection again if the sidebar
        still says something is loading."""
        if self._loading_shown:
            self._drop_outline()
            self._show_collection()

    def loading_failed(self, reason: str) -> None:
        """The collection did not open: show the one still open (if any, with its
        folders expanded as they were) and why."""
        self._drop_outline()
        self._show_collection()
        self.show_problems(reason)

    def _drop_outline(self) -> None:
        """Show the open collection again, with the folders that were open in it."""
        if self._outline is not None:
            self._outline = None
            self._pending_activation = None
            self._expanded = self._expanded_before_outline or set()
            self._expanded_before_outline = None
            self.loading.hide()
            self.model.reload()

    def _on_collection_opened(self) -> None:
        store = self._workspace.store
        outline, self._outline = self._outline, None
        self._expanded_before_outline = None
        opened_outline = outline is not None and store is not None and store.root == outline.root
        if not opened_outline:
            self._expanded = set()  # else the folders opened on the outline stay open
        self.loading.hide()
        self._show_collection()
        pending, self._pending_activation = self._pending_activation, None
        if pending is not None and opened_outline:
            try:
                node = self._workspace.find(pending)
            except CoreError:
                return
            if isinstance(node, RequestNode):
                self.select(node.relpath)
                self.request_activated.emit(node.relpath)

    def _show_collection(self) -> None:
        store = self._workspace.store
        self._loading_shown = False
        self.no_collection.set_text(NO_COLLECTION_TEXT, NO_COLLECTION_HINT)
        self.no_collection.set_button("Open collection…")
        self.new_collection_button.show()
        self.title.setText(f"<b>{escape(store.name)}</b>" if store else "")
        self._show_tree_or_empty_state()
        self.show_problems()

    def _show_tree_or_empty_state(self) -> None:
        """The tree, or what to do when there is no collection or nothing in it."""
        if self._loading_shown:
            return  # "Loading…" stays until the collection opened or failed
        store = self._workspace.store
        tree = self.model.tree
        empty = store is not None and not self.model.outline and tree is not None
        empty = empty and not tree.children
        self.tree.setVisible(store is not None and not empty)
        self.filter.setVisible(store is not None and not empty)
        self.no_collection.setVisible(store is None)
        self.no_requests.setVisible(empty)

    def show_problems(self, failure: str = "") -> None:
        """List files that failed to load, or ``failure`` when a whole collection did."""
        store = self._workspace.store
        text = failure or (problems_text(store.problems, store.root) if store else "")
        self.problems.setText(text)
        listed = not failure and store is not None and len(store.problems) > PROBLEM_LINES
        # The label names a few; its tooltip names more (a pull may break hundreds).
        self.problems.setToolTip(
            problems_text(store.problems, store.root, PROBLEM_TOOLTIP_LINES)
            if listed and store is not None
            else ""
        )
        self.problems.setVisible(bool(text))

    def _restore_expanded(self) -> None:
        for source in self.model.folder_indexes(self._expanded):
            index = self.proxy.mapFromSource(source)
            if index.isValid():
                self.tree.expand(index)
        if self.filter.text():
            self._expand_matches()


def problems_text(problems: list[LoadProblem], root: Path, limit: int = PROBLEM_LINES) -> str:
    """What the sidebar says about files that failed to load: the first ``limit``
    (paths inside the collection, with why), then how many more."""
    if not problems:
        return ""
    lines = [f"• {_shown_path(p.path, root)}: {p.reason}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit:,} more")
    if len(problems) == 1:
        head = "A file could not be loaded and was left untouched:"
    else:
        head = f"{len(problems):,} files could not be loaded and were left untouched:"
    return "\n".join([head, *lines])


def _shown_path(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
