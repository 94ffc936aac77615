"""Postman-style ``{{name}}`` variables: scopes, dynamic values and resolution.

Everything here is a pure function of its arguments: resolving returns new text or a new
request and never changes a scope, a request or any module state. The only values that
differ between two calls are the dynamic ones (``{{$uuid}}``, ``{{$timestamp}}``...),
which are fresh for every occurrence by design.
"""

from __future__ import annotations

import difflib
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TypeVar

from apiclient.core.auth_fields import AUTH_TEXT_FIELDS
from apiclient.core.connection_defaults import BUILTIN, ConnectionDefaults, effective_settings
from apiclient.core.errors import (
    UndefinedVariableError,
    UnknownVariable,
    VariableCycleError,
    VariableError,
    VariableExpansionError,
)
from apiclient.core.models import (
    Auth,
    BatchPart,
    BatchRequest,
    Body,
    ClientCertificate,
    ClientTls,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RequestSettings,
    RestRequest,
    SoapRequest,
    Variable,
    WebhookRequest,
    WebsocketRequest,
    WsMessage,
    WsSecurity,
)

# "data" (a runner data-file row) and "captured" (values taken from earlier responses in a
# run) exist only while the collection runner runs.
LAYERS: tuple[str, ...] = ("global", "collection", "environment", "data", "captured", "request")
"""Scope layers from weakest to strongest: a later layer's value wins."""

_Row = TypeVar("_Row", bound=KeyValue)

# A name is anything but braces, without leading or trailing whitespace: "{{ a b }}" is "a b".
VARIABLE_PATTERN = re.compile(r"\{\{\s*([^{}\s](?:[^{}]*[^{}\s])?)\s*\}\}")


def _iso_timestamp() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _new_uuid() -> str:
    return str(uuid.uuid4())


DYNAMIC_VALUES: Mapping[str, Callable[[], str]] = MappingProxyType(
    {
        "$guid": _new_uuid,
        "$uuid": _new_uuid,
        "$randomUUID": _new_uuid,
        "$timestamp": lambda: str(int(time.time())),
        "$isoTimestamp": _iso_timestamp,
        "$randomInt": lambda: str(random.randint(0, 1000)),
    }
)
"""Names starting with ``$`` are reserved for these generators; each call is a fresh value."""


@dataclass(frozen=True)
class VariableRef:
    """One ``{{name}}`` in a text: ``text[start:end]`` is the whole reference, braces included."""

    name: str
    start: int
    end: int


def find_variables(text: str) -> list[VariableRef]:
    """Every ``{{name}}`` in ``text``, in order; the editors use the spans to highlight them."""
    return [VariableRef(m.group(1), m.start(), m.end()) for m in VARIABLE_PATTERN.finditer(text)]


@dataclass(frozen=True)
class Scope:
    """The variables visible to a request, layered global < collection < environment < request,
    and what a request's "App default" connection settings stand for.

    Only enabled variables count. Build one with ``Scope.layered``; it is immutable, so a
    scope can be shared between requests and threads. ``connection`` is the window's
    preferences in the app and the built-in defaults in a headless run.
    """

    layers: tuple[tuple[str, Mapping[str, str]], ...] = field(default=())
    connection: ConnectionDefaults = BUILTIN

    @classmethod
    def layered(
        cls,
        *,
        globals: Iterable[Variable] = (),  # the layer's name in the UI
        collection: Iterable[Variable] = (),
        environment: Iterable[Variable] = (),
        request: Iterable[Variable] = (),
        connection: ConnectionDefaults = BUILTIN,
    ) -> Scope:
        """A scope from the variables of each layer (disabled ones are left out)."""
        given = {
            "global": globals,
            "collection": collection,
            "environment": environment,
            "request": request,
        }
        layers = tuple((name, _enabled(given[name])) for name in LAYERS if name in given)
        return cls(layers, connection)

    def with_layer(self, layer: str, variables: Iterable[Variable]) -> Scope:
        """A new scope where ``layer`` holds ``variables`` (replacing what it held)."""
        if layer not in LAYERS:
            raise ValueError(f"unknown scope layer {layer!r}; expected one of {LAYERS}")
        rest = {name: values for name, values in self.layers if name != layer}
        rest[layer] = _enabled(variables)
        return replace(self, layers=tuple((name, rest[name]) for name in LAYERS if name in rest))

    def with_connection_defaults(self, connection: ConnectionDefaults) -> Scope:
        """A new scope whose requests' "App default" settings mean ``connection``."""
        return replace(self, connection=connection)

    def lookup(self, name: str) -> str | None:
        """The raw (unresolved) value of ``name`` from the strongest layer that defines it."""
        for _, values in reversed(self.layers):
            if name in values:
                return values[name]
        return None

    def origin(self, name: str) -> str | None:
        """Which layer the value of ``name`` comes from, for tooltips ("environment"...)."""
        for layer, values in reversed(self.layers):
            if name in values:
                return layer
        return None

    def names(self) -> list[str]:
        """Every defined name once, sorted, for completion and suggestions."""
        return sorted({name for _, values in self.layers for name in values})


def _enabled(variables: Iterable[Variable]) -> Mapping[str, str]:
    return MappingProxyType({v.name: v.value for v in variables if v.enabled})


def _is_defined(name: str, scope: Scope) -> bool:
    if name.startswith("$"):
        return name in DYNAMIC_VALUES
    return scope.lookup(name) is not None


def undefined_names(text: str, scope: Scope) -> list[str]:
    """Names used directly in ``text`` that nothing defines, each once; never raises.

    Names hidden inside other variables' values are checked when resolving.
    """
    refs = (ref.name for ref in find_variables(text))
    return list(dict.fromkeys(name for name in refs if not _is_defined(name, scope)))


def _suggest(name: str, scope: Scope) -> str | None:
    candidates = list(DYNAMIC_VALUES) if name.startswith("$") else scope.names()
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


# Limits that only a mistake or a hostile shared collection reaches: without them a chain
# of a few hundred values overflows Python's stack, and thirty values that each use the
# next twice take hours to expand (2**30 substitutions).
MAX_DEPTH = 50
MAX_SUBSTITUTIONS = 100_000
MAX_EXPANDED_CHARS = 64 * 1024 * 1024


class _Resolver:
    """Resolves many texts against one scope, collecting every unknown name on the way."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.unknown: list[UnknownVariable] = []
        self._substitutions = 0
        self._chars = 0

    def text(self, text: str, where: str) -> str:
        self._substitutions = 0  # the limits hold for each text, however many a request has
        self._chars = 0
        return self._expand(text, where, ())

    def _expand(self, text: str, where: str, chain: tuple[str, ...]) -> str:
        if "{{" not in text:
            return text
        return VARIABLE_PATTERN.sub(
            lambda m: self._value(m.group(1), m.group(0), where, chain), text
        )

    def _value(self, name: str, original: str, where: str, chain: tuple[str, ...]) -> str:
        if name.startswith("$") and name in DYNAMIC_VALUES:
            return DYNAMIC_VALUES[name]()
        if name in chain:
            raise VariableCycleError((*chain[chain.index(name) :], name), where)
        raw = None if name.startswith("$") else self.scope.lookup(name)
        if raw is None:
            unknown = UnknownVariable(name, where, _suggest(name, self.scope))
            if unknown not in self.unknown:
                self.unknown.append(unknown)
            return original
        if len(chain) >= MAX_DEPTH:
            raise VariableExpansionError(
                chain[0], where, f"goes through more than {MAX_DEPTH} other variables"
            )
        value = self._expand(raw, where, (*chain, name))
        self._substitutions += 1
        self._chars += len(value)
        if self._substitutions > MAX_SUBSTITUTIONS or self._chars > MAX_EXPANDED_CHARS:
            raise VariableExpansionError(
                chain[0] if chain else name,
                where,
                "uses other variables so many times over that the text grows without end"
                f" (more than {MAX_SUBSTITUTIONS:,} substitutions or"
                f" {MAX_EXPANDED_CHARS // (1024 * 1024)} MB)",
            )
        return value

    def check(self) -> None:
        if self.unknown:
            raise UndefinedVariableError(self.unknown)


def resolve_text(text: str, scope: Scope, where: str) -> str:
    """``text`` with every ``{{name}}`` replaced, recursively.

    Raises ``UndefinedVariableError`` naming all unknown names at once (with ``where``,
    e.g. "URL" or "header 'X-Key'") and ``VariableCycleError`` for self-references.
    """
    resolver = _Resolver(scope)
    result = resolver.text(text, where)
    resolver.check()
    return result


def resolve_request(request: RestRequest, scope: Scope) -> RestRequest:
    """A new request with every string that will be sent resolved.

    The request's own ``variables`` are its scope layer: pass a scope *without* them and
    they are put on top here, so one collection/environment scope serves every request.
    Only what is sent is resolved: enabled rows, the fields of the active body mode and of
    the active auth kind. Disabled rows stay as typed and never cause an error. All unknown
    names across the request are reported together in one ``UndefinedVariableError``.

    The copy is shallow: the fields not resolved (checks, captures, variables, and the
    settings when nothing in them is filled or resolved) are the request's own objects,
    shared, and no caller mutates a resolved request (a deep copy was a tenth of a runner
    step's CPU). The settings' "App default" fields are filled from ``scope.connection``.
    """
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    resolved = request.model_copy(
        update={
            "url": text(request.url, "URL"),
            "params": _rows(resolver, request.params, "query parameter"),
            "headers": _rows(resolver, request.headers, "header"),
            "body": _body(resolver, request.body),
            "auth": _auth(resolver, request.auth),
            "settings": _settings(resolver, request.settings),
        },
    )
    resolver.check()
    return resolved


def resolve_batch_request(request: BatchRequest, scope: Scope) -> BatchRequest:
    """A new batch call with what will be sent resolved: URL, enabled headers, the active
    auth fields, the options JSON, the data file path, every cell of the rows table and,
    for each enabled part, its path, enabled headers and body (as :func:`resolve_request`
    does for REST, unknown names reported together). Column names and the mapping are
    left as typed: they name data, not values to send."""
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    rows = [
        [text(cell, f"row {number}, column {_column_name(request.columns, index)}")
         for index, cell in enumerate(row)]
        for number, row in enumerate(request.rows, start=1)
    ]  # fmt: skip
    resolved = request.model_copy(
        update={
            "url": text(request.url, "URL"),
            "headers": _rows(resolver, request.headers, "header"),
            "auth": _auth(resolver, request.auth),
            "settings": _settings(resolver, request.settings),
            "options_json": text(request.options_json, "options"),
            "data_file": text(request.data_file, "data file"),
            "rows": rows,
            "parts": [
                _batch_part(resolver, part, number)
                for number, part in enumerate(request.parts, start=1)
            ],
        },
        deep=True,
    )
    resolver.check()
    return resolved


def _column_name(columns: list[str], index: int) -> str:
    return f"'{columns[index]}'" if index < len(columns) else str(index + 1)


def _batch_part(resolver: _Resolver, part: BatchPart, number: int) -> BatchPart:
    if not part.enabled:
        return part
    where = f"part {number}"
    return part.model_copy(
        update={
            "path": resolver.text(part.path, f"{where} path"),
            "headers": _rows(resolver, part.headers, f"{where} header"),
            "body": resolver.text(part.body, f"{where} body"),
        }
    )


def resolve_soap_request(request: SoapRequest, scope: Scope) -> SoapRequest:
    """A new SOAP request with what will be sent resolved: endpoint, SOAPAction, enabled
    headers, the envelope, and the active auth and WS-Security fields (as
    :func:`resolve_request` does for REST, unknown names reported together)."""
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    resolved = request.model_copy(
        update={
            "endpoint": text(request.endpoint, "endpoint"),
            "soap_action": text(request.soap_action, "SOAP action"),
            "headers": _rows(resolver, request.headers, "header"),
            "envelope": text(request.envelope, "envelope"),
            "auth": _auth(resolver, request.auth),
            "wsse": _wsse(resolver, request.wsse),
            "settings": _settings(resolver, request.settings),
        },
        deep=True,
    )
    resolver.check()
    return resolved


def resolve_graphql_request(request: GraphqlRequest, scope: Scope) -> GraphqlRequest:
    """A new GraphQL request with what will be sent resolved: URLs, enabled headers, the
    variables JSON (``{{name}}`` inside it), the active auth fields and the schema file
    path. The query itself is left as typed: ``$variables`` are GraphQL's own."""
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    resolved = request.model_copy(
        update={
            "url": text(request.url, "URL"),
            "subscription_url": text(request.subscription_url, "subscription URL"),
            "headers": _rows(resolver, request.headers, "header"),
            "variables_json": text(request.variables_json, "variables"),
            "auth": _auth(resolver, request.auth),
            "settings": _settings(resolver, request.settings),
            "schema_file": text(request.schema_file, "schema file"),
        },
        deep=True,
    )
    resolver.check()
    return resolved


def resolve_grpc_request(request: GrpcRequest, scope: Scope) -> GrpcRequest:
    """A new gRPC request with what will be sent resolved: target, enabled metadata, the
    message JSON, and the TLS file paths and server name."""
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    resolved = request.model_copy(
        update={
            "target": text(request.target, "target"),
            "metadata": _rows(resolver, request.metadata, "metadata"),
            "message": text(request.message, "message"),
            "auth": _auth(resolver, request.auth),
            "tls": _tls(resolver, request.tls),
        },
        deep=True,
    )
    resolver.check()
    return resolved


def resolve_websocket_request(request: WebsocketRequest, scope: Scope) -> WebsocketRequest:
    """A new WebSocket request with what the handshake uses resolved: URL, enabled headers,
    subprotocols, auth and TLS options. Messages are resolved one at a time as they are
    sent (:func:`resolve_ws_message`), so a typo in a saved message never blocks a
    connection."""
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    resolved = request.model_copy(
        update={
            "url": text(request.url, "URL"),
            "headers": _rows(resolver, request.headers, "header"),
            "subprotocols": [text(name, "subprotocol") for name in request.subprotocols],
            "auth": _auth(resolver, request.auth),
            "tls": _tls(resolver, request.tls),
        },
        deep=True,
    )
    resolver.check()
    return resolved


def resolve_ws_message(message: WsMessage, request: WebsocketRequest, scope: Scope) -> WsMessage:
    """``message`` with its body (or file path) resolved in ``request``'s scope."""
    where = f"message {message.name!r}" if message.name else "message"
    body = resolve_text(message.body, scope.with_layer("request", request.variables), where)
    return message.model_copy(update={"body": body})


def resolve_webhook_request(request: WebhookRequest, scope: Scope) -> WebhookRequest:
    """A new webhook receiver setup with what the receiver uses resolved: the response's
    headers and body, the signature's secret, header and prefix, and the forward URL
    (when forwarding is on). The replay URL is resolved when replaying."""
    resolver = _Resolver(scope.with_layer("request", request.variables))
    text = resolver.text
    response = request.response
    signature = request.signature
    resolved = request.model_copy(
        update={
            "response": response.model_copy(
                update={
                    "headers": _rows(resolver, response.headers, "response header"),
                    "body": text(response.body, "response body"),
                }
            ),
            "signature": signature.model_copy(
                update={
                    "secret": text(signature.secret, "signing secret"),
                    "header": text(signature.header, "signature header"),
                    "prefix": text(signature.prefix, "signature prefix"),
                }
            ),
            "forward_url": text(request.forward_url, "forward URL") if request.forward else "",
        },
        deep=True,
    )
    resolver.check()
    return resolved


def resolve_certificates(
    certificates: Iterable[ClientCertificate], scope: Scope
) -> list[ClientCertificate]:
    """The enabled client certificates with ``{{variables}}`` in their host, paths and
    passphrase resolved. An unknown variable is left as typed rather than raised: these
    are the collection's, not one request's, so the engine names the file or passphrase
    it cannot use when (and only when) a request goes to that host."""

    def lenient(text: str, where: str) -> str:
        try:
            return resolve_text(text, scope, where)
        except VariableError:
            return text

    fields = ("host", "cert_file", "key_file", "pfx_file", "passphrase")
    return [
        cert.model_copy(update={f: lenient(getattr(cert, f), f) for f in fields})
        for cert in certificates
        if cert.enabled
    ]


def _tls(resolver: _Resolver, tls: ClientTls) -> ClientTls:
    return tls.model_copy(
        update={
            "ca_file": resolver.text(tls.ca_file, "CA file"),
            "client_cert_file": resolver.text(tls.client_cert_file, "client certificate"),
            "client_key_file": resolver.text(tls.client_key_file, "client key"),
            "server_name": resolver.text(tls.server_name, "TLS server name"),
        }
    )


def _wsse(resolver: _Resolver, wsse: WsSecurity) -> WsSecurity:
    if wsse.mode == "none":
        return wsse
    update = {
        "username": resolver.text(wsse.username, "WS-Security username"),
        "password": resolver.text(wsse.password, "WS-Security password"),
    }
    return wsse.model_copy(update=update)


def _rows(resolver: _Resolver, rows: list[_Row], label: str) -> list[_Row]:
    out = []
    for row in rows:
        if not row.enabled:
            out.append(row)
            continue
        where = f"{label} '{row.name}'"
        update = {
            "name": resolver.text(row.name, f"{label} name '{row.name}'"),
            "value": resolver.text(row.value, where),
        }
        out.append(row.model_copy(update=update))
    return out


def _body(resolver: _Resolver, body: Body) -> Body:
    if body.mode == "raw":
        return body.model_copy(update={"raw": resolver.text(body.raw, "body")})
    if body.mode == "urlencoded":
        rows = _rows(resolver, body.urlencoded, "form field")
        return body.model_copy(update={"urlencoded": rows})
    if body.mode == "multipart":
        return body.model_copy(
            update={"multipart": _rows(resolver, body.multipart, "multipart field")}
        )
    if body.mode == "binary":
        path = resolver.text(body.binary_path, "body file path")
        return body.model_copy(update={"binary_path": path})
    return body


def _auth(resolver: _Resolver, auth: Auth) -> Auth:
    fields = AUTH_TEXT_FIELDS.get(auth.kind, ())
    update = {f.name: resolver.text(getattr(auth, f.name), f.label) for f in fields}
    return auth.model_copy(update=update)


def _settings(resolver: _Resolver, settings: RequestSettings) -> RequestSettings:
    """The settings with every "App default" filled from the scope's connection
    defaults, and the CA file and, for a custom proxy, its address, user, password and
    exceptions resolved; the same object when none of them is used."""
    settings = effective_settings(settings, resolver.scope.connection)
    update: dict[str, str] = {}
    if settings.ca_file:
        update["ca_file"] = resolver.text(settings.ca_file, "CA file")
    if settings.proxy == "custom":
        update["proxy_url"] = resolver.text(settings.proxy_url, "proxy URL")
        update["proxy_username"] = resolver.text(settings.proxy_username, "proxy username")
        update["proxy_password"] = resolver.text(settings.proxy_password, "proxy password")
        update["no_proxy"] = resolver.text(settings.no_proxy, "no-proxy list")
    return settings.model_copy(update=update) if update else settings
