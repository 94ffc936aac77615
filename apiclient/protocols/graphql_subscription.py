"""GraphQL subscriptions over a WebSocket, in either protocol servers speak.

* ``graphql-transport-ws`` (the ``graphql-ws`` library; what new servers speak):
  ``connection_init``/``connection_ack``, ``subscribe``, ``next``... ``complete``,
  ``ping``/``pong``.
* ``graphql-ws`` (Apollo's older ``subscriptions-transport-ws``): ``connection_init``/
  ``connection_ack``, ``start``, ``data``... ``complete``, ``stop``, ``ka`` keep-alives.

The protocols are small, so they are spoken here over ``websockets`` rather than
through gql's transports: the UI needs each payload's text as received and errors it
can show as they are, and gql would hide the first and wrap the second.

Errors: a handshake refused, a subprotocol not accepted, an ``error`` message from the
server (the operation failed as a whole, as when it does not validate) and a
connection closed by the server end the iteration with a :class:`SubscriptionError`.
Errors *inside* a result (``next`` with ``errors``) are events, like a query's
partial data, and the subscription goes on.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
    NegotiationError,
)
from websockets.typing import Subprotocol

from apiclient.core.connection_defaults import effective_settings, verifies
from apiclient.core.models import ClientTls, GraphqlRequest
from apiclient.protocols.errors import RequestBuildError, RequestTimeoutError, SubscriptionError
from apiclient.protocols.graphql_request import prepare, socket_target
from apiclient.protocols.graphql_response import GraphqlResponseError, parse_errors
from apiclient.protocols.graphql_schema import LoadedSchema
from apiclient.protocols.http import USER_AGENT, map_httpx_error
from apiclient.protocols.tls import client_ssl_context
from apiclient.protocols.websocket_handshake import OriginBoundConnect, credential_headers

__all__ = ["PROTOCOLS", "Subscription", "SubscriptionError", "SubscriptionEvent"]

_ID = "1"  # one operation per connection
_LARGE_MESSAGE = 64 * 1024  # decoded in a worker above this, to keep the GUI loop free
_MAX_MESSAGE = 64 * 1024 * 1024


@dataclass(frozen=True)
class _Words:
    """The message types of one protocol."""

    subscribe: str
    event: str
    stop: str
    terminate: str | None  # sent before closing, when the protocol has one


_WORDS = {
    "graphql-transport-ws": _Words("subscribe", "next", "complete", None),
    "graphql-ws": _Words("start", "data", "stop", "connection_terminate"),
}
PROTOCOLS = tuple(_WORDS)

# graphql-transport-ws close codes, and what the person can do about each.
_CLOSE_HINTS = {
    4400: "the server could not read a message",
    4401: "the server wants authentication: check the Auth tab and the headers",
    4403: "the server refused access: check the Auth tab and the headers",
    4406: "the server does not accept this subprotocol",
    4408: "the server gave up waiting for connection_init",
    4409: "the server already has a subscription with this id",
    4429: "the server got connection_init twice",
    4500: "the server failed internally",
    1002: "the server did not understand the protocol",
    1009: f"a message was larger than {_MAX_MESSAGE // (1024 * 1024)} MB",
    1011: "the server failed internally",
}


@dataclass(frozen=True)
class SubscriptionEvent:
    received_at: float  # time.time() when it arrived
    data: object | None
    errors: tuple[GraphqlResponseError, ...]
    raw: str  # the message's payload as JSON text


class Subscription:
    """One subscription: iterate it (``async for event in subscription``) to connect and
    receive events; :meth:`stop` ends it from anywhere, and the iteration then ends
    normally. Every error, bad input included, is raised by the iteration, and bad
    input before any traffic. Call :meth:`stop` when done with it, also after leaving
    the loop early, so the socket closes.
    """

    def __init__(self, request: GraphqlRequest, schema: LoadedSchema | None, protocol: str) -> None:
        if protocol not in _WORDS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {protocol!r}")
        self.protocol = protocol
        self._words = _WORDS[protocol]
        # Resolved, the settings are concrete; otherwise "App default" means the built-ins.
        settings = effective_settings(request.settings)
        if settings is not request.settings:
            request = request.model_copy(update={"settings": settings})
        self._request = request
        self._schema = schema
        self._socket: ClientConnection | None = None
        self._url = ""
        self._subscribed = False
        self._stopping = False
        self._done = False

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> SubscriptionEvent:
        if self._done:
            raise StopAsyncIteration
        try:
            if self._socket is None:
                await self._start()
            while True:
                event = await self._handle(await self._receive())
                if event is not None:
                    return event
        except BaseException:
            self._done = True
            raise

    async def stop(self) -> None:
        """Tell the server to stop (``complete`` or ``stop``) and close the socket.
        Idempotent; safe while the iteration is waiting or still connecting."""
        if self._stopping:
            return
        self._stopping = True
        if self._socket is not None:
            await self._close(tell_server=self._subscribed and not self._done)

    # --- starting -----------------------------------------------------------------------

    async def _start(self) -> None:
        operation = await asyncio.to_thread(prepare, self._request, self._schema)
        target = await socket_target(self._request)
        self._url = target.url
        if self._stopping:
            raise StopAsyncIteration
        self._socket = await self._connect(target.url, target.headers)
        if self._stopping:
            await self._close(tell_server=False)
            raise StopAsyncIteration
        if self._socket.subprotocol != self.protocol:
            await self._close(tell_server=False)
            raise SubscriptionError(
                f"The server at {self._url} accepted the WebSocket but not the"
                f" {self.protocol} subprotocol. {self._try_other()}"
            )
        await self._send({"type": "connection_init", "payload": dict(target.headers)})
        await self._acknowledged()
        await self._send({"id": _ID, "type": self._words.subscribe, "payload": operation.payload})
        self._subscribed = True

    def _try_other(self) -> str:
        other = next(name for name in PROTOCOLS if name != self.protocol)
        return f"Try the {other} protocol, or check the subscription URL."

    async def _connect(self, url: str, headers: tuple[tuple[str, str], ...]) -> ClientConnection:
        settings = self._request.settings
        context = (
            await asyncio.to_thread(
                client_ssl_context, ClientTls(ca_file=settings.ca_file, verify=verifies(settings))
            )
            if url.startswith("wss")
            else None
        )
        try:
            return await OriginBoundConnect(
                url,
                credential_headers=credential_headers(self._request.auth),
                subprotocols=[Subprotocol(self.protocol)],
                additional_headers=list(headers),
                user_agent_header=USER_AGENT,
                open_timeout=settings.timeout_s,
                max_size=_MAX_MESSAGE,
                ssl=context,
            )
        except InvalidStatus as exc:
            raise self._refused(exc.response.status_code, exc.response.reason_phrase) from None
        except NegotiationError:
            raise SubscriptionError(
                f"The server at {url} answered with a subprotocol other than the"
                f" {self.protocol} it was asked for. {self._try_other()}"
            ) from None
        except InvalidURI as exc:
            raise RequestBuildError(f"The subscription URL {url!r} is not valid: {exc}.") from None
        except InvalidHandshake as exc:
            raise SubscriptionError(
                f"The server at {url} did not open a WebSocket ({exc}). Check the"
                " subscription URL: it must be the server's GraphQL WebSocket endpoint."
            ) from None
        except TimeoutError:
            raise RequestTimeoutError(
                f"Opening the WebSocket to {url} timed out after {settings.timeout_s:g} s."
                " The server may be down or slow; raise the timeout in the request settings.",
                phase="connect",
                timeout_s=settings.timeout_s,
            ) from None
        except OSError as exc:
            raise map_httpx_error(exc, url, settings.timeout_s) from None

    def _refused(self, status: int, reason: str) -> SubscriptionError:
        said = f"HTTP {status} {reason}".rstrip()
        if status == 404:
            hint = "There is no WebSocket endpoint there: check the subscription URL."
        elif status in (401, 403):
            hint = "Check the Auth tab and the headers."
        else:
            hint = f"It may not accept the {self.protocol} subprotocol. {self._try_other()}"
        return SubscriptionError(
            f"The server at {self._url} refused the WebSocket upgrade ({said}). {hint}"
        )

    async def _acknowledged(self) -> None:
        timeout = self._request.settings.timeout_s
        try:
            async with asyncio.timeout(timeout):
                while True:
                    message = await self._receive()
                    kind = message.get("type")
                    if kind == "connection_ack":
                        return
                    if kind == "connection_error":
                        raise SubscriptionError(
                            f"The server at {self._url} refused the connection:"
                            f" {_describe(message.get('payload'))}. Check the Auth tab and"
                            " the headers (they are sent in connection_init too)."
                        )
                    await self._answer_ping(message)
        except TimeoutError:
            await self._close(tell_server=False)
            raise SubscriptionError(
                f"The server at {self._url} accepted the WebSocket but did not acknowledge"
                f" connection_init within {timeout:g} s. It may speak another protocol."
                f" {self._try_other()}"
            ) from None

    # --- receiving ----------------------------------------------------------------------

    async def _receive(self) -> Mapping[str, Any]:
        assert self._socket is not None
        try:
            frame = await self._socket.recv()
        except ConnectionClosed as exc:
            if self._stopping:
                raise StopAsyncIteration from None
            raise self._closed(exc) from None
        text = frame.decode("utf-8", errors="replace") if isinstance(frame, bytes) else frame
        try:
            if len(text) > _LARGE_MESSAGE:
                message = await asyncio.to_thread(json.loads, text)
            else:
                message = json.loads(text)
        except json.JSONDecodeError:
            message = None
        if not isinstance(message, Mapping):
            await self._close(tell_server=self._subscribed)
            raise SubscriptionError(
                f"The server at {self._url} sent a message that is not a JSON object:"
                f" {text[:200]!r}. It may not speak {self.protocol}. {self._try_other()}"
            )
        return message

    async def _handle(self, message: Mapping[str, Any]) -> SubscriptionEvent | None:
        kind = message.get("type")
        if kind == self._words.event:
            return _event(message.get("payload"))
        if kind == "error":
            await self._close(tell_server=False)
            raise SubscriptionError(
                f"The server refused the subscription: {_describe(message.get('payload'))}"
            )
        if kind == "complete":
            self._subscribed = False
            await self._close(tell_server=False)
            raise StopAsyncIteration
        await self._answer_ping(message)
        return None

    async def _answer_ping(self, message: Mapping[str, Any]) -> None:
        if message.get("type") == "ping" and self.protocol == "graphql-transport-ws":
            await self._send({"type": "pong"})

    def _closed(self, exc: ConnectionClosed) -> SubscriptionError:
        close = exc.rcvd
        if close is None:
            return SubscriptionError(
                f"The connection to {self._url} was lost before the subscription completed"
                " (no close frame). The server may have stopped; subscribe again."
            )
        said = f"code {close.code}" + (f" '{close.reason}'" if close.reason else "")
        hint = _CLOSE_HINTS.get(close.code, "subscribe again if you still need it")
        when = "mid-subscription" if self._subscribed else "before the subscription started"
        text = f"The server at {self._url} closed the connection {when} ({said}): {hint}."
        if close.code in (4400, 4406, 1002):  # typical of a server speaking the other protocol
            text += f" {self._try_other()}"
        return SubscriptionError(text)

    # --- sending and closing ------------------------------------------------------------

    async def _send(self, message: Mapping[str, Any]) -> None:
        assert self._socket is not None
        try:
            await self._socket.send(json.dumps(message, ensure_ascii=False))
        except ConnectionClosed as exc:
            if self._stopping:
                raise StopAsyncIteration from None
            raise self._closed(exc) from None

    async def _close(self, *, tell_server: bool) -> None:
        """Say goodbye as the protocol asks (when the server is still listening), then
        close the socket cleanly."""
        socket = self._socket
        if socket is None:
            return
        try:
            if tell_server:
                await socket.send(json.dumps({"id": _ID, "type": self._words.stop}))
            if self._words.terminate is not None:
                await socket.send(json.dumps({"type": self._words.terminate}))
        except ConnectionClosed:
            pass  # already closed by the server: nothing left to say
        self._subscribed = False
        await socket.close()


def _event(payload: object) -> SubscriptionEvent:
    result = payload if isinstance(payload, Mapping) else {}
    data = result.get("data")
    return SubscriptionEvent(
        received_at=time.time(),
        data=data,
        errors=parse_errors(result.get("errors")),
        raw=json.dumps(payload, ensure_ascii=False),
    )


def _describe(payload: object) -> str:
    """The messages of an ``error`` payload (a list of GraphQL errors, or one object)."""
    errors = parse_errors(payload)
    if not errors:
        return "no reason given"
    return "; ".join(
        error.message
        + "".join(f" (line {line}, column {column})" for line, column in error.locations[:1])
        for error in errors
    )
