"""What every request tab shares: the open request, its saved copy, and one send at a time.

A tab shows one request of its kind (a saved file at ``relpath`` or an unsaved draft),
knows whether it differs from disk, and runs at most one send: a new send replaces a
running one. The main window talks to every tab through this interface only, so adding
a protocol tab changes no window code beyond registering it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, ClassVar, TypeVar

from PySide6.QtCore import QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from apiclient.core.auth_fields import auth_credentials
from apiclient.core.models import AnyRequest, Auth
from apiclient.core.secret_fields import only_references
from apiclient.core.variables import Scope, resolve_certificates
from apiclient.ui.error_titles import error_title
from apiclient.ui.method_style import request_badge
from apiclient.ui.theme import theme_notifier, themed_style
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.widgets.auth_session import AuthSession

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestEngine, RestResponse
    from apiclient.ui.workspace import Workspace

R = TypeVar("R", bound=AnyRequest)


class RequestTab(QWidget):
    """Base of the protocol tabs.

    Signals:
        dirty_changed(bool): the request now differs (or no longer) from disk.
        edited: the user changed something in the editor (the draft keeper autosaves).
        title_changed(str, str): what names the request changed (its name, saved state,
            dirty marker or method): its name and its badge (``method_style``).
        send_finished: a send ended, with a response, an error or a cancel.
        request_sent(HistoryEntry): a request went out and got a response or failed on
            the way (not for input refused before any traffic, nor for a cancel); the
            window records it in the history.

    Subclasses set ``kind`` (listed in ``apiclient.ui.request_tabs``), call ``_lay_out``
    and ``_connect_editor``, and implement the ``_editor_*`` hooks plus ``send``,
    ``focus_main_field``, ``new_request`` and ``refresh_hint``.
    """

    dirty_changed = Signal(bool)
    edited = Signal()
    title_changed = Signal(str, str)
    send_finished = Signal()
    request_sent = Signal(object)

    kind: ClassVar[str]
    splitter: QSplitter

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"tab.{self.kind}")
        self._workspace = workspace
        self._send_task: asyncio.Task[None] | None = None
        self._received = False
        self._send_started = datetime.now(UTC)
        self.relpath: str | None = None
        self._saved: AnyRequest | None = None
        self._dirty = False
        # A blank request never edited: opening a saved request may take its place.
        self._blank = True
        self._badge = ""  # the request's method or kind word, as last shown
        # Where the draft of this tab's unsaved edits is kept (set by its sub-tab group).
        self.slot: str = self.kind
        self.title = QLabel(objectName=f"{self.kind}.title")
        self.notice = QLabel(objectName=f"{self.kind}.notice", wordWrap=True, visible=False)
        themed_style(self.notice, "color: $error")
        self._http: RestEngine | None = None  # see _http_engine
        self.auth_session = AuthSession(workspace, lambda: self.relpath, self._http_engine, self)

    # -- hooks for subclasses --------------------------------------------------------------
    # Abstract: every tab overrides them (Qt's metaclass rules out abc.ABCMeta here, so
    # a missing override fails loudly at first use instead of at class creation).

    def new_request(self) -> AnyRequest:
        """A blank request of this tab's kind."""
        raise NotImplementedError

    def refresh_hint(self) -> None:
        """Under the URL field: the URL as it will be sent, or which variables are unknown."""

    def focus_main_field(self) -> None:
        """Put the cursor where a person starts typing (the URL, the WSDL...)."""
        raise NotImplementedError

    async def send(self) -> None:
        raise NotImplementedError

    def _editor_request(self) -> AnyRequest:
        raise NotImplementedError

    def _editor_show(self, request: AnyRequest) -> None:
        raise NotImplementedError

    def _editor_rename(self, name: str) -> None:
        raise NotImplementedError

    def _editor_set_sending(self, sending: bool) -> None:
        raise NotImplementedError

    def _show_cancelled(self) -> None:
        raise NotImplementedError

    async def _close_engine(self) -> None:
        """Close the tab's engine, if it made one."""

    def _lay_out(self, body: QSplitter) -> None:
        """Title, notice, then ``body`` (the splitter whose sizes the window remembers)."""
        self.splitter = body
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(body, 1)

    def _connect_editor(self, editor: QWidget) -> None:
        """Wire an editor with ``edited``, ``send_requested`` and ``cancel_requested``
        signals: see ``_track_edits``; Send and Cancel; its ``auth`` editor, if any."""
        self._track_edits(editor.edited)
        auth = getattr(editor, "auth", None)
        if isinstance(auth, AuthEditor):
            self._attach_auth(auth)
        editor.send_requested.connect(self.send)
        editor.cancel_requested.connect(self.cancel)

    def _attach_auth(self, editor: AuthEditor) -> None:
        """Show in ``editor`` what "Inherit" sends, and wire its OAuth 2.0 buttons."""
        self.auth_session.attach(editor, self._editor_request)

    def _track_edits(self, edited: SignalInstance) -> None:
        """Each ``edited``: dirty tracking at once, the URL hint shortly after typing stops."""
        self._hint_timer = QTimer(self, singleShot=True, interval=150)
        self._hint_timer.timeout.connect(self.refresh_hint)
        self._dirty_timer = QTimer(self, singleShot=True, interval=150)
        self._dirty_timer.timeout.connect(self._update_dirty)
        edited.connect(self._on_editor_edited)
        self._workspace.environment_selected.connect(self.refresh_hint)
        self._workspace.environments_changed.connect(self.refresh_hint)
        theme_notifier().changed.connect(self.refresh_hint)  # its colours are the theme's

    def _on_editor_edited(self) -> None:
        """The first change marks the request dirty at once; while it stays dirty, the
        (whole-request) comparison with the saved copy waits for a pause in typing, so
        each keystroke in a multi-megabyte envelope stays cheap."""
        if self._dirty:
            self._dirty_timer.start()
        else:
            self._update_dirty()
        self._hint_timer.start()
        self._blank = False
        self.edited.emit()

    # -- what is open ------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def blank(self) -> bool:
        """Whether the tab shows a new request nobody touched (never edited nor saved):
        replacing it loses nothing."""
        return self._blank and self.relpath is None and not self._dirty

    def open_request(self, request: AnyRequest, relpath: str | None, blank: bool = False) -> None:
        """Show a saved request (``relpath``) or a draft (``None``); ``blank``: a new
        request, not yet anybody's work.

        A send still running belongs to the request shown before: it is stopped, so its
        response never lands under this one.
        """
        self._abandon_send()
        self._blank = blank and relpath is None
        self.relpath = relpath
        self._saved = request if relpath is not None else None
        self._editor_show(request)
        self.notice.setVisible(False)
        self._set_dirty(False)
        self.auth_session.forget_request()

    def current_request(self) -> AnyRequest:
        return self._editor_request()

    @property
    def saved_request(self) -> AnyRequest | None:
        """The request as last read from or written to disk (None for a new draft)."""
        return self._saved

    def show_edits(self, request: AnyRequest) -> None:
        """Put ``request`` in the editor over the saved copy, as unsaved edits (a restored
        draft), so Save writes it and the dirty marker compares with the file."""
        self._blank = False
        self._editor_show(request)
        self._update_dirty()
        self.auth_session.forget_request()

    def mark_saved(self, relpath: str, request: AnyRequest) -> None:
        """``request`` is now on disk at ``relpath`` (saved, renamed or moved).

        The fields are left as they are: anything typed meanwhile stays, and dirty.
        """
        self.relpath = relpath
        self._saved = request
        self._blank = False
        self._editor_rename(request.name)
        self.notice.setVisible(False)
        self._update_dirty()
        self.auth_session.show_effective()  # moved: maybe under other folders

    def detach(self) -> None:
        """The saved file is gone (deleted elsewhere): keep the content as an unsaved draft."""
        self.relpath = None
        self._saved = None
        self._blank = False
        self._set_dirty(True)
        self.auth_session.forget_request()

    def refresh_title(self) -> None:
        """Show (and announce with ``title_changed``) the request's name and state again."""
        self._update_title()

    def show_notice(self, text: str) -> None:
        """A problem with the request itself (saving, loading), told above the editor."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # -- sending -------------------------------------------------------------------------

    async def _prepare(
        self,
        request: R,
        resolve: Callable[[R, Scope], R],
        *,
        waiting: Callable[[R], None] | None = None,
        carries: frozenset[str] | None = None,
        where: str = "",
    ) -> R:
        """``request`` as it goes out: the effective (maybe inherited) auth, variables
        resolved with ``resolve``, an OAuth 2.0 token filled in. Raises ``VariableError``,
        the secret store's ``StoreError`` (both ``CoreError``) and, for OAuth 2.0 or an
        inherited kind outside ``carries``, a ``ProtocolError`` saying what to do.
        ``waiting(resolved)`` runs before waiting for a token: show the tab busy there
        (see :meth:`AuthSession.prepare`)."""
        return await self.auth_session.prepare(
            request, resolve, waiting=waiting, carries=carries, where=where
        )

    def _http_engine(self) -> RestEngine:
        """The tab's HTTP engine, with the workspace's cookie jar and the collection's
        client certificates: OAuth 2.0 token requests go through it, and the GraphQL
        and SOAP engines send with it (the REST and batch tabs have their own)."""
        if self._http is None:
            from apiclient.protocols.rest import RestEngine

            self._http = RestEngine(cookie_jar=self._workspace.cookie_jar)
        self._use_client_certificates(self._http)
        return self._http

    def _use_client_certificates(self, engine: RestEngine) -> None:
        """Give ``engine`` the collection's client certificates, ``{{variables}}``
        resolved (:func:`~apiclient.core.variables.resolve_certificates`)."""
        engine.set_client_certificates(
            resolve_certificates(self._workspace.client_certificates(), self._workspace.scope())
        )

    async def _run_send(self, work: Awaitable[None]) -> None:
        """Run ``work`` as the tab's one send; a new send cancels the one still running."""
        if self._send_task is not None and not self._send_task.done():
            self._send_task.cancel()
        task = self._send_task = asyncio.current_task()
        self._received = False
        self._send_started = datetime.now(UTC)
        try:
            await work
        except asyncio.CancelledError:
            if self._send_task is task and not self._received:
                self._show_cancelled()
        finally:
            if self._send_task is task:
                self._editor_set_sending(False)
                self._send_task = None
                self.send_finished.emit()

    def _sent(
        self,
        request: AnyRequest,
        status: str,
        *,
        elapsed_s: float | None = None,
        size: int | None = None,
        error: str = "",
        preview: bytes = b"",
        preview_type: str = "",
    ) -> None:
        """Announce (``request_sent``) that ``request``, as written in the editor, was sent
        and how it ended; a tab calls this once per send that reached the network.
        ``preview`` is the start of the response body, for the history."""
        # Imported here (the history's models and SQLite are not needed to show the
        # window); the REST tab's warm-up imports it in a worker after start-up.
        from apiclient.core.history import HistoryEntry
        from apiclient.core.preview_redact import redact_preview

        # The credential keys are masked by the history's writer, in a worker; the
        # values of secret variables only this tab knows (a millisecond at most).
        preview, masked = redact_preview(
            preview, preview_type, self._preview_secrets(request), keys=False
        )
        entry = HistoryEntry.now(
            request,
            status,
            elapsed_ms=None if elapsed_s is None else elapsed_s * 1000,
            size=size,
            error=error,
            environment=self._workspace.environment_name,
            sent_at=self._send_started,
            preview=preview,
            preview_type=preview_type,
            redacted=masked,
        )
        self.request_sent.emit(entry)

    def _preview_secrets(self, request: AnyRequest) -> set[str]:
        """The secret values a response body may echo: the secret variables in scope
        and the request's own, and its auth credentials as written."""
        secrets = set(self._workspace.secret_values())
        secrets.update(v.value for v in request.variables if v.secret and v.enabled and v.value)
        auth = getattr(request, "auth", None)
        if isinstance(auth, Auth):
            effective, _ = self.auth_session.effective(auth)
            secrets.update(auth_credentials(effective))
        secrets.update(self.auth_session.sent_tokens)
        return {s for s in secrets if not only_references(s)}

    def _sent_http(
        self, request: AnyRequest, http: RestResponse, status: str = "", error: str = ""
    ) -> None:
        """``_sent`` for an answer read over HTTP; ``status`` overrides "200 OK"; ``error``
        says why the body is incomplete, if it is. The history keeps the body's start."""
        from apiclient.core.history import PREVIEW_BYTES

        shown = status or f"{http.status_code} {http.reason}".strip()
        self._sent(
            request,
            shown,
            elapsed_s=http.elapsed_s,
            size=http.body_size,
            error=error,
            preview=http.body[:PREVIEW_BYTES],
            preview_type=http.header("content-type") or "",
        )

    def _sent_error(self, request: AnyRequest, exc: Exception) -> None:
        """``_sent`` for a send that failed on the way (refused connection, timeout...)."""
        self._sent(request, error_title(exc), error=str(exc))

    def cancel(self) -> None:
        """Esc: stop the send, else the tab's other work (a WSDL load, a schema fetch)."""
        if self._send_task is not None and not self._send_task.done():
            self._send_task.cancel()
        else:
            self._cancel_other_work()

    def _cancel_other_work(self) -> None:
        """Stop what else the tab is doing in the background, if anything."""

    def _abandon_send(self) -> None:
        """Stop the running send without telling the (now different) editor about it."""
        task, self._send_task = self._send_task, None
        if task is not None and not task.done():
            task.cancel()
            self._editor_set_sending(False)

    def is_sending(self) -> bool:
        return self._send_task is not None and not self._send_task.done()

    async def aclose(self) -> None:
        """Stop a send in flight and wait for it to end, then close the connections."""
        task = self._send_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.auth_session.aclose()
        await self._close_engine()
        if self._http is not None:
            await self._http.aclose()

    # -- state ---------------------------------------------------------------------------

    def _update_dirty(self) -> None:
        request = self._editor_request()
        saved = self._saved
        self._set_dirty(saved is None or request != saved, request)

    def _set_dirty(self, dirty: bool, request: AnyRequest | str | None = None) -> None:
        changed = dirty != self._dirty
        self._dirty = dirty
        self._update_title(request)
        if changed:
            self.dirty_changed.emit(dirty)

    def _update_title(self, request: AnyRequest | str | None = None) -> None:
        """``request``: the editor's (or just its name), when the caller has it (reading
        it copies the request)."""
        request = self._editor_request() if request is None else request
        if isinstance(request, str):
            name = request
        else:
            name, self._badge = request.name, request_badge(request)
        where = self.relpath or "not saved yet"
        marker = " ●" if self._dirty else ""
        where_html = f"<span style='color:palette(mid)'>{escape(where)}</span>"
        self.title.setText(f"<b>{escape(name)}</b>{marker}  {where_html}")
        self.title.setToolTip("Unsaved changes (Ctrl+S saves)" if self._dirty else "")
        self.title_changed.emit(name, self._badge or self.kind.upper())
