"""The REST tab's Code menu (the request as curl, httpx or fetch code on the clipboard)
and a curl command pasted into the URL field."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QToolButton
from ui_helpers import body_text, send, type_url

from apiclient.core.models import Auth, KeyValue, RestRequest, Variable


def _url_field(window) -> QLineEdit:
    return window.findChild(QLineEdit, "rest.url")


def _copy(qtbot, window, language: str) -> str:
    button = window.findChild(QToolButton, "rest.code")
    (action,) = [a for a in button.menu().actions() if a.objectName() == f"rest.code.{language}"]
    QGuiApplication.clipboard().clear()
    action.trigger()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() != "")
    return QGuiApplication.clipboard().text()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("curl", "curl "), ("httpx", "import httpx"), ("fetch", "await fetch(")],
)
def test_copy_as_code_resolves_variables(qtbot, window, language, expected):
    request = RestRequest(
        url="{{host}}/api/items",
        headers=[KeyValue(name="X-Trace", value="{{trace}}")],
        variables=[
            Variable(name="host", value="http://127.0.0.1:8710"),
            Variable(name="trace", value="t-42"),
        ],
    )
    window.rest.open_request(request, None)

    code = _copy(qtbot, window, language)

    assert expected in code
    assert "http://127.0.0.1:8710/api/items" in code and "t-42" in code and "{{" not in code
    assert window.findChild(QToolButton, "rest.code").text() == "Copied ✓"


def test_copy_as_code_with_an_unknown_variable_says_so_and_copies_nothing(qtbot, window):
    window.rest.open_request(RestRequest(url="{{nowhere}}/x"), None)
    QGuiApplication.clipboard().clear()
    button = window.findChild(QToolButton, "rest.code")
    next(a for a in button.menu().actions() if a.objectName() == "rest.code.curl").trigger()

    notice = window.findChild(QLabel, "rest.notice")
    assert "Not copied" in notice.text() and "{{nowhere}}" in notice.text()
    assert QGuiApplication.clipboard().text() == ""


def test_copied_code_holding_a_secret_says_so(qtbot, window):
    notice = window.findChild(QLabel, "rest.notice")
    window.rest.open_request(RestRequest(url="http://127.0.0.1:9/plain"), None)
    _copy(qtbot, window, "curl")
    assert notice.text() == ""

    window.workspace.globals = [Variable(name="api_key", value="k-123", secret=True)]
    window.rest.open_request(
        RestRequest(
            url="http://127.0.0.1:9/x",
            headers=[KeyValue(name="X-Key", value="{{api_key}}")],
        ),
        None,
    )
    assert "k-123" in _copy(qtbot, window, "httpx")
    assert "secret values in clear text" in notice.text()

    window.rest.open_request(
        RestRequest(url="http://127.0.0.1:9/x", auth=Auth(kind="bearer", token="t-secret")),
        None,
    )
    assert "t-secret" in _copy(qtbot, window, "fetch")
    assert "secret values in clear text" in notice.text()


def test_the_copied_curl_gets_the_same_answer_as_a_send(qtbot, window, rest_url):
    if shutil.which("curl") is None:
        pytest.skip("the curl program is not installed")
    type_url(qtbot, window, f"{rest_url}/api/items/1")
    send(qtbot, window, "200")
    command = _copy(qtbot, window, "curl")

    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=20)

    assert json.loads(done.stdout) == json.loads(body_text(window))


def test_a_curl_command_pasted_into_the_url_becomes_the_request(qtbot, window):
    window.rest.open_request(RestRequest(name="Kept name"), None)
    field = _url_field(window)
    field.setFocus()
    command = (
        "curl 'https://api.example.com/v1/items?page=2' -X POST "
        "-H 'Accept: application/json' --data-raw '{\"a\": 1}' --bogus-flag"
    )
    field.setText("")
    field.insert(command)  # what a paste does: textEdited fires

    request = window.rest.current_request()
    assert request.name == "Kept name"
    assert (request.method, request.url) == ("POST", "https://api.example.com/v1/items")
    assert [(p.name, p.value) for p in request.params] == [("page", "2")]
    assert ("Accept", "application/json") in [(h.name, h.value) for h in request.headers]
    assert request.body.raw == '{"a": 1}'
    assert "--bogus-flag" in window.findChild(QLabel, "rest.notice").text()
    assert window.rest.dirty


def test_a_broken_curl_command_stays_as_typed_with_the_reason(qtbot, window):
    field = _url_field(window)
    field.setText("")
    field.insert("curl 'https://api.example.com/unclosed")

    assert field.text() == "curl 'https://api.example.com/unclosed"
    assert "cannot be read" in window.findChild(QLabel, "rest.notice").text()
