"""Changes made to the collection outside the app (a git pull, an editor) are picked up
and never overwrite unsaved edits, nor are overwritten by them."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QLineEdit
from ui_helpers import type_url

GET_ITEM = "items/get-item.yaml"
PULLED = "kind: rest\nname: Get item\nurl: '{{base_url}}/api/items/pulled'\n"


def url_text(window) -> str:
    return window.findChild(QLineEdit, "rest.url").text()


def tree_names(window) -> list[str]:
    model = window.sidebar.model
    names = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            names.append(index.data())
            walk(index)

    walk(QModelIndex())
    return names


def shown(window, name: str) -> bool:
    """Whether a tree row shows ``name`` (rows may carry a method badge too)."""
    return any(name in row for row in tree_names(window))


def write_outside(path, text: str) -> None:
    """As git does: a new file renamed over the old one."""
    tmp = path.with_name("pulled.tmp~")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def watched(qtbot, window):
    qtbot.waitUntil(lambda: window.watcher.watched_paths() != [])
    window.sidebar.request_activated.emit(GET_ITEM)
    qtbot.waitUntil(lambda: window.rest.relpath == GET_ITEM)
    return window


def test_a_clean_open_request_takes_the_new_version(qtbot, watched, sample):
    window = watched
    window.sidebar.select(GET_ITEM)
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        write_outside(sample / "items" / GET_ITEM, PULLED)
    qtbot.waitUntil(lambda: url_text(window) == "{{base_url}}/api/items/pulled")
    assert not window.rest.dirty
    assert not window.rest.notice.isVisible()
    assert window.sidebar.current_relpath() == GET_ITEM  # the selection is kept


def test_an_edit_in_place_is_picked_up_too(qtbot, watched, sample):
    window = watched
    (sample / "items" / GET_ITEM).write_text(PULLED, encoding="utf-8")
    qtbot.waitUntil(lambda: url_text(window) == "{{base_url}}/api/items/pulled", timeout=5000)


def test_a_dirty_request_keeps_its_edits_and_shows_the_conflict(qtbot, watched, sample):
    window = watched
    type_url(qtbot, window, "{{base_url}}/api/items/mine")
    qtbot.waitUntil(lambda: window.rest.dirty)
    path = sample / "items" / GET_ITEM
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        write_outside(path, PULLED)
    tab = window.rest
    assert window.watcher.has_conflict(tab)
    assert tab.notice.isVisible()
    assert "changed on disk" in tab.notice.text()
    assert url_text(window) == "{{base_url}}/api/items/mine"
    assert tab.dirty
    assert path.read_text(encoding="utf-8") == PULLED  # neither side overwritten

    tab.notice.linkActivated.emit("reload")
    assert url_text(window) == "{{base_url}}/api/items/pulled"
    assert not tab.dirty
    assert not tab.notice.isVisible()
    assert not window.watcher.has_conflict(tab)


def test_keep_leaves_the_edits_and_save_overwrites_the_file(qtbot, watched, sample):
    window = watched
    type_url(qtbot, window, "{{base_url}}/api/items/mine")
    qtbot.waitUntil(lambda: window.rest.dirty)
    path = sample / "items" / GET_ITEM
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        write_outside(path, PULLED)
    window.rest.notice.linkActivated.emit("keep")
    assert not window.rest.notice.isVisible()
    assert url_text(window) == "{{base_url}}/api/items/mine"
    assert window.rest.dirty
    assert path.read_text(encoding="utf-8") == PULLED
    window.save()
    qtbot.waitUntil(lambda: not window.rest.dirty)
    assert "items/mine" in path.read_text(encoding="utf-8")


def test_a_new_file_on_disk_shows_up_in_the_tree(qtbot, watched, sample):
    window = watched
    new_file = sample / "items" / "items" / "pulled-request.yaml"
    new_file.write_text("kind: rest\nname: Pulled from git\nurl: http://x\n", encoding="utf-8")
    qtbot.waitUntil(lambda: shown(window, "Pulled from git"), timeout=5000)


def test_a_deleted_open_file_leaves_an_unsaved_draft(qtbot, watched, sample):
    window = watched
    assert shown(window, "Get item")
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        (sample / "items" / GET_ITEM).unlink()
    tab = window.rest
    assert tab.relpath is None
    assert tab.dirty
    assert url_text(window) == "{{base_url}}/api/items/{{item_id}}"
    assert "deleted on disk" in tab.notice.text()
    assert not shown(window, "Get item")


def test_a_broken_pull_is_reported_and_the_rest_stays(qtbot, watched, sample):
    window = watched
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        write_outside(sample / "items" / GET_ITEM, "kind: rest\nurl: [<<<<<<< HEAD\n")
    assert not window.sidebar.problems.isHidden()
    assert "get-item.yaml" in window.sidebar.problems.text()
    assert window.rest.relpath is None  # no longer in the collection: kept as a draft
    assert url_text(window) == "{{base_url}}/api/items/{{item_id}}"


def test_an_edit_in_place_after_a_file_was_replaced_is_picked_up(qtbot, watched, sample):
    # The first write replaces the file (a new file under the old name, as git and the
    # app's own saves do); the watch must follow it, or the edit in place is missed.
    window = watched
    path = sample / "items" / GET_ITEM
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        write_outside(path, PULLED)
    qtbot.waitUntil(lambda: str(path) in window.watcher.watched_paths())
    again = PULLED.replace("pulled", "edited-in-place")
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        path.write_text(again, encoding="utf-8")
    qtbot.waitUntil(lambda: url_text(window) == "{{base_url}}/api/items/edited-in-place")


def test_only_paths_that_came_or_went_are_watched_anew(qtbot, watched, sample):
    window = watched
    before = set(window.watcher.watched_paths())
    new = sample / "items" / "items" / "new-one.yaml"
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        new.write_text("kind: rest\nname: New one\n", encoding="utf-8")
    qtbot.waitUntil(lambda: str(new) in window.watcher.watched_paths())
    assert set(window.watcher.watched_paths()) == before | {str(new)}
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        new.unlink()
    qtbot.waitUntil(lambda: set(window.watcher.watched_paths()) == before)
