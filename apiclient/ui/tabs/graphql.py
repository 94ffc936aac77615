"""The GraphQL tab: a schema explorer, a checked query with completion, and the response
(or the stream of a subscription).

The tab resolves variables, hands the request to ``GraphqlEngine`` and renders what comes
back. Parsing and validating the document and building schemas run in workers (graphql-
core is pure Python, but a large schema takes a while); completion runs on the GUI
thread because it only walks the text around the cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QCompleter, QFileDialog, QSplitter, QWidget
from qasync import asyncSlot
from shiboken6 import isValid

from apiclient.core.errors import CoreError, VariableError
from apiclient.core.models import AnyRequest, GraphqlRequest, inherit_auth
from apiclient.core.variables import resolve_graphql_request, resolve_text
from apiclient.protocols.errors import (
    DocumentError,
    ProtocolError,
    VariablesError,
)
from apiclient.ui.error_titles import error_title
from apiclient.ui.recent_items import RecentItems
from apiclient.ui.tabs.graphql_editor import GraphqlRequestEditor
from apiclient.ui.tabs.graphql_response import GraphqlResponseView
from apiclient.ui.tabs.graphql_schema_panel import SchemaExplorer
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.tasks import OwnedTask
from apiclient.ui.theme import show_status
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.workers import import_in_worker

if TYPE_CHECKING:
    from apiclient.protocols.graphql import GraphqlEngine
    from apiclient.protocols.graphql_document import Completion
    from apiclient.protocols.graphql_schema import LoadedSchema, SchemaField
    from apiclient.ui.workspace import Workspace

# graphql-core and websockets cost ~0.15 s to import: done in a worker, when first needed.
_ENGINE_MODULES = (
    "apiclient.protocols.graphql_schema",
    "apiclient.protocols.graphql_document",
    "apiclient.protocols.graphql",
)
_STOP_TIMEOUT_S = 3.0
_COMPLETER_KEYS = (
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Escape,
)
_CACHED_SCHEMAS = 3  # big schemas weigh tens of megabytes (and every full GC walks them)


class GraphqlTab(RequestTab):
    """A GraphQL request (signals as :class:`RequestTab`, plus the three below).

    schema_finished: a schema fetch or SDL load ended (loaded, failed or cancelled).
    document_checked: the query was parsed and checked after an edit.
    """

    kind = "graphql"
    schema_finished = Signal()
    document_checked = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._engine: GraphqlEngine | None = None
        self._schemas: RecentItems[LoadedSchema] = RecentItems(_CACHED_SCHEMAS)  # by key
        self._shown_key = ""  # the key of the schema in the explorer
        self._schema_job = OwnedTask(self._schema_ended)
        self._check_job = OwnedTask()

        self.explorer = SchemaExplorer()
        self.explorer.setMinimumWidth(150)  # a narrow window squeezes the explorer first
        self.editor = GraphqlRequestEditor()
        self.response = GraphqlResponseView()
        right = QSplitter(Qt.Orientation.Vertical, objectName="graphql.right_splitter")
        right.addWidget(self.editor)
        right.addWidget(self.response)
        splitter = QSplitter(objectName="graphql.splitter")
        splitter.addWidget(self.explorer)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 800])
        self._lay_out(splitter)

        self._completer = QCompleter(self)
        self._completer.setWidget(self.editor.query)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setModel(QStringListModel(self))
        self._completer.activated.connect(self._insert_completion)
        self._completions: dict[str, Completion] = {}
        complete = QShortcut(QKeySequence("Ctrl+Space"), self.editor.query)
        complete.activated.connect(self.complete_at_cursor)
        self.editor.query.installEventFilter(self)
        self.editor.query.textChanged.connect(self._narrow_completions)

        self._pending_status: tuple[str, str] | None = None
        self._status_timer = QTimer(self, singleShot=True, interval=200)
        self._status_timer.timeout.connect(self._show_pending_status)
        self._check_timer = QTimer(self, singleShot=True, interval=300)
        self._check_timer.timeout.connect(self._start_check)
        self._connect_editor(self.editor)
        self.editor.format_requested.connect(self.format_query)
        self.editor.query.textChanged.connect(self._check_timer.start)
        self.editor.variables.textChanged.connect(self._check_timer.start)
        self.editor.operation.activated.connect(self._check_timer.start)
        self.explorer.fetch_requested.connect(self.fetch_schema)
        self.explorer.cancel_requested.connect(self.cancel_schema)
        self.explorer.sdl_requested.connect(self._choose_sdl)
        self.explorer.field_chosen.connect(self.insert_field)
        self._update_title()

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> GraphqlRequest:
        """A blank request on the same endpoint, so the schema in view still applies."""
        current = self.editor.request()
        return GraphqlRequest(url=current.url, schema_file=current.schema_file, auth=inherit_auth())

    def focus_main_field(self) -> None:
        self.editor.url.setFocus()
        self.editor.url.selectAll()

    def _cancel_other_work(self) -> None:
        self.cancel_schema()

    def refresh_hint(self) -> None:
        request = self.editor.request()
        scope = self._workspace.scope().with_layer("request", request.variables)
        self.editor.set_url_hint(variable_hint_html(request.url, scope, "URL"))

    def _editor_request(self) -> GraphqlRequest:
        return self.editor.request()

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, GraphqlRequest)
        self._abandon_schema()
        self.editor.set_request(request)
        self.response.show_idle()
        self.refresh_hint()
        if not self._follow_schema(request) and request.schema_file:
            self._start_schema(self._load_sdl(request.schema_file), "Reading the SDL file…")
        self._check_timer.stop()  # showing the text started it; check once, now
        self._start_check()

    def _editor_rename(self, name: str) -> None:
        self.editor.update_request(name=name)

    def _editor_set_sending(self, sending: bool) -> None:
        self.editor.set_sending(sending)

    def _show_cancelled(self) -> None:
        self.response.show_cancelled()

    async def _close_engine(self) -> None:
        # Shutting down: stop the background work, touching no widget (they may be gone).
        for timer in (self._check_timer, self._status_timer):
            with contextlib.suppress(RuntimeError):  # already deleted with the window
                timer.stop()
        self._schema_job.abandon()
        self._check_job.abandon()
        with contextlib.suppress(RuntimeError):  # already deleted with the window
            self.response.log.model.close()  # the subscription's spool file goes
        if self._engine is not None:
            await self._engine.aclose()

    async def _graphql_engine(self) -> GraphqlEngine:
        if self._engine is None:
            await import_in_worker(*_ENGINE_MODULES)
            from apiclient.protocols.graphql import GraphqlEngine

            self._engine = GraphqlEngine(self._http_engine())
        else:
            self._http_engine()  # the collection's certificates, as they are now
        return self._engine

    # -- the schema ------------------------------------------------------------------------

    @property
    def schema(self) -> LoadedSchema | None:
        """The schema of the endpoint (or SDL file) in the request now; ``None`` when the
        explorer shows another one, so a query is never checked against the wrong server."""
        if self._shown_key and self._shown_key == self._schema_key(self.editor.request()):
            return self.explorer.schema
        return None

    def _schema_key(self, request: GraphqlRequest) -> str:
        """The SDL file, else the URL as it will be sent (environments change it)."""
        if request.schema_file:
            return f"file:{request.schema_file}"
        scope = self._workspace.scope().with_layer("request", request.variables)
        try:
            return f"url:{resolve_text(request.url, scope, 'URL')}"
        except VariableError:
            return f"url:{request.url}"

    def _show_schema(self, key: str, schema: LoadedSchema) -> None:
        self._schemas.put(key, schema)
        self._shown_key = key
        self.explorer.show_schema(schema)

    def _follow_schema(self, request: GraphqlRequest) -> bool:
        """Show the schema that belongs to the request's endpoint: a cached one, or mark the
        one in view as another endpoint's. True when the right schema is in view."""
        key = self._schema_key(request)
        if key == self._shown_key:
            self.explorer.set_stale(False)
            return True
        cached = self._schemas.get(key)
        if cached is not None:
            self._show_schema(key, cached)
            return True
        if self._shown_key:
            self.explorer.set_stale(True)
        return False

    def fetch_schema(self) -> None:
        """Introspection of the endpoint in the URL field."""
        self.editor.update_request(schema_file="")
        self._start_schema(self._introspect(), "Fetching the schema…")

    def _start_schema(self, work: Coroutine[Any, Any, None], what: str) -> None:
        self._abandon_schema()
        self.explorer.show_fetching(True, what)
        self._schema_job.start(work)

    def _schema_ended(self, task: asyncio.Task[None]) -> None:
        self.explorer.show_fetching(False)
        if task.cancelled():
            self.explorer.show_cancelled()
        self._start_check()
        self.schema_finished.emit()

    def cancel_schema(self) -> None:
        self._schema_job.cancel()

    def _abandon_schema(self) -> None:
        if self._schema_job.abandon():
            self.explorer.show_fetching(False)

    async def _introspect(self) -> None:
        request = self.editor.request()
        if not request.url.strip():
            self.explorer.show_error("No endpoint", "Type the GraphQL URL first.")
            return
        try:
            resolved = await self._prepare(request, resolve_graphql_request)
        except (CoreError, ProtocolError) as exc:
            self.explorer.show_error(error_title(exc), str(exc))
            return
        engine = await self._graphql_engine()
        try:
            schema = await engine.introspect(resolved)
        except (ProtocolError, CoreError) as exc:
            self.explorer.show_error("Schema not fetched", str(exc))
            return
        self._show_schema(self._schema_key(request), schema)

    def _choose_sdl(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Choose a GraphQL schema (SDL)",
            "",
            "GraphQL SDL (*.graphql *.graphqls *.gql);;All files (*)",
        )
        if path:
            self.editor.update_request(schema_file=path)
            self._start_schema(self._load_sdl(path), "Reading the SDL file…")

    async def _load_sdl(self, path: str) -> None:
        await import_in_worker(*_ENGINE_MODULES)
        from apiclient.protocols.graphql_schema import schema_from_sdl_file

        try:
            schema = await asyncio.to_thread(schema_from_sdl_file, path)
        except ProtocolError as exc:
            self.explorer.show_error("Schema not loaded", str(exc))
            return
        self._show_schema(f"file:{path}", schema)

    # -- the document ----------------------------------------------------------------------

    def _start_check(self) -> None:
        self._check_job.start(self._check())

    async def _check(self) -> None:
        """Parse and check the query and variables after a pause in typing."""
        if not isValid(self):  # the tab closed between the timer and this first step
            return
        request = self.editor.request()
        await import_in_worker(*_ENGINE_MODULES)
        from apiclient.protocols import graphql_document as document

        if not isValid(self):  # the window closed while the modules loaded
            return
        self._follow_schema(request)
        schema = self.schema
        operations = await asyncio.to_thread(document.operations, request.query)
        problems: list[str] = []
        chosen = None
        if request.query.strip():
            try:
                chosen = await asyncio.to_thread(
                    document.check_document, request.query, schema, request.operation_name
                )
                # Variables are checked as they will be sent: {{names}} resolved.
                resolved = resolve_graphql_request(request, self._workspace.scope())
                await asyncio.to_thread(
                    document.check_variables,
                    resolved.variables_json,
                    request.query,
                    chosen.name,
                    schema,
                )
            except (DocumentError, VariablesError, VariableError) as exc:
                problems.append(str(exc))
        if not isValid(self) or self.editor.request() != request:
            return  # the window closed, or typed meanwhile: the next check will tell
        names = [op.name for op in operations if op.name]
        self.editor.set_operations(names, request.operation_name)
        self.editor.set_subscription_mode(chosen is not None and chosen.kind == "subscription")
        self._show_problems("".join(f"<div>{escape(p)}</div>" for p in problems), "error")
        self.document_checked.emit()

    @asyncSlot()
    async def format_query(self) -> None:
        text = self.editor.query.toPlainText()
        if not text.strip():
            return
        await import_in_worker(*_ENGINE_MODULES)
        from apiclient.protocols.graphql_document import format_document

        try:
            pretty = await asyncio.to_thread(format_document, text)
        except DocumentError as exc:
            self._show_problems(f"<div>Not formatted: {escape(str(exc))}</div>", "error")
            return
        if self.editor.query.toPlainText() == text:
            self.editor.query.replace_text(pretty)

    def _show_problems(self, html: str, color: str) -> None:
        """The query's problems under it, in ``color`` (as :func:`show_status` takes it)."""
        self.editor.set_problems(html)
        show_status(self.editor.problems, html, color)

    def insert_field(self, field: SchemaField) -> None:
        """Put a field from the explorer at the cursor, with its required arguments."""
        required = [a.name for a in field.arguments if a.type.endswith("!") and a.default is None]
        text = field.name + (f"({', '.join(f'{name}: ' for name in required)})" if required else "")
        cursor = self.editor.query.textCursor()
        cursor.insertText(text)
        self.editor.query.setFocus()

    def complete_at_cursor(self) -> None:
        """Ctrl+Space: what the schema allows at the cursor, in a popup."""
        schema = self.schema
        if schema is None:
            self._show_problems(
                "<div>Fetch the schema (or load an SDL file) to get completions.</div>",
                "palette(mid)",
            )
            return
        from apiclient.protocols.graphql_document import completions

        editor = self.editor.query
        found = completions(editor.toPlainText(), editor.textCursor().position(), schema)
        if not found:
            return
        self._completions = {_completion_label(c): c for c in found}
        model = self._completer.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(list(self._completions))
        prefix = _identifier_before_cursor(editor.textCursor())
        self._completer.setCompletionPrefix(prefix)
        rect = editor.cursorRect()
        rect.setWidth(max(240, self._completer.popup().sizeHintForColumn(0) + 24))
        self._completer.complete(rect)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While the completion list is open, the keys that pick or dismiss an entry belong
        to it, not to the editor (Qt's custom-completer pattern)."""
        if (
            watched is self.editor.query
            and event.type() == QEvent.Type.KeyPress
            and self._completer.popup().isVisible()
            and isinstance(event, QKeyEvent)
            and event.key() in _COMPLETER_KEYS
        ):
            popup = self._completer.popup()
            current = popup.currentIndex()
            if event.key() != Qt.Key.Key_Escape and current.isValid():
                self._insert_completion(current.data())
            popup.hide()
            return True
        return super().eventFilter(watched, event)

    def _narrow_completions(self) -> None:
        """Typing with the list open narrows it to what still matches."""
        popup = self._completer.popup()
        if popup.isVisible():
            prefix = _identifier_before_cursor(self.editor.query.textCursor())
            self._completer.setCompletionPrefix(prefix)
            if self._completer.completionCount() == 0:
                popup.hide()
            else:
                popup.setCurrentIndex(self._completer.completionModel().index(0, 0))

    def _insert_completion(self, label: str) -> None:
        completion = self._completions.get(label)
        if completion is None:
            return
        cursor = self.editor.query.textCursor()
        prefix = _identifier_before_cursor(cursor)
        cursor.movePosition(
            QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(prefix)
        )
        cursor.insertText(completion.insert)
        self.editor.query.setTextCursor(cursor)

    # -- sending ------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        """Run the chosen operation; a subscription streams until stopped."""
        await self._run_send(self._send(self.editor.request()))

    def _show_sending(self, resolved: GraphqlRequest) -> None:
        """The sending state while an OAuth 2.0 token is fetched first (Cancel works)."""
        self.response.show_sending(resolved.method, resolved.url)
        self.editor.set_sending(True)

    async def _send(self, request: GraphqlRequest) -> None:
        if not request.url.strip():
            self.response.show_error("Nothing to send", "Type the GraphQL endpoint URL first.")
            return
        if not request.query.strip():
            self.response.show_error("Nothing to send", "Write a query, e.g. { __typename }.")
            return
        try:
            resolved = await self._prepare(
                request, resolve_graphql_request, waiting=self._show_sending
            )
        except (CoreError, ProtocolError) as exc:
            self.response.show_error(error_title(exc), str(exc))
            return
        engine = await self._graphql_engine()
        from apiclient.protocols.graphql_document import check_document

        try:
            operation = await asyncio.to_thread(
                check_document, resolved.query, self.schema, resolved.operation_name
            )
        except DocumentError as exc:
            self._show_document_error(exc)
            return
        self.editor.set_sending(True)
        if operation.kind == "subscription":
            await self._subscribe(engine, resolved)
            return
        self.response.show_sending(resolved.method, resolved.url)
        try:
            response = await engine.send(resolved, self.schema)
        except DocumentError as exc:
            self._show_document_error(exc)
            return
        except (ProtocolError, CoreError) as exc:
            self._sent_error(request, exc)
            self.response.show_error(error_title(exc), str(exc))
            return
        self._received = True
        errors = f" · {len(response.errors)} error(s)" if response.errors else ""
        http = response.http
        self._sent_http(request, http, f"{http.status_code} {http.reason}{errors}")
        await self.response.show_response(response)

    def _show_document_error(self, exc: DocumentError) -> None:
        self.response.show_error(error_title(exc), str(exc))
        if exc.problems:
            first = exc.problems[0]
            self.editor.tabs.setCurrentIndex(0)  # the Query page
            self.editor.query.go_to(first.line, first.column)

    async def _subscribe(self, engine: GraphqlEngine, request: GraphqlRequest) -> None:
        """Stream events into the log until the server completes or the user stops.

        The widgets are touched only while this is still the tab's send: opening another
        request abandons it, and its last words must not land under that request.
        """
        task = asyncio.current_task()
        protocol = self.editor.subscription_protocol()
        subscription = engine.subscribe(request, self.schema, protocol)
        where = request.subscription_url or request.url
        self.response.start_subscription(where, protocol)
        self._received = True  # the log tells the story, not "nothing was received"
        count = 0

        def status(html: str, color: str) -> None:
            if self._send_task is task:
                self.response.set_subscription_status(html, color)

        try:
            async for event in subscription:
                count += 1
                self.response.add_event(event)
                if not self._status_timer.isActive():
                    self._status_timer.start()
                self._pending_status = (
                    f"Subscribed ({escape(protocol)}) · {count} event(s)",
                    "success",
                )
            status(f"Completed by the server after {count} event(s).", "palette(mid)")
        except (ProtocolError, CoreError) as exc:
            status(f"<b>{escape(error_title(exc))}</b><br>{escape(str(exc))}", "error")
        except asyncio.CancelledError:
            status(f"Stopped after {count} event(s).", "palette(mid)")
            raise
        finally:
            self._status_timer.stop()
            if self._send_task is task:
                self.response.log.model.flush()
            with contextlib.suppress(TimeoutError, ProtocolError):
                await asyncio.wait_for(asyncio.shield(subscription.stop()), _STOP_TIMEOUT_S)

    def _show_pending_status(self) -> None:
        """At most a few status updates a second, however fast events arrive."""
        if self._pending_status is not None and self.is_sending():
            self.response.set_subscription_status(*self._pending_status)


def _identifier_before_cursor(cursor: QTextCursor) -> str:
    block_text = cursor.block().text()[: cursor.positionInBlock()]
    start = len(block_text)
    while start > 0 and (block_text[start - 1].isalnum() or block_text[start - 1] in "_$"):
        start -= 1
    return block_text[start:]


def _completion_label(completion: Completion) -> str:
    detail = f"  {completion.detail}" if completion.detail else ""
    deprecated = "  (deprecated)" if completion.deprecated else ""
    return f"{completion.label}{detail}{deprecated}"
