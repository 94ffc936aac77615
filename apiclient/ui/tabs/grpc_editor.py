"""The request half of the gRPC tab: target, security, message, metadata, auth, TLS,
deadline."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import GrpcRequest
from apiclient.ui.widgets.auth_editor import GRPC_AUTH_KINDS, AuthEditor
from apiclient.ui.widgets.checks_editor import ChecksEditor, keep_count_in_title
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.send_buttons import swap_send_cancel
from apiclient.ui.widgets.tls_editor import TlsEditor

_LIST_SEPARATOR = ";"
_SHOWN_NOTES = 4


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(_LIST_SEPARATOR) if part.strip()]


class GrpcRequestEditor(QWidget):
    """Edits one ``GrpcRequest``.

    Signals:
        edited: the user changed the request.
        send_requested / cancel_requested: Send / Cancel.
        send_message_requested: send the message in the editor into the open stream.
        close_send_requested: end the client's side of the open stream.
    """

    edited = Signal()
    send_requested = Signal()
    cancel_requested = Signal()
    send_message_requested = Signal()
    close_send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._request = GrpcRequest()

        self.target = QLineEdit(objectName="grpc.target")
        self.target.setPlaceholderText("host:port, e.g. 127.0.0.1:8713 or {{grpc_target}}")
        self.security = QComboBox(objectName="grpc.security")
        self.security.addItem("Plaintext", "plaintext")
        self.security.addItem("TLS", "tls")
        self.send = QPushButton("Send", objectName="grpc.send", default=True)
        self.send.setToolTip("Call the method (Ctrl+Enter)")
        self.cancel = QPushButton("Cancel", objectName="grpc.cancel", visible=False)
        self.target_hint = QLabel(objectName="grpc.target.hint", wordWrap=True, visible=False)
        self.method = QLabel(objectName="grpc.method")
        self.send_message = QPushButton("Send message", objectName="grpc.send_message")
        self.send_message.setToolTip("Send the message in the editor into the open stream")
        self.close_send = QPushButton("End sending", objectName="grpc.close_send")
        self.close_send.setToolTip("Tell the server no more messages will come")
        self.set_streaming(False)

        self.message = CodeEditor("grpc.message")
        self.message.set_language("json")
        self.message.setPlaceholderText(
            "Reflect (or load .proto files) and choose a method: its request message "
            "appears here as JSON. Client streams take a JSON array of messages."
        )
        self.notes = QLabel(objectName="grpc.message.notes", wordWrap=True, visible=False)
        self.notes.setStyleSheet("color: palette(mid)")
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.setContentsMargins(0, 0, 0, 0)
        message_layout.addWidget(self.message, 1)
        message_layout.addWidget(self.notes)

        self.metadata = KeyValueTable("grpc.metadata", "Metadata key")
        self.auth = AuthEditor("grpc", kinds=GRPC_AUTH_KINDS)
        self.tls = TlsEditor("grpc")
        self.deadline = QDoubleSpinBox(objectName="grpc.deadline")
        self.deadline.setDecimals(3)
        self.deadline.setRange(0.001, 1_000_000)
        self.deadline.setSuffix(" s")
        self.proto_files = QLineEdit(objectName="grpc.proto_files")
        self.proto_files.setPlaceholderText("a.proto; b.proto (empty: reflection)")
        self.import_paths = QLineEdit(objectName="grpc.import_paths")
        self.import_paths.setPlaceholderText("folders searched for imports, ;-separated")
        settings_page = QWidget()
        settings_form = QFormLayout(settings_page)
        settings_form.addRow("Deadline", self.deadline)
        settings_form.addRow(".proto files", self.proto_files)
        settings_form.addRow("Import paths", self.import_paths)

        self.tabs = QTabWidget(objectName="grpc.request.tabs", usesScrollButtons=True)
        self.tabs.addTab(message_page, "Message")
        self.tabs.addTab(self.metadata, "Metadata")
        self.tabs.addTab(self.auth, "Auth")
        self.tabs.addTab(self.tls, "TLS")
        self.tabs.addTab(settings_page, "Settings")
        self.tests = ChecksEditor("grpc")
        keep_count_in_title(self.tabs, self.tests, "Tests")

        line = QHBoxLayout()
        line.addWidget(self.security)
        line.addWidget(self.target, 1)
        line.addWidget(self.send)
        line.addWidget(self.cancel)
        method_line = QHBoxLayout()
        method_line.addWidget(self.method, 1)
        method_line.addWidget(self.send_message)
        method_line.addWidget(self.close_send)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.target_hint)
        layout.addLayout(method_line)
        layout.addWidget(self.tabs, 1)

        self.target.textEdited.connect(self._on_part_edited)
        self.target.returnPressed.connect(self.send_requested)
        self.security.currentIndexChanged.connect(self._on_part_edited)
        self.message.textChanged.connect(self._on_part_edited)
        self.metadata.rows_edited.connect(self._on_part_edited)
        for field in (self.proto_files, self.import_paths):
            field.textEdited.connect(self._on_part_edited)
        self.tls.edited.connect(self._on_part_edited)
        self.auth.edited.connect(self._on_part_edited)
        self.tests.edited.connect(self._on_part_edited)
        self.deadline.valueChanged.connect(self._on_part_edited)
        self.send.clicked.connect(self.send_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.send_message.clicked.connect(self.send_message_requested)
        self.close_send.clicked.connect(self.close_send_requested)
        self.set_request(GrpcRequest())

    def set_request(self, request: GrpcRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self.target.setText(request.target)
            self.security.setCurrentIndex(max(0, self.security.findData(request.security)))
            self.message.set_text(request.message)
            self.metadata.set_rows(request.metadata)
            self.auth.set_auth(request.auth)
            self.tls.set_tls(request.tls)
            self.deadline.setValue(request.deadline_s)
            self.proto_files.setText(f"{_LIST_SEPARATOR} ".join(request.proto_files))
            self.import_paths.setText(f"{_LIST_SEPARATOR} ".join(request.import_paths))
            self._show_method(request.method)
            self.tests.set_values(request.checks, request.captures)
        finally:
            self._loading = False

    def request(self) -> GrpcRequest:
        """The request as the widgets show it; name, method and variables kept."""
        return self._request.model_copy(
            update={
                "target": self.target.text().strip(),
                "security": self.security.currentData(),
                "message": self.message.toPlainText(),
                "metadata": self.metadata.rows(),
                "auth": self.auth.auth(),
                "tls": self.tls.tls(),
                "deadline_s": self.deadline.value(),
                "proto_files": _split(self.proto_files.text()),
                "import_paths": _split(self.import_paths.text()),
                "checks": self.tests.checks(),
                "captures": self.tests.captures(),
            }
        )

    def apply_method(self, name: str, path: str, message: str, notes: list[str]) -> None:
        """Take a chosen method and its template message (one undoable edit)."""
        self._loading = True
        try:
            self._request = self.request().model_copy(update={"name": name, "method": path})
            self._show_method(path)
            self.message.replace_text(message)
        finally:
            self._loading = False
        self.set_notes(notes)
        self.edited.emit()

    def set_notes(self, notes: list[str]) -> None:
        """What the template cannot say (enum values, oneofs...): a few lines, all in the
        tooltip, so a message type with hundreds of fields does not swell the window."""
        shown = notes[:_SHOWN_NOTES]
        more = len(notes) - len(shown)
        self.notes.setText("\n".join(shown) + (f"\n… {more} more (hover)" if more > 0 else ""))
        self.notes.setToolTip("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def set_proto_files(self, files: list[str]) -> None:
        self.proto_files.setText(f"{_LIST_SEPARATOR} ".join(files))
        self._on_part_edited()

    def update_request(self, **fields: str) -> None:
        self._request = self._request.model_copy(update=fields)
        self._on_part_edited()

    def set_sending(self, sending: bool) -> None:
        swap_send_cancel(self.send, self.cancel, sending)

    def set_streaming(self, streaming: bool) -> None:
        """While a client or bidirectional stream is open, more messages can be sent."""
        self.send_message.setVisible(streaming)
        self.close_send.setVisible(streaming)

    def set_target_hint(self, html: str) -> None:
        self.target_hint.setText(html)
        self.target_hint.setVisible(bool(html))

    def _show_method(self, path: str) -> None:
        self.method.setText(
            f"<b>{escape(path)}</b>"
            if path
            else "<span style='color:palette(mid)'>No method chosen</span>"
        )

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
