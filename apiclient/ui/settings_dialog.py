"""File > Settings… (Ctrl+,): the app's preferences, in three groups.

Appearance (theme, font size, editor tab width) applies to the whole app once saved;
the request defaults (timeouts, TLS verification, proxy) apply to every request whose
Settings tab leaves that field at "App default", open ones included, from their next
send; History is how many sent requests are kept.

Save writes through the holder (``AppPreferences.save``, in a worker) and closes only
once the file is written; a failure is shown in the dialog, which stays open with what
was typed. Input that cannot be saved (a custom proxy without a usable URL) disables
Save and says why next to the field. Restore defaults only fills the form. While a save
runs, Cancel, Esc and closing the window wait for it: the dialog is deleted once
closed, and a save finishing on a deleted dialog would crash.
"""

from __future__ import annotations

from itertools import pairwise

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.errors import StoreError
from apiclient.core.preferences import Preferences, preferences_path, proxy_problem
from apiclient.ui.app_preferences import AppPreferences
from apiclient.ui.saving_dialog import SavingDialog
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.seconds_spin_box import SecondsSpinBox
from apiclient.ui.widgets.settings_editor import PROXY_MODES

THEMES = (
    ("system", "Follow the system"),
    ("light", "Light"),
    ("dark", "Dark"),
)
_APP_DEFAULT = (
    "Used by every request whose Settings tab says App default; a request can set its own."
)
_ERROR_STYLE = (
    "QLabel { background: $removed; color: $error; border: 1px solid $error;"
    " border-radius: 4px; padding: 6px; }"
)


def _describe(widget: QWidget, name: str, tooltip: str) -> None:
    """Give ``widget`` what a screen reader says (``name``) and what hovering shows."""
    widget.setAccessibleName(name)
    widget.setToolTip(tooltip)


def _error_label(name: str) -> QLabel:
    label = QLabel(objectName=name, wordWrap=True, visible=False)
    themed_style(label, _ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SettingsDialog(SavingDialog):
    """Edits the app's :class:`Preferences` held by ``holder``. Named
    ``settings.dialog``; its fields ``settings.<field>``, its buttons ``settings.save``,
    ``settings.cancel`` and ``settings.defaults``, failures ``settings.error``."""

    def __init__(self, holder: AppPreferences, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="settings.dialog")
        self.setWindowTitle("Settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._holder = holder
        self._shown = Preferences()  # what set_preferences showed (exact float values)
        self._shown_seconds = (0.0, 0.0)  # the timeouts' spin boxes as it showed them
        # Labels measure their new text once events run: fit the height after that.
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_height)

        self.problem = _error_label("settings.problem")
        self.problem.setAccessibleName("Problem with the saved settings")
        self._build_fields()
        self.error = _error_label("settings.error")
        self.error.setAccessibleName("Why the settings were not saved")

        buttons = QDialogButtonBox()
        self.save = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setObjectName("settings.save")
        self.save.setDefault(True)
        self.cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setObjectName("settings.cancel")
        self.cancel.setToolTip("Close without saving; what was saved before stays")
        self.defaults = buttons.addButton(
            "Restore &defaults", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.defaults.setObjectName("settings.defaults")
        self.defaults.setToolTip(
            "Fill the form with the built-in settings; nothing changes until you Save"
        )
        self.defaults.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        self.save.clicked.connect(self._on_save_clicked)
        self.defaults.clicked.connect(self._on_defaults_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self._appearance_group())
        layout.addWidget(self._requests_group())
        layout.addWidget(self._history_group())
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._set_tab_order()

        self.proxy.currentIndexChanged.connect(self._on_proxy_changed)
        self.proxy_url.textChanged.connect(self._validate)
        self.show_problem(holder.problem)
        self.set_preferences(holder.current)
        self.resize(560, self.height())

    # -- building ------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.theme = QComboBox(objectName="settings.theme")
        for value, label in THEMES:
            self.theme.addItem(label, value)
        _describe(
            self.theme,
            "Theme",
            "The colours of the whole window: light or dark as the system is set, or always"
            " light, or always dark. Applies to every window once saved.",
        )
        self.font_size = QSpinBox(objectName="settings.font_size")
        self.font_size.setRange(0, 48)
        self.font_size.setSuffix(" pt")
        self.font_size.setSpecialValueText("System default")
        _describe(
            self.font_size,
            "Font size",
            "The size of the text in the whole app, editors included, in points."
            " System default (0) keeps the size the system uses. Applies once saved.",
        )
        self.tab_width = QSpinBox(objectName="settings.tab_width")
        self.tab_width.setRange(1, 16)
        self.tab_width.setSuffix(" spaces")
        _describe(
            self.tab_width,
            "Editor tab width",
            "How wide a tab character is drawn in the code editors (request bodies,"
            " queries, messages, responses), in spaces. Applies once saved.",
        )

        self.connect_timeout = SecondsSpinBox("settings.connect_timeout", minimum=0.1)
        _describe(
            self.connect_timeout,
            "Connect timeout",
            f"How long to wait for the connection to open, in seconds. {_APP_DEFAULT}",
        )
        self.timeout = SecondsSpinBox("settings.timeout", minimum=0.1)
        _describe(
            self.timeout,
            "Read timeout",
            f"How long to wait for each read (or write) of data, in seconds. {_APP_DEFAULT}",
        )
        self.verify_tls = QCheckBox("&Verify TLS certificates", objectName="settings.verify_tls")
        _describe(
            self.verify_tls,
            "Verify TLS certificates",
            "Check that each server's certificate is valid and issued for its name; off,"
            f" anyone on the network path could read or change the requests. {_APP_DEFAULT}",
        )
        self.proxy = QComboBox(objectName="settings.proxy")
        for value, label, tip in PROXY_MODES:
            self.proxy.addItem(label, value)
            self.proxy.setItemData(self.proxy.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        _describe(
            self.proxy,
            "Proxy",
            "Which proxy requests go through: the system's, none (direct), or the one"
            f" below. {_APP_DEFAULT}",
        )
        self.proxy_url = QLineEdit(objectName="settings.proxy_url")
        self.proxy_url.setPlaceholderText("http://proxy.local:3128  or  socks5://127.0.0.1:1080")
        self.proxy_url.setClearButtonEnabled(True)
        _describe(
            self.proxy_url,
            "Proxy URL",
            "The custom proxy's URL: http://, https:// or socks5://; {{variables}} are"
            " resolved when a request is sent. A user and password go in each request's"
            f" Settings tab, not here. {_APP_DEFAULT}",
        )
        self.no_proxy = QLineEdit(objectName="settings.no_proxy")
        self.no_proxy.setPlaceholderText("localhost, 127.0.0.1, internal.example.com")
        self.no_proxy.setClearButtonEnabled(True)
        _describe(
            self.no_proxy,
            "No proxy for",
            "Hosts reached directly, comma-separated: a name such as example.com (or"
            " .example.com, *.example.com) covers the domain and its subdomains; IP"
            " addresses match exactly; add :port to limit an entry to one port."
            f" {_APP_DEFAULT}",
        )
        self.proxy_problem = _error_label("settings.proxy_problem")
        self.proxy_problem.setAccessibleName("Problem with the proxy URL")

        self.history_size = QSpinBox(objectName="settings.history_size")
        self.history_size.setRange(10, 1_000_000)
        self.history_size.setSingleStep(100)
        self.history_size.setGroupSeparatorShown(True)
        self.history_size.setSuffix(" requests")
        _describe(
            self.history_size,
            "Requests kept in history",
            "How many sent requests the History panel keeps; past that, the oldest are"
            " deleted as new ones are sent (a smaller number takes effect with the next"
            " request sent).",
        )

    def _appearance_group(self) -> QGroupBox:
        group = QGroupBox("Appearance", objectName="settings.appearance")
        form = QFormLayout(group)
        form.addRow(_buddy("&Theme", self.theme), self.theme)
        form.addRow(_buddy("&Font size", self.font_size), self.font_size)
        form.addRow(_buddy("Editor ta&b width", self.tab_width), self.tab_width)
        return group

    def _requests_group(self) -> QGroupBox:
        group = QGroupBox("Request defaults", objectName="settings.requests")
        form = QFormLayout(group)
        note = QLabel(
            "Every request whose Settings tab says “App default” uses these, open"
            " requests included: a change applies from their next send. A request can"
            " still set its own in its Settings tab.",
            wordWrap=True,
            objectName="settings.requests_note",
        )
        form.addRow(note)
        form.addRow(_buddy("&Connect timeout", self.connect_timeout), self.connect_timeout)
        form.addRow(_buddy("&Read timeout", self.timeout), self.timeout)
        form.addRow(self.verify_tls)
        form.addRow(_buddy("&Proxy", self.proxy), self.proxy)
        form.addRow(_buddy("Proxy &URL", self.proxy_url), self.proxy_url)
        form.addRow(_buddy("&No proxy for", self.no_proxy), self.no_proxy)
        form.addRow(self.proxy_problem)
        return group

    def _history_group(self) -> QGroupBox:
        group = QGroupBox("History", objectName="settings.history")
        form = QFormLayout(group)
        form.addRow(_buddy("&Keep the last", self.history_size), self.history_size)
        return group

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.theme,
            self.font_size,
            self.tab_width,
            self.connect_timeout,
            self.timeout,
            self.verify_tls,
            self.proxy,
            self.proxy_url,
            self.no_proxy,
            self.history_size,
            self.save,
            self.cancel,
            self.defaults,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- values --------------------------------------------------------------------------

    def set_preferences(self, preferences: Preferences) -> None:
        """Show ``preferences`` in the form (nothing is saved)."""
        self._shown = preferences
        self.theme.setCurrentIndex(max(0, self.theme.findData(preferences.theme)))
        self.font_size.setValue(preferences.font_size)
        self.tab_width.setValue(preferences.tab_width)
        self.connect_timeout.setValue(preferences.connect_timeout_s)
        self.timeout.setValue(preferences.timeout_s)
        self.verify_tls.setChecked(preferences.verify_tls)
        self.proxy.setCurrentIndex(max(0, self.proxy.findData(preferences.proxy)))
        self.proxy_url.setText(preferences.proxy_url)
        self.no_proxy.setText(preferences.no_proxy)
        self.history_size.setValue(preferences.history_size)
        self._shown_seconds = (self.connect_timeout.value(), self.timeout.value())
        self._on_proxy_changed()

    def preferences(self) -> Preferences:
        """The preferences as the form shows them; a timeout nobody changed keeps its
        exact value (the spin box shows three decimals). Raises ``ValueError`` naming a
        value the preferences refuse (the spin boxes' ranges make that rare)."""
        shown_connect, shown_read = self._shown_seconds
        return self._shown.updated(
            connect_timeout_s=_edited(
                self.connect_timeout, shown_connect, self._shown.connect_timeout_s
            ),
            timeout_s=_edited(self.timeout, shown_read, self._shown.timeout_s),
            theme=self.theme.currentData(),
            font_size=self.font_size.value(),
            tab_width=self.tab_width.value(),
            verify_tls=self.verify_tls.isChecked(),
            proxy=self.proxy.currentData(),
            proxy_url=self.proxy_url.text().strip(),
            no_proxy=self.no_proxy.text().strip(),
            history_size=self.history_size.value(),
        )

    def show_problem(self, text: str) -> None:
        """The saved settings' problem (the file did not load), at the top."""
        _show_text(self.problem, text)
        self._fit_timer.start()

    def show_error(self, text: str) -> None:
        _show_text(self.error, text)
        self._fit_timer.start()

    def _fit_height(self) -> None:
        """Grow to show every wrapped message whole: a window gets the height of its
        layout's size hint, which wraps the messages narrower than the window is."""
        needed = self.layout().heightForWidth(self.width())
        if self.isVisible() and needed > self.height():
            self.resize(self.width(), needed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_timer.start()

    # -- slots ---------------------------------------------------------------------------

    def _on_proxy_changed(self) -> None:
        custom = self.proxy.currentData() == "custom"
        self.proxy_url.setEnabled(custom)
        self.no_proxy.setEnabled(custom)
        self._validate()

    def _validate(self) -> None:
        """Show what keeps the form from being saved; Save is off while anything does."""
        problem = proxy_problem(self.proxy.currentData(), self.proxy_url.text())
        _show_text(self.proxy_problem, problem)
        self._fit_timer.start()
        self.save.setEnabled(not problem and not self._saving)
        self.save.setToolTip(
            f"Not yet: {problem}" if problem else f"Save the settings to {preferences_path()}"
        )

    def _on_defaults_clicked(self) -> None:
        self.show_error("")
        self.set_preferences(Preferences())

    @asyncSlot()
    async def _on_save_clicked(self) -> None:
        if not self.save.isEnabled():
            return
        self.show_error("")
        try:
            preferences = self.preferences()
        except ValueError as exc:
            self.show_error(f"Not saved: {exc}")
            return
        self._set_saving(True)
        try:
            await self._holder.save(preferences)
        except StoreError as exc:
            if shiboken6.isValid(self):
                self.show_error(f"Not saved: {exc}")
            return
        finally:
            if shiboken6.isValid(self):
                self._set_saving(False)
        self.accept()

    def _saving_changed(self, saving: bool) -> None:
        self.cancel.setEnabled(not saving)
        self.defaults.setEnabled(not saving)
        self._validate()


def _show_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _edited(spin: QDoubleSpinBox, shown: float, exact: float) -> float:
    """The spin box's value, or ``exact`` (what it was given) when it still shows
    ``shown``: a value with more decimals than it displays survives untouched."""
    return exact if spin.value() == shown else spin.value()


def _buddy(text: str, field: QWidget) -> QLabel:
    """A form label whose mnemonic (Alt+letter) moves the focus to ``field``."""
    label = QLabel(text)
    label.setBuddy(field)
    return label
