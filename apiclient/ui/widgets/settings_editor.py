"""Per-request connection settings shared by the HTTP-based tabs (REST, SOAP)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from apiclient.core.models import RequestSettings
from apiclient.ui.widgets.page_warning import mark_page

_TLS_WARNING = (
    "⚠ Certificates are not checked: anyone on the network path could read or change this request."
)


class SettingsEditor(QWidget):
    """Per-request timeout, redirects and TLS verification. Signals: edited."""

    edited = Signal()

    def __init__(self, prefix: str = "rest", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeout = QDoubleSpinBox(objectName=f"{prefix}.settings.timeout")
        self.timeout.setRange(0.1, 3600)
        self.timeout.setSuffix(" s")
        self.follow_redirects = QCheckBox(
            "Follow redirects", objectName=f"{prefix}.settings.follow_redirects"
        )
        self.max_redirects = QSpinBox(objectName=f"{prefix}.settings.max_redirects")
        self.max_redirects.setRange(0, 100)
        self.verify_tls = QCheckBox(
            "Verify TLS certificates", objectName=f"{prefix}.settings.verify_tls"
        )
        self.tls_warning = QLabel(
            _TLS_WARNING,
            wordWrap=True,
            objectName=f"{prefix}.settings.tls_warning",
        )
        self.tls_warning.setStyleSheet("color: #c62828")
        form = QFormLayout(self)
        form.addRow("Timeout", self.timeout)
        form.addRow(self.follow_redirects)
        form.addRow("Max redirects", self.max_redirects)
        form.addRow(self.verify_tls)
        form.addRow(self.tls_warning)
        self.timeout.valueChanged.connect(self.edited)
        self.follow_redirects.toggled.connect(self.edited)
        self.max_redirects.valueChanged.connect(self.edited)
        self.verify_tls.toggled.connect(self._on_verify_toggled)

    def set_settings(self, settings: RequestSettings) -> None:
        self.blockSignals(True)
        self.timeout.setValue(settings.timeout_s)
        self.follow_redirects.setChecked(settings.follow_redirects)
        self.max_redirects.setValue(settings.max_redirects)
        self.verify_tls.setChecked(settings.verify_tls)
        self._show_tls_warning(settings.verify_tls)
        self.blockSignals(False)

    def settings(self) -> RequestSettings:
        return RequestSettings(
            timeout_s=self.timeout.value(),
            follow_redirects=self.follow_redirects.isChecked(),
            max_redirects=self.max_redirects.value(),
            verify_tls=self.verify_tls.isChecked(),
        )

    def _on_verify_toggled(self, checked: bool) -> None:
        self._show_tls_warning(checked)
        self.edited.emit()

    def _show_tls_warning(self, verified: bool) -> None:
        self.tls_warning.setVisible(not verified)
        mark_page(self, "" if verified else _TLS_WARNING)
