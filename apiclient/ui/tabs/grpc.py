"""The gRPC tab: services found by reflection (or .proto files), a JSON message built from
the input type, and calls of all four kinds with their statuses, headers and trailers.

Discovery and calls go through ``apiclient.protocols.grpc``; templates and message checks
are CPU work for a worker. Streams land in an event log; for client and bidirectional
streams the user sends more messages while the call is open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QSplitter, QWidget
from qasync import asyncSlot

from apiclient.core.errors import CoreError, VariableError
from apiclient.core.models import AnyRequest, GrpcRequest, inherit_auth
from apiclient.core.variables import resolve_grpc_request, resolve_text
from apiclient.protocols.errors import ProtocolError
from apiclient.ui.error_titles import error_title
from apiclient.ui.recent_items import RecentItems
from apiclient.ui.tabs.grpc_editor import GrpcRequestEditor
from apiclient.ui.tabs.grpc_methods_panel import MethodsPanel
from apiclient.ui.tabs.grpc_response import GrpcResponseView
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tasks import OwnedTask, start_task
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.widgets.auth_editor import GRPC_AUTH_KINDS
from apiclient.ui.workers import import_in_worker

if TYPE_CHECKING:
    from apiclient.protocols.grpc import GrpcEngine, GrpcStream
    from apiclient.protocols.grpc_catalog import GrpcCatalog, GrpcMethod
    from apiclient.ui.workspace import Workspace

# grpcio and protobuf cost ~0.2 s to import: done in a worker, when first needed.
_ENGINE_MODULES = ("apiclient.protocols.grpc",)
_CACHED_CATALOGS = 4


class GrpcTab(RequestTab):
    """A gRPC request (signals as :class:`RequestTab`); ``catalog_finished`` when a
    discovery (reflection or .proto files) ended."""

    kind = "grpc"
    catalog_finished = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._engine: GrpcEngine | None = None
        self._catalog: GrpcCatalog | None = None
        self._catalog_key = ""  # what the catalog in view describes (target or files)
        self._catalogs: RecentItems[GrpcCatalog] = RecentItems(_CACHED_CATALOGS)  # by key
        self._discovery = OwnedTask(self._discovery_ended)
        self._stream: GrpcStream | None = None
        self._choice = OwnedTask()
        self._pending_count = 0
        self._status_timer = QTimer(self, singleShot=True, interval=200)
        self._status_timer.timeout.connect(self._show_count)
        # Messages and the end of sending go out in the order the user clicked.
        self._stream_lock = asyncio.Lock()

        self.methods = MethodsPanel()
        self.methods.setMinimumWidth(150)
        self.editor = GrpcRequestEditor()
        self.response = GrpcResponseView()
        right = QSplitter(Qt.Orientation.Vertical, objectName="grpc.right_splitter")
        right.addWidget(self.editor)
        right.addWidget(self.response)
        splitter = QSplitter(objectName="grpc.splitter")
        splitter.addWidget(self.methods)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 830])
        self._lay_out(splitter)
        self._connect_editor(self.editor)
        self.editor.send_message_requested.connect(self.send_stream_message)
        self.editor.close_send_requested.connect(self.close_stream_send)
        self.methods.reflect_requested.connect(self.reflect)
        self.methods.protos_requested.connect(self._choose_protos)
        self.methods.cancel_requested.connect(self.cancel_discovery)
        self.methods.method_chosen.connect(self._on_method_chosen)
        self._update_title()

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> GrpcRequest:
        """A blank request on the same target, so the methods in view still apply."""
        current = self.editor.request()
        return GrpcRequest(
            target=current.target,
            security=current.security,
            tls=current.tls,
            proto_files=current.proto_files,
            import_paths=current.import_paths,
            auth=inherit_auth(),
        )

    def focus_main_field(self) -> None:
        self.editor.target.setFocus()
        self.editor.target.selectAll()

    def refresh_hint(self) -> None:
        request = self.editor.request()
        scope = self._workspace.scope().with_layer("request", request.variables)
        self.editor.set_target_hint(variable_hint_html(request.target, scope, "target"))
        self._follow_catalog(request)

    def _cancel_other_work(self) -> None:
        self.cancel_discovery()

    def _editor_request(self) -> GrpcRequest:
        return self.editor.request()

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, GrpcRequest)
        self._abandon_discovery()
        self._choice.abandon()
        self.editor.set_request(request)
        self.response.show_idle()
        self.refresh_hint()
        catalog = self.catalog
        method = catalog.method(request.method) if catalog is not None else None
        self.methods.select_method(request.method)
        self.editor.set_notes(catalog.field_notes(method) if catalog and method else [])
        if catalog is None and request.method and (request.target or request.proto_files):
            # A reopened request: describe its service again (reflection takes ~10 ms).
            if request.proto_files:
                self._start_discovery(self._load_protos(), "Compiling the .proto files…")
            else:
                self._start_discovery(self._reflect(), "Asking the server for its services…")

    def _editor_rename(self, name: str) -> None:
        self.editor.update_request(name=name)

    def _editor_set_sending(self, sending: bool) -> None:
        self.editor.set_sending(sending)
        if not sending:
            self.editor.set_streaming(False)

    def _show_cancelled(self) -> None:
        self.response.show_cancelled()

    async def _close_engine(self) -> None:
        # Shutting down: stop the background work, touching no widget (they may be gone).
        self._discovery.abandon()
        self._choice.abandon()
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self._status_timer.stop()
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self.response.log.model.close()  # the stream's spool file goes
        if self._engine is not None:
            await self._engine.aclose()

    async def _grpc_engine(self) -> GrpcEngine:
        if self._engine is None:
            await import_in_worker(*_ENGINE_MODULES)
            from apiclient.protocols.grpc import GrpcEngine

            self._engine = GrpcEngine()
        return self._engine

    # -- discovery -------------------------------------------------------------------------

    @property
    def catalog(self) -> GrpcCatalog | None:
        """The services of the target (or .proto files) in the request now; None when the
        tree shows another target's, so a call never uses the wrong descriptors."""
        if self._catalog is not None and self._catalog_key == self._key(self.editor.request()):
            return self._catalog
        return None

    def _key(self, request: GrpcRequest) -> str:
        if request.proto_files:
            return "files:" + "|".join(request.proto_files) + "#" + "|".join(request.import_paths)
        scope = self._workspace.scope().with_layer("request", request.variables)
        try:
            target = resolve_text(request.target, scope, "target")
        except VariableError:
            target = request.target
        return f"{request.security}:{target}"

    def _follow_catalog(self, request: GrpcRequest) -> None:
        """Show the catalog of the request's target: the one in view, a cached one, or
        grey the tree as another target's."""
        key = self._key(request)
        if key == self._catalog_key and self._catalog is not None:
            if not self.methods.tree.isEnabled():
                self._show_catalog(key, self._catalog)
            return
        cached = self._catalogs.get(key)
        if cached is not None:
            self._show_catalog(key, cached)
        elif self._catalog is not None:
            self.methods.set_stale(True)

    def reflect(self) -> None:
        self.editor.set_proto_files([])
        self._start_discovery(self._reflect(), "Asking the server for its services…")

    def _choose_protos(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self, "Choose .proto files", "", "Protocol Buffers (*.proto);;All files (*)"
        )
        if files:
            self.editor.set_proto_files(files)
            self._start_discovery(self._load_protos(), "Compiling the .proto files…")

    def _start_discovery(self, work: Coroutine[Any, Any, None], what: str) -> None:
        self._abandon_discovery()
        self.methods.show_busy(True, what)
        self._discovery.start(work)

    def _discovery_ended(self, task: asyncio.Task[None]) -> None:
        self.methods.show_busy(False)
        if task.cancelled():
            self.methods.show_cancelled()
        self.catalog_finished.emit()

    def cancel_discovery(self) -> None:
        self._discovery.cancel()

    def _abandon_discovery(self) -> None:
        if self._discovery.abandon():
            self.methods.show_busy(False)

    async def _reflect(self) -> None:
        request = self.editor.request()
        if not request.target.strip():
            self.methods.show_error("No target", "Type the server's host:port first.")
            return
        try:
            resolved = await self._prepare(
                request,
                resolve_grpc_request,
                carries=frozenset(GRPC_AUTH_KINDS),
                where="gRPC calls",
            )
        except (CoreError, ProtocolError) as exc:
            self.methods.show_error(error_title(exc), str(exc))
            return
        key = self._key(request)  # before the wait: the environment may change meanwhile
        await self._grpc_engine()
        from apiclient.protocols.grpc import reflect

        try:
            catalog = await reflect(resolved)
        except (ProtocolError, CoreError) as exc:
            self._forget_shown_catalog()
            self.methods.show_error("Services not found", str(exc))
            return
        self._show_catalog(key, catalog)

    async def _load_protos(self) -> None:
        request = self.editor.request()
        key = self._key(request)
        await self._grpc_engine()
        from apiclient.protocols.grpc import load_proto_files

        try:
            catalog = await asyncio.to_thread(
                load_proto_files, request.proto_files, request.import_paths
            )
        except (ProtocolError, CoreError) as exc:
            self._forget_shown_catalog()
            self.methods.show_error("The .proto files were not loaded", str(exc))
            return
        self._show_catalog(key, catalog)

    def _forget_shown_catalog(self) -> None:
        """A failed discovery empties the tree: nothing in view describes any target."""
        self._catalog = None
        self._catalog_key = ""

    def _show_catalog(self, key: str, catalog: GrpcCatalog) -> None:
        self._catalogs.put(key, catalog)
        self._catalog = catalog
        self._catalog_key = key
        self.methods.show_catalog(catalog)
        self.methods.select_method(self.editor.request().method)

    def _on_method_chosen(self, method: GrpcMethod) -> None:
        self._choice.start(self._choose(method))

    async def _choose(self, method: GrpcMethod) -> None:
        """Put the method's template in the editor (undoable) unless it is already chosen."""
        catalog = self.catalog
        before = self.editor.request()
        if catalog is None or (before.method == method.path and before.message.strip()):
            return
        template, notes = await asyncio.to_thread(
            lambda: (catalog.template(method), catalog.field_notes(method))
        )
        if method.client_streams:
            template = "[\n" + "\n".join("  " + line for line in template.splitlines()) + "\n]"
        if self.editor.request() != before:
            return  # typed meanwhile: the user's text wins
        keep_name = before.name not in (GrpcRequest().name, before.method.rsplit("/", 1)[-1])
        self.editor.apply_method(
            before.name if keep_name else method.name, method.path, template, notes
        )

    # -- calling ----------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        await self._run_send(self._send(self.editor.request()))

    async def _send(self, request: GrpcRequest) -> None:
        if not request.target.strip():
            self.response.show_error("Nothing to call", "Type the server's host:port first.")
            return
        catalog = self.catalog
        method = catalog.method(request.method) if catalog is not None else None
        if catalog is None or method is None:
            self.response.show_error(
                "No method", "Reflect (or load .proto files) and choose a method first."
            )
            return
        streaming = method.server_streams or method.client_streams

        def calling(_: GrpcRequest) -> None:
            self.response.show_calling(method.path, streaming)
            self.editor.set_sending(True)

        try:
            resolved = await self._prepare(
                request,
                resolve_grpc_request,
                waiting=calling,
                carries=frozenset(GRPC_AUTH_KINDS),
                where="gRPC calls",
            )
        except (CoreError, ProtocolError) as exc:
            self.response.show_error(error_title(exc), str(exc))
            return
        engine = await self._grpc_engine()
        calling(resolved)
        stream = engine.stream(resolved, catalog)
        self._stream = stream
        self.editor.set_streaming(method.client_streams)
        self._pending_count = 0
        try:
            async for event in stream:
                self._pending_count += 1
                self._received = True
                self.response.add_message(event)
                if not self._status_timer.isActive():
                    self._status_timer.start()
        except (ProtocolError, CoreError) as exc:
            self._sent_error(request, exc)
            self.response.show_failure(error_title(exc), str(exc))
            return
        except asyncio.CancelledError:
            await stream.cancel()
            raise
        finally:
            self._status_timer.stop()
            if self._stream is stream:
                self._stream = None
        if stream.result is not None:
            self._received = True
            result = stream.result
            if result.code != "CANCELLED":  # the user's Cancel: no answer to keep
                size = sum(len(text.encode()) for text in result.messages)
                self._sent(request, result.code, elapsed_s=result.elapsed_s, size=size)
            self.response.show_result(result, self._pending_count)

    def cancel(self) -> None:
        """Esc or Cancel: a running call is cancelled by the engine, so what arrived so far
        is kept and the status (CANCELLED, time, trailers) is shown like any other."""
        stream = self._stream
        if stream is not None and self.is_sending():
            start_task(stream.cancel())
        else:
            super().cancel()

    def _show_count(self) -> None:
        if self._stream is not None:
            self.response.show_streaming(self._pending_count)

    @asyncSlot()
    async def send_stream_message(self) -> None:
        """Send the editor's message into the open client or bidirectional stream."""
        stream = self._stream
        if stream is None:
            return
        text = self.editor.message.toPlainText()
        async with self._stream_lock:
            try:
                await stream.send(text)
            except (ProtocolError, CoreError) as exc:
                if self._stream is stream:
                    self.response.show_note(f"Not sent: {exc}")

    @asyncSlot()
    async def close_stream_send(self) -> None:
        stream = self._stream
        if stream is not None:
            self.editor.set_streaming(False)
            async with self._stream_lock:
                try:
                    await stream.close_send()
                except (ProtocolError, CoreError) as exc:
                    if self._stream is stream:
                        self.response.show_note(f"Could not end sending: {exc}")
