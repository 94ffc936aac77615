"""Helpers for the webhook receiver and replay tests: a probe that records what a
receiver reports (from its own thread), and a set of started receivers that a fixture
stops, checking that no thread of theirs is left behind."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from apiclient.protocols.webhook import WebhookReceiver
from apiclient.protocols.webhook_events import (
    EventSummary,
    ForwardResult,
    ReceiverConfig,
    WebhookEvent,
)
from apiclient.protocols.webhook_store import WebhookStore

RECEIVER_THREADS = ("webhook-receiver", "webhook-store")


@dataclass
class Probe:
    """Records every callback of a receiver; they arrive on the receiver's thread."""

    events: list[EventSummary] = field(default_factory=list)
    forwards: list[ForwardResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_event(self, summary: EventSummary) -> None:
        with self.lock:
            self.events.append(summary)

    def on_forward(self, result: ForwardResult) -> None:
        with self.lock:
            self.forwards.append(result)

    def on_error(self, sentence: str) -> None:
        with self.lock:
            self.errors.append(sentence)

    async def until(self, check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        """Wait (without blocking the test's loop) until ``check()`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if check():
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.005)


@dataclass
class Running:
    """One started receiver with its own store and probe."""

    receiver: WebhookReceiver
    store: WebhookStore
    probe: Probe
    url: str

    def events(self) -> list[WebhookEvent]:
        """Every stored event in full, oldest first."""
        found = [self.store.get(summary.id) for summary in self.store.summaries()]
        return [event for event in reversed(found) if event is not None]


class Receivers:
    """Receivers started by a test, each on a fresh store in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made: list[tuple[WebhookReceiver, WebhookStore]] = []

    def make(self) -> tuple[WebhookReceiver, WebhookStore, Probe]:
        """A receiver that is not started yet."""
        store = WebhookStore(self._folder / f"inbox-{len(self._made)}.sqlite3")
        probe = Probe()
        receiver = WebhookReceiver(
            store, on_event=probe.on_event, on_forward=probe.on_forward, on_error=probe.on_error
        )
        self._made.append((receiver, store))
        return receiver, store, probe

    async def start(self, config: ReceiverConfig | None = None) -> Running:
        receiver, store, probe = self.make()
        url = await receiver.start(config or ReceiverConfig())
        return Running(receiver, store, probe, url)

    async def close(self) -> None:
        for receiver, store in self._made:
            await receiver.stop()
            store.close()
        left = [t.name for t in threading.enumerate() if t.name.startswith(RECEIVER_THREADS)]
        assert not left, f"threads left behind: {left}"


def github_signature(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256`` as GitHub computes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
