"""The request half of the REST tab: method, URL, params, headers, body, auth, settings.

The URL field and the params table show the same query: editing either updates the
other (disabled params live only in the table).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import STANDARD_METHODS, RestRequest
from apiclient.core.urls import join_url, merge_params, split_url
from apiclient.ui.tabs.rest_body import BodyEditor
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.widgets.checks_editor import ChecksEditor, keep_count_in_title
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.send_buttons import swap_send_cancel
from apiclient.ui.widgets.settings_editor import SettingsEditor
from apiclient.ui.widgets.tls_warning import TlsOffWarning

CODE_LANGUAGES = (
    ("Copy as curl", "curl"),
    ("Copy as Python (httpx)", "httpx"),
    ("Copy as JavaScript (fetch)", "fetch"),
)


class RestRequestEditor(QWidget):
    """Edits one ``RestRequest``.

    Signals:
        edited: the user changed the request.
        send_requested / cancel_requested: the Send or Cancel button was pressed.
        code_requested(str): copy the request as "curl", "httpx" or "fetch" code.
        curl_pasted(str): a curl command was pasted or typed into the URL field.
    """

    edited = Signal()
    send_requested = Signal()
    cancel_requested = Signal()
    code_requested = Signal(str)
    curl_pasted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._request = RestRequest()

        self.method = QComboBox(objectName="rest.method", editable=True)
        self.method.addItems(STANDARD_METHODS)
        self.method.setToolTip("Pick a verb or type a custom one (e.g. PURGE)")
        self.method.setMinimumWidth(110)
        self.url = QLineEdit(objectName="rest.url")
        self.url.setPlaceholderText("https://api.example.com/items?page=1  or  {{base_url}}/items")
        self.send = QPushButton("Send", objectName="rest.send", default=True)
        self.send.setToolTip("Send the request (Ctrl+Enter)")
        self.cancel = QPushButton("Cancel", objectName="rest.cancel", visible=False)
        self.code = QToolButton(objectName="rest.code", text="Code")
        self.code.setToolTip("Copy this request as code, variables resolved")
        self.code.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        code_menu = QMenu(self.code)
        for label, language in CODE_LANGUAGES:
            action = code_menu.addAction(label)
            action.setObjectName(f"rest.code.{language}")
            action.triggered.connect(
                lambda _checked=False, lang=language: self.code_requested.emit(lang)
            )
        self.code.setMenu(code_menu)
        self.url_hint = QLabel(objectName="rest.url.hint", wordWrap=True)
        self.url_hint.setVisible(False)

        self.params = KeyValueTable("rest.params", "Parameter")
        self.headers = KeyValueTable("rest.headers", "Header")
        self.body = BodyEditor()
        self.auth = AuthEditor()
        self.settings = SettingsEditor()
        self.tests = ChecksEditor("rest")
        self.tabs = QTabWidget(objectName="rest.request.tabs")
        self.tabs.addTab(self.params, "Params")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self.body, "Body")
        self.tabs.addTab(self.auth, "Auth")
        self.tabs.addTab(self.settings, "Settings")
        keep_count_in_title(self.tabs, self.tests, "Tests")

        line = QHBoxLayout()
        line.addWidget(self.method)
        line.addWidget(self.url, 1)
        line.addWidget(self.send)
        line.addWidget(self.cancel)
        line.addWidget(self.code)
        self.tls_warning = TlsOffWarning("rest")
        self.settings.verify_changed.connect(self.tls_warning.show_verified)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.url_hint)
        layout.addWidget(self.tls_warning)
        layout.addWidget(self.tabs, 1)

        self.method.currentTextChanged.connect(self._on_part_edited)
        self.url.textEdited.connect(self._on_url_edited)
        self.url.returnPressed.connect(self.send_requested)
        self.params.rows_edited.connect(self._on_params_edited)
        self.headers.rows_edited.connect(self._on_part_edited)
        for part in (self.body, self.auth, self.settings, self.tests):
            part.edited.connect(self._on_part_edited)
        self.send.clicked.connect(self.send_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.set_request(RestRequest())

    def set_request(self, request: RestRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self.method.setCurrentText(request.method)
            self.url.setText(join_url(request.url, request.params))
            self.params.set_rows(request.params)
            self.headers.set_rows(request.headers)
            self.body.set_body(request.body)
            self.auth.set_auth(request.auth)
            self.settings.set_settings(request.settings)
            self.tests.set_values(request.checks, request.captures)
        finally:
            self._loading = False

    def request(self) -> RestRequest:
        """The request as the widgets show it now; name, description and variables kept."""
        base, _typed = split_url(self.url.text().strip())
        return self._request.model_copy(
            update={
                "method": self.method.currentText().strip().upper() or "GET",
                "url": base,
                "params": self.params.rows(),
                "headers": self.headers.rows(),
                "body": self.body.body(),
                "auth": self.auth.auth(),
                "settings": self.settings.settings(),
                "checks": self.tests.checks(),
                "captures": self.tests.captures(),
            }
        )

    def set_name(self, name: str) -> None:
        """Take a new name (after a save as, rename or move) without touching the fields."""
        self._request = self._request.model_copy(update={"name": name})

    def set_sending(self, sending: bool) -> None:
        swap_send_cancel(self.send, self.cancel, sending)

    def set_url_hint(self, text: str) -> None:
        self.url_hint.setText(text)
        self.url_hint.setVisible(bool(text))

    def _on_url_edited(self, text: str) -> None:
        if text.lstrip().startswith("curl "):
            self.curl_pasted.emit(text)
            return
        _base, typed = split_url(text.strip())
        self._loading = True
        try:
            self.params.set_rows(merge_params(self.params.rows(), typed))
        finally:
            self._loading = False
        self.edited.emit()

    def _on_params_edited(self) -> None:
        base, _typed = split_url(self.url.text().strip())
        self.url.setText(join_url(base, self.params.rows()))
        self._on_part_edited()

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
