"""A GraphQL mock from an SDL file: introspection on, every field answered with data
generated from its type (``graphql_values``), over HTTP POST and GET at ``/graphql``,
and over WebSocket (graphql-transport-ws or the older graphql-ws) at the same path,
where a subscription gets a few generated events and completes.

Pins are per root field (``Query.events``, ``Mutation.addSession``,
``Subscription.talkAdded``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationType,
    build_ast_schema,
    get_operation_ast,
    graphql,
    parse,
    validate,
    validate_schema,
)
from graphql.validation.validate import validate_sdl
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from mock_servers.contracts.base import ContractError, Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.graphql_values import Generator
from mock_servers.contracts.graphql_ws import serve_websocket
from mock_servers.serving import serve_asgi

PATH = "/graphql"


def _where(error: GraphQLError) -> str:
    locations = error.locations or []
    if not locations:
        return ""
    return f" at line {locations[0].line}, column {locations[0].column}"


def load_schema(contract: Path) -> GraphQLSchema:
    """Build and validate the schema in ``contract``; a ContractError says where it fails."""
    try:
        text = contract.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"Cannot read the GraphQL SDL {contract}: {exc}") from exc
    try:
        document = parse(text)
    except GraphQLError as exc:
        raise ContractError(
            f"{contract.name} is not valid GraphQL SDL{_where(exc)}: {exc.message}"
        ) from exc
    sdl_errors = validate_sdl(document)
    if sdl_errors:
        raise ContractError(
            f"{contract.name} does not validate as a schema{_where(sdl_errors[0])}: "
            f"{sdl_errors[0].message}"
        )
    schema = build_ast_schema(document, assume_valid_sdl=True)
    errors = validate_schema(schema)
    if errors:
        raise ContractError(
            f"{contract.name} does not validate as a schema{_where(errors[0])}: {errors[0].message}"
        )
    if schema.query_type is None:
        raise ContractError(f"{contract.name} has no Query type, so there is nothing to query.")
    return schema


def operation_names(schema: GraphQLSchema) -> tuple[str, ...]:
    """The pin names: every root field as ``Type.field``."""
    roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
    return tuple(f"{root.name}.{field}" for root in roots if root for field in root.fields)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def _request_params(request: Request) -> dict[str, Any]:
    """query, variables and operationName from a POST body or a GET query string."""
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if isinstance(params.get("variables"), str):
            params["variables"] = json.loads(params["variables"])
        return params
    media = request.headers.get("content-type", "").split(";")[0].strip()
    body = await request.body()
    if media == "application/graphql":
        return {"query": body.decode("utf-8")}
    params = json.loads(body)
    if not isinstance(params, dict):
        raise ValueError("the body must be a JSON object")
    return params


def create_app(schema: GraphQLSchema, generator: Generator) -> Starlette:
    """The HTTP app serving ``schema`` with ``generator``'s data."""

    async def endpoint(request: Request) -> Response:
        try:
            params = await _request_params(request)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(f"The request is not a GraphQL request: {exc}.")
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            if request.method == "GET" and not request.query_params:
                return PlainTextResponse(f"GraphQL endpoint: POST a query to {PATH}.")
            return _error('Send the operation as "query", a non-empty string.')
        variables = params.get("variables")
        if variables is not None and not isinstance(variables, dict):
            return _error('"variables" must be a JSON object.')
        try:
            document = parse(query)
        except GraphQLError as exc:
            return JSONResponse({"errors": [exc.formatted]}, status_code=400)
        errors = validate(schema, document)
        if errors:
            return JSONResponse({"errors": [e.formatted for e in errors]}, status_code=400)
        operation = get_operation_ast(document, params.get("operationName"))
        if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
            return _error(
                "Subscriptions are served over WebSocket (graphql-transport-ws or graphql-ws)"
                f" at {PATH}."
            )
        mutation = operation is not None and operation.operation is OperationType.MUTATION
        if mutation and request.method == "GET":
            return _error("Mutations need POST.", status=405)
        result = await graphql(
            schema,
            query,
            variable_values=variables,
            operation_name=params.get("operationName"),
            field_resolver=generator.resolve_field,
            type_resolver=generator.resolve_type,
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return JSONResponse(body)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        await serve_websocket(websocket, schema, generator)

    return Starlette(
        routes=[
            Route(PATH, endpoint, methods=["GET", "POST"]),
            WebSocketRoute(PATH, websocket_endpoint),
        ]
    )


async def start(contract: Path, host: str, port: int, fake: FakeData, pins: Pins) -> StartedMock:
    """Serve the SDL in ``contract`` on host:port; see the module docstring."""
    schema = await asyncio.to_thread(load_schema, contract)
    app = create_app(schema, Generator(schema, fake, pins))
    server = await serve_asgi(app, name="graphql", host=host, port=port, websockets=True)
    return StartedMock(
        kind="graphql",
        url=f"http://{host}:{server.port}{PATH}",
        operations=operation_names(schema),
        stop=server.stop,
    )
