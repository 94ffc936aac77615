"""Importing through the window: File > Import…, dropped files, Import curl…"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from big_postman import write_big_postman
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
)
from pytestqt.qtbot import QtBot

from apiclient.core.importers import ImportResult
from apiclient.core.importers.progress import ImportProgress
from apiclient.core.models import Auth, ClientCertificate, Collection, RestRequest
from apiclient.core.store import FolderNode, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.ui import dialogs as app_dialogs
from apiclient.ui.import_dialog import ImportSummaryDialog
from apiclient.ui.import_progress import ImportProgressView
from apiclient.ui.main_window import MainWindow

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
POSTMAN: dict[str, Any] = {
    "info": {"name": "Shop", "schema": V21},
    "item": [
        {
            "name": "Items",
            "item": [
                {"name": "List items", "request": {"method": "GET", "url": "{{base}}/api/items"}},
                {
                    "name": "Create item",
                    "request": {
                        "method": "POST",
                        "url": "{{base}}/api/items",
                        "body": {"mode": "raw", "raw": '{"name": "pen"}'},
                    },
                },
            ],
        },
        {
            "name": "Signed",
            "request": {
                "method": "GET",
                "url": "{{base}}/signed",
                "auth": {"type": "edgegrid", "edgegrid": [{"key": "accessToken", "value": "x"}]},
            },
        },
        {
            "name": "Ask",
            "request": {
                "method": "POST",
                "url": "{{base}}/graphql",
                "body": {"mode": "graphql", "graphql": {"query": "{ items { id } }"}},
            },
        },
    ],
}


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the file dialogs answer with, in order ("" when the list is empty)."""
    answers: list[str] = []

    async def open_file(*_args: Any, **_kwargs: Any) -> str:
        return answers.pop(0) if answers else ""

    async def existing_directory(*_args: Any, **_kwargs: Any) -> str:
        return answers.pop(0) if answers else ""

    monkeypatch.setattr(app_dialogs, "open_file", open_file)
    monkeypatch.setattr(app_dialogs, "existing_directory", existing_directory)
    return answers


def _postman(
    tmp_path: Path, doc: Any = POSTMAN, name: str = "shop.postman_collection.json"
) -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _summary(qtbot: QtBot, window: MainWindow) -> ImportSummaryDialog:
    found: list[ImportSummaryDialog] = []

    def shown() -> bool:
        dialog = window.findChild(ImportSummaryDialog, "import.summary")
        if dialog is not None and dialog.isVisible():
            found.append(dialog)
            return True
        return False

    qtbot.waitUntil(shown)
    return found[0]


def _trigger_import(window: MainWindow) -> None:
    window.findChild(QAction, "action.import").trigger()


def _finish(qtbot: QtBot, window: MainWindow, timeout: int = 5000) -> None:
    qtbot.waitUntil(
        lambda: window.importer.task is not None and window.importer.task.done(), timeout=timeout
    )
    window.importer.task.result()


def _request_names(node: FolderNode) -> list[str]:
    return [n.request.name for n in walk(node) if isinstance(n, RequestNode)]


def test_import_a_postman_file_into_a_new_collection(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    files.append(str(_postman(tmp_path)))

    _trigger_import(window)
    dialog = _summary(qtbot, window)

    assert dialog.findChild(QLabel, "import.source").text() == "Postman collection"
    counts = dialog.findChild(QLabel, "import.counts").text()
    assert counts == "4 requests (3 REST, 1 GraphQL) in 1 folder"
    warnings = dialog.findChild(QPlainTextEdit, "import.warnings")
    assert warnings.isReadOnly() and "edgegrid" in warnings.toPlainText()
    dialog.findChild(QPushButton, "import.copy_warnings").click()
    assert "edgegrid" in QGuiApplication.clipboard().text()
    assert dialog.findChild(QRadioButton, "import.new").isChecked()
    folder = Path(dialog.findChild(QLineEdit, "import.folder").text())
    assert folder.parent.name == "collections" and folder.name == "shop"

    dialog.findChild(QPushButton, "import.accept").click()
    _finish(qtbot, window)

    store = window.workspace.store
    assert store is not None and store.root == folder
    assert store.name == "Shop"
    assert _request_names(store.tree) == ["List items", "Create item", "Signed", "Ask"]
    assert window.windowTitle().startswith("Shop")
    assert window.statusBar().currentMessage() == (
        "Imported 4 requests from shop.postman_collection.json"
    )
    qtbot.waitUntil(lambda: window.findChild(ImportSummaryDialog) is None)


def test_add_an_import_to_the_open_collection_as_a_folder(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path, sample: Path
) -> None:
    files.append(str(_postman(tmp_path)))
    before = len(window.workspace.tree.children)

    _trigger_import(window)
    dialog = _summary(qtbot, window)
    add = dialog.findChild(QRadioButton, "import.add")
    assert add.isEnabled() and "as a new folder 'Shop'" in add.text()
    add.click()
    assert not dialog.findChild(QLineEdit, "import.folder").isEnabled()
    dialog.findChild(QPushButton, "import.accept").click()
    _finish(qtbot, window)

    assert window.workspace.store.root == sample
    tree = window.workspace.tree
    assert len(tree.children) == before + 1
    added = tree.children[-1]
    assert isinstance(added, FolderNode) and added.name == "Shop"
    assert _request_names(added) == ["List items", "Create item", "Signed", "Ask"]
    assert window.sidebar.tree.currentIndex().data() == "Shop"


def _bearer(token: str) -> dict[str, Any]:
    return {"type": "bearer", "bearer": [{"key": "token", "value": token}]}


def test_an_import_added_to_the_open_collection_keeps_its_own_auth(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path, run: Any
) -> None:
    """Requests added to the open collection never inherit its credentials: they would
    send them to the imported API's host."""
    run(window.workspace.save_folder_auth("", Auth(kind="bearer", token="MINE")))
    basic = {
        "type": "basic",
        "basic": [{"key": "username", "value": "ann"}, {"key": "password", "value": "pw"}],
    }
    doc = {
        "info": {"name": "Other", "schema": V21},
        "auth": _bearer("OTHER"),
        "item": [
            {"name": "Top", "request": {"method": "GET", "url": "https://other.test/top"}},
            {
                "name": "Locked",
                "auth": basic,
                "item": [{"name": "In", "request": {"method": "GET", "url": "https://o.test/"}}],
            },
        ],
    }
    plain = {"info": {"name": "Plain", "schema": V21}, "item": doc["item"][:1]}
    for name, what in (("other", doc), ("plain", plain)):
        files.append(str(_postman(tmp_path, what, f"{name}.postman_collection.json")))
        _trigger_import(window)
        dialog = _summary(qtbot, window)
        dialog.findChild(QRadioButton, "import.add").click()
        dialog.findChild(QPushButton, "import.accept").click()
        _finish(qtbot, window)

    def effective(relpath: str) -> tuple[str, str, str, str]:
        node = window.workspace.find(relpath)
        assert isinstance(node, RequestNode)
        auth, where = window.workspace.effective_auth(relpath, node.request.auth)
        return auth.kind, auth.token or auth.username, auth.password, where

    other, plain_folder = (n.relpath for n in window.workspace.tree.children[-2:])
    top, locked = (n.relpath for n in window.workspace.find(other).children)
    inner = window.workspace.find(locked).children[0].relpath
    assert effective(top) == ("bearer", "OTHER", "", "folder 'Other'")
    assert effective(inner) == ("basic", "ann", "pw", "folder 'Locked'")
    plain_top = window.workspace.find(plain_folder).children[0].relpath
    assert effective(plain_top) == ("none", "", "", "folder 'Plain'")
    assert window.workspace.folder_auth("").token == "MINE"


def test_imported_client_certificates_join_the_open_collections(
    window: MainWindow, run: Any
) -> None:
    """A host the open collection already has a certificate for keeps it."""
    mine = ClientCertificate(host="api.test", pfx_file="/certs/mine.p12")
    run(window.workspace.save_client_certificates([mine]))
    theirs = ClientCertificate(host="API.test", pfx_file="/certs/theirs.p12")
    new = ClientCertificate(host="other.test:8443", cert_file="/c.pem", key_file="/k.pem")
    collection = Collection(
        name="Certs",
        client_certificates=[theirs, new],
        items=[RestRequest(name="One", url="https://other.test:8443/")],
    )
    result = ImportResult(collection, (), "Postman collection")

    folder, kept = run(
        window.importer._add_to_open(result, ImportProgress(), ImportProgressView(), 1)
    )

    assert folder and kept == ["API.test"]
    assert window.workspace.client_certificates() == [mine, new]


def test_a_postman_environment_is_added_to_the_open_collection(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    taken = window.workspace.environments()[0].name
    doc = {
        "name": taken,
        "_postman_variable_scope": "environment",
        "values": [{"key": "host", "value": "127.0.0.1", "enabled": True}],
    }
    files.append(str(_postman(tmp_path, doc, "env.postman_environment.json")))

    _trigger_import(window)
    dialog = _summary(qtbot, window)
    assert dialog.findChild(QRadioButton, "import.add").isChecked()
    dialog.findChild(QPushButton, "import.accept").click()
    _finish(qtbot, window)

    names = [env.name for env in window.workspace.environments()]
    assert f"{taken} (imported)" in names and taken in names
    assert window.statusBar().currentMessage() == (
        "Imported 1 environment from env.postman_environment.json"
    )


def test_a_broken_file_shows_the_sentence_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    files.append(str(_postman(tmp_path, json.dumps(POSTMAN)[:90])))
    tree_before = _request_names(window.workspace.tree)

    _trigger_import(window)
    dialog = _summary(qtbot, window)

    error = dialog.findChild(QLabel, "import.error")
    assert error.isVisible()
    assert "is not valid JSON (line 1" in error.text()
    assert "Traceback" not in error.text()
    assert dialog.findChild(QPushButton, "import.accept") is None
    dialog.reject()
    _finish(qtbot, window)
    assert _request_names(window.workspace.tree) == tree_before


def test_a_destination_in_use_is_said_in_the_dialog_which_stays_open(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    files.append(str(_postman(tmp_path)))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")

    _trigger_import(window)
    dialog = _summary(qtbot, window)
    field = dialog.findChild(QLineEdit, "import.folder")
    error = dialog.findChild(QLabel, "import.error")
    field.setText("")
    dialog.findChild(QPushButton, "import.accept").click()
    qtbot.waitUntil(error.isVisible)
    assert "Give the full path" in error.text()
    field.setText(str(busy))
    dialog.findChild(QPushButton, "import.accept").click()

    qtbot.waitUntil(lambda: "not empty" in error.text())
    assert dialog.isVisible()
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    dialog.findChild(QPushButton, "import.cancel").click()
    _finish(qtbot, window)


def test_the_folder_button_chooses_where_the_collection_goes(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    files.append(str(_postman(tmp_path)))
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "shop").mkdir()
    (target / "shop" / "x.txt").write_text("taken", encoding="utf-8")
    files.append(str(target))

    _trigger_import(window)
    dialog = _summary(qtbot, window)
    dialog.findChild(QPushButton, "import.browse").click()
    field = dialog.findChild(QLineEdit, "import.folder")
    qtbot.waitUntil(lambda: field.text() == str(target / "shop-2"))
    dialog.findChild(QPushButton, "import.accept").click()
    _finish(qtbot, window)

    assert window.workspace.store.root == target / "shop-2"


def test_a_file_dropped_on_the_window_is_imported(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = _postman(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )

    QApplication.sendEvent(window, drop)

    dialog = _summary(qtbot, window)
    assert dialog.windowTitle() == "Import shop.postman_collection.json"
    assert dialog.findChild(QLabel, "import.counts").text().startswith("4 requests")
    dialog.findChild(QPushButton, "import.cancel").click()
    _finish(qtbot, window)


def test_import_curl_opens_a_rest_draft(qtbot: QtBot, window: MainWindow) -> None:
    window.findChild(QAction, "action.import_curl").trigger()
    qtbot.waitUntil(lambda: _visible(window, "import.curl"))
    dialog = window.findChild(QDialog, "import.curl")
    text = dialog.findChild(QPlainTextEdit, "import.curl.text")
    text.setPlainText("curl -X PATCH 'http://127.0.0.1:8080/api/items/1")
    dialog.findChild(QPushButton, "import.curl.open").click()
    error = dialog.findChild(QLabel, "import.curl.error")
    qtbot.waitUntil(error.isVisible)
    assert "quote" in error.text()

    text.setPlainText(
        "curl -X PATCH 'http://127.0.0.1:8080/api/items/1' -H 'X-Trace: abc' "
        "-H 'Content-Type: application/json' -d '{\"name\": \"pen\"}' --frobnicate"
    )
    dialog.findChild(QPushButton, "import.curl.open").click()
    _finish(qtbot, window)

    tab = window.rest
    assert window.tabs.currentWidget() is tab
    request = tab.current_request()
    assert request.method == "PATCH"
    assert request.url == "http://127.0.0.1:8080/api/items/1"
    assert ("X-Trace", "abc") in [(h.name, h.value) for h in request.headers]
    assert request.body.raw == '{"name": "pen"}'
    assert tab.relpath is None and tab.dirty
    assert "--frobnicate" in tab.notice.text() and tab.notice.isVisible()


def _visible(window: MainWindow, name: str) -> bool:
    dialog = window.findChild(QDialog, name)
    return dialog is not None and dialog.isVisible()


def _writing(qtbot: QtBot, dialog: ImportSummaryDialog) -> str:
    """Press Import and wait for the first "Writing requests" figure; returns it."""
    text = dialog.findChild(QLabel, "import.progress.text")
    dialog.findChild(QPushButton, "import.accept").click()
    qtbot.waitUntil(lambda: text.text().startswith("Writing requests"), timeout=10_000)
    assert text.isVisible() and dialog.findChild(QPushButton, "import.cancel").isEnabled()
    return text.text()


def test_a_big_postman_file_imports_with_progress_and_opens(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    files.append(str(write_big_postman(tmp_path / "big.json", 400, 20, 200)))

    _trigger_import(window)
    dialog = _summary(qtbot, window)
    assert dialog.findChild(QLabel, "import.counts").text() == "400 REST requests in 22 folders"
    folder = Path(dialog.findChild(QLineEdit, "import.folder").text())
    figure = _writing(qtbot, dialog)
    _finish(qtbot, window, timeout=30_000)

    assert re.fullmatch(r"Writing requests \d+ of 400", figure)
    store = window.workspace.store
    assert store is not None and store.root == folder
    assert len(_request_names(store.tree)) == 400
    assert window.sidebar.tree.model().rowCount() == 2  # the two top-level folders
    assert window.statusBar().currentMessage() == "Imported 400 requests from big.json"


def test_cancel_while_writing_leaves_no_collection(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path, sample: Path
) -> None:
    files.append(str(write_big_postman(tmp_path / "big.json", 400, 20, 200)))

    _trigger_import(window)
    dialog = _summary(qtbot, window)
    folder = Path(dialog.findChild(QLineEdit, "import.folder").text())
    _writing(qtbot, dialog)
    dialog.findChild(QPushButton, "import.cancel").click()
    _finish(qtbot, window, timeout=30_000)

    assert not folder.exists()
    assert [p.name for p in folder.parent.iterdir() if folder.name in p.name] == []
    assert window.workspace.store.root == sample
    assert window.statusBar().currentMessage() == "The import was cancelled; nothing was written."


def test_a_full_disk_while_writing_is_said_and_leaves_nothing(
    qtbot: QtBot,
    window: MainWindow,
    files: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files.append(str(write_big_postman(tmp_path / "big.json", 200, 10, 200)))
    _trigger_import(window)
    dialog = _summary(qtbot, window)
    folder = Path(dialog.findChild(QLineEdit, "import.folder").text())
    write = os.write
    calls = [0]

    def fills_up(fd: int, data: bytes | memoryview) -> int:
        calls[0] += 1
        if calls[0] > 50:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(fd, data)

    monkeypatch.setattr("apiclient.core.collection_writer.os.write", fills_up)
    dialog.findChild(QPushButton, "import.accept").click()
    error = dialog.findChild(QLabel, "import.error")
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    monkeypatch.undo()

    assert error.text().startswith(f"Nothing was imported: The disk is full while saving {folder}")
    assert "half-written collection was deleted" in error.text()
    assert dialog.isVisible() and dialog.findChild(QPushButton, "import.accept").isEnabled()
    assert not folder.exists()
    assert [p.name for p in folder.parent.iterdir() if folder.name in p.name] == []
    dialog.findChild(QPushButton, "import.cancel").click()
    _finish(qtbot, window)


def test_a_big_file_cut_short_says_where_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    whole = write_big_postman(tmp_path / "whole.json", 300, 12, 200).read_text(encoding="utf-8")
    cut = tmp_path / "cut.postman_collection.json"
    cut.write_text(whole[: len(whole) // 2], encoding="utf-8")
    files.append(str(cut))
    tree_before = _request_names(window.workspace.tree)

    _trigger_import(window)
    dialog = _summary(qtbot, window)

    error = dialog.findChild(QLabel, "import.error")
    assert re.search(r"is not valid JSON \(line \d+, column \d+", error.text())
    assert "Export it again from Postman" in error.text()
    dialog.reject()
    _finish(qtbot, window)
    assert _request_names(window.workspace.tree) == tree_before


def test_cancel_while_reading_a_big_file_stops_it(
    qtbot: QtBot,
    window: MainWindow,
    files: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files.append(str(write_big_postman(tmp_path / "big.json", 1000, 40, 200)))
    monkeypatch.setattr("apiclient.ui.import_dialog.READING_DIALOG_AFTER_S", 0)

    _trigger_import(window)
    qtbot.waitUntil(lambda: _visible(window, "import.reading"))
    reading = window.findChild(QDialog, "import.reading")
    assert reading.findChild(QLabel, "import.progress.text").text().startswith("Reading")
    reading.findChild(QPushButton, "import.reading.cancel").click()
    _finish(qtbot, window, timeout=15_000)

    assert window.findChild(ImportSummaryDialog, "import.summary") is None
    assert window.statusBar().currentMessage() == "Import of big.json cancelled"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a file of mode 000"
)
def test_an_unreadable_file_says_so_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, files: list[str], tmp_path: Path
) -> None:
    path = write_big_postman(tmp_path / "locked.json", 50, 5, 100)
    path.chmod(0)
    files.append(str(path))

    _trigger_import(window)
    dialog = _summary(qtbot, window)

    error = dialog.findChild(QLabel, "import.error")
    assert error.text().startswith(f"Cannot read {path}: Permission denied")
    dialog.reject()
    _finish(qtbot, window)
