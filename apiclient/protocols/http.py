"""Shared HTTP plumbing for every engine that speaks HTTP (REST, SOAP, GraphQL...).

Three things live here so each engine does not redo them: checking what the user typed
(method, URL, headers) before any traffic, a pool of warm ``httpx.AsyncClient``s, phase
timings read from httpcore's ``trace`` extension, and the single mapping from
httpx/httpcore/ssl/OSError exceptions onto :mod:`apiclient.protocols.errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import socket
import ssl
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpx

from apiclient import __version__
from apiclient.core.http_parts import SCHEME_RE, encode_url
from apiclient.core.http_parts import append_query as append_query
from apiclient.protocols.errors import (
    ConnectError,
    ConnectionClosedError,
    DnsError,
    HttpProtocolError,
    ProtocolError,
    RequestBuildError,
    RequestTimeoutError,
    ResponseTooLargeError,
    TlsError,
    TooManyRedirectsError,
)

USER_AGENT = f"apiclient/{__version__}"

# RFC 9110 token: what a method or a header name may contain.
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE_BAD_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_RECEIVED_BYTES_RE = re.compile(r"received (\d+) bytes")
# Schemes written without "//" that are not addresses on the web ("javascript:alert(1)",
# "mailto:x@y"): without this they would get "http://" and fail as a bad port or host.
_OTHER_SCHEME_RE = re.compile(
    r"(about|blob|data|file|ftp|javascript|mailto|sms|tel|urn|view-source):", re.IGNORECASE
)

MAX_IDLE_CLIENTS = 128
"""Idle clients kept per setting, above the runner's highest concurrency (100); past
this many concurrent sends, the extra clients are closed when their sends finish."""


# --- checking what the user typed -------------------------------------------------------


def validate_method(method: str) -> str:
    """Return the method stripped; custom verbs (PURGE, PROPFIND...) are fine if a token."""
    verb = method.strip()
    if not verb:
        raise RequestBuildError("The method is empty. Choose GET, POST or type a custom verb.")
    if not _TOKEN_RE.fullmatch(verb):
        raise RequestBuildError(
            f"The method {verb!r} is not a valid HTTP method: use letters, digits or"
            " !#$%&'*+-.^_`|~, with no spaces."
        )
    return verb


# The most of one response body kept (in memory): a server that never stops sending is
# cut off here rather than filling the machine's memory.
MAX_RESPONSE_BYTES = 1 << 30


def check_body_size(received: int, url: str) -> None:
    """Raise ResponseTooLargeError once ``received`` bytes of the body from ``url`` pass
    :data:`MAX_RESPONSE_BYTES`."""
    limit = MAX_RESPONSE_BYTES
    if received > limit:
        raise ResponseTooLargeError(
            f"The response from {url} passed {limit // (1 << 20)} MB, the most apiclient keeps"
            " of one body, and was cut off there. Ask the server for less (a page, a range)."
        )


@functools.lru_cache(maxsize=1024)
def normalize_url(text: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """Check a typed URL and return it ready to send; raise RequestBuildError if it is not.

    Remembered per text (a run sends the same URLs over and over; parsing one twice
    costs as much as a tenth of a loopback exchange); errors are not remembered.

    Like Postman, a URL without a scheme gets ``http://``. The fragment is dropped (it is
    never sent) and unsafe characters in the path and query are percent-encoded, keeping
    escapes that are already there (:func:`apiclient.core.http_parts.encode_url`, which
    the exporters use too).
    """
    url = text.strip()
    if not url:
        raise RequestBuildError(
            "The URL is empty. Enter an address such as http://127.0.0.1:8000/api/items."
        )
    utf8(url, f"The URL {url!r} is not valid: it")
    scheme_match = SCHEME_RE.match(url)
    if scheme_match is None:
        if "://" in url:
            raise RequestBuildError(f"The URL {url!r} has a malformed scheme before '://'.")
        other = _OTHER_SCHEME_RE.match(url)
        if other is not None:
            raise RequestBuildError(
                f"The URL {url!r} uses the scheme '{other.group(1)}:', which is not sent"
                f" over HTTP: use {' or '.join(f'{s}://' for s in schemes)}."
            )
        url = f"http://{url}"
    else:
        scheme = scheme_match.group(1).lower()
        if scheme not in schemes:
            allowed = " or ".join(f"{s}://" for s in schemes)
            raise RequestBuildError(
                f"The URL {url!r} uses the unsupported scheme '{scheme}': use {allowed}."
            )
    url = url.partition("#")[0]
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise RequestBuildError(f"The URL {text.strip()!r} is not valid: {exc}.") from None
    netloc = parts.netloc
    if any(ch.isspace() for ch in netloc):
        raise RequestBuildError(
            f"The host in {text.strip()!r} contains a space; remove it (spaces are only"
            " allowed, encoded, in the path or query)."
        )
    if not parts.hostname:
        raise RequestBuildError(
            f"The URL {text.strip()!r} has no host. Enter one such as 127.0.0.1:8000."
        )
    try:
        port = parts.port
    except ValueError:
        port_text = netloc.rpartition(":")[2]
        raise RequestBuildError(
            f"The port {port_text!r} in {text.strip()!r} is not valid: use a number from"
            " 1 to 65535."
        ) from None
    if port == 0:
        raise RequestBuildError(
            f"The port 0 in {text.strip()!r} is not valid: use a number from 1 to 65535."
        )
    rebuilt = encode_url(url)
    try:
        httpx.URL(rebuilt)
    except httpx.InvalidURL as exc:
        raise RequestBuildError(f"The URL {text.strip()!r} is not valid: {exc}.") from None
    return rebuilt


def encode_header(name: str, value: str) -> tuple[bytes, bytes]:
    """Check one header and encode it (values as UTF-8, like browsers and Postman)."""
    if not _TOKEN_RE.fullmatch(name):
        raise RequestBuildError(
            f"The header name {name!r} is not valid: use letters, digits or"
            " !#$%&'*+-.^_`|~, with no spaces or colons."
        )
    value = value.strip()
    if _HEADER_VALUE_BAD_RE.search(value):
        raise RequestBuildError(
            f"The value of header '{name}' contains a line break or control character; remove it."
        )
    return name.encode("ascii"), utf8(value, f"The value of header '{name}'")


def utf8(text: str, what: str) -> bytes:
    """``text`` as UTF-8, or a RequestBuildError saying where ``what`` (the subject of the
    sentence) holds a lone UTF-16 surrogate, which UTF-8 cannot carry: one comes from a
    broken ``\\ud800`` escape in an imported file."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RequestBuildError(
            f"{what} holds U+{ord(text[exc.start]):04X} at character {exc.start + 1}, half of"
            " a character pair that UTF-8 cannot carry. Remove it."
        ) from None


def decode_header_value(raw: bytes) -> str:
    """Decode a received header value: UTF-8 when it is, else Latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# --- clients ----------------------------------------------------------------------------


def _cookieless_jar() -> CookieJar:
    """A jar that refuses every cookie, for engines that must not carry state across sends."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


_ALPN = ["http/1.1"]  # what httpcore offers on every connection (HTTP/2 is off)


class _SharedSslContext(ssl.SSLContext):
    """An SSL context whose ALPN list is set once, when it is built, so that many
    clients on many threads can share it.

    httpcore calls ``set_alpn_protocols`` before every TLS connection. Done for real,
    that rewrites the context while other threads (the runner's send workers) create
    connections from it with the GIL released: a data race inside OpenSSL. Here it only
    checks that the list is the one already set; creating connections reads the context
    and nothing else writes it, which OpenSSL allows from any number of threads.
    """

    def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
        if list(alpn_protocols) != _ALPN:
            raise ValueError(f"This shared SSL context offers only {_ALPN} by ALPN.")


@functools.cache
def _ssl_context(verify_tls: bool) -> ssl.SSLContext:
    """The SSL context for this setting, shared by every client of the process, built as
    httpx builds its own: trusting ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else
    certifi's bundle; with no checks at all when ``verify_tls`` is off.

    Shared because building one that verifies costs ~30 ms of CPU (parsing the CA
    bundle; passing it as bytes saves nothing), 100 times that for a run of 100
    concurrent sends, while one that does not verify costs ~0.3 ms.
    """
    context = _SharedSslContext(ssl.PROTOCOL_TLS_CLIENT)  # checks certificates and names
    if not verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif os.environ.get("SSL_CERT_FILE"):
        context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        context.load_verify_locations(cafile=certifi.where())
    if keylog := os.environ.get("SSLKEYLOGFILE"):  # as ssl's default context does
        context.keylog_filename = keylog
    ssl.SSLContext.set_alpn_protocols(context, _ALPN)
    return context


class HttpClientPool:
    """Warm ``httpx.AsyncClient``s per (verify_tls, max_redirects), lent one send at a time.

    Reuse keeps connections (and their TLS sessions) warm. Each send leases a client
    that no other send is using (:meth:`lease`), so a client's own connection pool
    never holds more than one request: httpcore's pool re-scans and retries when many
    requests share it, which made 20 concurrent sends slower than one after another.
    Clients of one setting share one SSL context (loading the CA bundle takes ~30 ms;
    :class:`_SharedSslContext` says why sharing is safe), so a new client is cheap.
    Per-request things (timeout, auth, redirects on/off, trace) are passed on each send,
    never set on a client. The only shared state is the ``cookie_jar`` when one is given
    (Postman-like session cookies); without one, cookies are never stored.
    """

    def __init__(self, *, cookie_jar: CookieJar | None = None) -> None:
        self._cookie_jar = cookie_jar
        self._ssl_contexts: dict[bool, asyncio.Future[ssl.SSLContext]] = {}
        self._idle: dict[tuple[bool, int], list[httpx.AsyncClient]] = {}
        self._leased: set[httpx.AsyncClient] = set()

    @contextlib.asynccontextmanager
    async def lease(
        self, *, verify_tls: bool = True, max_redirects: int = 20
    ) -> AsyncIterator[httpx.AsyncClient]:
        """A client for these settings, for this send alone until the block ends; the
        most recently returned one first, so sends one after another share a connection."""
        key = (verify_tls, max_redirects)
        idle = self._idle.setdefault(key, [])
        client = idle.pop() if idle else await self._build(verify_tls, max_redirects)
        self._leased.add(client)
        try:
            yield client
        finally:
            self._leased.discard(client)
            if len(idle) >= MAX_IDLE_CLIENTS:
                await client.aclose()
            elif not client.is_closed:  # closed when the pool was closed meanwhile
                idle.append(client)

    async def ssl_context(self, verify_tls: bool) -> ssl.SSLContext:
        """The SSL context for this setting, loaded in a worker thread once however many
        sends ask for it at once (each would otherwise load the CA bundle)."""
        load = self._ssl_contexts.get(verify_tls)
        if load is None:
            load = asyncio.ensure_future(asyncio.to_thread(_ssl_context, verify_tls))
            self._ssl_contexts[verify_tls] = load
        try:
            return await asyncio.shield(load)  # one send cancelled does not cancel the load
        except Exception:
            if self._ssl_contexts.get(verify_tls) is load:
                del self._ssl_contexts[verify_tls]  # a later send tries again
            raise

    async def client_options(self, verify_tls: bool, max_redirects: int) -> dict[str, Any]:
        """The keyword arguments of a new client for these settings, sync or async alike
        (the runner's threaded engine builds ``httpx.Client``s from them)."""
        jar = self._cookie_jar if self._cookie_jar is not None else _cookieless_jar()
        return {
            "verify": await self.ssl_context(verify_tls),
            "max_redirects": max_redirects,
            "cookies": jar,
            "headers": {"User-Agent": USER_AGENT},
        }

    async def _build(self, verify_tls: bool, max_redirects: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(**await self.client_options(verify_tls, max_redirects))

    async def aclose(self) -> None:
        """Close every client and its connections; the pool may be used again after."""
        clients = [*self._leased, *(c for idle in self._idle.values() for c in idle)]
        self._idle.clear()
        self._leased.clear()
        self._ssl_contexts.clear()  # loads belong to this loop; the next may differ
        for client in clients:
            await client.aclose()


# --- timings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timings:
    """Phases of the final hop, in seconds; ``total_s`` covers every hop."""

    connect_s: float | None  # DNS + TCP connect; None when the connection was reused
    tls_s: float | None  # None for plain HTTP or a reused connection
    send_s: float  # request headers and body written
    ttfb_s: float  # from request sent to response headers received (server wait)
    download_s: float  # body
    total_s: float
    reused_connection: bool


class TraceRecorder:
    """Collects httpcore trace events for one send: ``extensions={"trace": recorder}``.

    A new hop (redirect, digest challenge) starts when a connect or a request write begins
    after the current hop already wrote its request. One recorder per send, never shared.
    """

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._hops: list[dict[str, float]] = [{}]

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        self.record(name, info)

    def record(self, name: str, info: dict[str, Any]) -> None:
        """The same, for a sync ``httpx.Client`` (whose trace callback is not awaited)."""
        now = time.perf_counter()
        event = name.partition(".")[2]  # "http11.send_request_headers.started" -> "send_..."
        hop = self._hops[-1]
        if (
            event in ("connect_tcp.started", "send_request_headers.started")
            and "send_request_headers.started" in hop
        ):
            hop = {}
            self._hops.append(hop)
        if event.endswith(".started"):
            hop.setdefault(event, now)
        else:
            hop[event] = now

    def timings(self, finished: float) -> Timings:
        """Timings of the final hop, with ``finished`` the moment the body was read."""
        hop = self._hops[-1]

        def span(start: str, end: str) -> float | None:
            if start in hop and end in hop:
                return max(hop[end] - hop[start], 0.0)
            return None

        send_start = hop.get("send_request_headers.started", self.started)
        sent = hop.get("send_request_body.complete", send_start)
        headers_done = hop.get("receive_response_headers.complete", sent)
        body_done = hop.get("receive_response_body.complete", headers_done)
        return Timings(
            connect_s=span("connect_tcp.started", "connect_tcp.complete"),
            tls_s=span("start_tls.started", "start_tls.complete"),
            send_s=max(sent - send_start, 0.0),
            ttfb_s=max(headers_done - sent, 0.0),
            download_s=max(body_done - headers_done, 0.0),
            total_s=max(finished - self.started, 0.0),
            reused_connection="connect_tcp.started" not in hop,
        )


# --- errors -----------------------------------------------------------------------------


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and members of exception groups."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _first(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in _causes(exc) if isinstance(e, kind)), None)


def _where(request_url: str) -> tuple[str, str]:
    """(host, host:port) of the URL, for messages."""
    try:
        url = httpx.URL(request_url)
    except httpx.InvalidURL:
        return request_url, request_url
    port = url.port or {"https": 443, "wss": 443}.get(url.scheme, 80)
    return url.host, f"{url.host}:{port}"


def _seconds(timeout_s: float | None) -> str:
    return "the time limit" if timeout_s is None else f"{timeout_s:g} s"


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def map_httpx_error(
    exc: BaseException,
    request_url: str,
    timeout_s: float | None,
    *,
    max_redirects: int | None = None,
) -> ProtocolError:
    """Turn an httpx/httpcore/ssl/OSError exception into the engine error tree.

    This is the one place that knows library exception types; the message says what
    failed, where, and what to try.
    """
    if isinstance(exc, ProtocolError):
        return exc
    host, where = _where(request_url)
    if isinstance(exc, httpx.TimeoutException):
        return _map_timeout(exc, where, timeout_s)
    if isinstance(exc, httpx.TooManyRedirects):
        limit = f" ({max_redirects})" if max_redirects is not None else ""
        return TooManyRedirectsError(
            f"Too many redirects: {request_url} redirected more times than the limit{limit}."
            " The server may redirect in a loop; raise the limit in the request settings"
            " or turn off following redirects to see the first response."
        )
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return RequestBuildError(f"The URL {request_url!r} is not valid: {exc}.")
    if isinstance(exc, httpx.LocalProtocolError):
        return RequestBuildError(f"The request could not be sent as valid HTTP: {exc}.")
    tls = _map_tls(exc, host, where)
    if tls is not None:
        return tls
    if isinstance(exc, httpx.ProxyError):
        return ConnectError(f"The proxy refused the connection to {where}: {exc}.")
    if isinstance(exc, httpx.ConnectError) or (
        isinstance(exc, OSError) and not isinstance(exc, httpx.HTTPError)
    ):
        return _map_connect(exc, host, where)
    if isinstance(exc, httpx.RemoteProtocolError):
        return _map_remote_protocol(exc, where)
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.CloseError):
        reason = _os_reason(_first(exc, OSError) or exc)
        return ConnectionClosedError(
            f"The connection to {where} was lost ({reason}). The server may have closed"
            " or reset it; try again."
        )
    if isinstance(exc, httpx.DecodingError):
        return HttpProtocolError(
            f"The response from {where} could not be decoded: {exc}. Its Content-Encoding"
            " header does not match the body."
        )
    return ProtocolError(f"The request to {request_url} failed: {exc or type(exc).__name__}.")


def _map_timeout(
    exc: httpx.TimeoutException, where: str, timeout_s: float | None
) -> RequestTimeoutError:
    limit = _seconds(timeout_s)
    hint = "raise the timeout in the request settings"
    if isinstance(exc, httpx.ConnectTimeout):
        phase = "connect"
        text = (
            f"Connecting to {where} timed out after {limit} (connect timeout). The server"
            f" may be down or unreachable; if it is only slow, {hint}."
        )
    elif isinstance(exc, httpx.WriteTimeout):
        phase = "write"
        text = (
            f"Sending the request to {where} timed out after {limit} (write timeout)."
            f" The server stopped accepting data; {hint} for large uploads."
        )
    elif isinstance(exc, httpx.PoolTimeout):
        phase = "pool"
        text = (
            f"Waited {limit} for a free connection to {where} (pool timeout). Too many"
            f" requests are in flight; wait for them or {hint}."
        )
    else:
        phase = "read"
        text = (
            f"The server at {where} sent nothing for {limit} (read timeout). It may be"
            f" slow or stuck; {hint} if you expect a slow answer."
        )
    return RequestTimeoutError(text, phase=phase, timeout_s=timeout_s)


def _map_tls(exc: BaseException, host: str, where: str) -> TlsError | None:
    verify = _first(exc, ssl.SSLCertVerificationError)
    if isinstance(verify, ssl.SSLCertVerificationError):
        reason = verify.verify_message or verify.reason or str(verify)
        return TlsError(
            f"The TLS certificate of {host} could not be verified: {reason}. If you trust"
            " this server, turn off certificate verification for this request in Settings."
        )
    other = _first(exc, ssl.SSLError)
    if isinstance(other, ssl.SSLError):
        reason = other.reason or str(other)
        return TlsError(
            f"The TLS handshake with {where} failed: {reason}. Check that the server speaks"
            " HTTPS on this port (or use http://)."
        )
    return None


def _map_connect(exc: BaseException, host: str, where: str) -> ConnectError:
    if _first(exc, socket.gaierror) is not None:
        return DnsError(
            f"Could not resolve host '{host}': the name does not resolve to an address."
            " Check the spelling or your network."
        )
    if _first(exc, ConnectionRefusedError) is not None:
        return ConnectError(
            f"Could not connect to {where}: connection refused. Is the server running?"
            " Check the host and port."
        )
    specific = next(
        (e for e in _causes(exc) if isinstance(e, OSError) and e.errno is not None), None
    )
    reason = _os_reason(specific or exc)
    return ConnectError(
        f"Could not connect to {where}: {reason}. Check the address and your network."
    )


def _map_remote_protocol(exc: httpx.RemoteProtocolError, where: str) -> ProtocolError:
    text = str(exc)
    if "peer closed connection" in text:
        match = _RECEIVED_BYTES_RE.search(text)
        received = int(match.group(1)) if match else None
        after = f", after {received} bytes of the body" if received is not None else ""
        return ConnectionClosedError(
            f"The server at {where} closed the connection before the response was"
            f" complete{after}. It may have crashed or hit a limit; try again.",
            received_bytes=received,
        )
    if "disconnected without sending a response" in text:
        return ConnectionClosedError(
            f"The server at {where} closed the connection without sending a response."
            " It may have crashed or rejected the request; try again."
        )
    return HttpProtocolError(f"The server at {where} sent invalid HTTP: {text}.")
