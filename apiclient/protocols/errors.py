"""The errors every protocol engine raises, in one tree.

The UI catches :class:`ProtocolError` at one place and shows ``str(error)`` in the
response panel, so each message is written for a person: what failed, where, and what
to try. Library exceptions (httpx, ssl, OSError...) never escape an engine; they are
mapped onto this tree (see :func:`apiclient.protocols.http.map_httpx_error`). The
names stay protocol-neutral; a failure only one protocol has gets a subclass here too
(SOAP's envelope and WSDL errors), so the tree is complete in one place.

This module imports no library (no zeep, no lxml, not even httpx), so the UI can name
every error class at start-up for free; the engines re-export their own classes
(``apiclient.protocols.soap.EnvelopeError``, ``apiclient.protocols.soap_wsdl.WsdlError``...).

* :class:`ProtocolError`
    * :class:`RequestBuildError`: bad input, caught before any traffic
        * :class:`EnvelopeError`: a SOAP envelope that cannot be sent as typed
        * :class:`DocumentError`: a GraphQL query that does not parse or fit the schema
        * :class:`VariablesError`: GraphQL variables that are not JSON or do not fit
        * :class:`ClientCertificateError`: a client certificate (PEM pair or
          PKCS#12) that cannot be loaded: wrong password, not a certificate
    * :class:`ConnectError`: the connection could not be opened
        * :class:`DnsError`: the host name does not resolve
        * :class:`ProxyError`: the proxy could not be reached, or refused the request
    * :class:`RequestTimeoutError`: a phase (connect, read, write, pool) or the whole
      exchange (total) took too long
    * :class:`TlsError`: TLS handshake or certificate verification failed
    * :class:`ConnectionClosedError`: the server closed the connection mid-exchange
    * :class:`TooManyRedirectsError`: a redirect chain exceeded the limit
    * :class:`HttpProtocolError`: other malformed traffic from the server
    * :class:`WsdlError`: a WSDL (or a document it imports) could not be loaded
        * :class:`WsdlFetchError`: the WSDL itself could not be read
        * :class:`WsdlParseError`: a document was read but is not a usable WSDL 1.1
        * :class:`UnsafeXmlError`: a document declares a DTD or entities
    * :class:`GraphqlError`: a GraphQL failure that is not plain HTTP
        * :class:`SchemaError`: no usable schema (introspection refused, bad SDL file)
        * :class:`SubscriptionError`: a subscription's WebSocket refused, failed or closed
    * :class:`GrpcError`: a gRPC failure that is not plain transport
        * :class:`GrpcDiscoveryError`: no service description (reflection, .proto files)
        * :class:`GrpcStatusError`: a call ended with a status other than OK
    * (:class:`RequestBuildError`) :class:`GrpcMessageError`: message JSON that does not
      fit the method's input type
    * :class:`WebsocketError`: a WebSocket session failure that is not plain transport
        * :class:`WsHandshakeError`: the server answered the upgrade with an HTTP status
        * :class:`WsSubprotocolError`: no agreement on the subprotocol
        * :class:`WsClosedError`: the connection closed abnormally (code, reason, by whom)
        * :class:`WsNotConnectedError`: a send or ping with no open connection
    * (:class:`RequestBuildError`) :class:`WsMessageError`: a message that cannot be sent
      as typed (bad JSON, hex or base64, unreadable file, over the size limit)
    * :class:`WebhookError`: the local webhook receiver could not do what was asked
        * :class:`WebhookBindError`: the receiver cannot listen on that host and port
        * :class:`WebhookStoreError`: the event inbox (SQLite) cannot be opened or written
    * (:class:`RequestBuildError`) :class:`WebhookConfigError`: receiver settings that
      cannot be used as typed (port out of range, bad status, bad header, bad secret)
    * (:class:`RequestBuildError`) :class:`BatchDataError`: CSV or JSON batch rows not usable
    * :class:`BatchResultError`: a batch answer (JSON results, multipart/mixed) of the wrong shape
    * (:class:`RequestBuildError`) :class:`RunOptionsError`: collection runner options out of range

gRPC and WebSocket transport failures use the neutral classes: :class:`ConnectError`
(unreachable), :class:`DnsError`, :class:`TlsError` (handshake or certificate), and
for WebSocket :class:`RequestTimeoutError` (the opening handshake took too long).
Replaying or forwarding a webhook event is plain HTTP and raises the HTTP classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ProtocolError(Exception):
    """Base of every engine error; ``message`` is what the UI shows as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RequestBuildError(ProtocolError):
    """The request cannot be built from what the user entered; nothing was sent."""


class ConnectError(ProtocolError):
    """The connection to the server could not be opened (refused, unreachable...)."""


class DnsError(ConnectError):
    """The host name does not resolve to an address."""


class ProxyError(ConnectError):
    """The proxy in the path could not be reached, asked for credentials (407), or
    could not reach the server itself; ``proxy`` is its ``host:port``."""

    def __init__(self, message: str, *, proxy: str) -> None:
        super().__init__(message)
        self.proxy = proxy


class ClientCertificateError(RequestBuildError):
    """A client certificate cannot be loaded (missing file, not PEM, a key that does
    not belong to it, a PKCS#12 file with a wrong password); ``host`` is the host the
    certificate is for. Nothing was sent."""

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host


class RequestTimeoutError(ProtocolError):
    """A phase of the exchange took longer than the configured limit.

    ``phase`` is one of ``connect``, ``read``, ``write``, ``pool`` or ``total`` (the
    whole exchange, body included); ``timeout_s`` is the limit that was exceeded, so
    the UI can offer to raise it.
    """

    def __init__(self, message: str, *, phase: str, timeout_s: float | None) -> None:
        super().__init__(message)
        self.phase = phase
        self.timeout_s = timeout_s


class TlsError(ProtocolError):
    """The TLS handshake failed, typically because the certificate did not verify."""


class ConnectionClosedError(ProtocolError):
    """The server closed (or reset) the connection before the exchange completed.

    ``received_bytes`` is how much of the body had arrived, when known.
    """

    def __init__(self, message: str, *, received_bytes: int | None = None) -> None:
        super().__init__(message)
        self.received_bytes = received_bytes


class ResponseTooLargeError(ProtocolError):
    """The response body passed the most apiclient keeps of one; reading stopped there."""


class TooManyRedirectsError(ProtocolError):
    """A redirect chain was longer than the request allows."""


class HttpProtocolError(ProtocolError):
    """The server sent something that is not valid HTTP (or undecodable content)."""


class EnvelopeError(RequestBuildError):
    """The SOAP envelope cannot be sent as typed; ``line``/``column`` (1-based) point
    at why, so the editor can put the cursor there."""

    def __init__(self, message: str, *, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class WsdlError(ProtocolError):
    """The WSDL (or one of the documents it imports) could not be loaded."""


class WsdlFetchError(WsdlError):
    """The WSDL itself could not be read: missing file, HTTP error, unreachable, timeout."""


class WsdlParseError(WsdlError):
    """A document was read but is not a usable WSDL 1.1 (or an import of one failed)."""


class UnsafeXmlError(WsdlError):
    """A document declares a DTD or entities; refused before anything was read or expanded."""


class GraphqlError(ProtocolError):
    """A GraphQL failure that is not a plain HTTP one (those keep their own classes)."""


class SchemaError(GraphqlError):
    """No usable schema: introspection failed or is turned off, or the SDL file is
    missing, unreadable or invalid (the message then gives line and column)."""


class SubscriptionError(GraphqlError):
    """A subscription failed: the WebSocket handshake or subprotocol was refused (the
    message names the protocol and suggests the other one), the server sent an error,
    or the connection closed before the subscription completed."""


@dataclass(frozen=True)
class DocumentProblem:
    """One problem in a GraphQL document; ``line``/``column`` are 1-based, so the
    editor can underline it."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class DocumentError(RequestBuildError):
    """The query does not parse, does not validate against the schema, or names no
    operation that can run; nothing was sent.

    ``problems`` holds each located problem (empty when the trouble has no place in
    the text, such as a missing operation name); without a message of its own the
    error reads as the list of problems, one a line.
    """

    def __init__(self, message: str = "", *, problems: tuple[DocumentProblem, ...] = ()) -> None:
        super().__init__(message or "\n".join(str(problem) for problem in problems))
        self.problems = problems


class VariablesError(RequestBuildError):
    """The variables are not a JSON object or do not fit the operation's variable
    definitions; nothing was sent. ``line``/``column`` (1-based) point into the
    variables text when it is not valid JSON, else they are None."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class GrpcError(ProtocolError):
    """A gRPC failure that is not a plain transport one (those keep their own classes)."""


class GrpcDiscoveryError(GrpcError):
    """No usable description of the services: the server has no reflection (the
    message says to load the .proto files), reflection failed or the server could
    not be reached for it, or .proto files do not compile (``file:line:column:
    message`` as protoc puts it) or import a file not found on the import paths."""


class GrpcMessageError(RequestBuildError):
    """The message JSON is not valid JSON or does not fit the method's input type;
    nothing was sent.

    ``field`` is the path of the offending field (``artist.country``, ``tags[2]``),
    "" when the trouble is the text as a whole; ``line``/``column`` (1-based) point
    into the text when it is not valid JSON; ``index`` is the 0-based position of the
    message in a JSON array of messages (client and bidi streams), else None.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        line: int | None = None,
        column: int | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.line = line
        self.column = column
        self.index = index


class GrpcStatusError(GrpcError):
    """A call ended with a status other than OK.

    ``code`` is the status name (``NOT_FOUND``), ``details`` the status message,
    ``rich_details`` the ``(type name, JSON text)`` pairs decoded from
    ``grpc-status-details-bin`` (``google.rpc.BadRequest``...; a type this client
    does not know is a JSON string of its base64 bytes), ``trailers`` the trailing
    metadata as ``(key, text)`` pairs.
    """

    def __init__(
        self,
        code: str,
        details: str,
        *,
        rich_details: tuple[tuple[str, str], ...] = (),
        trailers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        text = f"{code}: {details}" if details else code
        if rich_details:
            names = ", ".join(name.rsplit(".", 1)[-1] for name, _ in rich_details)
            text += f" (details: {names})"
        super().__init__(text)
        self.code = code
        self.details = details
        self.rich_details = rich_details
        self.trailers = trailers


class WebsocketError(ProtocolError):
    """A WebSocket failure that is not a plain transport one (those keep their own classes)."""


class WsHandshakeError(WebsocketError):
    """The server answered the upgrade request with an HTTP status instead of opening a
    WebSocket (refused, not found, not a WebSocket endpoint...).

    ``headers`` are the response's ``(name, value)`` pairs, ``body`` its text (decoded,
    capped by the engine); the message shows the status and the start of the body.
    """

    _SHOWN = 300  # characters of the body quoted in the message

    def __init__(
        self,
        url: str,
        status: int,
        reason: str,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        body: str = "",
        hint: str = "",
    ) -> None:
        said = f"HTTP {status} {reason}".rstrip()
        text = f"The server at {url} refused the WebSocket handshake ({said})."
        shown = " ".join(body.split())
        if shown:
            cut = shown[: self._SHOWN] + ("…" if len(shown) > self._SHOWN else "")
            text += f" It said: {cut}"
        if hint:
            text += f" {hint}"
        super().__init__(text)
        self.url = url
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


class WsSubprotocolError(WebsocketError):
    """The server chose no subprotocol while some were offered, or one that was not.

    ``offered`` lists what the request offered, ``chosen`` what the server answered
    (None when it chose none).
    """

    def __init__(self, message: str, *, offered: tuple[str, ...], chosen: str | None) -> None:
        super().__init__(message)
        self.offered = offered
        self.chosen = chosen


class WsClosedError(WebsocketError):
    """The connection closed abnormally: a close code other than 1000/1001 from the
    server, a limit or protocol failure on this side (1009, 1007, 1002), or a drop with
    no close frame (1006).

    ``by`` is which side sent the first close frame: ``"server"``, ``"client"`` (this
    application, as when an incoming message broke a limit), or ``"network"`` (neither:
    the connection was lost).
    """

    def __init__(self, message: str, *, code: int, reason: str = "", by: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.by = by


class WsNotConnectedError(WebsocketError):
    """A message or ping was sent while no connection is open; nothing was sent."""

    def __init__(self, message: str = "Not connected: press Connect first.") -> None:
        super().__init__(message)


class WsMessageError(RequestBuildError):
    """A message (or close code and reason) that cannot be sent as typed; nothing was
    sent. ``line``/``column`` (1-based) point into the text when the trouble has a place
    (invalid JSON, a character that is not hex or base64), else they are None."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class WebhookError(ProtocolError):
    """The webhook receiver could not do what was asked (start, store, export)."""


class WebhookBindError(WebhookError):
    """The receiver cannot listen on ``host``:``port``: in use, not allowed (a port under
    1024 without privileges), or a host that is not an address of this machine."""

    def __init__(self, message: str, *, host: str, port: int) -> None:
        super().__init__(message)
        self.host = host
        self.port = port


class WebhookStoreError(WebhookError):
    """The event inbox cannot be opened, read or written (``path`` is the SQLite file)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class WebhookConfigError(RequestBuildError):
    """Receiver settings that cannot be used as typed; ``field`` names the setting
    (``"port"``, ``"response.status"``, ``"signature.secret"``...)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class BatchDataError(RequestBuildError):
    """Rows for a batch call cannot be loaded or mapped as typed; nothing was sent.

    ``path`` is the CSV or JSON file (None for rows typed into the table). ``row`` is
    1-based: the CSV row (the header is row 1), the line of a JSON syntax error, or the
    row of the data being mapped; ``column`` is a 1-based position (CSV cell, JSON
    character) or, when mapping, the column's name. ``index`` is the 0-based position
    of the offending item in a JSON array. Each is None when it does not apply.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        row: int | None = None,
        column: int | str | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.row = row
        self.column = column
        self.index = index


class BatchResultError(ProtocolError):
    """A batch answer does not have the expected shape; the message says what was
    expected. ``part`` is the 1-based part of a multipart/mixed answer (the outer part
    for a nested changeset), ``index`` the 0-based item of a JSON ``results`` array;
    None when the trouble is the answer as a whole."""

    def __init__(self, message: str, *, part: int | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.part = part
        self.index = index


class RunOptionsError(RequestBuildError):
    """Collection runner options out of range (iterations, concurrency, delay); nothing
    was run. The message names the option and the allowed range."""
