"""The HTTP auth part of a request editor: none, basic, bearer, API key or digest.

The password, token and key value are :class:`SecretLineEdit` fields: masked until their
eye is clicked, and masked again when another request is shown. A value that is only
``{{variable}}`` references stays readable: it names the secret, it is not one.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from apiclient.core.models import Auth
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

_KINDS = [
    ("none", "No auth"),
    ("basic", "Basic auth"),
    ("bearer", "Bearer token"),
    ("apikey", "API key"),
    ("digest", "Digest auth"),
]
# Which fields each kind shows.
_FIELDS = {
    "none": (),
    "basic": ("username", "password"),
    "digest": ("username", "password"),
    "bearer": ("token", "token_prefix"),
    "apikey": ("key_name", "key_value", "key_in"),
}


class AuthEditor(QWidget):
    """Signals: edited: the user changed the auth settings."""

    edited = Signal()

    def __init__(
        self, prefix: str = "rest", parent: QWidget | None = None, *, digest: bool = True
    ) -> None:
        """``digest`` False leaves Digest out (a WebSocket handshake cannot answer it)."""
        super().__init__(parent)
        self._loading = False
        self.kind = QComboBox(objectName=f"{prefix}.auth.kind")
        for value, label in _KINDS:
            if digest or value != "digest":
                self.kind.addItem(label, value)
        self.username = QLineEdit(objectName=f"{prefix}.auth.username")
        self.password = SecretLineEdit(f"{prefix}.auth.password")
        self.token = SecretLineEdit(f"{prefix}.auth.token")
        self.token.setPlaceholderText("{{token}}")
        self.token_prefix = QLineEdit(objectName=f"{prefix}.auth.token_prefix")
        self.token_prefix.setToolTip("Sent before the token: 'Bearer' by default; empty for none")
        self.key_name = QLineEdit(objectName=f"{prefix}.auth.key_name", placeholderText="X-API-Key")
        self.key_value = SecretLineEdit(f"{prefix}.auth.key_value")
        self.key_in = QComboBox(objectName=f"{prefix}.auth.key_in")
        self.key_in.addItem("Header", "header")
        self.key_in.addItem("Query parameter", "query")
        self.note = QLabel(wordWrap=True)
        self.note.setStyleSheet("color: palette(mid)")

        self._form = QFormLayout(self)
        self._form.addRow("Type", self.kind)
        self._rows = {
            "username": ("Username", self.username),
            "password": ("Password", self.password),
            "token": ("Token", self.token),
            "token_prefix": ("Prefix", self.token_prefix),
            "key_name": ("Key", self.key_name),
            "key_value": ("Value", self.key_value),
            "key_in": ("Add to", self.key_in),
        }
        for label, widget in self._rows.values():
            self._form.addRow(label, widget)
        self._form.addRow(self.note)

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        for line in (
            self.username,
            self.password,
            self.token,
            self.token_prefix,
            self.key_name,
            self.key_value,
        ):
            line.textEdited.connect(self._emit_edited)
        self.key_in.currentIndexChanged.connect(self._emit_edited)
        self.set_auth(Auth())

    def set_auth(self, auth: Auth) -> None:
        self._loading = True
        try:
            self.kind.setCurrentIndex(max(0, self.kind.findData(auth.kind)))
            self.username.setText(auth.username)
            self.password.set_secret(auth.password)
            self.token.set_secret(auth.token)
            self.token_prefix.setText(auth.token_prefix)
            self.key_name.setText(auth.key_name)
            self.key_value.set_secret(auth.key_value)
            self.key_in.setCurrentIndex(self.key_in.findData(auth.key_in))
        finally:
            self._loading = False
        self._show_fields()

    def auth(self) -> Auth:
        return Auth(
            kind=self.kind.currentData(),
            username=self.username.text(),
            password=self.password.text(),
            token=self.token.text(),
            token_prefix=self.token_prefix.text(),
            key_name=self.key_name.text(),
            key_value=self.key_value.text(),
            key_in=self.key_in.currentData(),
        )

    def _show_fields(self) -> None:
        shown = _FIELDS[self.kind.currentData()]
        for field, (_label, widget) in self._rows.items():
            self._form.setRowVisible(widget, field in shown)
        notes = {
            "none": "No credentials are added to the request.",
            "basic": "Sent as an Authorization: Basic header.",
            "digest": "Answered to the server's Digest challenge (one extra round trip).",
            "bearer": "Sent as an Authorization header. Use {{variables}} to keep tokens "
            "out of the request.",
            "apikey": "Sent as a header or a query parameter.",
        }
        self.note.setText(notes[self.kind.currentData()])

    def _on_kind_changed(self) -> None:
        self._show_fields()
        self._emit_edited()

    def _emit_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
