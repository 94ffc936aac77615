"""A Qt item model over the open collection's tree of folders and requests.

The model reads the workspace's copy of the tree (never the store's, which a worker
thread may be changing) and is reset whenever the workspace says the tree changed.
While a big collection opens it shows the collection's outline instead (read-only: its
requests hold only a name, kind, method and URL) until the collection is opened or its
opening ends; changes to the tree of the collection still open meanwhile are not shown.
Drops are turned into ``move_requested`` so the move happens in the store (on disk)
rather than in the view.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from apiclient.core.models import (
    AnyRequest,
    BatchRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    WebhookRequest,
    WebsocketRequest,
)
from apiclient.core.store import FolderNode, RequestNode
from apiclient.ui.method_style import request_badge, request_icon
from apiclient.ui.theme import is_dark
from apiclient.ui.workspace import Workspace

Node = FolderNode | RequestNode
MIME_TYPE = "application/x-apiclient-relpath"
RELPATH_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2

# Built once: the view asks for each row's flags whenever it lays rows out.
_SHOWN = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ROOT_FLAGS = _SHOWN | Qt.ItemFlag.ItemIsDropEnabled
_REQUEST_FLAGS = _SHOWN | Qt.ItemFlag.ItemIsDragEnabled
_FOLDER_FLAGS = _REQUEST_FLAGS | Qt.ItemFlag.ItemIsDropEnabled


@cache
def _folder_icon() -> QIcon:
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)


def _target(request: AnyRequest) -> str:
    if isinstance(request, GrpcRequest):
        return f"{request.target}{request.method}"
    if isinstance(request, SoapRequest):
        where = request.endpoint
        return f"{request.operation} · {where}" if request.operation else where
    if isinstance(request, WebhookRequest):
        return f"listens on {request.host}:{request.port}"
    return request.url


def _searchable(request: AnyRequest) -> str:
    """What the sidebar filter matches: name, where it goes, and what it sends."""
    if isinstance(request, RestRequest):
        sent = request.body.raw
    elif isinstance(request, SoapRequest):
        sent = request.envelope
    elif isinstance(request, GrpcRequest):
        sent = request.message
    elif isinstance(request, WebsocketRequest):
        sent = "\n".join([request.message, *(saved.body for saved in request.messages)])
    elif isinstance(request, WebhookRequest):
        sent = f"{request.response.body}\n{request.forward_url}"
    elif isinstance(request, BatchRequest):
        sent = "\n".join([request.operation, request.data_file, *(p.path for p in request.parts)])
    else:
        sent = request.query
    return f"{request.name}\n{_target(request)}\n{sent}"


class CollectionTreeModel(QAbstractItemModel):
    """Signals: move_requested(relpath, new_parent, index): the user dropped an item."""

    move_requested = Signal(str, str, int)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._tree: FolderNode | None = None
        # id of each node -> (its folder, its row there): parent() in constant time.
        self._parents: dict[int, tuple[FolderNode, int]] = {}
        # Lower-cased search text of each request (kept with it, so its id stays its own).
        self._search: dict[int, tuple[AnyRequest, str]] = {}
        self.outline = False
        self.generation = 0  # bumped whenever the shown tree is replaced
        workspace.collection_opened.connect(self.reload)
        workspace.tree_changed.connect(self._on_workspace_tree_changed)
        self.reload()

    def reload(self) -> None:
        """Show the workspace's tree (again), in place of any outline."""
        self._show(self._workspace.tree, outline=False)

    def _on_workspace_tree_changed(self) -> None:
        # While an outline is shown, the workspace's tree is still the collection open
        # before: showing it would put its items under the outlined collection's name.
        if not self.outline:
            self.reload()

    def show_outline(self, tree: FolderNode) -> None:
        """Show ``tree``, a collection's outline, until the workspace's tree is shown."""
        self._show(tree, outline=True)

    def _show(self, tree: FolderNode | None, *, outline: bool) -> None:
        self.beginResetModel()
        self._tree = tree
        self.outline = outline
        self.generation += 1
        self._parents.clear()
        if tree is not None:
            self._index_parents(tree)
        self.endResetModel()

    @property
    def tree(self) -> FolderNode | None:
        """The tree shown: the workspace's, or an outline while a collection opens."""
        return self._tree

    def node(self, index: QModelIndex | QPersistentModelIndex) -> Node | None:
        if not index.isValid():
            return self._tree
        return index.internalPointer()

    def matching(self, needle: str) -> tuple[set[int], set[int]]:
        """The ids of the nodes a filter keeps: requests whose name, target or body holds
        ``needle`` (case-folded), folders whose name does with everything in them, and
        every folder above one; and the ids of the folders (the root too) that keep any
        of their children."""
        shown: set[int] = set()
        parents: set[int] = set()
        cache = self._search
        used: dict[int, tuple[AnyRequest, str]] = {}

        def visit(folder: FolderNode, keep_all: bool) -> bool:
            found = False
            for child in folder.children:
                if isinstance(child, FolderNode):
                    named = keep_all or needle in child.name.casefold()
                    hit = visit(child, named) or named
                else:
                    request = child.request
                    entry = cache.get(id(request))
                    if entry is None or entry[0] is not request:
                        entry = (request, _searchable(request).casefold())
                    used[id(request)] = entry
                    hit = keep_all or needle in entry[1]
                if hit:
                    shown.add(id(child))
                    found = True
            if found:
                parents.add(id(folder))
            return found

        if self._tree is not None:
            visit(self._tree, False)
        self._search = used  # drops the texts of requests no longer in the tree
        return shown, parents

    def folder_indexes(self, relpaths: set[str]) -> list[QModelIndex]:
        """The indexes of the folders at ``relpaths`` (those that exist), in one walk."""
        found: list[QModelIndex] = []

        def visit(folder: FolderNode) -> None:
            for row, child in enumerate(folder.children):
                if isinstance(child, FolderNode):
                    if child.relpath in relpaths:
                        found.append(self.createIndex(row, 0, child))
                    visit(child)

        if self._tree is not None and relpaths:
            visit(self._tree)
        return found

    def index_of(self, relpath: str) -> QModelIndex:
        """The index of the node at ``relpath`` (invalid if there is none)."""
        tree = self._tree
        if tree is None:
            return QModelIndex()
        return self._find(tree, relpath, QModelIndex())

    # -- QAbstractItemModel -------------------------------------------------------------

    def index(
        self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()
    ) -> QModelIndex:
        folder = self.node(QModelIndex(parent))
        if not isinstance(folder, FolderNode) or not 0 <= row < len(folder.children):
            return QModelIndex()
        return self.createIndex(row, column, folder.children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        found = self._parents.get(id(index.internalPointer()))
        if found is None or found[0] is self._tree:
            return QModelIndex()
        folder = found[0]
        return self.createIndex(self._parents[id(folder)][1], 0, folder)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        folder = self.node(QModelIndex(parent))
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(folder.children) if isinstance(folder, FolderNode) else 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 1

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        node = self.node(QModelIndex(index))
        if node is None or not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(node, FolderNode):
                return node.name
            return node.request.name
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(node, FolderNode):
                return f"Folder · {node.relpath}"
            return f"{request_badge(node.request)} {_target(node.request)}\n{node.relpath}"
        if role == Qt.ItemDataRole.DecorationRole:
            if isinstance(node, FolderNode):
                return _folder_icon()
            return request_icon(node.request, is_dark())
        if role == Qt.ItemDataRole.AccessibleTextRole and isinstance(node, RequestNode):
            return f"{request_badge(node.request)} {node.request.name}"
        if role == RELPATH_ROLE:
            return node.relpath
        if role == SEARCH_ROLE:
            if isinstance(node, FolderNode):
                return node.name
            return _searchable(node.request)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if self.outline:
            return _SHOWN  # nothing moves until the collection is read
        if not index.isValid():
            return _ROOT_FLAGS
        return _FOLDER_FLAGS if isinstance(index.internalPointer(), FolderNode) else _REQUEST_FLAGS

    # -- drag and drop --------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        data = QMimeData()
        if indexes:
            data.setData(MIME_TYPE, indexes[0].data(RELPATH_ROLE).encode("utf-8"))
        return data

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if self.outline or action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        relpath = bytes(data.data(MIME_TYPE).data()).decode("utf-8")
        folder = self.node(QModelIndex(parent))
        if not isinstance(folder, FolderNode):
            return False
        target = row if row >= 0 else len(folder.children)
        moving = self._node_at(relpath)
        if moving in folder.children and folder.children.index(moving) < target:
            target -= 1
        self.move_requested.emit(relpath, folder.relpath, target)
        # The store moves the file; the model is reset when it reports the new tree.
        return False

    # -- internals --------------------------------------------------------------------

    def _index_parents(self, folder: FolderNode) -> None:
        for row, child in enumerate(folder.children):
            self._parents[id(child)] = (folder, row)
            if isinstance(child, FolderNode):
                self._index_parents(child)

    def _node_at(self, relpath: str) -> Node | None:
        index = self.index_of(relpath)
        return index.internalPointer() if index.isValid() else None

    def _find(self, folder: FolderNode, relpath: str, folder_index: QModelIndex) -> QModelIndex:
        for row, child in enumerate(folder.children):
            if child.relpath == relpath:
                return self.createIndex(row, 0, child)
            if isinstance(child, FolderNode) and relpath.startswith(child.relpath + "/"):
                return self._find(child, relpath, self.createIndex(row, 0, child))
        return QModelIndex()
