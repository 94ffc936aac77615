"""Short headlines for errors; the error's own message says the rest."""

from __future__ import annotations

from apiclient.core.errors import CoreError, StoreError, VariableError
from apiclient.protocols.errors import (
    ConnectError,
    ConnectionClosedError,
    DnsError,
    DocumentError,
    EnvelopeError,
    HttpProtocolError,
    RequestBuildError,
    RequestTimeoutError,
    SchemaError,
    SubscriptionError,
    TlsError,
    TooManyRedirectsError,
    VariablesError,
    WebsocketError,
    WsClosedError,
    WsdlError,
    WsHandshakeError,
    WsMessageError,
    WsNotConnectedError,
    WsSubprotocolError,
)

# Most specific first: DnsError is a ConnectError.
_TITLES: tuple[tuple[type[Exception], str], ...] = (
    (DnsError, "Host not found"),
    (ConnectError, "Could not connect"),
    (RequestTimeoutError, "Timed out"),
    (TlsError, "TLS / certificate problem"),
    (ConnectionClosedError, "Connection closed mid-response"),
    (TooManyRedirectsError, "Too many redirects"),
    (HttpProtocolError, "Malformed response"),
    (SubscriptionError, "Subscription failed"),
    (WsHandshakeError, "WebSocket handshake refused"),
    (WsSubprotocolError, "Subprotocol not agreed"),
    (WsClosedError, "Connection closed"),
    (WsNotConnectedError, "Not connected"),
    (WebsocketError, "WebSocket failed"),
    (SchemaError, "Schema not loaded"),
    (WsdlError, "WSDL not loaded"),
    (DocumentError, "Request not sent: the query is not valid"),
    (VariablesError, "Request not sent: the variables are not valid"),
    (EnvelopeError, "Request not sent: the envelope is not valid"),
    (WsMessageError, "Message not sent: it is not valid"),
    (RequestBuildError, "Request not sent: it is not valid"),
    (VariableError, "Request not sent: a variable is missing"),
    (StoreError, "Could not read or write a file"),
    (CoreError, "Request not sent"),
)


def error_title(exc: Exception) -> str:
    return next((title for kind, title in _TITLES if isinstance(exc, kind)), "Failed")
