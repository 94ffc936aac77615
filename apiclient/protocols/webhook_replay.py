"""Send a captured webhook event again: replayed by hand to a URL, or forwarded by the
receiver to ``forward_url`` as each event arrives.

Both go through :func:`replay_target`, so a replay and a forward of the same event send
the same request: the event's method, headers (minus hop-by-hop ones and those httpx
sets itself) and body, to the target URL with the event's path and query appended.
Failures are the HTTP error classes of :mod:`apiclient.protocols.errors`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx

from apiclient.protocols.errors import ConnectError, DnsError, ProtocolError, RequestBuildError
from apiclient.protocols.http import map_httpx_error, normalize_url
from apiclient.protocols.webhook_events import ForwardResult, WebhookEvent

__all__ = [
    "FORWARD_CONCURRENCY",
    "FORWARD_TIMEOUT_S",
    "EventForwarder",
    "check_target_url",
    "replay",
    "replay_target",
]

FORWARD_CONCURRENCY = 8  # forwards in flight at once; the rest wait their turn
FORWARD_TIMEOUT_S = 10.0
_MAX_WAITING = 1000  # events queued for forwarding before new ones are refused

# Headers that describe one connection, not the event (RFC 9110 section 7.6.1), plus
# the ones the new request computes for itself.
_NOT_RESENT = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "expect",
        "host",
        "content-length",
    }
)
# What httpx adds to every request unless told otherwise; dropped again when the event
# did not carry them, so the target sees what the original sender sent.
_HTTPX_DEFAULTS = ("accept", "accept-encoding", "user-agent")


def check_target_url(url: str) -> str:
    """Return ``url`` ready to send, or raise RequestBuildError: it must be
    ``http://`` or ``https://`` with a host (no scheme is guessed here, so a typo such
    as ``localhost:3000`` is reported instead of sent somewhere unexpected)."""
    text = url.strip()
    example = "Enter one such as http://127.0.0.1:3000/webhooks."
    if not text:
        raise RequestBuildError(f"The target URL is empty. {example}")
    scheme = text.partition("://")[0].lower() if "://" in text else ""
    if scheme not in ("http", "https"):
        raise RequestBuildError(
            f"The target URL {text!r} must start with http:// or https://. {example}"
        )
    normalized = normalize_url(text)
    if not urlsplit(normalized).hostname:
        raise RequestBuildError(f"The target URL {text!r} has no host. {example}")
    return normalized


def _join(base: str, path: str, query: str) -> str:
    """``base`` with the event's path appended to its path, and its query after any."""
    parts = urlsplit(base)
    if path in ("", "/"):
        joined_path = parts.path or "/"
    else:
        joined_path = parts.path.rstrip("/") + (path if path.startswith("/") else f"/{path}")
    queries = [q for q in (parts.query, query) if q]
    url = f"{parts.scheme}://{parts.netloc}{joined_path}"
    return f"{url}?{'&'.join(queries)}" if queries else url


def _connection_tokens(headers: tuple[tuple[str, str], ...]) -> set[str]:
    """Header names listed in ``Connection``: they are hop-by-hop too."""
    return {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }


def replay_target(event: WebhookEvent, url: str) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """What resending ``event`` to ``url`` sends: (method, full URL, headers, body).

    Raises RequestBuildError when ``url`` is not http(s) with a host, or when the
    event's body was not kept (refused with 413 as over the size limit).
    """
    base = check_target_url(url)
    summary = event.summary
    if not event.body and summary.size > 0:
        raise RequestBuildError(
            f"Event #{event.id} cannot be sent again: its body ({summary.size} bytes) was"
            " not kept because it was over the size limit."
        )
    full_url = normalize_url(_join(base, summary.path, summary.query))
    dropped = _NOT_RESENT | _connection_tokens(event.headers)
    headers = [(name, value) for name, value in event.headers if name.lower() not in dropped]
    return summary.method, full_url, headers, event.body


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _failure(exc: BaseException, url: str, timeout_s: float) -> ProtocolError:
    """The typed error for a failed send, naming the target and what to do."""
    error = map_httpx_error(exc, url, timeout_s)
    if isinstance(error, ConnectError) and not isinstance(error, DnsError):
        if any(isinstance(cause, ConnectionRefusedError) for cause in _causes(exc)):
            return ConnectError(
                f"Nothing is listening at {url} (connection refused). Start the program"
                " that should receive the event, or correct the URL, then try again."
            )
        return ConnectError(f"The event could not be sent to {url}. {error.message}")
    return error


async def replay(
    event: WebhookEvent,
    url: str,
    *,
    timeout_s: float = 10.0,
    client: httpx.AsyncClient | None = None,
) -> ForwardResult:
    """Send ``event`` to ``url`` (see :func:`replay_target`) and report the answer.

    Redirects are not followed: the status the target answered is the result. Without
    ``client``, one is built for this send (in a worker thread, since loading its CA
    bundle takes ~50 ms) and closed after. Raises RequestBuildError for a bad URL and
    the HTTP error classes (ConnectError, RequestTimeoutError...) when sending fails.
    """
    method, full_url, headers, body = replay_target(event, url)
    if client is None:
        own = await asyncio.to_thread(httpx.AsyncClient)
        async with own:
            return await _send(own, event.id, method, full_url, headers, body, timeout_s)
    return await _send(client, event.id, method, full_url, headers, body, timeout_s)


async def _send(
    client: httpx.AsyncClient,
    event_id: int,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
    timeout_s: float,
) -> ForwardResult:
    # UTF-8 bytes: a received value that was not ASCII goes out as it came (httpx would
    # refuse a str that is not ASCII).
    encoded = [(name.encode("latin-1"), value.encode("utf-8")) for name, value in headers]
    started = time.perf_counter()
    try:
        request = client.build_request(
            method, url, headers=encoded, content=body or None, timeout=timeout_s
        )
        sent = {name.lower() for name, _ in headers}
        for name in _HTTPX_DEFAULTS:
            if name not in sent:
                request.headers.pop(name, None)
        response = await client.send(request)
        await response.aclose()
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        raise _failure(exc, url, timeout_s) from None
    elapsed_ms = (time.perf_counter() - started) * 1000
    return ForwardResult(
        event_id=event_id, url=url, status=response.status_code, elapsed_ms=elapsed_ms
    )


class EventForwarder:
    """Forwards events to a URL from the receiver's own loop, at most
    :data:`FORWARD_CONCURRENCY` at once, and reports each outcome to ``on_forward``
    (called on that loop; it must be cheap and not raise).

    Owns one httpx client, built on first use; :meth:`aclose` cancels pending forwards
    and closes it. Create, use and close it on the same event loop.
    """

    def __init__(
        self,
        on_forward: Callable[[ForwardResult], None],
        *,
        timeout_s: float = FORWARD_TIMEOUT_S,
        concurrency: int = FORWARD_CONCURRENCY,
    ) -> None:
        self._on_forward = on_forward
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._client_lock = asyncio.Lock()
        self._closed = False

    @property
    def pending(self) -> int:
        """Forwards sent or waiting to be sent."""
        return len(self._tasks)

    def submit(self, event: WebhookEvent, url: str) -> None:
        """Forward ``event`` to ``url`` in the background; never raises."""
        if self._closed:
            return
        if len(self._tasks) >= _MAX_WAITING:
            self._on_forward(
                ForwardResult(
                    event_id=event.id,
                    url=url,
                    error=f"Not forwarded: {_MAX_WAITING} events are already waiting to be"
                    f" forwarded to {url}. The target is too slow or does not answer.",
                )
            )
            return
        task = asyncio.create_task(self._forward(event, url), name=f"forward-{event.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _forward(self, event: WebhookEvent, url: str) -> None:
        async with self._slots:
            target = url
            try:
                target = replay_target(event, url)[1]
                client = await self._get_client()
                result = await replay(event, url, timeout_s=self._timeout_s, client=client)
            except ProtocolError as exc:
                result = ForwardResult(event_id=event.id, url=target, error=str(exc))
        self._on_forward(result)

    async def _get_client(self) -> httpx.AsyncClient:
        async with self._client_lock:
            if self._client is None:
                self._client = await asyncio.to_thread(
                    httpx.AsyncClient,
                    limits=httpx.Limits(max_connections=FORWARD_CONCURRENCY),
                )
            return self._client

    async def aclose(self) -> None:
        """Cancel the forwards not yet done and close the client."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        async with self._client_lock:
            if self._client is not None:
                await self._client.aclose()
                self._client = None
