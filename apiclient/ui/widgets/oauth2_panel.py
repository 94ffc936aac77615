"""The OAuth 2.0 part of the Auth editor: the grant's settings, the current token and
its buttons.

The panel does no HTTP: its buttons emit signals, and the tab (which owns an engine)
gets, refreshes or clears the token and tells the panel what to show. Fields are named
``<prefix>.auth.<field>`` like the rest of the editor, except username, password and
prefix, which the form of the other kinds also has: here they are
``<prefix>.auth.oauth2.<field>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from apiclient.core.models import OAUTH2_DEFAULT_REDIRECT, Auth
from apiclient.ui.theme import themed_style, themed_text, tone_span
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

if TYPE_CHECKING:
    from apiclient.core.oauth2_tokens import OAuth2Token

_GRANTS = [
    ("client_credentials", "Client credentials"),
    ("password", "Password"),
    ("authorization_code", "Authorization code (PKCE)"),
]
_TEXT_FIELDS = ("token_url", "auth_url", "redirect_uri", "client_id", "scope")
_EXPIRY_TICK_MS = 1000  # a label's text: cheap, and a short-lived token is seen to expire


def mask_token(token: str) -> str:
    """The token's first and last characters, enough to tell two tokens apart."""
    if len(token) <= 12:
        return "•" * 8
    return f"{token[:4]}…{token[-4:]}"


class OAuth2Panel(QWidget):
    """Signals:
    edited: a setting changed.
    token_requested: Get new token was clicked.
    refresh_requested: Refresh was clicked.
    clear_requested: Clear was clicked.
    cancel_requested: Cancel was clicked while a token was being fetched.
    """

    edited = Signal()
    token_requested = Signal()
    refresh_requested = Signal()
    clear_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, prefix: str = "rest", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._token: OAuth2Token | None = None
        name = f"{prefix}.auth"
        self.grant_type = QComboBox(objectName=f"{name}.grant_type")
        for value, label in _GRANTS:
            self.grant_type.addItem(label, value)
        self.token_url = QLineEdit(objectName=f"{name}.token_url")
        self.token_url.setPlaceholderText("https://auth.example.com/oauth2/token")
        self.auth_url = QLineEdit(objectName=f"{name}.auth_url")
        self.auth_url.setPlaceholderText("https://auth.example.com/oauth2/authorize")
        self.redirect_uri = QLineEdit(objectName=f"{name}.redirect_uri")
        self.redirect_uri.setToolTip(
            "Where the browser comes back with the code: a listener on 127.0.0.1 waits "
            "there while you sign in. Register this exact URI with the server."
        )
        self.client_id = QLineEdit(objectName=f"{name}.client_id")
        self.client_secret = SecretLineEdit(f"{name}.client_secret")
        self.client_secret.setToolTip("Empty for a public client (the code grant with PKCE)")
        self.scope = QLineEdit(objectName=f"{name}.scope", placeholderText="read write")
        self.scope.setToolTip("Space-separated scopes; empty for the server's default")
        self.username = QLineEdit(objectName=f"{name}.oauth2.username")
        self.password = SecretLineEdit(f"{name}.oauth2.password")
        self.pkce = QCheckBox("Use PKCE (S256)", objectName=f"{name}.pkce")
        self.client_auth = QComboBox(objectName=f"{name}.client_auth")
        self.client_auth.addItem("Basic auth header", "header")
        self.client_auth.addItem("In the request body", "body")
        self.client_auth.setToolTip(
            "How the client ID and secret reach the token endpoint: an Authorization: "
            "Basic header (client_secret_basic) or form fields (client_secret_post)"
        )
        self.token_prefix = QLineEdit(objectName=f"{name}.oauth2.token_prefix")
        self.token_prefix.setToolTip("Sent before the token: 'Bearer' by default")

        self.settings = QWidget(objectName=f"{name}.oauth2.settings")
        self.form = QFormLayout(self.settings)
        self.form.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("Grant type", self.grant_type),
            ("Token URL", self.token_url),
            ("Authorization URL", self.auth_url),
            ("Redirect URI", self.redirect_uri),
            ("Client ID", self.client_id),
            ("Client secret", self.client_secret),
            ("Scope", self.scope),
            ("Username", self.username),
            ("Password", self.password),
            ("", self.pkce),
            ("Client authentication", self.client_auth),
            ("Token prefix", self.token_prefix),
        ):
            self.form.addRow(label, widget)

        self.token_box = QFrame(objectName=f"{name}.oauth2.token_box")
        self.token_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.status = QLabel(objectName=f"{name}.oauth2.status", wordWrap=True)
        self.expiry = QLabel(objectName=f"{name}.oauth2.expiry")
        self.token_scope = QLabel(objectName=f"{name}.oauth2.scope", wordWrap=True)
        self.token_scope.setStyleSheet("color: palette(mid)")
        self.error = QLabel(objectName=f"{name}.oauth2.error", wordWrap=True, visible=False)
        themed_style(self.error, "color: $error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        # Selectable: it may hold the sign-in address to open by hand.
        self.error.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.get_token = QPushButton("Get new token", objectName=f"{name}.oauth2.get_token")
        self.refresh = QPushButton("Refresh", objectName=f"{name}.oauth2.refresh")
        self.clear = QPushButton("Clear", objectName=f"{name}.oauth2.clear")
        self.cancel = QPushButton("Cancel", objectName=f"{name}.oauth2.cancel", visible=False)
        buttons = QHBoxLayout()
        for button in (self.get_token, self.refresh, self.clear, self.cancel):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.token_box)
        box.addWidget(self.status)
        box.addWidget(self.expiry)
        box.addWidget(self.token_scope)
        box.addWidget(self.error)
        box.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.settings)
        layout.addWidget(self.token_box)

        self._tick = QTimer(self, interval=_EXPIRY_TICK_MS)
        self._tick.timeout.connect(self._show_expiry)
        self.grant_type.currentIndexChanged.connect(self._on_grant_changed)
        for line in (*(getattr(self, f) for f in _TEXT_FIELDS), self.client_secret):
            line.textEdited.connect(self._emit_edited)
        for line in (self.username, self.password, self.token_prefix):
            line.textEdited.connect(self._emit_edited)
        self.pkce.toggled.connect(self._emit_edited)
        self.client_auth.currentIndexChanged.connect(self._emit_edited)
        self.get_token.clicked.connect(self.token_requested)
        self.refresh.clicked.connect(self.refresh_requested)
        self.clear.clicked.connect(self.clear_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.show_token(None)
        self._show_grant_fields()

    # -- settings -----------------------------------------------------------------------

    def set_auth(self, auth: Auth) -> None:
        self._loading = True
        try:
            self.grant_type.setCurrentIndex(max(0, self.grant_type.findData(auth.grant_type)))
            for name in _TEXT_FIELDS:
                getattr(self, name).setText(getattr(auth, name))
            self.client_secret.set_secret(auth.client_secret)
            self.username.setText(auth.username)
            self.password.set_secret(auth.password)
            self.token_prefix.setText(auth.token_prefix)
            self.pkce.setChecked(auth.pkce)
            self.client_auth.setCurrentIndex(max(0, self.client_auth.findData(auth.client_auth)))
        finally:
            self._loading = False
        self._show_grant_fields()

    def values(self) -> dict[str, object]:
        """The ``Auth`` fields only this panel edits, as typed (the editor mirrors the
        shared ones, username, password and prefix, into its own form)."""
        values: dict[str, object] = {name: getattr(self, name).text() for name in _TEXT_FIELDS}
        values["redirect_uri"] = values["redirect_uri"] or OAUTH2_DEFAULT_REDIRECT
        values.update(
            grant_type=self.grant_type.currentData(),
            client_secret=self.client_secret.text(),
            pkce=self.pkce.isChecked(),
            client_auth=self.client_auth.currentData(),
        )
        return values

    def show_settings(self, shown: bool) -> None:
        """Show the grant's settings (hidden when they are a folder's, inherited: the
        token box then acts on the inherited settings)."""
        self.settings.setVisible(shown)

    def _on_grant_changed(self) -> None:
        self._show_grant_fields()
        self._emit_edited()

    def _show_grant_fields(self) -> None:
        grant = self.grant_type.currentData()
        code, password = grant == "authorization_code", grant == "password"
        for widget, shown in (
            (self.auth_url, code),
            (self.redirect_uri, code),
            (self.pkce, code),
            (self.username, password),
            (self.password, password),
        ):
            self.form.setRowVisible(widget, shown)

    def _emit_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    # -- the token ----------------------------------------------------------------------

    def show_token(self, token: OAuth2Token | None) -> None:
        """Show ``token`` (None: there is none yet); ends a fetch and its error."""
        self._token = token
        self.error.setVisible(False)
        self.cancel.setVisible(False)
        self.get_token.setEnabled(True)
        if token is None:
            self.status.setText("No token yet")
            self.token_scope.setText("")
        else:
            kind = token.token_type or "Bearer"
            self.status.setText(f"{kind} token <code>{mask_token(token.access_token)}</code>")
            self.token_scope.setText(f"Scope: {token.scope}" if token.scope else "")
        self.token_scope.setVisible(bool(self.token_scope.text()))
        self.clear.setEnabled(token is not None)
        self._show_expiry()
        self._update_tick()

    @property
    def token(self) -> OAuth2Token | None:
        return self._token

    def show_fetching(self, text: str, *, cancellable: bool) -> None:
        """A token is being fetched: say so (e.g. "Waiting for the browser…")."""
        self.error.setVisible(False)
        self.status.setText(text)
        self.get_token.setEnabled(False)
        self.refresh.setEnabled(False)
        self.cancel.setVisible(cancellable)

    def show_error(self, text: str) -> None:
        """The fetch failed: ``text`` in red under the token, which stays as it was."""
        self.show_token(self._token)
        self.error.setText(text)
        self.error.setVisible(True)

    def show_browser_failed(self, url: str) -> None:
        """No browser could be opened for the sign-in: say so, with ``url`` to copy into
        one by hand, while still waiting for its answer (Cancel stays)."""
        self.error.setText(
            "No web browser could be opened. To sign in, copy this address into a browser "
            f"(or set a default browser and click Get new token again):\n{url}"
        )
        self.error.setVisible(True)

    def _show_expiry(self) -> None:
        token = self._token
        if token is None:
            self.expiry.setText("")
            self.refresh.setEnabled(False)
            self.refresh.setDefault(False)
            return
        expired = token.expired()
        text = token.expires_in_text()
        if expired:
            themed_text(
                self.expiry,
                lambda: tone_span(f"<b>{text}</b>: click Refresh or Get new token", "error"),
            )
        else:
            self.expiry.setText(text)
        self.refresh.setEnabled(bool(token.refresh_token))
        # Shown prominently when it is what the user needs next.
        self.refresh.setDefault(expired and bool(token.refresh_token))

    def _update_tick(self) -> None:
        if self._token is not None and self._token.expires_at is not None and self.isVisible():
            self._tick.start()
        else:
            self._tick.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_expiry()
        self._update_tick()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._tick.stop()
