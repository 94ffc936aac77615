"""The cookie manager's form: one cookie's fields, for adding one or editing one."""

from __future__ import annotations

from http.cookiejar import Cookie

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLineEdit

from apiclient.core.cookie_store import (
    edited_cookie,
    expiry_text,
    is_http_only,
    new_cookie,
    parse_expiry,
)


class CookieForm(QGroupBox):
    """Domain, name, value, path, expiry, Secure and HttpOnly of one cookie.

    Editing keeps the domain and name (they say which cookie it is); adding asks for all.
    """

    def __init__(self) -> None:
        super().__init__(objectName="cookies.form")
        self.domain = QLineEdit(objectName="cookies.form.domain")
        self.domain.setPlaceholderText("api.example.com, or .example.com with its subdomains")
        self.name = QLineEdit(objectName="cookies.form.name")
        self.value = QLineEdit(objectName="cookies.form.value")
        self.path = QLineEdit("/", objectName="cookies.form.path")
        self.expires = QLineEdit(objectName="cookies.form.expires")
        self.expires.setPlaceholderText("Empty for a session cookie, or 2030-12-31 23:59 (UTC)")
        self.secure = QCheckBox("Secure (HTTPS only)", objectName="cookies.form.secure")
        self.http_only = QCheckBox("HttpOnly", objectName="cookies.form.http_only")
        self.rows = layout = QFormLayout(self)
        layout.addRow("Domain", self.domain)
        layout.addRow("Name", self.name)
        layout.addRow("Value", self.value)
        layout.addRow("Path", self.path)
        layout.addRow("Expires", self.expires)
        layout.addRow("", self.secure)
        layout.addRow("", self.http_only)
        self.editing: Cookie | None = None

    def start_new(self, domain: str = "") -> None:
        self.editing = None
        self.setTitle("New cookie")
        self._fill(domain, "", "", "/", "", secure=False, http_only=False)
        (self.name if domain else self.domain).setFocus()

    def start_edit(self, cookie: Cookie) -> None:
        self.editing = cookie
        self.setTitle(f"Edit cookie {cookie.name}")
        self._fill(
            cookie.domain,
            cookie.name,
            cookie.value or "",
            cookie.path,
            expiry_text(cookie),
            secure=cookie.secure,
            http_only=is_http_only(cookie),
        )
        self.value.setFocus()

    def cookie(self) -> Cookie:
        """The cookie the form describes; ``ValueError`` says what to correct."""
        made = new_cookie(
            domain=self.domain.text(),
            name=self.name.text(),
            value=self.value.text(),
            path=self.path.text(),
            expires=parse_expiry(self.expires.text()),
            secure=self.secure.isChecked(),
            http_only=self.http_only.isChecked(),
        )
        return made if self.editing is None else edited_cookie(self.editing, made)

    def _fill(
        self,
        domain: str,
        name: str,
        value: str,
        path: str,
        expires: str,
        *,
        secure: bool,
        http_only: bool,
    ) -> None:
        editing = self.editing is not None
        self.domain.setText(domain)
        self.name.setText(name)
        self.domain.setReadOnly(editing)
        self.name.setReadOnly(editing)
        self.value.setText(value)
        self.path.setText(path)
        self.expires.setText(expires)
        self.secure.setChecked(secure)
        self.http_only.setChecked(http_only)
