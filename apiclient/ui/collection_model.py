"""A Qt item model over the open collection's tree of folders and requests.

The model reads the workspace's copy of the tree (never the store's, which a worker
thread may be changing) and is reset whenever the workspace says the tree changed.
Drops are turned into ``move_requested`` so the move happens in the store (on disk)
rather than in the view.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from apiclient.core.models import (
    AnyRequest,
    BatchRequest,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    WebhookRequest,
    WebsocketRequest,
)
from apiclient.core.store import FolderNode, RequestNode
from apiclient.ui.workspace import Workspace

Node = FolderNode | RequestNode
MIME_TYPE = "application/x-apiclient-relpath"
RELPATH_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2

_BADGE_COLORS = {
    "GET": "#2e7d32",
    "POST": "#e65100",
    "PUT": "#1565c0",
    "PATCH": "#6a1b9a",
    "DELETE": "#c62828",
    "SOAP": "#00695c",
    "GQL": "#ad1457",
    "gRPC": "#4527a0",
    "WS": "#37474f",
    "HOOK": "#2e7d32",
    "BATCH": "#ef6c00",
}


def request_badge(request: AnyRequest) -> str:
    """The short word shown before a request's name: its HTTP method, or its kind."""
    if isinstance(request, RestRequest):
        return request.method
    if isinstance(request, GraphqlRequest):
        return "GQL"
    if isinstance(request, BatchRequest):
        return "BATCH"
    if isinstance(request, WebsocketRequest):
        return "WS"
    if isinstance(request, WebhookRequest):
        return "HOOK"
    return "gRPC" if isinstance(request, GrpcRequest) else request.kind.upper()


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
        self._parents: dict[int, FolderNode] = {}
        workspace.collection_opened.connect(self.reload)
        workspace.tree_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._parents.clear()
        tree = self._workspace.tree
        if tree is not None:
            self._parents[id(tree)] = tree
            self._index_parents(tree)
        self.endResetModel()

    def node(self, index: QModelIndex) -> Node | None:
        if not index.isValid():
            return self._workspace.tree
        return index.internalPointer()

    def index_of(self, relpath: str) -> QModelIndex:
        """The index of the node at ``relpath`` (invalid if there is none)."""
        tree = self._workspace.tree
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
        folder = self._parents.get(id(index.internalPointer()))
        if folder is None or folder.relpath == "":
            return QModelIndex()
        grand = self._parents[id(folder)]
        return self.createIndex(grand.children.index(folder), 0, folder)

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
            return f"{request_badge(node.request)}  {node.request.name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(node, FolderNode):
                return f"Folder · {node.relpath}"
            return f"{request_badge(node.request)} {_target(node.request)}\n{node.relpath}"
        if role == Qt.ItemDataRole.ForegroundRole and isinstance(node, RequestNode):
            color = _BADGE_COLORS.get(request_badge(node.request))
            return QColor(color) if color else None
        if role == RELPATH_ROLE:
            return node.relpath
        if role == SEARCH_ROLE:
            if isinstance(node, FolderNode):
                return node.name
            return _searchable(node.request)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        base |= Qt.ItemFlag.ItemIsDragEnabled
        if isinstance(self.node(QModelIndex(index)), FolderNode):
            base |= Qt.ItemFlag.ItemIsDropEnabled
        return base

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
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
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
        for child in folder.children:
            self._parents[id(child)] = folder
            if isinstance(child, FolderNode):
                self._index_parents(child)

    def _node_at(self, relpath: str) -> Node | None:
        index = self.index_of(relpath)
        return index.internalPointer() if index.isValid() else None

    def _find(self, folder: FolderNode, relpath: str, folder_index: QModelIndex) -> QModelIndex:
        for row, child in enumerate(folder.children):
            index = self.index(row, 0, folder_index)
            if child.relpath == relpath:
                return index
            if isinstance(child, FolderNode) and relpath.startswith(child.relpath + "/"):
                return self._find(child, relpath, index)
        return QModelIndex()
