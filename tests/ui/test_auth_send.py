"""What each tab sends for auth: inherited from a folder (and shown on the request),
refreshed when the folder's auth changes, kept out of the history, and as gRPC metadata."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from test_grpc_tab import choose, reflect, set_message
from test_grpc_tab import send as grpc_send
from ui_helpers import send

from apiclient.core.models import Auth
from apiclient.ui.main_window import MainWindow

PLAYLISTS = "playlists/list-playlists.yaml"


def _open(qtbot, window: MainWindow, relpath: str) -> None:
    window.sidebar.request_activated.emit(relpath)
    qtbot.waitUntil(lambda: window.rest.relpath == relpath)


def test_a_request_inherits_its_folders_auth_and_says_so(qtbot, window, run):
    _open(qtbot, window, PLAYLISTS)
    auth = window.rest.editor.auth
    assert auth.auth().kind == "inherit"
    effective = auth.findChild(QLabel, "rest.auth.effective")
    assert effective.text() == "Inherited from folder 'Playlists': <b>Bearer token</b>"
    assert "demo-token" not in auth.findChild(QLabel, "rest.auth.effective_detail").text()
    send(qtbot, window, "200")  # the mock's playlists need the bearer token

    # The folder's auth changes: the request shows it at once, and sends it.
    run(window.workspace.save_folder_auth("playlists", Auth(kind="inherit")))
    qtbot.waitUntil(lambda: effective.text().startswith("Nothing to inherit"))
    send(qtbot, window, "401")


def test_the_history_never_keeps_a_filled_oauth2_token(qtbot, window, rest_url):
    window.rest.editor.url.setText(f"{rest_url}/oauth2/protected")
    window.rest.editor.auth.set_auth(
        Auth(
            kind="oauth2",
            token_url=f"{rest_url}/oauth2/token",
            client_id="apiclient-demo",
            client_secret="demo-secret",
        )
    )
    entries = []
    window.rest.request_sent.connect(entries.append)
    send(qtbot, window, "200")  # client credentials: fetched without a click
    (entry,) = entries
    assert entry.request.auth.token == ""
    token = window.rest.editor.auth.oauth2.token
    assert token is not None and token.access_token in window.rest.auth_session.sent_tokens
    assert token.access_token in window.rest._preview_secrets(entry.request)


@pytest.fixture
def target(mock_urls: dict[str, str]) -> str:
    return mock_urls["grpc"].removeprefix("grpc://")


def test_grpc_sends_the_bearer_token_as_metadata(qtbot, window, target):
    reflect(qtbot, window, target)
    choose(qtbot, window, "GetTrack")
    set_message(window, {"id": "t1"})
    auth = window.grpc.editor.auth
    auth.set_auth(Auth(kind="bearer", token="deny"))  # the mock refuses this one token
    assert "UNAUTHENTICATED" in grpc_send(qtbot, window)
    auth.set_auth(Auth(kind="bearer", token="let-me-in"))
    assert "OK" in grpc_send(qtbot, window)


def test_an_inherited_oauth2_keeps_its_token_box_on_the_request(qtbot, window, run, rest_url):
    folder_auth = Auth(
        kind="oauth2",
        token_url=f"{rest_url}/oauth2/token",
        client_id="apiclient-demo",
        client_secret="demo-secret",
    )
    run(window.workspace.save_folder_auth("playlists", folder_auth))
    _open(qtbot, window, PLAYLISTS)
    editor = window.rest.editor.auth
    window.rest.editor.tabs.setCurrentWidget(editor)
    panel = editor.oauth2
    assert "Inherited from folder 'Playlists': <b>OAuth 2.0</b>" in editor.effective.text()
    assert panel.isVisible() and not panel.settings.isVisible()
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.token is not None or panel.error.isVisible(), timeout=10_000)
    assert panel.token is not None, panel.error.text()
    assert window.rest.current_request().auth.kind == "inherit"  # nothing written
