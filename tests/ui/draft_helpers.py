"""Steps the draft-recovery tests share: where a draft lives, editing the sample's
get-item request, and waiting until the edit is on disk as a draft."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit
from ui_helpers import type_url

from apiclient.core.drafts import DraftStore
from apiclient.core.paths import data_dir

GET_ITEM = "items/get-item.yaml"


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
