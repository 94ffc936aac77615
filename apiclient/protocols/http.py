"""Shared HTTP plumbing for every engine that speaks HTTP (REST, SOAP, GraphQL...).

What lives here so each engine does not redo it: checking what the user typed
(method, URL, headers) before any traffic, a pool of warm ``httpx.AsyncClient``s keyed
on everything that shapes a connection (:class:`ConnectionKey`: TLS settings and client
certificate from :mod:`.connection_tls`, proxy from :mod:`.connection_proxy`, HTTP/2,
redirect limit), the per-phase timeouts, phase timings read from httpcore's ``trace``
extension, and the single mapping from httpx/httpcore/ssl/OSError exceptions onto
:mod:`apiclient.protocols.errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import socket
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import httpx

from apiclient import __version__
from apiclient.core.connection_defaults import (
    connect_timeout,
    effective_settings,
    read_timeout,
    verifies,
)
from apiclient.core.http_parts import SCHEME_RE, encode_url
from apiclient.core.http_parts import append_query as append_query
from apiclient.core.models import ClientCertificate, RequestSettings
from apiclient.protocols.connection_proxy import (
    SYSTEM,
    ProxyKey,
    is_https,
    proxy_key,
    proxy_options,
    system_bypass,
)
from apiclient.protocols.connection_tls import (
    SSL_CONTEXTS_KEPT,
    TlsKey,
    certificate_key,
    ssl_context,
    stamp,
)
from apiclient.protocols.errors import (
    ConnectError,
    ConnectionClosedError,
    DnsError,
    HttpProtocolError,
    ProtocolError,
    ProxyError,
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

MAX_CONNECTION_KEYS = 32
"""Settings (connection keys) a pool keeps idle clients for: each CA file, certificate
or proxy change makes a new key; past this many, the idle clients of the least
recently used key are closed."""


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


_COOKIELESS_JAR = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
"""A jar that refuses every cookie and so holds none: for a pool without a jar, and for
a send with cookies turned off (nothing sent, nothing stored)."""

# Kept under its old name: tests clear its cache after changing SSL_CERT_FILE.
_ssl_context = ssl_context


@dataclass(frozen=True)
class ConnectionKey:
    """Everything that shapes a client: its SSL context (verification, CA file, client
    certificate, HTTP/2), its proxy, and its redirect limit. Sends with equal keys share
    clients (and warm connections)."""

    tls: TlsKey = TlsKey()  # noqa: RUF009 (frozen, so one shared default is right)
    proxy: ProxyKey = SYSTEM
    max_redirects: int = 20

    def __post_init__(self) -> None:
        # Hashed on every lease; the nested keys would be hashed anew each time.
        object.__setattr__(self, "_hash", hash((self.tls, self.proxy, self.max_redirects)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]


DEFAULT_CONNECTION = ConnectionKey()


KEY_TTL_S = 1.0
"""How long a connection key made with files (CA file, client certificate) is reused
before the files are looked at again: an edited file is seen within this time."""

_keys: dict[tuple[Any, ...], tuple[float, ConnectionKey]] = {}
_MAX_KEYS = 256


def connection_key(
    settings: RequestSettings,
    certificate: ClientCertificate | None = None,
    host: str = "",
    *,
    secure: bool = True,
) -> ConnectionKey:
    """The key of ``settings`` for a request to ``host`` (over TLS when ``secure``: an
    https:// URL) with ``certificate`` presented; checks the proxy settings and that the
    CA and certificate files exist (RequestBuildError naming the setting) before any
    traffic. The CA file and certificate matter only to TLS: a plain http:// send to no
    https:// proxy neither reads nor needs them. Cheap enough for every send: a key is
    remembered for :data:`KEY_TTL_S` (the files are stat'ed no more often). A setting
    left to "App default" (a request not resolved) is the built-in one."""
    settings = effective_settings(settings)
    verify = verifies(settings)
    if not secure:
        certificate = None
    if (
        certificate is None
        and not settings.http2
        and settings.proxy == "system"
        and (not verify or not settings.ca_file or not secure)
        and not system_bypass(host)
    ):  # the usual case, on every send of a run: made once per setting
        return _plain_key(verify, settings.max_redirects)
    memo = (
        verify,
        settings.ca_file,
        settings.http2,
        settings.proxy,
        settings.proxy_url,
        settings.proxy_username,
        settings.proxy_password,
        settings.no_proxy,
        settings.max_redirects,
        host,
        secure,
        None
        if certificate is None
        else (
            certificate.host,
            certificate.cert_file,
            certificate.key_file,
            certificate.pfx_file,
            certificate.passphrase,
        ),
    )
    now = time.monotonic()
    known = _keys.get(memo)
    if known is not None and now - known[0] < KEY_TTL_S:
        return known[1]
    key = _connection_key(settings, certificate, host, secure)
    if len(_keys) >= _MAX_KEYS:
        _keys.clear()
    _keys[memo] = (now, key)
    return key


def _connection_key(
    settings: RequestSettings, certificate: ClientCertificate | None, host: str, secure: bool
) -> ConnectionKey:
    verify = verifies(settings)
    proxy = proxy_key(settings, host)
    ca_text = settings.ca_file.strip()
    ca_file = None
    if verify and ca_text and (secure or is_https(proxy)):
        ca_file = stamp(ca_text, "CA file")
    tls = TlsKey(
        verify,
        ca_file,
        certificate_key(certificate) if certificate is not None else None,
        settings.http2,
    )
    return ConnectionKey(tls, proxy, settings.max_redirects)


@functools.lru_cache(maxsize=64)
def _plain_key(verify: bool, max_redirects: int) -> ConnectionKey:
    return ConnectionKey(TlsKey(verify), SYSTEM, max_redirects)


class HttpClientPool:
    """Warm ``httpx.AsyncClient``s per :class:`ConnectionKey`, lent one send at a time.

    Reuse keeps connections (and their TLS sessions) warm. Each send leases a client
    that no other send is using (:meth:`lease`), so a client's own connection pool
    never holds more than one request: httpcore's pool re-scans and retries when many
    requests share it, which made 20 concurrent sends slower than one after another.
    Clients of one TLS setting share one SSL context (loading the CA bundle takes
    ~30 ms; :class:`~apiclient.protocols.connection_tls.SharedSslContext` says why
    sharing is safe), so a new client is cheap. Per-request things (timeout, auth,
    redirects on/off, trace) are passed on each send, never set on a client. The only
    shared state is the ``cookie_jar`` when one is given (Postman-like session cookies),
    handed to a client each time it is lent, so switching jars (:meth:`set_cookie_jar`)
    needs no new client; without one, or for a send with cookies off, cookies are never
    sent nor stored. Idle clients are kept for the :data:`MAX_CONNECTION_KEYS` most
    recently used keys only.
    """

    def __init__(self, *, cookie_jar: CookieJar | None = None) -> None:
        self._cookie_jar = cookie_jar
        self._ssl_contexts: OrderedDict[TlsKey, asyncio.Future[ssl.SSLContext]] = OrderedDict()
        self._idle: OrderedDict[ConnectionKey, list[httpx.AsyncClient]] = OrderedDict()
        self._leased: set[httpx.AsyncClient] = set()

    def set_cookie_jar(self, jar: CookieJar | None) -> None:
        """Use ``jar`` from the next lease on (None: keep no cookies)."""
        self._cookie_jar = jar

    def jar(self, send_cookies: bool = True) -> CookieJar:
        """The jar a send uses: the pool's, or one that keeps nothing."""
        jar = self._cookie_jar
        return jar if send_cookies and jar is not None else _COOKIELESS_JAR

    @contextlib.asynccontextmanager
    async def lease(
        self, key: ConnectionKey = DEFAULT_CONNECTION, *, send_cookies: bool = True
    ) -> AsyncIterator[httpx.AsyncClient]:
        """A client for ``key``, for this send alone until the block ends; the most
        recently returned one first, so sends one after another share a connection."""
        idle = self._idle_for(key)
        await self._drop_old_keys()
        client = idle.pop() if idle else await self._build(key)
        jar = self.jar(send_cookies)
        if client.cookies.jar is not jar:
            client.cookies = jar
        self._leased.add(client)
        try:
            yield client
        finally:
            self._leased.discard(client)
            if client.is_closed:  # the pool was closed meanwhile
                pass
            elif len(idle) >= MAX_IDLE_CLIENTS or self._idle.get(key) is not idle:
                await client.aclose()  # too many, or its key was dropped meanwhile
            else:
                idle.append(client)

    def _idle_for(self, key: ConnectionKey) -> list[httpx.AsyncClient]:
        """The idle clients of ``key``, which becomes the most recently used key."""
        idle = self._idle.get(key)
        if idle is None:
            idle = self._idle[key] = []
        else:
            self._idle.move_to_end(key)
        return idle

    async def _drop_old_keys(self) -> None:
        """Close the idle clients of the least recently used keys past
        :data:`MAX_CONNECTION_KEYS` (a client lent meanwhile is closed when it is back)."""
        while len(self._idle) > MAX_CONNECTION_KEYS:
            _, clients = self._idle.popitem(last=False)
            for client in clients:
                await client.aclose()

    async def ssl_context(self, key: TlsKey) -> ssl.SSLContext:
        """The SSL context for ``key``, loaded in a worker thread once however many
        sends ask for it at once (each would otherwise load the CA bundle)."""
        load = self._ssl_contexts.get(key)
        if load is None:
            load = asyncio.ensure_future(asyncio.to_thread(ssl_context, key))
            self._ssl_contexts[key] = load
            while len(self._ssl_contexts) > SSL_CONTEXTS_KEPT:
                self._ssl_contexts.popitem(last=False)  # its sends hold it meanwhile
        else:
            self._ssl_contexts.move_to_end(key)
        try:
            return await asyncio.shield(load)  # one send cancelled does not cancel the load
        except BaseException:
            if self._ssl_contexts.get(key) is load and load.done():
                del self._ssl_contexts[key]  # a later send tries again
            raise

    async def client_options(self, key: ConnectionKey) -> dict[str, Any]:
        """The keyword arguments of a new client for ``key``, sync or async alike (the
        runner's threaded engine builds ``httpx.Client``s from them); its cookie jar is
        set when it is lent."""
        proxy_tls = None
        if is_https(key.proxy):  # the proxy's own TLS: same trust, HTTP/1.1, no certificate
            proxy_tls = await self.ssl_context(TlsKey(key.tls.verify, key.tls.ca_file))
        return {
            "verify": await self.ssl_context(key.tls),
            "http2": key.tls.http2,
            "max_redirects": key.max_redirects,
            "cookies": self.jar(),
            "headers": {"User-Agent": USER_AGENT},
            **proxy_options(key.proxy, proxy_tls),
        }

    async def _build(self, key: ConnectionKey) -> httpx.AsyncClient:
        return httpx.AsyncClient(**await self.client_options(key))

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


class ProxyHop(str):
    """The ``host:port`` of a proxy in the path of a failed send; ``tls`` tells that the
    failure came during the TLS handshake with the proxy itself (an https:// proxy),
    not with the server behind it."""

    tls: bool

    def __new__(cls, where: str, *, tls: bool = False) -> ProxyHop:
        hop = super().__new__(cls, where)
        hop.tls = tls
        return hop


class TraceRecorder:
    """Collects httpcore trace events for one send: ``extensions={"trace": recorder}``.

    A new hop (redirect, digest challenge) starts when a connect or a request write begins
    after the current hop already wrote its request. One recorder per send, never shared.
    """

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._hops: list[dict[str, float]] = [{}]
        self.connected_to: str | None = None  # host:port of the last TCP connect begun
        # Who began the last TLS handshake since that connect: "connection" (with the
        # host connected to), "proxy" or "socks" (with the server, through a proxy).
        self._tls_by: str | None = None

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
        if event == "connect_tcp.started":
            self.connected_to = f"{info.get('host')}:{info.get('port')}"
            self._tls_by = None
        elif event == "start_tls.started":
            self._tls_by = name.partition(".")[0]
        if event.endswith(".started"):
            hop.setdefault(event, now)
        else:
            hop[event] = now

    def proxy_in_path(
        self, exc: BaseException, request_url: str, proxy: ProxyKey | None = None
    ) -> ProxyHop | None:
        """The proxy the failing hop connected through: the last TCP connect went
        elsewhere than to the host of the request that failed (compared as httpcore
        connects: an IDN host as punycode). With ``proxy`` (the send's choice), a send
        that goes direct never blames one."""
        tried = self.connected_to
        if tried is None or (proxy is not None and proxy.mode == "none"):
            return None
        target = request_url
        if isinstance(exc, httpx.RequestError):
            with contextlib.suppress(RuntimeError):  # no request attached
                target = str(exc.request.url)
        if tried == _connected_to(target):
            return None
        return ProxyHop(tried, tls=self._tls_by == "connection")

    def closed_after_handshake(self) -> bool:
        """Whether the last hop completed a TLS handshake and got no response headers:
        how a TLS 1.3 server that wants a client certificate (and got none it accepts)
        hangs up, the handshake having already succeeded on this side."""
        hop = self._hops[-1]
        return "start_tls.complete" in hop and "receive_response_headers.complete" not in hop

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


def _connected_to(request_url: str) -> str:
    """``host:port`` as httpcore's trace names the connection to the URL's host."""
    try:
        url = httpx.URL(request_url)
    except httpx.InvalidURL:
        return request_url
    port = url.port or {"https": 443, "wss": 443}.get(url.scheme, 80)
    return f"{url.raw_host.decode('ascii')}:{port}"


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
    connect_timeout_s: float | None = None,
    proxy: str | None = None,
) -> ProtocolError:
    """Turn an httpx/httpcore/ssl/OSError exception into the engine error tree.

    This is the one place that knows library exception types; the message says what
    failed, where, and what to try. ``connect_timeout_s`` is the connect timeout when
    it differs from ``timeout_s``; ``proxy`` the ``host:port`` of the proxy the failing
    hop went through (:meth:`TraceRecorder.proxy_in_path`), so a proxy that cannot be
    reached is not blamed on the server; as a :class:`ProxyHop`, it also tells when the
    TLS handshake that failed was the one with the proxy itself.
    """
    if isinstance(exc, ProtocolError):
        return exc
    proxy_tls = isinstance(proxy, ProxyHop) and proxy.tls
    proxy = str(proxy) if proxy is not None else None  # a plain str in the error
    host, where = _where(request_url)
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout) and connect_timeout_s is not None:
            timeout_s = connect_timeout_s
        if proxy is not None and isinstance(exc, httpx.ConnectTimeout):
            return _map_timeout(exc, f"the proxy {proxy}", timeout_s)
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
        if proxy_tls and proxy is not None:
            return _map_proxy_tls(exc, proxy, where)
        return tls
    if isinstance(exc, httpx.ProxyError):
        return _map_proxy_refusal(exc, proxy, where)
    if isinstance(exc, httpx.ConnectError) or (
        isinstance(exc, OSError) and not isinstance(exc, httpx.HTTPError)
    ):
        if proxy is not None:
            return _map_proxy_connect(exc, proxy, where)
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
    hint = "raise the timeout in the request's Settings tab (or its app default, File > Settings)"
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
            f"The TLS certificate of {host} could not be verified: {reason}. If the server's"
            " certificate comes from a private CA, set that CA file in the request's"
            " Settings; if you trust this server, turn off certificate verification there."
        )
    other = _first(exc, ssl.SSLError)
    if isinstance(other, ssl.SSLError):
        reason = other.reason or str(other)
        if "CERTIFICATE" in reason.upper():  # an alert: certificate required, bad...
            return TlsError(
                f"The server at {where} refused the TLS handshake ({reason}): it wants a"
                " client certificate it accepts. Add one for this host in the collection's"
                " client certificates, or check the one presented."
            )
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


def _map_proxy_refusal(exc: httpx.ProxyError, proxy: str | None, where: str) -> ProxyError:
    """The proxy answered the tunnel request (CONNECT) with an error status."""
    said = str(exc) or type(exc).__name__
    named = f"The proxy {proxy}" if proxy else "The proxy"
    if said.startswith("407"):
        text = (
            f"{named} asks for credentials ({said}) before it connects to {where}: set the"
            " proxy username and password in the request settings."
        )
    else:
        text = (
            f"{named} could not open a tunnel to {where} ({said}). The server may be"
            " unreachable from the proxy; check the address, or the proxy settings."
        )
    return ProxyError(text, proxy=proxy or "")


def _map_proxy_tls(exc: BaseException, proxy: str, where: str) -> ProxyError:
    """The TLS handshake with an https:// proxy failed."""
    failed = _first(exc, ssl.SSLError)
    if isinstance(failed, ssl.SSLCertVerificationError):
        reason = failed.verify_message or failed.reason or str(failed)
    else:
        reason = getattr(failed, "reason", None) or str(failed)
    return ProxyError(
        f"The TLS handshake with the proxy {proxy} failed ({reason}) before reaching"
        f" {where}. Check that the proxy speaks HTTPS (else use an http:// proxy URL), and"
        " the CA file of the request settings (or turn off certificate verification).",
        proxy=proxy,
    )


def _map_proxy_connect(exc: BaseException, proxy: str, where: str) -> ProxyError:
    if _first(exc, socket.gaierror) is not None:
        reason = "its name does not resolve to an address"
    elif _first(exc, ConnectionRefusedError) is not None:
        reason = "connection refused"
    else:
        specific = next(
            (e for e in _causes(exc) if isinstance(e, OSError) and e.errno is not None), None
        )
        reason = _os_reason(specific or exc)
    return ProxyError(
        f"Could not connect to the proxy {proxy} ({reason}) to reach {where}: check the"
        " proxy settings (request settings, or the system's), or choose no proxy.",
        proxy=proxy,
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


# --- timeouts -------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _timeout(connect_s: float, other_s: float) -> httpx.Timeout:
    return httpx.Timeout(connect=connect_s, read=other_s, write=other_s, pool=other_s)


def request_timeout(settings: RequestSettings) -> httpx.Timeout:
    """httpx's per-phase limits of ``settings``: the connect timeout, and the read
    timeout for reading, writing and waiting for a connection."""
    return _timeout(connect_timeout(settings), read_timeout(settings))


def client_certificate_refused(where: str, presented: bool) -> TlsError:
    """A TLS server at ``where`` hung up right after the handshake (see
    :meth:`TraceRecorder.closed_after_handshake`)."""
    if presented:
        advice = (
            "it may not accept the client certificate presented: check that it is the right one"
        )
    else:
        advice = (
            "it probably requires a client certificate. Add one for this host in the"
            " collection's client certificates"
        )
    return TlsError(
        f"The server at {where} closed the connection right after the TLS handshake,"
        f" without answering: {advice}."
    )


def total_timeout_error(request_url: str, total_s: float) -> RequestTimeoutError:
    """The whole exchange with ``request_url`` took longer than ``total_s``."""
    _, where = _where(request_url)
    return RequestTimeoutError(
        f"The exchange with {where} took longer than the total timeout of {total_s:g} s"
        " (connecting, sending and the whole response body, redirects included). Raise"
        " the total timeout in the request settings, or set it to 0 for no limit.",
        phase="total",
        timeout_s=total_s,
    )
