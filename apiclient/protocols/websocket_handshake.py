"""The opening handshake of a WebSocket session: what it sends (checked before any
traffic) and what a failure to open means for a person.

Headers and auth are built by the REST engine's own code (through
:func:`apiclient.protocols.upgrade.upgrade_parts`, shared with GraphQL subscriptions),
so a WebSocket request sends them exactly as a REST request with the same settings
would; TLS comes from :mod:`apiclient.protocols.tls`, as for gRPC.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.datastructures import Headers
from websockets.exceptions import (
    InvalidHandshake,
    InvalidMessage,
    InvalidProxy,
    InvalidStatus,
    InvalidURI,
    NegotiationError,
    ProxyError,
)
from websockets.http11 import Response
from websockets.uri import parse_uri

from apiclient.core.http_parts import auth_part
from apiclient.core.models import Auth, WebsocketRequest
from apiclient.protocols.auth_sign import check_handshake_auth
from apiclient.protocols.errors import (
    ConnectError,
    ProtocolError,
    RequestBuildError,
    RequestTimeoutError,
    TlsError,
    WebsocketError,
    WsHandshakeError,
    WsSubprotocolError,
)
from apiclient.protocols.http import decode_header_value, map_httpx_error, normalize_url
from apiclient.protocols.tls import client_ssl_context
from apiclient.protocols.upgrade import upgrade_parts

__all__ = [
    "HandshakeTarget",
    "OriginBoundConnect",
    "credential_headers",
    "handshake_target",
    "open_failure",
    "subprotocol_missing",
]

BODY_CAP = 64 * 1024  # characters of a refusal's body kept for the UI

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")
_SCHEME_TYPO_RE = re.compile(r"(wss?|https?):(?!//)", re.IGNORECASE)  # ws:/x, wss:host
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Headers the handshake sets itself; a typed copy would make the request invalid.
_HANDSHAKE_HEADERS = {
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
}


@dataclass(frozen=True)
class HandshakeTarget:
    """A request checked and ready to connect; building it sends nothing."""

    url: str  # what is connected to, an API key in the query included
    shown_url: str  # for status lines and messages: without the API key
    headers: tuple[tuple[str, str], ...]
    subprotocols: tuple[str, ...]
    ssl: ssl.SSLContext | None  # wss:// only
    server_hostname: str | None  # the name checked in the certificate, when overridden
    # The headers (lower case) that carry the auth: never sent to another origin.
    credential_headers: tuple[str, ...] = ()


async def handshake_target(request: WebsocketRequest) -> HandshakeTarget:
    """Check the request and build what the handshake sends; raises
    :class:`RequestBuildError` (URL, header, subprotocol, auth, TLS file) before any
    traffic. The TLS context is built in a worker: it reads files."""
    url = _websocket_url(request.url)
    check_handshake_auth(request.auth, "WebSocket handshakes")
    for row in request.headers:
        name = row.name.strip()
        if row.enabled and name.lower() in _HANDSHAKE_HEADERS:
            raise RequestBuildError(
                f"The header '{name}' is set by the WebSocket handshake itself; remove it."
            )
        if row.enabled and name.lower() == "sec-websocket-protocol":
            raise RequestBuildError(
                "Offer subprotocols in the request's subprotocol list, not as a"
                " Sec-WebSocket-Protocol header; remove the header."
            )
    subprotocols = _subprotocols(request.subprotocols)
    socket_url, headers = await upgrade_parts(url, request.headers, request.auth)
    secure = url.startswith("wss://")
    context = await asyncio.to_thread(client_ssl_context, request.tls) if secure else None
    server_name = request.tls.server_name.strip() if secure else ""
    return HandshakeTarget(
        url=socket_url,
        shown_url=url,
        headers=headers,
        subprotocols=subprotocols,
        ssl=context,
        server_hostname=server_name or None,
        credential_headers=credential_headers(request.auth),
    )


def credential_headers(auth: Auth) -> tuple[str, ...]:
    """The headers (lower case) an upgrade request's ``auth`` goes in: Authorization for
    Basic, Bearer and OAuth 2.0, the key's own header for an API key; none for a key in
    the query (the redirect's address has its own query)."""
    if auth.kind == "basic":
        return ("authorization",)
    part = auth_part(auth)
    return (part.name.lower(),) if part is not None and part.where == "header" else ()


def _origin(uri: str) -> tuple[bool, str, int]:
    parsed = parse_uri(uri)
    return parsed.secure, parsed.host.lower(), parsed.port


class OriginBoundConnect(connect):
    """websockets' ``connect`` that refuses to follow a redirect to another origin
    (scheme, host, port) while the handshake carries credentials.

    websockets drops only Authorization, Cookie and Proxy-Authorization on such a hop;
    an API key header would go on. Rather than open a socket the user did not ask for
    without the auth it needs, the handshake stops with a :class:`WebsocketError`
    naming the address to use. ``credential_headers`` (lower case) are the headers that
    count (:attr:`HandshakeTarget.credential_headers`); without any, redirects are
    followed as websockets does."""

    def __init__(
        self, uri: str, *, credential_headers: tuple[str, ...] = (), **kwargs: object
    ) -> None:
        super().__init__(uri, **kwargs)  # type: ignore[arg-type]
        self._credential_headers = frozenset(credential_headers)

    def process_redirect(self, exc: Exception) -> Exception | str:
        before = self.uri
        carried = self._carries_credentials()
        result = super().process_redirect(exc)
        if isinstance(result, str) and carried and _origin(result) != _origin(before):
            return WebsocketError(
                f"The server redirected the WebSocket handshake to another host {result};"
                " apiclient does not send your credentials there. Use that address"
                " directly."
            )
        return result

    def _carries_credentials(self) -> bool:
        if not self._credential_headers or self.additional_headers is None:
            return False
        sent = Headers(self.additional_headers)
        return any(name.lower() in self._credential_headers for name in sent)


def _websocket_url(text: str) -> str:
    """The URL normalized (see :func:`normalize_url`); ``ws://`` is assumed when no
    scheme is typed, like ``http://`` for REST."""
    url = text.strip()
    example = "ws://127.0.0.1:8000/echo"
    if not url:
        raise RequestBuildError(f"The URL is empty. Enter a WebSocket address such as {example}.")
    match = _SCHEME_RE.match(url)
    if match is None:
        typo = _SCHEME_TYPO_RE.match(url)
        if typo is not None:
            raise RequestBuildError(
                f"The URL {url!r} lacks '//' after '{typo.group(1)}:'. Write it as in {example}."
            )
        if "://" in url:
            raise RequestBuildError(
                f"The URL {url!r} has a malformed scheme before '://'. Start it with ws://"
                f" (or wss:// for TLS), as in {example}."
            )
        url = f"ws://{url}"
    else:
        scheme = match.group(1).lower()
        if scheme in ("http", "https"):
            rest = url[match.end() :]
            secure = "wss" if scheme == "https" else "ws"
            raise RequestBuildError(
                f"The URL {url!r} starts with {scheme}://, but a WebSocket address starts"
                f" with ws:// (or wss:// for TLS): write {secure}://{rest}."
            )
        if scheme not in ("ws", "wss"):
            raise RequestBuildError(
                f"The URL {url!r} uses the scheme '{scheme}', which is not WebSocket: start"
                f" it with ws:// (or wss:// for TLS), as in {example}."
            )
    return normalize_url(url, schemes=("ws", "wss"))


def _subprotocols(names: list[str]) -> tuple[str, ...]:
    offered: list[str] = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if not _TOKEN_RE.fullmatch(name):
            raise RequestBuildError(
                f"The subprotocol {name!r} is not valid: use letters, digits or"
                " !#$%&'*+-.^_`|~, with no spaces or commas."
            )
        if name not in offered:
            offered.append(name)
    return tuple(offered)


# --- failures ---------------------------------------------------------------------------


def open_failure(
    exc: Exception,
    target: HandshakeTarget,
    timeout_s: float,
    connection: ClientConnection | None,
) -> ProtocolError:
    """The error for a connection that did not open: ``exc`` is what ``connect`` raised,
    ``connection`` the last one it made (for the handshake's answer), when it got that
    far."""
    url = target.shown_url
    if isinstance(exc, ProtocolError):
        return exc
    response = connection.response if connection is not None else None
    if isinstance(exc, InvalidStatus):
        return _refused(exc.response, url)
    chosen = response.headers.get("Sec-WebSocket-Protocol") if response is not None else None
    if isinstance(exc, NegotiationError) and chosen and chosen not in target.subprotocols:
        return WsSubprotocolError(
            _subprotocol_text(url, target.subprotocols, chosen),
            offered=target.subprotocols,
            chosen=chosen,
        )
    if isinstance(exc, TimeoutError):
        return RequestTimeoutError(
            f"Opening the WebSocket to {url} timed out after {timeout_s:g} s (connect"
            " timeout): the server accepted no connection or did not answer the handshake."
            " It may be down or slow; if it is only slow, raise the connect timeout in the"
            " request settings.",
            phase="connect",
            timeout_s=timeout_s,
        )
    if isinstance(exc, InvalidURI):
        return RequestBuildError(f"The URL {url!r} is not a valid WebSocket address: {exc}.")
    if isinstance(exc, InvalidMessage):
        if target.ssl is not None:
            # TLS 1.3 servers refuse a missing client certificate only after the handshake.
            hint = (
                "If it asks for a client certificate, set one in the TLS settings; else"
                " check the URL and port."
            )
        else:
            hint = "Check the port; if the server expects TLS, use wss://."
        return WebsocketError(
            f"The server at {url} did not answer the WebSocket handshake with HTTP (it"
            f" closed the connection or sent something else). {hint}"
        )
    if isinstance(exc, InvalidProxy | ProxyError):
        return ConnectError(
            f"The proxy refused to connect to {url}: {exc}. Check the proxy settings"
            " (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)."
        )
    if isinstance(exc, InvalidHandshake):
        return WebsocketError(
            f"The server at {url} did not open a WebSocket ({exc}). Check that the URL is"
            " a WebSocket endpoint."
        )
    tls = _tls_failure(exc, url)
    if tls is not None:
        return tls
    if target.ssl is not None and isinstance(exc, ConnectionResetError | ConnectionAbortedError):
        return TlsError(
            f"The TLS handshake with {_host_port(url)} failed: the server closed the"
            " connection. It may not speak TLS on this port: check the port, or use ws://."
        )
    if isinstance(exc, OSError):
        return map_httpx_error(exc, url, timeout_s)
    return WebsocketError(f"Opening the WebSocket to {url} failed: {exc or type(exc).__name__}.")


def subprotocol_missing(target: HandshakeTarget) -> WsSubprotocolError:
    """The server opened the socket with no subprotocol while some were offered."""
    return WsSubprotocolError(
        _subprotocol_text(target.shown_url, target.subprotocols, None),
        offered=target.subprotocols,
        chosen=None,
    )


def _subprotocol_text(url: str, offered: tuple[str, ...], chosen: str | None) -> str:
    asked = ", ".join(offered)
    if chosen is None:
        return (
            f"The server at {url} accepted the WebSocket but none of the subprotocols"
            f" offered ({asked}). Offer one it supports, or none."
        )
    if not offered:
        return (
            f"The server at {url} chose the subprotocol {chosen!r}, but none was offered."
            f" Add {chosen} to the request's subprotocols."
        )
    return (
        f"The server at {url} chose the subprotocol {chosen!r}, which was not offered"
        f" ({asked}). Add {chosen} to the request's subprotocols."
    )


def _refused(response: Response, url: str) -> WsHandshakeError:
    status = response.status_code
    body = bytes(response.body or b"")[: BODY_CAP * 4].decode("utf-8", errors="replace")
    headers = tuple(
        (name, decode_header_value(value.encode("latin-1")))  # websockets read Latin-1
        for name, value in response.headers.raw_items()
    )
    if status in (401, 403):
        hint = "Check the Auth tab and the headers."
    elif status == 404:
        hint = "There is no WebSocket endpoint at this path: check the URL."
    elif 200 <= status < 300:
        hint = "This is a plain HTTP endpoint, not a WebSocket one: check the URL."
    elif 300 <= status < 400:
        hint = "It redirects somewhere the client cannot follow: check the URL."
    elif status >= 500:
        hint = "The server failed; try again later."
    else:
        hint = "Check the URL, the headers and the subprotocols offered."
    return WsHandshakeError(
        url,
        status,
        response.reason_phrase,
        headers=headers,
        body=body[:BODY_CAP],
        hint=hint,
    )


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    host = parts.hostname or url
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _tls_failure(exc: BaseException, url: str) -> TlsError | None:
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    where = _host_port(url)
    if isinstance(cause, ssl.SSLCertVerificationError):
        reason = (cause.verify_message or cause.reason or str(cause)).rstrip(".")
        if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
            hint = (
                "Set the TLS server name to a name the certificate holds, or turn"
                " certificate verification off if you trust this server."
            )
        else:
            hint = (
                "Set the CA file that signed it in the TLS settings, or turn certificate"
                " verification off if you trust this server."
            )
        return TlsError(f"The TLS certificate of {where} could not be verified: {reason}. {hint}")
    if isinstance(cause, ssl.SSLError):
        reason = cause.reason or str(cause)
        hint = "Check that the server speaks TLS on this port, or use ws://."
        if "CERTIFICATE_REQUIRED" in reason.upper():
            hint = "The server may want a client certificate: set one in the TLS settings."
        return TlsError(f"The TLS handshake with {where} failed ({reason}). {hint}")
    return None
