"""The webhook receiver: a local HTTP server that captures every request it gets.

:class:`WebhookReceiver` runs uvicorn (serving
:class:`~apiclient.protocols.webhook_app.WebhookApp`) on its own thread with its own
event loop, so a busy window never slows it and a burst of events never freezes the
window. :meth:`~WebhookReceiver.start` and
:meth:`~WebhookReceiver.stop` are coroutines for the caller's loop (the GUI's, through
qasync) that wait for that thread without blocking their loop. The callbacks are
called on the receiver's thread: the UI wraps them in queued Qt signals.

The listening socket is bound by :func:`~apiclient.protocols.webhook_app.bind_listener`
rather than by uvicorn, which calls ``sys.exit`` when its own bind fails; a failure
becomes a :class:`WebhookBindError` a person can act on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ipaddress
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

import uvicorn

from apiclient.protocols.errors import (
    RequestBuildError,
    WebhookBindError,
    WebhookConfigError,
    WebhookError,
    WebhookStoreError,
)
from apiclient.protocols.http import encode_header
from apiclient.protocols.webhook_app import WebhookApp, bind_listener
from apiclient.protocols.webhook_events import (
    LOOPBACK_NAMES,
    EventSummary,
    ForwardResult,
    ReceiverConfig,
    is_all_interfaces,
)
from apiclient.protocols.webhook_replay import EventForwarder, check_target_url
from apiclient.protocols.webhook_signatures import check_signature_config
from apiclient.protocols.webhook_store import WebhookStore

__all__ = [
    "MAX_BODY_LIMIT",
    "MAX_DELAY_S",
    "WebhookBindError",
    "WebhookConfigError",
    "WebhookError",
    "WebhookReceiver",
    "WebhookStoreError",
    "check_receiver_config",
    "is_all_interfaces",
]

MAX_DELAY_S = 300.0
MAX_BODY_LIMIT = 1024 * 1024 * 1024  # 1 GiB: a body is held in memory while it is stored
GRACEFUL_SHUTDOWN_S = 2.0  # a request still running when the receiver stops gets this long
_START_TIMEOUT_S = 15.0
_STORE_THREADS = 4
_STOP_TIMEOUT_S = 5.0  # past the graceful period: uvicorn's own steps and closing the store

_log = logging.getLogger(__name__)
# Headers the receiver writes itself: one typed in the settings would contradict them.
_OWN_HEADERS = frozenset({"content-length", "transfer-encoding"})


# --- settings ---------------------------------------------------------------------------


def check_receiver_config(config: ReceiverConfig) -> None:
    """Raise :class:`WebhookConfigError` (naming the field) for settings that cannot work."""
    host = config.host.strip()
    if not host:
        raise WebhookConfigError(
            "Enter the address to listen on: 127.0.0.1 for this computer only, or 0.0.0.0"
            " to accept events from other machines.",
            field="host",
        )
    if any(ch.isspace() for ch in host) or "/" in host:
        raise WebhookConfigError(f"{host!r} is not a host address.", field="host")
    _check_port(config.port)
    _check_response(config)
    if not 1 <= config.max_body_bytes <= MAX_BODY_LIMIT:
        raise WebhookConfigError(
            f"The body size limit must be from 1 byte to 1 GB, not {config.max_body_bytes}.",
            field="max_body_bytes",
        )
    if config.forward_url.strip():
        try:
            check_target_url(config.forward_url)
        except RequestBuildError as exc:
            raise WebhookConfigError(f"Forward URL: {exc.message}", field="forward_url") from None
    check_signature_config(config.signature)


def _check_port(port: int) -> None:
    if port == 0:
        return
    if 1 <= port < 1024:
        raise WebhookConfigError(
            f"Port {port} is under 1024: such ports need administrator rights. Use a port"
            " from 1024 to 65535, or 0 to pick a free one.",
            field="port",
        )
    if not 1024 <= port <= 65535:
        raise WebhookConfigError(
            f"Port {port} is not valid: use 1024 to 65535, or 0 to pick a free one.",
            field="port",
        )


def _check_response(config: ReceiverConfig) -> None:
    response = config.response
    # 1xx are interim answers: HTTP/1.1 cannot end a request with one.
    if not 200 <= response.status <= 599:
        raise WebhookConfigError(
            f"The response status {response.status} is not valid: use 200 to 599.",
            field="response.status",
        )
    for name, value in response.headers:
        try:
            encode_header(name, value)
        except RequestBuildError as exc:
            raise WebhookConfigError(exc.message, field="response.headers") from None
        if name.lower() in _OWN_HEADERS:
            raise WebhookConfigError(
                f"Remove the {name} header: the receiver sets it from the response body.",
                field="response.headers",
            )
    delay = response.delay_s
    if math.isnan(delay) or not 0 <= delay <= MAX_DELAY_S:
        raise WebhookConfigError(
            f"The response delay must be from 0 to {MAX_DELAY_S:g} seconds, not {delay:g}.",
            field="response.delay_s",
        )


def _forwards_to_itself(config: ReceiverConfig, port: int) -> bool:
    """Whether ``forward_url`` points at this receiver (each event would come back)."""
    if not config.forward_url.strip():
        return False
    target = urlsplit(config.forward_url.strip())
    try:
        target_port = target.port or (443 if target.scheme == "https" else 80)
    except ValueError:
        return False
    host = (target.hostname or "").lower()
    own = config.host.strip().strip("[]").lower()
    return target_port == port and (host == own or host in LOOPBACK_NAMES or is_all_interfaces(own))


def _loop_error(url: str) -> WebhookConfigError:
    return WebhookConfigError(
        f"The forward URL {url} is this receiver itself: every event would be forwarded"
        " to itself forever. Enter the address of the program that should get the events.",
        field="forward_url",
    )


def _url_host(host: str) -> str:
    """The host as it goes in the URL shown to paste in a sender."""
    if is_all_interfaces(host):
        return "127.0.0.1"
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return host
    return f"[{bare}]" if address.version == 6 else bare


# --- the receiver -----------------------------------------------------------------------


def _ignore_forward(_result: ForwardResult) -> None:
    """``on_forward`` when none is given."""


class WebhookReceiver:
    """A local webhook receiver that stores every request in ``store``.

    Callbacks, all called on the receiver's own thread (never raise into it; an
    exception is logged and the receiver keeps serving):

    * ``on_event(summary)``: an event was stored (before it is answered);
    * ``on_forward(result)``: the outcome of forwarding an event to ``forward_url``;
    * ``on_error(sentence)``: something went wrong that a person should know (an event
      that could not be stored, the server stopping on its own).

    One receiver listens at most once at a time; it can be started again after
    :meth:`stop`. The store stays the caller's to close.
    """

    def __init__(
        self,
        store: WebhookStore,
        *,
        on_event: Callable[[EventSummary], None],
        on_forward: Callable[[ForwardResult], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._on_event = on_event
        self._on_forward = on_forward or _ignore_forward
        self._on_error = on_error
        self._config = ReceiverConfig()
        self._lock = threading.Lock()  # guards the fields below, set from both threads
        self._thread: threading.Thread | None = None
        self._finished: concurrent.futures.Future[None] | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app: WebhookApp | None = None
        self._exit = threading.Event()
        self._port: int | None = None
        self._url: str | None = None

    # -- state ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the receiver is listening (and not stopping)."""
        with self._lock:
            return self._url is not None and not self._exit.is_set()

    @property
    def url(self) -> str | None:
        """The URL to paste in a sender (``http://127.0.0.1:8790``), None when stopped."""
        with self._lock:
            return self._url

    @property
    def port(self) -> int | None:
        """The port listened on (the one picked when the settings said 0), or None."""
        with self._lock:
            return self._port

    @property
    def config(self) -> ReceiverConfig:
        """The settings in force (as given: port 0 stays 0, see :attr:`port`)."""
        return self._config

    def update(self, config: ReceiverConfig) -> None:
        """Apply new response, signature, body-limit and forward settings to the next
        request. Host and port are kept while running (changing them needs a restart).

        Raises WebhookConfigError for settings that cannot work, keeping the old ones.
        """
        check_receiver_config(config)
        with self._lock:
            if self._url is not None:
                config = replace(config, host=self._config.host, port=self._config.port)
                if self._port is not None and _forwards_to_itself(config, self._port):
                    raise _loop_error(config.forward_url)
            self._config = config

    # -- start and stop ------------------------------------------------------------------

    async def start(self, config: ReceiverConfig) -> str:
        """Start listening with ``config``; return the URL once the server accepts.

        Raises WebhookConfigError for bad settings, WebhookBindError when the address
        cannot be listened on, WebhookError when already running.
        """
        check_receiver_config(config)
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                where = f" at {self._url}" if self._url else ""
                raise WebhookError(f"The receiver is already running{where}; stop it first.")
            self._config = config
            self._exit.clear()
            ready: concurrent.futures.Future[int] = concurrent.futures.Future()
            finished: concurrent.futures.Future[None] = concurrent.futures.Future()
            thread = threading.Thread(
                target=self._run,
                args=(config, ready, finished),
                name="webhook-receiver",
                daemon=True,
            )
            self._thread, self._finished = thread, finished
        thread.start()
        try:
            port = await asyncio.wait_for(asyncio.wrap_future(ready), _START_TIMEOUT_S)
        except TimeoutError:
            await self.stop()
            raise WebhookError(
                f"The receiver did not start listening within {_START_TIMEOUT_S:g} s."
            ) from None
        except BaseException:
            await self.stop()
            raise
        url = f"http://{_url_host(config.host.strip())}:{port}"
        with self._lock:
            if not self._exit.is_set():  # else stop() was called meanwhile
                self._port, self._url = port, url
        return url

    async def stop(self) -> None:
        """Stop listening: requests in progress get ~2 s to finish (pending delays are
        cut short), pending forwards are cancelled. Waits for the receiver's thread
        without blocking the caller's loop; stopping a stopped receiver does nothing."""
        finished = self._request_exit()
        if finished is None:
            return
        try:
            await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(finished)),
                GRACEFUL_SHUTDOWN_S + _STOP_TIMEOUT_S,
            )
        except TimeoutError:
            _log.warning("The webhook receiver's thread did not stop in time")
        self._forget()

    def _request_exit(self) -> concurrent.futures.Future[None] | None:
        """Tell the server to stop; the future is done when its thread is."""
        with self._lock:
            if self._thread is None:
                return None
            self._exit.set()
            server, loop, app = self._server, self._loop, self._app
            finished = self._finished
        if server is not None:
            server.should_exit = True
        if loop is not None and app is not None:
            # RuntimeError: the loop already closed, so nothing is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(app.hurry)
        return finished

    def _forget(self) -> None:
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(0.5)  # it set ``finished`` as its very last step
        with self._lock:
            if thread is not None and thread is self._thread and not thread.is_alive():
                self._thread = self._finished = None
            self._url = self._port = None

    # -- the receiver's thread -----------------------------------------------------------

    def _run(
        self,
        config: ReceiverConfig,
        ready: concurrent.futures.Future[int],
        finished: concurrent.futures.Future[None],
    ) -> None:
        try:
            asyncio.run(self._serve(config, ready))
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            else:
                _log.error("The webhook receiver stopped on an error", exc_info=exc)
                self._report_error(f"The webhook receiver stopped on an error: {exc}")
        else:
            if not ready.done():  # asked to stop before it listened
                ready.set_exception(WebhookError("The receiver was stopped while starting."))
        finally:
            with self._lock:
                self._server = self._loop = self._app = None
                self._url = self._port = None
            finished.set_result(None)

    async def _serve(self, config: ReceiverConfig, ready: concurrent.futures.Future[int]) -> None:
        sock = bind_listener(config.host, config.port)
        forwarder = EventForwarder(self._safe_forward)
        # Storing (one batch at a time) and verifying large bodies run here; a few
        # threads so that one sender's big body does not hold up the others.
        executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=_STORE_THREADS, thread_name_prefix="webhook-store"
        )
        try:
            port = sock.getsockname()[1]
            if _forwards_to_itself(config, port):
                raise _loop_error(config.forward_url)
            app = WebhookApp(
                self._store,
                settings=lambda: self._config,
                on_event=self._on_event,
                on_error=self._report_error,
                forwarder=forwarder,
                executor=executor,
            )
            server = uvicorn.Server(
                uvicorn.Config(
                    app,
                    http="h11",
                    # WebSocket upgrades reach the app, which refuses them (HTTP 403),
                    # rather than being answered as if they were webhooks.
                    ws="websockets-sansio",
                    lifespan="off",
                    log_config=None,  # the application owns logging configuration
                    log_level="warning",
                    access_log=False,
                    server_header=False,  # answer only what the settings say
                    # The source is the real peer, whatever X-Forwarded-For claims.
                    proxy_headers=False,
                    timeout_graceful_shutdown=int(GRACEFUL_SHUTDOWN_S),
                )
            )
            with self._lock:
                if self._exit.is_set():
                    return
                self._server, self._loop, self._app = server, asyncio.get_running_loop(), app
            task = asyncio.create_task(server.serve(sockets=[sock]), name="webhook-uvicorn")
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped it, if anything did
                    raise WebhookError("The receiver stopped before it was listening.")
                await asyncio.sleep(0.01)
            try:
                ready.set_result(port)
            except concurrent.futures.InvalidStateError:  # start() was cancelled
                server.should_exit = True
            await task
        finally:
            await forwarder.aclose()
            sock.close()
            # Waits for a store call still running, so none is once stop() returns.
            executor.shutdown(wait=True)

    def _safe_forward(self, result: ForwardResult) -> None:
        try:
            self._on_forward(result)
        except Exception:  # the receiver keeps serving whatever the listener does
            _log.exception("on_forward raised for event %s", result.event_id)

    def _report_error(self, sentence: str) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(sentence)
        except Exception:
            _log.exception("on_error raised")
