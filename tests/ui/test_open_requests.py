"""Open requests as sub-tabs: opening, focusing, marking, closing and cycling them, and
getting them (and their unsaved drafts) back after a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot
from ui_helpers import body_text, send, status_text, type_url

from apiclient.core.drafts import DraftStore
from apiclient.core.paths import data_dir
from apiclient.ui.main_window import MainWindow
from apiclient.ui.open_requests import DIRTY_MARK, DRAFT_TOOLTIP, OpenRequests

GET_ITEM = "items/get-item.yaml"
LIST_ITEMS = "items/list-items.yaml"


def labels(group: OpenRequests) -> list[str]:
    return [group.pages.tabText(i) for i in range(group.pages.count())]


def open_saved(qtbot: QtBot, window: MainWindow, relpath: str) -> None:
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == relpath)


def test_saved_requests_open_in_sub_tabs_and_an_open_one_is_focused(qtbot, window):
    group = window.open_requests("rest")
    open_saved(qtbot, window, GET_ITEM)
    open_saved(qtbot, window, LIST_ITEMS)
    first, second = group.tabs()  # the blank request at start-up was taken, not kept
    assert (first.relpath, second.relpath) == (GET_ITEM, LIST_ITEMS)
    assert group.current() is second

    open_saved(qtbot, window, GET_ITEM)
    assert group.tabs() == [first, second]  # focused, not opened twice
    assert group.current() is first is window.rest
    assert window.findChild(QLineEdit, "rest.url") is first.editor.url  # the one in front
    assert labels(group) == [first.current_request().name, second.current_request().name]
    assert not group.pages.tabIcon(0).isNull()
    assert GET_ITEM in group.pages.tabToolTip(0)
    assert group.objectName() == "tab.rest.open" and first.objectName() == "tab.rest"


def test_an_edited_request_is_marked_and_closing_it_asks(qtbot, window, dialogs):
    group = window.open_requests("rest")
    open_saved(qtbot, window, GET_ITEM)
    open_saved(qtbot, window, LIST_ITEMS)
    edited = window.rest
    type_url(qtbot, window, "{{base_url}}/api/items/edited")
    qtbot.waitUntil(lambda: labels(group)[1].endswith(DIRTY_MARK))
    assert not labels(group)[0].endswith(DIRTY_MARK)
    assert window.tabs.tabText(window.tabs.indexOf(group)) == "REST" + DIRTY_MARK

    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    url = window.findChild(QLineEdit, "rest.url")
    url.setFocus()
    qtbot.keyClick(url, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(dialogs.asked) == 1)
    assert "unsaved changes" in dialogs.asked[0]
    assert edited in group.tabs() and edited.dirty  # Cancel keeps it

    dialogs.answers.append(QMessageBox.StandardButton.Discard)
    window.findChild(QAction, "action.close_request").trigger()
    qtbot.waitUntil(lambda: edited not in group.tabs())
    assert [tab.relpath for tab in group.tabs()] == [GET_ITEM]
    assert window.tabs.tabText(window.tabs.indexOf(group)) == "REST"


def test_middle_click_closes_a_sub_tab_and_the_last_leaves_a_blank_one(qtbot, window):
    group = window.open_requests("rest")
    open_saved(qtbot, window, GET_ITEM)
    open_saved(qtbot, window, LIST_ITEMS)
    listed = window.rest
    bar = group.bar
    qtbot.mouseClick(bar, Qt.MouseButton.MiddleButton, pos=bar.tabRect(1).center())
    qtbot.waitUntil(lambda: listed not in group.tabs())
    assert [tab.relpath for tab in group.tabs()] == [GET_ITEM]

    qtbot.mouseClick(bar, Qt.MouseButton.MiddleButton, pos=bar.tabRect(0).center())
    qtbot.waitUntil(lambda: group.current().relpath is None)
    assert len(group.tabs()) == 1 and group.current().blank  # a kind always has one


def test_ctrl_tab_cycles_even_from_a_text_field_or_an_editor(qtbot, window):
    group = window.open_requests("rest")
    open_saved(qtbot, window, GET_ITEM)
    open_saved(qtbot, window, LIST_ITEMS)
    first, second = group.tabs()
    url = second.editor.url
    url.setFocus()
    qtbot.keyClick(url, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert group.current() is first
    body = first.findChild(QPlainTextEdit, "rest.body")
    body.setFocus()
    qtbot.keyClick(body, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert group.current() is second
    assert "\t" not in body.toPlainText()  # not typed into the body
    qtbot.keyClick(second.editor.url, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert group.current() is first
    backwards = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(first.editor.url, Qt.Key.Key_Backtab, backwards)
    assert group.current() is second


def test_a_new_request_is_a_draft_and_sends_without_being_saved(qtbot, window, rest_url):
    group = window.open_requests("rest")
    open_saved(qtbot, window, GET_ITEM)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(group.tabs()) == 2)
    draft = window.rest
    index = group.pages.indexOf(draft)
    assert draft.relpath is None and group.bar.is_draft(index)
    assert not group.bar.is_draft(group.pages.indexOf(group.tabs()[0]))
    assert DRAFT_TOOLTIP in group.pages.tabToolTip(index)
    assert draft.current_request().settings.timeout_s is None  # "App default": the app's

    type_url(qtbot, window, f"{rest_url}/api/items/1")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: '"id"' in body_text(window))
    assert "200" in status_text(window)
    assert draft.relpath is None  # sent, never saved


def test_drafts_of_two_sub_tabs_come_back_in_a_new_window(qtbot, make_window, sample):
    first = make_window(sample)
    with qtbot.waitSignal(first.drafts.draft_written, timeout=5000) as written:
        type_url(qtbot, first, "{{base_url}}/api/one")
    assert written.args == ["rest"]
    first.new_request("rest")
    assert len(first.open_requests("rest").tabs()) == 2
    with qtbot.waitSignal(first.drafts.draft_written, timeout=5000) as written:
        type_url(qtbot, first, "{{base_url}}/api/two")
    assert written.args == ["rest-2"]
    store = DraftStore(data_dir() / "drafts")
    assert store.path("rest-2", sample).stat().st_mode & 0o777 == 0o600

    second = make_window(sample)
    group = second.open_requests("rest")
    qtbot.waitUntil(lambda: len(group.tabs()) == 2)
    urls = {tab.slot: tab.current_request().url for tab in group.tabs()}
    assert urls == {"rest": "{{base_url}}/api/one", "rest-2": "{{base_url}}/api/two"}
    assert all(tab.dirty for tab in group.tabs())


def test_open_requests_come_back_after_a_restart(qtbot, make_window, sample):
    first = make_window(sample)
    open_saved(qtbot, first, GET_ITEM)
    open_saved(qtbot, first, LIST_ITEMS)
    first.close()

    second = make_window(sample)
    group = second.open_requests("rest")
    qtbot.waitUntil(lambda: len(group.tabs()) == 2)
    assert [tab.relpath for tab in group.tabs()] == [GET_ITEM, LIST_ITEMS]
    assert not any(tab.dirty for tab in group.tabs())
