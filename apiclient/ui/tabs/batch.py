"""The Batch tab: batch calls ("Batch call" page) and, beside them, the collection runner.

The "Batch call" page edits one ``BatchRequest``, resolves its variables, and hands it
to ``BatchEngine``, which builds the body (reading a data file in a worker), sends it
through the REST engine and reads the per-item report or the sub-responses. The tab
builds no HTTP itself; every problem ends in the response's status line or, for a data
file that fails to import, in the tab's notice, worded for a person.

A relative data file path is taken from the open collection's folder, so a collection
that ships its data next to its requests works wherever it is checked out.

Esc follows the page in front: on "Batch call" it stops the send, on "Runner" the run.

Dirty tracking stays cheap for big tables: while the rows table is untouched since the
request was opened or saved, the comparison with the saved copy reuses its rows list.
Once a table of more than ``BIG_TABLE_ROWS`` rows has been edited, the request stays
dirty until it is saved, even if the edits are undone (comparing every row after each
keystroke would hold the window).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget
from qasync import asyncSlot

from apiclient.core.errors import CoreError
from apiclient.core.models import AnyRequest, BatchRequest, inherit_auth
from apiclient.core.variables import resolve_batch_request
from apiclient.protocols.errors import ProtocolError
from apiclient.ui.error_titles import error_title
from apiclient.ui.tabs.batch_editor import BatchRequestEditor
from apiclient.ui.tabs.batch_response import BatchResponseView
from apiclient.ui.tabs.batch_runner import RunnerPanel
from apiclient.ui.tabs.request_tab import RequestTab
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.workers import import_in_worker, run_off_gui

BIG_TABLE_ROWS = 5_000

if TYPE_CHECKING:
    from apiclient.protocols.batch import BatchEngine
    from apiclient.protocols.rest import RestEngine
    from apiclient.ui.workspace import Workspace


def _read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """A data file as table columns and rows of text (JSON values other than strings are
    written as JSON, so ``true`` and ``42`` stay recognisable); blocking."""
    from apiclient.protocols.batch import load_data_file

    loaded = load_data_file(path)
    columns = list(dict.fromkeys(name for row in loaded for name in row))

    def cell(value: object) -> str:
        if value is None:
            return ""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return columns, [[cell(row.get(name)) for name in columns] for row in loaded]


def _preview(request: BatchRequest, base_dir: Path | None) -> tuple[str, str, int]:
    """What Send would send, indented when it is JSON; blocking."""
    from apiclient.protocols.batch import build_batch_body

    content_type, body, count = build_batch_body(request, base_dir)
    text = body.decode("utf-8", "replace")
    if content_type.endswith("json"):
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    return content_type, text, count


class BatchTab(RequestTab):
    """Batch calls and the runner (signals as :class:`RequestTab`).

    ``pages`` (``batch.pages``) holds the "Batch call" page and the collection runner's
    page (``runner``).
    """

    kind = "batch"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._rest: RestEngine | None = None
        self._engine: BatchEngine | None = None
        self.editor = BatchRequestEditor()
        self.response = BatchResponseView()
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="batch.splitter")
        splitter.addWidget(self.editor)
        splitter.addWidget(self.response)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self.pages = QTabWidget(objectName="batch.pages")
        call_page = QWidget(objectName="batch.call")
        call_layout = QVBoxLayout(call_page)
        call_layout.setContentsMargins(0, 0, 0, 0)
        call_layout.addWidget(splitter)
        self.pages.addTab(call_page, "Batch call")
        self.runner = RunnerPanel(workspace)
        self.pages.addTab(self.runner, "Runner")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)

        self._connect_editor(self.editor)
        self.editor.preview_requested.connect(self.preview)
        self.editor.import_requested.connect(self.import_file)
        self._update_title()

    # -- RequestTab hooks ------------------------------------------------------------------

    def new_request(self) -> BatchRequest:
        return BatchRequest(auth=inherit_auth())

    def _editor_request(self) -> BatchRequest:
        return self.editor.request()

    def _editor_show(self, request: AnyRequest) -> None:
        assert isinstance(request, BatchRequest)
        self.editor.set_request(request)
        self.response.show_idle()
        self.refresh_hint()

    def _editor_rename(self, name: str) -> None:
        self.editor.set_name(name)

    def _editor_set_sending(self, sending: bool) -> None:
        self.editor.set_sending(sending)

    def _show_cancelled(self) -> None:
        self.response.show_cancelled()

    async def _close_engine(self) -> None:
        await self.runner.aclose()
        if self._rest is not None:
            await self._rest.aclose()

    def cancel(self) -> None:
        """Esc: on the Runner page stop the run, on the "Batch call" page the send; never
        the other page's work, which the person cannot see."""
        if self.pages.currentWidget() is self.runner:
            self.runner.cancel()
        else:
            super().cancel()

    def focus_main_field(self) -> None:
        self.editor.url.setFocus()
        self.editor.url.selectAll()

    async def warm_up(self) -> None:
        """Import the engines in a worker, so the first Send does not pay for it."""
        await import_in_worker("apiclient.protocols.rest", "apiclient.protocols.batch")

    # -- sending ------------------------------------------------------------------------

    def _base_dir(self) -> Path | None:
        store = self._workspace.store
        return store.root if store is not None else None

    def _batch_engine(self) -> BatchEngine:
        if self._engine is None:
            # Imported on first send: httpx is not needed to show the window.
            from apiclient.protocols.batch import BatchEngine
            from apiclient.protocols.rest import RestEngine

            self._rest = RestEngine(cookie_jar=self._workspace.cookie_jar)
            self._engine = BatchEngine(self._rest)
        return self._engine

    def _http_engine(self) -> RestEngine:
        self._batch_engine()
        assert self._rest is not None  # made with the batch engine
        self._use_client_certificates(self._rest)
        return self._rest

    async def _resolved(self, request: BatchRequest, *, send: bool = True) -> BatchRequest | None:
        """``request`` with its variables resolved, or None (the error is shown). With a
        data file the table is left out: the file's rows are sent, so a variable in an
        unsent cell must not stop the send. ``send`` False (a preview of the body) leaves
        the auth as written: no token is fetched for it."""
        if request.data_file.strip():
            request = request.model_copy(update={"columns": [], "rows": []})
        if not request.url.strip():
            self.response.show_error(
                "Nothing to send", "Type a URL first, e.g. {{base_url}}/api/v1/contacts/batch."
            )
            return None
        try:
            if not send:
                return resolve_batch_request(request, self._workspace.scope())
            return await self._prepare(request, resolve_batch_request, waiting=self._show_sending)
        except (CoreError, ProtocolError) as exc:
            self.response.show_error(error_title(exc), str(exc))
            return None

    @asyncSlot()
    async def send(self) -> None:
        """Resolve and send the batch; a new send replaces one still running."""
        await self._run_send(self._send(self.editor.request()))

    def _show_sending(self, resolved: BatchRequest) -> None:
        """The sending state (also while an OAuth 2.0 token is fetched first)."""
        if resolved.style == "multipart":
            what = f"{sum(part.enabled for part in resolved.parts)} parts"
        elif resolved.data_file:
            what = f"the rows of {Path(resolved.data_file).name}"
        else:
            what = f"{len(resolved.rows)} rows"
        self.response.show_sending(resolved.method, resolved.url, what)
        self.editor.set_sending(True)

    async def _send(self, request: BatchRequest) -> None:
        resolved = await self._resolved(request)
        if resolved is None:
            return
        self._show_sending(resolved)
        try:
            self._http_engine()  # the collection's certificates, as they are now
            answer = await self._batch_engine().send(resolved, base_dir=self._base_dir())
            self._received = True
            self._sent_http(request, answer.response)
            await self.response.show_response(answer)
        except (ProtocolError, CoreError) as exc:
            if not self._received:
                self._sent_error(request, exc)
            self.response.show_error(error_title(exc), str(exc))

    @asyncSlot()
    async def preview(self) -> None:
        """Show the body Send would send (built in a worker: it may read a data file)."""
        resolved = await self._resolved(self.editor.request(), send=False)
        if resolved is None:
            return
        try:
            content_type, text, count = await run_off_gui(_preview, resolved, self._base_dir())
        except (ProtocolError, CoreError) as exc:
            self.response.show_error(error_title(exc), str(exc))
            return
        self.response.show_preview(content_type, text, count)

    @asyncSlot(str)
    async def import_file(self, path: str) -> None:
        """Read a CSV or JSON file in a worker and put its rows in the table; a file that
        cannot be read is reported in the notice with its row and column."""
        self.show_notice("")
        try:
            columns, rows = await run_off_gui(_read_table, Path(path))
        except ProtocolError as exc:
            self.show_notice(f"Could not import {Path(path).name}. {exc}")
            return
        self.editor.show_imported(self._shown_path(Path(path)), columns, rows)

    def _shown_path(self, path: Path) -> str:
        """``path`` relative to the collection when it is inside it, so the saved request
        keeps working when the collection moves."""
        base = self._base_dir()
        if base is not None and path.is_absolute() and path.is_relative_to(base):
            return path.relative_to(base).as_posix()
        return str(path)

    # -- state --------------------------------------------------------------------------

    def refresh_hint(self) -> None:
        """Under the URL: the URL as it will be sent, or which variables are unknown."""
        url, variables = self.editor.url_and_variables()
        scope = self._workspace.scope().with_layer("request", variables)
        self.editor.set_url_hint(variable_hint_html(url, scope, "URL"))

    def _update_dirty(self) -> None:
        """As for every tab, except that a big table edited since it was opened or saved
        makes the request dirty without comparing its rows (see the module's notes)."""
        saved = self._saved
        if saved is None or (
            isinstance(saved, BatchRequest)
            and self.editor.row_count() > BIG_TABLE_ROWS
            and not self.editor.table_compares_cheaply(saved)
        ):
            self._set_dirty(True, self.editor.name())  # a draft is always dirty
            return
        super()._update_dirty()
