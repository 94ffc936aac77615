"""The WebSocket tab: a live session with a request's URL, headers, auth and TLS; messages
written or saved with the request and sent at will; every frame in a log that stays
fast under 10,000 messages a second.

The session is ``apiclient.protocols.websocket.WebsocketSession``; it reports frames and
connection changes synchronously, and the log buffers them until its next batch. The
connection is the tab's background job: opening another WebSocket request closes it
(the log keeps what it saw, with the change noted in it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter, QWidget
from qasync import asyncSlot

from apiclient.core.errors import CoreError, VariableError
from apiclient.core.formatting import human_size
from apiclient.core.models import AnyRequest, WebsocketRequest, WsMessage, inherit_auth
from apiclient.core.variables import resolve_websocket_request, resolve_ws_message
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.websocket_spool import SpoolError
from apiclient.ui import dialogs
from apiclient.ui.error_titles import error_title
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tabs.websocket_editor import WebsocketRequestEditor
from apiclient.ui.tabs.websocket_log_view import MessageLogView
from apiclient.ui.tasks import OwnedTask, start_task
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.widgets.auth_editor import WEBSOCKET_AUTH_KINDS
from apiclient.ui.workers import import_in_worker

if TYPE_CHECKING:
    from apiclient.protocols.websocket import WebsocketSession, WsCounters, WsFrame, WsStatus
    from apiclient.ui.workspace import Workspace

# websockets costs ~50 ms to import: done in a worker, when first connecting.
_ENGINE_MODULES = ("apiclient.protocols.websocket",)
_COUNTERS_MS = 250
_CLOSE_CODE_HINT = "1000, or 3000-4999 for your application's own codes"


class WebsocketTab(RequestTab):
    """A WebSocket request and its live session (signals as :class:`RequestTab`).

    Signals:
        phase_changed(str): the connection's phase (connecting, open, closing, closed,
            reconnecting), also for connections that failed before opening.
        session_ended: the connection is over for good (closed, failed or stopped).
        message_sent: a message went out (or was refused, with the reason shown).
    """

    kind = "websocket"
    phase_changed = Signal(str)
    session_ended = Signal()
    message_sent = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._session: WebsocketSession | None = None
        self._resolved: WebsocketRequest | None = None  # what the session connected with
        self._counters: WsCounters | None = None  # the last session's, kept after it ends
        self._connection = OwnedTask(self._connection_ended)
        self._send_lock = asyncio.Lock()  # messages leave in the order they were sent
        self._rate_mark = (0.0, 0)  # (time, messages_in) at the last counters refresh
        self._counters_timer = QTimer(self, interval=_COUNTERS_MS)
        self._counters_timer.timeout.connect(self._show_counters)

        self.editor = WebsocketRequestEditor()
        self.log = MessageLogView()
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="websocket.splitter")
        splitter.addWidget(self.editor)
        splitter.addWidget(self.log)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 510])
        self._lay_out(splitter)
        self._connect_editor(self.editor)
        self.editor.connect_requested.connect(self.toggle_connection)
        self.editor.close_requested.connect(self.disconnect)
        self.editor.close_with_code_requested.connect(self.ask_close_code)
        self.editor.ping_requested.connect(self.ping)
        self.editor.save_message_requested.connect(self.save_draft)
        self.editor.saved.send_requested.connect(self.send_saved)
        self.editor.saved.load_requested.connect(self._load_saved)
        self.editor.saved.rename_requested.connect(self.rename_saved)
        self.log.export_requested.connect(self.export_log)
        self._update_title()

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> WebsocketRequest:
        return WebsocketRequest(auth=inherit_auth())

    def focus_main_field(self) -> None:
        self.editor.url.setFocus()
        self.editor.url.selectAll()

    def refresh_hint(self) -> None:
        request = self.editor.request()
        scope = self._workspace.scope().with_layer("request", request.variables)
        self.editor.set_url_hint(variable_hint_html(request.url, scope, "URL"))

    def _editor_request(self) -> WebsocketRequest:
        return self.editor.request()

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, WebsocketRequest)
        if self._connection.running():
            # Another request's socket: dropped at once and silently, so nothing of it
            # lands under the new request; the log keeps what it saw.
            if self._session is not None:
                self._session.abort()
            self._connection.abandon()
            self._forget_session()
            self.editor.show_state("idle", "Not connected (the previous request's socket closed).")
        self.editor.set_request(request)
        self.refresh_hint()

    def _editor_rename(self, name: str) -> None:
        self.editor.update_request(name=name)

    def _editor_set_sending(self, sending: bool) -> None:
        """Messages go out at once; there is no send to show as running."""

    def _show_cancelled(self) -> None:
        self.editor.show_message_status("Not sent: cancelled.", error=True)

    def cancel(self) -> None:
        """Esc: stop connecting (an open connection stays open: Disconnect closes it)."""
        if self._connecting():
            self._connection.cancel()
        else:
            super().cancel()

    def _connecting(self) -> bool:
        """A connection is being made (the session may not exist yet: the engine is
        imported first) or retried."""
        session = self._session
        if not self._connection.running():
            return False
        return session is None or session.status.phase in ("connecting", "reconnecting")

    async def _close_engine(self) -> None:
        # Shutting down: drop the socket, touching no widget (they may be gone).
        session, self._session = self._session, None
        self._connection.abandon()
        if session is not None:
            session.abort()
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self._counters_timer.stop()
            self.log.model.close()  # its spool file goes

    # -- the connection ----------------------------------------------------------------------

    @property
    def session(self) -> WebsocketSession | None:
        return self._session

    def toggle_connection(self) -> None:
        """Connect; or, when connected, disconnect; or, when connecting, stop."""
        session = self._session
        if self._connecting():
            self._connection.cancel()
        elif session is None or session.status.phase == "closed":
            self.editor.set_connection("connecting")  # Stop at once, even before the task runs
            self._connection.start(self._connect())
        else:
            self.disconnect(1000, "")

    def disconnect(self, code: int, reason: str) -> None:
        if self._session is not None:
            start_task(self._close(self._session, code, reason))

    async def _close(self, session: WebsocketSession, code: int, reason: str) -> None:
        try:
            await session.close(code, reason)
        except (ProtocolError, CoreError) as exc:
            self.editor.show_message_status(f"Not closed: {exc}", error=True)

    @asyncSlot()
    async def ping(self) -> None:
        """Ping the server and tell the round trip (or why there was none)."""
        session = self._session
        if session is None or session.status.phase != "open":
            return
        try:
            seconds = await session.ping()
        except (ProtocolError, CoreError) as exc:
            self.editor.show_message_status(f"No pong: {exc}", error=True)
            return
        self.editor.show_message_status(f"Pong after {seconds * 1000:.1f} ms.")

    @asyncSlot()
    async def ask_close_code(self) -> None:
        text, ok = await dialogs.get_text(
            self, "Close the connection", f"Close code ({_CLOSE_CODE_HINT}) and optional reason:"
        )
        if not ok:
            return
        code_text, _, reason = text.strip().partition(" ")
        if not code_text.isdecimal() or not code_text.isascii():
            self.editor.show_message_status(
                f"Not closed: “{code_text}” is not a close code; use {_CLOSE_CODE_HINT}.",
                error=True,
            )
            return
        self.disconnect(int(code_text), reason.strip())

    def _show_getting_token(self, resolved: WebsocketRequest) -> None:
        """Connecting, while an OAuth 2.0 token is fetched first (Disconnect stops it)."""
        self.editor.show_state("connecting", f"Getting an OAuth 2.0 token for {resolved.url}…")
        self.editor.set_connection("connecting")

    async def _connect(self) -> None:
        request = self.editor.request()
        if not request.url.strip():
            self._show_failure("Nothing to connect to: type a ws:// or wss:// URL first.")
            return
        try:
            resolved = await self._prepare(
                request,
                resolve_websocket_request,
                waiting=self._show_getting_token,
                carries=frozenset(WEBSOCKET_AUTH_KINDS),
                where="WebSocket handshakes",
            )
        except (CoreError, ProtocolError) as exc:
            self._show_failure(f"{error_title(exc)}. {exc}")
            return
        self.editor.show_state("connecting", f"Connecting to {resolved.url}…")
        self.editor.set_connection("connecting")
        await import_in_worker(*_ENGINE_MODULES)
        from apiclient.protocols.websocket import WebsocketSession

        session = WebsocketSession(resolved, self._on_frame, self._on_status)
        self._session = session
        self._resolved = resolved
        self._counters = session.counters
        self._rate_mark = (time.monotonic(), 0)
        self._counters_timer.start()
        try:
            await session.run()
        except asyncio.CancelledError:
            session.abort()
            raise

    def _on_frame(self, frame: WsFrame) -> None:
        try:
            self.log.model.append(frame)
        except RuntimeError:  # the window was deleted under a live socket: drop it
            self._drop_orphaned_session()

    def _drop_orphaned_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.abort()

    def _on_status(self, status: WsStatus) -> None:
        try:
            self._show_status(status)
        except RuntimeError:  # the window was deleted under a live socket: drop it
            self._drop_orphaned_session()

    def _show_status(self, status: WsStatus) -> None:
        if status.phase != "connecting" or status.attempt:
            self.log.model.append(status)
        failed = status.phase == "closed" and status.error is not None
        text = status.describe()
        if failed and str(status.error) not in text:
            # The short line ("Connection lost (1006)...") says what; the error's own
            # sentence also says where and what to try.
            text = str(status.error)
        self.editor.show_state("failed" if failed else status.phase, text)
        self.editor.set_connection(status.phase)
        self.log.set_connection(status.phase)
        self.phase_changed.emit(status.phase)

    def _connection_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self.editor.show_state("closed", "Stopped: not connected.")
        elif task.exception() is not None:
            self.editor.show_state("failed", "The connection ended on an unexpected error.")
        self._forget_session()
        self.session_ended.emit()

    def _forget_session(self) -> None:
        if self._session is not None:
            self._show_counters()
        self._session = None
        self._counters_timer.stop()
        self.editor.set_connection("closed")
        self.log.set_connection("closed")

    def _show_failure(self, text: str) -> None:
        self.editor.show_state("failed", text)
        self.editor.set_connection("closed")
        self.log.set_connection("closed")
        self.phase_changed.emit("closed")

    def _show_counters(self) -> None:
        counters = self._counters
        if counters is None:
            return
        now = time.monotonic()
        then, before = self._rate_mark
        rate = (counters.messages_in - before) / (now - then) if now > then else 0.0
        self._rate_mark = (now, counters.messages_in)
        rate_text = f" · {rate:,.0f}/s" if rate >= 1 else ""
        self.editor.show_counters(
            f"↓ {counters.messages_in:,} ({human_size(counters.bytes_in)}){rate_text}   "
            f"↑ {counters.messages_out:,} ({human_size(counters.bytes_out)})"
        )

    # -- sending -----------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        """Ctrl+Enter or Send: the message in the editor."""
        await self._send(self.editor.draft())

    @asyncSlot(int)
    async def send_saved(self, row: int) -> None:
        await self._send(self.editor.saved.message(row))

    async def _send(self, message: WsMessage) -> None:
        try:
            await self._send_now(message)
        finally:
            self.message_sent.emit()

    async def _send_now(self, message: WsMessage) -> None:
        session, resolved = self._session, self._resolved
        if session is None or resolved is None or session.status.phase != "open":
            self.editor.show_message_status(
                "Not sent: not connected. Press Connect first; the message stays here.",
                error=True,
            )
            return
        try:
            ready = resolve_ws_message(message, self.editor.request(), self._workspace.scope())
        except VariableError as exc:
            self.editor.show_message_status(f"Not sent: {exc}", error=True)
            return
        async with self._send_lock:
            try:
                frame = await session.send(ready)
            except (ProtocolError, CoreError) as exc:
                self.editor.show_message_status(f"Not sent: {exc}", error=True)
                return
        what = f"“{message.name}”" if message.name else "the message"
        self.editor.show_message_status(f"Sent {what}: {frame.kind}, {human_size(frame.size)}.")

    # -- saved messages ----------------------------------------------------------------------

    @asyncSlot()
    async def save_draft(self) -> None:
        draft = self.editor.draft()
        if not draft.body.strip():
            self.editor.show_message_status("Nothing to save: the message is empty.", error=True)
            return
        count = len(self.editor.saved.messages())
        name, ok = await dialogs.get_text(
            self, "Save message", "Name of the saved message:", f"Message {count + 1}"
        )
        if ok:
            self.editor.saved.add(draft.model_copy(update={"name": name.strip()}))
            self.editor.show_message_status(
                f"Saved as “{name.strip() or f'Message {count + 1}'}” (Saved messages tab). "
                "Save the request (Ctrl+S) to keep it."
            )

    def _load_saved(self, row: int) -> None:
        self.editor.load_message(self.editor.saved.message(row))

    @asyncSlot(int)
    async def rename_saved(self, row: int) -> None:
        current = self.editor.saved.message(row)
        name, ok = await dialogs.get_text(self, "Rename message", "New name:", current.name)
        if ok and self.editor.saved.message(row) == current:
            self.editor.saved.set_name(row, name.strip())

    # -- export ------------------------------------------------------------------------------

    @asyncSlot()
    async def export_log(self) -> None:
        """Save the whole session (read from the log's spool, off the GUI thread)."""
        model = self.log.model
        if not model.total:
            self.log.set_note("Nothing to export yet: the log is empty.")
            return
        header = self._export_header()
        suggested = f"{self.editor.request().name or 'websocket'}-session.json"
        path = await dialogs.save_file(
            self, "Export the session", suggested, "JSON files (*.json);;All files (*)"
        )
        if not path:
            return
        from apiclient.protocols.websocket_export import write_session

        self.log.set_note(f"Exporting {model.kept:,} entries…")
        try:
            count = await asyncio.wrap_future(
                model.export(lambda entries: write_session(Path(path), entries, header))
            )
        except OSError as exc:
            self.log.set_note(f"Not exported: {exc.strerror or exc} ({path}).")
            return
        except SpoolError as exc:
            self.log.set_note(f"Not exported: {exc}")
            return
        self.log.set_note(f"Exported {count:,} entries to {path}.")

    def _export_header(self) -> dict[str, object]:
        connected = self._resolved  # the last session's request, as it was sent
        header: dict[str, object] = {
            "request": (connected or self.editor.request()).name,
            "url": connected.url if connected is not None else "",
            "kept": self.log.model.kept,
            "dropped": self.log.model.dropped,
        }
        if self._counters is not None:
            header["counters"] = dataclasses.asdict(self._counters)
        return header
