"""The REST tab: one request being edited, sent with the REST engine, and its response.

The tab resolves variables, hands the resolved request to ``RestEngine`` and renders
what comes back; it builds no HTTP itself. Errors of every layer end in the response
panel's status line, worded for a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget
from qasync import asyncSlot

from apiclient.core.errors import CoreError, VariableError
from apiclient.core.models import RestRequest
from apiclient.core.urls import join_url
from apiclient.core.variables import resolve_request, resolve_text, undefined_names
from apiclient.protocols.errors import ProtocolError
from apiclient.ui.error_titles import error_title
from apiclient.ui.tabs.rest_editor import RestRequestEditor
from apiclient.ui.widgets.response_view import ResponseView

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestEngine
    from apiclient.ui.workspace import Workspace


class RestTab(QWidget):
    """Signals:
    dirty_changed(bool): the request now differs (or no longer) from disk.
    send_finished: a send ended, with a response, an error or a cancel.
    """

    dirty_changed = Signal(bool)
    send_finished = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab.rest")
        self._workspace = workspace
        self._engine: RestEngine | None = None
        self._send_task: asyncio.Task[None] | None = None
        self._received = False
        self.relpath: str | None = None
        self._saved: RestRequest | None = None
        self._dirty = False

        self.title = QLabel(objectName="rest.title")
        self.notice = QLabel(objectName="rest.notice", wordWrap=True, visible=False)
        self.notice.setStyleSheet("color: #c62828")
        self.editor = RestRequestEditor()
        self.response = ResponseView("rest.response")
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="rest.splitter")
        splitter.addWidget(self.editor)
        splitter.addWidget(self.response)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.splitter = splitter

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

        self._hint_timer = QTimer(self, singleShot=True, interval=150)
        self._hint_timer.timeout.connect(self.refresh_url_hint)
        self.editor.edited.connect(self._on_editor_edited)
        self.editor.send_requested.connect(self.send)
        self.editor.cancel_requested.connect(self.cancel)
        workspace.environment_selected.connect(self.refresh_url_hint)
        workspace.environments_changed.connect(self.refresh_url_hint)
        self._update_title()

    # -- what is open -------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self._dirty

    def open_request(self, request: RestRequest, relpath: str | None) -> None:
        """Show a saved request (``relpath``) or a new draft (``None``)."""
        self.relpath = relpath
        self._saved = request if relpath is not None else None
        self.editor.set_request(request)
        self.notice.setVisible(False)
        self.response.show_idle()
        self._set_dirty(False)
        self.refresh_url_hint()

    def current_request(self) -> RestRequest:
        return self.editor.request()

    def mark_saved(self, relpath: str, request: RestRequest) -> None:
        """``request`` is now on disk at ``relpath`` (saved, renamed or moved).

        The fields are left as they are: anything typed meanwhile stays, and dirty.
        """
        self.relpath = relpath
        self._saved = request
        self.editor.set_name(request.name)
        self.notice.setVisible(False)
        self._update_dirty()

    def detach(self) -> None:
        """The saved file is gone (deleted elsewhere): keep the content as an unsaved draft."""
        self.relpath = None
        self._saved = None
        self._set_dirty(True)

    def show_notice(self, text: str) -> None:
        """A problem with the request itself (saving, loading), told above the editor."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def focus_url(self) -> None:
        self.editor.url.setFocus()
        self.editor.url.selectAll()

    # -- sending ------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        """Resolve and send the request; a new send replaces one still running."""
        if self._send_task is not None and not self._send_task.done():
            self._send_task.cancel()
        task = self._send_task = asyncio.current_task()
        self._received = False
        try:
            await self._send(self.editor.request())
        except asyncio.CancelledError:
            if self._send_task is task and not self._received:
                self.response.show_cancelled()
        finally:
            if self._send_task is task:
                self.editor.set_sending(False)
                self._send_task = None
                self.send_finished.emit()

    async def _send(self, request: RestRequest) -> None:
        if not request.url.strip():
            self.response.show_error(
                "Nothing to send", "Type a URL first, e.g. {{base_url}}/api/items."
            )
            return
        try:
            resolved = resolve_request(request, self._workspace.scope())
        except VariableError as exc:
            self.response.show_error(error_title(exc), str(exc))
            return
        self.response.show_sending(resolved.method, join_url(resolved.url, resolved.params))
        self.editor.set_sending(True)
        try:
            response = await self._rest_engine().send(resolved)
            self._received = True
            await self.response.show_response(response)
        except (ProtocolError, CoreError) as exc:
            self.response.show_error(error_title(exc), str(exc))

    def cancel(self) -> None:
        if self._send_task is not None and not self._send_task.done():
            self._send_task.cancel()

    def is_sending(self) -> bool:
        return self._send_task is not None and not self._send_task.done()

    async def aclose(self) -> None:
        """Stop a send in flight and wait for it to end, then close the connections."""
        task = self._send_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._engine is not None:
            await self._engine.aclose()

    async def warm_up(self) -> None:
        """Import the engine (httpx and friends, ~0.1 s) in a worker once the window is up,
        so the first Send does not pay for it on the GUI thread."""
        await asyncio.to_thread(importlib.import_module, "apiclient.protocols.rest")

    def _rest_engine(self) -> RestEngine:
        if self._engine is None:
            # Imported on first send: httpx is not needed to show the window.
            from apiclient.protocols.rest import RestEngine

            self._engine = RestEngine()
        return self._engine

    # -- state --------------------------------------------------------------------------

    def refresh_url_hint(self) -> None:
        """Under the URL: the URL as it will be sent, or which variables are unknown."""
        request = self.editor.request()
        url = join_url(request.url, request.params)
        if "{{" not in url:
            self.editor.set_url_hint("")
            return
        scope = self._workspace.scope().with_layer("request", request.variables)
        missing = undefined_names(url, scope)
        if missing:
            names = ", ".join(f"{{{{{n}}}}}" for n in missing)
            self.editor.set_url_hint(
                f'<span style="color:#c62828">Unknown variable {names}: define it in the '
                f"environment, the collection or the request.</span>"
            )
            return
        try:
            preview = resolve_text(url, scope, "URL")
        except VariableError as exc:
            self.editor.set_url_hint(f'<span style="color:#c62828">{exc}</span>')
            return
        self.editor.set_url_hint(f'<span style="color:palette(mid)">→ {escape(preview)}</span>')

    def _on_editor_edited(self) -> None:
        self._update_dirty()
        self._hint_timer.start()

    def _update_dirty(self) -> None:
        saved = self._saved
        self._set_dirty(saved is None or self.editor.request() != saved)

    def _set_dirty(self, dirty: bool) -> None:
        changed = dirty != self._dirty
        self._dirty = dirty
        self._update_title()
        if changed:
            self.dirty_changed.emit(dirty)

    def _update_title(self) -> None:
        name = self.editor.request().name
        where = self.relpath or "not saved yet"
        marker = " ●" if self._dirty else ""
        where_html = f"<span style='color:palette(mid)'>{escape(where)}</span>"
        self.title.setText(f"<b>{escape(name)}</b>{marker}  {where_html}")
        self.title.setToolTip("Unsaved changes (Ctrl+S saves)" if self._dirty else "")
