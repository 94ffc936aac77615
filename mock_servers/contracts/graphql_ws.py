"""GraphQL over WebSocket for the SDL mock: the graphql-transport-ws protocol (the one
graphql-ws and most clients speak), serving subscriptions as a few generated events and
queries and mutations as one result each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
# Close codes of the protocol.
_BAD_MESSAGE = 4400
_UNAUTHORIZED = 4401
_NOT_ACCEPTABLE = 4406
_DUPLICATE = 4409


class _Session:
    """One WebSocket connection and its running operations by id."""

    def __init__(self, websocket: WebSocket, schema: GraphQLSchema, generator: Generator):
        self.websocket = websocket
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
        elif kind == "ping":
            await self.websocket.send_json({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            return await self._subscribe(message)
        elif kind == "complete":
            task = self.running.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
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

    async def _serve(self, operation_id: str, payload: dict[str, Any]) -> None:
        send = self.websocket.send_json
        try:
            document = parse(str(payload.get("query", "")))
        except GraphQLError as exc:
            await send({"type": "error", "id": operation_id, "payload": [exc.formatted]})
            return
        errors = validate(self.schema, document)
        if errors:
            formatted = [error.formatted for error in errors]
            await send({"type": "error", "id": operation_id, "payload": formatted})
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
            formatted = [error.formatted for error in results.errors]
            await send({"type": "error", "id": operation_id, "payload": formatted})
            return
        if isinstance(results, ExecutionResult):
            await send({"type": "next", "id": operation_id, "payload": _formatted(results)})
        else:
            async for result in results:
                await send({"type": "next", "id": operation_id, "payload": _formatted(result)})
        await send({"type": "complete", "id": operation_id})


def _formatted(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body


async def serve_websocket(
    websocket: WebSocket, schema: GraphQLSchema, generator: Generator
) -> None:
    """Speak graphql-transport-ws on ``websocket`` until either side closes."""
    if PROTOCOL not in websocket.scope.get("subprotocols", []):
        await websocket.accept()
        await websocket.close(_NOT_ACCEPTABLE, f"Subprotocol not acceptable: use {PROTOCOL}.")
        return
    await websocket.accept(subprotocol=PROTOCOL)
    with contextlib.suppress(WebSocketDisconnect):
        await _Session(websocket, schema, generator).run()
