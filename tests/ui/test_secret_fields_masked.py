"""Passwords, tokens, API keys and signing secrets in the request tabs are masked until
their eye is clicked; a plain ``{{variable}}`` reference stays readable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QToolButton
from pytestqt.qtbot import QtBot

from apiclient.core.models import Auth
from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit, is_reference_only

SECRET_FIELDS = [
    f"{style}.auth.{field}"
    for style in ("rest", "batch", "soap", "graphql", "websocket")
    for field in ("password", "token", "key_value")
] + ["soap.wsse.password", "webhook.signature.secret"]


def _field(window: MainWindow, name: str) -> SecretLineEdit:
    field = window.findChild(QLineEdit, name)
    assert isinstance(field, SecretLineEdit), name
    return field


def _eye(field: QLineEdit) -> QToolButton:
    """The button Qt draws for the field's reveal action, as a person clicks it."""
    action = field.findChild(QAction, f"{field.objectName()}.reveal")
    assert action is not None
    (button,) = [b for b in field.findChildren(QToolButton) if b.defaultAction() is action]
    return button


def _copy(qtbot: QtBot, field: QLineEdit) -> str:
    QApplication.clipboard().setText("clipboard before")
    field.setFocus()
    field.selectAll()
    sequence = QKeySequence(QKeySequence.StandardKey.Copy)[0]
    qtbot.keyClick(field, sequence.key(), sequence.keyboardModifiers())
    return QApplication.clipboard().text()


@pytest.mark.parametrize("name", SECRET_FIELDS)
def test_every_secret_field_is_masked_with_its_own_reveal(window: MainWindow, name: str) -> None:
    getattr(window, name.split(".")[0])  # tabs are built when first used
    field = _field(window, name)
    field.setText("hunter2")
    assert field.echoMode() == QLineEdit.EchoMode.Password
    reveal = window.findChild(QAction, f"{name}.reveal")
    assert reveal is not None and reveal.isCheckable() and not reveal.isChecked()


def test_typed_token_is_masked_sent_into_the_request_and_shown_by_the_eye(
    qtbot: QtBot, window: MainWindow
) -> None:
    auth = window.rest.editor.auth
    window.rest.editor.tabs.setCurrentWidget(auth)
    auth.kind.setCurrentIndex(auth.kind.findData("bearer"))
    qtbot.keyClicks(auth.token, "tok-123")
    assert auth.token.is_masked()
    qtbot.waitUntil(lambda: window.rest.dirty)
    assert window.rest.current_request().auth.token == "tok-123"

    qtbot.mouseClick(_eye(auth.token), Qt.MouseButton.LeftButton)
    assert not auth.token.is_masked() and auth.token.reveal.toolTip().startswith("Hide")
    qtbot.mouseClick(_eye(auth.token), Qt.MouseButton.LeftButton)
    assert auth.token.is_masked() and auth.token.text() == "tok-123"


def test_a_masked_value_is_not_copied_but_a_revealed_one_is(qtbot: QtBot) -> None:
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.set_auth(Auth(kind="basic", username="me", password="s3cret"))
    editor.show()
    assert _copy(qtbot, editor.password) == "clipboard before"
    editor.password.reveal.setChecked(True)
    assert _copy(qtbot, editor.password) == "s3cret"


def test_a_reference_only_value_stays_readable(qtbot: QtBot) -> None:
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.set_auth(Auth(kind="apikey", key_name="X-API-Key", key_value="{{token}}"))
    assert not editor.key_value.is_masked()
    qtbot.keyClicks(editor.key_value, "x")  # now "{{token}}x": a literal part, so masked
    assert editor.key_value.is_masked() and editor.auth().key_value == "{{token}}x"


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("{{token}}", True),
        (" {{ user }}{{pass}} ", True),
        ("{{$uuid}}", True),
        ("", False),
        ("Bearer {{token}}", False),
        ("{{tok", False),
        ("abc", False),
    ],
)
def test_is_reference_only(text: str, only: bool) -> None:
    assert is_reference_only(text) is only


def test_replacing_the_request_masks_again(qtbot: QtBot, window: MainWindow) -> None:
    window.sidebar.request_activated.emit("http-basics/basic-auth.yaml")
    auth = window.rest.editor.auth
    qtbot.waitUntil(lambda: auth.password.text() == "passwd")
    assert auth.password.is_masked()
    qtbot.mouseClick(_eye(auth.password), Qt.MouseButton.LeftButton)
    assert not auth.password.is_masked()
    node = window.workspace.find("http-basics/digest-auth.yaml")
    window.rest.open_request(node.request, node.relpath)  # in place, as a reload does
    assert auth.password.is_masked() and not auth.password.reveal.isChecked()
    assert not window.rest.dirty


def test_webhook_secret_typed_while_masked_is_kept(qtbot: QtBot, window: MainWindow) -> None:
    window.sidebar.request_activated.emit("live-webhook/payments-receiver.yaml")
    qtbot.waitUntil(lambda: window.webhook.relpath == "live-webhook/payments-receiver.yaml")
    secret = _field(window, "webhook.signature.secret")
    assert not secret.is_masked()  # the sample holds {{webhook_secret}}, a reference
    secret.clear()
    qtbot.keyClicks(secret, "whsec_abc")
    assert secret.is_masked()
    qtbot.waitUntil(lambda: window.webhook.dirty)
    assert window.webhook.current_request().signature.secret == "whsec_abc"
