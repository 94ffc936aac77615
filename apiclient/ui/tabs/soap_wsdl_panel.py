"""The WSDL half of the SOAP tab: where the WSDL is, loading it, and its operations.

The panel only shows things and asks: it emits ``load_requested`` and
``operation_chosen`` and the tab does the work (loading runs in a worker, see
``apiclient.protocols.soap_wsdl.load_wsdl``).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from apiclient.ui.theme import show_status
from apiclient.ui.widgets.send_buttons import swap_send_cancel

if TYPE_CHECKING:
    from apiclient.protocols.soap_wsdl import LoadedWsdl, SoapOperation

_OPERATION_ROLE = Qt.ItemDataRole.UserRole


def operation_summary_html(operation: SoapOperation) -> str:
    """What a person needs to know about an operation before calling it."""
    doc = (
        f"<p>{escape(operation.documentation)}</p>"
        if operation.documentation
        else "<p style='color:palette(mid)'>No documentation in the WSDL.</p>"
    )
    action = escape(operation.soap_action) or "<i>none</i>"
    return (
        f"<b>{escape(operation.name)}</b>{doc}"
        f"<table cellspacing='2'>"
        f"<tr><td>SOAP</td><td>{escape(operation.soap_version)}</td></tr>"
        f"<tr><td>Style</td><td>{escape(operation.style)}</td></tr>"
        f"<tr><td>Endpoint</td><td>{escape(operation.endpoint)}</td></tr>"
        f"<tr><td>Action</td><td>{action}</td></tr>"
        f"<tr><td>Service</td><td>{escape(operation.service)} / {escape(operation.port)}</td></tr>"
        "</table>"
    )


class WsdlPanel(QWidget):
    """Signals:
    location_edited(str): the user changed the WSDL location text.
    load_requested: Load was pressed (or Enter in the location field).
    cancel_requested: Cancel was pressed while loading.
    operation_chosen(object): a ``SoapOperation`` was clicked (or Enter pressed on it).
    """

    location_edited = Signal(str)
    load_requested = Signal()
    cancel_requested = Signal()
    operation_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = QLineEdit(objectName="soap.wsdl")
        self.location.setPlaceholderText("WSDL URL or file, e.g. {{soap_url}}/hospital?wsdl")
        self.browse = QPushButton("File…", objectName="soap.browse")
        self.browse.setToolTip("Choose a WSDL file on this computer")
        self.load = QPushButton("Load", objectName="soap.load")
        self.load.setToolTip("Read the WSDL and its imports, and list its operations")
        self.cancel = QPushButton("Cancel", objectName="soap.load_cancel", visible=False)
        self.progress = QProgressBar(objectName="soap.progress", visible=False)
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.status = QLabel(objectName="soap.wsdl_status", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget(objectName="soap.operations")
        self.tree.setHeaderLabels(["Services, ports and operations"])
        self.tree.setUniformRowHeights(True)
        self.info = QLabel(objectName="soap.operation_info", wordWrap=True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.browse)
        buttons.addWidget(self.load)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("WSDL"))
        layout.addWidget(self.location)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.info, 1)

        self.location.textEdited.connect(self.location_edited)
        self.location.returnPressed.connect(self.load_requested)
        self.load.clicked.connect(self.load_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.browse.clicked.connect(self._on_browse)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.tree.itemClicked.connect(self._on_item_chosen)
        self.tree.itemActivated.connect(self._on_item_chosen)
        self.show_empty()

    # -- states --------------------------------------------------------------------------

    def show_empty(self) -> None:
        self.tree.clear()
        self.tree.setEnabled(True)
        self.info.clear()
        self._set_status(
            "Type or choose a WSDL and press Load to list its operations.", "palette(mid)"
        )

    def show_loading(self, loading: bool) -> None:
        self.progress.setVisible(loading)
        swap_send_cancel(self.load, self.cancel, loading)
        self.location.setReadOnly(loading)
        self.browse.setEnabled(not loading)
        if loading:
            self.tree.clear()
            self.info.clear()
            self._set_status("Loading…", "palette(mid)")

    def show_progress(self, text: str) -> None:
        self._set_status(escape(text), "palette(mid)")

    def show_error(self, title: str, message: str) -> None:
        """The WSDL could not be loaded: the tree is emptied and the reason told."""
        self.tree.clear()
        self.info.clear()
        self.show_problem(title, message)

    def show_problem(self, title: str, message: str) -> None:
        """A problem that leaves the loaded WSDL in place (e.g. no sample for one operation)."""
        self._set_status(f"<b>{escape(title)}</b><br>{escape(message)}", "error")

    def set_stale(self, stale: bool) -> None:
        """The location no longer names the WSDL in the tree: its operations are not offered."""
        self.tree.setEnabled(not stale)
        if stale:
            self._set_status(
                "The WSDL location changed: press Load to list its operations.", "warning"
            )

    def show_cancelled(self) -> None:
        self._set_status("Loading cancelled. Press Load to try again.", "palette(mid)")

    def show_wsdl(self, wsdl: LoadedWsdl) -> None:
        """Fill the tree: service > port (version, endpoint) > operation."""
        self.tree.clear()
        self.tree.setEnabled(True)
        bold = QFont()
        bold.setBold(True)
        count = 0
        for service in wsdl.services:
            service_item = QTreeWidgetItem([service.name])
            service_item.setFont(0, bold)
            service_item.setToolTip(0, service.documentation)
            for port in service.ports:
                port_item = QTreeWidgetItem([f"{port.name}  ·  SOAP {port.soap_version}"])
                port_item.setToolTip(0, port.endpoint)
                for operation in port.operations:
                    item = QTreeWidgetItem([operation.name])
                    item.setData(0, _OPERATION_ROLE, operation)
                    item.setToolTip(0, operation.documentation or operation.name)
                    port_item.addChild(item)
                    count += 1
                service_item.addChild(port_item)
            self.tree.addTopLevelItem(service_item)
        self.tree.expandAll()
        files = len(wsdl.documents)
        note = f"{count} operation(s) in {len(wsdl.services)} service(s), from {files} file(s)."
        skipped = "".join(f"<br>{escape(text)}" for text in wsdl.skipped)
        self._set_status(escape(note) + skipped, "success")

    def select_operation(self, service: str, port: str, name: str) -> bool:
        """Highlight the operation a request uses (none when it has none), without
        emitting a choice."""
        self.tree.blockSignals(True)
        try:
            for item in self.operation_items():
                operation: SoapOperation = item.data(0, _OPERATION_ROLE)
                if (operation.service, operation.port, operation.name) == (service, port, name):
                    self.tree.setCurrentItem(item)
                    self.info.setText(operation_summary_html(operation))
                    return True
            self.tree.setCurrentItem(None)
            self.tree.clearSelection()
            self.info.clear()
            return False
        finally:
            self.tree.blockSignals(False)

    def operation_items(self) -> list[QTreeWidgetItem]:
        items = []
        for i in range(self.tree.topLevelItemCount()):
            service = self.tree.topLevelItem(i)
            for j in range(service.childCount()):
                port = service.child(j)
                items.extend(port.child(k) for k in range(port.childCount()))
        return items

    def _set_status(self, html: str, color: str) -> None:
        show_status(self.status, html, color)

    # -- user actions ------------------------------------------------------------------------

    def _on_browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a WSDL", "", "WSDL and XML (*.wsdl *.xml *.xsd);;All files (*)"
        )
        if path:
            self.location.setText(path)
            self.location_edited.emit(path)
            self.load_requested.emit()

    def _on_current_item_changed(self, item: QTreeWidgetItem | None) -> None:
        operation = item.data(0, _OPERATION_ROLE) if item is not None else None
        if operation is None:
            self.info.clear()
        else:
            self.info.setText(operation_summary_html(operation))

    def _on_item_chosen(self, item: QTreeWidgetItem) -> None:
        operation = item.data(0, _OPERATION_ROLE)
        if operation is not None:
            self.operation_chosen.emit(operation)
