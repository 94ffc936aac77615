"""The webhook receiver's ASGI app: every HTTP request, on any path and with any method,
becomes a stored event before it is answered.

For each request: read the body up to the limit (a body over it is refused with 413
and stored without its bytes), verify its signature (a large body's in a worker
thread), store the event (in a worker thread, together with the events that arrived
meanwhile: see :mod:`.webhook_batch`), report it, wait the configured delay, answer as
configured, then forward it when a forward URL is set. The settings are read afresh for
each request, so :meth:`~apiclient.protocols.webhook.WebhookReceiver.update` applies to
the next one.

It runs on the receiver's own thread and loop (see :mod:`apiclient.protocols.webhook`);
its callbacks are called there. :func:`bind_listener` opens the socket it is served on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import functools
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope, Send

from apiclient.protocols.errors import WebhookBindError, WebhookStoreError
from apiclient.protocols.http import decode_header_value
from apiclient.protocols.webhook_batch import BatchedStore
from apiclient.protocols.webhook_events import (
    EventSummary,
    ReceiverConfig,
    ResponseConfig,
    SignatureConfig,
    Verdict,
    WebhookEvent,
    is_all_interfaces,
)
from apiclient.protocols.webhook_replay import EventForwarder
from apiclient.protocols.webhook_signatures import verify
from apiclient.protocols.webhook_store import WebhookStore

__all__ = ["WebhookApp", "bind_listener", "size_text"]

_log = logging.getLogger(__name__)

_NO_BODY_STATUSES = frozenset({204, 304})
_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, getattr(errno, "WSAEACCES", errno.EACCES)}
_NOT_HERE = {errno.EADDRNOTAVAIL, getattr(errno, "WSAEADDRNOTAVAIL", errno.EADDRNOTAVAIL)}
_NO_FAMILY = {errno.EAFNOSUPPORT, getattr(errno, "WSAEAFNOSUPPORT", errno.EAFNOSUPPORT)}
_TOO_MANY_FILES = {errno.EMFILE, errno.ENFILE, getattr(errno, "WSAEMFILE", errno.EMFILE)}
_MB = 1024 * 1024
# A signature over a body up to this size is checked on the server's loop (well under a
# millisecond, less than a hop to a worker); a bigger one in a worker, so that it does
# not hold up the other senders.
_VERIFY_HERE_BYTES = 64 * 1024


def size_text(size: int) -> str:
    """A byte count as a person reads it: ``512 bytes``, ``3.5 KB``, ``12.3 MB``, ``1 GB``."""
    for unit, scale in (("GB", 1024 * _MB), ("MB", _MB), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} byte" if size == 1 else f"{size} bytes"


@dataclass(frozen=True, slots=True)
class _Arrival:
    """What the request line and headers say, before the body is read."""

    received_at: float
    method: str
    path: str
    query: str
    source: str
    headers: tuple[tuple[str, str], ...]
    content_type: str
    declared_length: int | None

    @classmethod
    def from_scope(cls, scope: Scope) -> _Arrival:
        headers = tuple(
            (name.decode("latin-1"), decode_header_value(value)) for name, value in scope["headers"]
        )
        content_type = next((v for k, v in headers if k == "content-type"), "")
        declared = next((v for k, v in headers if k == "content-length"), None)
        client = scope.get("client")
        source = ""
        if client:
            host, port = client[0], client[1]
            source = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        # The path as it came on the wire (escapes kept), so a replay sends it unchanged.
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        return cls(
            received_at=time.time(),
            method=scope["method"],
            path=raw_path.decode("latin-1"),
            query=decode_header_value(scope.get("query_string", b"")),
            source=source,
            headers=headers,
            content_type=content_type,
            declared_length=int(declared) if declared and declared.isdigit() else None,
        )


@dataclass(frozen=True, slots=True)
class _Body:
    data: bytes
    size: int
    refused_note: str = ""  # set when the body was over the limit (answered 413)


def _over_limit_verdict(signature: SignatureConfig, headers: Sequence[tuple[str, str]]) -> Verdict:
    if signature.scheme == "none":
        return _verify(signature, headers, b"")
    return Verdict(
        "unchecked",
        "The body was over the size limit and not kept, so its signature was not checked.",
    )


def _verify(signature: SignatureConfig, headers: Sequence[tuple[str, str]], body: bytes) -> Verdict:
    try:
        return verify(signature, headers, body)
    except Exception as exc:  # a bug there must not lose the event
        _log.exception("The signature check failed")
        return Verdict("unchecked", f"The signature could not be checked: {exc}")


@functools.lru_cache(maxsize=16)
def _encoded(response: ResponseConfig) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of the configured answer, as sent (computed once per setting)."""
    body = response.body.encode("utf-8")
    headers = [
        (name.encode("latin-1"), value.strip().encode("utf-8")) for name, value in response.headers
    ]
    if response.status in _NO_BODY_STATUSES or response.status < 200:
        return headers, b""
    if body and not any(name.lower() == b"content-type" for name, _ in headers):
        headers.append((b"content-type", _guess_content_type(response.body)))
    headers.append((b"content-length", str(len(body)).encode("ascii")))
    return headers, body


def _guess_content_type(body: str) -> bytes:
    if body.lstrip()[:1] in ("{", "["):
        try:
            json.loads(body)
        except ValueError:
            pass
        else:
            return b"application/json"
    return b"text/plain; charset=utf-8"


async def _send_answer(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_text(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    await _send_answer(send, status, headers, body)


class WebhookApp:
    """The ASGI app; ``settings`` returns the configuration to apply to a new request.
    Large bodies are verified, and events stored, on ``executor``'s threads.

    ``on_event`` gets each stored event's summary, ``on_error`` a sentence when an event
    could not be stored; both are called on the server loop and must not block.
    """

    def __init__(
        self,
        store: WebhookStore,
        *,
        settings: Callable[[], ReceiverConfig],
        on_event: Callable[[EventSummary], None],
        on_error: Callable[[str], None],
        forwarder: EventForwarder,
        executor: concurrent.futures.Executor,
    ) -> None:
        self._store = BatchedStore(store, executor)
        self._executor = executor
        self._settings = settings
        self._on_event = on_event
        self._on_error = on_error
        self._forwarder = forwarder
        self._hurry = asyncio.Event()

    def hurry(self) -> None:
        """Answer the requests waiting out their delay now (the server is stopping)."""
        self._hurry.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Not a webhook: refuse the upgrade (the server answers 403).
            await send({"type": "websocket.close", "code": 1003})
            return
        if scope["type"] != "http":
            return
        config = self._settings()
        arrival = _Arrival.from_scope(scope)
        body = await self._read_body(receive, arrival, config.max_body_bytes)
        if body is None:
            return  # the sender gave up before the body was complete: nothing to keep
        refused = bool(body.refused_note)
        status = 413 if refused else config.response.status
        try:
            event = await self._store.add(await self._event(config, arrival, body, status))
        except Exception as exc:  # the store's own errors and any sqlite surprise alike
            where = f"{arrival.method} {arrival.path} from {arrival.source or 'an unknown sender'}"
            sentence = f"The event {where} could not be saved, so it was answered 500: {exc}"
            _log.warning("%s", sentence, exc_info=not isinstance(exc, WebhookStoreError))
            self._report_error(sentence)
            await _send_text(send, 500, f"The webhook receiver could not save this event: {exc}\n")
            return
        self._report_event(event.summary)
        if refused:
            limit = size_text(config.max_body_bytes)
            await _send_text(
                send, 413, f"Payload too large: this receiver accepts bodies up to {limit}.\n"
            )
            return
        await self._wait(config.response.delay_s)
        headers, payload = _encoded(config.response)
        await _send_answer(send, status, list(headers), payload)
        if config.forward_url:
            self._forwarder.submit(event, config.forward_url)

    async def _read_body(self, receive: Receive, arrival: _Arrival, limit: int) -> _Body | None:
        """The body, or a refusal once it is over ``limit``; None if the sender left."""
        declared = arrival.declared_length
        if declared is not None and declared > limit:
            note = (
                f"Body of {size_text(declared)} is over the {size_text(limit)} limit;"
                " answered 413 without reading it."
            )
            return _Body(b"", declared, note)
        chunks: list[bytes] = []
        size = 0
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                note = (
                    f"Body grew over the {size_text(limit)} limit (no length declared);"
                    f" answered 413 and stopped reading after {size_text(size)}."
                )
                return _Body(b"", size, note)
            chunks.append(chunk)
            if not message.get("more_body", False):
                data = b"".join(chunks)
                return _Body(data, len(data))

    async def _event(
        self, config: ReceiverConfig, arrival: _Arrival, body: _Body, status: int
    ) -> WebhookEvent:
        """The event to store, its signature verified."""
        if body.refused_note:
            verdict = _over_limit_verdict(config.signature, arrival.headers)
        elif len(body.data) <= _VERIFY_HERE_BYTES:
            verdict = _verify(config.signature, arrival.headers, body.data)
        else:
            verdict = await asyncio.get_running_loop().run_in_executor(
                self._executor, _verify, config.signature, arrival.headers, body.data
            )
        summary = EventSummary(
            id=0,
            received_at=arrival.received_at,
            method=arrival.method,
            path=arrival.path,
            query=arrival.query,
            source=arrival.source,
            content_type=arrival.content_type,
            size=body.size,
            verdict=verdict.state,
            verdict_reason=verdict.reason,
            response_status=status,
            note=body.refused_note,
        )
        return WebhookEvent(summary=summary, headers=arrival.headers, body=body.data)

    async def _wait(self, delay_s: float) -> None:
        if delay_s <= 0 or self._hurry.is_set():
            return
        with contextlib.suppress(TimeoutError):  # the delay is over: answer
            await asyncio.wait_for(self._hurry.wait(), timeout=delay_s)

    def _report_event(self, summary: EventSummary) -> None:
        try:
            self._on_event(summary)
        except Exception:  # the receiver keeps serving whatever the listener does
            _log.exception("on_event raised for event %s", summary.id)

    def _report_error(self, sentence: str) -> None:
        try:
            self._on_error(sentence)
        except Exception:
            _log.exception("on_error raised")


# --- the listening socket ---------------------------------------------------------------


def bind_listener(host: str, port: int) -> socket.socket:
    """Bind and listen on host:port, or raise WebhookBindError saying why not.

    Every OSError on the way (resolving, creating the socket, binding, listening) becomes
    a WebhookBindError: an IPv6 host on a machine without IPv6 fails in ``socket()``
    itself (EAFNOSUPPORT), and a full descriptor table (EMFILE) can fail anywhere.
    """
    bare = host.strip().strip("[]")
    if is_all_interfaces(bare):
        bare = "::" if bare == "::" else "0.0.0.0"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            bare, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookBindError(
            f"Cannot listen on {host}: the name does not resolve to an address of this"
            f" machine ({exc}). Use 127.0.0.1, or 0.0.0.0 for all interfaces.",
            host=host,
            port=port,
        ) from None
    except OSError as exc:
        raise _bind_error(exc, host, port) from None
    try:
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise _bind_error(exc, host, port) from None
    try:
        if os.name != "nt":
            # A restart may reuse a port whose old connections sit in TIME_WAIT; on POSIX
            # this never allows a second listener (on Windows it would, hence skipped).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and bare == "::":
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # IPv4 too
        sock.bind(address)
        sock.listen(2048)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, host, port) from None
    return sock


def _bind_error(exc: OSError, host: str, port: int) -> WebhookBindError:
    if exc.errno in _IN_USE:
        text = (
            f"Port {port} on {host} is already in use by another program: choose another"
            " port or stop that program."
        )
    elif exc.errno in _NOT_ALLOWED:
        text = (
            f"Listening on {host} port {port} is not allowed: ports under 1024 need"
            " administrator rights, and a firewall or security policy may forbid others."
            " Choose a port from 1024 to 65535."
        )
    elif exc.errno in _NOT_HERE:
        text = (
            f"{host} is not an address of this machine, so the receiver cannot listen on"
            " it. Use 127.0.0.1 (this computer only) or 0.0.0.0 (all interfaces)."
        )
    elif exc.errno in _NO_FAMILY:
        text = (
            f"Cannot listen on {host} port {port}: this machine does not support that kind"
            " of address (IPv6 is probably turned off). Use 127.0.0.1 (this computer only)"
            " or 0.0.0.0 (all interfaces)."
        )
    elif exc.errno in _TOO_MANY_FILES:
        text = (
            f"Cannot listen on {host} port {port}: too many files and connections are open"
            " (the system's limit). Close some connections or other programs and try again."
        )
    else:
        reason = (exc.strerror or str(exc)).rstrip(".").lower()
        text = (
            f"Cannot listen on {host} port {port}: {reason}. Try 127.0.0.1 (this computer"
            " only) or 0.0.0.0 (all interfaces), and port 0 to pick a free one."
        )
    return WebhookBindError(text, host=host, port=port)
