"""The OAuth 2.0 session behind a tab: a token fetch stays with the request it began
for, the token cache is touched only in worker threads, a damaged secret store is told
(never a traceback or a stuck panel), a send shows that it waits for its token, a
browser that cannot open is told, Copy as code fills the token, and an inherited kind a
protocol cannot carry says where it comes from."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton
from ui_helpers import send, type_url

from apiclient.core.models import Auth, GrpcRequest, RestRequest, inherit_auth
from apiclient.core.oauth2_tokens import TokenCache
from apiclient.core.paths import data_dir
from apiclient.ui.main_window import MainWindow
from apiclient.ui.widgets.auth_editor import AuthEditor


class _TokenServer(ThreadingHTTPServer):
    """A token endpoint that records each form it got and issues ``b-<n>`` tokens with
    the refresh token ``b-refresh``; ``delay_s`` holds each answer back."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TokenHandler)
        self.forms: list[dict[str, list[str]]] = []
        self.delay_s = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/token"


class _TokenHandler(BaseHTTPRequestHandler):
    server: _TokenServer

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.server.forms.append(parse_qs(self.rfile.read(length).decode()))
        time.sleep(self.server.delay_s)
        body = json.dumps(
            {
                "access_token": f"b-{len(self.server.forms)}",
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": "b-refresh",
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def token_server() -> Iterator[_TokenServer]:
    server = _TokenServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def _editor(window: MainWindow) -> AuthEditor:
    tab = window.rest
    tab.editor.tabs.setCurrentWidget(tab.editor.auth)
    return tab.editor.auth


def _code_grant(rest_url: str) -> Auth:
    return Auth(
        kind="oauth2",
        grant_type="authorization_code",
        token_url=f"{rest_url}/oauth2/token",
        auth_url=f"{rest_url}/oauth2/authorize",
        redirect_uri="http://127.0.0.1:0/callback",
        client_id="apiclient-demo",
    )


def _request_b(token_url: str) -> RestRequest:
    auth = Auth(
        kind="oauth2",
        grant_type="password",
        token_url=token_url,
        client_id="b-client",
        client_secret="b-secret",
        username="b-user",
        password="b-password",
    )
    return RestRequest(name="B", url="http://127.0.0.1:9/b", auth=auth)


def _follow_quietly(url: str) -> None:
    """The browser signs in late: follow the redirect (the listener may be gone)."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url, follow_redirects=True, timeout=5, trust_env=False)


def test_a_token_fetch_never_lands_on_another_request(qtbot, window, rest_url, token_server):
    type_url(qtbot, window, f"{rest_url}/oauth2/protected")
    editor = _editor(window)
    editor.set_auth(_code_grant(rest_url))
    opened: list[str] = []
    window.rest.auth_session.open_browser = opened.append  # nobody signs in, yet
    panel = editor.oauth2
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened) and panel.cancel.isVisible(), timeout=5_000)

    window.rest.open_request(_request_b(token_server.url), None)  # request B takes the tab
    late = threading.Thread(target=_follow_quietly, args=(opened[0],))
    late.start()  # A's sign-in finishes after B was opened
    late.join(10)
    qtbot.wait(200)
    assert panel.token is None and panel.status.text() == "No token yet"
    assert not panel.cancel.isVisible()

    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.token is not None, timeout=10_000)
    assert panel.token.access_token == "b-1"
    qtbot.mouseClick(panel.refresh, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.token is not None and panel.token.access_token == "b-2")
    grants = [form["grant_type"][0] for form in token_server.forms]
    assert grants == ["password", "refresh_token"]
    assert token_server.forms[1]["refresh_token"] == ["b-refresh"]  # B's own, never A's


def _damage_the_secrets_file() -> None:
    path = data_dir() / "secrets.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ damaged", encoding="utf-8")


def test_a_damaged_secret_store_is_told_not_raised(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/oauth2/protected")
    editor = _editor(window)
    panel = editor.oauth2
    _damage_the_secrets_file()
    editor.set_auth(
        Auth(
            kind="oauth2",
            token_url=f"{rest_url}/oauth2/token",
            client_id="apiclient-demo",
            client_secret="demo-secret",
        )
    )
    editor.edited.emit()  # the cached token is read once typing pauses
    qtbot.waitUntil(lambda: panel.error.isVisible() and "damaged" in panel.error.text())

    send(qtbot, window, "damaged")  # the send's cache read: in the response panel
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.get_token.isEnabled() and "damaged" in panel.error.text())
    assert panel.status.text() != "Getting a token…"


def test_the_token_cache_is_never_touched_on_the_gui_thread(qtbot, window, rest_url, monkeypatch):
    calls: list[tuple[str, bool]] = []

    def recording(name: str) -> Callable[..., object]:
        original = getattr(TokenCache, name)

        def call(self: TokenCache, *args: object) -> object:
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return original(self, *args)

        return call

    for name in ("get", "put", "clear"):
        monkeypatch.setattr(TokenCache, name, recording(name))
    type_url(qtbot, window, f"{rest_url}/oauth2/protected")
    editor = _editor(window)
    editor.set_auth(
        Auth(
            kind="oauth2",
            token_url=f"{rest_url}/oauth2/token",
            client_id="apiclient-demo",
            client_secret="demo-secret",
        )
    )
    qtbot.keyClicks(editor.oauth2.scope, "read")  # typing: the panel re-reads the cache
    qtbot.waitUntil(lambda: any(name == "get" for name, _ in calls))
    send(qtbot, window, "200")  # fetched and cached on the way
    qtbot.mouseClick(editor.oauth2.clear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(name == "clear" for name, _ in calls))
    assert {name for name, _ in calls} == {"get", "put", "clear"}
    assert not any(on_gui for _, on_gui in calls), calls


def test_a_send_shows_it_waits_for_its_token_and_can_be_cancelled(qtbot, window, token_server):
    token_server.delay_s = 3.0
    window.rest.open_request(_request_b(token_server.url), None)
    status = window.findChild(QLabel, "rest.response.status")
    qtbot.mouseClick(window.findChild(QPushButton, "rest.send"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(token_server.forms))
    assert "Sending GET http://127.0.0.1:9/b" in status.text()
    cancel = window.findChild(QPushButton, "rest.cancel")
    assert cancel.isVisible()
    with qtbot.waitSignal(window.rest.send_finished):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert "Cancelled" in status.text()


def test_a_browser_that_cannot_open_shows_the_address(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/oauth2/protected")
    editor = _editor(window)
    editor.set_auth(_code_grant(rest_url))
    opened: list[str] = []

    def no_browser(url: str) -> bool:
        opened.append(url)
        return False

    window.rest.auth_session.open_browser = no_browser
    panel = editor.oauth2
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.error.isVisible(), timeout=5_000)
    assert "No web browser could be opened" in panel.error.text()
    assert opened[0] in panel.error.text()
    assert panel.error.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert panel.cancel.isVisible()  # still waiting: the address may be opened by hand
    qtbot.mouseClick(panel.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.get_token.isEnabled())


def _copy_curl(window: MainWindow) -> None:
    button = window.findChild(QToolButton, "rest.code")
    next(a for a in button.menu().actions() if a.objectName() == "rest.code.curl").trigger()


def test_copy_as_code_fills_the_oauth2_token_or_says_there_is_none(qtbot, window, rest_url):
    type_url(qtbot, window, f"{rest_url}/oauth2/protected")
    editor = _editor(window)
    editor.set_auth(
        Auth(
            kind="oauth2",
            token_url=f"{rest_url}/oauth2/token",
            client_id="apiclient-demo",
            client_secret="demo-secret",
        )
    )
    notice = window.findChild(QLabel, "rest.notice")
    QGuiApplication.clipboard().clear()
    _copy_curl(window)
    qtbot.waitUntil(lambda: "No OAuth 2.0 token yet" in notice.text())
    assert QGuiApplication.clipboard().text() == ""

    qtbot.mouseClick(editor.oauth2.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.oauth2.token is not None, timeout=10_000)
    token = editor.oauth2.token.access_token
    _copy_curl(window)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() != "")
    assert f"Bearer {token}" in QGuiApplication.clipboard().text()


def test_an_inherited_kind_grpc_cannot_carry_says_where_it_comes_from(qtbot, window, run):
    run(window.workspace.save_folder_auth("", Auth(kind="digest", username="u", password="p")))
    tab = window.grpc
    tab.open_request(GrpcRequest(name="Draft", target="127.0.0.1:9", auth=inherit_auth()), None)

    async def prepare() -> str:
        from apiclient.core.variables import resolve_grpc_request
        from apiclient.protocols.errors import RequestBuildError

        try:
            await tab._prepare(
                tab.current_request(),
                resolve_grpc_request,
                carries=frozenset({"none", "bearer"}),
                where="gRPC calls",
            )
        except RequestBuildError as exc:
            return str(exc)
        return ""

    message = run(prepare())
    assert message.startswith("Digest auth, inherited from collection '")
    assert "Choose No auth" in message


def test_a_grpc_token_request_travels_with_the_apps_connection_defaults(
    qtbot, window, run, token_server
):
    """A gRPC call has no Settings tab: the token its OAuth 2.0 auth asks for goes with
    the app's defaults (File > Settings), like the Auth tab's Get new token does."""
    auth = Auth(kind="oauth2", token_url=token_server.url, client_id="app", client_secret="shh")
    tab = window.grpc
    tab.open_request(GrpcRequest(name="Draft", target="127.0.0.1:9", auth=auth), None)

    async def prepare() -> str:
        from apiclient.core.variables import resolve_grpc_request
        from apiclient.protocols.errors import ProtocolError

        try:
            prepared = await tab._prepare(
                tab.current_request(), resolve_grpc_request, where="gRPC calls"
            )
        except ProtocolError as exc:
            return str(exc)
        return prepared.auth.token

    current = window.preferences.current
    window.preferences.apply(current.updated(proxy="custom", proxy_url="http://127.0.0.1:9"))
    assert "127.0.0.1:9" in run(prepare()) and token_server.forms == []
    window.preferences.apply(current)
    assert run(prepare()) == "b-1" and len(token_server.forms) == 1
