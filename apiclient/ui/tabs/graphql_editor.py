"""The request half of the GraphQL tab: endpoint, operation, query, variables, headers."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import GraphqlRequest
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.widgets.checks_editor import ChecksEditor, keep_count_in_title
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.send_buttons import swap_send_cancel
from apiclient.ui.widgets.settings_editor import SettingsEditor
from apiclient.ui.widgets.tls_warning import TlsOffWarning


class GraphqlRequestEditor(QWidget):
    """Edits one ``GraphqlRequest``.

    Signals:
        edited: the user changed the request.
        send_requested / cancel_requested: Send (or Subscribe) / Cancel (or Stop).
        format_requested: Format was pressed.
    """

    edited = Signal()
    send_requested = Signal()
    cancel_requested = Signal()
    format_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._request = GraphqlRequest()
        self._operation_items: list[tuple[str, str]] = []

        self.method = QComboBox(objectName="graphql.method")
        self.method.addItems(["POST", "GET"])
        self.method.setToolTip("GET sends queries in the URL (never mutations)")
        self.url = QLineEdit(objectName="graphql.url")
        self.url.setPlaceholderText("https://api.example.com/graphql  or  {{graphql_url}}/graphql")
        self.send = QPushButton("Send", objectName="graphql.send", default=True)
        self.send.setToolTip("Run the operation (Ctrl+Enter); a subscription starts streaming")
        self.cancel = QPushButton("Cancel", objectName="graphql.cancel", visible=False)
        self.url_hint = QLabel(objectName="graphql.url.hint", wordWrap=True, visible=False)
        self.operation = QComboBox(objectName="graphql.operation")
        self.operation.setToolTip("The operation to run when the document holds several")
        self.operation.setMinimumContentsLength(8)
        self.format = QPushButton("Format", objectName="graphql.format")
        self.format.setToolTip("Pretty-print the query (Ctrl+Z undoes it)")

        self.query = CodeEditor("graphql.query")
        self.query.set_language("graphql")
        self.query.setPlaceholderText(
            "query {\n  events(first: 3) { name }\n}\n\n"
            "Fetch the schema for checking and completion (Ctrl+Space)."
        )
        self.problems = QLabel(objectName="graphql.query.problems", wordWrap=True)
        self.problems.setVisible(False)
        self.variables = CodeEditor("graphql.variables")
        self.variables.set_language("json")
        self.variables.setPlaceholderText('{"first": 3}   (JSON; {{variables}} resolved)')
        query_pane = QWidget()
        query_layout = QVBoxLayout(query_pane)
        query_layout.setContentsMargins(0, 0, 0, 0)
        query_layout.addWidget(self.query, 1)
        query_layout.addWidget(self.problems)
        variables_pane = QWidget()
        variables_layout = QVBoxLayout(variables_pane)
        variables_layout.setContentsMargins(0, 0, 0, 0)
        variables_layout.addWidget(QLabel("Variables (JSON)"))
        variables_layout.addWidget(self.variables, 1)
        document = QSplitter(objectName="graphql.document_splitter")
        document.addWidget(query_pane)
        document.addWidget(variables_pane)
        document.setStretchFactor(0, 3)
        document.setStretchFactor(1, 1)

        self.headers = KeyValueTable("graphql.headers", "Header")
        self.auth = AuthEditor("graphql")
        self.settings = SettingsEditor("graphql")
        self.subscription_url = QLineEdit(objectName="graphql.subscription_url")
        self.subscription_url.setPlaceholderText("ws(s)://… (empty: the URL, ws for http)")
        self.protocol = QComboBox(objectName="graphql.subscription.protocol")
        self.protocol.addItem("graphql-transport-ws (current)", "graphql-transport-ws")
        self.protocol.addItem("graphql-ws (legacy Apollo)", "graphql-ws")
        self.protocol.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.protocol.setMinimumContentsLength(12)
        subscriptions = QWidget()
        form = QFormLayout(subscriptions)
        form.addRow("WebSocket URL", self.subscription_url)
        form.addRow("Protocol", self.protocol)
        self.tabs = QTabWidget(objectName="graphql.request.tabs", usesScrollButtons=True)
        self.tabs.addTab(document, "Query")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self.auth, "Auth")
        self.tabs.addTab(subscriptions, "Subscriptions")
        self.tabs.addTab(self.settings, "Settings")
        self.tests = ChecksEditor("graphql")
        keep_count_in_title(self.tabs, self.tests, "Tests")

        line = QHBoxLayout()
        line.addWidget(self.method)
        line.addWidget(self.url, 1)
        line.addWidget(self.send)
        line.addWidget(self.cancel)
        operation_line = QHBoxLayout()
        operation_line.addWidget(QLabel("Operation"))
        operation_line.addWidget(self.operation, 1)
        operation_line.addWidget(self.format)
        self.tls_warning = TlsOffWarning("graphql")
        self.settings.verify_changed.connect(self.tls_warning.show_verified)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.url_hint)
        layout.addWidget(self.tls_warning)
        layout.addLayout(operation_line)
        layout.addWidget(self.tabs, 1)

        self.method.currentIndexChanged.connect(self._on_part_edited)
        self.url.textEdited.connect(self._on_part_edited)
        self.url.returnPressed.connect(self.send_requested)
        self.operation.currentIndexChanged.connect(self._on_part_edited)
        self.query.textChanged.connect(self._on_part_edited)
        self.variables.textChanged.connect(self._on_part_edited)
        self.headers.rows_edited.connect(self._on_part_edited)
        self.subscription_url.textEdited.connect(self._on_part_edited)
        for part in (self.auth, self.settings, self.tests):
            part.edited.connect(self._on_part_edited)
        self.send.clicked.connect(self.send_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.format.clicked.connect(self.format_requested)
        self.set_request(GraphqlRequest())

    def set_request(self, request: GraphqlRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self.method.setCurrentText(request.method)
            self.url.setText(request.url)
            self.query.set_text(request.query)
            self.variables.set_text(request.variables_json)
            self.set_operations([], request.operation_name)
            self.headers.set_rows(request.headers)
            self.auth.set_auth(request.auth)
            self.settings.set_settings(request.settings)
            self.subscription_url.setText(request.subscription_url)
            self.tests.set_values(request.checks, request.captures)
        finally:
            self._loading = False

    def request(self) -> GraphqlRequest:
        """The request as the widgets show it; name, schema file and variables kept."""
        return self._request.model_copy(
            update={
                "method": self.method.currentText(),
                "url": self.url.text().strip(),
                "query": self.query.toPlainText(),
                "variables_json": self.variables.toPlainText(),
                "operation_name": self.operation.currentData() or "",
                "headers": self.headers.rows(),
                "auth": self.auth.auth(),
                "settings": self.settings.settings(),
                "subscription_url": self.subscription_url.text().strip(),
                "checks": self.tests.checks(),
                "captures": self.tests.captures(),
            }
        )

    def subscription_protocol(self) -> str:
        return self.protocol.currentData()

    def set_operations(self, names: list[str], chosen: str) -> None:
        """Offer the document's named operations; keeps ``chosen`` even when not (yet) listed,
        so a name typed in a saved file is never dropped. Does not emit ``edited``, and
        leaves the list alone (an open drop-down stays open) when nothing changed."""
        items: list[tuple[str, str]]
        if len(names) <= 1:
            # A saved name of the only operation stays as saved (no false "unsaved").
            data = chosen if names and chosen == names[0] else ""
            items = [(f"{names[0]} (the only one)" if names else "(the only one)", data)]
        else:
            items = [("(choose)", "")] + [(name, name) for name in names]
        if chosen and chosen not in names:
            items.append((f"{chosen} (not in the document)", chosen))
        if items == self._operation_items and self.operation.currentData() == chosen:
            return
        was_loading = self._loading
        self._loading = True
        try:
            self._operation_items = items
            self.operation.clear()
            for label, data in items:
                self.operation.addItem(label, data)
            self.operation.setCurrentIndex(max(0, self.operation.findData(chosen)))
        finally:
            self._loading = was_loading

    def update_request(self, **fields: str) -> None:
        """Change fields that are not widgets here (name, schema file); emits ``edited``."""
        self._request = self._request.model_copy(update=fields)
        self._on_part_edited()

    def set_sending(self, sending: bool) -> None:
        swap_send_cancel(self.send, self.cancel, sending)

    def set_subscription_mode(self, subscription: bool) -> None:
        """Send reads Subscribe for a subscription, Cancel reads Stop."""
        self.send.setText("Subscribe" if subscription else "Send")
        self.cancel.setText("Stop" if subscription else "Cancel")

    def set_url_hint(self, html: str) -> None:
        self.url_hint.setText(html)
        self.url_hint.setVisible(bool(html))

    def set_problems(self, html: str) -> None:
        self.problems.setText(html)
        self.problems.setVisible(bool(html))

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
