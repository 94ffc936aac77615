"""The GraphQL engine: introspect a server, send a resolved :class:`GraphqlRequest`,
subscribe over a WebSocket.

Queries and mutations are HTTP exchanges, so they go through the REST engine (TLS,
timeouts, redirects, timings, cookies and the error mapping come from it, and auth is
applied the same way). What is GraphQL's own lives beside this module: checking the
document and variables before any traffic (:mod:`.graphql_document`), the wire form
(:mod:`.graphql_request`), reading the answer (:mod:`.graphql_response`), the schema
(:mod:`.graphql_schema`) and subscriptions (:mod:`.graphql_subscription`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from graphql import get_introspection_query

from apiclient.core.models import GraphqlRequest
from apiclient.protocols.errors import GraphqlError, RequestBuildError, SchemaError
from apiclient.protocols.graphql_document import OperationInfo
from apiclient.protocols.graphql_request import Operation, http_request, prepare
from apiclient.protocols.graphql_response import GraphqlResponseError, Reading, read_response
from apiclient.protocols.graphql_schema import LoadedSchema, schema_from_introspection
from apiclient.protocols.graphql_subscription import Subscription, SubscriptionEvent
from apiclient.protocols.rest import RestEngine, RestResponse

__all__ = [
    "GraphqlEngine",
    "GraphqlError",
    "GraphqlResponse",
    "GraphqlResponseError",
    "SchemaError",
    "Subscription",
    "SubscriptionEvent",
]


@dataclass(frozen=True)
class GraphqlResponse:
    """Everything the GraphQL response panel shows; plain data, safe for any thread."""

    http: RestResponse  # status, headers, timings and body exactly as read
    data: object | None  # the "data" member; None when null or absent
    errors: tuple[GraphqlResponseError, ...]
    problem: str  # "" when the answer is GraphQL, else what looks wrong and what to try


def _introspection(input_value_deprecation: bool) -> Operation:
    query = get_introspection_query(
        descriptions=True, input_value_deprecation=input_value_deprecation
    )
    payload = {"query": query, "variables": {}, "operationName": "IntrospectionQuery"}
    return Operation(OperationInfo("IntrospectionQuery", "query", 1), payload)


def _refused_for_deprecation(reading: Reading) -> bool:
    """Servers older than graphql-js 15.5 do not know ``includeDeprecated`` on arguments."""
    return any("includeDeprecated" in error.message for error in reading.errors)


def _schema(reading: Reading, url: str) -> LoadedSchema:
    """The schema in an introspection answer, or why there is none. CPU work."""
    source = f"introspection of {url}"
    if reading.problem:
        raise SchemaError(f"Could not load the schema from {url}. {reading.problem}")
    data = reading.data
    if isinstance(data, dict) and isinstance(data.get("__schema"), dict):
        return schema_from_introspection(data, source)
    said = reading.errors[0].message if reading.errors else "no schema and no error"
    raise SchemaError(
        f"The server at {url} did not return its schema ({said.rstrip('.')}): introspection"
        " is turned off on this server; load the schema from an SDL file instead."
    )


class GraphqlEngine:
    """Runs GraphQL operations through a REST engine.

    Pass the app's REST engine to share its warm connections and cookie jar; it then
    stays open after :meth:`aclose`, which only closes an engine made here.
    """

    def __init__(self, rest: RestEngine | None = None) -> None:
        self._owns_rest = rest is None
        self._rest = rest if rest is not None else RestEngine()

    async def introspect(self, request: GraphqlRequest) -> LoadedSchema:
        """The server's schema, by POSTing the introspection query with the request's
        URL, headers, auth and settings.

        Raises :class:`SchemaError` when the answer holds no schema (introspection
        turned off, not a GraphQL endpoint), and the REST engine's errors when the
        exchange fails.
        """
        post = request.model_copy(update={"method": "POST"})
        _, reading = await self._exchange(post, _introspection(input_value_deprecation=True))
        if reading.data is None and _refused_for_deprecation(reading):
            _, reading = await self._exchange(post, _introspection(input_value_deprecation=False))
        return await asyncio.to_thread(_schema, reading, request.url.strip())

    async def send(self, request: GraphqlRequest, schema: LoadedSchema | None) -> GraphqlResponse:
        """Run a query or mutation of a resolved request.

        Checks the document (against ``schema`` when one is loaded) and the variables
        first, raising :class:`~apiclient.protocols.errors.DocumentError`,
        :class:`~apiclient.protocols.errors.VariablesError` or another
        ``RequestBuildError`` before any traffic; then raises the REST engine's errors
        when the exchange fails. A GraphQL error is not raised: it is in ``errors``.
        """
        operation = await asyncio.to_thread(prepare, request, schema)
        if operation.info.kind == "subscription":
            raise RequestBuildError(
                "This operation is a subscription: subscriptions run over a WebSocket, so"
                " start it with Subscribe instead of Send."
            )
        http, reading = await self._exchange(request, operation)
        return GraphqlResponse(http, reading.data, reading.errors, reading.problem)

    def subscribe(
        self,
        request: GraphqlRequest,
        schema: LoadedSchema | None,
        protocol: str = "graphql-transport-ws",
    ) -> Subscription:
        """A subscription of a resolved request; nothing happens until it is iterated.
        ``protocol`` is ``graphql-transport-ws`` or ``graphql-ws``."""
        return Subscription(request, schema, protocol)

    async def aclose(self) -> None:
        if self._owns_rest:
            await self._rest.aclose()

    async def _exchange(
        self, request: GraphqlRequest, operation: Operation
    ) -> tuple[RestResponse, Reading]:
        http = await self._rest.send(http_request(request, operation))
        return http, await asyncio.to_thread(read_response, http)
