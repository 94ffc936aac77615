"""Request > Cookies…: the chosen environment's cookies shown, edited and deleted."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QLineEdit, QMessageBox, QPushButton
from ui_helpers import body_text, send, type_url

from apiclient.core.cookie_store import cookie_file, new_cookie
from apiclient.ui.cookie_manager import CookieManager
from apiclient.ui.main_window import MainWindow

ENV = "Local mocks"


def _open(window: MainWindow) -> CookieManager:
    window.findChild(QAction, "action.cookies").trigger()
    manager = window.findChild(QDialog, "cookies.manager")
    assert manager is not None and manager.isVisible()
    return manager


def _rows(manager: CookieManager) -> list[tuple[str, ...]]:
    table = manager.table
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def _click(qtbot, manager: CookieManager, name: str) -> None:
    qtbot.mouseClick(manager.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _type(qtbot, manager: CookieManager, field: str, text: str) -> None:
    edit = manager.findChild(QLineEdit, f"cookies.form.{field}")
    edit.clear()
    qtbot.keyClicks(edit, text)


def _message(manager: CookieManager) -> str:
    return manager.findChild(QLabel, "cookies.message").text()


def _saved_names(sample) -> list[str]:
    return [c["name"] for c in json.loads(cookie_file(str(sample), ENV).read_text())["cookies"]]


def test_empty_state_says_how_cookies_arrive(window):
    manager = _open(window)
    assert ENV in manager.windowTitle()
    assert manager.table.rowCount() == 0
    empty = manager.findChild(QLabel, "cookies.empty")
    assert empty.isVisible() and "set by responses appear here" in empty.text()


def test_a_response_cookie_shows_and_can_be_edited(qtbot, window, sample, rest_url):
    manager = _open(window)
    type_url(qtbot, window, f"{rest_url}/cookies/set?flavour=oat")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: manager.table.rowCount() == 1)
    assert _rows(manager) == [("127.0.0.1", "flavour", "oat", "/", "Session", "", "")]
    assert not manager.findChild(QLabel, "cookies.empty").isVisible()

    manager.table.selectRow(0)
    _click(qtbot, manager, "cookies.edit")
    assert manager.findChild(QLineEdit, "cookies.form.name").isReadOnly()
    _type(qtbot, manager, "value", "rye")
    _type(qtbot, manager, "expires", "2099-01-02 03:04")
    manager.findChild(QCheckBox, "cookies.form.http_only").setChecked(True)
    with qtbot.waitSignal(window.workspace.cookies.saved, timeout=5000):
        _click(qtbot, manager, "cookies.form.save")
    assert _rows(manager) == [
        ("127.0.0.1", "flavour", "rye", "/", "2099-01-02 03:04:00 UTC", "", "Yes")
    ]
    (saved,) = json.loads(cookie_file(str(sample), ENV).read_text())["cookies"]
    assert (saved["value"], saved["rest"]) == ("rye", {"HttpOnly": None, "SameSite": "lax"})

    type_url(qtbot, window, f"{rest_url}/cookies")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: '"flavour"' in body_text(window))
    assert json.loads(body_text(window))["cookies"] == {"flavour": "rye"}  # the edit is sent


def test_add_checks_the_input_and_keeps_it(qtbot, window, sample):
    manager = _open(window)
    _click(qtbot, manager, "cookies.add")
    _type(qtbot, manager, "domain", "not a host")
    _type(qtbot, manager, "name", "token")
    _type(qtbot, manager, "value", "abc")
    _click(qtbot, manager, "cookies.form.save")
    assert "not a host name" in _message(manager)
    assert manager.findChild(QLineEdit, "cookies.form.value").text() == "abc"  # kept

    _type(qtbot, manager, "domain", "127.0.0.1")
    _type(qtbot, manager, "expires", "2001-01-01")
    _click(qtbot, manager, "cookies.form.save")
    assert "past" in _message(manager)
    assert manager.table.rowCount() == 0

    _type(qtbot, manager, "expires", "")
    manager.findChild(QCheckBox, "cookies.form.secure").setChecked(True)
    with qtbot.waitSignal(window.workspace.cookies.saved, timeout=5000):
        _click(qtbot, manager, "cookies.form.save")
    assert _rows(manager) == [("127.0.0.1", "token", "abc", "/", "Session", "Yes", "")]
    assert not manager.form.isVisible()
    assert _saved_names(sample) == ["token"]


def test_filter_delete_delete_domain_and_clear_all(qtbot, window, sample, dialogs):
    jar = window.workspace.cookie_jar
    later = time.time() + 3600
    for domain, name in [("a.test", "one"), ("a.test", "two"), ("b.test", "three")]:
        jar.set_cookie(new_cookie(domain=domain, name=name, value=name, expires=later))
    jar.set_cookie(new_cookie(domain="c.test", name="four", value="x"))
    manager = _open(window)
    assert [r[1] for r in _rows(manager)] == ["one", "two", "three", "four"]

    qtbot.keyClicks(manager.filter, "b.te")
    assert [r[1] for r in _rows(manager)] == ["three"]
    manager.filter.clear()

    manager.table.selectRow(1)
    _click(qtbot, manager, "cookies.delete")
    assert [r[1] for r in _rows(manager)] == ["one", "three", "four"]

    manager.table.selectRow(0)
    _click(qtbot, manager, "cookies.delete_domain")
    assert [r[1] for r in _rows(manager)] == ["three", "four"]
    assert {c.name for c in jar} == {"three", "four"}

    dialogs.answers.append(QMessageBox.StandardButton.No)
    _click(qtbot, manager, "cookies.clear")
    qtbot.waitUntil(lambda: len(dialogs.asked) == 1)
    assert manager.table.rowCount() == 2  # not confirmed: nothing lost

    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.workspace.cookies.saved, timeout=5000):
        _click(qtbot, manager, "cookies.clear")
    assert manager.table.rowCount() == 0 and len(jar) == 0
    assert _saved_names(sample) == []


def test_the_manager_follows_the_chosen_environment(qtbot, window):
    window.workspace.cookie_jar.set_cookie(new_cookie(domain="a.test", name="env", value="1"))
    manager = _open(window)
    assert manager.table.rowCount() == 1
    with qtbot.waitSignal(window.workspace.cookies.switched):
        window.workspace.select_environment("")
    assert "no environment" in manager.windowTitle()
    assert manager.table.rowCount() == 0
