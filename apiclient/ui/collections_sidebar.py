"""The collections sidebar: the open collection as a tree, with filter and file operations."""

from __future__ import annotations

from functools import partial
from html import escape
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.errors import CoreError
from apiclient.core.store import FolderNode, RequestNode
from apiclient.ui import dialogs
from apiclient.ui.actions import make_action
from apiclient.ui.collection_model import RELPATH_ROLE, SEARCH_ROLE, CollectionTreeModel
from apiclient.ui.workspace import NoCollectionError, Workspace

NO_COLLECTION_TEXT = (
    "No collection is open.\nUse File ▸ Open collection… or File ▸ New collection…."
)


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
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterRole(SEARCH_ROLE)

        self.title = QLabel(objectName="collections.name")
        self.filter = QLineEdit(objectName="collections.filter")
        self.filter.setPlaceholderText("Filter by name, URL or body")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeView(objectName="collections.tree")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems = QLabel(objectName="collections.problems", wordWrap=True, visible=False)
        self.problems.setStyleSheet("color: #c62828")
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = QLabel(
            NO_COLLECTION_TEXT,
            objectName="collections.empty",
            wordWrap=True,
            alignment=Qt.AlignmentFlag.AlignCenter,
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.problems)

        self._expanded: set[str] = set()
        self._actions()
        self.filter.textChanged.connect(self._on_filter_changed)
        self.tree.activated.connect(self._on_tree_activated)
        self.tree.doubleClicked.connect(self._on_tree_activated)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.tree.expanded.connect(lambda i: self._expanded.add(i.data(RELPATH_ROLE)))
        self.tree.collapsed.connect(lambda i: self._expanded.discard(i.data(RELPATH_ROLE)))
        self.model.modelReset.connect(self._restore_expanded)
        self.model.move_requested.connect(self._on_move_requested)
        workspace.collection_opened.connect(self._on_collection_opened)
        self._on_collection_opened()

    # -- selection --------------------------------------------------------------------

    def current_relpath(self) -> str | None:
        index = self.tree.currentIndex()
        return index.data(RELPATH_ROLE) if index.isValid() else None

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
        self.new_folder_action = make_action(self, "New folder…", self._on_new_folder)
        self.rename_action = make_action(self, "Rename…", self._on_rename, ["F2"], tree_only)
        self.duplicate_action = make_action(self, "Duplicate", self._on_duplicate)
        self.delete_action = make_action(
            self, "Delete…", self._on_delete, [QKeySequence.StandardKey.Delete], tree_only
        )
        self.run_folder_action = make_action(self, "Run folder…", self._on_run_folder)
        self.run_collection_action = make_action(
            self, "Run collection…", lambda: self.run_requested.emit("")
        )
        self.tree.addActions([self.rename_action, self.delete_action])

    def _on_context_menu(self, pos) -> None:
        has_item = self.tree.indexAt(pos).isValid()
        menu = QMenu(self)
        menu.addActions(self.new_request_actions)
        menu.addAction(self.new_folder_action)
        # An empty spot stands for the root, i.e. the whole collection.
        node = self.model.node(self.proxy.mapToSource(self.tree.indexAt(pos)))
        if isinstance(node, FolderNode):
            menu.addSeparator()
            menu.addAction(self.run_folder_action if has_item else self.run_collection_action)
        if has_item:
            menu.addSeparator()
            menu.addAction(self.rename_action)
            menu.addAction(self.duplicate_action)
            menu.addAction(self.delete_action)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _on_new_request(self, kind: str, *_checked: bool) -> None:
        self.new_request_requested.emit(self.current_folder(), kind)

    def _on_run_folder(self, *_checked: bool) -> None:
        self.run_requested.emit(self.current_folder())

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
            self.request_activated.emit(node.relpath)

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    def show_loading(self, root: Path) -> None:
        """Say the collection at ``root`` is being read (by a worker, so the window is
        already usable); ``collection_opened`` or ``loading_failed`` ends this."""
        self.tree.hide()
        self.filter.hide()
        self.empty.setText(f"Loading {root.name}…")
        self.empty.show()

    def loading_failed(self, reason: str) -> None:
        """The collection did not open: show the one still open (if any, with its
        folders expanded as they were) and why."""
        self._show_collection()
        self.show_problems(reason)

    def _on_collection_opened(self) -> None:
        self._expanded.clear()
        self._show_collection()

    def _show_collection(self) -> None:
        store = self._workspace.store
        self.tree.setVisible(store is not None)
        self.filter.setVisible(store is not None)
        self.empty.setText(NO_COLLECTION_TEXT)
        self.empty.setVisible(store is None)
        self.title.setText(f"<b>{escape(store.name)}</b>" if store else "")
        self.show_problems()

    def show_problems(self, failure: str = "") -> None:
        """List files that failed to load, or ``failure`` when a whole collection did."""
        store = self._workspace.store
        lines = [f"• {p.path}: {p.reason}" for p in (store.problems if store else [])]
        text = failure or (
            "Some files could not be loaded and were left untouched:\n" + "\n".join(lines)
            if lines
            else ""
        )
        self.problems.setText(text)
        self.problems.setVisible(bool(text))

    def _restore_expanded(self) -> None:
        for relpath in list(self._expanded):
            index = self.proxy.mapFromSource(self.model.index_of(relpath))
            if index.isValid():
                self.tree.expand(index)
