"""The REST tab: one request being edited, sent with the REST engine, and its response.

The tab resolves variables, hands the resolved request to ``RestEngine`` and renders
what comes back; it builds no HTTP itself. Errors of every layer end in the response
panel's status line, worded for a person.

A body larger than ``SPOOL_THRESHOLD_BYTES`` is written to a file in the session's spool
folder as it arrives, with the amount received in the status line; the tab deletes that
file when the response is replaced (the folder itself goes at quit, and one left by a
crashed session is swept when this session makes its own: see
:func:`~apiclient.core.body_spool.spool_folder`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget
from qasync import asyncSlot

from apiclient.core.auth_fields import auth_credentials
from apiclient.core.body_spool import BodyFile, remove_spool_folder, spool_folder
from apiclient.core.errors import CoreError, VariableError
from apiclient.core.models import AnyRequest, RestRequest, inherit_auth
from apiclient.core.urls import join_url
from apiclient.core.variables import resolve_request
from apiclient.protocols.body_errors import PartialBodyError
from apiclient.protocols.errors import ProtocolError
from apiclient.ui.error_titles import error_title
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tabs.rest_editor import RestRequestEditor
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.widgets.response_view import ResponseView
from apiclient.ui.workers import import_in_worker

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestEngine
    from apiclient.ui.workspace import Workspace

SPOOL_THRESHOLD_BYTES = 8 << 20
# How often the status line tells the amount received.
_PROGRESS_MS = 100


class RestTab(RequestTab):
    """An HTTP request and its response (signals as :class:`RequestTab`)."""

    kind = "rest"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._engine: RestEngine | None = None
        self._body_file: BodyFile | None = None  # the spooled body shown, deleted when replaced
        self._progress: tuple[str, str, int, int | None] | None = None
        self._progress_timer = QTimer(self, interval=_PROGRESS_MS)
        self._progress_timer.timeout.connect(self._show_progress)
        self._code_task: asyncio.Future[None] | None = None  # copying with an OAuth 2.0 token
        self.editor = RestRequestEditor()
        self.response = ResponseView("rest.response")
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="rest.splitter")
        splitter.addWidget(self.editor)
        splitter.addWidget(self.response)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self._lay_out(splitter)

        self._connect_editor(self.editor)
        self.editor.code_requested.connect(self.copy_as_code)
        self.editor.curl_pasted.connect(self.take_curl)
        self._update_title()

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> RestRequest:
        return RestRequest(auth=inherit_auth())

    def _editor_request(self) -> RestRequest:
        return self.editor.request()

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, RestRequest)
        self.editor.set_request(request)
        self.response.show_idle()
        self._drop_body_file()
        self.refresh_hint()

    def _editor_rename(self, name: str) -> None:
        self.editor.set_name(name)

    def _editor_set_sending(self, sending: bool) -> None:
        self.editor.set_sending(sending)
        if not sending:
            self._stop_progress()

    def _show_cancelled(self) -> None:
        self.response.show_cancelled()

    async def _close_engine(self) -> None:
        if self._engine is not None:
            await self._engine.aclose()
        self._body_file = None
        await asyncio.to_thread(remove_spool_folder)

    def focus_main_field(self) -> None:
        self.focus_url()

    def focus_url(self) -> None:
        self.editor.url.setFocus()
        self.editor.url.selectAll()

    # -- sending ------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        """Resolve and send the request; a new send replaces one still running."""
        await self._run_send(self._send(self.editor.request()))

    async def _send(self, request: RestRequest) -> None:
        if not request.url.strip():
            self.response.show_error(
                "Nothing to send", "Type a URL first, e.g. {{base_url}}/api/items."
            )
            return
        try:
            resolved = await self._prepare(request, resolve_request, waiting=self._show_sending)
        except (CoreError, ProtocolError) as exc:
            self.response.show_error(error_title(exc), str(exc))
            return
        url = self._show_sending(resolved)
        self._progress = (resolved.method, url, 0, None)
        self._progress_timer.start()
        try:
            engine = self._http_engine()
            response = await engine.send(resolved, progress=self._on_progress)
            self._stop_progress()
            self._received = True
            self._body_file = response.body_file
            self._sent_http(request, response)
            await self.response.show_response(response)
        except PartialBodyError as exc:
            self._stop_progress()
            self._received = True
            partial = exc.response
            self._body_file = partial.body_file
            self._sent_http(request, partial, error=str(exc))
            title = error_title(exc.cause) if exc.cause is not None else "Body not saved"
            await self.response.show_partial(title, str(exc), partial)
        except (ProtocolError, CoreError) as exc:
            self._stop_progress()
            if not self._received:
                self._sent_error(request, exc)
            self.response.show_error(error_title(exc), str(exc))

    def _show_sending(self, resolved: RestRequest) -> str:
        """The sending state (also while an OAuth 2.0 token is fetched first, so Cancel
        works and the old response does not look current); returns the URL sent."""
        url = join_url(resolved.url, resolved.params)
        self.response.show_sending(resolved.method, url)
        self._drop_body_file()
        self.editor.set_sending(True)
        return url

    def _on_progress(self, received: int, total: int | None) -> None:
        """Told by the engine per chunk: only noted here, shown by the timer."""
        if self._progress is not None:
            method, url, _, _ = self._progress
            self._progress = (method, url, received, total)

    def _show_progress(self) -> None:
        if self._progress is not None and self._progress[2]:
            self.response.show_receiving(*self._progress)

    def _stop_progress(self) -> None:
        self._progress = None
        self._progress_timer.stop()

    def _drop_body_file(self) -> None:
        """Delete the spooled body of the response shown before (in a thread)."""
        body_file, self._body_file = self._body_file, None
        if body_file is not None:
            asyncio.get_event_loop().run_in_executor(None, body_file.remove)

    async def warm_up(self) -> None:
        """Import the engine (httpx and friends, ~0.1 s) and the history's models and
        panel in a worker once the window is up, so the first Send does not pay for them
        on the GUI thread (the panel's widgets are built on the first send)."""
        await import_in_worker(
            "apiclient.protocols.rest", "apiclient.core.history", "apiclient.ui.history_panel"
        )

    def _rest_engine(self) -> RestEngine:
        if self._engine is None:
            # Imported on first send: httpx is not needed to show the window.
            from apiclient.protocols.rest import RestEngine
            from apiclient.protocols.rest_receive import SpoolPolicy

            self._engine = RestEngine(
                spool=SpoolPolicy(spool_folder, threshold=SPOOL_THRESHOLD_BYTES),
                cookie_jar=self._workspace.cookie_jar,
            )
        return self._engine

    def _http_engine(self) -> RestEngine:
        engine = self._rest_engine()
        self._use_client_certificates(engine)
        return engine

    # -- code and curl ------------------------------------------------------------------

    def copy_as_code(self, language: str) -> None:
        """Put the request, variables resolved, on the clipboard as curl, Python (httpx)
        or JavaScript (fetch) code; an unknown variable is said in the notice instead."""
        # The exporters and the curl parser load on first use: the window starts without.
        request = self.editor.request()
        effective, _ = self.auth_session.effective(request.auth)
        try:
            resolved = resolve_request(
                request.model_copy(update={"auth": effective}), self._workspace.scope()
            )
        except VariableError as exc:
            self.show_notice(f"Not copied: {exc}")
            return
        if resolved.auth.kind == "oauth2":
            # The token is read from the cache in a worker (it may be the keyring).
            self._code_task = asyncio.ensure_future(self._copy_with_token(resolved, language))
            return
        self._copy_code(resolved, language)

    async def _copy_with_token(self, resolved: RestRequest, language: str) -> None:
        """Copy ``resolved`` with its cached OAuth 2.0 token, or say why not."""
        try:
            token = await self.auth_session.cached_token(resolved.auth)
        except CoreError as exc:
            refusal = f"Not copied: {exc}"
        else:
            if token is None:
                refusal = "Not copied. No OAuth 2.0 token yet: click Get new token in the Auth tab."
            elif token.expired():
                refusal = (
                    f"Not copied: the OAuth 2.0 token {token.expires_in_text()}: click Refresh "
                    "or Get new token in the Auth tab."
                )
            else:
                refusal = ""
        if not shiboken6.isValid(self):
            return
        if refusal:
            self.show_notice(refusal)
            return
        assert token is not None
        with_token = resolved.auth.model_copy(update={"token": token.access_token})
        self._copy_code(resolved.model_copy(update={"auth": with_token}), language)

    def _copy_code(self, resolved: RestRequest, language: str) -> None:
        from apiclient.core.exporters.code import to_fetch, to_httpx
        from apiclient.core.exporters.curl import to_curl

        exporters = {"curl": to_curl, "httpx": to_httpx, "fetch": to_fetch}
        code = exporters[language](resolved)
        QGuiApplication.clipboard().setText(code)
        secrets = self._workspace.secret_values() | auth_credentials(resolved.auth)
        self.show_notice(
            "Copied with secret values in clear text (credentials or secret variables): "
            "mind where you paste it."
            if any(secret in code for secret in secrets)
            else ""
        )
        button = self.editor.code
        button.setText("Copied ✓")
        QTimer.singleShot(2000, button, lambda: button.setText("Code"))

    def take_curl(self, command: str) -> None:
        """A curl command pasted into the URL field becomes the request (its name and
        variables kept); one that cannot be read stays as typed, with why in the notice."""
        from apiclient.core.importers import CollectionImportError
        from apiclient.core.importers.curl import parse_curl

        try:
            parsed, warnings = parse_curl(command)
        except CollectionImportError as exc:
            self.show_notice(f"That looks like a curl command, but it cannot be read: {exc}")
            return
        current = self.editor.request()
        kept = {"name": current.name, "description": current.description}
        self.editor.set_request(parsed.model_copy(update=kept | {"variables": current.variables}))
        self.show_notice("From curl: " + " ".join(warnings) if warnings else "")
        self.editor.edited.emit()

    # -- state --------------------------------------------------------------------------

    def refresh_hint(self) -> None:
        """Under the URL: the URL as it will be sent, or which variables are unknown."""
        request = self.editor.request()
        scope = self._workspace.scope().with_layer("request", request.variables)
        url = join_url(request.url, request.params)
        self.editor.set_url_hint(variable_hint_html(url, scope, "URL"))
