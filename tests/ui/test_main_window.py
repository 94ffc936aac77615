"""The window around the tabs: first start, the environment editor, the mock-server panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidgetItem,
)
from ui_helpers import body_text, send, status_text, type_url

from apiclient.core.paths import data_dir
from apiclient.ui.environment_editor import EnvironmentEditor
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings


def test_first_start_opens_a_copy_of_the_sample_collection(make_window):
    window = make_window()
    store = window.workspace.store
    assert store is not None
    assert store.root == data_dir() / "collections" / "sample-collection"
    assert store.name.startswith("Sample")
    assert "Local mocks" in [e.name for e in store.environments]


def test_the_frame_shows_before_its_parts_and_startup_completes_it(
    qtbot, settings_path, run, sample
):
    """The window shows its menus, tool bar and tab labels at once; what needs the
    collection models (sidebar, REST editor, environment picker, actions) follows in
    ``startup``, and a window closed before then shuts down cleanly."""
    window = MainWindow(AppSettings(settings_path))
    qtbot.addWidget(window)
    window.show()
    labels = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert labels == ["REST", "Batch", "SOAP", "GraphQL", "gRPC", "WebSocket", "Webhook"]
    assert window.findChild(QLineEdit, "rest.url") is None
    assert not window.save_action.isEnabled() and not window.send_action.isEnabled()
    assert not window.findChild(QComboBox, "environment.picker").isEnabled()
    assert not window.mocks.contracts.isEnabled()  # the panel needs the workspace
    assert not window.side_tabs.isTabEnabled(1)  # History, likewise
    assert window.findChild(QPushButton, "mocks.start").isEnabled()
    assert window.statusBar().currentMessage() == "Starting…"

    run(window.startup(sample))
    assert window.findChild(QLineEdit, "rest.url").isVisible()
    assert window.save_action.isEnabled() and window.send_action.isEnabled()
    assert window.findChild(QComboBox, "environment.picker").currentText() == "Local mocks"
    assert window.mocks.contracts.isEnabled() and window.side_tabs.isTabEnabled(1)
    run(window.shutdown())


def test_a_window_closed_before_startup_shuts_down_cleanly(qtbot, settings_path, run):
    window = MainWindow(AppSettings(settings_path))
    qtbot.addWidget(window)
    window.show()
    window.close()
    run(window.shutdown())
    assert window.findChild(QLineEdit, "rest.url") is None


def test_environment_editor_adds_an_environment_used_by_sends(qtbot, window, dialogs, rest_url):
    qtbot.mouseClick(window.findChild(QPushButton, "environment.edit"), Qt.MouseButton.LeftButton)
    editor = window.findChild(EnvironmentEditor, "environment.editor")
    qtbot.waitUntil(editor.isVisible)
    dialogs.texts.append("Staging")
    qtbot.mouseClick(editor.findChild(QPushButton, "environment.add"), Qt.MouseButton.LeftButton)
    assert editor.findChild(QListWidget, "environment.list").currentItem().text() == "Staging"
    table = editor.table
    table.setItem(0, 1, QTableWidgetItem("host"))
    table.setItem(0, 2, QTableWidgetItem(rest_url))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible())

    stored = (window.workspace.store.root / "environments" / "staging.yaml").read_text()
    assert "host" in stored and rest_url in stored
    picker = window.findChild(QComboBox, "environment.picker")
    picker.setCurrentIndex(picker.findText("Staging"))
    type_url(qtbot, window, "{{host}}/status/201")
    send(qtbot, window, "201")


def test_environment_editor_failure_keeps_the_dialog_and_the_edits(
    qtbot, window, dialogs, monkeypatch
):
    import errno

    editor = window.open_environment_editor()
    qtbot.waitUntil(editor.isVisible)
    editor.select("Globals")
    editor.table.setItem(0, 1, QTableWidgetItem("region"))
    editor.table.setItem(0, 2, QTableWidgetItem("eu"))

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("apiclient.core.atomic.os.replace", read_only)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    error = editor.findChild(QLabel, "environment.error")
    qtbot.waitUntil(error.isVisible)
    assert "read-only" in error.text()
    assert editor.isVisible()
    assert [(v.name, v.value) for v in editor.table.variables()] == [("region", "eu")]


def test_mock_panel_starts_and_stops_the_servers(qtbot, settings_path, run, tmp_path):
    window = MainWindow(AppSettings(settings_path), ephemeral_mocks=True)
    qtbot.addWidget(window)
    window.show()
    button = window.findChild(QPushButton, "mocks.start")
    status = window.findChild(QLabel, "mocks.status")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Mocks on" in status.text(), timeout=15_000)
    url = window.mocks.urls["rest"]
    assert url.rsplit(":", 1)[-1] in status.text() and url in status.toolTip()
    window.resize(1280, 820)
    qtbot.waitUntil(button.isVisible)  # not pushed out of the toolbar by long URLs
    window.build_parts()  # the mocks ran from the bare frame; startup() would build these
    type_url(qtbot, window, f"{url}/api/v1/playlists")
    send(qtbot, window, "401")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "stopped" in status.text(), timeout=15_000)
    run(window.shutdown())


def test_xml_is_pretty_printed_and_saved_as_received(
    qtbot, window, rest_url, monkeypatch, tmp_path
):
    type_url(qtbot, window, f"{rest_url}/xml")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: "\n  <" in body_text(window))
    target = tmp_path / "saved.xml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(window.findChild(QPushButton, "rest.response.save"), Qt.MouseButton.LeftButton)
    info = window.findChild(QLabel, "rest.response.info")
    qtbot.waitUntil(lambda: "Saved" in info.text())
    assert target.read_bytes().startswith(b"<?xml")


def test_cookies_set_by_the_server_are_listed(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/cookies/set?flavour=oat")
    send(qtbot, window, "200")
    table = window.rest.response.cookies
    qtbot.waitUntil(lambda: table.rowCount() > 0)
    assert table.item(0, 0).text() == "flavour"
    assert table.item(0, 1).text() == "oat"


def test_digest_auth_from_the_auth_tab(qtbot, window, rest_url):
    auth = window.rest.editor.auth
    auth.kind.setCurrentIndex(auth.kind.findData("digest"))
    qtbot.keyClicks(auth.username, "user")
    qtbot.keyClicks(auth.password, "passwd")
    type_url(qtbot, window, f"{rest_url}/digest-auth/auth/user/passwd")
    send(qtbot, window, "200")
    assert "200" in status_text(window)


def test_opening_another_request_keeps_the_unsaved_edits_in_their_sub_tab(
    qtbot, window, dialogs, sample: Path
):
    type_url(qtbot, window, "{{base_url}}/typed-by-hand")
    edited = window.rest
    assert edited.dirty
    relpath = "items/list-items.yaml"
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == relpath)
    assert dialogs.asked == []  # nothing is replaced, so nothing to ask
    assert window.rest is not edited
    assert edited.dirty and edited.editor.url.text() == "{{base_url}}/typed-by-hand"
    assert window.open_requests("rest").tabs() == [edited, window.rest]


def test_first_open_picks_the_collections_first_environment(make_window, sample):
    window = make_window(sample)
    assert window.findChild(QComboBox, "environment.picker").currentText() == "Local mocks"
    assert window.workspace.environment_name == "Local mocks"


def test_tabs_are_built_when_first_shown(qtbot, window):
    assert [tab.kind for tab in window.request_tabs] == ["rest"]
    labels = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert labels == ["REST", "Batch", "SOAP", "GraphQL", "gRPC", "WebSocket", "Webhook"]
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(3).center())
    qtbot.waitUntil(lambda: window.current_tab().objectName() == "tab.graphql")
    assert [tab.kind for tab in window.request_tabs] == ["rest", "graphql"]
    assert window.tabs.tabText(3) == "GraphQL"
