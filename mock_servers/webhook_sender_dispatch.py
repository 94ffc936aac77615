"""The webhook sender's state and delivery loop: registrations, the delivery log,
retries with back-off, and a timer per registration that asks for one.

One WebhookSender lives per mock-host run and is shared by the REST mock and the
sender's own port, so a registration made on one is seen on the other. Everything it
starts (delivery tasks, timers, the HTTP client) ends in `aclose()`. All of it runs on
one event loop, so its state needs no locks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from mock_servers.webhook_sender_events import build_event, iso_utc
from mock_servers.webhook_sender_input import (
    MAX_PER_TRIGGER,
    RegistrationSpec,
    TriggerSpec,
    WebhookRequestError,
)
from mock_servers.webhook_signing import SignatureScheme, delivery_headers, new_message_id

__all__ = ["Attempt", "Delivery", "DeliveryState", "Registration", "WebhookSender"]

DeliveryState = Literal["pending", "retrying", "delivered", "failed"]

USER_AGENT = "apiclient-webhook-sender/1.0"
MAX_REGISTRATIONS = 100
# Deliveries not yet final (sending or waiting to retry); a trigger beyond it gets 429.
MAX_IN_FLIGHT = 1000
# Requests on the wire at once; the others wait for a slot.
MAX_CONCURRENT_ATTEMPTS = 20
DELIVERY_LOG_SIZE = 1000

_log = logging.getLogger(__name__)


@dataclass
class Registration:
    """A target and how to sign and retry for it; disabled when the target answers 410."""

    id: str
    spec: RegistrationSpec
    created_at: str
    active: bool = True
    disabled_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "id": self.id,
            "url": spec.url,
            "events": list(spec.events),
            "secret": spec.secret,
            "signature": spec.signature,
            "interval_s": spec.interval_s,
            "max_attempts": spec.max_attempts,
            "backoff_s": spec.backoff_s,
            "timeout_s": spec.timeout_s,
            "active": self.active,
            "disabled_reason": self.disabled_reason,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class Attempt:
    """One try: when, the target's status (None when no answer came) and what went wrong."""

    at: str
    status: int | None
    error: str | None
    elapsed_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "status": self.status,
            "error": self.error,
            "elapsed_ms": self.elapsed_ms,
        }


@dataclass
class Delivery:
    """One event on its way to one registration, through all its attempts."""

    id: str
    registration_id: str
    event_type: str
    webhook_id: str
    url: str
    signature: SignatureScheme
    payload: dict[str, Any]
    body: bytes
    created_at: str
    state: DeliveryState = "pending"
    reason: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def finish(self, state: DeliveryState, reason: str | None = None) -> None:
        self.state = state
        self.reason = reason
        self.finished.set()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "registration_id": self.registration_id,
            "event_type": self.event_type,
            "webhook_id": self.webhook_id,
            "url": self.url,
            "signature": self.signature,
            "state": self.state,
            "reason": self.reason,
            "created_at": self.created_at,
            "attempts": [attempt.to_json() for attempt in self.attempts],
            "payload": self.payload,
        }


class WebhookSender:
    """Registrations, deliveries and timers of one run; see the module docstring."""

    def __init__(self) -> None:
        self._registrations: dict[str, Registration] = {}
        self._log: dict[str, Delivery] = {}  # oldest first; trimmed to DELIVERY_LOG_SIZE
        self._running: dict[asyncio.Task[None], Delivery] = {}
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_ATTEMPTS)
        self._client: httpx.AsyncClient | None = None
        self._rng = random.Random()
        self._closed = False

    # -- registrations ----------------------------------------------------------------

    def register(self, spec: RegistrationSpec) -> Registration:
        """Add a registration and start its timer if it has an interval."""
        self._check_open()
        if len(self._registrations) >= MAX_REGISTRATIONS:
            raise WebhookRequestError(
                409,
                f"There are already {MAX_REGISTRATIONS} registrations, the most this mock "
                "keeps; delete some with DELETE /api/webhooks/registrations/{id}.",
            )
        registration = Registration(id="wh_" + secrets.token_hex(8), spec=spec, created_at=_now())
        self._registrations[registration.id] = registration
        if spec.interval_s is not None:
            self._timers[registration.id] = asyncio.create_task(
                self._tick(registration, spec.interval_s), name=f"webhook-timer-{registration.id}"
            )
        return registration

    def registrations(self) -> list[Registration]:
        return list(self._registrations.values())

    def unregister(self, registration_id: str) -> None:
        """Forget a registration, stop its timer and drop its pending retries."""
        registration = self._registrations.pop(registration_id, None)
        if registration is None:
            raise WebhookRequestError(
                404,
                f"There is no registration {registration_id!r}; "
                "GET /api/webhooks/registrations lists them.",
            )
        self._disable(registration, "the registration was deleted")
        for task, delivery in list(self._running.items()):
            if delivery.registration_id == registration_id:
                task.cancel()

    # -- deliveries -------------------------------------------------------------------

    def trigger(self, spec: TriggerSpec) -> list[Delivery]:
        """Start the deliveries a trigger asks for; see `_targets` for who gets what."""
        self._check_open()
        plan = [
            (registration, event_type)
            for _ in range(spec.count)
            for registration, event_types in self._targets(spec)
            for event_type in event_types
        ]
        if len(plan) > MAX_PER_TRIGGER:
            raise WebhookRequestError(
                400,
                f"This trigger would send {len(plan)} events; one trigger sends at most "
                f"{MAX_PER_TRIGGER}. Lower count, or name an event_type or a registration_id.",
            )
        if len(self._running) + len(plan) > MAX_IN_FLIGHT:
            raise WebhookRequestError(
                429,
                f"{len(self._running)} deliveries are still in flight and this mock keeps at "
                f"most {MAX_IN_FLIGHT}; wait for them (GET /api/webhooks/deliveries) and retry.",
            )
        return [self._start(registration, event, spec.data) for registration, event in plan]

    def deliveries(self, registration_id: str | None, limit: int) -> list[Delivery]:
        """The log, newest first, optionally of one registration only."""
        found: list[Delivery] = []
        for delivery in reversed(self._log.values()):
            if registration_id is None or delivery.registration_id == registration_id:
                found.append(delivery)
                if len(found) == limit:
                    break
        return found

    async def wait(self, deliveries: list[Delivery], timeout: float) -> bool:
        """Wait until every delivery is final; False when `timeout` ran out first."""
        try:
            async with asyncio.timeout(timeout):
                for delivery in deliveries:
                    await delivery.finished.wait()
        except TimeoutError:
            return False
        return True

    async def aclose(self) -> None:
        """Stop timers and deliveries, close the HTTP client; later requests get 503."""
        self._closed = True
        tasks = [*self._timers.values(), *self._running]
        self._timers.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- inside -----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise WebhookRequestError(
                503, "The webhook sender is stopping; start the mock servers again."
            )

    def _targets(self, spec: TriggerSpec) -> list[tuple[Registration, tuple[str, ...]]]:
        """Who gets which events: the named registration or every active one subscribed
        to `event_type`; each gets `event_type`, or without one each event it subscribes to.
        """
        wanted = spec.event_type
        if spec.registration_id is not None:
            registration = self._registrations.get(spec.registration_id)
            if registration is None:
                raise WebhookRequestError(
                    400,
                    f'"registration_id" {spec.registration_id!r} is not registered; use an id '
                    "from GET /api/webhooks/registrations, or leave it out to trigger all.",
                )
            if not registration.active:
                raise WebhookRequestError(
                    409,
                    f"Registration {registration.id} is disabled ({registration.disabled_reason}); "
                    "register the URL again.",
                )
            if wanted is not None and wanted not in registration.spec.events:
                raise WebhookRequestError(
                    409,
                    f"Registration {registration.id} is not subscribed to {wanted}; it receives "
                    f"{', '.join(registration.spec.events)}.",
                )
            matching = [registration]
        else:
            matching = [
                registration
                for registration in self._registrations.values()
                if registration.active and (wanted is None or wanted in registration.spec.events)
            ]
            if not matching:
                subscribed = f"subscribed to {wanted}" if wanted else "active"
                raise WebhookRequestError(
                    409,
                    f"No registration is {subscribed}; register a target first with POST "
                    '/api/webhooks/register, for example {"url": '
                    '"http://127.0.0.1:9000/webhooks/payments"}.',
                )
        return [(r, (wanted,) if wanted else r.spec.events) for r in matching]

    def _start(
        self, registration: Registration, event_type: str, extra_data: dict[str, Any] | None
    ) -> Delivery:
        now = datetime.now(UTC)
        payload = build_event(event_type, rng=self._rng, now=now, extra_data=extra_data)
        spec = registration.spec
        delivery = Delivery(
            id="dlv_" + secrets.token_hex(8),
            registration_id=registration.id,
            event_type=event_type,
            webhook_id=new_message_id(spec.signature),
            url=spec.url,
            signature=spec.signature,
            payload=payload,
            body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            created_at=iso_utc(now),
        )
        self._log[delivery.id] = delivery
        while len(self._log) > DELIVERY_LOG_SIZE:
            del self._log[next(iter(self._log))]
        task = asyncio.create_task(
            self._deliver(registration, delivery), name=f"webhook-{delivery.id}"
        )
        self._running[task] = delivery
        task.add_done_callback(self._forget)
        return delivery

    def _forget(self, task: asyncio.Task[None]) -> None:
        """Done callback of a delivery task: a task cancelled (perhaps before it ever ran)
        or broken has not said why it ended, so it is said here."""
        delivery = self._running.pop(task)
        if delivery.finished.is_set():
            return
        if task.cancelled():
            why = "the mock servers stopped" if self._closed else "the registration was deleted"
            delivery.finish("failed", f"Stopped because {why}.")
        else:
            _log.error("Delivery %s broke", delivery.id, exc_info=task.exception())
            delivery.finish("failed", "The mock broke while sending; its log says why.")

    async def _deliver(self, registration: Registration, delivery: Delivery) -> None:
        """Attempt until a 2xx, a 410, or max_attempts; wait backoff_s * 2**(n-1) between."""
        spec = registration.spec
        for number in range(1, spec.max_attempts + 1):
            if not registration.active:
                delivery.finish("failed", f"Not sent again: {registration.disabled_reason}.")
                return
            attempt = await self._attempt(spec, delivery)
            delivery.attempts.append(attempt)
            if attempt.status is not None and 200 <= attempt.status < 300:
                delivery.finish("delivered")
                return
            if attempt.status == 410:
                self._disable(registration, "the target answered 410 Gone")
                delivery.finish(
                    "failed",
                    f"The target answered 410 Gone, so registration {registration.id} "
                    "was disabled (the Standard Webhooks convention).",
                )
                return
            if number == spec.max_attempts:
                delivery.finish("failed", f"Gave up after {number} attempts.")
                return
            delivery.state = "retrying"
            await asyncio.sleep(spec.backoff_s * 2 ** (number - 1))

    async def _attempt(self, spec: RegistrationSpec, delivery: Delivery) -> Attempt:
        async with self._slots:
            # Signed now, after any wait for a slot: each attempt has a fresh timestamp.
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **delivery_headers(
                    spec.signature,
                    spec.secret,
                    delivery.body,
                    message_id=delivery.webhook_id,
                    event_type=delivery.event_type,
                    timestamp=int(time.time()),
                ),
            }
            at = _now()
            started = time.perf_counter()
            status: int | None = None
            try:
                async with asyncio.timeout(spec.timeout_s):
                    response = await self._http().post(
                        delivery.url, content=delivery.body, headers=headers
                    )
                status = response.status_code
                error = (
                    None
                    if response.is_success
                    else f"The target answered {status} {response.reason_phrase}."
                )
            except TimeoutError:
                error = f"No answer within {spec.timeout_s:g} s."
            except httpx.ConnectError as exc:
                error = f"Could not connect to {delivery.url}: {exc or 'refused'}."
            except httpx.HTTPError as exc:
                error = f"The request failed: {exc or type(exc).__name__}."
            elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return Attempt(at=at, status=status, error=error, elapsed_ms=elapsed_ms)

    def _http(self) -> httpx.AsyncClient:
        # Made on first use so it belongs to the loop that sends. No proxies from the
        # environment (targets are on this machine) and no redirects (a 3xx is a failure).
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=None,
                trust_env=False,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=MAX_CONCURRENT_ATTEMPTS),
            )
        return self._client

    def _disable(self, registration: Registration, reason: str) -> None:
        registration.active = False
        registration.disabled_reason = reason
        timer = self._timers.pop(registration.id, None)
        if timer is not None:
            timer.cancel()

    async def _tick(self, registration: Registration, interval_s: float) -> None:
        """Send a random subscribed event every interval, skipping ticks when overloaded."""
        while True:
            await asyncio.sleep(interval_s)
            if len(self._running) < MAX_IN_FLIGHT:
                self._start(registration, self._rng.choice(registration.spec.events), None)


def _now() -> str:
    return iso_utc(datetime.now(UTC))
