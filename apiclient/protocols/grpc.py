"""The gRPC engine: call any method of a catalog with a resolved :class:`GrpcRequest`.

Discovery lives in :mod:`.grpc_catalog` (reflection, .proto files, templates, the
check of the message JSON), channels, TLS and metadata in :mod:`.grpc_channel`.

What is raised and what is returned:

* Bad input (unknown method, JSON that does not fit, metadata gRPC refuses, unreadable
  TLS files) raises a ``RequestBuildError`` (:class:`GrpcMessageError` for the
  message) before any traffic.
* A call that never reached the server raises the transport errors: ``ConnectError``
  (unreachable; ``DnsError``), ``TlsError`` (handshake, certificate, plaintext against
  TLS). The cached channel is dropped, so the next call dials afresh.
* Every status the call ends with, OK or not, is *returned* in :class:`GrpcResult`
  (code, details, decoded rich details, trailers), because the response panel shows
  them together. That includes ``DEADLINE_EXCEEDED``: the deadline is the request's
  ``deadline_s``, over the whole call, streams included, and when it runs out the
  messages received until then are kept. :meth:`GrpcResult.raise_for_status` turns a
  non-OK result into :class:`GrpcStatusError` for callers that want an exception.

Message JSON uses the proto field names, see :mod:`.grpc_json`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal

import grpc
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError, Message
from grpc import aio

from apiclient.core.models import GrpcRequest
from apiclient.protocols.errors import (
    GrpcDiscoveryError,
    GrpcError,
    GrpcMessageError,
    GrpcStatusError,
    RequestBuildError,
)
from apiclient.protocols.grpc_catalog import (
    GrpcCatalog,
    GrpcMethod,
    GrpcService,
    load_proto_files,
    reflect,
)
from apiclient.protocols.grpc_channel import (
    ChannelKey,
    Metadata,
    call_metadata,
    channel_key,
    metadata_text,
    open_channel,
    transport_error,
)
from apiclient.protocols.grpc_json import decode_message, to_json
from apiclient.protocols.grpc_status import DETAILS_KEY, decode_details

__all__ = [
    "GrpcCatalog",
    "GrpcDiscoveryError",
    "GrpcEngine",
    "GrpcError",
    "GrpcMessageError",
    "GrpcMessageEvent",
    "GrpcMethod",
    "GrpcResult",
    "GrpcService",
    "GrpcStatusError",
    "GrpcStream",
    "load_proto_files",
    "reflect",
]

_LARGE_MESSAGE = 16 * 1024  # parsed or decoded in a worker above this (~8 ms of dense JSON)
MAX_KEPT_MESSAGES = 10_000  # a result keeps the first ones; events carry them all
_LOCAL_CANCEL = "Cancelled by you."
_CLOSED_CANCEL = "Cancelled: the engine was closed while the call was running."


@dataclass(frozen=True)
class GrpcMessageEvent:
    """One message from the server, as it arrived."""

    received_at: float  # time.time()
    json: str  # 2-space JSON, proto field names, default values shown
    kind: Literal["response"] = "response"


@dataclass(frozen=True)
class GrpcResult:
    """How a call ended, and what it received; plain data, safe for any thread."""

    messages: tuple[str, ...]  # JSON texts, in order (the first MAX_KEPT_MESSAGES)
    code: str  # "OK" or the status name, e.g. "NOT_FOUND"
    details: str  # the status message
    rich_details: tuple[tuple[str, str], ...]  # (type name, JSON text) from the trailer
    initial_metadata: tuple[tuple[str, str], ...]  # response headers; -bin values as base64
    trailing_metadata: tuple[tuple[str, str], ...]
    elapsed_s: float  # from the call's start to its status

    @property
    def ok(self) -> bool:
        return self.code == "OK"

    def raise_for_status(self) -> None:
        """Raise :class:`GrpcStatusError` unless the call ended OK."""
        if not self.ok:
            raise GrpcStatusError(
                self.code,
                self.details,
                rich_details=self.rich_details,
                trailers=self.trailing_metadata,
            )


class GrpcEngine:
    """Calls gRPC methods, keeping one channel per target and security settings.

    Channels belong to the event loop they were made on: use one engine per loop, and
    :meth:`aclose` it when done (that also ends every call still running).
    """

    def __init__(self) -> None:
        self._channels: dict[ChannelKey, aio.Channel] = {}
        self._opening = asyncio.Lock()

    async def call(self, request: GrpcRequest, catalog: GrpcCatalog) -> GrpcResult:
        """Make the call and wait for its status. Every message of the request JSON is
        sent (an array for client and bidi streams), then the sending side is closed;
        every message received is in the result (server streams too)."""
        stream = GrpcStream(self, request, catalog, keep_open=False)
        async for _ in stream:
            pass
        assert stream.result is not None
        return stream.result

    def stream(self, request: GrpcRequest, catalog: GrpcCatalog) -> GrpcStream:
        """A call to iterate message by message; nothing happens until it is iterated
        or sent to. A client or bidi stream's sending side stays open after the request's
        own messages: :meth:`GrpcStream.send` more, then :meth:`GrpcStream.close_send`."""
        return GrpcStream(self, request, catalog, keep_open=True)

    async def aclose(self) -> None:
        channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            await channel.close()

    async def _channel(self, key: ChannelKey) -> aio.Channel:
        async with self._opening:
            channel = self._channels.get(key)
            if channel is None:
                channel = self._channels[key] = await open_channel(key)
            return channel

    async def _forget(self, key: ChannelKey) -> None:
        """Drop a channel whose connection failed: it would keep failing until its
        reconnect backoff ran out, and a fresh one dials at once."""
        channel = self._channels.pop(key, None)
        if channel is not None:
            await channel.close()


class GrpcStream:
    """One call, iterated message by message (``async for event in stream``); when the
    iteration ends, :attr:`result` holds the status, trailers and every message.

    Errors, bad input included, are raised by the iteration (or by :meth:`send`, which
    also starts the call when it has not started yet). A non-OK status ends the
    iteration normally, with the status in :attr:`result`. :meth:`cancel` ends the call
    from anywhere; the iteration then ends with code ``CANCELLED``.
    """

    def __init__(
        self, engine: GrpcEngine, request: GrpcRequest, catalog: GrpcCatalog, *, keep_open: bool
    ) -> None:
        self.result: GrpcResult | None = None
        self._engine = engine
        self._request = request
        self._catalog = catalog
        self._keep_open = keep_open
        self._starting = asyncio.Lock()
        self._call: aio.Call | None = None
        self._method: GrpcMethod | None = None
        self._output: Descriptor | None = None
        self._key: ChannelKey | None = None
        self._started_at = 0.0
        self._messages: list[str] = []
        self._half_closed = False
        self._cancelled = False
        self._finished = False
        self._single_read = False
        self._answered = False

    def __aiter__(self) -> GrpcStream:
        return self

    async def __anext__(self) -> GrpcMessageEvent:
        if self._finished:
            raise StopAsyncIteration
        data: bytes | None = None
        try:
            await self._start()
            if self._call is not None:
                data = await self._read()
        except aio.AioRpcError as exc:
            await self._finish_with_error(exc)
            raise StopAsyncIteration from None
        except asyncio.CancelledError:
            # grpc.aio reports a cancelled call (by cancel() or by the engine closing
            # its channel) as CancelledError too: only the task's own cancellation goes on.
            call_cancelled = self._call is not None and self._call.cancelled()
            if _task_cancelled() or not (self._cancelled or call_cancelled):
                self._finished = True
                raise
        except BaseException:
            self._finished = True
            raise
        if data is None:
            await self._finish(None)
            raise StopAsyncIteration
        return await self._event(data)

    async def send(self, text: str) -> None:
        """Send one more message (a JSON object; an array sends each of its objects)
        on a client or bidi stream. Bad JSON raises :class:`GrpcMessageError` and the
        stream goes on."""
        method = self._find_method()
        if not method.client_streams:
            raise RequestBuildError(
                f"{method.name} takes a single request message; only client and bidi"
                " streaming methods accept more."
            )
        messages = await self._check(method, text)
        await self._start()
        if self._finished or self._cancelled or self._call is None:
            raise GrpcError("The call has ended: there is nobody to send to any more.")
        if self._half_closed:
            raise GrpcError("Sending is closed on this call: start a new call to send more.")
        for message in messages:
            await self._write(message)

    async def close_send(self) -> None:
        """Close the sending side (half-close): the server knows no more messages come.
        Idempotent; for a unary or server-streaming call there is nothing to close."""
        await self._start()
        await self._half_close()

    async def _half_close(self) -> None:
        call = self._call
        if call is None or self._half_closed or not self._find_method().client_streams:
            return
        self._half_closed = True
        if not call.done():
            await call.done_writing()  # type: ignore[attr-defined]

    async def cancel(self) -> None:
        """Cancel the call; idempotent, and harmless once the call has ended."""
        self._cancelled = True
        if self._call is not None and not self._call.done():
            self._call.cancel()

    # --- starting -----------------------------------------------------------------------

    def _find_method(self) -> GrpcMethod:
        if self._method is None:
            path = self._request.method.strip()
            method = self._catalog.method(path)
            if not path:
                raise RequestBuildError(
                    f"No method was chosen: pick one of the methods of {self._catalog.source}."
                )
            if method is None:
                raise RequestBuildError(
                    f"The method {path} is not among the methods of {self._catalog.source}."
                    " Pick one from the list, or reflect again (or reload the .proto files)"
                    " if the service changed."
                )
            self._method = method
        return self._method

    async def _start(self) -> None:
        async with self._starting:
            if self._call is not None or self._finished or self._cancelled:
                return
            method = self._find_method()
            key = channel_key(self._request)
            metadata = call_metadata(self._request)
            messages = await self._check(method, self._request.message)
            self._output = self._catalog.message_type(method.output_type)
            channel = await self._engine._channel(key)
            if self._cancelled:
                return
            self._key = key
            self._started_at = time.perf_counter()
            self._call = self._invoke(channel, method, messages, metadata)
            if method.client_streams:
                # Under the lock, so a send() waiting for the start comes after these.
                for message in messages:
                    await self._write(message)
                if not self._keep_open:
                    await self._half_close()

    async def _check(self, method: GrpcMethod, text: str) -> list[Message]:
        """The messages of ``text``; a large text is parsed in a worker, a small one here,
        since a hop to a thread costs more than the ~20 µs the parse of a small one takes."""
        if len(text) > _LARGE_MESSAGE:
            return await asyncio.to_thread(self._catalog.check_message, method, text)
        return self._catalog.check_message(method, text)

    def _invoke(
        self, channel: aio.Channel, method: GrpcMethod, messages: list[Message], metadata: Metadata
    ) -> aio.Call:
        timeout = self._request.deadline_s
        path = method.path
        if method.kind == "unary":
            self._single_read = True
            first = messages[0].SerializeToString()
            return channel.unary_unary(path)(first, metadata=metadata, timeout=timeout)
        if method.kind == "server_streaming":
            first = messages[0].SerializeToString()
            return channel.unary_stream(path)(first, metadata=metadata, timeout=timeout)
        if method.kind == "client_streaming":
            self._single_read = True
            return channel.stream_unary(path)(metadata=metadata, timeout=timeout)
        return channel.stream_stream(path)(metadata=metadata, timeout=timeout)

    async def _write(self, message: Message) -> None:
        call = self._call
        assert call is not None
        try:
            await call.write(message.SerializeToString())  # type: ignore[attr-defined]
        except asyncio.InvalidStateError:
            raise GrpcError("The call has ended: there is nobody to send to any more.") from None
        except aio.AioRpcError:
            pass  # the call ended; the iteration reports how

    # --- receiving ----------------------------------------------------------------------

    async def _read(self) -> bytes | None:
        call = self._call
        assert call is not None
        if self._single_read:
            if self._answered:
                return None
            self._answered = True
            return await call  # type: ignore[misc]
        data = await call.read()  # type: ignore[attr-defined]
        return None if data is aio.EOF else data

    async def _event(self, data: bytes) -> GrpcMessageEvent:
        received_at = time.time()
        try:
            if len(data) > _LARGE_MESSAGE:
                text = await asyncio.to_thread(self._decode, data)
            else:
                text = self._decode(data)
        except DecodeError:
            assert self._method is not None
            await self.cancel()
            self._finished = True
            raise GrpcError(
                f"The server sent a message that is not a {self._method.output_type}: the"
                f" service description ({self._catalog.source}) does not match the server."
            ) from None
        if len(self._messages) < MAX_KEPT_MESSAGES:
            self._messages.append(text)
        return GrpcMessageEvent(received_at, text)

    def _decode(self, data: bytes) -> str:
        assert self._output is not None
        return to_json(decode_message(self._output, data), self._catalog.pool)

    # --- ending -------------------------------------------------------------------------

    async def _finish_with_error(self, exc: aio.AioRpcError) -> None:
        assert self._key is not None
        transport = transport_error(exc, self._key)
        if transport is not None:
            self._finished = True
            await self._engine._forget(self._key)
            raise transport from None
        await self._finish(exc)

    async def _finish(self, exc: aio.AioRpcError | None) -> None:
        """Read the status and build the result."""
        self._finished = True
        call = self._call
        if call is None:  # cancelled before it started
            self.result = GrpcResult((), "CANCELLED", _LOCAL_CANCEL, (), (), (), 0.0)
            return
        elapsed = time.perf_counter() - self._started_at
        if exc is not None:
            code, details = exc.code(), exc.details() or ""
            initial, trailing = exc.initial_metadata(), exc.trailing_metadata()
        elif call.cancelled():
            code, details = grpc.StatusCode.CANCELLED, _CLOSED_CANCEL
            initial, trailing = await _metadata_or_nothing(call)
        else:
            code, details = await call.code(), await call.details() or ""
            initial, trailing = await call.initial_metadata(), await call.trailing_metadata()
        if code == grpc.StatusCode.CANCELLED and self._cancelled:
            details = _LOCAL_CANCEL
        elif code == grpc.StatusCode.CANCELLED and details != _CLOSED_CANCEL:
            details = _reset_text(details, len(self._messages))
        deadline = self._request.deadline_s
        if code == grpc.StatusCode.DEADLINE_EXCEEDED and elapsed >= deadline * 0.9:
            details = (
                f"The call did not finish within the request's deadline of {deadline:g} s"
                f" ({details or 'no details'}). Raise the deadline if the server needs longer."
            )
        rich = await self._rich_details(trailing)
        self.result = GrpcResult(
            messages=tuple(self._messages),
            code=code.name,
            details=details,
            rich_details=rich,
            initial_metadata=metadata_text(initial),
            trailing_metadata=metadata_text(trailing),
            elapsed_s=elapsed,
        )

    async def _rich_details(self, trailing: object) -> tuple[tuple[str, str], ...]:
        for key, value in trailing or ():  # type: ignore[attr-defined]
            if key == DETAILS_KEY and isinstance(value, bytes):
                return await asyncio.to_thread(decode_details, value, self._catalog.pool)
        return ()


def _reset_text(details: str, received: int) -> str:
    """Why a call this side did not cancel ended CANCELLED: the server (or a proxy)
    reset its stream. grpc's own text for it is a bare "CANCELLED"."""
    said = "" if details.strip().upper() in ("", "CANCELLED") else f" ({details})"
    return (
        f"The server (or a proxy on the way) reset the call{said} after {received}"
        f" message{'s' if received != 1 else ''}, without a status of its own. It may have"
        " restarted, hit a limit or dropped the call; try again, and check its logs if it"
        " keeps happening."
    )


async def _metadata_or_nothing(call: aio.Call) -> tuple[object, object]:
    """The metadata of a call cancelled here: what arrived, if anything did."""
    try:
        return await call.initial_metadata(), await call.trailing_metadata()
    except asyncio.CancelledError:
        if _task_cancelled():
            raise
        return (), ()


def _task_cancelled() -> bool:
    """Whether the running task itself is being cancelled (as opposed to the gRPC call
    being cancelled, which grpc.aio also reports as CancelledError)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
