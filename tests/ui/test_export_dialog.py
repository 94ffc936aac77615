"""File > Export collection…: the dialog, the files it writes, and what it says."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from apiclient.core.exporters.postman import LEFT_OUT_KINDS
from apiclient.core.importers.detect import count_items
from apiclient.core.models import Auth, RestRequest, Variable
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.ui.export_dialog import (
    ExportController,
    ExportDialog,
    ExportSummaryDialog,
    default_outputs,
    export_and_count,
)
from apiclient.ui.main_window import MainWindow

TOKEN = "s3cret-ui-token"
VARIABLE = "s3cret-ui-variable"


@pytest.fixture
def secret_sample(sample: Path) -> Path:
    """The sample collection with a literal bearer token and a secret variable."""
    store = CollectionStore.open(sample)
    store.save_request(
        RestRequest(
            name="Private", url="{{base_url}}/private", auth=Auth(kind="bearer", token=TOKEN)
        )
    )
    store.variables = [*store.variables, Variable(name="password", value=VARIABLE, secret=True)]
    store.save_settings()
    return sample


def _shown(qtbot: QtBot, window: MainWindow, kind: type, name: str) -> object:
    found: list[object] = []

    def visible() -> bool:
        dialog = window.findChild(kind, name)
        if dialog is not None and dialog.isVisible():
            found.append(dialog)
            return True
        return False

    qtbot.waitUntil(visible)
    return found[0]


def _open_dialog(qtbot: QtBot, window: MainWindow) -> ExportDialog:
    window.findChild(QAction, "action.export").trigger()
    dialog = _shown(qtbot, window, ExportDialog, "export.dialog")
    assert isinstance(dialog, ExportDialog)
    return dialog


def _fill(dialog: ExportDialog, fmt: str, path: Path) -> None:
    combo = dialog.findChild(QComboBox, "export.format")
    combo.setCurrentIndex(combo.findData(fmt))
    dialog.findChild(QLineEdit, "export.path").setText(str(path))


def _summary(qtbot: QtBot, window: MainWindow) -> ExportSummaryDialog:
    summary = _shown(qtbot, window, ExportSummaryDialog, "export.summary")
    assert isinstance(summary, ExportSummaryDialog)
    return summary


def _close(qtbot: QtBot, window: MainWindow, summary: ExportSummaryDialog) -> None:
    summary.findChild(QPushButton, "export.close").click()
    task = ExportController.of(window).task
    qtbot.waitUntil(lambda: task is not None and task.done())
    task.result()


def test_export_a_postman_file_without_secrets(
    qtbot: QtBot, make_window: Callable[..., MainWindow], secret_sample: Path, tmp_path: Path
) -> None:
    window = make_window(secret_sample)
    output = tmp_path / "out" / "sample.postman_collection.json"
    output.parent.mkdir()

    dialog = _open_dialog(qtbot, window)
    secrets_box = dialog.findChild(QCheckBox, "export.include_secrets")
    assert secrets_box.isEnabled() and not secrets_box.isChecked()
    _fill(dialog, "postman", output)
    dialog.findChild(QPushButton, "export.accept").click()
    summary = _summary(qtbot, window)

    data = output.read_bytes()
    assert TOKEN.encode() not in data and VARIABLE.encode() not in data
    doc = json.loads(data)
    names = {v["key"]: v for v in doc["variable"]}
    assert names["private.token"] == {"key": "private.token", "value": "", "type": "secret"}
    assert summary.findChild(QLabel, "export.written").text() == str(output)
    warnings = summary.findChild(QPlainTextEdit, "export.warnings").toPlainText()
    assert '--env-var "private.token=VALUE"' in warnings and "password" in warnings
    assert window.statusBar().currentMessage().startswith("Exported ")
    _close(qtbot, window, summary)
    qtbot.waitUntil(lambda: window.findChild(ExportSummaryDialog) is None)


def test_export_a_postman_file_with_secrets_included(
    qtbot: QtBot, make_window: Callable[..., MainWindow], secret_sample: Path, tmp_path: Path
) -> None:
    window = make_window(secret_sample)
    output = tmp_path / "with-secrets.json"

    dialog = _open_dialog(qtbot, window)
    _fill(dialog, "postman", output)
    dialog.findChild(QCheckBox, "export.include_secrets").setChecked(True)
    dialog.findChild(QPushButton, "export.accept").click()
    summary = _summary(qtbot, window)

    assert TOKEN.encode() in output.read_bytes()
    warnings = summary.findChild(QPlainTextEdit, "export.warnings").toPlainText()
    assert "clear text" in warnings
    _close(qtbot, window, summary)


def test_export_a_copy_folder_refuses_a_busy_one_then_writes(
    qtbot: QtBot, make_window: Callable[..., MainWindow], secret_sample: Path, tmp_path: Path
) -> None:
    window = make_window(secret_sample)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")

    dialog = _open_dialog(qtbot, window)
    _fill(dialog, "folder", busy)
    secrets_box = dialog.findChild(QCheckBox, "export.include_secrets")
    assert not secrets_box.isEnabled() and not secrets_box.isChecked()
    dialog.findChild(QPushButton, "export.accept").click()
    error = dialog.findChild(QLabel, "export.error")
    qtbot.waitUntil(error.isVisible)
    assert error.text().startswith("Nothing was exported: ") and "not empty" in error.text()
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]

    copy = tmp_path / "copy"
    dialog.findChild(QLineEdit, "export.path").setText(str(copy))
    dialog.findChild(QPushButton, "export.accept").click()
    summary = _summary(qtbot, window)

    files = b"".join(p.read_bytes() for p in copy.rglob("*") if p.is_file())
    assert TOKEN.encode() not in files and VARIABLE.encode() not in files
    opened = CollectionStore.open(copy)
    private = next(
        n.request
        for n in walk(opened.tree)
        if isinstance(n, RequestNode) and n.request.name == "Private"
    )
    assert private.auth.token == TOKEN  # copied into this machine's secret store
    warnings = summary.findChild(QPlainTextEdit, "export.warnings").toPlainText()
    assert "copied to" in warnings
    _close(qtbot, window, summary)


def test_browse_for_the_postman_file_then_cancel_writes_nothing(
    qtbot: QtBot, window: MainWindow, dialogs: Any, tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen.json"
    chosen.write_text("mine", encoding="utf-8")
    dialogs.paths.append(str(chosen))

    dialog = _open_dialog(qtbot, window)
    path = dialog.findChild(QLineEdit, "export.path")
    assert path.text().endswith(".postman_collection.json")
    dialog.findChild(QPushButton, "export.browse").click()
    qtbot.waitUntil(lambda: path.text() == str(chosen))
    dialog.findChild(QPushButton, "export.cancel").click()
    task = ExportController.of(window).task
    qtbot.waitUntil(lambda: task is not None and task.done())
    assert chosen.read_text(encoding="utf-8") == "mine"


def test_a_file_chosen_with_choose_is_replaced_without_asking_twice(
    qtbot: QtBot, window: MainWindow, dialogs: Any, tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen.json"
    chosen.write_text("mine", encoding="utf-8")
    dialogs.paths.append(str(chosen))  # the save dialog asked about replacing it

    dialog = _open_dialog(qtbot, window)
    dialog.findChild(QPushButton, "export.browse").click()
    qtbot.waitUntil(lambda: dialog.findChild(QLineEdit, "export.path").text() == str(chosen))
    dialog.findChild(QPushButton, "export.accept").click()
    summary = _summary(qtbot, window)

    assert json.loads(chosen.read_bytes())["info"]["name"] == "Sample: mock servers"
    assert dialogs.asked == ["Export as a Postman collection"]
    _close(qtbot, window, summary)


@pytest.mark.parametrize("typed", [True, False])
def test_replacing_an_existing_file_is_asked_first(
    qtbot: QtBot, window: MainWindow, dialogs: Any, tmp_path: Path, typed: bool
) -> None:
    dialog = _open_dialog(qtbot, window)
    path = dialog.findChild(QLineEdit, "export.path")
    if typed:
        path.setText(str(tmp_path / "typed.json"))
    existing = Path(path.text())  # typed, or the default
    existing.write_text("mine", encoding="utf-8")
    dialogs.answers.append(QMessageBox.StandardButton.No)

    dialog.findChild(QPushButton, "export.accept").click()
    qtbot.waitUntil(lambda: len(dialogs.asked) == 1)
    assert dialogs.asked[0].startswith(f"Replace the file?: {existing} already exists.")
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled())
    assert existing.read_text(encoding="utf-8") == "mine" and dialog.isVisible()

    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    dialog.findChild(QPushButton, "export.accept").click()
    summary = _summary(qtbot, window)
    assert len(dialogs.asked) == 2
    assert json.loads(existing.read_bytes())["info"]["name"] == "Sample: mock servers"
    _close(qtbot, window, summary)


def test_a_postman_file_inside_the_collection_is_refused(
    qtbot: QtBot, window: MainWindow, sample: Path
) -> None:
    before = sorted(sample.rglob("*"))
    dialog = _open_dialog(qtbot, window)
    dialog.findChild(QLineEdit, "export.path").setText(str(sample / "export.json"))
    dialog.findChild(QPushButton, "export.accept").click()
    error = dialog.findChild(QLabel, "export.error")
    qtbot.waitUntil(error.isVisible)
    assert "inside the collection itself" in error.text()
    assert dialog.isVisible() and sorted(sample.rglob("*")) == before
    dialog.reject()


def test_a_path_the_system_refuses_is_a_sentence_in_the_dialog(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    there = sorted(tmp_path.iterdir())
    dialog = _open_dialog(qtbot, window)
    _fill(dialog, "folder", tmp_path / ("x" * 300) / "copy")
    dialog.findChild(QPushButton, "export.accept").click()
    error = dialog.findChild(QLabel, "export.error")
    qtbot.waitUntil(error.isVisible)
    assert error.text().startswith("Nothing was exported: Could not use ")
    assert "name too long" in error.text() and dialog.isVisible()
    assert sorted(tmp_path.iterdir()) == there
    dialog.reject()


def test_the_note_says_when_the_file_will_hold_secrets(qtbot: QtBot, window: MainWindow) -> None:
    dialog = _open_dialog(qtbot, window)
    note = dialog.findChild(QLabel, "export.note")
    secrets_box = dialog.findChild(QCheckBox, "export.include_secrets")
    assert "left out" in note.text()
    secrets_box.setChecked(True)
    assert "will hold secret values in clear text" in note.text()
    secrets_box.setChecked(False)
    assert "left out" in note.text()
    dialog.reject()


def test_the_disk_is_looked_at_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from apiclient.ui import dialogs as app_dialogs
    from apiclient.ui import export_dialog

    on_gui: list[bool] = []
    free_folder = export_dialog.free_folder

    def watched(parent: Path, name: str) -> Path:
        on_gui.append(threading.current_thread() is threading.main_thread())
        return free_folder(parent, name)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    async def chosen_folder(*_args: object) -> str:
        return str(elsewhere)

    monkeypatch.setattr(export_dialog, "free_folder", watched)
    monkeypatch.setattr(app_dialogs, "existing_directory", chosen_folder)
    dialog = _open_dialog(qtbot, window)
    combo = dialog.findChild(QComboBox, "export.format")
    combo.setCurrentIndex(combo.findData("folder"))
    path = dialog.findChild(QLineEdit, "export.path")
    assert path.text() == str(tmp_path / "sample-mock-servers-copy")
    dialog.findChild(QPushButton, "export.browse").click()
    qtbot.waitUntil(lambda: path.text() == str(elsewhere / "sample-mock-servers-copy"))
    assert on_gui == [False, False]  # the default, then the chosen folder
    dialog.reject()


def test_the_default_file_name_is_never_a_windows_device_name(tmp_path: Path) -> None:
    for name in ("CON", "nul", "Com1"):
        postman = Path(default_outputs(name, tmp_path / "c")["postman"])
        assert postman.name == f"{name.lower()}-2.postman_collection.json"
    assert Path(default_outputs("Shop", tmp_path / "c")["postman"]).name == (
        "shop.postman_collection.json"
    )


def test_the_dialog_module_loads_no_importer() -> None:
    code = (
        "import sys, apiclient.ui.export_dialog; "
        "print(sorted(m for m in sys.modules if 'import' in m and m.startswith('apiclient')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip()
    assert "apiclient.ui.import_dialog" not in loaded
    assert "apiclient.core.importers.detect" not in loaded


def test_a_path_that_cannot_be_written_is_refused_with_a_sentence(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = _open_dialog(qtbot, window)
    path = dialog.findChild(QLineEdit, "export.path")
    error = dialog.findChild(QLabel, "export.error")
    path.setText("out.json")
    dialog.findChild(QPushButton, "export.accept").click()
    qtbot.waitUntil(error.isVisible)
    assert "give the full path" in error.text()

    missing = tmp_path / "missing" / "out.json"
    path.setText(str(missing))
    dialog.findChild(QPushButton, "export.accept").click()
    qtbot.waitUntil(lambda: "does not exist" in error.text())
    assert error.text() == (
        f"Nothing was exported: Cannot write to {missing}: {missing.parent} does not exist."
    )
    assert dialog.isVisible() and not missing.parent.exists()
    dialog.reject()


def test_export_with_no_collection_open_says_so(window: MainWindow) -> None:
    window.workspace.store = None
    window.findChild(QAction, "action.export").trigger()
    assert "none is open" in window.statusBar().currentMessage()
    assert window.findChild(ExportDialog) is None


def _postman_requests(items: list[dict]) -> int:
    return sum(_postman_requests(i["item"]) if "item" in i else 1 for i in items)


def test_the_summary_counts_what_the_postman_file_holds(sample: Path, tmp_path: Path) -> None:
    output = tmp_path / "sample.postman_collection.json"
    result, counts = export_and_count(sample, "postman", output, False)

    doc = json.loads(output.read_bytes())
    assert counts.written.requests == _postman_requests(doc["item"]) > 0
    assert counts.written.environments == 0  # a Postman collection holds none
    left_out = counts.left_out
    assert left_out is not None and set(left_out.requests_by_kind) <= set(LEFT_OUT_KINDS)
    assert left_out.requests + counts.written.requests == count_items(result.collection).requests
    assert left_out.environments == len(result.collection.environments) > 0


def test_a_folder_copy_leaves_nothing_out(sample: Path, tmp_path: Path) -> None:
    result, counts = export_and_count(sample, "folder", tmp_path / "copy", False)
    assert counts.left_out is None
    assert counts.written == count_items(result.collection)
