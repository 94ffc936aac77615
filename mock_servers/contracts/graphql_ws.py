"""GraphQL over WebSocket for the SDL mock, serving subscriptions as a few generated
events and queries and mutations as one result each, in either subprotocol clients
offer: graphql-transport-ws (the one the graphql-ws library and most clients speak) or
the older graphql-ws of subscriptions-transport-ws (Apollo's legacy client), which the
app's GraphQL tab also offers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    execute,
    get_operation_ast,
    parse,
    subscribe,
    validate,
)
from graphql.language import OperationType
from starlette.websockets import WebSocket, WebSocketDisconnect

from mock_servers.contracts.graphql_values import Generator

_log = logging.getLogger(__name__)
PROTOCOL = "graphql-transport-ws"
LEGACY_PROTOCOL = "graphql-ws"
# Close codes of the protocol.
_BAD_MESSAGE = 4400
_UNAUTHORIZED = 4401
_NOT_ACCEPTABLE = 4406
_DUPLICATE = 4409


@dataclass(frozen=True)
class _Dialect:
    """The message types of one subprotocol; the rest (connection_init, connection_ack,
    error, a server's complete) the two share."""

    name: str
    subscribe: str  # the client starts an operation
    stop: str  # the client stops one
    event: str  # the server sends a result
    terminate: str | None  # the client ends the connection (graphql-ws only)


_DIALECTS = {
    dialect.name: dialect
    for dialect in (
        _Dialect(PROTOCOL, "subscribe", "complete", "next", None),
        _Dialect(LEGACY_PROTOCOL, "start", "stop", "data", "connection_terminate"),
    )
}


class _Session:
    """One WebSocket connection and its running operations by id."""

    def __init__(
        self,
        websocket: WebSocket,
        schema: GraphQLSchema,
        generator: Generator,
        dialect: _Dialect,
    ) -> None:
        self.websocket = websocket
        self.dialect = dialect
        self.schema = schema
        self.generator = generator
        self.running: dict[str, asyncio.Task[None]] = {}
        self.acknowledged = False

    async def run(self) -> None:
        try:
            while True:
                message = await self.websocket.receive_json()
                if not await self._handle(message):
                    return
        except WebSocketDisconnect:
            return
        except ValueError:
            await self.websocket.close(_BAD_MESSAGE, "Messages must be JSON objects.")
        finally:
            for task in self.running.values():
                task.cancel()

    async def _handle(self, message: Any) -> bool:
        """Act on one message; False when the connection was closed."""
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "connection_init":
            self.acknowledged = True
            await self.websocket.send_json({"type": "connection_ack"})
        elif kind == "ping" and self.dialect.name == PROTOCOL:
            await self.websocket.send_json({"type": "pong"})
        elif kind == "pong" and self.dialect.name == PROTOCOL:
            pass
        elif kind == self.dialect.subscribe:
            return await self._subscribe(message)
        elif kind == self.dialect.stop:
            task = self.running.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        elif kind is not None and kind == self.dialect.terminate:
            await self.websocket.close()
            return False
        else:
            await self.websocket.close(_BAD_MESSAGE, f"Unknown message type {kind!r}.")
            return False
        return True

    async def _subscribe(self, message: dict[str, Any]) -> bool:
        if not self.acknowledged:
            await self.websocket.close(_UNAUTHORIZED, "Unauthorized: send connection_init first.")
            return False
        operation_id = str(message.get("id", ""))
        if operation_id in self.running:
            await self.websocket.close(_DUPLICATE, f"Subscriber for {operation_id} already exists")
            return False
        payload = message.get("payload")
        if not isinstance(payload, dict):
            payload = {}
        task = asyncio.create_task(self._serve(operation_id, payload))
        self.running[operation_id] = task
        task.add_done_callback(lambda done: self._finished(operation_id, done))
        return True

    def _finished(self, operation_id: str, task: asyncio.Task[None]) -> None:
        self.running.pop(operation_id, None)
        if not task.cancelled() and task.exception() is not None:
            # Mostly a client that left mid-stream; nothing to tell it any more.
            _log.info("GraphQL operation %s ended: %r", operation_id, task.exception())

    async def _refuse(self, operation_id: str, errors: list[GraphQLError]) -> None:
        """An ``error`` message: the list of errors in graphql-transport-ws, one Error
        object (the first) in graphql-ws, as each protocol has it."""
        formatted: Any = [error.formatted for error in errors]
        if self.dialect.name == LEGACY_PROTOCOL:
            formatted = formatted[0]
        await self.websocket.send_json({"type": "error", "id": operation_id, "payload": formatted})

    async def _serve(self, operation_id: str, payload: dict[str, Any]) -> None:
        send = self.websocket.send_json
        try:
            document = parse(str(payload.get("query", "")))
        except GraphQLError as exc:
            await self._refuse(operation_id, [exc])
            return
        errors = validate(self.schema, document)
        if errors:
            await self._refuse(operation_id, errors)
            return
        arguments: dict[str, Any] = {
            "schema": self.schema,
            "document": document,
            "variable_values": payload.get("variables") or None,
            "operation_name": payload.get("operationName"),
            "field_resolver": self.generator.resolve_field,
            "type_resolver": self.generator.resolve_type,
        }
        operation = get_operation_ast(document, payload.get("operationName"))
        streaming = operation is not None and operation.operation is OperationType.SUBSCRIPTION
        results: Any
        if streaming:
            results = subscribe(
                **arguments, subscribe_field_resolver=self.generator.subscribe_field
            )
        else:
            results = execute(**arguments)
        if asyncio.iscoroutine(results) or isinstance(results, asyncio.Future):
            results = await results
        if streaming and isinstance(results, ExecutionResult) and results.errors:
            # The operation failed before it started (a subscription refused): "error".
            await self._refuse(operation_id, results.errors)
            return
        event = self.dialect.event
        if isinstance(results, ExecutionResult):
            await send({"type": event, "id": operation_id, "payload": _formatted(results)})
        else:
            async for result in results:
                await send({"type": event, "id": operation_id, "payload": _formatted(result)})
        await send({"type": "complete", "id": operation_id})


def _formatted(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body


async def serve_websocket(
    websocket: WebSocket, schema: GraphQLSchema, generator: Generator
) -> None:
    """Speak the first subprotocol the client offers that the mock knows, until either
    side closes; close with 4406 when it offers none of them."""
    offered = websocket.scope.get("subprotocols", [])
    dialect = next((_DIALECTS[name] for name in offered if name in _DIALECTS), None)
    if dialect is None:
        await websocket.accept()
        await websocket.close(
            _NOT_ACCEPTABLE,
            f"Subprotocol not acceptable: use {PROTOCOL} or {LEGACY_PROTOCOL}.",
        )
        return
    await websocket.accept(subprotocol=dialect.name)
    with contextlib.suppress(WebSocketDisconnect):
        await _Session(websocket, schema, generator, dialect).run()
