"""The look beyond the theme: method badges in the sidebar, its empty states, the
editors' font size and tab width, and colours that follow a theme switch."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetricsF, QIcon
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from apiclient.core.models import RestRequest
from apiclient.core.store import CollectionStore
from apiclient.ui.app_preferences import app_preferences
from apiclient.ui.method_style import badge_color, badge_icon, badge_size
from apiclient.ui.theme import (
    ThemeController,
    apply_font_size,
    apply_palette,
    semantic_hex,
    themed_style,
)
from apiclient.ui.widgets.code_editor import CodeEditor


@pytest.fixture(autouse=True)
def light_after() -> Iterator[None]:
    yield
    apply_palette(False)
    apply_font_size(0)


def test_methods_have_the_colours_people_expect_in_both_themes(qapp):
    assert badge_color("GET").name() == "#2e7d32" and badge_color("get", dark=True).green() > 150
    assert badge_color("POST").red() > badge_color("POST").blue()  # orange
    assert badge_color("DELETE").name() == "#c62828"
    icon = badge_icon("DELETE", dark=True)
    # Sharp at 100% and 200%, white on a selected row.
    assert {(s.width(), s.height()) for s in icon.availableSizes()} == {(40, 16), (80, 32)}
    assert icon.availableSizes(QIcon.Mode.Selected)


def test_sidebar_rows_show_a_method_badge_icon_and_the_plain_name(window):
    model = window.sidebar.model
    folder = next(
        model.index(row, 0)
        for row in range(model.rowCount())
        if model.index(row, 0).data() == "Items"
    )
    first = model.index(0, 0, folder)
    assert first.data() == "List items"
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == "GET List items"
    assert isinstance(first.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert first.data(Qt.ItemDataRole.ForegroundRole) is None  # the normal text colour
    assert window.sidebar.tree.iconSize() == badge_size()


def test_sidebar_says_what_to_do_without_a_collection_or_requests(
    qtbot, make_window, tmp_path, dialogs, run
):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "collection.yaml").write_text("name: [\n")
    window = make_window(bad)
    sidebar = window.sidebar
    assert sidebar.no_collection.isVisible() and not sidebar.tree.isVisible()
    assert sidebar.empty.text() == "No collection open"
    new_collection = sidebar.findChild(QPushButton, "collections.none.new")
    qtbot.mouseClick(new_collection, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "New collection: Collection name:" in dialogs.asked)

    empty = tmp_path / "empty"
    run(asyncio.to_thread(CollectionStore.create, empty, "Empty one"))
    assert run(window.open_collection(empty))
    assert sidebar.no_requests.isVisible() and not sidebar.tree.isVisible()
    hint = sidebar.findChild(QLabel, "collections.no_requests.hint")
    assert "Ctrl+N" in hint.text() and "right-click" in hint.text()
    run(window.workspace.save_request(RestRequest(name="First"), None, ""))
    qtbot.waitUntil(sidebar.tree.isVisible)
    assert not sidebar.no_requests.isVisible()


def test_font_size_and_tab_width_apply_live_to_editors_and_the_app(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    ThemeController(app_preferences(), holder)
    editor = CodeEditor("test.editor")
    qtbot.addWidget(editor)
    preferences = app_preferences()
    preferences.apply(preferences.current.updated(font_size=15, tab_width=2))
    assert editor.font().pointSize() == 15
    assert QApplication.font().pointSize() == 15
    space = QFontMetricsF(editor.font()).horizontalAdvance(" ")
    assert editor.tabStopDistance() == pytest.approx(space * 2)
    preferences.apply(preferences.current.updated(font_size=0, tab_width=8))
    assert editor.font().pointSize() != 15
    space = QFontMetricsF(editor.font()).horizontalAdvance(" ")
    assert editor.tabStopDistance() == pytest.approx(space * 8)


def test_themed_style_sheets_follow_a_switch(qtbot):
    label = QLabel("Failed")
    qtbot.addWidget(label)
    themed_style(label, "color: $error")
    assert label.styleSheet() == f"color: {semantic_hex('error', dark=False)}"
    apply_palette(True)
    assert label.styleSheet() == f"color: {semantic_hex('error', dark=True)}"
    themed_style(label, "")
    apply_palette(False)
    assert label.styleSheet() == ""


def test_index_of_a_missing_row_has_no_icon(window):
    assert window.sidebar.model.data(QModelIndex(), Qt.ItemDataRole.DecorationRole) is None
