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

from apiclient.core.models import RequestSettings, RestRequest
from apiclient.protocols.http import (
    MAX_IDLE_CLIENTS,
    TraceRecorder,
    check_body_size,
    map_httpx_error,
)
from apiclient.protocols.rest import RequestParts, RestEngine, RestResponse, build_request_parts
from apiclient.protocols.rest_receive import Progress
from apiclient.protocols.runner_workers import Job, Workers

# httpcore's trace events whose return value is a connection's new network stream.
_OPENED_EVENTS = ("connect_tcp.complete", "start_tls.complete")

# A URL parsed once per text: parsing is a tenth of a loopback send's CPU, and a run
# sends the same URLs over and over. httpx.URL is immutable, so threads may share one.
_parsed_url = functools.lru_cache(maxsize=1024)(httpx.URL)


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

    def __init__(self, key: tuple[bool, int], client: httpx.Client) -> None:
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
    lent: _Lent, parts: RequestParts, settings: RequestSettings, recorder: TraceRecorder
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
        timeout=httpx.Timeout(settings.timeout_s),
        extensions={"trace": trace},
    )
    response = client.send(
        http_request, stream=True, auth=parts.auth, follow_redirects=settings.follow_redirects
    )
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            check_body_size(size, parts.url)
            chunks.append(chunk)
    finally:
        response.close()
    return response, b"".join(chunks)


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
        response, body = _exchange_blocking(lent, parts, settings, recorder)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise map_httpx_error(
            exc, parts.url, settings.timeout_s, max_redirects=settings.max_redirects
        ) from exc
    finished = time.perf_counter()
    return engine._response(parts, response, body, recorder, started, finished)


class ThreadedRestEngine(RestEngine):
    """A :class:`RestEngine` whose exchanges run on up to ``workers`` threads, for a
    loop that belongs to a run (never the window's: the loop only waits meanwhile)."""

    def __init__(self, workers: int) -> None:
        super().__init__()
        self._workers = workers
        self._threads: Workers | None = None
        self._idle: dict[tuple[bool, int], list[_Lent]] = {}
        self._lent: set[_Lent] = set()

    async def send(self, request: RestRequest, *, progress: Progress | None = None) -> RestResponse:
        """As :meth:`RestEngine.send`, all but building on a worker thread. The body is
        read into memory (a run keeps no large bodies), and ``progress`` is told once,
        when it has all arrived."""
        started = time.perf_counter()
        parts = await build_request_parts(request)
        settings = request.settings
        lent = await self._lend(settings.verify_tls, settings.max_redirects)
        if self._threads is None:
            self._threads = Workers(self._workers, "rest-send")
        lent.in_flight = self._threads.submit(
            functools.partial(_send_blocking, self, lent, parts, settings, started)
        )
        try:
            response = await lent.in_flight.waiter
        except asyncio.CancelledError:
            self._lent.discard(lent)
            lent.retire()  # the thread still holds the client: never lent again
            raise
        finally:
            if lent in self._lent:
                self._give_back(lent)
        if progress is not None:
            progress(len(response.body), len(response.body))
        return response

    async def _lend(self, verify_tls: bool, max_redirects: int) -> _Lent:
        """An idle client for these settings (the most recent first), else a new one."""
        key = (verify_tls, max_redirects)
        idle = self._idle.setdefault(key, [])
        lent = idle.pop() if idle else _Lent(key, await self._client(verify_tls, max_redirects))
        self._lent.add(lent)
        return lent

    async def _client(self, verify_tls: bool, max_redirects: int) -> httpx.Client:
        return _Client(**await self._pool.client_options(verify_tls, max_redirects))

    def _give_back(self, lent: _Lent) -> None:
        self._lent.discard(lent)
        lent.in_flight = None
        idle = self._idle.setdefault(lent.key, [])
        if len(idle) < MAX_IDLE_CLIENTS:
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
