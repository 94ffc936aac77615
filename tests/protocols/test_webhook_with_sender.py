"""The receiver registered with the webhook sender mock: triggered events arrive, are
stored, and are judged by each signature preset (valid with the right secret, invalid
with another, unsigned when the scheme differs); and they are found again after a
restart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from webhook_helpers import Receivers

from apiclient.protocols.webhook_events import ReceiverConfig, SignatureConfig
from apiclient.protocols.webhook_store import WebhookStore

STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_STANDARD = "whsec_d3JvbmctYnV0LXdlbGwtZm9ybWVkLXNlY3JldA=="
SECRETS = {"standard": STANDARD_SECRET, "github": "gh-secret", "stripe": "whsec_stripe123"}
WRONG = {"standard": OTHER_STANDARD, "github": "not-it", "stripe": "whsec_other"}


@pytest.fixture
async def sender(mock_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the sender mock's own port; registrations made are deleted after."""
    async with httpx.AsyncClient(
        base_url=mock_urls["webhook_sender"], timeout=60, trust_env=False
    ) as client:
        before = {
            r["id"]
            for r in (await client.get("/api/webhooks/registrations")).json()["registrations"]
        }
        yield client
        after = (await client.get("/api/webhooks/registrations")).json()["registrations"]
        for registration in after:
            if registration["id"] not in before:
                await client.delete(f"/api/webhooks/registrations/{registration['id']}")


async def _register(client: httpx.AsyncClient, url: str, scheme: str, secret: str) -> str:
    answer = await client.post(
        "/api/webhooks/register",
        json={"url": url, "signature": scheme, "secret": secret, "max_attempts": 1},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def _trigger(client: httpx.AsyncClient, registration: str, event_type: str) -> None:
    answer = await client.post(
        "/api/webhooks/trigger?wait=true",
        json={"registration_id": registration, "event_type": event_type},
    )
    assert answer.status_code == 200, answer.text
    assert [d["state"] for d in answer.json()["deliveries"]] == ["delivered"]


@pytest.mark.parametrize("scheme", ["standard", "github", "stripe"])
async def test_each_scheme_valid_with_its_secret_invalid_with_another(
    receivers: Receivers, sender: httpx.AsyncClient, scheme: str
) -> None:
    config = ReceiverConfig(signature=SignatureConfig(scheme=scheme, secret=SECRETS[scheme]))
    running = await receivers.start(config)
    right = await _register(sender, f"{running.url}/hooks/{scheme}", scheme, SECRETS[scheme])
    wrong = await _register(sender, f"{running.url}/hooks/{scheme}", scheme, WRONG[scheme])
    await _trigger(sender, right, "payment.completed")
    await _trigger(sender, wrong, "payment.failed")

    await running.probe.until(lambda: len(running.probe.events) == 2, "two events")
    first, second = running.events()
    assert first.summary.verdict == "valid", first.summary.verdict_reason
    assert second.summary.verdict == "invalid", second.summary.verdict_reason
    assert "match" in second.summary.verdict_reason
    for event, kind in ((first, "payment.completed"), (second, "payment.failed")):
        assert event.summary.method == "POST" and event.summary.path == f"/hooks/{scheme}"
        assert event.summary.content_type.startswith("application/json")
        assert json.loads(event.body)["event_type"] == kind


async def test_another_scheme_is_unsigned(receivers: Receivers, sender: httpx.AsyncClient) -> None:
    config = ReceiverConfig(signature=SignatureConfig(scheme="standard", secret=STANDARD_SECRET))
    running = await receivers.start(config)
    github = await _register(sender, f"{running.url}/gh", "github", "gh-secret")
    await _trigger(sender, github, "payment.disputed")
    await running.probe.until(lambda: len(running.probe.events) == 1, "one event")
    assert running.probe.events[0].verdict == "unsigned"


async def test_triggered_events_survive_a_restart(
    receivers: Receivers, sender: httpx.AsyncClient, tmp_path: Path
) -> None:
    config = ReceiverConfig(signature=SignatureConfig(scheme="standard", secret=STANDARD_SECRET))
    running = await receivers.start(config)
    registration = await _register(sender, f"{running.url}/pay", "standard", STANDARD_SECRET)
    answer = await sender.post(
        "/api/webhooks/trigger?wait=true", json={"registration_id": registration, "count": 5}
    )
    assert answer.status_code == 200, answer.text
    sent = len(answer.json()["deliveries"])
    await running.probe.until(lambda: len(running.probe.events) == sent, "every event")
    path = running.store.path
    await running.receiver.stop()
    running.store.close()

    with WebhookStore(path) as reopened:
        assert reopened.count() == sent
        kinds = {
            json.loads(e.body)["event_type"]
            for s in reopened.summaries()
            if (e := reopened.get(s.id))
        }
        assert kinds <= {"payment.completed", "payment.failed", "payment.disputed"}
        assert reopened.count("valid") == sent
