"""OAuth 2.0 in the REST tab against the mock authorization server: Get new token, the
token and its expiry shown, Send with it, Clear, a refused secret, an expired token
refreshed, and the authorization code grant with the browser replaced by a function
that follows the redirect."""

from __future__ import annotations

import socket
import threading

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from ui_helpers import send, type_url

from apiclient.core.models import Auth
from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.auth_editor import AuthEditor

DEMO = {"client_id": "apiclient-demo", "client_secret": "demo-secret"}
SHORT = {"client_id": "apiclient-short", "client_secret": "short-secret"}
USER = {"username": "demo", "password": "demo-password"}


def _auth_editor(window: MainWindow) -> AuthEditor:
    tab = window.rest
    tab.editor.tabs.setCurrentWidget(tab.editor.auth)
    return tab.editor.auth


def _use_oauth2(qtbot, window: MainWindow, rest_url: str, **fields: object) -> AuthEditor:
    """The request: GET /oauth2/protected with OAuth 2.0 set as ``fields`` say."""
    type_url(qtbot, window, f"{rest_url}/oauth2/protected")
    editor = _auth_editor(window)
    editor.set_auth(Auth(kind="oauth2", token_url=f"{rest_url}/oauth2/token", **fields))
    return editor


def _get_token(qtbot, editor: AuthEditor) -> None:
    panel = editor.oauth2
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    before = panel.token
    qtbot.waitUntil(
        lambda: panel.error.isVisible() or (panel.token is not None and panel.token != before),
        timeout=10_000,
    )


def test_client_credentials_token_is_shown_sent_and_cleared(qtbot, window, rest_url):
    editor = _use_oauth2(qtbot, window, rest_url, **DEMO)
    panel = editor.oauth2
    assert panel.isVisible() and panel.status.text() == "No token yet"

    _get_token(qtbot, editor)
    assert "Bearer token" in panel.status.text()
    assert panel.expiry.text().startswith("expires in")
    assert not panel.error.isVisible()

    send(qtbot, window, "200")
    history_token = window.rest.current_request().auth.token
    assert history_token == ""  # the request as written never holds the token

    qtbot.mouseClick(panel.clear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text() == "No token yet")
    assert not panel.clear.isEnabled()


def test_a_wrong_client_secret_shows_the_servers_error(qtbot, window, rest_url):
    editor = _use_oauth2(qtbot, window, rest_url, client_id="apiclient-demo", client_secret="nope")
    _get_token(qtbot, editor)
    error = window.findChild(QLabel, "rest.auth.oauth2.error")
    assert error.isVisible()
    assert "wrong secret" in error.text()
    assert editor.oauth2.status.text() == "No token yet"
    assert editor.auth().client_secret == "nope"  # nothing typed is lost


def test_an_expired_token_offers_refresh_and_a_send_refreshes_it(qtbot, window, rest_url):
    editor = _use_oauth2(qtbot, window, rest_url, grant_type="password", **SHORT, **USER)
    panel = editor.oauth2
    _get_token(qtbot, editor)
    first = panel.token
    assert first is not None and first.refresh_token
    qtbot.waitUntil(lambda: panel.expiry.text().count("expired"), timeout=5_000)
    assert panel.refresh.isEnabled() and panel.refresh.isDefault()

    send(qtbot, window, "200")
    assert panel.token is not None and panel.token.access_token != first.access_token


def test_refresh_button_renews_the_token(qtbot, window, rest_url):
    editor = _use_oauth2(qtbot, window, rest_url, grant_type="password", **DEMO, **USER)
    panel = editor.oauth2
    _get_token(qtbot, editor)
    first = panel.token
    assert first is not None
    qtbot.mouseClick(panel.refresh, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.token is not None and panel.token != first, timeout=10_000)
    assert not panel.error.isVisible()


def _follow_redirect(url: str) -> None:
    """A browser that signs in at once: follow the authorize redirect back to the
    listener (on another thread: the listener runs on the GUI's loop)."""
    threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True}).start()


def test_authorization_code_grant_through_a_followed_redirect(qtbot, window, rest_url):
    editor = _use_oauth2(
        qtbot,
        window,
        rest_url,
        grant_type="authorization_code",
        auth_url=f"{rest_url}/oauth2/authorize",
        redirect_uri="http://127.0.0.1:0/callback",
        client_id="apiclient-demo",
    )
    window.rest.auth_session.open_browser = _follow_redirect
    panel = editor.oauth2
    _get_token(qtbot, editor)
    assert not panel.error.isVisible(), panel.error.text()
    assert panel.token is not None and panel.token.refresh_token
    send(qtbot, window, "200")


def test_a_code_grant_without_token_says_what_to_click(qtbot, window, rest_url):
    _use_oauth2(
        qtbot,
        window,
        rest_url,
        grant_type="authorization_code",
        auth_url=f"{rest_url}/oauth2/authorize",
        client_id="apiclient-demo",
    )
    send(qtbot, window)
    message = window.findChild(QLabel, "rest.response.status").text()
    body = window.rest.response.findChild(QLabel, "rest.response.error")
    shown = message + (body.text() if body is not None else "")
    assert "Get new token" in shown


def test_waiting_for_the_browser_can_be_cancelled(qtbot, window, rest_url):
    editor = _use_oauth2(
        qtbot,
        window,
        rest_url,
        grant_type="authorization_code",
        auth_url=f"{rest_url}/oauth2/authorize",
        redirect_uri="http://127.0.0.1:0/callback",
        client_id="apiclient-demo",
    )
    opened: list[str] = []
    window.rest.auth_session.open_browser = opened.append  # a browser nobody signs in to
    panel = editor.oauth2
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened) and panel.cancel.isVisible(), timeout=5_000)
    assert panel.status.text() == "Waiting for the browser…"
    qtbot.mouseClick(panel.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.error.isVisible())
    assert "Cancelled" in panel.error.text() and panel.get_token.isEnabled()


def test_a_redirect_port_in_use_is_told_in_the_panel(qtbot, window, rest_url):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        editor = _use_oauth2(
            qtbot,
            window,
            rest_url,
            grant_type="authorization_code",
            auth_url=f"{rest_url}/oauth2/authorize",
            redirect_uri=f"http://127.0.0.1:{port}/callback",
            client_id="apiclient-demo",
        )
        window.rest.auth_session.open_browser = _follow_redirect
        _get_token(qtbot, editor)
    error = editor.oauth2.error
    assert error.isVisible() and "in use" in error.text()
    assert editor.oauth2.get_token.isEnabled()
