"""Collections in the window: save and reopen, environments, sidebar operations, restarts."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QMessageBox, QTabWidget
from ui_helpers import body_text, send, status_text, type_url

from apiclient.core.models import Environment, Variable
from apiclient.core.store import CollectionStore
from apiclient.ui.collection_model import MIME_TYPE
from apiclient.ui.settings import AppSettings


def tree_names(window) -> list[str]:
    model = window.sidebar.model
    names = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            names.append("  " * depth + index.data())
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return names


def first_request(window):
    def walk(folder):
        for child in folder.children:
            if hasattr(child, "request"):
                return child
            found = walk(child) if hasattr(child, "children") else None
            if found:
                return found
        return None

    return walk(window.workspace.store.tree)


def test_sample_collection_opens_with_its_tree(window):
    names = tree_names(window)
    assert window.sidebar.title.text()
    assert any("Items" in n for n in names)
    assert not window.sidebar.problems.isVisible()


def test_save_a_request_and_reopen_it(qtbot, window, dialogs, sample, rest_url):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    window.rest.editor.method.setCurrentText("PATCH")
    type_url(qtbot, window, "{{base_url}}/api/items/1?verbose=yes")
    window.rest.editor.headers.set_rows([])
    tabs = window.findChild(QTabWidget, "protocol.tabs")
    assert tabs.tabText(0) == "REST ●"
    dialogs.texts.append("Patch item one")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.rest.relpath is not None)
    assert tabs.tabText(0) == "REST"
    saved = sample / "items" / window.rest.relpath
    text = saved.read_text()
    assert "Patch item one" in text and "PATCH" in text

    # Open something else, then the saved request again: every field comes back.
    first = first_request(window)
    window.sidebar.request_activated.emit(first.relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == first.relpath)
    relpath = saved.relative_to(sample / "items").as_posix()
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == relpath)
    assert window.rest.editor.method.currentText() == "PATCH"
    assert window.findChild(QLineEdit, "rest.url").text() == "{{base_url}}/api/items/1?verbose=yes"


def test_saving_to_a_full_disk_keeps_the_work_and_says_why(qtbot, window, dialogs, monkeypatch):
    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    type_url(qtbot, window, "{{base_url}}/api/items")
    dialogs.texts.append("Will not fit")
    monkeypatch.setattr("apiclient.core.atomic.os.replace", full)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    notice = window.findChild(QLabel, "rest.notice")
    qtbot.waitUntil(notice.isVisible)
    assert "disk is full" in notice.text()
    assert window.rest.dirty
    assert window.findChild(QLineEdit, "rest.url").text() == "{{base_url}}/api/items"


def test_switching_environment_changes_the_resolved_url_that_is_sent(qtbot, window, run, rest_url):
    store = window.workspace.store
    other = Environment(
        name="Other", variables=[Variable(name="base_url", value=f"{rest_url}/echo/other")]
    )
    run(
        window.workspace.save_variables(
            window.workspace.globals, store.variables, [*store.environments, other], {}
        )
    )
    picker = window.findChild(QComboBox, "environment.picker")
    type_url(qtbot, window, "{{base_url}}/path")
    hint = window.findChild(QLabel, "rest.url.hint")

    picker.setCurrentIndex(picker.findText("Other"))
    qtbot.waitUntil(lambda: f"{rest_url}/echo/other/path" in hint.text())
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: "/echo/other/path" in body_text(window))
    assert json.loads(body_text(window))["path"] == "/echo/other/path"

    picker.setCurrentIndex(picker.findText("No environment"))
    qtbot.waitUntil(lambda: "Unknown variable" in hint.text())
    send(qtbot, window, "base_url")


def test_sidebar_new_folder_rename_duplicate_delete_and_move(qtbot, window, dialogs, sample):
    sidebar = window.sidebar
    dialogs.texts.append("Scratch")
    sidebar.new_folder_action.trigger()
    qtbot.waitUntil(lambda: any(n == "Scratch" for n in tree_names(window)))
    assert (sample / "items" / "scratch").is_dir()

    first = first_request(window)
    sidebar.select(first.relpath)
    sidebar.duplicate_action.trigger()
    qtbot.waitUntil(
        lambda: len(tree_names(window)) > 0 and sidebar.current_relpath() != first.relpath
    )
    copy = sidebar.current_relpath()
    dialogs.texts.append("Moved copy")
    sidebar.rename_action.trigger()
    qtbot.waitUntil(lambda: any("Moved copy" in n for n in tree_names(window)))
    renamed = sidebar.current_relpath()

    data = QMimeData()
    data.setData(MIME_TYPE, renamed.encode())
    scratch = sidebar.model.index_of("scratch")
    sidebar.model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, scratch)
    qtbot.waitUntil(lambda: (sidebar.current_relpath() or "").startswith("scratch/"))
    moved = sample / "items" / sidebar.current_relpath()
    assert moved.exists() and "Moved copy" in moved.read_text()
    assert copy != renamed

    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    sidebar.select("scratch")
    sidebar.delete_action.trigger()
    qtbot.waitUntil(lambda: not (sample / "items" / "scratch").exists())
    # The folder goes from disk in a worker before the tree hears of it.
    qtbot.waitUntil(lambda: not any(n.strip() == "Scratch" for n in tree_names(window)))


def test_the_tree_keys_new_folder_duplicate_rename_and_delete(qtbot, window, dialogs, sample):
    """Ctrl+Shift+N, Ctrl+D, F2 and Delete in the tree, as its context menu shows them."""
    sidebar = window.sidebar
    tree = sidebar.tree
    first = first_request(window)
    sidebar.select(first.relpath)
    tree.setFocus()
    qtbot.waitUntil(tree.hasFocus)
    names = {a.text(): a.shortcut().toString() for a in tree.actions()}
    assert names == {
        "New folder…": "Ctrl+Shift+N",
        "Rename…": "F2",
        "Duplicate": "Ctrl+D",
        "Delete…": "Del",
    }

    before = len(tree_names(window))
    qtbot.keyClick(tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(tree_names(window)) == before + 1)
    copy = sidebar.current_relpath()
    assert copy != first.relpath

    dialogs.texts.append("Renamed by key")
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: any("Renamed by key" in n for n in tree_names(window)))

    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not any("Renamed by key" in n for n in tree_names(window)))

    dialogs.texts.append("Keyed folder")
    qtbot.keyClick(
        tree, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: any(n.strip() == "Keyed folder" for n in tree_names(window)))
    assert (sample / "items" / "keyed-folder").is_dir()


def test_the_sidebar_says_what_is_loading_until_the_tree_is_filled(
    qtbot, window, sample, monkeypatch
):
    # Hold the worker that reads the collection, to look at the window meanwhile.
    release = threading.Event()
    read = CollectionStore.open

    def held_read(root: Path, **options: Any) -> CollectionStore:
        release.wait(timeout=30)
        return read(root, **options)

    monkeypatch.setattr(CollectionStore, "open", held_read)
    opening = asyncio.ensure_future(window.open_collection(sample))
    empty = window.findChild(QLabel, "collections.empty")
    qtbot.waitUntil(empty.isVisible)
    assert empty.text() == f"Loading {sample.name}…"
    assert not window.sidebar.tree.isVisible()
    release.set()
    qtbot.waitUntil(opening.done)
    assert opening.result()
    assert window.sidebar.tree.isVisible()
    assert not empty.isVisible()


def test_broken_request_file_is_reported_and_left_alone(make_window, sample):
    broken = sample / "items" / "broken.yaml"
    broken.write_text("kind: rest\nname: [unclosed\n")
    before = broken.read_bytes()
    window = make_window(sample)
    problems = window.findChild(QLabel, "collections.problems")
    assert problems.isVisible()
    assert "broken.yaml" in problems.text()
    assert broken.read_bytes() == before


def test_collection_that_cannot_load_is_reported(make_window, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "collection.yaml").write_text("name: [\n")
    window = make_window(bad)
    assert "collection.yaml" in window.statusBar().currentMessage() or "bad" in (
        window.statusBar().currentMessage()
    )
    assert window.findChild(QLabel, "collections.problems").isVisible()
    assert window.findChild(QLabel, "collections.empty").text().startswith("No collection")
    assert (bad / "collection.yaml").read_text() == "name: [\n"


def test_window_state_and_last_collection_are_remembered(qtbot, make_window, sample):
    window = make_window(sample)
    window.resize(701, 501)
    picker = window.findChild(QComboBox, "environment.picker")
    picker.setCurrentIndex(picker.findText("Local mocks"))
    window.close()
    again = make_window()
    assert again.workspace.store.root == sample
    assert again.size().width() == 701
    assert again.findChild(QComboBox, "environment.picker").currentText() == "Local mocks"


def test_sample_requests_send_against_the_mocks(qtbot, window):
    """Open a saved sample request with its environment and send it as saved."""
    picker = window.findChild(QComboBox, "environment.picker")
    picker.setCurrentIndex(picker.findText("Local mocks"))
    items = next(
        c for c in window.workspace.store.tree.children if getattr(c, "name", "") == "Items"
    )
    window.sidebar.request_activated.emit(items.children[0].relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == items.children[0].relpath)
    send(qtbot, window, "200")
    assert "200" in status_text(window)


def test_secret_variable_stays_out_of_the_files(window, run, sample):
    store = window.workspace.store
    env = Environment(
        name="Prod", variables=[Variable(name="token", value="s3cr3t-value", secret=True)]
    )
    run(
        window.workspace.save_variables(
            window.workspace.globals, store.variables, [*store.environments, env], {}
        )
    )
    for path in Path(sample).rglob("*.yaml"):
        assert "s3cr3t-value" not in path.read_text()
    assert any(
        "s3cr3t-value" in p.read_text()
        for p in Path(os.environ["APICLIENT_DATA_DIR"]).rglob("*")
        if p.is_file()
    )


def test_renaming_or_moving_the_open_request_keeps_it_saved(qtbot, window, dialogs, sample):
    relpath = first_request(window).relpath
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == relpath)
    type_url(qtbot, window, "{{base_url}}/edited-before-rename")
    window.sidebar.select(relpath)
    dialogs.texts.append("Renamed while open")
    window.sidebar.rename_action.trigger()
    qtbot.waitUntil(lambda: window.rest.relpath not in (None, relpath))
    assert window.rest.relpath.endswith("renamed-while-open.yaml")
    assert window.rest.current_request().name == "Renamed while open"
    assert window.rest.dirty  # the typed URL is still unsaved, and still there
    assert window.rest.editor.url.text() == "{{base_url}}/edited-before-rename"

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.rest.dirty)
    saved = (sample / "items" / window.rest.relpath).read_text()
    assert "name: Renamed while open" in saved and "edited-before-rename" in saved
    assert not dialogs.texts  # saved in place: no "save as" name was asked


def test_typing_while_a_save_runs_is_kept(qtbot, window, dialogs, monkeypatch):
    import threading
    import time

    from apiclient.core.store import CollectionStore

    original = CollectionStore.save_request
    writing = threading.Event()

    def slow_save(self, *args, **kwargs):
        writing.set()
        time.sleep(0.4)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CollectionStore, "save_request", slow_save)
    type_url(qtbot, window, "{{base_url}}/first")
    dialogs.texts.append("Slow save")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(writing.is_set)
    qtbot.keyClicks(window.findChild(QLineEdit, "rest.url"), "-and-more")
    qtbot.waitUntil(lambda: window.rest.relpath is not None)
    assert window.rest.editor.url.text() == "{{base_url}}/first-and-more"
    assert window.rest.dirty


def test_a_bare_query_flag_is_sent_as_typed(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/echo?flag&x=1")
    send(qtbot, window, "200")
    qtbot.waitUntil(lambda: '"url"' in body_text(window))
    assert json.loads(body_text(window))["url"].endswith("/echo?flag&x=1")


def test_renaming_the_chosen_environment_is_remembered(qtbot, window, run, settings_path):
    from apiclient.ui.settings import AppSettings

    store = window.workspace.store
    assert window.workspace.environment_name == "Local mocks"
    renamed = store.environments[0].model_copy(update={"name": "Mocks here"})
    run(
        window.workspace.save_variables(
            window.workspace.globals, store.variables, [renamed], {"Mocks here": "Local mocks"}
        )
    )
    assert window.findChild(QComboBox, "environment.picker").currentText() == "Mocks here"
    assert AppSettings(settings_path).environment_for(store.root) == "Mocks here"


def test_opening_another_collection_while_one_loads_keeps_the_newer(
    qtbot, window, sample, tmp_path, run, settings_path, monkeypatch
):
    # A (the start-up collection, say) is still being read when the user opens B; A's
    # read finishes last and must be dropped: not shown, not remembered.
    slow = tmp_path / "slow"
    run(asyncio.to_thread(CollectionStore.create, slow, "Slow"))
    release = threading.Event()
    read = CollectionStore.open

    def held_read(root: Path, **options: Any) -> CollectionStore:
        if root == slow:
            release.wait(timeout=30)
        return read(root, **options)

    monkeypatch.setattr(CollectionStore, "open", held_read)
    opening_slow = asyncio.ensure_future(window.open_collection(slow))
    empty = window.findChild(QLabel, "collections.empty")
    qtbot.waitUntil(lambda: empty.text() == "Loading slow…")
    assert run(window.open_collection(sample))
    release.set()
    qtbot.waitUntil(opening_slow.done)
    assert opening_slow.result() is False
    assert window.workspace.store.root == sample
    assert window.sidebar.title.text() == f"<b>{window.workspace.store.name}</b>"
    assert window.sidebar.tree.isVisible()
    assert AppSettings(settings_path).last_collection() == sample


def test_a_collection_that_fails_to_open_keeps_the_open_tree_as_it_was(
    qtbot, window, sample, tmp_path, run
):
    sidebar = window.sidebar

    def items_expanded() -> bool:
        index = sidebar.proxy.mapFromSource(sidebar.model.index_of("items"))
        return index.isValid() and sidebar.tree.isExpanded(index)

    sidebar.tree.expand(sidebar.proxy.mapFromSource(sidebar.model.index_of("items")))
    assert items_expanded()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "collection.yaml").write_text("name: [\n")
    assert not run(window.open_collection(bad))
    assert window.workspace.store.root == sample
    assert window.findChild(QLabel, "collections.problems").isVisible()
    # The tree is filled again after any change; the folder is still open then.
    run(window.workspace.new_folder("", "Another"))
    assert items_expanded()
