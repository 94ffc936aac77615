"""Auth for folders and the collection, and the collection's client certificates: the
dialog the sidebar opens, what it saves (secrets kept out of the files), and the
certificates table's checks before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from apiclient.core.models import ClientCertificate, inherit_auth
from apiclient.core.store import FolderNode, RequestNode
from apiclient.ui import dialogs
from apiclient.ui.client_certificates_editor import (
    ClientCertificatesEditor,
    certificate_problem,
)
from apiclient.ui.main_window import MainWindow
from apiclient.ui.workspace import Workspace

needs_workspace_auth = pytest.mark.skipif(
    not hasattr(Workspace, "save_folder_auth"),
    reason="Workspace.save_folder_auth (helper H0) is not there yet",
)


def _click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClicks(line, text)


def _certificates(qtbot: QtBot) -> ClientCertificatesEditor:
    editor = ClientCertificatesEditor()
    qtbot.addWidget(editor)
    editor.resize(900, 300)
    editor.show()
    return editor


@pytest.mark.parametrize(
    ("cert", "problem"),
    [
        (ClientCertificate(host="", pfx_file="c.p12"), "type the host"),
        (ClientCertificate(host="api.example.com"), "choose its CRT file and KEY file"),
        (ClientCertificate(host="api.example.com", cert_file="c.pem"), "choose the KEY file"),
        (ClientCertificate(host="api.example.com", key_file="k.pem"), "choose its CRT file"),
        (
            ClientCertificate(host="a.test", cert_file="c.pem", key_file="k.pem", pfx_file="c.p12"),
            "not both",
        ),
        (ClientCertificate(host="a.test:8443", cert_file="c.pem", key_file="k.pem"), ""),
        (ClientCertificate(host="*.a.test", pfx_file="c.p12", passphrase="pw"), ""),
    ],
)
def test_each_certificate_needs_a_host_and_one_kind_of_file(
    cert: ClientCertificate, problem: str
) -> None:
    text = certificate_problem(1, cert)
    assert (problem in text) if problem else text == ""


def test_the_table_round_trips_and_masks_passphrases(qtbot: QtBot) -> None:
    editor = _certificates(qtbot)
    certs = [
        ClientCertificate(host="api.test", cert_file="/c.pem", key_file="/k.pem", passphrase="x"),
        ClientCertificate(host="*.corp.test:8443", pfx_file="/c.p12", enabled=False),
    ]
    editor.set_certificates(certs)
    assert editor.certificates() == certs
    passphrase = editor.findChild(QLineEdit, "certificates.0.passphrase")
    assert passphrase.echoMode() == QLineEdit.EchoMode.Password
    assert not editor.findChild(QCheckBox, "certificates.1.enabled").isChecked()


def test_add_fill_and_remove_rows(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, qt_loop: object
) -> None:
    async def chosen(_parent, title: str, _start: str, name_filter: str) -> str:
        assert "PKCS#12" in title and "*.p12" in name_filter
        return "/certs/client.p12"

    monkeypatch.setattr(dialogs, "open_file", chosen)
    editor = _certificates(qtbot)
    edits: list[None] = []
    editor.edited.connect(lambda: edits.append(None))
    _click(qtbot, editor.add)
    _type(qtbot, editor.findChild(QLineEdit, "certificates.0.host"), "api.test")
    assert "choose its CRT file" in editor.problem()
    with qtbot.waitSignal(editor.edited):
        _click(qtbot, editor.findChild(QToolButton, "certificates.0.pfx_file.browse"))
    _type(qtbot, editor.findChild(QLineEdit, "certificates.0.passphrase"), "pw")
    assert editor.problem() == ""
    _click(qtbot, editor.add)
    assert "Certificate 2: type the host" in editor.problem()
    _click(qtbot, editor.findChild(QToolButton, "certificates.0.remove"))
    assert editor.certificates() == [ClientCertificate(host="")]
    _click(qtbot, editor.findChild(QToolButton, "certificates.0.remove"))
    assert editor.certificates() == [] and editor.problem() == ""
    assert edits


# -- the dialog, against a real collection on disk ------------------------------------


def _folder(window: MainWindow) -> FolderNode:
    tree = window.workspace.tree
    assert tree is not None
    return next(c for c in tree.children if isinstance(c, FolderNode))


def _open(qtbot: QtBot, window: MainWindow, relpath: str) -> QDialog:
    """Open the dialog as a person does: the folder's (or root's) context-menu entry."""
    sidebar = window.sidebar
    if relpath:
        sidebar.select(relpath)
        sidebar.folder_auth_action.trigger()
    else:
        sidebar.collection_settings_action.trigger()
    shown: list[QDialog] = []

    def opened() -> bool:
        # An earlier dialog may linger, closed, until Qt deletes it.
        shown[:] = [d for d in window.findChildren(QDialog, "folder_settings") if d.isVisible()]
        return bool(shown)

    qtbot.waitUntil(opened)
    return shown[0]


def _yaml_texts(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml")))


@needs_workspace_auth
def test_a_folders_auth_is_saved_and_its_secret_kept_out_of_the_files(
    qtbot: QtBot, window: MainWindow, sample: Path
) -> None:
    folder = _folder(window)
    dialog = _open(qtbot, window, folder.relpath)
    assert folder.name in dialog.windowTitle()
    kind = dialog.findChild(QComboBox, "folder.auth.kind")
    assert kind.currentData() == "inherit"
    kind.setCurrentIndex(kind.findData("basic"))
    _type(qtbot, dialog.findChild(QLineEdit, "folder.auth.username"), "folder-user")
    _type(qtbot, dialog.findChild(QLineEdit, "folder.auth.password"), "folder-s3cret-pw")
    with qtbot.waitSignal(dialog.finished):
        _click(qtbot, dialog.findChild(QPushButton, "folder_settings.accept"))

    saved = window.workspace.folder_auth(folder.relpath)
    assert (saved.kind, saved.username, saved.password) == (
        "basic",
        "folder-user",
        "folder-s3cret-pw",
    )
    texts = _yaml_texts(sample)
    assert "folder-user" in texts
    assert "folder-s3cret-pw" not in texts
    # Requests inside that inherit now send it, and the dialog shows it back.
    request = next(c for c in _folder(window).children if isinstance(c, RequestNode))
    sent, source = window.workspace.effective_auth(request.relpath, inherit_auth())
    assert (sent.kind, source) == ("basic", f"folder {folder.name!r}")
    dialog = _open(qtbot, window, folder.relpath)
    assert dialog.findChild(QComboBox, "folder.auth.kind").currentData() == "basic"
    dialog.reject()


@needs_workspace_auth
def test_the_collection_saves_auth_and_certificates(
    qtbot: QtBot, window: MainWindow, sample: Path
) -> None:
    dialog = _open(qtbot, window, "")
    kind = dialog.findChild(QComboBox, "folder.auth.kind")
    assert kind.findData("inherit") < 0  # nothing above the collection
    kind.setCurrentIndex(kind.findData("bearer"))
    _type(qtbot, dialog.findChild(QLineEdit, "folder.auth.token"), "collection-token-123")
    dialog.tabs.setCurrentWidget(dialog.certificates)
    _click(qtbot, dialog.findChild(QPushButton, "certificates.add"))
    _type(qtbot, dialog.findChild(QLineEdit, "certificates.0.host"), "127.0.0.1:8443")
    _type(qtbot, dialog.findChild(QLineEdit, "certificates.0.cert_file"), "/certs/client.pem")

    _click(qtbot, dialog.save)  # no key file: refused, nothing written
    problem = dialog.findChild(QLabel, "certificates.problem")
    qtbot.waitUntil(problem.isVisible)
    assert "KEY file" in problem.text()
    assert dialog.isVisible()
    assert window.workspace.client_certificates() == []

    _type(qtbot, dialog.findChild(QLineEdit, "certificates.0.key_file"), "/certs/client.key")
    _type(qtbot, dialog.findChild(QLineEdit, "certificates.0.passphrase"), "pass-phrase-42")
    with qtbot.waitSignal(dialog.finished):
        _click(qtbot, dialog.save)
    assert dialog.result() == QDialog.DialogCode.Accepted

    assert window.workspace.folder_auth("").token == "collection-token-123"
    assert window.workspace.client_certificates() == [
        ClientCertificate(
            host="127.0.0.1:8443",
            cert_file="/certs/client.pem",
            key_file="/certs/client.key",
            passphrase="pass-phrase-42",
        )
    ]
    texts = _yaml_texts(sample)
    assert "127.0.0.1:8443" in texts
    assert "collection-token-123" not in texts and "pass-phrase-42" not in texts
    settings = yaml.safe_load((sample / "collection.yaml").read_text(encoding="utf-8"))
    assert settings["auth"]["kind"] == "bearer"

    # A folder left to inherit says what it passes on.
    dialog = _open(qtbot, window, _folder(window).relpath)
    effective = dialog.findChild(QLabel, "folder.auth.effective")
    assert effective.isVisible() and "collection" in effective.text()
    assert "Bearer" in effective.text()
    dialog.reject()


@needs_workspace_auth
def test_cancel_writes_nothing(qtbot: QtBot, window: MainWindow, sample: Path) -> None:
    folder = _folder(window)
    before = _yaml_texts(sample)
    dialog = _open(qtbot, window, folder.relpath)
    kind = dialog.findChild(QComboBox, "folder.auth.kind")
    kind.setCurrentIndex(kind.findData("bearer"))
    with qtbot.waitSignal(dialog.finished):
        _click(qtbot, dialog.findChild(QPushButton, "folder_settings.cancel"))
    assert window.workspace.folder_auth(folder.relpath) == inherit_auth()
    assert _yaml_texts(sample) == before


@needs_workspace_auth
def test_a_failed_save_is_shown_and_keeps_what_was_typed(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sample: Path
) -> None:
    # A folder file that fails to load is never overwritten, so its auth cannot be saved.
    (sample / "items" / "contacts-batch" / "folder.yaml").write_text("name: [", encoding="utf-8")
    window = make_window(sample)
    dialog = _open(qtbot, window, "contacts-batch")
    kind = dialog.findChild(QComboBox, "folder.auth.kind")
    kind.setCurrentIndex(kind.findData("bearer"))
    _type(qtbot, dialog.findChild(QLineEdit, "folder.auth.token"), "typed-token")
    _click(qtbot, dialog.save)
    error = dialog.findChild(QLabel, "folder_settings.error")
    qtbot.waitUntil(error.isVisible)
    assert error.text().startswith("Not saved:") and "never overwritten" in error.text()
    assert dialog.isVisible() and dialog.save.isEnabled()
    assert dialog.values()[0].token == "typed-token"
    dialog.reject()


@needs_workspace_auth
def test_cancel_waits_for_a_save_in_flight(
    qtbot: QtBot, window: MainWindow, sample: Path, run: Callable
) -> None:
    """Cancel, Esc and closing wait while Save writes (the dialog is deleted once closed:
    the save's end would otherwise touch a deleted button)."""
    folder = _folder(window)
    dialog = _open(qtbot, window, folder.relpath)
    kind = dialog.findChild(QComboBox, "folder.auth.kind")
    kind.setCurrentIndex(kind.findData("bearer"))
    _type(qtbot, dialog.findChild(QLineEdit, "folder.auth.token"), "held-token")
    results: list[int] = []
    dialog.finished.connect(results.append)
    lock = window.workspace._store_lock  # held: the save waits, as behind a slow disk
    run(lock.acquire())
    try:
        _click(qtbot, dialog.save)
        cancel = dialog.findChild(QPushButton, "folder_settings.cancel")
        qtbot.waitUntil(lambda: not cancel.isEnabled())
        dialog.reject()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        dialog.close()
        qtbot.wait(50)
        assert dialog.isVisible() and results == []
    finally:
        lock.release()
    qtbot.waitUntil(lambda: results == [QDialog.DialogCode.Accepted.value])
    assert window.workspace.folder_auth(folder.relpath).token == "held-token"
