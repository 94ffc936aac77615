"""REST sends on worker threads with sync httpx clients: the collection runner's engine.

Why: for bursts of small requests, httpx's ``AsyncClient`` spends about 1.5 times the
CPU of its sync ``Client`` per request (anyio's cancel scopes and stream wrappers,
httpx issue 3215), and on loopback that CPU is what bounds a run's rate. A run has its
own thread and loop (:mod:`.runner_thread`, ``apiclient run``), so its sends may block
worker threads; the REST tab keeps the async :class:`RestEngine` on the window's loop.

Everything but the exchange itself is the REST engine's: checking and building the
request, timings, redirects, the session cookie jar (``CookieJar`` locks itself), TLS
settings, proxies from the environment, error mapping. Like the async pool, each send
gets a client no other send is using, so connections stay warm and never contend.
Cancelling a send shuts down the sockets its client opened, so the worker thread ends
at once instead of at its timeout. The worker also maps httpx's errors and builds the
:class:`RestResponse` (headers, cookies, timings): one hop to the thread and one back
per send (on :mod:`.runner_workers`' threads, lighter than an executor's), and the loop,
which every step of a run passes through, does less per step.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import time
from http.cookiejar import CookieJar
from typing import Any

import httpx

from apiclient.core.connection_defaults import effective_settings
from apiclient.core.models import RequestSettings, RestRequest
from apiclient.protocols.connection_redirects import next_hop
from apiclient.protocols.http import (
    MAX_IDLE_CLIENTS,
    ConnectionKey,
    TraceRecorder,
    check_body_size,
    request_timeout,
    total_timeout_error,
)
from apiclient.protocols.rest import (
    RequestParts,
    RestEngine,
    RestResponse,
    build_request_parts,
    map_send_error,
)
from apiclient.protocols.rest_receive import Progress
from apiclient.protocols.runner_workers import Job, Workers

# httpcore's trace events whose return value is a connection's new network stream.
_OPENED_EVENTS = ("connect_tcp.complete", "start_tls.complete")

# A URL parsed once per text: parsing is a tenth of a loopback send's CPU, and a run
# sends the same URLs over and over. httpx.URL is immutable, so threads may share one.
_parsed_url = functools.lru_cache(maxsize=1024)(httpx.URL)
# How long a worker thread waits for the loop to give it a redirect hop's client options
# (loading an SSL context at worst); bounded so a loop that closed cannot hang it.
_HOP_CLIENT_WAIT_S = 30.0


class _JarCookies(httpx.Cookies):
    """httpx's view of the engine's cookie jar that reads a response's cookies only when
    it sets some: httpx otherwise wraps every response in an ``email.message.Message``
    and a ``urllib`` request just for the jar to find no ``Set-Cookie`` header, about a
    tenth of a loopback send's CPU. The jar stores exactly what it stored before."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _Client(httpx.Client):
    """A sync client whose ``cookies`` are a :class:`_JarCookies` over ``cookies``, the
    engine's jar itself (shared by every client of the engine, as before)."""

    def __init__(self, *, cookies: CookieJar, **options: Any) -> None:
        super().__init__(**options)
        self.cookies = cookies

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar_cookies

    @cookies.setter
    def cookies(
        self, cookies: httpx.Cookies | CookieJar | dict[str, str] | list[tuple[str, str]]
    ) -> None:
        self._jar_cookies = _JarCookies(cookies)


class _Lent:
    """A sync client lent to one send, and the network streams it opened, to abort."""

    def __init__(self, key: ConnectionKey, client: httpx.Client) -> None:
        self.key = key
        self.client = client
        self.in_flight: Job[RestResponse] | None = None
        self._streams: list[Any] = []  # httpcore network streams, kept across sends
        self._aborted = False

    def opened(self, stream: Any) -> None:
        """Called on the worker thread when a connection (or its TLS layer) opened."""
        self._streams = [s for s in self._streams if _socket_of(s) is not None]
        self._streams.append(stream)
        if self._aborted:
            _shut_down(stream)

    def retire(self) -> None:
        """Make the send in flight fail now (its blocked reads and writes return) and
        close the client once its thread lets go of it."""
        self._aborted = True
        for stream in list(self._streams):
            _shut_down(stream)
        if self.in_flight is None:
            self.client.close()
        else:
            self.in_flight.when_done(self.client.close)


def _socket_of(stream: Any) -> socket.socket | None:
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket) and sock.fileno() != -1:
        return sock
    return None


def _shut_down(stream: Any) -> None:
    sock = _socket_of(stream)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _exchange_blocking(
    engine: ThreadedRestEngine,
    lent: _Lent,
    parts: RequestParts,
    settings: RequestSettings,
    recorder: TraceRecorder,
) -> tuple[httpx.Response, bytes]:
    """The exchange, on a worker thread; httpx's exceptions pass through."""

    def trace(name: str, info: dict[str, Any]) -> None:
        recorder.record(name, info)
        if name.endswith(_OPENED_EVENTS) and info.get("return_value") is not None:
            lent.opened(info["return_value"])

    client = lent.client
    http_request = client.build_request(
        parts.method,
        _parsed_url(parts.url),
        headers=list(parts.headers),
        content=parts.content,
        files=list(parts.files) or None,
        timeout=request_timeout(settings),
        extensions={"trace": trace},
    )
    with contextlib.ExitStack() as hops:
        response = _send(engine, lent, http_request, parts, settings, hops)
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                check_body_size(size, parts.url)
                chunks.append(chunk)
        finally:
            response.close()
    return response, b"".join(chunks)


def _send(
    engine: ThreadedRestEngine,
    lent: _Lent,
    request: httpx.Request,
    parts: RequestParts,
    settings: RequestSettings,
    hops: contextlib.ExitStack,
) -> httpx.Response:
    """As the async engine's :meth:`RestEngine._send`: a hop to another origin whose
    connection key differs goes through a client of its own, made for this send and
    closed with ``hops`` (a redirect across origins is rare in a run)."""
    response = lent.client.send(request, stream=True, auth=parts.auth, follow_redirects=False)
    if not settings.follow_redirects or response.next_request is None:
        return response
    clients: dict[ConnectionKey, httpx.Client] = {lent.key: lent.client}
    history: list[httpx.Response] = []
    try:
        while (
            following := next_hop(
                response,
                len(history),
                settings.max_redirects,
                keep_method=settings.keep_method,
                home=request.url,
                auth_headers=parts.auth_headers,
            )
        ) is not None:
            response.read()
            history.append(response)
            hop_key = engine.connection_key(str(following.url), settings)
            if hop_key not in clients:
                clients[hop_key] = hops.enter_context(engine.hop_client(hop_key, settings))
            response = clients[hop_key].send(following, stream=True, follow_redirects=False)
    except BaseException:
        response.close()
        raise
    response.history = history
    return response


def _send_blocking(
    engine: ThreadedRestEngine,
    lent: _Lent,
    parts: RequestParts,
    settings: RequestSettings,
    started: float,
) -> RestResponse:
    """:meth:`RestEngine.send` after building, on a worker thread: the exchange, its
    errors mapped, the response read into a :class:`RestResponse`."""
    recorder = TraceRecorder()
    try:
        response, body = _exchange_blocking(engine, lent, parts, settings, recorder)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise map_send_error(exc, parts.url, settings, recorder, lent.key) from exc
    finished = time.perf_counter()
    return engine._response(parts, response, body, recorder, started, finished)


class ThreadedRestEngine(RestEngine):
    """A :class:`RestEngine` whose exchanges run on up to ``workers`` threads, for a
    loop that belongs to a run (never the window's: the loop only waits meanwhile)."""

    def __init__(self, workers: int, *, cookie_jar: CookieJar | None = None) -> None:
        super().__init__(cookie_jar=cookie_jar)
        self._workers = workers
        self._threads: Workers | None = None
        self._idle: dict[ConnectionKey, list[_Lent]] = {}
        self._lent: set[_Lent] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def send(self, request: RestRequest, *, progress: Progress | None = None) -> RestResponse:
        """As :meth:`RestEngine.send`, all but building on a worker thread. The body is
        read into memory (a run keeps no large bodies), and ``progress`` is told once,
        when it has all arrived."""
        started = time.perf_counter()
        parts = await build_request_parts(request)
        settings = effective_settings(request.settings)  # resolved: already concrete
        self._loop = asyncio.get_running_loop()
        lent = await self._lend(self.connection_key(parts.url, settings), settings.send_cookies)
        if self._threads is None:
            self._threads = Workers(self._workers, "rest-send")
        lent.in_flight = self._threads.submit(
            functools.partial(_send_blocking, self, lent, parts, settings, started)
        )
        total_s = settings.total_timeout_s or None
        deadline = asyncio.timeout(total_s)
        try:
            async with deadline:
                response = await lent.in_flight.waiter
        except (asyncio.CancelledError, TimeoutError):
            self._lent.discard(lent)
            lent.retire()  # the thread still holds the client: never lent again
            if total_s is not None and deadline.expired():
                raise total_timeout_error(parts.url, total_s) from None
            raise
        finally:
            if lent in self._lent:
                self._give_back(lent, keep=not parts.binds_connection)
        if progress is not None:
            progress(len(response.body), len(response.body))
        return response

    async def _lend(self, key: ConnectionKey, send_cookies: bool) -> _Lent:
        """An idle client for ``key`` (the most recent first), else a new one, with
        the engine's jar (or none, with cookies off)."""
        idle = self._idle.setdefault(key, [])
        lent = idle.pop() if idle else _Lent(key, await self._client(key))
        jar = self._pool.jar(send_cookies)
        if lent.client.cookies.jar is not jar:
            lent.client.cookies = jar
        self._lent.add(lent)
        return lent

    async def _client(self, key: ConnectionKey) -> httpx.Client:
        return _Client(**await self._pool.client_options(key))

    def hop_client(self, key: ConnectionKey, settings: RequestSettings) -> httpx.Client:
        """A new client for ``key``, called on a worker thread while the engine's loop
        waits for it: the redirect hop of one send to another origin."""
        if self._loop is None:
            raise RuntimeError("hop_client is only for a send in flight")
        options = asyncio.run_coroutine_threadsafe(
            self._pool.client_options(key), self._loop
        ).result(timeout=_HOP_CLIENT_WAIT_S)
        client = _Client(**options)
        client.cookies = self._pool.jar(settings.send_cookies)
        return client

    def _give_back(self, lent: _Lent, *, keep: bool = True) -> None:
        """Make ``lent`` idle again, or close it when ``keep`` is False (a connection
        NTLM authenticated serves no other send) or enough are idle."""
        self._lent.discard(lent)
        lent.in_flight = None
        idle = self._idle.setdefault(lent.key, [])
        if keep and len(idle) < MAX_IDLE_CLIENTS:
            idle.append(lent)
        else:
            lent.client.close()

    async def aclose(self) -> None:
        """Close every client; sends still in flight are aborted, and their threads end
        on their own right after (they are not waited for). The engine may be used
        again after."""
        lent = [*self._lent, *(each for idle in self._idle.values() for each in idle)]
        self._lent.clear()
        self._idle.clear()
        for each in lent:
            each.retire()
        if self._threads is not None:
            self._threads.shutdown()
            self._threads = None
        await super().aclose()
