"""Never lose work (issue 9): drafts come back whenever their collection is opened, a draft
over a file changed since shows the conflict, the app's own saves are not taken for an
outside change, crash leftovers are cleaned, the environment and the close prompt hold."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from draft_helpers import GET_ITEM, draft_file, edit_and_wait_for_draft, open_get_item, url_text
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QMessageBox
from ui_helpers import type_url

from apiclient.core import drafts as core_drafts
from apiclient.core.drafts import Draft, DraftStore
from apiclient.core.models import RestRequest
from apiclient.core.paths import data_dir
from apiclient.ui import collection_watcher
from apiclient.ui import dialogs as app_dialogs
from apiclient.ui.draft_keeper import RESTORE_KEPT_LINK
from apiclient.ui.settings import AppSettings
from apiclient.ui.workspace import Workspace

MINE = "{{base_url}}/api/items/mine"
FROM_OTHER = "{{base_url}}/api/items/from-other"
FROM_NOWHERE = "{{base_url}}/api/items/typed-with-no-collection"
PULLED_URL = "{{base_url}}/api/items/pulled"
PULLED = f"kind: rest\nname: Get item\nurl: '{PULLED_URL}'\n"


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


def test_a_draft_met_by_edits_typed_first_is_offered_not_buried(
    qtbot, make_window, run, sample, tmp_path
):
    other = tmp_path / "other"
    shutil.copytree(sample, other)
    first = make_window(other)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, FROM_OTHER)

    # A new request typed before the collection's drafts are back (as in the blank tab
    # while the app starts): it is never replaced unasked.
    second = make_window(sample)
    qtbot.keyClick(second, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_url(qtbot, second, MINE)
    qtbot.waitUntil(lambda: second.rest.dirty)
    with qtbot.waitSignal(second.drafts.drafts_restored, timeout=5000) as restored:
        run(second.workspace.open_collection(other))  # a way in that does not ask first
    assert restored.args == [[]]
    tab = second.rest
    assert url_text(second) == MINE
    assert tab.dirty
    [kept] = draft_file(other).parent.glob("rest.yaml.kept-*")
    assert FROM_OTHER in kept.read_text(encoding="utf-8")
    assert "were not restored" in tab.notice.text()
    assert str(kept) in tab.notice.text()
    assert "Restore these edits instead" in tab.notice.text()
    # The new request's edits are autosaved in the open collection, the kept draft untouched.
    qtbot.waitUntil(lambda: draft_file(other).exists(), timeout=5000)
    assert FROM_OTHER in kept.read_text(encoding="utf-8")

    # The link swaps the kept edits in; the tab's own are kept aside in their turn.
    with qtbot.waitSignal(second.drafts.draft_swapped, timeout=5000):
        tab.notice.linkActivated.emit(RESTORE_KEPT_LINK)
    assert url_text(second) == FROM_OTHER
    assert tab.relpath == GET_ITEM
    assert tab.dirty
    assert not kept.exists()
    assert FROM_OTHER in draft_file(other).read_text(encoding="utf-8")
    [aside] = draft_file(other).parent.glob("rest.yaml.kept-*")
    assert MINE in aside.read_text(encoding="utf-8")
    assert str(aside) in tab.notice.text()

    with qtbot.waitSignal(second.drafts.draft_swapped, timeout=5000):
        tab.notice.linkActivated.emit(RESTORE_KEPT_LINK)
    assert url_text(second) == MINE
    assert tab.relpath is None
    assert MINE in draft_file(other).read_text(encoding="utf-8")
    [back] = draft_file(other).parent.glob("rest.yaml.kept-*")
    assert FROM_OTHER in back.read_text(encoding="utf-8")


def test_drafts_kept_aside_earlier_are_named_and_offered(qtbot, make_window, sample):
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, MINE)
    kept = DraftStore(data_dir() / "drafts").set_aside("rest", sample)
    second = make_window(sample)
    tab = second.rest
    assert not tab.dirty
    assert kept.name in second.statusBar().currentMessage()
    assert str(kept) in tab.notice.text()
    with qtbot.waitSignal(second.drafts.draft_swapped, timeout=5000):
        tab.notice.linkActivated.emit(RESTORE_KEPT_LINK)
    assert url_text(second) == MINE
    assert tab.relpath == GET_ITEM
    assert tab.dirty
    assert not kept.exists()
    assert list(draft_file(sample).parent.glob("rest.yaml.kept-*")) == []  # nothing to keep


def test_a_kept_draft_swapped_in_closes_the_same_file_open_clean_elsewhere(
    qtbot, make_window, sample, settings_path
):
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, MINE)
    DraftStore(data_dir() / "drafts").set_aside("rest", sample)
    remembered = AppSettings(settings_path)
    remembered.set_open_requests_for(sample, [])  # the next window opens on a blank tab
    remembered.sync()
    second = make_window(sample)
    kept_tab = second.rest  # slot "rest" offers the kept draft of get-item
    second.open_saved_request("items/list-items.yaml")  # into that blank sub-tab
    second.open_saved_request(GET_ITEM)  # the file, clean, in a second sub-tab
    group = second.open_requests("rest")
    assert [t.relpath for t in group.tabs()] == ["items/list-items.yaml", GET_ITEM]
    assert kept_tab.relpath == "items/list-items.yaml"

    with qtbot.waitSignal(second.drafts.draft_swapped, timeout=5000):
        kept_tab.notice.linkActivated.emit(RESTORE_KEPT_LINK)
    # The kept edits of get-item are in their sub-tab; the clean copy of the file went.
    qtbot.waitUntil(lambda: len(group.tabs()) == 1)
    assert group.tabs() == [kept_tab]
    assert kept_tab.relpath == GET_ITEM and kept_tab.dirty and url_text(second) == MINE


def test_a_draft_recorded_for_another_path_is_set_aside_and_offered(
    qtbot, make_window, sample, tmp_path
):
    drafts = DraftStore(data_dir() / "drafts")
    elsewhere = tmp_path / "moved-away"
    drafts.save(Draft("rest", elsewhere, None, RestRequest(url=FROM_OTHER), datetime.now(UTC)))
    draft_file(sample).parent.mkdir(parents=True)
    drafts.path("rest", elsewhere).rename(draft_file(sample))  # e.g. a re-pointed symlink
    window = make_window(sample)
    assert not window.rest.dirty
    [kept] = draft_file(sample).parent.glob("rest.yaml.kept-*")
    assert FROM_OTHER in kept.read_text(encoding="utf-8")
    assert str(kept) in window.rest.notice.text()
    with qtbot.waitSignal(window.drafts.draft_swapped, timeout=5000):
        window.rest.notice.linkActivated.emit(RESTORE_KEPT_LINK)
    assert url_text(window) == FROM_OTHER
    assert window.rest.dirty


def test_edits_typed_with_no_collection_open_come_back_into_an_empty_tab(make_window, sample):
    drafts = DraftStore(data_dir() / "drafts")
    drafts.save(Draft("rest", None, None, RestRequest(url=FROM_NOWHERE), datetime.now(UTC)))
    window = make_window(sample)
    assert window.rest.relpath is None
    assert window.rest.dirty
    assert url_text(window) == FROM_NOWHERE
    assert window.rest.notice.text().startswith("Restored unsaved edits from ")


def test_edits_typed_with_no_collection_open_are_reported_when_the_tab_is_busy(
    qtbot, make_window, sample
):
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, MINE)
    drafts = DraftStore(data_dir() / "drafts")
    drafts.save(Draft("rest", None, None, RestRequest(url=FROM_NOWHERE), datetime.now(UTC)))
    second = make_window(sample)
    assert url_text(second) == MINE
    status = second.statusBar().currentMessage()
    assert "no collection was open" in status
    assert str(drafts.path("rest", None)) in status
    assert drafts.path("rest", None).exists()


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


def draft_doc(collection: Path) -> dict:
    return yaml.safe_load(draft_file(collection).read_text(encoding="utf-8"))


def test_a_restored_conflict_survives_a_second_crash(qtbot, make_window, run, sample):
    crash_with_a_draft_then_pull(qtbot, make_window, sample)
    first_draft = draft_doc(sample)
    second = make_window(sample)
    assert second.watcher.has_conflict(second.rest)
    # Left as it is, the restored draft is not written again.
    timer = second.drafts.findChild(QTimer, "drafts.autosave.rest")
    qtbot.waitUntil(lambda: not timer.isActive(), timeout=5000)
    run(second.drafts.aclose())  # a write the timer queued is done
    assert draft_doc(sample) == first_draft
    # Edited further, it keeps the base and the time of the edits made before the pull.
    with qtbot.waitSignal(second.drafts.draft_written, timeout=5000):
        type_url(qtbot, second, MINE + "/more")
    written = draft_doc(sample)
    assert written["request"]["url"] == MINE + "/more"
    assert (written["base"], written["saved_at"]) == (first_draft["base"], first_draft["saved_at"])

    third = make_window(sample)  # the second crashed too
    assert url_text(third) == MINE + "/more"
    assert third.watcher.has_conflict(third.rest)
    assert "changed on disk" in third.rest.notice.text()


def test_keeping_restored_edits_settles_the_conflict_for_good(qtbot, make_window, sample):
    crash_with_a_draft_then_pull(qtbot, make_window, sample)
    second = make_window(sample)
    with qtbot.waitSignal(second.drafts.draft_written, timeout=5000):
        second.rest.notice.linkActivated.emit("keep")
    third = make_window(sample)
    assert url_text(third) == MINE
    assert third.rest.dirty
    assert not third.watcher.has_conflict(third.rest)


def test_fingerprints_are_taken_in_workers(qtbot, make_window, sample, monkeypatch):
    on_gui_thread = []
    real = core_drafts.request_fingerprint

    def recording(request):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real(request)

    monkeypatch.setattr(core_drafts, "request_fingerprint", recording)
    crash_with_a_draft_then_pull(qtbot, make_window, sample)  # autosaves a draft
    window = make_window(sample)  # restores it over the pulled file
    assert window.watcher.has_conflict(window.rest)
    assert on_gui_thread and not any(on_gui_thread)


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


def test_a_pull_that_only_reorders_around_a_broken_file_is_picked_up(run, sample):
    folder = sample / "items" / "items"
    (folder / "broken.yaml").write_text("kind: rest\nurl: [unclosed\n", encoding="utf-8")
    settings = folder / "folder.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("order:\n", "order:\n  - broken\n"), encoding="utf-8")
    workspace = Workspace()
    run(workspace.open_collection(sample))
    assert run(workspace.reload()) is False  # nothing changed
    write_outside(settings, text.replace("order:\n", "order:\n  - list-items\n  - broken\n"))
    assert run(workspace.reload()) is True  # only where the broken file sits changed


def test_closing_stops_a_restore_still_reading(qtbot, window, run, monkeypatch):
    reading = threading.Event()

    def slow_load(self, collection):
        reading.wait(10)
        return []

    monkeypatch.setattr(DraftStore, "load", slow_load)
    window.workspace.collection_opened.emit()  # as when another collection opens
    try:
        run(window.drafts.aclose())
        assert not [
            t for t in asyncio.all_tasks() if "_restore" in repr(t.get_coro()) and not t.done()
        ]
    finally:
        reading.set()


# -- leftovers of a crash --------------------------------------------------------------------


def test_stale_temporary_files_go_when_a_collection_is_opened(qtbot, make_window, sample):
    stale = plant(sample / "items" / "items" / ".get-item.yaml.0badc0de.tmp", 120)
    fresh = plant(sample / ".collection.yaml.deadbeef.tmp", 0)
    other = plant(sample / "items" / ".notes.tmp", 120)  # not a name atomic writes use
    window = make_window(sample)
    qtbot.waitUntil(lambda: not stale.exists(), timeout=5000)
    assert window.watcher.watched_paths() != []
    assert fresh.exists()
    assert other.exists()


def test_a_collection_is_watched_before_leftovers_are_cleaned(
    qtbot, make_window, sample, monkeypatch
):
    cleaning = threading.Event()
    real = collection_watcher.remove_crash_leftovers

    def held_back(root: Path) -> list[Path]:
        cleaning.wait(10)
        return real(root)

    monkeypatch.setattr(collection_watcher, "remove_crash_leftovers", held_back)
    stale = plant(sample / "items" / "items" / ".get-item.yaml.0badc0de.tmp", 120)
    window = make_window(sample)
    qtbot.waitUntil(lambda: window.watcher.watched_paths() != [], timeout=5000)
    assert stale.exists()  # the clean-up is still held back
    cleaning.set()
    qtbot.waitUntil(lambda: not stale.exists(), timeout=5000)


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
