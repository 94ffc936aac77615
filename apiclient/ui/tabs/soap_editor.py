"""The request half of the SOAP tab: endpoint, version, action, envelope, headers, auth.

The WSDL location and the chosen operation live in :class:`WsdlPanel`; this editor holds
everything that is sent, so a saved request sends without its WSDL.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import SoapRequest, WsSecurity
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.widgets.checks_editor import ChecksEditor, keep_count_in_title
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit
from apiclient.ui.widgets.send_buttons import swap_send_cancel
from apiclient.ui.widgets.settings_editor import SettingsEditor
from apiclient.ui.widgets.tls_warning import TlsOffWarning

_WSSE_MODES = [
    ("none", "No WS-Security"),
    ("text", "UsernameToken, password as text"),
    ("digest", "UsernameToken, password digest"),
]


class WsSecurityEditor(QWidget):
    """The UsernameToken put into the envelope's header on send. Signals: edited."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox(objectName="soap.wsse.mode")
        for value, label in _WSSE_MODES:
            self.mode.addItem(label, value)
        self.mode.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.mode.setMinimumContentsLength(14)
        self.username = QLineEdit(objectName="soap.wsse.username")
        self.password = SecretLineEdit("soap.wsse.password")
        hint = QLabel(
            "Added as a wsse:Security header when sent. The digest form sends "
            "Base64(SHA-1(nonce + created + password)), never the password itself.",
            wordWrap=True,
        )
        hint.setStyleSheet("color: palette(mid)")
        form = QFormLayout(self)
        form.addRow("Mode", self.mode)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow(hint)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.username.textEdited.connect(self.edited)
        self.password.textEdited.connect(self.edited)

    def set_wsse(self, wsse: WsSecurity) -> None:
        self.blockSignals(True)
        self.mode.setCurrentIndex(max(0, self.mode.findData(wsse.mode)))
        self.username.setText(wsse.username)
        self.password.set_secret(wsse.password)
        self._show_fields()
        self.blockSignals(False)

    def wsse(self) -> WsSecurity:
        return WsSecurity(
            mode=self.mode.currentData(),
            username=self.username.text(),
            password=self.password.text(),
        )

    def _show_fields(self) -> None:
        active = self.mode.currentData() != "none"
        self.username.setEnabled(active)
        self.password.setEnabled(active)

    def _on_mode_changed(self) -> None:
        self._show_fields()
        self.edited.emit()


class SoapRequestEditor(QWidget):
    """Edits the sent part of one ``SoapRequest``.

    Signals:
        edited: the user changed the request.
        send_requested / cancel_requested: the Send or Cancel button was pressed.
    """

    edited = Signal()
    send_requested = Signal()
    cancel_requested = Signal()
    format_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._request = SoapRequest()

        self.version = QComboBox(objectName="soap.version")
        self.version.addItem("SOAP 1.1", "1.1")
        self.version.addItem("SOAP 1.2", "1.2")
        self.version.setToolTip(
            "1.1 sends text/xml with a SOAPAction header; "
            "1.2 sends application/soap+xml with an action parameter"
        )
        self.endpoint = QLineEdit(objectName="soap.endpoint")
        self.endpoint.setPlaceholderText("Endpoint URL, filled from the WSDL; edit to override")
        self.send = QPushButton("Send", objectName="soap.send", default=True)
        self.send.setToolTip("Send the envelope (Ctrl+Enter)")
        self.cancel = QPushButton("Cancel", objectName="soap.cancel", visible=False)
        self.endpoint_hint = QLabel(objectName="soap.endpoint.hint", wordWrap=True, visible=False)
        self.action = QLineEdit(objectName="soap.action")
        self.action.setPlaceholderText("SOAPAction (empty: none)")

        self.envelope = CodeEditor("soap.envelope")
        self.envelope.set_language("xml")
        self.envelope.setPlaceholderText(
            "Load a WSDL and choose an operation to get a sample envelope, "
            "or paste one here. {{variables}} are resolved when sent."
        )
        self.headers = KeyValueTable("soap.headers", "Header")
        self.auth = AuthEditor("soap")
        self.wsse = WsSecurityEditor()
        self.settings = SettingsEditor("soap")
        self.validate = QCheckBox(
            "Check the response against the schema", objectName="soap.validate"
        )
        self.validate.setToolTip(
            "After each send, check the response body against the output message of the "
            "operation in the WSDL, and list what does not match"
        )
        settings_page = QWidget()
        settings_layout = QVBoxLayout(settings_page)
        settings_layout.setContentsMargins(0, 0, 0, 0)
        validate_row = QHBoxLayout()
        validate_row.setContentsMargins(11, 8, 11, 0)  # in line with the groups below
        validate_row.addWidget(self.validate)
        settings_layout.addLayout(validate_row)
        settings_layout.addWidget(self.settings, 1)
        self.tabs = QTabWidget(objectName="soap.request.tabs", usesScrollButtons=True)
        self.tabs.addTab(self.envelope, "Envelope")
        self.tabs.addTab(self.headers, "HTTP headers")
        self.tabs.addTab(self.auth, "HTTP auth")
        self.tabs.addTab(self.wsse, "WS-Security")
        self.tabs.addTab(settings_page, "Settings")
        self.tests = ChecksEditor("soap")
        keep_count_in_title(self.tabs, self.tests, "Tests")

        line = QHBoxLayout()
        line.addWidget(self.version)
        line.addWidget(self.endpoint, 1)
        line.addWidget(self.send)
        line.addWidget(self.cancel)
        self.format = QPushButton("Format", objectName="soap.format")
        self.format.setToolTip("Indent the envelope (Ctrl+Z undoes it)")
        action_line = QHBoxLayout()
        action_line.addWidget(QLabel("Action"))
        action_line.addWidget(self.action, 1)
        action_line.addWidget(self.format)
        self.tls_warning = TlsOffWarning("soap")
        self.settings.verify_changed.connect(self.tls_warning.show_verified)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.endpoint_hint)
        layout.addWidget(self.tls_warning)
        layout.addLayout(action_line)
        layout.addWidget(self.tabs, 1)

        self.version.currentIndexChanged.connect(self._on_part_edited)
        self.endpoint.textEdited.connect(self._on_part_edited)
        self.endpoint.returnPressed.connect(self.send_requested)
        self.action.textEdited.connect(self._on_part_edited)
        self.envelope.textChanged.connect(self._on_part_edited)
        self.headers.rows_edited.connect(self._on_part_edited)
        self.validate.toggled.connect(self._on_part_edited)
        for part in (self.auth, self.wsse, self.settings, self.tests):
            part.edited.connect(self._on_part_edited)
        self.send.clicked.connect(self.send_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.format.clicked.connect(self.format_requested)
        self.set_request(SoapRequest())

    def set_request(self, request: SoapRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self.version.setCurrentIndex(max(0, self.version.findData(request.soap_version)))
            self.endpoint.setText(request.endpoint)
            self.action.setText(request.soap_action)
            self.envelope.set_text(request.envelope)
            self.headers.set_rows(request.headers)
            self.auth.set_auth(request.auth)
            self.wsse.set_wsse(request.wsse)
            self.settings.set_settings(request.settings)
            self.validate.setChecked(request.validate_response)
            self.tests.set_values(request.checks, request.captures)
        finally:
            self._loading = False

    def request(self) -> SoapRequest:
        """The request as the widgets show it; name, WSDL, operation and variables kept."""
        return self._request.model_copy(
            update={
                "soap_version": self.version.currentData(),
                "endpoint": self.endpoint.text().strip(),
                "soap_action": self.action.text().strip(),
                "envelope": self.envelope.toPlainText(),
                "headers": self.headers.rows(),
                "auth": self.auth.auth(),
                "wsse": self.wsse.wsse(),
                "settings": self.settings.settings(),
                "validate_response": self.validate.isChecked(),
                "checks": self.tests.checks(),
                "captures": self.tests.captures(),
            }
        )

    def apply_operation(
        self,
        *,
        name: str,
        service: str,
        port: str,
        operation: str,
        endpoint: str,
        soap_version: str,
        soap_action: str,
        envelope: str,
    ) -> None:
        """Take what a chosen operation brings; the envelope change is one undoable edit.
        Emits ``edited`` once."""
        self._loading = True
        try:
            self._request = self.request().model_copy(
                update={"name": name, "service": service, "port": port, "operation": operation}
            )
            self.version.setCurrentIndex(max(0, self.version.findData(soap_version)))
            self.endpoint.setText(endpoint)
            self.action.setText(soap_action)
            self.envelope.replace_text(envelope)
        finally:
            self._loading = False
        self.edited.emit()

    def replace_envelope(self, text: str) -> None:
        """Put ``text`` in the envelope as one edit the user can undo; emits ``edited``."""
        self.envelope.replace_text(text)

    def update_request(self, **fields: str) -> None:
        """Change fields that are not widgets here (name, WSDL, operation); emits ``edited``."""
        self._request = self._request.model_copy(update=fields)
        self._on_part_edited()

    def set_endpoint_hint(self, html: str) -> None:
        self.endpoint_hint.setText(html)
        self.endpoint_hint.setVisible(bool(html))

    def set_sending(self, sending: bool) -> None:
        swap_send_cancel(self.send, self.cancel, sending)

    def show_envelope_position(self, line: int, column: int) -> None:
        """Put the cursor at a 1-based line and column of the envelope (where XML broke)."""
        self.tabs.setCurrentWidget(self.envelope)
        self.envelope.go_to(line, column)

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
