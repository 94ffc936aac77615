"""The discovery half of the gRPC tab: reflection or .proto files, and the method tree."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.ui.theme import show_status
from apiclient.ui.widgets.send_buttons import swap_send_cancel

if TYPE_CHECKING:
    from apiclient.protocols.grpc_catalog import GrpcCatalog, GrpcMethod

_ROLE = Qt.ItemDataRole.UserRole
KIND_LABELS = {
    "unary": "unary",
    "server_streaming": "server stream",
    "client_streaming": "client stream",
    "bidi_streaming": "bidirectional",
}


def method_html(method: GrpcMethod) -> str:
    about = (
        f"<p>{escape(method.description)}</p>"
        if method.description
        else "<p style='color:palette(mid)'>No description.</p>"
    )
    return (
        f"<b>{escape(method.name)}</b> <span style='color:palette(mid)'>"
        f"{escape(KIND_LABELS.get(method.kind, method.kind))}</span>{about}"
        f"<table cellspacing='2'><tr><td>In</td><td>{escape(method.input_type)}</td></tr>"
        f"<tr><td>Out</td><td>{escape(method.output_type)}</td></tr>"
        f"<tr><td>Path</td><td>{escape(method.path)}</td></tr></table>"
    )


class MethodsPanel(QWidget):
    """Signals:
    reflect_requested / protos_requested / cancel_requested: the buttons.
    method_chosen(object): a ``GrpcMethod`` was clicked (or Enter pressed on it).
    """

    reflect_requested = Signal()
    protos_requested = Signal()
    cancel_requested = Signal()
    method_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reflect = QPushButton("Reflect", objectName="grpc.reflect")
        self.reflect.setToolTip("Ask the server for its services (server reflection)")
        self.cancel = QPushButton("Cancel", objectName="grpc.reflect_cancel", visible=False)
        self.protos = QPushButton(".proto files…", objectName="grpc.load_protos")
        self.protos.setToolTip("Describe the service with .proto files (no reflection needed)")
        self.status = QLabel(objectName="grpc.methods_status", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget(objectName="grpc.methods")
        self.tree.setHeaderLabels(["Services and methods", "Kind"])
        self.tree.setColumnWidth(0, 200)
        self.tree.setUniformRowHeights(True)
        self.info = QLabel(objectName="grpc.method_info", wordWrap=True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reflect)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.protos)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.info, 1)
        self.reflect.clicked.connect(self.reflect_requested)
        self.protos.clicked.connect(self.protos_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.tree.itemClicked.connect(self._on_chosen)
        self.tree.itemActivated.connect(self._on_chosen)
        self.show_empty()

    def show_empty(self) -> None:
        self.tree.clear()
        self.info.clear()
        self._set_status(
            "Type the target and press Reflect, or describe the service with .proto files.",
            "palette(mid)",
        )

    def show_busy(self, busy: bool, what: str = "Asking the server for its services…") -> None:
        swap_send_cancel(self.reflect, self.cancel, busy)
        self.protos.setEnabled(not busy)
        if busy:
            self._set_status(escape(what), "palette(mid)")

    def set_stale(self, stale: bool) -> None:
        """The methods in view are another target's: not offered until Reflect."""
        self.tree.setEnabled(not stale)
        if stale:
            self._set_status(
                "The target changed: Reflect (or load its .proto files) to list its methods.",
                "warning",
            )

    def show_error(self, title: str, message: str) -> None:
        self.tree.clear()
        self.info.clear()
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "error")

    def show_cancelled(self) -> None:
        self._set_status("Cancelled.", "palette(mid)")

    def show_catalog(self, catalog: GrpcCatalog) -> None:
        self.tree.clear()
        self.tree.setEnabled(True)
        bold = QFont()
        bold.setBold(True)
        count = 0
        for service in catalog.services:
            item = QTreeWidgetItem([service.name, ""])
            item.setFont(0, bold)
            item.setToolTip(0, service.description)
            for method in service.methods:
                child = QTreeWidgetItem([method.name, KIND_LABELS.get(method.kind, method.kind)])
                child.setData(0, _ROLE, method)
                child.setToolTip(0, method.description or method.path)
                item.addChild(child)
                count += 1
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()
        problems = "".join(f"<br>⚠ {escape(p)}" for p in catalog.problems[:3])
        self._set_status(
            f"{count} method(s) in {len(catalog.services)} service(s) · "
            f"{escape(catalog.source)}{problems}",
            "success",
        )

    def select_method(self, path: str) -> bool:
        """Highlight the method a request uses (none when it has none); emits nothing."""
        self.tree.blockSignals(True)
        try:
            for item in self.method_items():
                method: GrpcMethod = item.data(0, _ROLE)
                if method.path == path:
                    self.tree.setCurrentItem(item)
                    self.info.setText(method_html(method))
                    return True
            self.tree.setCurrentItem(None)
            self.info.clear()
            return False
        finally:
            self.tree.blockSignals(False)

    def method_items(self) -> list[QTreeWidgetItem]:
        items = []
        for i in range(self.tree.topLevelItemCount()):
            service = self.tree.topLevelItem(i)
            items.extend(service.child(j) for j in range(service.childCount()))
        return items

    def _set_status(self, html: str, color: str) -> None:
        show_status(self.status, html, color)

    def _on_current_changed(self, item: QTreeWidgetItem | None) -> None:
        method = item.data(0, _ROLE) if item is not None else None
        self.info.setText(method_html(method) if method is not None else "")

    def _on_chosen(self, item: QTreeWidgetItem) -> None:
        method = item.data(0, _ROLE)
        if method is not None:
            self.method_chosen.emit(method)
