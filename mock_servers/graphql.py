"""The GraphQL mock: an event-management schema (events, speakers, sessions) served by
strawberry over HTTP (POST and GET) and WebSocket (graphql-transport-ws and the legacy
graphql-ws), the same schema with introspection disabled, its SDL, and deliberately
broken endpoints.

Each call of `create_app` has its own in-memory data, so tests and app sessions never
see each other's RSVPs or sessions.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from mock_servers.graphql_data import EventStore
from mock_servers.graphql_operations import build_schema

__all__ = ["ENDPOINTS", "SUBPROTOCOLS", "create_app", "sdl"]

SUBPROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL)
NOT_ACCEPTABLE = 4406  # graphql-transport-ws: "Subprotocol not acceptable"

# What the index page lists: path and what it is for.
ENDPOINTS: list[tuple[str, str]] = [
    ("/graphql", "POST or GET (queries only) GraphQL; WebSocket subscriptions; introspection on"),
    ("/graphql-locked", "The same schema with introspection disabled"),
    ("/schema.graphql", "GET: the schema as SDL (text/plain)"),
    ("/graphql-broken/html", "POST: 200 with an HTML page, not JSON"),
    ("/graphql-broken/500", "POST: 500 text/plain"),
    ("/graphql-noproto", "WebSocket that accepts no subprotocol: closes with 4406"),
]

_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Service unavailable</title></head>
<body><h1>Maintenance</h1><p>The events API is down for maintenance.</p></body>
</html>
"""


def sdl(schema: Schema | None = None) -> str:
    """The schema as SDL text, ending with a newline (as committed in graphql_schema/)."""
    return str(schema or build_schema()) + "\n"


class _EventsView(GraphQL[dict[str, Any], None]):
    """strawberry's ASGI view with this app's data in every request's context."""

    def __init__(self, schema: Schema, store: EventStore) -> None:
        # No GraphiQL page: it loads its scripts from a CDN and the mocks work offline.
        super().__init__(
            schema,
            graphql_ide=None,
            allow_queries_via_get=True,
            subscription_protocols=SUBPROTOCOLS,
        )
        self._store = store

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"request": request, "response": response, "store": self._store}


async def _html_page(request: Request) -> Response:
    return Response(_HTML, media_type="text/html; charset=utf-8")


async def _plain_500(request: Request) -> Response:
    return PlainTextResponse("Internal Server Error", status_code=500)


async def _refuse_subprotocols(websocket: WebSocket) -> None:
    """Accept without choosing any offered subprotocol, then close as GraphQL servers
    do when none is acceptable."""
    await websocket.accept()
    await websocket.close(NOT_ACCEPTABLE, "Subprotocol not acceptable")


def create_app() -> Starlette:
    """Build a fresh GraphQL mock app."""
    store = EventStore()
    schema = build_schema()
    schema_text = sdl(schema)
    open_view = _EventsView(schema, store)
    locked_view = _EventsView(build_schema(introspection=False), store)

    async def index(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "name": "apiclient GraphQL mock",
                "subprotocols": list(SUBPROTOCOLS),
                "endpoints": [{"path": path, "description": text} for path, text in ENDPOINTS],
            }
        )

    async def schema_file(request: Request) -> Response:
        return PlainTextResponse(schema_text)

    return Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/graphql", open_view),
            WebSocketRoute("/graphql", open_view),
            Route("/graphql-locked", locked_view),
            WebSocketRoute("/graphql-locked", locked_view),
            Route("/schema.graphql", schema_file, methods=["GET"]),
            Route("/graphql-broken/html", _html_page, methods=["GET", "POST"]),
            Route("/graphql-broken/500", _plain_500, methods=["GET", "POST"]),
            WebSocketRoute("/graphql-noproto", _refuse_subprotocols),
        ]
    )
