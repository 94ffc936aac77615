"""The Webhook tab: a local receiver that captures, verifies and keeps every request, and
an inbox to read, search, replay, forward, delete and export them.

The receiver (``apiclient.protocols.webhook.WebhookReceiver``) runs on its own thread and
event loop and writes each event to SQLite before answering; it reports here through a
Qt signal (queued onto the GUI thread). The inbox reads the store from worker threads:
summaries for the list, the full event only for the one selected. The inbox outlives
the receiver and the app: events stay until deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from array import array
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget
from qasync import asyncSlot
from shiboken6 import isValid

from apiclient.core.errors import VariableError
from apiclient.core.formatting import human_size
from apiclient.core.models import AnyRequest, WebhookRequest
from apiclient.core.variables import Scope, resolve_text, resolve_webhook_request
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.webhook_events import (
    EventSummary,
    ForwardResult,
    ReceiverConfig,
    WebhookEvent,
)
from apiclient.ui import dialogs
from apiclient.ui.error_titles import error_title
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tabs.webhook_editor import WebhookEditor
from apiclient.ui.tabs.webhook_inbox import FIRST_ROWS, InboxSnapshot
from apiclient.ui.tabs.webhook_inbox_view import WebhookInboxView
from apiclient.ui.tasks import OwnedTask, start_task
from apiclient.ui.workers import import_in_worker, run_off_gui

if TYPE_CHECKING:
    from apiclient.protocols.webhook import WebhookReceiver
    from apiclient.protocols.webhook_store import WebhookStore
    from apiclient.ui.workspace import Workspace

# uvicorn, starlette and sqlite cost ~0.1 s to import: done in a worker, on first use.
_ENGINE_MODULES = (
    "apiclient.protocols.webhook_store",
    "apiclient.protocols.webhook",
    "apiclient.protocols.webhook_body",
    "apiclient.protocols.webhook_export",
    "apiclient.protocols.webhook_replay",
)
_APPLY_MS = 300
_STATUS_MS = 100  # the state line's event count, at most 10 times a second
_EXPORT_FILTERS = {"json": "JSON (*.json)", "har": "HAR (*.har)"}
_CURL_MAX_BYTES = 1024 * 1024


class ReceiverSignals(QObject):
    """What the receiver's thread reports, carried onto the GUI thread by Qt.

    Events come in batches: the receiver's thread adds each to a list and signals only
    when the list was empty, so a burst of 500 a second wakes the GUI thread a few dozen
    times, not 500 (each wake-up waits for the interpreter lock the busy receiver holds).
    """

    events = Signal()  # take them with ``take_events``
    forwarded = Signal(object)  # ForwardResult
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._events: list[EventSummary] = []

    def add_event(self, summary: EventSummary) -> None:
        """On the receiver's thread: keep ``summary`` for the GUI thread."""
        with self._lock:
            self._events.append(summary)
            first = len(self._events) == 1
        if first:
            self.events.emit()

    def take_events(self) -> list[EventSummary]:
        """On the GUI thread: every event kept since the last call, oldest first."""
        with self._lock:
            taken, self._events = self._events, []
        return taken


class WebhookTab(RequestTab):
    """A webhook receiver setup, the receiver it starts, and the inbox of every event.

    Signals:
        receiver_changed(str): "starting", "listening", "stopped" or "failed".
        inbox_loaded: the inbox lists the store's events (after opening, a filter or a
            clear).
        event_shown: the selected event is shown in full.
        action_finished: a replay, copy, delete, clear or export ended (the status line
            says how).
    """

    kind = "webhook"
    receiver_changed = Signal(str)
    inbox_loaded = Signal()
    event_shown = Signal()
    action_finished = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._store: WebhookStore | None = None
        self._store_problem = ""
        self._inbox_opened = asyncio.Event()  # set once opening the inbox ended, either way
        self._receiver: WebhookReceiver | None = None
        self._starting: WebhookReceiver | None = None  # a receiver not listening yet
        self._stopping: set[asyncio.Task[None]] = set()  # receivers still shutting down
        self._running: ReceiverConfig | None = None  # what the receiver started with
        self._received = 0  # events since the receiver started
        self._signals = ReceiverSignals(self)
        self._signals.events.connect(self._on_events, Qt.ConnectionType.QueuedConnection)
        self._signals.forwarded.connect(self._on_forwarded, Qt.ConnectionType.QueuedConnection)
        self._signals.error.connect(self._on_receiver_error, Qt.ConnectionType.QueuedConnection)
        self._lifecycle = OwnedTask(self._lifecycle_ended)
        self._inbox_task = OwnedTask()
        self._detail_task = OwnedTask()
        self._closing = False  # set when shutting down: no new work may start after it
        self._action: asyncio.Task[None] | None = None  # one at a time, never cancelled
        self._apply_timer = QTimer(self, singleShot=True, interval=_APPLY_MS)
        self._apply_timer.timeout.connect(self._apply_live)
        self._refilter_timer = QTimer(self, singleShot=True, interval=_APPLY_MS)
        self._refilter_timer.timeout.connect(self._reload_inbox)
        self._status_timer = QTimer(self, singleShot=True, interval=_STATUS_MS)
        self._status_timer.timeout.connect(self._show_listening)

        self.editor = WebhookEditor()
        self.inbox = WebhookInboxView()
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="webhook.splitter")
        splitter.addWidget(self.editor)
        splitter.addWidget(self.inbox)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 500])
        self._lay_out(splitter)
        self._track_edits(self.editor.edited)
        self.inbox.replay_url_edited.connect(self.editor.edited)
        self.editor.edited.connect(self._apply_timer.start)
        self.editor.start_requested.connect(self.toggle_receiver)
        self.inbox.filter_changed.connect(self._reload_inbox)
        self.inbox.loaded.connect(self.inbox_loaded)
        self.inbox.current_changed.connect(self._show_event)
        self.inbox.replay_requested.connect(self.replay_selected)
        self.inbox.copy_curl_requested.connect(self.copy_curl)
        self.inbox.delete_requested.connect(self.delete_selected)
        self.inbox.clear_requested.connect(self.clear_inbox)
        self.inbox.export_requested.connect(self.export_inbox)
        self._workspace.environment_selected.connect(self._apply_timer.start)
        self._update_title()
        self._inbox_task.start(self._open_inbox())

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> WebhookRequest:
        return WebhookRequest()

    def focus_main_field(self) -> None:
        self.editor.port.setFocus()
        self.editor.port.selectAll()

    def _editor_request(self) -> WebhookRequest:
        request = self.editor.request()
        return request.model_copy(update={"replay_url": self.inbox.replay_url.text().strip()})

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, WebhookRequest)
        if self._lifecycle.abandon() or self._receiver is not None:
            # Another setup's receiver (starting or listening): stopped, so what arrives
            # is never judged by settings no longer on screen.
            self._stop_receiver("Stopped: another receiver setup was opened. Press Start.")
        self.editor.set_request(request)
        self.inbox.replay_url.setText(request.replay_url)

    def _editor_rename(self, name: str) -> None:
        self.editor.update_request(name=name)

    def _editor_set_sending(self, sending: bool) -> None:
        """Starting is the tab's lifecycle job, not a send."""

    def _show_cancelled(self) -> None:
        self.editor.show_state("stopped", "Not started: cancelled.")

    async def send(self) -> None:
        """Ctrl+Enter: start the receiver, or stop it."""
        self.toggle_receiver()

    async def _close_engine(self) -> None:
        # Shutting down: stop the server and close the inbox, touching no widget. A row
        # selected while this awaits (the inbox's last batch) must not start a load that
        # would outlive the window.
        self._closing = True
        for task in (self._lifecycle, self._inbox_task, self._detail_task):
            task.abandon()
        receivers = [r for r in (self._starting, self._receiver) if r is not None]
        self._starting = self._receiver = None
        await asyncio.gather(*(r.stop() for r in receivers), *self._stopping)
        if self._action is not None:
            # A store change under way finishes (it runs in a thread) before closing.
            await asyncio.wait([self._action])
        store, self._store = self._store, None
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self.inbox.model.set_source(None)
        if store is not None:
            await run_off_gui(store.close)
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self.editor.fall_silent()
            for timer in (self._apply_timer, self._refilter_timer, self._status_timer):
                timer.stop()

    # -- the inbox's store ---------------------------------------------------------------------

    @property
    def store(self) -> WebhookStore | None:
        return self._store

    @property
    def receiver(self) -> WebhookReceiver | None:
        return self._receiver

    async def _open_inbox(self) -> None:
        try:
            await import_in_worker(*_ENGINE_MODULES)
            from apiclient.protocols.webhook_store import WebhookStore, default_inbox_path

            self._store = await run_off_gui(WebhookStore, default_inbox_path())
            self.inbox.model.set_source(self._store.summaries_by_ids)
        except ProtocolError as exc:
            self._store_problem = str(exc)
            self.inbox.show_status(f"The inbox cannot be opened: {exc}", error=True)
            self.inbox_loaded.emit()
            return
        finally:
            self._inbox_opened.set()
        await self._load_rows()

    def _reload_inbox(self) -> None:
        if self._store is not None and not self._closing:
            self._inbox_task.start(self._load_rows())

    async def _load_rows(self) -> None:
        store = self._store
        if store is None or not isValid(self):  # closed before this first step ran
            return
        search = self.inbox.filter_text()

        def query() -> InboxSnapshot:
            # Everything up to the newest event now; what arrives meanwhile is merged in.
            # Every id (the exact count, 8 bytes each) and the newest rows; the others
            # are read as they are scrolled into view.
            newest = store.summaries(limit=1)
            upto = newest[0].id if newest else 0
            ids = store.ids(search, upto=upto)
            rows = store.summaries(search=search, limit=FIRST_ROWS, before_id=upto + 1)
            return InboxSnapshot(ids, rows, upto, bool(search))

        try:
            snapshot = await run_off_gui(query)
        except ProtocolError as exc:
            self.inbox.show_status(f"The inbox cannot be read: {exc}", error=True)
            return
        self.inbox.load(snapshot)  # inbox_loaded follows when every row is listed

    # -- the receiver ------------------------------------------------------------------------

    def toggle_receiver(self) -> None:
        """Start; or, when starting or listening, stop."""
        if self._lifecycle.running():
            self._lifecycle.cancel()
        elif self._receiver is not None and self._receiver.running:
            self._stop_receiver("Stopped. The inbox keeps every event.")
        else:
            self.editor.set_running("starting")  # Stop works at once, before the task runs
            self._lifecycle.start(self._start())

    def _config(self) -> ReceiverConfig:
        """The receiver's settings from the editor, variables resolved; raises
        VariableError or WebhookConfigError (a RequestBuildError) for bad input."""
        from apiclient.protocols.webhook import check_receiver_config
        from apiclient.protocols.webhook_config import receiver_config

        resolved = resolve_webhook_request(self.editor.request(), self._workspace.scope())
        config = receiver_config(resolved)
        check_receiver_config(config)
        return config

    async def _start(self) -> None:
        self.editor.show_state("starting", "Starting…")
        self.receiver_changed.emit("starting")
        await import_in_worker(*_ENGINE_MODULES)
        from apiclient.protocols.webhook import WebhookReceiver

        await self._inbox_opened.wait()
        if self._stopping:  # the previous receiver lets go of the port first
            await asyncio.wait(set(self._stopping))
        if self._store is None:
            self._show_failure(f"Cannot start: the inbox cannot be opened. {self._store_problem}")
            return
        try:
            config = self._config()
        except (VariableError, ProtocolError) as exc:
            self._show_failure(f"Not started. {_sentence(exc)}")
            return
        signals = self._signals
        receiver = WebhookReceiver(
            self._store,
            on_event=signals.add_event,
            on_forward=signals.forwarded.emit,
            on_error=signals.error.emit,
        )
        self._starting = receiver
        try:
            url = await receiver.start(config)
        except ProtocolError as exc:
            self._show_failure(f"Not started. {exc}")
            return
        except asyncio.CancelledError:
            await receiver.stop()
            raise
        finally:
            self._starting = None
        self._receiver = receiver
        self._running = config
        self._received = 0
        self.editor.set_running("listening", url)
        self.inbox.set_url(url)
        self._show_listening()
        self.receiver_changed.emit("listening")

    def _lifecycle_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self.editor.set_running("stopped")
            self.editor.show_state("stopped", "Not started: cancelled.")
            self.receiver_changed.emit("stopped")

    def _show_failure(self, text: str) -> None:
        self.editor.set_running("failed")
        self.editor.show_state("failed", text)
        self.receiver_changed.emit("failed")

    def _stop_receiver(self, text: str) -> None:
        receiver, self._receiver = self._receiver, None
        self._running = None
        self._apply_timer.stop()
        self.editor.set_running("stopped")
        self.editor.show_state("stopped", text)
        self.inbox.set_url("")
        if receiver is not None:
            stopping = start_task(self._stopped(receiver), self._stopping.discard)
            self._stopping.add(stopping)
        else:
            self.receiver_changed.emit("stopped")

    async def _stopped(self, receiver: WebhookReceiver) -> None:
        """Wait until ``receiver`` let go of its port, and tell it unless another one is
        already on its way."""
        await receiver.stop()
        if self._receiver is None and not self._lifecycle.running():
            with contextlib.suppress(RuntimeError):  # the window went away meanwhile
                self.receiver_changed.emit("stopped")

    def _show_listening(self, extra: str = "") -> None:
        receiver, config = self._receiver, self._running
        if receiver is None or config is None:
            return
        count = f"{self._received} event{'s' if self._received != 1 else ''} since start"
        text = f"Listening on {receiver.url} (any path, any method) · {count}"
        if config.signature.scheme != "none":
            text += f" · checking {config.signature.scheme} signatures"
        if config.forward_url:
            text += f" · forwarding to {config.forward_url}"
        self.editor.show_state("listening", text + (f". {extra}" if extra else ""))

    def _apply_live(self) -> None:
        """Edits made while listening apply to the next request; the address needs a
        restart."""
        receiver, running = self._receiver, self._running
        if receiver is None or running is None or not receiver.running:
            return
        try:
            config = self._config()
            receiver.update(config)
        except (VariableError, ProtocolError) as exc:
            self._show_listening(f"Not applied: {_sentence(exc)} (the previous settings stay)")
            return
        self._running = config
        moved = (config.host, config.port) != (running.host, running.port)
        note = "Host and port changes apply after a restart (Stop, Start)." if moved else ""
        self._show_listening(note or "Changes apply to the next request.")

    # -- what the receiver reports -----------------------------------------------------------

    def _on_events(self) -> None:
        """New events: listed in the inbox's next batch; the labels follow in batches."""
        summaries = self._signals.take_events()
        self._received += len(summaries)
        for summary in summaries:
            self.inbox.add(summary)
        if self.inbox.filter_text() and not self._refilter_timer.isActive():
            self._refilter_timer.start()
        if not self._status_timer.isActive():
            self._status_timer.start()

    def _on_forwarded(self, result: ForwardResult) -> None:
        if result.error:
            self.inbox.show_status(
                f"Forwarding #{result.event_id} failed: {result.error}", error=True
            )
        else:
            self.inbox.show_status(
                f"Forwarded #{result.event_id} to {result.url}: {result.status} "
                f"in {result.elapsed_ms:.0f} ms."
            )

    def _on_receiver_error(self, text: str) -> None:
        self.inbox.show_status(text, error=True)

    # -- the selected event --------------------------------------------------------------------

    def _show_event(self, event_id: int) -> None:
        if self._closing:
            return
        if not event_id or self._store is None:
            self._detail_task.abandon()
            self.inbox.show_event(None, None)
            return
        self._detail_task.start(self._load_event(event_id))

    async def _load_event(self, event_id: int) -> None:
        from apiclient.protocols.webhook_body import render_body

        event = await self._event(event_id)
        if event is None or not isValid(self):  # the window may have closed meanwhile
            return
        self.inbox.show_event(event, None)
        rendered = await run_off_gui(
            render_body, event.summary.content_type, event.body, size_hint=len(event.body)
        )
        if not isValid(self):
            return
        self.inbox.show_body(rendered)
        self.event_shown.emit()

    # -- actions on events ---------------------------------------------------------------------

    def _run_action(self, work: Coroutine[Any, Any, None]) -> None:
        """Run one action on events at a time, to its end: a delete or clear half done in
        the store must never be left untold in the list. The buttons wait meanwhile."""
        if self._action is not None:
            work.close()
            self.inbox.show_status("Wait for the action under way to finish.", error=True)
            return
        self.inbox.set_busy(True)
        self._action = start_task(work, self._action_ended)

    def _action_ended(self, _task: asyncio.Task[None]) -> None:
        self._action = None
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            self.inbox.set_busy(False)
            self.action_finished.emit()

    def replay_selected(self) -> None:
        self._run_action(self._replay(self.inbox.current_id()))

    async def _replay(self, event_id: int) -> None:
        from apiclient.protocols.webhook_replay import replay

        typed = self.inbox.replay_url.text().strip()
        if not typed:
            self.inbox.show_status(
                "Nowhere to replay to: type the URL of your server (for example "
                "http://127.0.0.1:3000) next to Replay.",
                error=True,
            )
            return
        event = await self._event(event_id)
        if event is None:
            return
        try:
            url = resolve_text(typed, self._request_scope(), "replay URL")
            result = await replay(event, url)
        except (VariableError, ProtocolError) as exc:
            self.inbox.show_status(f"Replay of #{event_id} failed. {_sentence(exc)}", error=True)
            return
        self.inbox.show_status(
            f"Replayed #{event_id} to {result.url}: {result.status} in {result.elapsed_ms:.0f} ms."
        )

    def copy_curl(self) -> None:
        self._run_action(self._copy_curl(self.inbox.current_id()))

    async def _copy_curl(self, event_id: int) -> None:
        from apiclient.protocols.webhook_export import curl_command

        event = await self._event(event_id)
        if event is None:
            return
        try:
            base = resolve_text(self.inbox.replay_url.text().strip(), self._request_scope(), "URL")
        except VariableError:
            base = ""
        if not base:
            base = self._receiver.url if self._receiver and self._receiver.url else ""
        base = base or f"http://127.0.0.1:{self.editor.port.value()}"
        if event.summary.size > _CURL_MAX_BYTES:
            self.inbox.show_status(
                f"#{event_id} has a body of {human_size(event.summary.size)}, too much for a "
                "command line: use Replay, or Export and send the file.",
                error=True,
            )
            return
        command = await run_off_gui(curl_command, event, base)
        QGuiApplication.clipboard().setText(command)
        self.inbox.show_status(f"Copied a curl command that sends #{event_id} to {base}.")

    def delete_selected(self) -> None:
        ids = self.inbox.selected_ids()
        if ids and self._store is not None:
            self._run_action(self._delete(self._store, ids))

    async def _delete(self, store: WebhookStore, ids: list[int]) -> None:
        try:
            count = await run_off_gui(store.delete, ids)
        except ProtocolError as exc:
            self.inbox.show_status(f"Not deleted: {exc}", error=True)
            return
        self.inbox.table.clearSelection()
        self.inbox.model.remove_ids(set(ids))
        searching = bool(self.inbox.filter_text())
        self.inbox.set_total(max(0, self.inbox.total - count), searching=searching)
        self.inbox.show_status(f"Deleted {count} event{'s' if count != 1 else ''}.")

    @asyncSlot()
    async def clear_inbox(self) -> None:
        store = self._store
        if store is None:
            return
        try:
            total = await run_off_gui(store.count)
        except ProtocolError as exc:
            self.inbox.show_status(f"Not cleared: {exc}", error=True)
            return
        filtered = " (the filter does not apply: every event goes)"
        if not self.inbox.filter_text():
            filtered = ""
        answer = await dialogs.question(
            self,
            "Clear the inbox",
            f"Delete all {total} stored events{filtered}? This cannot be undone; export "
            "them first to keep a copy.",
        )
        if answer == dialogs.Button.Yes:
            self._run_action(self._clear(store))

    async def _clear(self, store: WebhookStore) -> None:
        try:
            count = await run_off_gui(store.clear)
        except ProtocolError as exc:
            self.inbox.show_status(f"Not cleared: {exc}", error=True)
            return
        upto = self.inbox.model.newest_id()
        self.inbox.load(InboxSnapshot(array("q"), [], upto, bool(self.inbox.filter_text())))
        self.inbox.show_event(None, None)
        self.inbox.show_status(f"Deleted all {count} events.")

    @asyncSlot(str)
    async def export_inbox(self, kind: str) -> None:
        store = self._store
        if store is None:
            return
        path = await dialogs.save_file(
            self, "Export the inbox", f"webhooks.{kind}", _EXPORT_FILTERS[kind]
        )
        if path:
            self._run_action(self._export(store, kind, Path(path)))

    async def _export(self, store: WebhookStore, kind: str, path: Path) -> None:
        from apiclient.protocols.webhook_export import export_har, export_json

        search = self.inbox.filter_text()
        write = export_json if kind == "json" else export_har

        def export() -> int:
            ids = store.ids(search)  # 8 bytes an event; each read in full as written
            events = (event for i in reversed(ids) if (event := store.get(i)) is not None)
            return write(events, path)

        self.inbox.show_status(f"Exporting to {path}…")
        try:
            count = await run_off_gui(export)
        except ProtocolError as exc:
            self.inbox.show_status(f"Not exported: {exc}", error=True)
            return
        which = "matching " if search else ""
        self.inbox.show_status(f"Exported {count} {which}events to {path}.")

    async def _event(self, event_id: int) -> WebhookEvent | None:
        store = self._store
        if not event_id or store is None:
            return None
        try:
            event = await run_off_gui(store.get, event_id)
        except ProtocolError as exc:
            self.inbox.show_status(f"Event #{event_id} cannot be read: {exc}", error=True)
            return None
        if event is None:
            self.inbox.show_status(f"Event #{event_id} is no longer stored.", error=True)
        return event

    def _request_scope(self) -> Scope:
        request = self.editor.request()
        return self._workspace.scope().with_layer("request", request.variables)


def _sentence(exc: Exception) -> str:
    """A variable problem gets its title in front; an engine error says it all."""
    if isinstance(exc, VariableError):
        return f"{error_title(exc)}. {exc}"
    return str(exc)
