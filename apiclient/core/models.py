"""The data a user builds and saves: requests, folders, collections, environments.

Every model is a pydantic model so it validates what it loads from disk and owns its
own conversions. Field order here is the key order on disk, so keep it stable; fields
left at their defaults are not written (see ``apiclient.core.store``), which keeps the
files short and their diffs small.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

STANDARD_METHODS: tuple[str, ...] = (
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "TRACE",
    "CONNECT",
)


class _Model(BaseModel):
    """Base for stored models: unknown keys are an error, so typos in a file show up.

    Validators are built on a model's first use, not at import (``defer_build``): building
    them all cost ~0.1 s of start-up, before the window could show."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class Variable(_Model):
    """A named value. A secret one is never written into a shared file."""

    name: str
    value: str = ""
    enabled: bool = True
    secret: bool = False


class KeyValue(_Model):
    """One row of a params, headers or form table; disabled rows are kept but not sent.

    ``bare`` marks a query row typed without ``=`` (``?flag``), so the URL text the user
    typed comes back exactly (``?flag`` and ``?flag=`` are different URLs).
    """

    name: str = ""
    value: str = ""
    enabled: bool = True
    description: str = ""
    bare: bool = False


class FormField(KeyValue):
    """A multipart form row: ``value`` is text, or a file path when ``type`` is file."""

    type: Literal["text", "file"] = "text"
    content_type: str = ""


RawLanguage = Literal["json", "xml", "html", "text", "javascript"]
BodyMode = Literal["none", "raw", "urlencoded", "multipart", "binary"]


class Body(_Model):
    mode: BodyMode = "none"
    raw: str = ""
    language: RawLanguage = "json"
    urlencoded: list[KeyValue] = Field(default_factory=list)
    multipart: list[FormField] = Field(default_factory=list)
    binary_path: str = ""


AuthKind = Literal[
    "inherit",
    "none",
    "basic",
    "bearer",
    "apikey",
    "digest",
    "oauth2",
    "oauth1",
    "awsv4",
    "hawk",
    "ntlm",
]
AUTH_KINDS: tuple[str, ...] = AuthKind.__args__  # type: ignore[attr-defined]
OAuth2Grant = Literal["client_credentials", "password", "authorization_code"]
OAUTH2_DEFAULT_REDIRECT = "http://127.0.0.1:8791/callback"


class Auth(_Model):
    """How a request proves who sends it. One flat record for every kind, so switching
    kinds loses nothing; each kind reads only its own fields (``apiclient.core.auth_fields``
    says which). ``inherit`` takes the auth of the nearest folder, else of the
    collection, that sets one; ``inherit`` on the collection is none.

    The default is ``none``, so a file written before inheritance existed (no ``auth``
    key: no auth) keeps its meaning; new requests and folders are made with ``inherit``
    (:func:`inherit_auth`), as Postman does, and their files say ``kind: inherit``.

    Field use by kind: basic, digest, ntlm: ``username``/``password`` (ntlm also
    ``domain``); bearer: ``token``/``token_prefix``; apikey: ``key_*``; oauth2: the
    ``client_*``, ``*_url``, ``scope``, ``grant_type`` (``username``/``password`` for the
    password grant) and ``token_prefix``; the token itself is never stored here but in
    the token cache, per environment. oauth1 (HMAC-SHA1): ``consumer_*``, ``token``
    (the access token), ``token_secret``, ``realm``; awsv4: ``access_key``,
    ``secret_key``, ``session_token``, ``region``, ``service``; hawk: ``hawk_id``,
    ``hawk_key``, ``hawk_algorithm``, ``hawk_ext``.
    """

    kind: AuthKind = "none"
    username: str = ""
    password: str = ""
    domain: str = ""
    token: str = ""
    token_prefix: str = "Bearer"
    key_name: str = ""
    key_value: str = ""
    key_in: Literal["header", "query"] = "header"
    grant_type: OAuth2Grant = "client_credentials"
    token_url: str = ""
    auth_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scope: str = ""
    redirect_uri: str = OAUTH2_DEFAULT_REDIRECT
    pkce: bool = True
    client_auth: Literal["header", "body"] = "header"
    consumer_key: str = ""
    consumer_secret: str = ""
    token_secret: str = ""
    realm: str = ""
    access_key: str = ""
    secret_key: str = ""
    session_token: str = ""
    region: str = "us-east-1"
    service: str = ""
    hawk_id: str = ""
    hawk_key: str = ""
    hawk_algorithm: Literal["sha256", "sha1"] = "sha256"
    hawk_ext: str = ""


def inherit_auth() -> Auth:
    """A new request's or folder's auth: whatever its folders or collection set."""
    return Auth(kind="inherit")


ProxyMode = Literal["default", "system", "none", "custom"]


class RequestSettings(_Model):
    """How an HTTP request travels: timeouts, redirects, TLS, HTTP/2, proxy, cookies.

    ``timeout_s`` is the read (and write) timeout, ``connect_timeout_s`` the connect
    one, ``total_timeout_s`` the whole exchange's (0: no total limit). ``keep_method``
    re-sends the same method and body on a 301/302 (a 303 always becomes GET).
    ``ca_file`` is a PEM bundle trusted instead of the system's. ``proxy`` ``system``
    uses the environment's (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) and the OS's
    settings; ``custom`` uses ``proxy_url`` (http://, https://, socks5://) with the
    optional ``proxy_username``/``proxy_password``, except for the hosts of ``no_proxy``
    (comma-separated; ``.example.com`` or ``*.example.com`` for a domain and its
    subdomains). ``send_cookies`` off sends no cookie from the jar and stores none.

    ``timeout_s``, ``connect_timeout_s`` and ``verify_tls`` left at ``None``, and
    ``proxy`` at ``default``, follow the app's defaults (File > Settings; the built-in
    ones in a headless run): see ``core.connection_defaults``. Resolving a request fills
    them, so an engine is handed concrete values. The proxy's URL, user, password and
    no-proxy list are kept as typed while ``proxy`` is ``default`` (switching back to
    ``custom`` loses nothing); a ``default`` that means the app's custom proxy uses the
    app's URL and no-proxy list with this request's user and password.
    """

    timeout_s: float | None = Field(default=None, gt=0)
    connect_timeout_s: float | None = Field(default=None, gt=0)
    total_timeout_s: float = Field(default=0.0, ge=0)
    follow_redirects: bool = True
    max_redirects: int = Field(default=20, ge=0)
    keep_method: bool = False
    verify_tls: bool | None = None
    ca_file: str = ""
    http2: bool = False
    proxy: ProxyMode = "default"
    proxy_url: str = ""
    proxy_username: str = ""
    proxy_password: str = ""
    no_proxy: str = ""
    send_cookies: bool = True


class ClientCertificate(_Model):
    """A client certificate the collection presents to one host, as Postman's settings
    do: ``host`` is a name (``api.example.com``, ``*.example.com``) with an optional
    ``:port``; either ``cert_file`` and ``key_file`` (PEM) or ``pfx_file`` (PKCS#12).
    ``passphrase`` unlocks the key or the PKCS#12 file; like every secret it is kept in
    the secret store, not in the collection file."""

    host: str
    cert_file: str = ""
    key_file: str = ""
    pfx_file: str = ""
    passphrase: str = ""
    enabled: bool = True


CheckSource = Literal["status", "header", "jsonpath", "xpath", "body", "time_ms"]
CheckOp = Literal[
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "matches",
    "exists",
    "not_exists",
    "less_than",
    "greater_than",
]


class Check(_Model):
    """One assertion on a response, run by the collection runner.

    ``expression`` is a header name, a JSONPath (RFC 9535, ``$.data.items[0].id``) or an
    XPath; status, body and time_ms take none. ``expected`` may hold ``{{variables}}``
    (resolved when run); it is a regular expression for ``matches`` and a number for
    ``less_than``/``greater_than``. ``apiclient.protocols.checks`` evaluates it.
    """

    source: CheckSource = "status"
    expression: str = ""
    op: CheckOp = "equals"
    expected: str = ""
    enabled: bool = True


CaptureSource = Literal["jsonpath", "xpath", "header", "status", "body", "regex"]


class Capture(_Model):
    """Takes a value from a response into a variable for the requests after it (a login
    token...). For ``regex``, ``expression`` is a pattern searched in the body text whose
    first group (or whole match, without groups) is taken."""

    variable: str
    source: CaptureSource = "jsonpath"
    expression: str = ""
    enabled: bool = True


class RestRequest(_Model):
    """An HTTP request as the user wrote it, ``{{variables}}`` and all.

    ``url`` holds everything before ``?``; the query lives in ``params`` so disabled
    rows survive. ``apiclient.core.urls`` joins and splits the two for the URL field.
    """

    kind: Literal["rest"] = "rest"
    name: str = "New request"
    description: str = ""
    method: str = "GET"
    url: str = ""
    params: list[KeyValue] = Field(default_factory=list)
    headers: list[KeyValue] = Field(default_factory=list)
    body: Body = Field(default_factory=Body)
    auth: Auth = Field(default_factory=Auth)
    settings: RequestSettings = Field(default_factory=RequestSettings)
    variables: list[Variable] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    captures: list[Capture] = Field(default_factory=list)


BatchStyle = Literal["json", "multipart"]


class BatchPart(_Model):
    """One sub-request of a ``multipart/mixed`` batch (OData, Google style); ``path`` is
    relative to the batch URL's host (``/api/v1/contacts/1``)."""

    method: str = "GET"
    path: str = ""
    headers: list[KeyValue] = Field(default_factory=list)
    body: str = ""
    enabled: bool = True


class BatchRequest(_Model):
    """A batch call: one HTTP request carrying many operations.

    ``json`` style sends ``{"operation": ..., items_key: [rows...], "options": {...}}``
    built from ``rows`` (cells under ``columns``) or, when ``data_file`` is set, from
    that CSV or JSON file read at send time. ``mapping`` rows (enabled ones) map a source
    column (``name``) to a JSON field and type (``value``, ``"age:int"``); with none,
    every column is sent under its own name. ``options_json`` is a JSON object, or empty
    for none. ``multipart`` style sends ``parts`` as one ``multipart/mixed`` body.
    """

    kind: Literal["batch"] = "batch"
    name: str = "New batch call"
    description: str = ""
    style: BatchStyle = "json"
    method: str = "POST"
    url: str = ""
    headers: list[KeyValue] = Field(default_factory=list)
    auth: Auth = Field(default_factory=Auth)
    settings: RequestSettings = Field(default_factory=RequestSettings)
    operation: str = "create"
    items_key: str = "contacts"
    options_json: str = ""
    columns: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    data_file: str = ""
    mapping: list[KeyValue] = Field(default_factory=list)
    parts: list[BatchPart] = Field(default_factory=list)
    variables: list[Variable] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    captures: list[Capture] = Field(default_factory=list)


SoapVersion = Literal["1.1", "1.2"]
WsSecurityMode = Literal["none", "text", "digest"]


class WsSecurity(_Model):
    """A WS-Security UsernameToken added to the envelope's header when sent.

    ``text`` sends the password as typed; ``digest`` sends Base64(SHA-1(nonce + created +
    password)) with a fresh nonce and timestamp, so the password never crosses the wire.
    """

    mode: WsSecurityMode = "none"
    username: str = ""
    password: str = ""


class SoapRequest(_Model):
    """A SOAP call as the user wrote it: where its WSDL is, which operation, the envelope.

    ``endpoint``, ``soap_version`` and ``soap_action`` are copied from the WSDL when an
    operation is chosen and may be edited after, so a saved request sends without the
    WSDL; ``service``/``port``/``operation`` bring the same operation back when the WSDL
    is loaded again.
    """

    kind: Literal["soap"] = "soap"
    name: str = "New SOAP request"
    description: str = ""
    wsdl: str = ""
    service: str = ""
    port: str = ""
    operation: str = ""
    endpoint: str = ""
    soap_version: SoapVersion = "1.1"
    soap_action: str = ""
    headers: list[KeyValue] = Field(default_factory=list)
    envelope: str = ""
    auth: Auth = Field(default_factory=Auth)
    wsse: WsSecurity = Field(default_factory=WsSecurity)
    settings: RequestSettings = Field(default_factory=RequestSettings)
    validate_response: bool = False
    variables: list[Variable] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    captures: list[Capture] = Field(default_factory=list)


GraphqlMethod = Literal["POST", "GET"]


class GraphqlRequest(_Model):
    """A GraphQL operation as the user wrote it: endpoint, document, variables (JSON text).

    ``operation_name`` picks the operation to run when the document holds several.
    ``schema_file`` is an SDL file to use when the server has introspection turned off.
    ``subscription_url`` is the WebSocket endpoint for subscriptions (empty: derived from
    ``url``, http -> ws).
    """

    kind: Literal["graphql"] = "graphql"
    name: str = "New GraphQL request"
    description: str = ""
    url: str = ""
    method: GraphqlMethod = "POST"
    query: str = ""
    variables_json: str = ""
    operation_name: str = ""
    headers: list[KeyValue] = Field(default_factory=list)
    auth: Auth = Field(default_factory=Auth)
    settings: RequestSettings = Field(default_factory=RequestSettings)
    schema_file: str = ""
    subscription_url: str = ""
    variables: list[Variable] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    captures: list[Capture] = Field(default_factory=list)


GrpcSecurity = Literal["plaintext", "tls"]


class ClientTls(_Model):
    """TLS options of a client connection (gRPC channel, wss:// socket). ``verify`` off is
    an explicit, visible choice."""

    ca_file: str = ""
    client_cert_file: str = ""
    client_key_file: str = ""
    verify: bool = True
    server_name: str = ""  # overrides the name checked in the certificate


class GrpcRequest(_Model):
    """A gRPC call: where (``target`` host:port), which method (``/pkg.Service/Method``),
    and the request message as JSON (a JSON array of messages for client streams).

    ``proto_files``/``import_paths`` describe the service when the server has no
    reflection; empty means reflection.
    """

    kind: Literal["grpc"] = "grpc"
    name: str = "New gRPC request"
    description: str = ""
    target: str = ""
    security: GrpcSecurity = "plaintext"
    tls: ClientTls = Field(default_factory=ClientTls)
    method: str = ""
    message: str = ""
    metadata: list[KeyValue] = Field(default_factory=list)
    auth: Auth = Field(default_factory=Auth)  # bearer, API key and OAuth 2.0 as metadata
    deadline_s: float = Field(default=30.0, gt=0)
    proto_files: list[str] = Field(default_factory=list)
    import_paths: list[str] = Field(default_factory=list)
    variables: list[Variable] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    captures: list[Capture] = Field(default_factory=list)


WsMessageFormat = Literal["text", "json", "hex", "base64", "file"]
WS_MESSAGE_FORMATS: tuple[str, ...] = ("text", "json", "hex", "base64", "file")


class WsMessage(_Model):
    """A WebSocket message as written: text or JSON is sent as a text frame; ``hex``,
    ``base64`` and ``file`` (``body`` is a path) are sent as one binary frame."""

    name: str = ""
    format: WsMessageFormat = "text"
    body: str = ""


WsExpectMatch = Literal["contains", "equals", "matches", "jsonpath"]


class WsStep(_Model):
    """One line of a scripted WebSocket exchange, run by the collection runner.

    ``send`` sends ``body`` in ``format`` (as a saved message). ``expect`` waits up to
    ``timeout_s`` for an incoming text message that matches; messages that do not match
    are passed over. It matches when the message ``contains``/``equals`` ``body``, when
    the regular expression ``body`` ``matches`` it, or, for ``jsonpath``, when the value
    at the JSONPath ``expression`` of the JSON message equals ``body`` (any value, when
    ``body`` is empty). ``body`` may hold ``{{variables}}``.
    """

    action: Literal["send", "expect"] = "send"
    format: WsMessageFormat = "text"
    body: str = ""
    match: WsExpectMatch = "contains"
    expression: str = ""
    timeout_s: float = Field(default=5.0, gt=0, le=300)


class WebsocketRequest(_Model):
    """A WebSocket session: where to connect and how, the message being written, and the
    saved messages sent with one click.

    ``max_message_bytes`` caps a message either way: a larger incoming one closes the
    connection (1009), a larger outgoing one is refused before sending.
    ``ping_interval_s`` 0 turns keepalive pings off.
    """

    kind: Literal["websocket"] = "websocket"
    name: str = "New WebSocket request"
    description: str = ""
    url: str = ""
    headers: list[KeyValue] = Field(default_factory=list)
    subprotocols: list[str] = Field(default_factory=list)
    auth: Auth = Field(default_factory=Auth)
    tls: ClientTls = Field(default_factory=ClientTls)
    connect_timeout_s: float = Field(default=10.0, gt=0)
    max_message_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    ping_interval_s: float = Field(default=20.0, ge=0)
    auto_reconnect: bool = False
    message_format: WsMessageFormat = "text"
    message: str = ""
    messages: list[WsMessage] = Field(default_factory=list)
    script: list[WsStep] = Field(default_factory=list)
    variables: list[Variable] = Field(default_factory=list)


WebhookScheme = Literal["none", "github", "stripe", "standard", "hmac"]
WEBHOOK_SCHEMES: tuple[str, ...] = ("none", "github", "stripe", "standard", "hmac")
WEBHOOK_PORT = 8790


class WebhookSignature(_Model):
    """How the receiver checks who sent an event. ``secret`` is never written into the
    collection file in clear text: the store keeps it in the secret store, unless it is
    only ``{{variable}}`` references. ``header``, ``algorithm``, ``prefix`` and
    ``encoding`` belong to the generic ``hmac`` scheme; ``tolerance_s`` to the schemes
    that sign a timestamp (Stripe, Standard Webhooks)."""

    scheme: WebhookScheme = "none"
    secret: str = ""
    header: str = "X-Signature"
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    prefix: str = ""
    encoding: Literal["hex", "base64"] = "hex"
    tolerance_s: int = Field(default=300, ge=0)


class WebhookResponse(_Model):
    """What the receiver answers to every request it captures."""

    status: int = Field(default=200, ge=200, le=599)  # a 1xx cannot end an HTTP exchange
    headers: list[KeyValue] = Field(default_factory=list)
    body: str = ""
    delay_s: float = Field(default=0.0, ge=0, le=300)


class WebhookRequest(_Model):
    """A webhook receiver set up to be started again: where it listens, what it answers,
    how it verifies signatures, where it forwards and replays events.

    ``host`` other than a loopback address exposes the receiver to the network; the tab
    warns. ``forward`` sends every new event on to ``forward_url``.
    """

    kind: Literal["webhook"] = "webhook"
    name: str = "New webhook receiver"
    description: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=WEBHOOK_PORT, ge=0, le=65535)
    response: WebhookResponse = Field(default_factory=WebhookResponse)
    signature: WebhookSignature = Field(default_factory=WebhookSignature)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    forward: bool = False
    forward_url: str = ""
    replay_url: str = ""
    variables: list[Variable] = Field(default_factory=list)


AnyRequest: TypeAlias = (
    RestRequest
    | BatchRequest
    | SoapRequest
    | GraphqlRequest
    | GrpcRequest
    | WebsocketRequest
    | WebhookRequest
)
Request = Annotated[AnyRequest, Field(discriminator="kind")]


class Folder(_Model):
    """A folder of requests and sub-folders, in the order the user arranged them; its
    ``auth`` is what the requests inside inherit (``inherit``: the parent's)."""

    name: str
    description: str = ""
    auth: Auth = Field(default_factory=inherit_auth)
    items: list[Folder | Request] = Field(default_factory=list)


class Environment(_Model):
    name: str
    variables: list[Variable] = Field(default_factory=list)


class PinnedResponse(_Model):
    """A response the user fixed for one operation of a contract mock, to stage a
    scenario: ``status`` (an HTTP status, or a gRPC status code name for .proto mocks;
    None keeps the contract's), ``body`` (empty: the generated one), ``delay_s`` first."""

    status: int | str | None = None
    body: str = ""
    delay_s: float = Field(default=0.0, ge=0)


class ContractMockSettings(_Model):
    """A mock served from a contract file (OpenAPI, WSDL, GraphQL SDL, .proto) that the
    collection keeps: ``file`` is relative to the collection folder when inside it (with
    ``/``), else absolute; ``port`` 0 lets the system pick; ``pins`` by operation name."""

    file: str
    seed: int = 0
    port: int = Field(default=0, ge=0, le=65535)
    pins: dict[str, PinnedResponse] = Field(default_factory=dict)


class Collection(_Model):
    """A whole collection: its variables, the auth its requests inherit, the client
    certificates it presents per host, environments, contract mocks (files absolute when
    taken from a collection folder) and requests."""

    name: str
    description: str = ""
    variables: list[Variable] = Field(default_factory=list)
    auth: Auth = Field(default_factory=Auth)
    client_certificates: list[ClientCertificate] = Field(default_factory=list)
    contract_mocks: list[ContractMockSettings] = Field(default_factory=list)
    environments: list[Environment] = Field(default_factory=list)
    items: list[Folder | Request] = Field(default_factory=list)
