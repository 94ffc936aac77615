"""Request > Cookies…: view, add, edit and delete the chosen environment's cookies.

Every change goes to the shared jar at once (the next send uses it) and is saved shortly
after by the :class:`~apiclient.ui.cookie_keeper.CookieKeeper`. Bad input is said in the
dialog and keeps the form as typed.
"""

from __future__ import annotations

import contextlib
from http.cookiejar import Cookie

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.cookie_store import expiry_text, is_http_only
from apiclient.ui import dialogs
from apiclient.ui.cookie_form import CookieForm
from apiclient.ui.cookie_keeper import CookieKeeper
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.response_view import read_only_table, set_rows

COLUMNS = ["Domain", "Name", "Value", "Path", "Expires", "Secure", "HttpOnly"]
EMPTY_TEXT = (
    "No cookies yet. Cookies set by responses appear here, kept per environment and "
    "sent with later requests to their domain; Add types one in by hand."
)
REFRESH_DELAY_MS = 150  # a burst of responses refreshes the table once


class CookieManager(QDialog):
    def __init__(self, keeper: CookieKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cookies.manager")
        self.resize(860, 520)
        self._keeper = keeper
        self._jar = keeper.jar
        self._cookies: list[Cookie] = []  # the table's rows, in order

        self.filter = QLineEdit(objectName="cookies.filter")
        self.filter.setPlaceholderText("Filter by domain, name or value")
        self.filter.setClearButtonEnabled(True)
        self.empty = QLabel(EMPTY_TEXT, objectName="cookies.empty", wordWrap=True)
        self.table = read_only_table("cookies.table", COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COLUMNS.index("Value"), QHeaderView.ResizeMode.Stretch)
        self.add = QPushButton("Add", objectName="cookies.add")
        self.edit = QPushButton("Edit", objectName="cookies.edit")
        self.delete = QPushButton("Delete", objectName="cookies.delete")
        self.delete_domain = QPushButton("Delete domain", objectName="cookies.delete_domain")
        self.delete_domain.setToolTip("Delete every cookie of the selected cookie's domain")
        self.clear = QPushButton("Clear all", objectName="cookies.clear")
        self.form = CookieForm()
        self.save = QPushButton("Save cookie", objectName="cookies.form.save")
        self.cancel = QPushButton("Cancel", objectName="cookies.form.cancel")
        self.message = QLabel(objectName="cookies.message", wordWrap=True)

        buttons = QHBoxLayout()
        for button in (self.add, self.edit, self.delete, self.delete_domain):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear)
        form_buttons = QHBoxLayout()
        form_buttons.addStretch(1)
        form_buttons.addWidget(self.cancel)
        form_buttons.addWidget(self.save)
        self.form.rows.addRow(form_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.form)
        layout.addWidget(self.message)
        self.form.hide()

        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        keeper.jar_changed.connect(self._refresh_timer.start)
        keeper.switched.connect(self._on_keeper_switched)
        self.filter.textChanged.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._on_edit_clicked)
        self.add.clicked.connect(self._on_add_clicked)
        self.edit.clicked.connect(self._on_edit_clicked)
        self.delete.clicked.connect(self._on_delete_clicked)
        self.delete_domain.clicked.connect(self._on_delete_domain_clicked)
        self.clear.clicked.connect(self._on_clear_clicked)
        self.save.clicked.connect(self._on_save_clicked)
        self.cancel.clicked.connect(self.form.hide)
        self._on_keeper_switched()

    def refresh(self) -> None:
        """Show the jar's cookies that match the filter, keeping the selection."""
        selected = {_identity(c) for c in self.selected()}
        needle = self.filter.text().strip().lower()
        everything = sorted(self._jar.snapshot(), key=_identity)
        self._cookies = [
            c
            for c in everything
            if not needle or needle in f"{c.domain}\n{c.name}\n{c.value or ''}".lower()
        ]
        set_rows(self.table, [_row(c) for c in self._cookies])
        self.table.clearSelection()
        for row, cookie in enumerate(self._cookies):
            if _identity(cookie) in selected:
                self.table.selectRow(row)
        self.empty.setVisible(not everything)
        self.clear.setEnabled(bool(everything))
        self._update_buttons()

    def selected(self) -> list[Cookie]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._cookies[row] for row in rows if row < len(self._cookies)]

    def _on_keeper_switched(self) -> None:
        environment = self._keeper.environment or "no environment"
        self.setWindowTitle(f"Cookies of {environment} — {self._keeper.collection_name}")
        self.form.hide()
        self.refresh()
        self._say(
            "The cookie file of this environment could not be read and was left as it is; "
            "a change here moves it aside (to a .broken file beside it) and saves a new one."
            if self._keeper.unreadable
            else ""
        )

    def _update_buttons(self) -> None:
        count = len(self.selected())
        self.edit.setEnabled(count == 1)
        self.delete.setEnabled(count > 0)
        self.delete_domain.setEnabled(count == 1)

    def _on_add_clicked(self) -> None:
        chosen = self.selected()
        self.form.start_new(chosen[0].domain if chosen else "")
        self.form.show()
        self._say("")

    def _on_edit_clicked(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            self.form.start_edit(chosen[0])
            self.form.show()
            self._say("")

    def _on_save_clicked(self) -> None:
        try:
            cookie = self.form.cookie()
        except ValueError as exc:
            self._say(str(exc), problem=True)
            return
        old = self.form.editing
        if old is not None and old.path != cookie.path:
            self._remove([old])
        self._jar.set_cookie(cookie)
        self._changed(f"Saved cookie {cookie.name} for {cookie.domain}.")
        self.form.hide()

    def _on_delete_clicked(self) -> None:
        chosen = self.selected()
        self._remove(chosen)
        self._changed(f"Deleted {len(chosen)} cookie(s).")

    def _on_delete_domain_clicked(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            domain = chosen[0].domain
            with contextlib.suppress(KeyError):  # already gone
                self._jar.clear(domain)
            self._changed(f"Deleted every cookie of {domain}.")

    @asyncSlot()
    async def _on_clear_clicked(self) -> None:
        answer = await dialogs.question(
            self,
            "Clear all cookies",
            f"Delete every cookie of {self._keeper.environment or 'no environment'}?",
            dialogs.Button.Yes | dialogs.Button.No,
            dialogs.Button.No,
        )
        if answer == dialogs.Button.Yes:
            self._jar.clear()
            self._changed("Deleted every cookie.")

    def _remove(self, cookies: list[Cookie]) -> None:
        for cookie in cookies:
            try:
                self._jar.clear(cookie.domain, cookie.path, cookie.name)
            except KeyError:
                continue  # already gone (expired, or replaced by a response meanwhile)

    def _changed(self, text: str) -> None:
        self._keeper.user_changed()
        self.refresh()
        self._say(text)

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.message.setText(f"⚠ {text}" if problem else text)
        themed_style(self.message, "color: $error;" if problem else "")


def _identity(cookie: Cookie) -> tuple[str, str, str]:
    return (cookie.domain, cookie.path, cookie.name)


def _row(cookie: Cookie) -> tuple[str, ...]:
    return (
        cookie.domain,
        cookie.name,
        cookie.value or "",
        cookie.path,
        expiry_text(cookie) or "Session",
        "Yes" if cookie.secure else "",
        "Yes" if is_http_only(cookie) else "",
    )
