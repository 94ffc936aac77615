"""The auth part of a request editor: every kind a request (or a folder, or a collection)
can use, from "Inherit from parent" to OAuth 2.0.

Each kind shows only its own rows (``apiclient.core.auth_fields`` says which); switching
kinds loses nothing, since :class:`~apiclient.core.models.Auth` keeps every kind's fields.
Secret fields are :class:`SecretLineEdit`: masked until their eye is clicked, and masked
again when another request is shown. A value that is only ``{{variable}}`` references
stays readable: it names the secret, it is not one. OAuth 2.0 has its own panel
(:class:`~apiclient.ui.widgets.oauth2_panel.OAuth2Panel`) with the token and its buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.auth_fields import AUTH_TEXT_FIELDS, SECRET_AUTH_FIELDS
from apiclient.core.models import AUTH_KINDS, Auth
from apiclient.ui.widgets.oauth2_panel import OAuth2Panel
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

KIND_LABELS = {
    "inherit": "Inherit from parent",
    "none": "No auth",
    "basic": "Basic",
    "bearer": "Bearer token",
    "apikey": "API key",
    "digest": "Digest",
    "oauth2": "OAuth 2.0",
    "oauth1": "OAuth 1.0a",
    "awsv4": "AWS Signature v4",
    "hawk": "Hawk",
    "ntlm": "NTLM",
}
GRPC_AUTH_KINDS = ("inherit", "none", "bearer", "apikey", "oauth2", "basic")
"""What gRPC can carry as call metadata."""
WEBSOCKET_AUTH_KINDS = ("inherit", "none", "basic", "bearer", "apikey", "oauth2")
"""What a WebSocket handshake can carry: no challenge (digest, NTLM) and no signed kinds."""
COLLECTION_AUTH_KINDS = tuple(k for k in AUTH_KINDS if k != "inherit")
"""A collection's own auth has no parent to inherit from."""

# The rows of the kinds other than OAuth 2.0 (which has its panel), in form order, with
# the label each kind gives them.
_ROW_LABELS = {
    "username": "Username",
    "password": "Password",
    "domain": "Domain",
    "token": "Token",
    "token_prefix": "Prefix",
    "key_name": "Key",
    "key_value": "Value",
    "key_in": "Add to",
    "consumer_key": "Consumer key",
    "consumer_secret": "Consumer secret",
    "token_secret": "Token secret",
    "realm": "Realm",
    "access_key": "Access key",
    "secret_key": "Secret key",
    "session_token": "Session token",
    "region": "Region",
    "service": "Service",
    "hawk_id": "Hawk ID",
    "hawk_key": "Hawk key",
    "hawk_algorithm": "Algorithm",
    "hawk_ext": "Ext",
}
_KIND_ROW_LABELS = {("oauth1", "token"): "Access token"}
# Rows that are not text fields (AUTH_TEXT_FIELDS lists those).
_CHOICE_ROWS = {"apikey": ("key_in",), "hawk": ("hawk_algorithm",)}
_TOOLTIPS = {
    "token_prefix": "Sent before the token: 'Bearer' by default; empty for none",
    "domain": "The Windows domain (NetBIOS name), e.g. DEMO; empty for a local account",
    "realm": "Optional: the realm put in the Authorization header (some servers need it)",
    "session_token": "Only for temporary credentials (from STS or an assumed role): "
    "sent as X-Amz-Security-Token",
    "region": "The AWS region the service runs in, e.g. us-east-1",
    "service": "The signing name of the service, e.g. s3, execute-api, es",
    "hawk_ext": "Optional application data the server can read (signed with the request)",
    "hawk_algorithm": "The MAC algorithm agreed with the server",
    "consumer_key": "The client's key (oauth_consumer_key); signed with HMAC-SHA1",
}
_NOTES = {
    "inherit": "",
    "none": "No credentials are added to the request.",
    "basic": "Sent as an Authorization: Basic header.",
    "digest": "Answered to the server's Digest challenge (one extra round trip).",
    "bearer": "Sent as an Authorization header. Use {{variables}} to keep tokens "
    "out of the request.",
    "apikey": "Sent as a header or a query parameter.",
    "oauth2": "The access token is sent as an Authorization header; it is kept per "
    "environment, never in the request file.",
    "oauth1": "Each request is signed with HMAC-SHA1 (OAuth 1.0a).",
    "awsv4": "Each request is signed with AWS Signature Version 4.",
    "hawk": "Each request carries a Hawk MAC header.",
    "ntlm": "Answered to the server's NTLM challenge (Windows authentication).",
}


def auth_summary(auth: Auth) -> str:
    """One line telling what ``auth`` sends, naming its non-secret settings and only
    whether each secret is set (never its value)."""
    parts = []
    if auth.kind == "oauth2":
        parts.append(auth.grant_type.replace("_", " "))
    for field in AUTH_TEXT_FIELDS.get(auth.kind, ()):
        value = getattr(auth, field.name)
        if field.name in SECRET_AUTH_FIELDS:
            if auth.kind != "oauth2" or field.name != "password" or auth.grant_type == "password":
                parts.append(f"{field.label}: {'set' if value else 'not set'}")
        elif value and field.name not in ("token_prefix",):
            parts.append(f"{field.label}: {value}")
    if auth.kind == "apikey":
        parts.append("in a header" if auth.key_in == "header" else "in the query")
    return "; ".join(parts)


class AuthEditor(QWidget):
    """Signals: edited: the user changed the auth settings.

    ``oauth2`` is the OAuth 2.0 panel; its token buttons are wired by the tab.
    """

    edited = Signal()

    def __init__(
        self,
        prefix: str = "rest",
        parent: QWidget | None = None,
        *,
        kinds: Sequence[str] | None = None,
    ) -> None:
        """``kinds`` restricts the kinds offered (see ``GRPC_AUTH_KINDS`` and friends)."""
        super().__init__(parent)
        self._loading = False
        self._prefix = prefix
        self._effective: tuple[Auth, str] | None = None
        self.kind = QComboBox(objectName=f"{prefix}.auth.kind")
        self._fill_kinds(kinds or AUTH_KINDS)
        self.effective = QLabel(objectName=f"{prefix}.auth.effective", wordWrap=True)
        self.effective_detail = QLabel(objectName=f"{prefix}.auth.effective_detail")
        self.effective_detail.setWordWrap(True)
        self.effective_detail.setStyleSheet("color: palette(mid)")

        self._rows: dict[str, QLineEdit | QComboBox] = {}
        for name in _ROW_LABELS:
            self._rows[name] = self._make_field(name)
        for name, widget in self._rows.items():
            setattr(self, name, widget)  # editor.username, editor.token...
        self.oauth2 = OAuth2Panel(prefix)
        self.note = QLabel(wordWrap=True, objectName=f"{prefix}.auth.note")
        self.note.setStyleSheet("color: palette(mid)")

        # In a scroll area: OAuth 2.0's code grant has a dozen rows, and the editor
        # shares its height with the response.
        page = QWidget(objectName=f"{prefix}.auth.page")
        self._form = QFormLayout(page)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._form.addRow("Type", self.kind)
        self._form.addRow(self.effective)
        self._form.addRow(self.effective_detail)
        self._labels: dict[str, QLabel] = {}
        for name, widget in self._rows.items():
            label = QLabel(_ROW_LABELS[name])
            self._labels[name] = label
            self._form.addRow(label, widget)
        self._form.addRow(self.oauth2)
        self._form.addRow(self.note)
        self._align_labels()

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.oauth2.edited.connect(self._emit_edited)
        self._mirror_shared_fields()
        self.set_auth(Auth())

    def _make_field(self, name: str) -> QLineEdit | QComboBox:
        object_name = f"{self._prefix}.auth.{name}"
        widget: QLineEdit | QComboBox
        if name == "key_in":
            widget = QComboBox(objectName=object_name)
            widget.addItem("Header", "header")
            widget.addItem("Query parameter", "query")
            widget.currentIndexChanged.connect(self._emit_edited)
        elif name == "hawk_algorithm":
            widget = QComboBox(objectName=object_name)
            widget.addItem("SHA-256", "sha256")
            widget.addItem("SHA-1", "sha1")
            widget.currentIndexChanged.connect(self._emit_edited)
        else:
            widget = (
                SecretLineEdit(object_name)
                if name in SECRET_AUTH_FIELDS
                else QLineEdit(objectName=object_name)
            )
            widget.textEdited.connect(self._emit_edited)
        if name in _TOOLTIPS:
            widget.setToolTip(_TOOLTIPS[name])
        placeholders = {"token": "{{token}}", "key_name": "X-API-Key", "region": "us-east-1"}
        if name in placeholders:
            widget.setPlaceholderText(placeholders[name])
        return widget

    def _align_labels(self) -> None:
        """One label column for the form and the OAuth 2.0 panel's (a nested form)."""
        labels: list[QLabel] = []
        for form in (self._form, self.oauth2.form):
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = item.widget() if item is not None else None
                if isinstance(label, QLabel):
                    labels.append(label)
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _mirror_shared_fields(self) -> None:
        """Username, password and prefix are one field of ``Auth`` shown in two places
        (the form and the OAuth 2.0 panel): what is typed in one shows in the other."""
        for name in ("username", "password", "token_prefix"):
            mine, theirs = self._rows[name], getattr(self.oauth2, name)
            mine.textEdited.connect(theirs.setText)
            theirs.textEdited.connect(mine.setText)

    def set_kinds(self, kinds: Sequence[str]) -> None:
        """Offer only ``kinds`` (in the usual order); the chosen one stays if offered."""
        self._fill_kinds(kinds)
        self._show_fields()

    def _fill_kinds(self, kinds: Sequence[str]) -> None:
        current = self.kind.currentData()
        self._loading = True
        try:
            self.kind.clear()
            for value in AUTH_KINDS:
                if value in kinds:
                    self.kind.addItem(KIND_LABELS[value], value)
            self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        finally:
            self._loading = False

    def set_auth(self, auth: Auth) -> None:
        self._loading = True
        try:
            index = self.kind.findData(auth.kind)
            self.kind.setCurrentIndex(index if index >= 0 else max(0, self.kind.findData("none")))
            for name, widget in self._rows.items():
                value = getattr(auth, name)
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(max(0, widget.findData(value)))
                elif isinstance(widget, SecretLineEdit):
                    widget.set_secret(value)
                else:
                    widget.setText(value)
            self.oauth2.set_auth(auth)
        finally:
            self._loading = False
        self._show_fields()

    def auth(self) -> Auth:
        values: dict[str, object] = {"kind": self.kind.currentData()}
        for name, widget in self._rows.items():
            values[name] = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        values.update(self.oauth2.values())
        return Auth.model_validate(values)

    def show_effective(self, auth: Auth, source: str) -> None:
        """What "Inherit from parent" sends: ``auth`` from ``source`` (e.g. "folder
        'Playlists'"; "" when nothing up the tree sets one)."""
        self._effective = (auth, source)
        self._show_fields()

    def _show_effective(self) -> None:
        inherit = self.kind.currentData() == "inherit"
        if not inherit:
            self.effective.setText("")
            self.effective_detail.setText("")
        elif self._effective is None or not self._effective[1]:
            self.effective.setText(
                "Nothing to inherit: no folder or the collection sets auth, so none is sent."
            )
            self.effective_detail.setText("")
        else:
            auth, source = self._effective
            self.effective.setText(
                f"Inherited from {source}: <b>{KIND_LABELS.get(auth.kind, auth.kind)}</b>"
            )
            self.effective_detail.setText(auth_summary(auth))
        self._form.setRowVisible(self.effective, inherit)
        self._form.setRowVisible(
            self.effective_detail, inherit and bool(self.effective_detail.text())
        )

    def _show_fields(self) -> None:
        kind = self.kind.currentData() or "none"
        shown = (
            set()
            if kind == "oauth2"
            else {f.name for f in AUTH_TEXT_FIELDS.get(kind, ())} | set(_CHOICE_ROWS.get(kind, ()))
        )
        for name, widget in self._rows.items():
            self._form.setRowVisible(widget, name in shown)
            self._labels[name].setText(_KIND_ROW_LABELS.get((kind, name), _ROW_LABELS[name]))
        # An inherited OAuth 2.0 keeps its token box here: the token is got per request
        # tab, and a code grant's needs a click.
        inherited = self._effective is not None and self._effective[0].kind == "oauth2"
        with_token = kind == "oauth2" or (kind == "inherit" and inherited)
        self._form.setRowVisible(self.oauth2, with_token)
        self.oauth2.setVisible(with_token)
        self.oauth2.show_settings(kind == "oauth2")
        self.note.setText(_NOTES.get(kind, ""))
        self._form.setRowVisible(self.note, bool(_NOTES.get(kind)))
        self._show_effective()

    def _on_kind_changed(self) -> None:
        if self._loading:
            return
        self._show_fields()
        self._emit_edited()

    def _emit_edited(self) -> None:
        if not self._loading:
            self.edited.emit()
