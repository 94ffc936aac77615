"""Never lose work (issue 9): drafts come back whenever their collection is opened, a draft
over a file changed since shows the conflict, the app's own saves are not taken for an
outside change, crash leftovers are cleaned, the environment and the close prompt hold."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox
from ui_helpers import type_url

from apiclient.core.drafts import DraftStore
from apiclient.core.paths import data_dir
from apiclient.ui import dialogs as app_dialogs

GET_ITEM = "items/get-item.yaml"
MINE = "{{base_url}}/api/items/mine"
PULLED_URL = "{{base_url}}/api/items/pulled"
PULLED = f"kind: rest\nname: Get item\nurl: '{PULLED_URL}'\n"


def draft_file(collection: Path, kind: str = "rest") -> Path:
    return DraftStore(data_dir() / "drafts").path(kind, collection)


def url_text(window) -> str:
    return window.findChild(QLineEdit, "rest.url").text()


def open_get_item(qtbot, window) -> None:
    window.sidebar.request_activated.emit(GET_ITEM)
    qtbot.waitUntil(lambda: window.rest.relpath == GET_ITEM)


def edit_and_wait_for_draft(qtbot, window, url: str) -> None:
    with qtbot.waitSignal(window.drafts.draft_written, timeout=5000):
        type_url(qtbot, window, url)
    assert draft_file(window.workspace.store.root).exists()


def write_outside(path: Path, text: str) -> None:
    """As git does: a new file renamed over the old one."""
    tmp = path.with_name("pulled.tmp~")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def plant(path: Path, age_s: float) -> Path:
    """A temporary file as an interrupted atomic write leaves it, ``age_s`` seconds old."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("half a write", encoding="utf-8")
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


# -- drafts of a collection opened later ---------------------------------------------------


def test_drafts_come_back_when_their_collection_is_opened_later(
    qtbot, make_window, sample, tmp_path, monkeypatch
):
    other = tmp_path / "other"
    shutil.copytree(sample, other)
    first = make_window(other)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, "{{base_url}}/api/items/from-other")

    # Restarted on another collection; typing in the same kind of tab there keeps the
    # other collection's draft.
    second = make_window(sample)
    assert not second.rest.dirty
    open_get_item(qtbot, second)
    edit_and_wait_for_draft(qtbot, second, "{{base_url}}/api/items/from-sample")
    assert draft_file(other).exists()

    async def choose_other(*_args: object) -> str:
        return str(other)

    monkeypatch.setattr(app_dialogs, "existing_directory", choose_other)
    with qtbot.waitSignal(second.drafts.drafts_restored, timeout=5000) as restored:
        qtbot.keyClick(second, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert restored.args == [["rest"]]
    assert second.workspace.store.root == other
    tab = second.rest
    assert tab.relpath == GET_ITEM
    assert tab.dirty
    assert url_text(second) == "{{base_url}}/api/items/from-other"
    assert tab.notice.text().startswith("Restored unsaved edits from ")
    # The sample's edits were dropped by choice (the prompt was answered Discard).
    qtbot.waitUntil(lambda: not draft_file(sample).exists())


def test_a_tab_with_edits_is_never_replaced_by_a_draft(qtbot, make_window, run, sample, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(sample, other)
    first = make_window(other)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, "{{base_url}}/api/items/from-other")

    second = make_window(sample)
    open_get_item(qtbot, second)
    type_url(qtbot, second, MINE)
    qtbot.waitUntil(lambda: second.rest.dirty)
    with qtbot.waitSignal(second.drafts.drafts_restored, timeout=5000) as restored:
        run(second.workspace.open_collection(other))  # a way in that does not ask first
    assert restored.args == [[]]
    assert url_text(second) == MINE
    assert second.rest.dirty
    [kept] = draft_file(other).parent.glob("rest.yaml.kept-*")
    assert "from-other" in kept.read_text(encoding="utf-8")
    assert "were not restored" in second.rest.notice.text()
    assert str(kept) in second.rest.notice.text()
    # The tab's own edits are autosaved again, without touching the kept draft.
    qtbot.waitUntil(lambda: draft_file(other).exists(), timeout=5000)
    assert "from-other" in kept.read_text(encoding="utf-8")


# -- a draft over a file that changed since --------------------------------------------------


def crash_with_a_draft_then_pull(qtbot, make_window, sample) -> None:
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, MINE)
    first.watcher.stop()  # the app is gone: nobody sees the pull
    write_outside(sample / "items" / GET_ITEM, PULLED)


def test_a_draft_over_a_file_changed_since_shows_the_conflict(qtbot, make_window, sample):
    crash_with_a_draft_then_pull(qtbot, make_window, sample)
    window = make_window(sample)
    tab = window.rest
    assert url_text(window) == MINE
    assert tab.dirty
    assert window.watcher.has_conflict(tab)
    notice = tab.notice.text()
    assert notice.startswith("Restored unsaved edits from ")
    assert "changed on disk" in notice
    assert "Reload" in notice and "Keep my edits" in notice

    with qtbot.waitSignal(window.drafts.draft_discarded, timeout=5000):
        tab.notice.linkActivated.emit("reload")
    assert url_text(window) == PULLED_URL
    assert not tab.dirty
    assert not window.watcher.has_conflict(tab)
    assert not draft_file(sample).exists()


def test_keeping_the_restored_edits_over_the_pull(qtbot, make_window, sample):
    crash_with_a_draft_then_pull(qtbot, make_window, sample)
    window = make_window(sample)
    window.rest.notice.linkActivated.emit("keep")
    assert not window.rest.notice.isVisible()
    assert url_text(window) == MINE
    assert window.rest.dirty
    assert draft_file(sample).exists()
    assert PULLED_URL in (sample / "items" / GET_ITEM).read_text(encoding="utf-8")


def test_a_draft_over_an_unchanged_file_is_no_conflict(qtbot, make_window, sample):
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, MINE)
    second = make_window(sample)
    assert second.rest.dirty
    assert not second.watcher.has_conflict(second.rest)
    assert "changed on disk" not in second.rest.notice.text()


# -- the app's own saves -----------------------------------------------------------------------


def watched_with_edits(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.watcher.watched_paths() != [])
    open_get_item(qtbot, window)
    type_url(qtbot, window, MINE)
    qtbot.waitUntil(lambda: window.rest.dirty)


def test_the_apps_own_save_is_not_taken_for_an_outside_change(qtbot, window):
    watched_with_edits(qtbot, window)
    with (
        qtbot.assertNotEmitted(window.watcher.reloaded),
        qtbot.assertNotEmitted(window.workspace.collection_opened),
        qtbot.waitSignal(window.watcher.skipped, timeout=5000),
    ):
        window.save()
    assert not window.rest.dirty
    assert url_text(window) == MINE


def test_an_outside_change_right_after_a_save_is_still_picked_up(qtbot, window, sample):
    watched_with_edits(qtbot, window)
    window.save()
    qtbot.waitUntil(lambda: not window.rest.dirty)
    with qtbot.waitSignal(window.watcher.reloaded, timeout=5000):
        write_outside(sample / "items" / GET_ITEM, PULLED)
    qtbot.waitUntil(lambda: url_text(window) == PULLED_URL, timeout=5000)
    assert not window.rest.dirty


# -- leftovers of a crash --------------------------------------------------------------------


def test_stale_temporary_files_go_when_a_collection_is_opened(qtbot, make_window, sample):
    stale = plant(sample / "items" / "items" / ".get-item.yaml.0badc0de.tmp", 120)
    fresh = plant(sample / ".collection.yaml.deadbeef.tmp", 0)
    other = plant(sample / "items" / ".notes.tmp", 120)  # not a name atomic writes use
    window = make_window(sample)
    qtbot.waitUntil(lambda: window.watcher.watched_paths() != [])  # cleaned before watching
    assert not stale.exists()
    assert fresh.exists()
    assert other.exists()


def test_stale_temporary_files_in_the_data_dir_go_at_start(make_window, sample):
    stale = plant(data_dir() / "drafts" / "api-0123" / ".rest.yaml.0badc0de.tmp", 120)
    stale_top = plant(data_dir() / ".globals.yaml.12345678.tmp", 120)
    fresh = plant(data_dir() / "drafts" / "api-0123" / ".soap.yaml.deadbeef.tmp", 0)
    make_window(sample)  # the start-up waits for the drafts, read after the clean-up
    assert not stale.exists()
    assert not stale_top.exists()
    assert fresh.exists()


# -- the environment and the close prompt -----------------------------------------------------


def test_the_chosen_environment_comes_back_after_a_crash(make_window, sample):
    first = make_window(sample)
    picker = first.findChild(QComboBox, "environment.picker")
    picker.setCurrentIndex(picker.findData(""))  # "No environment", not the default
    second = make_window(sample)  # the first window never closed
    assert second.workspace.environment_name == ""
    assert second.findChild(QComboBox, "environment.picker").currentText() == "No environment"


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_them(qtbot, window, dialogs):
    open_get_item(qtbot, window)
    type_url(qtbot, window, MINE)
    qtbot.waitUntil(lambda: window.rest.dirty)
    dialogs.answers.append(QMessageBox.StandardButton.Cancel)
    window.close()
    qtbot.waitUntil(lambda: bool(dialogs.asked))
    assert "unsaved changes" in dialogs.asked[-1]
    assert window.isVisible()
    assert window.rest.dirty
    assert url_text(window) == MINE


def test_closing_and_saving_writes_the_file(qtbot, window, dialogs, sample):
    open_get_item(qtbot, window)
    type_url(qtbot, window, MINE)
    qtbot.waitUntil(lambda: window.rest.dirty)
    dialogs.answers.append(QMessageBox.StandardButton.Save)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert MINE in (sample / "items" / GET_ITEM).read_text(encoding="utf-8")
    assert not draft_file(sample).exists()
