"""Per-request connection settings shared by the HTTP-based tabs (REST, batch, SOAP,
GraphQL): timeouts, redirects, TLS, HTTP/2, proxy and cookies, in one group each.

Every control is named ``<prefix>.settings.<field>`` after its ``RequestSettings`` field.
The editor keeps the request's settings it was given and changes only what the person
edited, so a value a spin box cannot show exactly (more decimals, out of its range)
comes back unchanged when nobody touched it.

The read and connect timeouts, certificate verification and the proxy can be left at
"App default" (a timeout at 0): each says which value that stands for (the app's
preferences, File > Settings…) and follows a change of them at once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.connection_defaults import ConnectionDefaults, effective_settings
from apiclient.core.models import RequestSettings
from apiclient.core.preferences import Preferences, proxy_url_problem
from apiclient.ui import dialogs
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.page_warning import mark_page
from apiclient.ui.widgets.seconds_spin_box import SecondsSpinBox
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

_TLS_WARNING = (
    "⚠ Certificates are not checked: anyone on the network path could read or change this request."
)
_TLS_WARNING_INHERITED = _TLS_WARNING.replace(
    "not checked:", "not checked (the app's default, File > Settings…):"
)
CA_FILTER = "CA bundles (*.pem *.crt *.cer);;All files (*)"
PROXY_MODES = (
    ("system", "System", "Use the system's proxy (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY)"),
    ("none", "None", "Connect directly, even when the system names a proxy"),
    ("custom", "Custom", "Use the proxy below"),
)
"""The concrete proxy modes (the Settings dialog's too); a request also has "default"."""
_PROXY_DEFAULTS = {"system": "system proxy", "none": "no proxy", "custom": "custom proxy"}
_PROXY_NOTES = {
    "system": "Uses the proxy the system names (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY"
    " and NO_PROXY); none named: a direct connection.",
    "none": "Connects directly, whatever the system says.",
}
_FROM_SETTINGS = "The app's default (File > Settings…)"


def proxy_problem(settings: RequestSettings) -> str:
    """What is wrong with a custom proxy, in a sentence; ``""`` when nothing is (or the
    URL is a ``{{variable}}``, checked once resolved)."""
    if settings.proxy != "custom":
        return ""
    url = settings.proxy_url.strip()
    if url and _holds_password(url):
        return (
            "Put the password in the Password field (and the user in Username): the URL "
            "is saved in clear text, in the request file and the history."
        )
    return proxy_url_problem(url)


def _holds_password(url: str) -> bool:
    """Whether ``url`` spells out a password (``http://user:pass@host``); one given as a
    ``{{variable}}`` is left to the variable, which may be secret."""
    password = urlsplit(url).password
    return password is not None and password != "" and not password.startswith("{{")


def _seconds(name: str, tooltip: str) -> SecondsSpinBox:
    spin = SecondsSpinBox(name)
    spin.setToolTip(tooltip)
    return spin


_INHERITING = ("connect_timeout_s", "timeout_s")  # spin boxes whose 0 is "App default"


def _shown_seconds(setting: float | None) -> float:
    """A timeout setting in its spin box: 0 ("App default") for None, and a value of its
    own never below the box's 1 ms, which would round to 0 and read as the default."""
    return 0.0 if setting is None else max(setting, 0.001)


def _inherited(seconds: float) -> float | None:
    """A timeout spin box's value as a setting: 0 is "App default"."""
    return None if seconds == 0 else seconds


class SettingsEditor(QWidget):
    """Edits one ``RequestSettings``.

    Signals:
        edited: the user changed a setting.
        verify_changed(bool): certificate verification is now on (True) or off, whether
            the user switched it or another request was shown.
    """

    edited = Signal()
    verify_changed = Signal(bool)

    def __init__(self, prefix: str = "rest", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._settings = RequestSettings()
        self._shown: dict[str, float | int] = {}  # the spin boxes' values as loaded
        holder = app_preferences()
        self._defaults = holder.current.connection_defaults()
        name = f"{prefix}.settings"

        self.connect_timeout = _seconds(
            f"{name}.connect_timeout",
            "How long to wait for the connection to open; 0 is the App default, the"
            " connect timeout set in File > Settings…",
        )
        self.timeout = _seconds(
            f"{name}.timeout",
            "How long to wait for each read (or write) of data; 0 is the App default, the"
            " read timeout set in File > Settings…",
        )
        self.total_timeout = _seconds(
            f"{name}.total_timeout", "A limit on the whole exchange, redirects included"
        )
        self.total_timeout.setSpecialValueText("None")
        self.follow_redirects = QCheckBox("Follow redirects", objectName=f"{name}.follow_redirects")
        self.follow_redirects.setToolTip("Follow 3xx answers to their Location")
        self.max_redirects = QSpinBox(objectName=f"{name}.max_redirects")
        self.max_redirects.setRange(0, 1000)
        self.max_redirects.setToolTip("Stop with an error after this many redirects in a row")
        self.keep_method = QCheckBox(
            "Keep the method and body on 301/302", objectName=f"{name}.keep_method"
        )
        self.keep_method.setToolTip(
            "Re-send a POST as a POST after a 301 or 302 (as curl's --post301/--post302);"
            " off, it becomes a GET as browsers do. A 303 always becomes a GET."
        )

        self.verify_tls = QComboBox(objectName=f"{name}.verify_tls")
        for label, value in (("", None), ("Verify", True), ("Don't verify", False)):
            self.verify_tls.addItem(label, value)
        self.verify_tls.setToolTip(
            "Check that the server's certificate is valid and issued for its name; App"
            " default does as File > Settings… says"
        )
        self.ca_file = QLineEdit(objectName=f"{name}.ca_file")
        self.ca_file.setPlaceholderText("PEM bundle (empty: the system's CAs)")
        self.ca_file.setToolTip(
            "Trust the CAs in this PEM file instead of the system's, e.g. a company CA"
            " or a test CA. {{variables}} are resolved."
        )
        self.ca_browse = QPushButton("Browse…", objectName=f"{name}.ca_file.browse")
        self.ca_browse.setToolTip("Choose the CA bundle file")
        self.tls_warning = QLabel(_TLS_WARNING, wordWrap=True, objectName=f"{name}.tls_warning")
        themed_style(self.tls_warning, "color: $error")

        self.http2 = QCheckBox("Use HTTP/2 when the server offers it", objectName=f"{name}.http2")
        self.http2.setToolTip(
            "HTTP/2 is negotiated by ALPN during the TLS handshake, so only over https://;"
            " a server that does not offer it is spoken to in HTTP/1.1"
        )
        self.send_cookies = QCheckBox("Send and store cookies", objectName=f"{name}.send_cookies")
        self.send_cookies.setToolTip(
            "Send the environment's cookies for this URL and keep the ones the server sets;"
            " off, the request goes without cookies and nothing is stored"
        )

        self.proxy = QComboBox(objectName=f"{name}.proxy")
        self.proxy.addItem("", "default")
        self.proxy.setItemData(
            0, "Use the proxy set in File > Settings…", Qt.ItemDataRole.ToolTipRole
        )
        for value, label, tip in PROXY_MODES:
            self.proxy.addItem(label, value)
            self.proxy.setItemData(self.proxy.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.proxy.setToolTip("Which proxy the request goes through")
        self.proxy_url = QLineEdit(objectName=f"{name}.proxy_url")
        self.proxy_url.setPlaceholderText("http://proxy.local:3128  or  socks5://127.0.0.1:1080")
        self.proxy_url.setToolTip(
            "The proxy's URL: http://, https:// or socks5://. Put its user and password in "
            "the fields below, not in the URL: the URL is saved in clear text"
        )
        self.proxy_username = QLineEdit(objectName=f"{name}.proxy_username")
        self.proxy_username.setPlaceholderText("(none)")
        self.proxy_username.setToolTip("User name for the proxy, if it asks for one")
        self.proxy_password = SecretLineEdit(f"{name}.proxy_password")
        self.proxy_password.setToolTip(
            "The proxy's password; kept in the secret store, never in the request file"
        )
        self.no_proxy = QLineEdit(objectName=f"{name}.no_proxy")
        self.no_proxy.setPlaceholderText("localhost, 127.0.0.1, internal.example.com")
        self.no_proxy.setToolTip(
            "Hosts reached directly, comma-separated: a name such as example.com (or"
            " .example.com, *.example.com) covers the domain and its subdomains; IP"
            " addresses match exactly; add :port to limit an entry to one port"
        )
        self.proxy_note = QLabel(wordWrap=True, objectName=f"{name}.proxy_note")
        self.proxy_note.setStyleSheet("color: palette(mid)")
        self.proxy_problem = QLabel(wordWrap=True, objectName=f"{name}.proxy_problem")
        themed_style(self.proxy_problem, "color: $error")

        self._lay_out()
        for spin in (self.connect_timeout, self.timeout, self.total_timeout, self.max_redirects):
            spin.valueChanged.connect(self._on_edited)
        for box in (self.keep_method, self.http2, self.send_cookies):
            box.toggled.connect(self._on_edited)
        for line in (
            self.ca_file,
            self.proxy_url,
            self.proxy_username,
            self.proxy_password,
            self.no_proxy,
        ):
            line.textEdited.connect(self._on_edited)
        self.proxy_url.textEdited.connect(self._show_proxy)
        self.follow_redirects.toggled.connect(self._on_follow_toggled)
        self.verify_tls.currentIndexChanged.connect(self._on_verify_changed)
        self.proxy.currentIndexChanged.connect(self._on_proxy_changed)
        self.ca_browse.clicked.connect(self._on_ca_browse_clicked)
        holder.changed.connect(self._on_preferences_changed)
        self._show_defaults()
        self.set_settings(RequestSettings())

    def _lay_out(self) -> None:
        timeouts = QGroupBox("Timeouts")
        form = QFormLayout(timeouts)
        form.addRow("Connect", self.connect_timeout)
        form.addRow("Read", self.timeout)
        form.addRow("Total", self.total_timeout)

        redirects = QGroupBox("Redirects")
        form = QFormLayout(redirects)
        form.addRow(self.follow_redirects)
        form.addRow("At most", self.max_redirects)
        form.addRow(self.keep_method)

        http = QGroupBox("HTTP and cookies")
        column = QVBoxLayout(http)
        column.addWidget(self.http2)
        column.addWidget(self.send_cookies)

        tls = QGroupBox("TLS")
        form = QFormLayout(tls)
        form.addRow("Certificates", self.verify_tls)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_browse)
        form.addRow("CA file", ca_row)
        form.addRow(self.tls_warning)

        proxy = QGroupBox("Proxy")
        self._proxy_form = QFormLayout(proxy)
        self._proxy_form.addRow("Proxy", self.proxy)
        self._proxy_form.addRow(self.proxy_note)
        self._proxy_form.addRow("URL", self.proxy_url)
        self._proxy_form.addRow("Username", self.proxy_username)
        self._proxy_form.addRow("Password", self.proxy_password)
        self._proxy_form.addRow("No proxy for", self.no_proxy)
        self._proxy_form.addRow(self.proxy_problem)

        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(timeouts, 0, 0)
        grid.addWidget(redirects, 1, 0)
        grid.addWidget(http, 2, 0)
        grid.addWidget(tls, 0, 1)
        grid.addWidget(proxy, 1, 1, 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(3, 1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def set_settings(self, settings: RequestSettings) -> None:
        """Show ``settings``; emits ``verify_changed``, not ``edited``."""
        self._loading = True
        try:
            self._settings = settings
            self.connect_timeout.setValue(_shown_seconds(settings.connect_timeout_s))
            self.timeout.setValue(_shown_seconds(settings.timeout_s))
            self.total_timeout.setValue(settings.total_timeout_s)
            self.follow_redirects.setChecked(settings.follow_redirects)
            self.max_redirects.setValue(settings.max_redirects)
            self.keep_method.setChecked(settings.keep_method)
            self.verify_tls.setCurrentIndex(self.verify_tls.findData(settings.verify_tls))
            self.ca_file.setText(settings.ca_file)
            self.http2.setChecked(settings.http2)
            self.proxy.setCurrentIndex(max(0, self.proxy.findData(settings.proxy)))
            self.proxy_url.setText(settings.proxy_url)
            self.proxy_username.setText(settings.proxy_username)
            self.proxy_password.set_secret(settings.proxy_password)
            self.no_proxy.setText(settings.no_proxy)
            self.send_cookies.setChecked(settings.send_cookies)
        finally:
            self._loading = False
        self._shown = self._spin_values()
        self._show_redirects()
        self._show_proxy()
        self._show_tls_warning()

    def settings(self) -> RequestSettings:
        """The settings as shown; a number nobody changed keeps its exact loaded value,
        a timeout at 0 is the App default."""
        spins: dict[str, float | int | None] = {
            field: _inherited(value) if field in _INHERITING else value
            for field, value in self._spin_values().items()
            if value != self._shown.get(field)
        }
        return self._settings.model_copy(
            update={
                **spins,
                "follow_redirects": self.follow_redirects.isChecked(),
                "keep_method": self.keep_method.isChecked(),
                "verify_tls": self.verify_tls.currentData(),
                "ca_file": self.ca_file.text().strip(),
                "http2": self.http2.isChecked(),
                "proxy": self.proxy.currentData(),
                "proxy_url": self.proxy_url.text().strip(),
                "proxy_username": self.proxy_username.text(),
                "proxy_password": self.proxy_password.text(),
                "no_proxy": self.no_proxy.text().strip(),
                "send_cookies": self.send_cookies.isChecked(),
            }
        )

    def _spin_values(self) -> dict[str, float | int]:
        return {
            "connect_timeout_s": self.connect_timeout.value(),
            "timeout_s": self.timeout.value(),
            "total_timeout_s": self.total_timeout.value(),
            "max_redirects": self.max_redirects.value(),
        }

    @asyncSlot()
    async def _on_ca_browse_clicked(self) -> None:
        path = await dialogs.open_file(self, "Choose the CA bundle", self.ca_file.text(), CA_FILTER)
        if path:
            self.ca_file.setText(path)
            self._on_edited()

    def _on_follow_toggled(self) -> None:
        self._show_redirects()
        self._on_edited()

    def _on_proxy_changed(self) -> None:
        self._show_proxy()
        self._on_edited()

    def _on_verify_changed(self) -> None:
        self._show_tls_warning()
        self._on_edited()

    def _on_preferences_changed(self, preferences: Preferences) -> None:
        self._defaults = preferences.connection_defaults()
        self._show_defaults()
        self._show_proxy()
        self._show_tls_warning()

    def _on_edited(self) -> None:
        if not self._loading:
            self.edited.emit()

    def _show_redirects(self) -> None:
        follow = self.follow_redirects.isChecked()
        self.max_redirects.setEnabled(follow)
        self.keep_method.setEnabled(follow)

    def _show_defaults(self) -> None:
        """Say in each "App default" choice which value it stands for now."""
        defaults = self._defaults
        self.connect_timeout.setSpecialValueText(f"App default ({defaults.connect_timeout_s:g} s)")
        self.timeout.setSpecialValueText(f"App default ({defaults.timeout_s:g} s)")
        verify = "verify" if defaults.verify_tls else "don't verify"
        self.verify_tls.setItemText(0, f"App default ({verify})")
        proxy = _PROXY_DEFAULTS.get(defaults.proxy, defaults.proxy)
        self.proxy.setItemText(0, f"App default ({proxy})")

    def _effective(self) -> RequestSettings:
        """What the shown choices mean with the app's defaults filled in."""
        shown = RequestSettings(
            verify_tls=self.verify_tls.currentData(), proxy=self.proxy.currentData()
        )
        return effective_settings(shown, self._defaults)

    def _show_proxy(self) -> None:
        mode = self.proxy.currentData()
        effective = self._effective().proxy
        for field in (self.proxy_url, self.no_proxy):
            self._proxy_form.setRowVisible(field, mode == "custom")
        for field in (self.proxy_username, self.proxy_password):
            self._proxy_form.setRowVisible(field, effective == "custom")
        note = _PROXY_NOTES.get(effective, "")
        if mode == "default":
            said = note or _custom_note(self._defaults)
            note = f"{_FROM_SETTINGS}: {said[0].lower()}{said[1:]}"
        self.proxy_note.setText(note)
        self._proxy_form.setRowVisible(self.proxy_note, bool(note))
        problem = proxy_problem(
            RequestSettings(proxy=mode, proxy_url=self.proxy_url.text())  # type: ignore[arg-type]
        )
        self.proxy_problem.setText(problem)
        self._proxy_form.setRowVisible(self.proxy_problem, bool(problem))

    def _show_tls_warning(self) -> None:
        verified = bool(self._effective().verify_tls)
        self.ca_file.setEnabled(verified)  # nothing is checked against it while off
        self.ca_browse.setEnabled(verified)
        inherited = self.verify_tls.currentData() is None
        self.tls_warning.setText(_TLS_WARNING_INHERITED if inherited else _TLS_WARNING)
        self.tls_warning.setVisible(not verified)
        mark_page(self, "" if verified else _TLS_WARNING)
        self.verify_changed.emit(verified)


def _custom_note(defaults: ConnectionDefaults) -> str:
    """The app's custom proxy in a sentence; its user and password are each request's."""
    bypass = f", except for {defaults.no_proxy}" if defaults.no_proxy else ""
    return (
        f"Goes through the proxy {defaults.proxy_url}{bypass}. A user and password for it go below."
    )
