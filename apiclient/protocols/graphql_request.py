"""What a GraphQL request puts on the wire: the checked operation, the HTTP request
that carries it (POST JSON or GET query parameters, per GraphQL over HTTP), and the
WebSocket address and headers of a subscription.

Auth and headers go through the REST engine's own building, so a GraphQL request
sends them exactly as a REST request with the same settings would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from apiclient.core.models import Body, GraphqlRequest, KeyValue, RestRequest
from apiclient.protocols.auth_sign import check_handshake_auth
from apiclient.protocols.errors import RequestBuildError
from apiclient.protocols.graphql_document import OperationInfo, check_document, check_variables
from apiclient.protocols.graphql_schema import LoadedSchema
from apiclient.protocols.http import normalize_url
from apiclient.protocols.upgrade import upgrade_parts

# GraphQL over HTTP: prefer the GraphQL media type, whose status codes mean something,
# and accept plain JSON from the many servers that only know that.
ACCEPT = "application/graphql-response+json, application/json"


@dataclass(frozen=True)
class Operation:
    """A checked operation: what to run and the JSON object that asks for it."""

    info: OperationInfo
    payload: dict[str, Any]  # {"query", "variables", "operationName"}


def prepare(request: GraphqlRequest, schema: LoadedSchema | None) -> Operation:
    """Check the document and variables (raising before any traffic) and build the
    payload. CPU work on large documents or variables: call it in a worker thread."""
    info = check_document(request.query, schema, request.operation_name)
    variables = check_variables(request.variables_json, request.query, info.name, schema)
    payload = {"query": request.query, "variables": variables, "operationName": info.name or None}
    return Operation(info, payload)


def _headers_with_accept(request: GraphqlRequest) -> list[KeyValue]:
    headers = list(request.headers)
    typed = {row.name.strip().lower() for row in headers if row.enabled}
    if "accept" not in typed:
        headers.append(KeyValue(name="Accept", value=ACCEPT))
    return headers


def http_request(request: GraphqlRequest, operation: Operation) -> RestRequest:
    """The HTTP request carrying ``operation``: a JSON POST, or a GET with the query
    parameters ``query``, ``variables`` and ``operationName`` (queries only)."""
    rest = RestRequest(
        name=request.name,
        url=request.url,
        headers=_headers_with_accept(request),
        auth=request.auth,
        settings=request.settings,
    )
    if request.method == "POST":
        body = json.dumps(operation.payload, ensure_ascii=False)
        raw = Body(mode="raw", raw=body, language="json")
        return rest.model_copy(update={"method": "POST", "body": raw})
    if operation.info.kind != "query":
        raise RequestBuildError(
            f"A {operation.info.kind} cannot be sent with GET (GraphQL over HTTP allows GET"
            " only for queries, so that a link cannot change data). Switch the method to POST."
        )
    params = [KeyValue(name="query", value=request.query)]
    if operation.payload["variables"]:
        variables = json.dumps(operation.payload["variables"], ensure_ascii=False)
        params.append(KeyValue(name="variables", value=variables))
    if operation.info.name:
        params.append(KeyValue(name="operationName", value=operation.info.name))
    return rest.model_copy(update={"method": "GET", "params": params})


# --- subscriptions ----------------------------------------------------------------------


@dataclass(frozen=True)
class SocketTarget:
    url: str  # ws:// or wss://, API-key query included
    headers: tuple[tuple[str, str], ...]  # for the HTTP upgrade and connection_init


async def socket_target(request: GraphqlRequest) -> SocketTarget:
    """Where a subscription connects: ``subscription_url``, else ``url`` with http(s)
    turned into ws(s); headers and auth as a REST request would send them.

    Raises :class:`RequestBuildError` for a bad URL or header, and for an auth kind
    that answers a challenge or signs the exchange (Digest, NTLM, AWS, Hawk, OAuth
    1.0a), which a WebSocket upgrade cannot do.
    """
    typed = request.subscription_url.strip() or request.url.strip()
    url = normalize_url(typed, schemes=("ws", "wss", "http", "https"))
    check_handshake_auth(request.auth, "a subscription")
    socket_url, headers = await upgrade_parts(url, request.headers, request.auth)
    return SocketTarget(socket_url, headers)
