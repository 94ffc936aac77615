"""The local redirect listener of the OAuth 2.0 authorization code flow.

The browser, once the person approved, is redirected to ``http://127.0.0.1:PORT/path``
with ``code`` and ``state`` (or ``error``) in the query. :class:`RedirectListener`
serves that address with uvicorn on its own thread and event loop (as the webhook
receiver does), so the window's loop only awaits, and a test may follow the redirect
with a blocking client. It takes the first request to the redirect path that carries
the expected ``state`` (when one is given), answers it with a small page telling the
person to return to apiclient, and stops. A request with another state (a stray or
forged one, an earlier attempt's) gets 400 and the listener keeps waiting, so it cannot
end the sign-in.

The socket is bound here rather than by uvicorn (which calls ``sys.exit`` when its own
bind fails), and only on 127.0.0.1: the listener is never reachable from another
machine. A port in use becomes a :class:`RedirectListenerError` saying what to change.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import html
import logging
import os
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.oauth2_errors import RedirectListenerError

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import Receive, Scope, Send

CALLBACK_TIMEOUT_S = 300.0
"""How long the listener waits for the browser to come back (5 minutes)."""

BIND_HOST = "127.0.0.1"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
_START_TIMEOUT_S = 15.0
_STOP_TIMEOUT_S = 5.0
_IN_USE = frozenset({errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)})

_log = logging.getLogger(__name__)


def _page(params: dict[str, str]) -> bytes:
    """The page the browser shows once it brought the answer back."""
    if "error" in params:
        reason = params["error"]
        if params.get("error_description"):
            reason += f": {params['error_description']}"
        title = "Authorization failed"
        text = f"The authorization server answered: {html.escape(reason)}."
    else:
        title = "Authorization received"
        text = "apiclient received the authorization server's answer."
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title} - apiclient</title></head><body style='font-family: sans-serif'>"
        f"<h1>{title}</h1><p>{text}</p>"
        "<p>You can close this tab and return to apiclient.</p></body></html>"
    ).encode()


class RedirectListener:
    """Listens at ``redirect_uri`` (``http://127.0.0.1:PORT/path`` or ``localhost``;
    port 0 picks a free port) for one authorization callback.

    Use as ``async with RedirectListener(uri) as listener``: :attr:`redirect_uri` is then
    the address to send to the server (with the real port), and :meth:`wait` returns the
    callback's query parameters. Leaving the block (also by cancellation) stops it.
    ``state``, when given, is the one sent with the authorization request: only a
    callback carrying it is taken. Raises ``RequestBuildError`` for a redirect URI it
    cannot serve.
    """

    def __init__(self, redirect_uri: str, *, state: str | None = None) -> None:
        self._state = state
        parts = urlsplit(redirect_uri.strip())
        host = (parts.hostname or "").lower()
        if parts.scheme.lower() != "http" or host not in _LOOPBACK_HOSTS:
            raise RequestBuildError(
                f"The redirect URI {redirect_uri.strip()!r} must be an http:// address on "
                "this computer (127.0.0.1 or localhost), such as "
                "http://127.0.0.1:8791/callback: apiclient listens there for the browser."
            )
        try:
            port = parts.port
        except ValueError:
            port = None
        if port is None:
            raise RequestBuildError(
                f"The redirect URI {redirect_uri.strip()!r} needs a port from 1024 to 65535 "
                "(or 0 for any free one), such as http://127.0.0.1:8791/callback."
            )
        self._parts = parts
        self._host = parts.hostname or BIND_HOST
        self._port = port
        self.path = parts.path or "/"
        self._callback: concurrent.futures.Future[dict[str, str]] = concurrent.futures.Future()
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._finished: concurrent.futures.Future[None] | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        """The port listened on (the one picked once started, when the URI said 0)."""
        return self._port

    @property
    def redirect_uri(self) -> str:
        """The redirect URI as the server must be told it: the host as typed, the real
        port, the path; no query or fragment."""
        netloc = f"{self._host}:{self._port}"
        return urlunsplit(("http", netloc, self.path, "", ""))

    # -- start and stop ------------------------------------------------------------------

    async def __aenter__(self) -> RedirectListener:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> str:
        """Listen; return :attr:`redirect_uri`. Raises RedirectListenerError when the
        port cannot be listened on."""
        sock = self._bind()
        self._port = sock.getsockname()[1]
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._finished = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._run, args=(sock, ready, self._finished), name="oauth2-redirect"
        )
        thread.daemon = True
        thread.start()
        try:
            await asyncio.wait_for(asyncio.wrap_future(ready), _START_TIMEOUT_S)
        except TimeoutError:
            await self.stop()
            raise self._error(
                f"The redirect listener on {BIND_HOST}:{self._port} did not start within "
                f"{_START_TIMEOUT_S:g} s. Try again."
            ) from None
        except BaseException:
            await self.stop()
            raise
        return self.redirect_uri

    async def wait(self, timeout_s: float = CALLBACK_TIMEOUT_S) -> dict[str, str]:
        """The query parameters the browser brought back (``code``, ``state``, or
        ``error``...). Raises RedirectListenerError when none came within ``timeout_s``."""
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(self._callback)), timeout_s
            )
        except TimeoutError:
            raise self._error(
                f"No answer reached {self.redirect_uri} within {timeout_s / 60:g} minutes. "
                "Finish signing in in the browser sooner, or check that the redirect URI "
                "registered with the provider is exactly this one; then click Get new "
                "token again."
            ) from None

    async def stop(self) -> None:
        """Stop listening and wait (without blocking the loop) for the thread to end."""
        self._stopping.set()
        with self._lock:
            server, finished = self._server, self._finished
        if server is not None:
            server.should_exit = True
        if finished is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(finished)), _STOP_TIMEOUT_S)
        except TimeoutError:
            _log.warning("The OAuth 2.0 redirect listener's thread did not stop in time")

    # -- the listener's thread -----------------------------------------------------------

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if os.name != "nt":
                # Reuses a port whose old connections are in TIME_WAIT (a second try of
                # the flow); on POSIX this never allows a second listener.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((BIND_HOST, self._port))
            sock.listen(16)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            if exc.errno in _IN_USE:
                raise self._error(
                    f"Port {self._port} on {BIND_HOST} is in use by another program, so "
                    "apiclient cannot listen there for the browser's answer: change the "
                    "redirect URI's port (and register it with the provider) or stop what "
                    "uses it."
                ) from None
            raise self._error(
                f"Cannot listen on {BIND_HOST} port {self._port} for the browser's answer "
                f"({exc.strerror or exc}): change the redirect URI's port (and register it "
                "with the provider)."
            ) from None
        return sock

    def _error(self, message: str) -> RedirectListenerError:
        return RedirectListenerError(message, host=BIND_HOST, port=self._port)

    def _run(
        self,
        sock: socket.socket,
        ready: concurrent.futures.Future[None],
        finished: concurrent.futures.Future[None],
    ) -> None:
        try:
            asyncio.run(self._serve(sock, ready))
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            else:
                _log.error("The OAuth 2.0 redirect listener stopped on an error", exc_info=exc)
        finally:
            sock.close()
            with self._lock:
                self._server = None
            if not ready.done():  # stopped before it listened
                ready.set_exception(self._error("The redirect listener was stopped."))
            finished.set_result(None)

    async def _serve(self, sock: socket.socket, ready: concurrent.futures.Future[None]) -> None:
        import uvicorn

        server = uvicorn.Server(
            uvicorn.Config(
                self._app,
                interface="asgi3",  # a bound method is not recognised as one
                http="h11",
                ws="none",
                lifespan="off",
                log_config=None,  # the application owns logging configuration
                log_level="warning",
                access_log=False,
                server_header=False,
                proxy_headers=False,
                timeout_graceful_shutdown=1,
            )
        )
        with self._lock:
            if self._stopping.is_set():
                return
            self._server = server
        task = asyncio.create_task(server.serve(sockets=[sock]), name="oauth2-redirect")
        while not server.started:
            if task.done():
                task.result()  # raises what stopped it, if anything did
                return
            await asyncio.sleep(0.01)
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            ready.set_result(None)
        await task

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app: the redirect path takes the callback, anything else is 404."""
        if scope["type"] != "http":
            return
        if scope["path"] != self.path:
            await _answer(send, 404, b"Not the redirect path.", "text/plain; charset=utf-8")
            return
        query = scope["query_string"].decode("latin-1")
        params = dict(parse_qsl(query, keep_blank_values=True))
        if self._state is not None and params.get("state") != self._state:
            await _answer(send, 400, _STRAY_PAGE, "text/html; charset=utf-8")
            return
        await _answer(send, 200, _page(params), "text/html; charset=utf-8")
        if not self._callback.done():
            self._callback.set_result(params)
            with self._lock:
                if self._server is not None:
                    self._server.should_exit = True  # one callback, then stop


_STRAY_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Not accepted - apiclient"
    b"</title></head><body style='font-family: sans-serif'><h1>Not accepted</h1><p>This "
    b"answer does not carry the state of the sign-in apiclient is waiting for (it may come "
    b"from an earlier attempt), so it was ignored.</p></body></html>"
)


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode("ascii")),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
