"""The SOAP tab: a WSDL's operations, an editable envelope, and the response or Fault.

Loading the WSDL (zeep, imports, schemas) and writing sample envelopes run in workers;
sending goes through ``SoapEngine``. The tab resolves variables and shows results; it
builds no envelope and parses no XML itself.

Three kinds of background work belong to the request on screen: the send, the WSDL
load and the sample for a chosen operation. Showing another request abandons all three,
so no result ever lands under a request it was not made for.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QWidget
from qasync import asyncSlot
from shiboken6 import isValid

from apiclient.core.connection_defaults import effective_settings
from apiclient.core.errors import CoreError, VariableError
from apiclient.core.formatting import pretty_xml
from apiclient.core.models import AnyRequest, RestRequest, SoapRequest, inherit_auth
from apiclient.core.variables import resolve_request, resolve_soap_request, resolve_text
from apiclient.protocols.errors import EnvelopeError, ProtocolError
from apiclient.ui import dialogs
from apiclient.ui.error_titles import error_title
from apiclient.ui.recent_items import RecentItems
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tabs.soap_editor import SoapRequestEditor
from apiclient.ui.tabs.soap_response import SoapResponseView
from apiclient.ui.tabs.soap_wsdl_panel import WsdlPanel
from apiclient.ui.tasks import OwnedTask
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.workers import import_in_worker

if TYPE_CHECKING:
    from apiclient.protocols.soap import SoapEngine, SoapResponse
    from apiclient.protocols.soap_wsdl import LoadedWsdl, SoapOperation
    from apiclient.protocols.soap_wsdl_http import WsdlHttp
    from apiclient.ui.workspace import Workspace

_DEFAULT_NAME = SoapRequest().name
# zeep and lxml cost ~0.2 s to import: done in a worker, the first time they are needed.
_ENGINE_MODULES = ("apiclient.protocols.soap_wsdl", "apiclient.protocols.soap")
_CACHED_WSDLS = 8


class SoapTab(RequestTab):
    """A SOAP request (signals as :class:`RequestTab`, plus the two below).

    wsdl_finished: a WSDL load ended (loaded, failed or cancelled).
    envelope_filled: a sample envelope was put in the editor for a chosen operation.
    """

    kind = "soap"
    wsdl_finished = Signal()
    envelope_filled = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._engine: SoapEngine | None = None
        self._wsdl: LoadedWsdl | None = None
        self._tree_location = ""  # the location text the tree was loaded from
        # Resolved location -> loaded WSDL, so reopening requests does not fetch it again.
        self._wsdls: RecentItems[LoadedWsdl] = RecentItems(_CACHED_WSDLS)
        self._load = OwnedTask(self._load_ended)
        self._choice = OwnedTask()
        self._generated_envelope = ""

        self.wsdl_panel = WsdlPanel()
        self.editor = SoapRequestEditor()
        self.response = SoapResponseView()
        right = QSplitter(Qt.Orientation.Vertical, objectName="soap.right_splitter")
        right.addWidget(self.editor)
        right.addWidget(self.response)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        splitter = QSplitter(objectName="soap.splitter")
        splitter.addWidget(self.wsdl_panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 800])
        self._lay_out(splitter)

        self.wsdl_panel.location_edited.connect(self._on_location_edited)
        self.wsdl_panel.load_requested.connect(self.load_wsdl)
        self.wsdl_panel.cancel_requested.connect(self.cancel_load)
        self.wsdl_panel.operation_chosen.connect(self._on_operation_chosen)
        self._connect_editor(self.editor)
        self.editor.format_requested.connect(self.format_envelope)
        self._update_title()

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> SoapRequest:
        """A blank request that keeps the WSDL in view, ready to pick another operation."""
        return SoapRequest(wsdl=self.wsdl_panel.location.text().strip(), auth=inherit_auth())

    def focus_main_field(self) -> None:
        self.wsdl_panel.location.setFocus()
        self.wsdl_panel.location.selectAll()

    def _cancel_other_work(self) -> None:
        self.cancel_load()

    def _editor_request(self) -> SoapRequest:
        return self.editor.request()

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, SoapRequest)
        self._choice.abandon()
        self._abandon_load()
        self.editor.set_request(request)
        self.wsdl_panel.location.setText(request.wsdl)
        self._generated_envelope = ""
        self.response.show_idle()
        self.refresh_hint()
        if self._wsdl is not None and request.wsdl == self._tree_location:
            self.wsdl_panel.set_stale(False)
            self.wsdl_panel.select_operation(request.service, request.port, request.operation)
        elif request.wsdl and request.operation:
            # A reopened request: show its operation in the tree, envelope untouched.
            self._load.start(self._load_wsdl(force=False))
        elif request.wsdl != self._tree_location:
            self._wsdl = None
            self._tree_location = ""
            self.wsdl_panel.show_empty()

    def _editor_rename(self, name: str) -> None:
        self.editor.update_request(name=name)

    def _editor_set_sending(self, sending: bool) -> None:
        self.editor.set_sending(sending)

    def _show_cancelled(self) -> None:
        self.response.show_cancelled()

    async def _close_engine(self) -> None:
        # Shutting down: stop the background work, touching no widget (they may be gone).
        self._choice.abandon()
        self._load.abandon()
        if self._engine is not None:
            await self._engine.aclose()

    def refresh_hint(self) -> None:
        """Under the endpoint: the URL as it will be sent, or which variables are unknown."""
        request = self.editor.request()
        scope = self._workspace.scope().with_layer("request", request.variables)
        self.editor.set_endpoint_hint(variable_hint_html(request.endpoint, scope, "endpoint"))

    # -- the WSDL ------------------------------------------------------------------------

    @property
    def wsdl(self) -> LoadedWsdl | None:
        return self._wsdl

    def _on_location_edited(self, text: str) -> None:
        self.editor.update_request(wsdl=text.strip())
        if self._wsdl is not None:
            self.wsdl_panel.set_stale(text.strip() != self._tree_location)

    def load_wsdl(self) -> None:
        """Load (again) the WSDL in the location field: Load, Enter, or File…."""
        self._load.start(self._load_wsdl(force=True))

    def _load_ended(self, task: asyncio.Task[None]) -> None:
        self.wsdl_panel.show_loading(False)
        if task.cancelled():
            self.wsdl_panel.show_cancelled()
        self.wsdl_finished.emit()

    async def _load_wsdl(self, force: bool) -> None:
        """``force``: read the WSDL again even if this location was loaded before."""
        if not isValid(self):  # the tab closed before this first step ran
            return
        request = self.editor.request()
        typed = self.wsdl_panel.location.text().strip()
        if not typed:
            self.wsdl_panel.show_error(
                "No WSDL to load",
                "Type a WSDL URL (e.g. http://host/service?wsdl) or choose a file.",
            )
            return
        scope = self._workspace.scope().with_layer("request", request.variables)
        try:
            location = resolve_text(typed, scope, "WSDL location")
        except VariableError as exc:
            self.wsdl_panel.show_error(error_title(exc), str(exc))
            return
        self._choice.abandon()
        self._wsdl = None
        self._tree_location = ""
        wsdl = None if force else self._wsdls.get(location)
        if wsdl is None:
            self.wsdl_panel.show_loading(True)
            await import_in_worker(*_ENGINE_MODULES)
            from apiclient.protocols.soap_wsdl import load_wsdl

            # "App default" settings mean the app's preferences, as on Send.
            settings = effective_settings(request.settings, scope.connection)
            try:
                wsdl = await load_wsdl(
                    location,
                    timeout_s=settings.timeout_s,
                    verify_tls=settings.verify_tls,
                    on_progress=self.wsdl_panel.show_progress,
                    http=await self._wsdl_http(request, location),
                )
            except CoreError as exc:
                self.wsdl_panel.show_error(error_title(exc), str(exc))
                return
            except ProtocolError as exc:
                self._wsdls.forget(location)
                self.wsdl_panel.show_error("WSDL not loaded", str(exc))
                return
            self._wsdls.put(location, wsdl)
        self._wsdl = wsdl
        self._tree_location = typed
        self.wsdl_panel.show_wsdl(wsdl)
        current = self.editor.request()
        self.wsdl_panel.select_operation(current.service, current.port, current.operation)

    async def _wsdl_http(self, request: SoapRequest, location: str) -> WsdlHttp | None:
        """How an http(s) WSDL is fetched: like Send, with the effective auth (variables
        resolved, an OAuth 2.0 token filled in) and the connection settings, through the
        tab's engine (cookies, client certificates). None for a file. Raises
        ``VariableError`` and the OAuth 2.0 token errors."""
        from apiclient.protocols.soap_wsdl_http import WsdlHttp
        from apiclient.protocols.soap_wsdl_transport import is_remote

        if not is_remote(location):
            return None
        # Only the auth and settings are used: the location is resolved already.
        probe = RestRequest(
            auth=request.auth, settings=request.settings, variables=request.variables
        )
        prepared = await self._prepare(probe, resolve_request)
        return WsdlHttp(self._http_engine(), prepared.auth, prepared.settings)

    def cancel_load(self) -> None:
        self._load.cancel()

    def _abandon_load(self) -> None:
        """Stop a load whose result is no longer wanted, without reporting it."""
        if self._load.abandon():
            self.wsdl_panel.show_loading(False)

    def is_loading(self) -> bool:
        return self._load.running()

    # -- choosing an operation ---------------------------------------------------------------

    def _on_operation_chosen(self, operation: SoapOperation) -> None:
        self._choice.start(self._choose(operation))

    async def _choose(self, operation: SoapOperation) -> None:
        """Fill the editor for ``operation``: endpoint, version, action, a sample envelope.

        Whatever the user changes while the sample is being written wins: the sample is
        then dropped. An envelope the user wrote is replaced only when they say so, and
        the replacement can be undone (Ctrl+Z in the envelope).
        """
        wsdl = self._wsdl
        if wsdl is None:
            return
        before = self.editor.request()
        chosen = (operation.service, operation.port, operation.name)
        if chosen == (before.service, before.port, before.operation) and before.envelope.strip():
            return
        if before.envelope.strip() and before.envelope != self._generated_envelope:
            answer = await dialogs.question(
                self,
                "Replace the envelope?",
                f"Replace the envelope of '{before.name}' with a sample for "
                f"{operation.name}? (Ctrl+Z in the envelope brings it back.)",
            )
            if answer != dialogs.Button.Yes:
                self.wsdl_panel.select_operation(before.service, before.port, before.operation)
                return
            before = self.editor.request()
        try:
            envelope = await asyncio.to_thread(wsdl.sample_envelope, operation)
        except ProtocolError as exc:
            self.wsdl_panel.show_problem(f"No sample envelope for {operation.name}", str(exc))
            return
        if self.editor.request() != before or self._wsdl is not wsdl:
            return
        same_port = (operation.service, operation.port) == (before.service, before.port)
        keep_name = before.name not in (_DEFAULT_NAME, before.operation)
        self._generated_envelope = envelope
        self.editor.apply_operation(
            name=before.name if keep_name else operation.name,
            service=operation.service,
            port=operation.port,
            operation=operation.name,
            # An endpoint typed for this port ({{base}}/...) stays; another port brings its own.
            endpoint=before.endpoint if same_port and before.endpoint else operation.endpoint,
            soap_version=operation.soap_version,
            soap_action=operation.soap_action,
            envelope=envelope,
        )
        self.refresh_hint()
        self.envelope_filled.emit()

    @asyncSlot()
    async def format_envelope(self) -> None:
        """Indent the envelope (in a worker); a broken one is left as is, and told why."""
        text = self.editor.envelope.toPlainText()
        if not text.strip():
            return
        pretty = await asyncio.to_thread(pretty_xml, text)
        if self.editor.envelope.toPlainText() != text:
            return  # typed meanwhile: the user's text wins
        if pretty.problem:
            self.show_notice(f"Envelope not formatted. {pretty.problem}")
            return
        self.show_notice("")
        self.editor.replace_envelope(pretty.text.rstrip("\n") + "\n")

    # -- sending ------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        """Resolve and send the envelope; a new send replaces one still running."""
        await self._run_send(self._send(self.editor.request()))

    def _show_sending(self, resolved: SoapRequest) -> None:
        """The sending state (also while an OAuth 2.0 token is fetched first)."""
        self.response.show_sending(resolved.endpoint)
        self.editor.set_sending(True)

    async def _send(self, request: SoapRequest) -> None:
        if not request.envelope.strip():
            self.response.show_error(
                "Nothing to send",
                "Load a WSDL and choose an operation for a sample envelope, or paste one.",
            )
            return
        if not request.endpoint.strip():
            self.response.show_error(
                "No endpoint", "Choose an operation in the WSDL, or type the endpoint URL."
            )
            return
        try:
            resolved = await self._prepare(
                request, resolve_soap_request, waiting=self._show_sending
            )
        except (CoreError, ProtocolError) as exc:
            self.response.show_error(error_title(exc), str(exc))
            return
        self._show_sending(resolved)
        engine = await self._soap_engine()
        try:
            response = await engine.send(resolved)
        except EnvelopeError as exc:
            self.response.show_error(error_title(exc), str(exc))
            self.editor.show_envelope_position(exc.line, exc.column)
            return
        except (ProtocolError, CoreError) as exc:
            self._sent_error(request, exc)
            self.response.show_error(error_title(exc), str(exc))
            return
        self._received = True
        self._sent_http(request, response.http, "Fault" if response.fault is not None else "")
        await self.response.show_response(response)
        if request.validate_response:
            await self._validate(request, response)

    async def _validate(self, request: SoapRequest, response: SoapResponse) -> None:
        if response.fault is not None or response.problem:
            return
        wsdl = self._wsdl
        operation = wsdl.find(request.service, request.port, request.operation) if wsdl else None
        if wsdl is None or operation is None:
            self.response.add_note(
                "Not validated: load the WSDL and choose the operation to check the response "
                "against its schema."
            )
            return
        mismatches = await asyncio.to_thread(wsdl.validate_response, operation, response.http.body)
        self.response.show_validation(mismatches)

    async def _soap_engine(self) -> SoapEngine:
        if self._engine is None:
            await import_in_worker(*_ENGINE_MODULES)
            from apiclient.protocols.soap import SoapEngine

            self._engine = SoapEngine(self._http_engine())
        else:
            self._http_engine()  # the collection's certificates, as they are now
        return self._engine
