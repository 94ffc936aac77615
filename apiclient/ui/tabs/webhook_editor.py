"""The settings half of the Webhook tab: where the receiver listens (with its URL to copy),
what it answers, how it checks signatures, its body limit and where it forwards."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import WebhookRequest, WebhookResponse, WebhookSignature
from apiclient.protocols.webhook_events import LOOPBACK_NAMES, is_all_interfaces
from apiclient.ui.theme import themed_style, themed_text, tone_span
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

_MB = 1024 * 1024
HOSTS = (
    ("127.0.0.1", "127.0.0.1 (this machine only)"),
    ("::1", "::1 (this machine only, IPv6)"),
    ("0.0.0.0", "0.0.0.0 (all network interfaces)"),
)
NETWORK_WARNING = (
    "⚠ Listening on {where}: anyone who can reach this machine can send events to the "
    "receiver and read its answers. Use 127.0.0.1 unless a device or VM on your network "
    "must reach it."
)
_JSON_OK = '{"received": true}'
# (label, status, delay, body) of each preset; Custom is whatever else is typed.
RESPONSE_PRESETS = (
    ("200 OK", 200, 0.0, _JSON_OK),
    ("500 Internal Server Error", 500, 0.0, '{"error": "simulated failure"}'),
    ("410 Gone (unsubscribe)", 410, 0.0, ""),
    ("Slow: 200 after 10 s", 200, 10.0, _JSON_OK),
)
SCHEMES = (
    ("none", "None: accept everything"),
    ("github", "GitHub (X-Hub-Signature-256)"),
    ("stripe", "Stripe (Stripe-Signature)"),
    ("standard", "Standard Webhooks (webhook-signature)"),
    ("hmac", "Generic HMAC"),
)
_SCHEME_HELP = {
    "none": "Every event is shown as not checked.",
    "github": "HMAC-SHA256 of the body with the secret, as sha256=<hex>.",
    "stripe": "t=<time>,v1=<hex HMAC-SHA256 of “t.body”>; the time must be within the tolerance.",
    "standard": (
        "webhook-id, webhook-timestamp and webhook-signature (v1,<base64>); the secret "
        "is whsec_<base64>; the time must be within the tolerance."
    ),
    "hmac": "The header carries the prefix and the HMAC of the body.",
}
_SECRET_NOTE = (
    "The secret stays in this machine's secret store, never in the collection file "
    "(a {{variable}} is written as the reference)."
)
# The receiver's state, and its semantic colour (apiclient.ui.theme).
_STATE_TONES = {
    "stopped": "muted",
    "starting": "warning",
    "listening": "success",
    "failed": "error",
}


class WebhookEditor(QWidget):
    """Edits one ``WebhookRequest`` (all but its replay URL, which the inbox holds).

    Signals:
        edited: the user changed a setting.
        start_requested: Start (or Stop, by state).
    """

    edited = Signal()
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._request = WebhookRequest()

        self.host = QComboBox(objectName="webhook.host")
        for host, label in HOSTS:
            self.host.addItem(label, host)
        self.host.setToolTip("Where the receiver listens")
        self.port = QSpinBox(objectName="webhook.port")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")
        self.port.setToolTip("1024-65535, or 0 for any free port")
        self.start_button = QPushButton("Start", objectName="webhook.start")
        self.url = QLineEdit(objectName="webhook.url", readOnly=True)
        self.url.setPlaceholderText("The URL to paste into the sender appears here once started")
        self.copy_url = QPushButton("Copy URL", objectName="webhook.copy_url", enabled=False)
        self.copy_url.setToolTip("Copy the receiver's URL to the clipboard")
        self.state = QLabel(objectName="webhook.state", wordWrap=True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel(objectName="webhook.warning", wordWrap=True)
        themed_style(
            self.warning,
            "QLabel { color: $error; background: $removed; border: 1px solid $error;"
            " border-radius: 4px; padding: 4px; }",
        )
        self.warning.setVisible(False)

        self.settings = QTabWidget(objectName="webhook.settings", usesScrollButtons=True)
        self.settings.addTab(self._response_page(), "Response")
        self.settings.addTab(self._signature_page(), "Signature")
        self.settings.addTab(self._limits_page(), "Limits && forwarding")

        line = QHBoxLayout()
        line.addWidget(QLabel("Listen on"))
        line.addWidget(self.host)
        line.addWidget(QLabel("port"))
        line.addWidget(self.port)
        line.addWidget(self.start_button)
        line.addWidget(self.url, 1)
        line.addWidget(self.copy_url)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.warning)
        layout.addWidget(self.state)
        layout.addWidget(self.settings, 1)

        self.start_button.clicked.connect(self.start_requested)
        self.copy_url.clicked.connect(self._copy_url)
        # activated: a person's choice only (currentIndexChanged also fires while the
        # window is torn down).
        self.host.activated.connect(self._on_host_changed)
        self.port.valueChanged.connect(self._on_part_edited)
        self.set_request(WebhookRequest())
        self.show_state("stopped", "Stopped. Press Start to receive webhooks.")

    # -- pages ---------------------------------------------------------------------------

    def _response_page(self) -> QWidget:
        self.preset = QComboBox(objectName="webhook.response.preset")
        self.preset.addItem("Custom", None)
        for index, (label, *_values) in enumerate(RESPONSE_PRESETS):
            self.preset.addItem(label, index)
        self.status = QSpinBox(objectName="webhook.response.status")
        self.status.setRange(200, 599)  # a 1xx cannot end an HTTP/1.1 exchange
        self.delay = QDoubleSpinBox(objectName="webhook.response.delay")
        self.delay.setRange(0, 300)
        self.delay.setDecimals(2)
        self.delay.setSuffix(" s")
        self.delay.setSpecialValueText("none")
        self.delay.setToolTip("Wait this long before answering (other events are not held up)")
        self.response_headers = KeyValueTable("webhook.response.headers", "Header")
        self.response_body = CodeEditor("webhook.response.body")
        self.response_body.setPlaceholderText("Body of every answer ({{variables}} resolved)")
        line = QHBoxLayout()
        for label, widget in (
            ("Preset", self.preset),
            ("Status", self.status),
            ("Delay", self.delay),
        ):
            line.addWidget(QLabel(label))
            line.addWidget(widget)
        line.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(line)
        layout.addWidget(QLabel("Headers"))
        layout.addWidget(self.response_headers, 1)
        layout.addWidget(QLabel("Body"))
        layout.addWidget(self.response_body, 1)
        self.preset.activated.connect(self._apply_preset)
        self.status.valueChanged.connect(self._on_response_edited)
        self.delay.valueChanged.connect(self._on_response_edited)
        self.response_headers.rows_edited.connect(self._on_part_edited)
        self.response_body.textChanged.connect(self._on_response_edited)
        return page

    def _signature_page(self) -> QWidget:
        self.scheme = QComboBox(objectName="webhook.signature.scheme")
        for value, label in SCHEMES:
            self.scheme.addItem(label, value)
        self.scheme_help = QLabel(objectName="webhook.signature.help", wordWrap=True)
        self.scheme_help.setStyleSheet("color: palette(mid)")
        self.secret = SecretLineEdit("webhook.signature.secret")
        self.secret.setPlaceholderText("whsec_… or {{webhook_secret}}")
        self.tolerance = QSpinBox(objectName="webhook.signature.tolerance")
        self.tolerance.setRange(0, 86_400)
        self.tolerance.setSuffix(" s")
        self.tolerance.setToolTip(
            "How far the signed timestamp may be from now, either way (0: not checked)"
        )
        self.tolerance.setSpecialValueText("not checked")
        self.tolerance.setMaximumWidth(160)
        self.header = QLineEdit(objectName="webhook.signature.header")
        self.algorithm = QComboBox(objectName="webhook.signature.algorithm")
        self.algorithm.addItems(["sha256", "sha1", "sha512"])
        self.prefix = QLineEdit(objectName="webhook.signature.prefix")
        self.prefix.setPlaceholderText("e.g. sha256= (empty: the digest alone)")
        self.encoding = QComboBox(objectName="webhook.signature.encoding")
        self.encoding.addItems(["hex", "base64"])
        page = QWidget()
        self._signature_form = QFormLayout()
        form = self._signature_form
        page_layout = QVBoxLayout(page)
        page_layout.addLayout(form)
        page_layout.addStretch(1)
        form.addRow("Scheme", self.scheme)
        form.addRow("", self.scheme_help)
        form.addRow("Secret", self.secret)
        note = QLabel(_SECRET_NOTE, wordWrap=True)
        note.setStyleSheet("color: palette(mid)")
        form.addRow("", note)
        form.addRow("Tolerance", self.tolerance)
        form.addRow("Header", self.header)
        form.addRow("Algorithm", self.algorithm)
        form.addRow("Prefix", self.prefix)
        form.addRow("Encoding", self.encoding)
        self.scheme.activated.connect(self._on_scheme_changed)
        for edit in (self.secret, self.header, self.prefix):
            edit.textEdited.connect(self._on_part_edited)
        self.tolerance.valueChanged.connect(self._on_part_edited)
        self.algorithm.activated.connect(self._on_part_edited)
        self.encoding.activated.connect(self._on_part_edited)
        return page

    def _limits_page(self) -> QWidget:
        self.max_body = QDoubleSpinBox(objectName="webhook.max_body")
        self.max_body.setRange(0.01, 1024)
        self.max_body.setDecimals(2)
        self.max_body.setSuffix(" MB")
        self.max_body.setToolTip("A larger body is refused with 413; the event is still listed")
        self.max_body.setMaximumWidth(160)
        self.forward = QCheckBox("Forward every new event to", objectName="webhook.forward")
        self.forward_url = QLineEdit(objectName="webhook.forward_url")
        self.forward_url.setPlaceholderText("http://127.0.0.1:3000/webhooks (your dev server)")
        forward_line = QHBoxLayout()
        forward_line.addWidget(self.forward)
        forward_line.addWidget(self.forward_url, 1)
        page = QWidget()
        form = QFormLayout()
        page_layout = QVBoxLayout(page)
        page_layout.addLayout(form)
        page_layout.addStretch(1)
        form.addRow("Body limit", self.max_body)
        form.addRow(forward_line)
        hint = QLabel(
            "Forwarded events keep their method, path, headers and body; the receiver "
            "answers the sender first, so a slow target never delays it.",
            wordWrap=True,
        )
        hint.setStyleSheet("color: palette(mid)")
        form.addRow(hint)
        self.max_body.valueChanged.connect(self._on_part_edited)
        self.forward.toggled.connect(self._on_part_edited)
        self.forward_url.textEdited.connect(self._on_part_edited)
        return page

    # -- the request ---------------------------------------------------------------------

    def set_request(self, request: WebhookRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self._choose_host(request.host)
            self.port.setValue(request.port)
            response = request.response
            self.status.setValue(response.status)
            self.delay.setValue(response.delay_s)
            self.response_headers.set_rows(response.headers)
            self.response_body.set_text(response.body)
            signature = request.signature
            self.scheme.setCurrentIndex(max(0, self.scheme.findData(signature.scheme)))
            self.secret.set_secret(signature.secret)
            self.tolerance.setValue(signature.tolerance_s)
            self.header.setText(signature.header)
            self.algorithm.setCurrentText(signature.algorithm)
            self.prefix.setText(signature.prefix)
            self.encoding.setCurrentText(signature.encoding)
            self.max_body.setValue(request.max_body_bytes / _MB)
            self.forward.setChecked(request.forward)
            self.forward_url.setText(request.forward_url)
        finally:
            self._loading = False
        self._show_preset()
        self._show_scheme()
        self._show_warning()

    def request(self) -> WebhookRequest:
        """The request as the widgets show it; name, variables and replay URL kept."""
        max_bytes = self._request.max_body_bytes
        if round(max_bytes / _MB, 2) != round(self.max_body.value(), 2):
            max_bytes = max(1, round(self.max_body.value() * _MB))  # changed by the user
        return self._request.model_copy(
            update={
                "host": self.host.currentData(),
                "port": self.port.value(),
                "response": WebhookResponse(
                    status=self.status.value(),
                    headers=self.response_headers.rows(),
                    body=self.response_body.toPlainText(),
                    delay_s=self.delay.value(),
                ),
                "signature": WebhookSignature(
                    scheme=self.scheme.currentData(),
                    secret=self.secret.text(),
                    header=self.header.text().strip(),
                    algorithm=self.algorithm.currentText(),
                    prefix=self.prefix.text(),
                    encoding=self.encoding.currentText(),
                    tolerance_s=self.tolerance.value(),
                ),
                "max_body_bytes": max_bytes,
                "forward": self.forward.isChecked(),
                "forward_url": self.forward_url.text().strip(),
            }
        )

    def update_request(self, **fields: str) -> None:
        self._request = self._request.model_copy(update=fields)
        self._on_part_edited()

    def fall_silent(self) -> None:
        """Emit nothing more: the window is going away, and a text editor tells its text
        changed while it is torn down, after the other fields are gone."""
        for widget in (self, self.response_body):
            widget.blockSignals(True)

    # -- the receiver's state --------------------------------------------------------------

    def set_running(self, state: str, url: str = "") -> None:
        """Start turns into Stop while the receiver starts or listens; the address
        fields are locked then (changing them needs a restart)."""
        busy = state in ("starting", "listening")
        self.start_button.setText("Stop" if busy else "Start")
        self.start_button.setToolTip(
            "Stop listening (the inbox keeps every event)" if busy else "Start listening"
        )
        self.host.setEnabled(not busy)
        self.port.setEnabled(not busy)
        self.url.setText(url)
        self.copy_url.setEnabled(bool(url))

    def show_state(self, state: str, text: str) -> None:
        tone = _STATE_TONES.get(state, _STATE_TONES["stopped"])
        themed_text(self.state, lambda: f"{tone_span('●', tone)} {escape(text)}")
        self.state.setToolTip(text)

    # -- reactions -------------------------------------------------------------------------

    def _choose_host(self, host: str) -> None:
        while self.host.count() > len(HOSTS):  # the previous request's own host
            self.host.removeItem(self.host.count() - 1)
        index = self.host.findData(host)
        if index < 0:  # a host typed into the file by hand: offered as is
            self.host.addItem(host, host)
            index = self.host.count() - 1
        self.host.setCurrentIndex(index)

    def _on_host_changed(self) -> None:
        self._show_warning()
        self._on_part_edited()

    def _show_warning(self) -> None:
        host = self.host.currentData().strip()
        if is_all_interfaces(host):
            where = "all network interfaces"
        else:
            where = f"{host}, an address other machines may reach"
        self.warning.setText(NETWORK_WARNING.format(where=where))
        self.warning.setVisible(host not in LOOPBACK_NAMES)

    def _copy_url(self) -> None:
        QGuiApplication.clipboard().setText(self.url.text())
        self.show_state("listening", f"Copied {self.url.text()} to the clipboard.")

    def _apply_preset(self, index: int) -> None:
        preset = self.preset.itemData(index)
        if preset is None:
            return
        _label, status, delay, body = RESPONSE_PRESETS[preset]
        self._loading = True
        try:
            self.status.setValue(status)
            self.delay.setValue(delay)
            self.response_body.replace_text(body)
        finally:
            self._loading = False
        self._on_part_edited()

    def _on_response_edited(self) -> None:
        if self._loading:
            return
        self._show_preset()
        self._on_part_edited()

    def _show_preset(self) -> None:
        """The preset the response fields match, else Custom."""
        current = (self.status.value(), self.delay.value(), self.response_body.toPlainText())
        match = next(
            (i for i, (_l, *values) in enumerate(RESPONSE_PRESETS) if tuple(values) == current),
            None,
        )
        self.preset.setCurrentIndex(self.preset.findData(match) if match is not None else 0)

    def _on_scheme_changed(self) -> None:
        self._show_scheme()
        self._on_part_edited()

    def _show_scheme(self) -> None:
        scheme = self.scheme.currentData()
        self.scheme_help.setText(_SCHEME_HELP[scheme])
        form = self._signature_form
        for row, shown in (
            (2, scheme != "none"),
            (3, scheme != "none"),
            (4, scheme in ("stripe", "standard")),
            (5, scheme == "hmac"),
            (6, scheme == "hmac"),
            (7, scheme == "hmac"),
            (8, scheme == "hmac"),
        ):
            form.setRowVisible(row, shown)

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
