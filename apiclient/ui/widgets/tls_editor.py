"""The TLS page of a client connection (gRPC channel, wss:// socket): CA, client
certificate and key with file pickers, a server-name override, and verification, whose
switching off is shown as a warning."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.models import ClientTls
from apiclient.ui import dialogs
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.page_warning import mark_page

_VERIFY_WARNING = "⚠ Not verified: the connection is encrypted, but nobody vouches for the server."
_PEM_FILTER = "PEM files (*.pem *.crt *.cer *.key);;All files (*)"


class TlsEditor(QWidget):
    """Edits one ``ClientTls``; controls are named ``<prefix>.tls.<part>``.

    Signals:
        edited: the user changed a field.
        verify_changed(bool): verification is now on (True) or off, whether the user
            switched it or another request was shown.
    """

    edited = Signal()
    verify_changed = Signal(bool)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.ca_file = QLineEdit(objectName=f"{prefix}.tls.ca_file")
        self.ca_file.setPlaceholderText("PEM file of the CA (empty: the system's)")
        self.client_cert = QLineEdit(objectName=f"{prefix}.tls.client_cert")
        self.client_cert.setPlaceholderText("PEM certificate, for servers that ask for one")
        self.client_key = QLineEdit(objectName=f"{prefix}.tls.client_key")
        self.client_key.setPlaceholderText("its PEM private key")
        self.server_name = QLineEdit(objectName=f"{prefix}.tls.server_name")
        self.server_name.setPlaceholderText("name in the certificate, if not the host's")
        self.verify = QCheckBox(
            "Verify the server's certificate", objectName=f"{prefix}.tls.verify"
        )
        self.verify_warning = QLabel(
            _VERIFY_WARNING,
            wordWrap=True,
            objectName=f"{prefix}.tls.warning",
        )
        themed_style(self.verify_warning, "color: $error")

        form = QFormLayout(self)
        form.addRow("CA file", self._with_picker(self.ca_file, "Choose the CA file"))
        form.addRow(
            "Client certificate", self._with_picker(self.client_cert, "Choose the certificate")
        )
        form.addRow("Client key", self._with_picker(self.client_key, "Choose the private key"))
        form.addRow("Server name", self.server_name)
        form.addRow(self.verify)
        form.addRow(self.verify_warning)

        for field in (self.ca_file, self.client_cert, self.client_key, self.server_name):
            field.textEdited.connect(self._on_edited)
        self.verify.toggled.connect(self._on_verify_toggled)
        self.set_tls(ClientTls())

    def set_tls(self, tls: ClientTls) -> None:
        """Show ``tls``; does not emit ``edited``."""
        self._loading = True
        try:
            self.ca_file.setText(tls.ca_file)
            self.client_cert.setText(tls.client_cert_file)
            self.client_key.setText(tls.client_key_file)
            self.server_name.setText(tls.server_name)
            self.verify.setChecked(tls.verify)
            self._show_warning(tls.verify)
        finally:
            self._loading = False

    def tls(self) -> ClientTls:
        return ClientTls(
            ca_file=self.ca_file.text().strip(),
            client_cert_file=self.client_cert.text().strip(),
            client_key_file=self.client_key.text().strip(),
            verify=self.verify.isChecked(),
            server_name=self.server_name.text().strip(),
        )

    def _with_picker(self, field: QLineEdit, title: str) -> QWidget:
        button = QToolButton(text="…", objectName=f"{field.objectName()}.browse")
        button.setToolTip(title)
        button.clicked.connect(lambda: self._pick(field, title))
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(field, 1)
        line.addWidget(button)
        return row

    @asyncSlot()
    async def _pick(self, field: QLineEdit, title: str) -> None:
        path = await dialogs.open_file(self, title, field.text(), _PEM_FILTER)
        if path:
            field.setText(path)
            self._on_edited()

    def _on_verify_toggled(self, checked: bool) -> None:
        self._show_warning(checked)
        self._on_edited()

    def _show_warning(self, verified: bool) -> None:
        self.verify_warning.setVisible(not verified)
        mark_page(self, "" if verified else _VERIFY_WARNING)
        self.verify_changed.emit(verified)

    def _on_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
