"""The REST engine: send one resolved :class:`RestRequest`, get a :class:`RestResponse`.

Building is a separate step (:func:`build_request_parts`) that checks everything the
user typed and reads body files before any traffic, so bad input fails with a
:class:`RequestBuildError` naming the problem. Every library error on the way out goes
through :func:`apiclient.protocols.http.map_httpx_error`.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import functools
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import Message
from http.cookiejar import Cookie, CookieJar
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import Request as UrllibRequest

import httpx

from apiclient.core.body_spool import BodyFile
from apiclient.core.connection_defaults import effective_settings
from apiclient.core.http_parts import (
    auth_part,
    default_content_type,
    enabled_rows,
    keeps_header_with_multipart,
    query_pairs,
    urlencoded_body,
)
from apiclient.core.models import (
    Auth,
    Body,
    ClientCertificate,
    FormField,
    RequestSettings,
    RestRequest,
)
from apiclient.protocols.auth_sign import added_headers, request_auth
from apiclient.protocols.body_errors import PartialBodyError
from apiclient.protocols.connection_redirects import next_hop
from apiclient.protocols.connection_tls import choose_certificate
from apiclient.protocols.errors import ConnectionClosedError, ProtocolError, RequestBuildError
from apiclient.protocols.http import (
    ConnectionKey,
    HttpClientPool,
    Timings,
    TraceRecorder,
    append_query,
    client_certificate_refused,
    connection_key,
    decode_header_value,
    encode_header,
    map_httpx_error,
    normalize_url,
    request_timeout,
    total_timeout_error,
    utf8,
    validate_method,
)
from apiclient.protocols.rest_receive import (
    BodyStopped,
    Progress,
    Receiver,
    SpoolPolicy,
    stopped_message,
)

_TEXT_MIMES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-www-form-urlencoded",
        "application/graphql",
        "application/yaml",
        "application/x-yaml",
        "application/x-ndjson",
        "application/soap+xml",
        "image/svg+xml",
    }
)
_BINARY_MIMES = frozenset(
    {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-tar",
        "application/x-protobuf",
        "application/protobuf",
        "application/grpc",
        "application/wasm",
        "application/msgpack",
    }
)
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_SNIFF_BYTES = 8192

FileTuple = tuple[str | None, bytes, str | None]
# A body read from the GUI thread's loop pauses for other work after each megabyte.
_YIELD_EVERY_BYTES = 1 << 20
# --- the result -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCookie:
    """A cookie as set by a response; ``expires`` is ISO 8601 UTC, None for a session one."""

    name: str
    value: str
    domain: str
    path: str
    expires: str | None
    secure: bool
    http_only: bool


@dataclass(frozen=True)
class RestResponse:
    """Everything the response panel shows; plain data, safe to hand to any thread."""

    method: str  # as sent on the final hop (a 303 turns POST into GET)
    url: str  # final URL after redirects
    status_code: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]  # as received, repeats kept
    cookies: tuple[ResponseCookie, ...]  # set by this response, over all hops
    body: bytes  # decoded from gzip/br/deflate
    wire_size: int  # body bytes on the wire (compressed)
    headers_size: int
    elapsed_s: float  # from send() called to body read, building included
    timings: Timings
    redirects: tuple[tuple[int, str], ...]  # (status, url) of each redirect response followed
    request_headers: tuple[tuple[str, str], ...]  # what was sent on the final hop
    # A large body is in this file instead, and ``body`` holds only its first HEAD_BYTES.
    body_file: BodyFile | None = None

    @property
    def body_size(self) -> int:
        """The size of the whole body (decoded), in memory or in its file."""
        return self.body_file.size if self.body_file is not None else len(self.body)

    @property
    def complete(self) -> bool:
        """False for a spooled body that stopped early (see :class:`PartialBodyError`)."""
        return self.body_file is None or self.body_file.complete

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def content_type(self) -> str:
        """The media type alone, lower case (``application/json``), or ``""``."""
        return (self.header("content-type") or "").partition(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in (self.header("content-type") or "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'").lower() or None
        return None

    @property
    def is_binary(self) -> bool:
        """Whether to show the body as bytes rather than text.

        Decided by the content type when it is clear (images, octet-stream / JSON, text),
        else by sniffing the start of the body for NUL bytes or text that will not decode.
        """
        mime = self.content_type
        sample = self.body[:_SNIFF_BYTES]
        if mime in _BINARY_MIMES or (mime.startswith(_BINARY_PREFIXES) and mime not in _TEXT_MIMES):
            return True
        if b"\x00" in sample:
            return True
        if mime.startswith("text/") or mime in _TEXT_MIMES or mime.endswith(("+json", "+xml")):
            return False
        decoder = codecs.getincrementaldecoder(self._codec())()
        try:
            decoder.decode(sample, final=self.body_size <= _SNIFF_BYTES)
        except UnicodeDecodeError:
            return True
        return False

    def text(self) -> str:
        """The body as text, in the declared charset (else UTF-8), bad bytes replaced
        (only its start for a spooled body)."""
        return self.body.decode(self._codec(), errors="replace")

    def _codec(self) -> str:
        charset = self.charset
        if charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
        return "utf-8"


# --- building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestParts:
    """A request checked and ready for httpx; building it sends nothing."""

    method: str
    url: str
    headers: tuple[tuple[bytes, bytes], ...]
    content: bytes | None
    files: tuple[tuple[str, FileTuple], ...]  # multipart rows in order (text rows too)
    auth: httpx.Auth | None
    # The headers (lower case) the auth adds: never sent on to another origin.
    auth_headers: tuple[str, ...] = ()
    # The auth authenticates the connection itself (NTLM): it serves no other send.
    binds_connection: bool = False


def _has_header(headers: list[tuple[bytes, bytes]], name: str) -> bool:
    wanted = name.lower().encode("ascii")
    return any(key.lower() == wanted for key, _ in headers)


def _set_header(headers: list[tuple[bytes, bytes]], name: str, value: str) -> None:
    """Set a header chosen in the Auth tab, replacing one the user typed with that name."""
    encoded = encode_header(name, value)
    wanted = encoded[0].lower()
    headers[:] = [(k, v) for k, v in headers if k.lower() != wanted]
    headers.append(encoded)


def _read_file(path_text: str, what: str) -> bytes:
    """Read a body file, with a message naming ``what`` (the field or body) and the path."""
    if not path_text.strip():
        raise RequestBuildError(f"{what} has no file chosen. Choose a file or remove it.")
    path = Path(path_text).expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RequestBuildError(f"{what}: the file {str(path)!r} does not exist.") from None
    except IsADirectoryError:
        raise RequestBuildError(f"{what}: {str(path)!r} is a folder, not a file.") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RequestBuildError(f"{what}: cannot read {str(path)!r} ({reason}).") from None


def _read_multipart(rows: list[FormField]) -> list[tuple[str, FileTuple]]:
    fields: list[tuple[str, FileTuple]] = []
    for row in rows:
        content_type = row.content_type.strip() or None
        if row.type == "file":
            data = _read_file(row.value, f"Form field '{row.name}'")
            filename = Path(row.value).name
            fields.append((row.name, (filename, data, content_type)))
        else:
            value = utf8(row.value, f"Form field '{row.name}'")
            fields.append((row.name, (None, value, content_type)))
    return fields


def _auth_parts(
    auth: Auth, headers: list[tuple[bytes, bytes]], query: list[tuple[str, str | None]]
) -> tuple[httpx.Auth | None, tuple[str, ...]]:
    """Apply the Auth tab: header/query auth goes into ``headers``/``query`` in place;
    the kinds that sign or answer a challenge come back as the ``httpx.Auth`` that does
    it at send time, on the final request. Also the names (lower case) of the headers
    the auth adds either way."""
    if auth.kind == "apikey" and not auth.key_name.strip():
        raise RequestBuildError("API key auth needs a key name (Auth tab).")
    send_time = request_auth(auth)
    names = added_headers(send_time)
    part = auth_part(auth)
    if part is not None and part.where == "query":
        query.append((part.name, part.value))
    elif part is not None:
        _set_header(headers, part.name, part.value)
        names = (*names, part.name.lower())
    return send_time, names


async def _body_parts(
    body: Body, headers: list[tuple[bytes, bytes]]
) -> tuple[bytes | None, list[tuple[str, FileTuple]]]:
    """Encode the body, setting the default Content-Type only when the user set none."""
    default = default_content_type(body)
    if default and not _has_header(headers, "Content-Type"):
        headers.append(encode_header("Content-Type", default))
    if body.mode == "raw":
        return utf8(body.raw, "The body"), []
    if body.mode == "urlencoded":
        return urlencoded_body(body.urlencoded).encode("ascii"), []
    if body.mode == "multipart":
        rows = enabled_rows(body.multipart)
        fields = await asyncio.to_thread(_read_multipart, rows)
        # httpx sets multipart/form-data with its boundary, like Postman.
        headers[:] = [
            (k, v)
            for k, v in headers
            if keeps_header_with_multipart(k.decode("ascii"), v.decode("utf-8"))
        ]
        return None, fields
    if body.mode == "binary":
        data = await asyncio.to_thread(_read_file, body.binary_path, "The binary body")
        return data, []
    return None, []


async def build_request_parts(request: RestRequest) -> RequestParts:
    """Check the request and read its files; raises RequestBuildError before any traffic."""
    method = validate_method(request.method)
    url = normalize_url(request.url)
    headers = [encode_header(row.name.strip(), row.value) for row in enabled_rows(request.headers)]
    query = query_pairs(request.params)
    auth, auth_headers = _auth_parts(request.auth, headers, query)
    url = append_query(url, query)
    content, files = await _body_parts(request.body, headers)
    return RequestParts(
        method,
        url,
        tuple(headers),
        content,
        tuple(files),
        auth,
        auth_headers,
        binds_connection=request.auth.kind == "ntlm",
    )


# --- cookies ----------------------------------------------------------------------------


class _SetCookieSource:
    """The response shape http.cookiejar reads: ``info().get_all("Set-Cookie", [])``."""

    def __init__(self, response: httpx.Response) -> None:
        self._message = Message()
        for key, value in response.headers.multi_items():
            self._message[key] = value

    def info(self) -> _SetCookieSource:
        return self

    def get_all(self, name: str, default: list[str]) -> list[str]:
        return self._message.get_all(name, default)


def _to_response_cookie(cookie: Cookie, host: str | None = None) -> ResponseCookie:
    expires = (
        datetime.fromtimestamp(cookie.expires, UTC).isoformat()
        if cookie.expires is not None
        else None
    )
    domain = cookie.domain if cookie.domain_specified or host is None else host
    return ResponseCookie(
        name=cookie.name,
        value=cookie.value or "",
        domain=domain,
        path=cookie.path,
        expires=expires,
        secure=cookie.secure,
        http_only=cookie.has_nonstandard_attr("HttpOnly")
        or cookie.has_nonstandard_attr("httponly"),
    )


def _cookies_set_by(jar: CookieJar, response: httpx.Response) -> list[ResponseCookie]:
    if "set-cookie" not in response.headers:
        return []
    url = str(response.request.url)
    made = jar.make_cookies(_SetCookieSource(response), UrllibRequest(url))  # type: ignore[arg-type]
    return [_to_response_cookie(c, response.request.url.host) for c in made]


# --- the engine -------------------------------------------------------------------------


def _decode_headers(raw: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), decode_header_value(v)) for k, v in raw)


@functools.lru_cache(maxsize=1024)
def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, lower-case host, port) of a checked URL; remembered, as a run sends the
    same URLs over and over."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def map_send_error(
    exc: BaseException,
    url: str,
    settings: RequestSettings,
    recorder: TraceRecorder,
    key: ConnectionKey | None = None,
) -> ProtocolError:
    """:func:`map_httpx_error` with what this send knows: its limits, its proxy, and
    whether a TLS server hung up on it right after the handshake."""
    error = map_httpx_error(
        exc,
        url,
        settings.timeout_s,
        max_redirects=settings.max_redirects,
        connect_timeout_s=settings.connect_timeout_s,
        proxy=recorder.proxy_in_path(exc, url, key.proxy if key is not None else None),
    )
    if (
        isinstance(error, ConnectionClosedError)
        and error.received_bytes is None
        and recorder.closed_after_handshake()
    ):
        presented = key is not None and key.tls.certificate is not None
        return client_certificate_refused(httpx.URL(url).netloc.decode("ascii"), presented)
    return error


class RestEngine:
    """Sends REST requests; keeps warm connections and a session cookie jar.

    Like Postman, cookies set by any response are stored in the engine's jar and sent
    with later requests to matching hosts, until :meth:`clear_cookies`; the jar is a
    private one unless one is given (``cookie_jar``, :meth:`set_cookie_jar`: the
    environment's, kept across restarts by its owner). With a :class:`SpoolPolicy`, a
    large body goes to a file as it arrives (:attr:`RestResponse.body_file`); without
    one every body is read into memory. :meth:`set_client_certificates` names the
    certificates presented to HTTPS hosts.
    """

    def __init__(
        self, *, spool: SpoolPolicy | None = None, cookie_jar: CookieJar | None = None
    ) -> None:
        self._jar = cookie_jar if cookie_jar is not None else CookieJar()
        self._pool = HttpClientPool(cookie_jar=self._jar)
        self._spool = spool
        self._certificates: tuple[ClientCertificate, ...] = ()
        self._chosen: dict[tuple[str, int], ClientCertificate | None] = {}

    @property
    def cookies(self) -> tuple[ResponseCookie, ...]:
        """A snapshot of the cookie jar."""
        return tuple(_to_response_cookie(cookie) for cookie in self._jar)

    @property
    def cookie_jar(self) -> CookieJar:
        return self._jar

    def set_cookie_jar(self, jar: CookieJar | None) -> None:
        """Send and store cookies with ``jar`` from the next send on (None: a new
        private session jar). Warm connections are kept: a client takes the engine's
        jar each time it is lent."""
        self._jar = jar if jar is not None else CookieJar()
        self._pool.set_cookie_jar(self._jar)

    def clear_cookies(self) -> None:
        self._jar.clear()

    def set_client_certificates(self, certificates: list[ClientCertificate]) -> None:
        """The client certificates (variables resolved) to present: to each HTTPS
        host, the enabled one whose host matches (name or ``*.domain``, optional port)."""
        self._certificates = tuple(certificates)
        self._chosen.clear()

    def connection_key(self, url: str, settings: RequestSettings) -> ConnectionKey:
        """The key of the clients that may send to ``url`` with ``settings``; checks the
        connection settings (RequestBuildError) before any traffic."""
        scheme, host, port = _origin(url)
        certificate = None
        if self._certificates and scheme == "https":
            where = (host, port or 443)
            if where not in self._chosen:
                self._chosen[where] = choose_certificate(self._certificates, *where)
            certificate = self._chosen[where]
        return connection_key(settings, certificate, host, secure=scheme == "https")

    async def send(self, request: RestRequest, *, progress: Progress | None = None) -> RestResponse:
        """Send a resolved request and read the whole response.

        ``progress`` is told how much of the body has arrived, chunk by chunk. Raises a
        :class:`~apiclient.protocols.errors.ProtocolError` subclass on failure, a
        :class:`PartialBodyError` (holding what arrived) when a spooled body stops
        early; cancelling the awaiting task aborts the exchange, frees the connection
        and deletes a spooled file. A total timeout in the settings bounds the whole
        exchange, body included.
        """
        started = time.perf_counter()
        parts = await build_request_parts(request)
        settings = effective_settings(request.settings)  # resolved: already concrete
        key = self.connection_key(parts.url, settings)
        recorder = TraceRecorder()
        total_s = settings.total_timeout_s or None
        deadline = asyncio.timeout(total_s)
        try:
            async with deadline:
                response, body, body_file = await self._exchange(
                    parts, settings, key, recorder, progress
                )
        except BodyStopped as stop:
            partial = self._response(
                parts, stop.response, stop.head, recorder, started, time.perf_counter()
            )
            partial = replace(partial, body_file=stop.body_file)
            cause = stop.cause
            mapped = (
                map_send_error(cause, parts.url, settings, recorder, key)
                if isinstance(cause, httpx.HTTPError)
                else None
            )
            message = stopped_message(stop, parts.url, settings.timeout_s)
            raise PartialBodyError(message, response=partial, cause=mapped) from cause
        except TimeoutError as exc:
            if total_s is not None and deadline.expired():
                raise total_timeout_error(parts.url, total_s) from None
            raise map_send_error(exc, parts.url, settings, recorder, key) from exc
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise map_send_error(exc, parts.url, settings, recorder, key) from exc
        finished = time.perf_counter()
        result = self._response(parts, response, body, recorder, started, finished)
        return replace(result, body_file=body_file) if body_file is not None else result

    async def _exchange(
        self,
        parts: RequestParts,
        settings: RequestSettings,
        key: ConnectionKey,
        recorder: TraceRecorder,
        progress: Progress | None = None,
    ) -> tuple[httpx.Response, bytes, BodyFile | None]:
        """Send ``parts`` and read the body; httpx's exceptions pass through, and a
        spooled body that stops early raises :class:`BodyStopped`."""
        made: BodyFile | None = None
        try:
            async with (
                self._pool.lease(key, send_cookies=settings.send_cookies) as client,
                contextlib.AsyncExitStack() as hops,
            ):
                try:
                    http_request = client.build_request(
                        parts.method,
                        parts.url,
                        headers=list(parts.headers),
                        content=parts.content,
                        files=list(parts.files) or None,
                        timeout=request_timeout(settings),
                        extensions={"trace": recorder},
                    )
                    response = await self._send(client, key, http_request, parts, settings, hops)
                    try:
                        body, made = await self._read_body(response, parts.url, progress)
                    finally:
                        await response.aclose()
                finally:
                    if parts.binds_connection:
                        await client.aclose()  # not lent again: see RequestParts
        except BodyStopped:
            raise
        except BaseException as exc:
            # Cancelled while the response or the connection was being closed: the file
            # made (whole, or partial as a BodyStopped said) is nobody's any more.
            stopped = exc.__context__
            if isinstance(stopped, BodyStopped):
                stopped.body_file.remove()
            if made is not None:
                made.remove()
            raise
        return response, body, made

    async def _send(
        self,
        client: httpx.AsyncClient,
        key: ConnectionKey,
        request: httpx.Request,
        parts: RequestParts,
        settings: RequestSettings,
        hops: contextlib.AsyncExitStack,
    ) -> httpx.Response:
        """Send ``request`` (streamed) with ``client``, then follow its redirects hop by
        hop when the settings say so (:mod:`.connection_redirects`): a hop to another
        origin goes without the auth's headers, through a client leased (into ``hops``)
        for that origin's connection key."""
        response = await client.send(request, stream=True, auth=parts.auth, follow_redirects=False)
        if not settings.follow_redirects or response.next_request is None:
            return response
        clients = {key: client}
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
                await response.aread()
                history.append(response)
                hop_key = self.connection_key(str(following.url), settings)
                if hop_key not in clients:
                    lease = self._pool.lease(hop_key, send_cookies=settings.send_cookies)
                    clients[hop_key] = await hops.enter_async_context(lease)
                # The auth flow ran on the first hop only, never for another origin.
                response = await clients[hop_key].send(
                    following, stream=True, follow_redirects=False
                )
        except BaseException:
            await response.aclose()
            raise
        response.history = history
        return response

    async def _read_body(
        self, response: httpx.Response, url: str, progress: Progress | None
    ) -> tuple[bytes, BodyFile | None]:
        """The body of ``response``: in memory, or its start and the file it was spooled
        to. Whatever way this fails but :class:`BodyStopped` (cancelled even while the
        file is flushed, a ProtocolError, a failing ``progress``), the file goes."""
        # Appended as they arrive: one b"".join of a 50 MB body at the end held the GUI
        # thread for 0.3-0.6 s (fresh pages faulted in under the GIL).
        receiver = Receiver(self._spool, url, response)
        kept = False  # whether the spooled file, if any, is handed on
        try:
            try:
                async for chunk in response.aiter_bytes():
                    receiver.add(chunk)
                    if progress is not None:
                        progress(receiver.received, receiver.expected)
                    if receiver.received % _YIELD_EVERY_BYTES < len(chunk):
                        # Data that is already there is read without a pause; let the
                        # window breathe between megabytes (a 50 MB body took 0.1 s).
                        await receiver.pause()
                await receiver.flush()
            except (httpx.HTTPError, OSError) as exc:
                if not receiver.spooling:
                    raise
                stop = await receiver.stopped(exc, response)
                kept = True
                raise stop from exc
            result = receiver.finish()
            kept = True
            return result
        finally:
            if not kept:
                receiver.discard()

    def _response(
        self,
        parts: RequestParts,
        response: httpx.Response,
        body: bytes,
        recorder: TraceRecorder,
        started: float,
        finished: float,
    ) -> RestResponse:
        hops = [*response.history, response]
        raw_headers = response.headers.raw
        status_line = f"{response.http_version} {response.status_code} {response.reason_phrase}"
        headers_size = len(status_line) + 2 + sum(len(k) + len(v) + 4 for k, v in raw_headers) + 2
        return RestResponse(
            method=response.request.method,
            url=str(response.url),
            status_code=response.status_code,
            reason=response.reason_phrase,
            http_version=response.http_version,
            headers=_decode_headers(raw_headers),
            cookies=tuple(c for hop in hops for c in _cookies_set_by(self._jar, hop)),
            body=body,
            wire_size=response.num_bytes_downloaded,
            headers_size=headers_size,
            elapsed_s=finished - started,
            timings=recorder.timings(finished),
            redirects=tuple((r.status_code, str(r.url)) for r in response.history if r.is_redirect),
            request_headers=_decode_headers(response.request.headers.raw),
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
