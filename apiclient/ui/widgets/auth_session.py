"""The auth a tab sends and the OAuth 2.0 tokens behind its Auth editor.

One per request tab. Before each send the tab asks :meth:`AuthSession.prepare` for the
request as it goes out: its auth replaced by the effective one (inherited from a folder
or the collection), variables resolved, and for OAuth 2.0 the current access token put
in ``auth.token`` (fetched, or refreshed, when that needs no browser). The editor's
OAuth 2.0 panel is wired here too: Get new token, Refresh, Clear and Cancel run the
engine's token calls with the resolved effective auth and show the outcome.

The request written in the editor is never changed: the token lives only in the copy
handed to the engine, and in the workspace's token cache (kept in the secret store).
That cache may be the OS keyring (D-Bus, an unlock prompt), so it is only ever read and
written in a worker thread.

A token fetch belongs to the request it started for: its cache key is computed before
the first wait, opening another request (or a draft, or detaching) stops it, and its
token is shown only while the panel still shows that key.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar, cast

import shiboken6
from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from qasync import asyncSlot

from apiclient.core.connection_defaults import effective_settings
from apiclient.core.errors import CoreError
from apiclient.core.models import AnyRequest, Auth, RequestSettings, RestRequest
from apiclient.core.variables import Scope, resolve_request
from apiclient.protocols.errors import ProtocolError, RequestBuildError
from apiclient.ui.widgets.auth_editor import KIND_LABELS

if TYPE_CHECKING:
    from apiclient.core.oauth2_tokens import OAuth2Token
    from apiclient.protocols.rest import RestEngine
    from apiclient.ui.widgets.auth_editor import AuthEditor
    from apiclient.ui.workspace import Workspace

R = TypeVar("R", bound=AnyRequest)
_EFFECTIVE_DELAY_MS = 150


def open_in_browser(url: str) -> bool:
    """Open ``url`` in the system browser (the code grant's sign-in page); False when
    no browser could be opened."""
    return QDesktopServices.openUrl(QUrl(url))


class AuthSession(QObject):
    """Effective auth and OAuth 2.0 tokens for one tab (see the module's docstring).

    ``relpath`` tells where the open request is saved (None for a draft); ``rest``
    gives the tab's HTTP engine, used for the token endpoint. ``open_browser`` is what
    opens the authorization page (False back: it could not): tests replace it with a
    function that follows the redirect themselves.
    """

    def __init__(
        self,
        workspace: Workspace,
        relpath: Callable[[], str | None],
        rest: Callable[[], RestEngine],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._relpath = relpath
        self._rest = rest
        self._editor: AuthEditor | None = None
        self._request: Callable[[], AnyRequest] | None = None
        self._fetch: asyncio.Task[None] | None = None
        self._shown_key = ""  # the key whose token the panel shows (or is reading)
        self._reads = 0  # cache reads started, so only the latest one is shown
        self._reading: asyncio.Future[None] | None = None
        self.open_browser: Callable[[str], object] = open_in_browser
        # The access tokens sent: masked in the history's response previews.
        self.sent_tokens: set[str] = set()
        # Edits re-check the effective auth (and the cached token) once typing pauses.
        self._later = QTimer(self, singleShot=True, interval=_EFFECTIVE_DELAY_MS)
        self._later.timeout.connect(self.show_effective)

    # -- the editor -------------------------------------------------------------------

    def attach(self, editor: AuthEditor, request: Callable[[], AnyRequest]) -> None:
        """Drive ``editor``'s effective-auth line and OAuth 2.0 panel for the request
        ``request()`` returns (the one written in the editor)."""
        self._editor, self._request = editor, request
        panel = editor.oauth2
        panel.token_requested.connect(self.get_new_token)
        panel.refresh_requested.connect(self.refresh)
        panel.clear_requested.connect(self.clear)
        panel.cancel_requested.connect(self.cancel)
        editor.edited.connect(self._later.start)
        workspace = self._workspace
        workspace.environment_selected.connect(self.show_effective)
        workspace.environments_changed.connect(self.show_effective)
        workspace.collection_opened.connect(self.show_effective)
        workspace.auth_changed.connect(self.show_effective)

    def show_effective(self) -> None:
        """Tell the editor what "Inherit" sends and, for OAuth 2.0, the cached token
        (read in a worker thread, shown when it arrives)."""
        editor = self._editor
        if editor is None or self._request is None or not shiboken6.isValid(editor):
            return
        effective, source = self.effective(editor.auth())
        editor.show_effective(effective, source)
        if effective.kind != "oauth2":
            self._shown_key = ""
            return
        key = self._current_key()
        if self._fetch is not None and key == self._shown_key:
            return  # the fetch in flight shows its outcome
        self._shown_key = key
        if not key:
            editor.oauth2.show_token(None)
            return
        self._reads += 1
        self._reading = asyncio.ensure_future(self._show_cached(key, self._reads))

    def forget_request(self) -> None:
        """Another request (or a draft) takes the editor: a token fetch in flight for the
        one shown before is stopped, and its outcome never reaches the panel."""
        task, self._fetch = self._fetch, None
        if task is not None and not task.done():
            task.cancel()
        self._shown_key = ""
        self.show_effective()

    async def _show_cached(self, key: str, read: int) -> None:
        cache = self._workspace.token_cache
        try:
            token = await asyncio.to_thread(cache.get, key)
        except CoreError as exc:
            if self._still_shown(key, read):
                self._panel_error(str(exc))
            return
        if self._still_shown(key, read):
            self._editor.oauth2.show_token(token)  # type: ignore[union-attr]

    def _still_shown(self, key: str, read: int | None = None) -> bool:
        """Whether the panel (still alive) still shows ``key`` (and ``read`` is the latest
        cache read), with no fetch in flight that will show its own outcome."""
        editor = self._editor
        return (
            editor is not None
            and shiboken6.isValid(editor)
            and self._shown_key == key
            and (read is None or (read == self._reads and self._fetch is None))
        )

    def _panel_error(self, text: str) -> None:
        editor = self._editor
        if editor is not None and shiboken6.isValid(editor):
            editor.oauth2.show_error(text)

    # -- sending ----------------------------------------------------------------------

    def effective(self, own: Auth) -> tuple[Auth, str]:
        """The auth to send for the open request whose own auth is ``own``, and where
        it comes from ("" when nothing sets one: kind none)."""
        return self._workspace.effective_auth(self._relpath(), own)

    async def prepare(
        self,
        request: R,
        resolve: Callable[[R, Scope], R],
        *,
        waiting: Callable[[R], None] | None = None,
        carries: frozenset[str] | None = None,
        where: str = "",
    ) -> R:
        """``request`` as it goes out: effective auth, variables resolved by ``resolve``
        (raises its ``VariableError``), and an OAuth 2.0 access token in ``auth.token``
        (raises the token errors, worded with what to click, and the secret store's
        ``StoreError``). ``waiting(resolved)`` is called before waiting for a token,
        so the tab can show that it is busy. ``carries``: the kinds ``where`` (e.g.
        "gRPC calls") can send; an inherited kind outside it is refused, naming where
        it comes from."""
        own = getattr(request, "auth", None)
        if not isinstance(own, Auth):
            return resolve(request, self._workspace.scope())
        effective, source = self.effective(own)
        if carries is not None and effective.kind not in carries and source != "this request":
            raise RequestBuildError(
                f"{KIND_LABELS.get(effective.kind, effective.kind)} auth, inherited from "
                f"{source}, is not available for {where}. Choose No auth (or a kind "
                f"{where} can carry) in this request's Auth tab to send without it."
            )
        scope = self._workspace.scope()
        resolved = resolve(cast(R, request.model_copy(update={"auth": effective})), scope)
        auth: Auth = resolved.auth  # type: ignore[union-attr]
        if auth.kind != "oauth2":
            return resolved
        from apiclient.protocols.oauth2 import ensure_token

        key = self._key(auth)  # before any wait: the environment may change meanwhile
        # gRPC and WebSocket requests have no settings: the token request takes the app's.
        settings = getattr(resolved, "settings", None) or effective_settings(
            RequestSettings(), scope.connection
        )
        if waiting is not None:
            waiting(resolved)
        cache = self._workspace.token_cache
        token = await ensure_token(auth, cache, key, self._rest(), settings=settings)
        editor = self._editor
        if (
            self._fetch is None
            and editor is not None
            and shiboken6.isValid(editor)
            and self._current_key() == key
        ):
            self._shown_key = key
            editor.oauth2.show_token(token)
        self.sent_tokens.add(token.access_token)
        with_token = auth.model_copy(update={"token": token.access_token})
        return cast(R, resolved.model_copy(update={"auth": with_token}))

    async def cached_token(self, auth: Auth) -> OAuth2Token | None:
        """The cached token of ``auth`` (effective, variables resolved), read in a worker
        thread (None: none yet); raises the secret store's ``StoreError``."""
        if not auth.token_url.strip():
            return None
        return await asyncio.to_thread(self._workspace.token_cache.get, self._key(auth))

    # -- the OAuth 2.0 panel's buttons ----------------------------------------------------

    @asyncSlot()
    async def get_new_token(self) -> None:
        """Fetch a token with the grant set in the editor (the browser for the code grant)."""
        from apiclient.protocols.oauth2 import fetch_token

        async def fetch(probe: RestRequest, key: str) -> OAuth2Token:
            return await fetch_token(
                probe.auth, self._rest(), open_browser=self._browser(key), settings=probe.settings
            )

        probe = self._resolved_target()
        code = probe is not None and probe.auth.grant_type == "authorization_code"
        waiting = "Waiting for the browser…" if code else "Getting a token…"
        await self._run_fetch(fetch, waiting, cancellable=code)

    @asyncSlot()
    async def refresh(self) -> None:
        """Renew the token cached for the request shown (never the one the panel last
        displayed: it may belong to another request) with its refresh token."""
        from apiclient.protocols.oauth2 import refresh_token
        from apiclient.protocols.oauth2_errors import OAuth2TokenMissingError

        async def renew(probe: RestRequest, key: str) -> OAuth2Token:
            current = await asyncio.to_thread(self._workspace.token_cache.get, key)
            if current is None:
                raise OAuth2TokenMissingError(
                    "No OAuth 2.0 token to refresh: click Get new token in the Auth tab."
                )
            return await refresh_token(probe.auth, current, self._rest(), settings=probe.settings)

        await self._run_fetch(renew, "Refreshing the token…", cancellable=True)

    @asyncSlot()
    async def clear(self) -> None:
        """Forget the token of the auth set in the editor."""
        probe = self._resolved_target()
        if probe is None or self._editor is None:
            return
        key = self._key(probe.auth)
        try:
            await asyncio.to_thread(self._workspace.token_cache.clear, key)
        except CoreError as exc:
            if self._still_shown(key):
                self._panel_error(str(exc))
            return
        if self._still_shown(key):
            self._editor.oauth2.show_token(None)

    def cancel(self) -> None:
        """Stop waiting for a token (the browser's sign-in, a slow server)."""
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()

    async def aclose(self) -> None:
        """Stop a token fetch in flight (the tab is closing: its panel is not told)."""
        task, self._fetch = self._fetch, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _browser(self, key: str) -> Callable[[str], None]:
        """``open_browser``, telling the panel (still showing ``key``) when it failed,
        with the address to open by hand."""

        def open_page(url: str) -> None:
            if self.open_browser(url) is False and self._still_shown(key):
                self._editor.oauth2.show_browser_failed(url)  # type: ignore[union-attr]

        return open_page

    async def _run_fetch(
        self,
        get: Callable[[RestRequest, str], Awaitable[OAuth2Token]],
        waiting: str,
        *,
        cancellable: bool,
    ) -> None:
        """Run ``get(probe, key)`` for the request shown now, cache its token under that
        key (computed before any wait) and show it only while the panel shows the key."""
        editor = self._editor
        if editor is None:
            return
        panel = editor.oauth2
        try:
            probe = self._resolved_target(raise_errors=True)
        except CoreError as exc:
            panel.show_error(str(exc))
            return
        if probe is None:
            return
        if not probe.auth.token_url.strip():
            panel.show_error("Type the token URL first, e.g. https://auth.example.com/token.")
            return
        key = self._key(probe.auth)
        self.cancel()
        self._shown_key = key
        panel.show_fetching(waiting, cancellable=cancellable)
        task = self._fetch = asyncio.current_task()
        outcome: OAuth2Token | str
        try:
            token = await get(probe, key)
            await asyncio.to_thread(self._workspace.token_cache.put, key, token)
            outcome = token
        except asyncio.CancelledError:
            outcome = "Cancelled: no new token."
        except (ProtocolError, CoreError) as exc:
            outcome = str(exc)
        finally:
            mine = self._fetch is task
            if mine:
                self._fetch = None
        if not mine:
            return  # another request took the panel, or another fetch replaced this one
        if not (self._still_shown(key) and self._current_key() == key):
            self.show_effective()  # the auth shown changed meanwhile: show its own token
        elif isinstance(outcome, str):
            panel.show_error(outcome)
        else:
            panel.show_token(outcome)
            self.show_effective()

    # -- tokens -----------------------------------------------------------------------

    def _resolved_target(self, *, raise_errors: bool = False) -> RestRequest | None:
        """The effective auth (the editor's own, or the inherited OAuth 2.0 settings)
        and the request's HTTP settings, variables resolved, in a request made for the
        token endpoint (None when a variable is unknown and ``raise_errors`` is False)."""
        if self._editor is None or self._request is None:
            return None
        request = self._request()
        settings = getattr(request, "settings", None)
        effective, _ = self.effective(self._editor.auth())
        probe = RestRequest(
            auth=effective,
            variables=getattr(request, "variables", []),
            settings=settings if isinstance(settings, RequestSettings) else RequestSettings(),
        )
        try:
            return resolve_request(probe, self._workspace.scope())
        except CoreError:
            if raise_errors:
                raise
            return None

    def _current_key(self) -> str:
        """The cache key of the token the request shown now would use ("" when its
        settings do not resolve or name no token URL)."""
        probe = self._resolved_target()
        if probe is None or not probe.auth.token_url.strip():
            return ""
        return self._key(probe.auth)

    def _key(self, auth: Auth) -> str:
        from apiclient.core.oauth2_tokens import token_key
        from apiclient.core.secrets import scope_base

        store = self._workspace.store
        collection = scope_base(store.root) if store is not None else ""
        return token_key(auth, self._workspace.environment_name, collection)
