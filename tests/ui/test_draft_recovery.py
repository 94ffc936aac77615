"""Unsaved edits survive a crash: autosaved drafts, restored into a new window, discarded
once saved or dropped, and a broken draft set aside without stopping the start."""

from __future__ import annotations

from draft_helpers import GET_ITEM, draft_file, edit_and_wait_for_draft, open_get_item, url_text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget


def test_unsaved_edits_come_back_in_a_new_window_as_a_dirty_tab(qtbot, make_window, sample):
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, "{{base_url}}/api/items/42")
    # The first window never closes, as after a crash; the file itself is untouched.
    assert "items/42" not in (sample / "items" / GET_ITEM).read_text()

    second = make_window(sample)
    tab = second.rest
    assert tab.relpath == GET_ITEM
    assert url_text(second) == "{{base_url}}/api/items/42"
    assert tab.dirty
    assert second.findChild(QTabWidget, "protocol.tabs").tabText(0) == "REST ●"
    assert tab.notice.isVisible()
    assert tab.notice.text().startswith("Restored unsaved edits from ")


def test_a_new_unsaved_request_comes_back_as_a_draft(qtbot, make_window, sample):
    first = make_window(sample)
    qtbot.keyClick(first, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    edit_and_wait_for_draft(qtbot, first, "{{base_url}}/api/playlists")

    second = make_window(sample)
    assert second.rest.relpath is None
    assert second.rest.dirty
    assert url_text(second) == "{{base_url}}/api/playlists"
    assert "Restored unsaved edits" in second.rest.notice.text()


def test_saving_discards_the_draft(qtbot, make_window, sample):
    window = make_window(sample)
    open_get_item(qtbot, window)
    edit_and_wait_for_draft(qtbot, window, "{{base_url}}/api/items/7")
    with qtbot.waitSignal(window.drafts.draft_discarded, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not draft_file(sample).exists()
    assert "items/7" in (sample / "items" / GET_ITEM).read_text()
    again = make_window(sample)
    assert not again.rest.dirty
    assert not again.rest.notice.isVisible()


def test_dropping_the_edits_discards_the_draft(qtbot, make_window, sample, dialogs):
    window = make_window(sample)
    open_get_item(qtbot, window)
    edit_and_wait_for_draft(qtbot, window, "{{base_url}}/api/items/8")
    with qtbot.waitSignal(window.drafts.draft_discarded, timeout=5000):
        window.close_request()  # Ctrl+W; Discard is answered
    assert any("unsaved changes" in asked for asked in dialogs.asked)
    assert not draft_file(sample).exists()


def test_quitting_and_dropping_the_edits_leaves_no_draft(qtbot, make_window, sample, dialogs):
    window = make_window(sample)
    open_get_item(qtbot, window)
    edit_and_wait_for_draft(qtbot, window, "{{base_url}}/api/items/9")
    window.close()  # asks first; the fake dialog answers Discard
    qtbot.waitUntil(lambda: not window.isVisible())
    assert any("unsaved changes" in asked for asked in dialogs.asked)
    assert not draft_file(sample).exists()


def test_a_broken_draft_is_set_aside_and_reported(qtbot, make_window, sample):
    draft_file(sample).parent.mkdir(parents=True)
    draft_file(sample).write_text("kind: rest\nrequest: {url: [unclosed\n", encoding="utf-8")
    window = make_window(sample)
    status = window.statusBar().currentMessage()
    assert "could not be read" in status and "set aside" in status
    assert not draft_file(sample).exists()
    [aside] = draft_file(sample).parent.glob("rest.yaml.broken-*")
    assert "unclosed" in aside.read_text(encoding="utf-8")
    assert not window.rest.dirty


def test_a_draft_of_another_collection_waits_for_it(qtbot, make_window, sample, tmp_path):
    first = make_window(sample)
    open_get_item(qtbot, first)
    edit_and_wait_for_draft(qtbot, first, "{{base_url}}/api/items/5")
    other = tmp_path / "other"
    (tmp_path / "sample").rename(other)
    second = make_window(other)
    assert not second.rest.dirty
    assert draft_file(sample).exists()
