"""The request half of the WebSocket tab: where to connect, the connection's state and
counters, and the pages for the message, saved messages, headers, auth, TLS and
settings."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
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

from apiclient.core.formatting import json_problem, pretty_json
from apiclient.core.models import WebsocketRequest, WsMessage
from apiclient.ui.tabs.websocket_saved import FORMAT_LABELS, SavedMessages
from apiclient.ui.tabs.websocket_script import ScriptEditor
from apiclient.ui.theme import themed_style, themed_text, tone_span
from apiclient.ui.widgets.auth_editor import WEBSOCKET_AUTH_KINDS, AuthEditor
from apiclient.ui.widgets.checks_editor import keep_count_in_title
from apiclient.ui.widgets.code_editor import CodeEditor
from apiclient.ui.widgets.key_value_table import KeyValueTable
from apiclient.ui.widgets.tls_editor import TlsEditor
from apiclient.ui.widgets.tls_warning import CONNECTION_TEXT, TlsOffWarning

_MB = 1024 * 1024
# (code, what it means) offered by the Disconnect menu; any other code can be typed.
CLOSE_CODES = (
    (1000, "Normal closure"),
    (4000, "Application: 4000"),
)
# The phase shown by the state label, and its semantic colour (apiclient.ui.theme).
_PHASE_TONES = {
    "idle": "muted",
    "connecting": "warning",
    "reconnecting": "warning",
    "open": "success",
    "closing": "warning",
    "closed": "muted",
    "failed": "error",
}
_FORMAT_PLACEHOLDERS = {
    "text": "Text to send. {{variables}} are resolved. Ctrl+Enter sends.",
    "json": '{"type": "hello"}  (checked before sending; Prettify indents it)',
    "hex": "Bytes in hex, e.g. 48 65 6c 6c 6f or 0x48656c6c6f",
    "base64": "Bytes in base64, e.g. SGVsbG8=",
}


class WebsocketRequestEditor(QWidget):
    """Edits one ``WebsocketRequest``.

    Signals:
        edited: the user changed the request.
        send_requested: send the message in the editor (Send, Ctrl+Enter).
        cancel_requested: Esc.
        connect_requested: Connect (or Disconnect / stop connecting, by state).
        close_requested(int, str): disconnect with this close code and reason.
        close_with_code_requested: ask which close code to disconnect with.
        ping_requested: send a ping and time its pong.
        save_message_requested: keep the message in the editor as a saved message.
    """

    edited = Signal()
    send_requested = Signal()
    cancel_requested = Signal()
    connect_requested = Signal()
    close_requested = Signal(int, str)
    close_with_code_requested = Signal()
    ping_requested = Signal()
    save_message_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._showing_problem = False  # the message line shows a JSON problem
        self._request = WebsocketRequest()

        self.url = QLineEdit(objectName="websocket.url")
        self.url.setPlaceholderText("ws://127.0.0.1:8714/echo or {{ws_url}}/echo")
        self.connect_button = QPushButton("Connect", objectName="websocket.connect")
        self.connect_button.setToolTip("Open the connection (Enter in the URL)")
        self.ping = QPushButton("Ping", objectName="websocket.ping")
        self.ping.setToolTip("Send a ping and time the pong (tick Pings above the log to see them)")
        self.close_menu = QToolButton(objectName="websocket.close_menu", text="▾")
        self.close_menu.setToolTip("Disconnect with a chosen close code")
        self.close_menu.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.close_menu)
        for code, meaning in CLOSE_CODES:
            action = QAction(f"Close with {code} ({meaning})", menu)
            action.triggered.connect(lambda _=False, code=code: self.close_requested.emit(code, ""))
            menu.addAction(action)
        other = QAction("Close with another code…", menu)
        other.triggered.connect(self.close_with_code_requested)
        menu.addAction(other)
        self.close_menu.setMenu(menu)
        self.state = QLabel(objectName="websocket.state", wordWrap=True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counters = QLabel(objectName="websocket.counters")
        self.url_hint = QLabel(objectName="websocket.url.hint", wordWrap=True, visible=False)

        self.message_format = QComboBox(objectName="websocket.message_format")
        for value, label in FORMAT_LABELS.items():
            self.message_format.addItem(label, value)
        self.prettify = QPushButton("Prettify", objectName="websocket.prettify")
        self.prettify.setToolTip("Indent the JSON (one undoable edit)")
        self.save_message = QPushButton("Save message", objectName="websocket.save_message")
        self.save_message.setToolTip("Keep this message with the request, to send in one click")
        self.send = QPushButton("Send", objectName="websocket.send")
        self.send.setToolTip("Send the message (Ctrl+Enter)")
        self.message = CodeEditor("websocket.message")
        self.message_file = QLineEdit(objectName="websocket.message_file")
        self.message_file.setPlaceholderText("File whose bytes are sent as one binary message")
        self.browse_file = QToolButton(text="…", objectName="websocket.message_file.browse")
        self.browse_file.setToolTip("Choose the file")
        self.message_status = QLabel(objectName="websocket.message.status", wordWrap=True)
        message_page = QWidget()
        top = QHBoxLayout()
        top.addWidget(self.message_format)
        top.addWidget(self.prettify)
        top.addStretch(1)
        top.addWidget(self.save_message)
        top.addWidget(self.send)
        file_line = QHBoxLayout()
        file_line.addWidget(self.message_file, 1)
        file_line.addWidget(self.browse_file)
        self._file_row = QWidget()
        self._file_row.setLayout(file_line)
        file_line.setContentsMargins(0, 0, 0, 0)
        message_layout = QVBoxLayout(message_page)
        message_layout.setContentsMargins(0, 0, 0, 0)
        message_layout.addLayout(top)
        message_layout.addWidget(self.message, 1)
        message_layout.addWidget(self._file_row)
        message_layout.addWidget(self.message_status)

        self.saved = SavedMessages()
        self.subprotocols = QLineEdit(objectName="websocket.subprotocols")
        self.subprotocols.setPlaceholderText("offered in order, comma-separated: chat.v1, chat.v0")
        self.headers = KeyValueTable("websocket.headers", "Header")
        headers_page = QWidget()
        headers_layout = QVBoxLayout(headers_page)
        headers_layout.setContentsMargins(0, 0, 0, 0)
        subprotocol_form = QFormLayout()
        subprotocol_form.addRow("Subprotocols", self.subprotocols)
        headers_layout.addLayout(subprotocol_form)
        headers_layout.addWidget(self.headers, 1)
        self.auth = AuthEditor("websocket", kinds=WEBSOCKET_AUTH_KINDS)
        self.tls = TlsEditor("websocket")
        self.tls.setToolTip("Used for wss:// URLs")

        self.connect_timeout = QDoubleSpinBox(objectName="websocket.connect_timeout")
        self.connect_timeout.setRange(0.001, 86_400)
        self.connect_timeout.setDecimals(3)
        self.connect_timeout.setSuffix(" s")
        self.max_message = QDoubleSpinBox(objectName="websocket.max_message")
        self.max_message.setRange(0.01, 1024)
        self.max_message.setDecimals(2)
        self.max_message.setSuffix(" MB")
        self.max_message.setToolTip(
            "A larger incoming message closes the connection (1009); a larger outgoing one "
            "is refused before sending"
        )
        self.ping_interval = QDoubleSpinBox(objectName="websocket.ping_interval")
        self.ping_interval.setRange(0, 86_400)
        self.ping_interval.setDecimals(3)
        self.ping_interval.setSuffix(" s")
        self.ping_interval.setSpecialValueText("Off")
        self.ping_interval.setToolTip("Keepalive pings; the connection closes if none is answered")
        self.auto_reconnect = QCheckBox(
            "Reconnect automatically after a drop (back-off from 0.5 s to 30 s, 10 tries)",
            objectName="websocket.auto_reconnect",
        )
        settings_page = QWidget()
        settings_form = QFormLayout(settings_page)
        settings_form.addRow("Connect timeout", self.connect_timeout)
        settings_form.addRow("Max message size", self.max_message)
        settings_form.addRow("Ping every", self.ping_interval)
        settings_form.addRow(self.auto_reconnect)

        self.tabs = QTabWidget(objectName="websocket.request.tabs", usesScrollButtons=True)
        self.tabs.addTab(message_page, "Message")
        self.tabs.addTab(self.saved, "Saved messages")
        self.tabs.addTab(headers_page, "Headers")
        self.tabs.addTab(self.auth, "Auth")
        self.tabs.addTab(self.tls, "TLS")
        self.tabs.addTab(settings_page, "Settings")
        self.script = ScriptEditor()
        keep_count_in_title(self.tabs, self.script, "Script")

        line = QHBoxLayout()
        line.addWidget(self.url, 1)
        line.addWidget(self.ping)
        line.addWidget(self.connect_button)
        line.addWidget(self.close_menu)
        state_line = QHBoxLayout()
        state_line.addWidget(self.state, 1)
        state_line.addWidget(self.counters)
        self.tls_warning = TlsOffWarning("websocket", CONNECTION_TEXT)
        self.tls.verify_changed.connect(self.tls_warning.show_verified)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.url_hint)
        layout.addWidget(self.tls_warning)
        layout.addLayout(state_line)
        layout.addWidget(self.tabs, 1)

        self._check_timer = QTimer(self, singleShot=True, interval=300)
        self._check_timer.timeout.connect(self._check_message)
        self.url.textEdited.connect(self._on_part_edited)
        self.url.returnPressed.connect(self.connect_requested)
        self.connect_button.clicked.connect(self.connect_requested)
        self.ping.clicked.connect(self.ping_requested)
        self.message_format.currentIndexChanged.connect(self._on_format_changed)
        self.message.textChanged.connect(self._on_message_edited)
        self.message_file.textEdited.connect(self._on_message_edited)
        self.browse_file.clicked.connect(self._browse_file)
        self.prettify.clicked.connect(self._prettify)
        self.save_message.clicked.connect(self.save_message_requested)
        self.send.clicked.connect(self.send_requested)
        self.saved.edited.connect(self._on_saved_edited)
        self.subprotocols.textEdited.connect(self._on_part_edited)
        self.headers.rows_edited.connect(self._on_part_edited)
        self.auth.edited.connect(self._on_part_edited)
        self.tls.edited.connect(self._on_part_edited)
        self.script.edited.connect(self._on_part_edited)
        for spin in (self.connect_timeout, self.max_message, self.ping_interval):
            spin.valueChanged.connect(self._on_part_edited)
        self.auto_reconnect.toggled.connect(self._on_part_edited)
        self.set_request(WebsocketRequest())
        self.show_state("idle", "Not connected. Type a ws:// or wss:// URL and press Connect.")
        self.set_connection("idle")

    # -- the request ---------------------------------------------------------------------

    def set_request(self, request: WebsocketRequest) -> None:
        """Show ``request``; does not emit ``edited``."""
        self._loading = True
        try:
            self._request = request
            self.url.setText(request.url)
            self._choose_format(request.message_format)
            if request.message_format == "file":
                self.message_file.setText(request.message)
                self.message.set_text("")
            else:
                self.message_file.setText("")
                self.message.set_text(request.message)
            self.saved.set_messages(request.messages)
            self._show_saved_count()
            self.subprotocols.setText(", ".join(request.subprotocols))
            self.headers.set_rows(request.headers)
            self.auth.set_auth(request.auth)
            self.tls.set_tls(request.tls)
            self.connect_timeout.setValue(request.connect_timeout_s)
            self.max_message.setValue(request.max_message_bytes / _MB)
            self.ping_interval.setValue(request.ping_interval_s)
            self.auto_reconnect.setChecked(request.auto_reconnect)
            self.script.set_steps(request.script)
            self._show_format()
        finally:
            self._loading = False
        self._check_message()

    def request(self) -> WebsocketRequest:
        """The request as the widgets show it; name and variables kept."""
        max_bytes = self._request.max_message_bytes
        if round(max_bytes / _MB, 2) != round(self.max_message.value(), 2):
            max_bytes = max(1, round(self.max_message.value() * _MB))  # changed by the user
        return self._request.model_copy(
            update={
                "url": self.url.text().strip(),
                "headers": self.headers.rows(),
                "subprotocols": [
                    name.strip() for name in self.subprotocols.text().split(",") if name.strip()
                ],
                "auth": self.auth.auth(),
                "tls": self.tls.tls(),
                "connect_timeout_s": self.connect_timeout.value(),
                "max_message_bytes": max_bytes,
                "ping_interval_s": self.ping_interval.value(),
                "auto_reconnect": self.auto_reconnect.isChecked(),
                "message_format": self.message_format.currentData(),
                "message": self._message_body(),
                "messages": self.saved.messages(),
                "script": self.script.steps(),
            }
        )

    def draft(self) -> WsMessage:
        """The message being written, as a (nameless) saved message would hold it."""
        return WsMessage(format=self.message_format.currentData(), body=self._message_body())

    def load_message(self, message: WsMessage) -> None:
        """Put a saved message into the editor (one undoable edit for text)."""
        self._loading = True
        try:
            self._choose_format(message.format)
            if message.format == "file":
                self.message_file.setText(message.body)
            else:
                self.message.replace_text(message.body)
            self._show_format()
        finally:
            self._loading = False
        self.tabs.setCurrentIndex(0)
        self._on_message_edited()

    def update_request(self, **fields: str) -> None:
        self._request = self._request.model_copy(update=fields)
        self._on_part_edited()

    def _choose_format(self, message_format: str) -> None:
        self.message_format.setCurrentIndex(max(0, self.message_format.findData(message_format)))

    def _message_body(self) -> str:
        if self.message_format.currentData() == "file":
            return self.message_file.text().strip()
        return self.message.toPlainText()

    # -- what the connection is doing ----------------------------------------------------------

    def set_connection(self, phase: str) -> None:
        """Connect turns into Disconnect while a connection is open or being made."""
        busy = phase in ("connecting", "reconnecting", "open", "closing")
        if phase in ("connecting", "reconnecting"):
            self.connect_button.setText("Stop")
            self.connect_button.setToolTip("Stop connecting (Esc)")
        elif busy:
            self.connect_button.setText("Disconnect")
            self.connect_button.setToolTip("Close the connection normally (1000)")
        else:
            self.connect_button.setText("Connect")
            self.connect_button.setToolTip("Open the connection (Enter in the URL)")
        self.close_menu.setVisible(phase == "open")
        self.ping.setVisible(phase == "open")

    def show_state(self, phase: str, text: str) -> None:
        tone = _PHASE_TONES.get(phase, _PHASE_TONES["idle"])
        themed_text(self.state, lambda: f"{tone_span('●', tone)} {escape(text)}")
        self.state.setToolTip(text)

    def show_counters(self, text: str) -> None:
        self.counters.setText(text)

    def set_url_hint(self, html: str) -> None:
        self.url_hint.setText(html)
        self.url_hint.setVisible(bool(html))

    # -- reactions -------------------------------------------------------------------------

    def _on_format_changed(self) -> None:
        if self._loading:
            return
        if self.message_format.currentData() == "file":
            self.message_file.setText("")
        self._show_format()
        self._on_message_edited()

    def _show_format(self) -> None:
        chosen = self.message_format.currentData()
        is_file = chosen == "file"
        self.message.setVisible(not is_file)
        self._file_row.setVisible(is_file)
        self.prettify.setVisible(chosen == "json")
        self.message.set_language("json" if chosen == "json" else "text")
        self.message.setPlaceholderText(_FORMAT_PLACEHOLDERS.get(chosen, ""))

    def _on_message_edited(self) -> None:
        self._check_timer.start()
        self._on_part_edited()

    def _check_message(self) -> None:
        """JSON is checked when typing pauses (the hint says where it breaks); other
        news in the line (Sent…, Pong…) stays until the next problem."""
        problem = ""
        if self.message_format.currentData() == "json":
            problem = json_problem(self.message.toPlainText())
        if problem:
            self.show_message_status(problem, error=True)
            self._showing_problem = True
        elif self._showing_problem:
            self.show_message_status("")

    def show_message_status(self, text: str, error: bool = False) -> None:
        self._showing_problem = False
        themed_style(self.message_status, "color: $error" if error else "color: $muted")
        self.message_status.setText(text)

    def _prettify(self) -> None:
        pretty = pretty_json(self.message.toPlainText())
        if pretty.problem:
            self.show_message_status(pretty.problem, error=True)
            return
        self.message.replace_text(pretty.text)

    def _browse_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose the file to send", self.message_file.text()
        )
        if path:
            self.message_file.setText(path)
            self._on_message_edited()

    def _on_saved_edited(self) -> None:
        self._show_saved_count()
        self._on_part_edited()

    def _show_saved_count(self) -> None:
        count = len(self.saved.messages())
        self.tabs.setTabText(1, f"Saved messages ({count})" if count else "Saved messages")

    def _on_part_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
