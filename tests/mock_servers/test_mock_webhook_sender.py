"""The webhook sender mock: registration, signed deliveries, retries, timers, the log.

A small real receiver runs on an ephemeral port of 127.0.0.1 in each test, records what
arrives, and answers with statuses a test scripts (500 twice, then 200; 410; a hang).
Signatures are checked with hmac here, independently of mock_servers.webhook_signing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_servers import rest
from mock_servers.host import DEFAULT_PORTS, MockHost
from mock_servers.serving import serve_asgi
from mock_servers.webhook_sender import WebhookSender, start_webhook_sender
from mock_servers.webhook_signing import delivery_headers

EVENTS = ["payment.completed", "payment.failed", "payment.disputed"]
STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass
class Hit:
    path: str
    headers: httpx.Headers
    body: bytes
    at: float

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook target: records every POST and answers 200, or the statuses scripted for
    its path in turn, the last one repeating."""

    port: int = 0
    hits: list[Hit] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    hang_s: dict[str, float] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *statuses: int) -> None:
        self.scripts[path] = list(statuses)

    def at(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    async def wait_for(self, path: str, count: int, timeout: float = 5.0) -> list[Hit]:
        deadline = time.monotonic() + timeout
        while len(self.at(path)) < count:
            assert time.monotonic() < deadline, f"{len(self.at(path))} of {count} hits on {path}"
            await asyncio.sleep(0.02)
        return self.at(path)

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        self.hits.append(Hit(path, httpx.Headers(request.headers), body, time.monotonic()))
        await asyncio.sleep(self.hang_s.get(path, 0))
        script = self.scripts.get(path, [200])
        status = script.pop(0) if len(script) > 1 else script[0]
        return Response(f"answered {status}", status_code=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = Starlette(routes=[Route("/{path:path}", target.handle, methods=["POST"])])
    server = await serve_asgi(app, name="receiver", host="127.0.0.1", port=0)
    target.port = server.port
    try:
        yield target
    finally:
        await server.stop()


class Api:
    """The sender's routes on one base URL; forgets its registrations afterwards."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.registered: list[str] = []

    async def register(self, **body: Any) -> dict[str, Any]:
        response = await self.http.post("/api/webhooks/register", json=body)
        assert response.status_code == 201, response.text
        registration = response.json()
        self.registered.append(registration["id"])
        return registration

    async def trigger(self, **body: Any) -> list[dict[str, Any]]:
        response = await self.http.post("/api/webhooks/trigger?wait=true", json=body)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["complete"] is True
        assert answer["delivery_ids"] == [d["id"] for d in answer["deliveries"]]
        return answer["deliveries"]

    async def refused(self, path: str, body: Any, status: int = 400) -> str:
        response = await self.http.post(path, json=body)
        assert response.status_code == status, response.text
        return response.json()["error"]

    async def cleanup(self) -> None:
        for registration_id in self.registered:
            await self.http.delete(f"/api/webhooks/registrations/{registration_id}")


@pytest.fixture
async def api(mock_urls: dict[str, str]) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=mock_urls["webhook_sender"], timeout=30) as http:
        client = Api(http)
        try:
            yield client
        finally:
            await client.cleanup()


@pytest.fixture(scope="module")
def sync_http(mock_urls: dict[str, str]) -> Iterator[httpx.Client]:
    """For the many refusals, which need no receiver: one client, made once."""
    with httpx.Client(base_url=mock_urls["webhook_sender"], timeout=30) as http:
        yield http


@pytest.fixture
async def lone_api() -> AsyncIterator[Api]:
    """A sender of its own, for tests that need to know every registration there is."""
    sender = WebhookSender()
    server = await start_webhook_sender(sender)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
            yield Api(http)
    finally:
        await sender.aclose()
        await server.stop()


def standard_valid(secret: str, hit: Hit) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{hit.headers['webhook-id']}.{hit.headers['webhook-timestamp']}.".encode()
    expected = base64.b64encode(hmac.new(key, signed + hit.body, hashlib.sha256).digest())
    return f"v1,{expected.decode()}" in hit.headers["webhook-signature"].split(" ")


def github_valid(secret: str, hit: Hit) -> bool:
    expected = hmac.new(secret.encode(), hit.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(hit.headers["X-Hub-Signature-256"], f"sha256={expected}")


def stripe_valid(secret: str, hit: Hit) -> bool:
    parts = dict(item.split("=", 1) for item in hit.headers["Stripe-Signature"].split(","))
    signed = f"{parts['t']}.".encode() + hit.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return abs(int(parts["t"]) - time.time()) < 30 and parts["v1"] == expected


# -- the port and the shared fixture -----------------------------------------------------


async def test_registered_on_port_8715(mock_urls: dict[str, str], api: Api) -> None:
    assert DEFAULT_PORTS["webhook_sender"] == 8715
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", mock_urls["webhook_sender"])
    assert mock_urls["webhook_sender"] != mock_urls["rest"]
    index = (await api.http.get("/")).json()
    assert "POST /api/webhooks/register" in [e["path"] for e in index["endpoints"]]


async def test_rest_mock_and_sender_port_share_state(
    mock_urls: dict[str, str], api: Api, receiver: Receiver
) -> None:
    async with httpx.AsyncClient(base_url=mock_urls["rest"]) as rest_http:
        on_rest = Api(rest_http)
        registration = await on_rest.register(url=receiver.url("/shared"))
        try:
            listed = (await api.http.get("/api/webhooks/registrations")).json()
            assert registration in listed["registrations"]
            sent = await api.trigger(registration_id=registration["id"], event_type=EVENTS[0])
            log = await rest_http.get(
                "/api/webhooks/deliveries", params={"registration_id": registration["id"]}
            )
            assert [d["id"] for d in log.json()["deliveries"]] == [sent[0]["id"]]
            assert sent[0]["state"] == "delivered"
        finally:
            await on_rest.cleanup()


async def test_rest_create_app_alone_has_its_own_sender(receiver: Receiver) -> None:
    app = rest.create_app()
    async with app.router.lifespan_context(app):
        server = await serve_asgi(app, name="rest", host="127.0.0.1", port=0)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
                alone = Api(http)
                await alone.register(url=receiver.url("/alone"), events=[EVENTS[1]])
                (sent,) = await alone.trigger()
        finally:
            await server.stop()
    assert sent["state"] == "delivered" and sent["event_type"] == EVENTS[1]
    assert len(receiver.at("/alone")) == 1


# -- registering -------------------------------------------------------------------------


async def test_register_fills_defaults_and_generates_secrets(api: Api) -> None:
    standard = await api.register(url="http://127.0.0.1:9/hook")
    assert standard["id"].startswith("wh_")
    assert {k: standard[k] for k in ("events", "signature", "interval_s", "active")} == {
        "events": EVENTS,
        "signature": "standard",
        "interval_s": None,
        "active": True,
    }
    assert (standard["max_attempts"], standard["backoff_s"], standard["timeout_s"]) == (5, 1, 5)
    assert standard["secret"].startswith("whsec_")
    assert len(base64.b64decode(standard["secret"].removeprefix("whsec_"), validate=True)) == 24

    github = await api.register(url="http://localhost:9/hook", signature="github")
    assert re.fullmatch(r"[0-9a-f]{40}", github["secret"])
    stripe = await api.register(url="http://[::1]:9/hook", signature="stripe")
    assert re.fullmatch(r"whsec_[0-9a-f]{48}", stripe["secret"])
    other_loopback = await api.register(url="https://127.8.9.10/hook", secret="c2VjcmV0")
    assert other_loopback["secret"] == "c2VjcmV0"  # plain base64 is a standard secret too


async def test_register_accepts_the_field_names_of_the_story(api: Api) -> None:
    registration = await api.register(
        target_url="http://127.0.0.1:9/webhooks/payments",
        event_types=["payment.completed", "payment.disputed"],
        secret=STANDARD_SECRET,
    )
    assert registration["url"] == "http://127.0.0.1:9/webhooks/payments"
    assert registration["events"] == ["payment.completed", "payment.disputed"]
    assert registration["secret"] == STANDARD_SECRET


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"url": None}, '"url" is required'),
        ({"url": 5}, '"url" must be an http or https URL'),
        ({"url": "ftp://127.0.0.1/hook"}, '"url" must be an http or https URL'),
        ({"url": "http://127.0.0.1:99999/hook"}, '"url" must be an http or https URL'),
        ({"url": "http://example.com/hook"}, "only delivers to this machine"),
        ({"url": "http://10.0.0.7/hook"}, "only delivers to this machine"),
        ({"url": "http://[2001:db8::1]/hook"}, "only delivers to this machine"),
        ({"events": ["payment.refunded"]}, '"payment.refunded" is not one of them'),
        ({"events": []}, '"events" must be a non-empty list'),
        ({"events": "payment.failed"}, '"events" must be a non-empty list'),
        ({"signature": "hmac"}, '"signature" must be one of "standard", "github", "stripe"'),
        ({"secret": "not base64!"}, '"secret" for standard signatures must be whsec_'),
        ({"secret": 42}, '"secret" must be a string'),
        ({"secret": ""}, '"secret" must be a string'),
        ({"interval_s": 0.01}, '"interval_s" is out of range'),
        ({"interval_s": "5"}, '"interval_s" is not a number'),
        ({"max_attempts": 0}, '"max_attempts" is out of range'),
        ({"max_attempts": 11}, '"max_attempts" is out of range'),
        ({"max_attempts": 2.5}, '"max_attempts" is not a whole number'),
        ({"max_attempts": True}, '"max_attempts" is not a whole number'),
        ({"backoff_s": 61}, '"backoff_s" is out of range'),
        ({"backoff_s": None}, '"backoff_s" is not a number'),
        ({"timeout_s": 0}, '"timeout_s" is out of range'),
        ({"colour": "red"}, 'Unknown field "colour"'),
        ({"target_url": "http://127.0.0.1/a"}, 'Give "url" or "target_url"'),
    ],
)
def test_register_refuses_each_bad_field(
    sync_http: httpx.Client, body: dict[str, Any], expected: str
) -> None:
    full = {"url": "http://127.0.0.1:9/h", **body}
    response = sync_http.post("/api/webhooks/register", json=full)
    assert response.status_code == 400
    error = response.json()["error"]
    assert expected in error
    # Every refusal says what to send instead.
    assert "for example" in error or "not both" in error


def test_register_refuses_bodies_that_are_not_objects(sync_http: httpx.Client) -> None:
    for raw, expected in (
        (b"[1]", "must be a JSON object, not a list"),
        (b"{nope", "The body is not valid JSON"),
    ):
        response = sync_http.post("/api/webhooks/register", content=raw)
        assert response.status_code == 400
        assert expected in response.json()["error"]


HUGE_NUMBERS = {
    "10**400": "1" + "0" * 400,  # past float: math.isfinite raised OverflowError
    "-10**400": "-1" + "0" * 400,
    "5000 digits": "9" * 5000,  # past the digits Python reads from text
}
NUMERIC_FIELDS = [
    ("/api/webhooks/register", "max_attempts", "a whole number from 1 to 10"),
    ("/api/webhooks/register", "backoff_s", "a number from 0 to 60"),
    ("/api/webhooks/register", "interval_s", "a number from 0.1 to 3600"),
    ("/api/webhooks/register", "timeout_s", "a number from 0.1 to 60"),
    ("/api/webhooks/trigger", "count", "a whole number from 1 to 100"),
]


@pytest.mark.parametrize("number", list(HUGE_NUMBERS.values()), ids=list(HUGE_NUMBERS))
@pytest.mark.parametrize(("path", "name", "allowed"), NUMERIC_FIELDS)
def test_huge_numbers_are_refused_by_field_with_the_range_and_an_example(
    sync_http: httpx.Client, path: str, name: str, allowed: str, number: str
) -> None:
    # Raw text: the point is what the server makes of the digits, not what json.dumps does.
    url = '"url": "http://127.0.0.1:9/h", ' if path.endswith("register") else ""
    raw = f'{{{url}"{name}": {number}}}'
    response = sync_http.post(path, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.startswith(f'"{name}" is out of range: it must be {allowed}')
    assert f'for example {{"{name}": ' in error
    assert f"got a number of {len(number.lstrip('-'))} digits." in error


def test_trigger_refuses_data_it_could_not_send_on_and_bodies_too_deep(
    sync_http: httpx.Client,
) -> None:
    raw = '{"data": {"amount": [%s]}}' % ("9" * 5000)
    response = sync_http.post("/api/webhooks/trigger", content=raw)
    assert response.status_code == 400
    assert '"data" holds a number of 5000 digits' in response.json()["error"]
    deep = '{"data": %s}' % ("[" * 100_000 + "]" * 100_000)
    response = sync_http.post("/api/webhooks/trigger", content=deep)
    assert response.status_code == 400
    assert "nests lists or objects too deeply" in response.json()["error"]


# -- signatures and payloads -------------------------------------------------------------


def test_standard_signing_matches_the_published_test_vector() -> None:
    headers = delivery_headers(
        "standard",
        STANDARD_SECRET,
        b'{"test": 2432232314}',
        message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        event_type="test",
        timestamp=1614265330,
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_github_signing_matches_githubs_documented_example() -> None:
    headers = delivery_headers(
        "github",
        "It's a Secret to Everybody",
        b"Hello, World!",
        message_id="guid",
        event_type="payment.completed",
        timestamp=0,
    )
    assert headers["X-Hub-Signature-256"] == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


async def test_standard_signatures_verify(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/std"), secret=STANDARD_SECRET)
    sent = await api.trigger(registration_id=registration["id"])
    assert [d["event_type"] for d in sent] == EVENTS
    hits = receiver.at("/std")
    assert len(hits) == 3
    for hit in hits:
        assert standard_valid(STANDARD_SECRET, hit)
        assert abs(int(hit.headers["webhook-timestamp"]) - time.time()) < 30
        assert hit.headers["content-type"] == "application/json"
        assert hit.headers["user-agent"] == "apiclient-webhook-sender/1.0"
    by_type = {d["event_type"]: d for d in sent}
    for hit in hits:
        delivery = by_type[hit.json["event_type"]]
        assert hit.headers["webhook-id"] == delivery["webhook_id"]
        assert delivery["webhook_id"].startswith("msg_")
        assert hit.json == delivery["payload"]


async def test_github_signatures_verify(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/gh"), signature="github")
    (sent,) = await api.trigger(registration_id=registration["id"], event_type=EVENTS[2])
    (hit,) = receiver.at("/gh")
    assert github_valid(registration["secret"], hit)
    assert hit.headers["X-GitHub-Event"] == "payment.disputed"
    assert hit.headers["X-GitHub-Delivery"] == sent["webhook_id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", sent["webhook_id"])
    assert "webhook-signature" not in hit.headers


async def test_stripe_signatures_verify(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/stripe"), signature="stripe")
    await api.trigger(registration_id=registration["id"], event_type=EVENTS[1], count=2)
    hits = receiver.at("/stripe")
    assert len(hits) == 2
    assert all(stripe_valid(registration["secret"], hit) for hit in hits)
    assert not stripe_valid(registration["secret"].removeprefix("whsec_"), hits[0])


async def test_payloads_of_each_event_type(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/shape"))
    sent = await api.trigger(registration_id=registration["id"])
    payloads = {d["event_type"]: d["payload"] for d in sent}
    for event_type, payload in payloads.items():
        assert payload["type"] == payload["event_type"] == event_type
        assert payload["id"].startswith("evt_")
        created = datetime.fromisoformat(payload["created_at"])
        assert payload["created_at"].endswith("Z") and created.utcoffset() == timedelta(0)
        data = payload["data"]
        assert data["payment_id"].startswith("pay_")
        assert isinstance(data["amount"], int) and data["amount"] > 0
        assert data["currency"] in ("EUR", "USD", "GBP")
        assert set(data["customer"]) == {"id", "email", "name"}
        assert "@" in data["customer"]["email"]
        assert data["order_id"].startswith("ord_") and data["method"]
    completed = payloads["payment.completed"]["data"]
    assert completed["status"] == "succeeded"
    assert completed["net"] == completed["amount"] - completed["fee"]
    failed = payloads["payment.failed"]["data"]
    assert failed["status"] == "failed" and failed["failure_code"] and failed["failure_message"]
    disputed = payloads["payment.disputed"]
    dispute = disputed["data"]["dispute"]
    assert dispute["reason"] and dispute["amount"] == disputed["data"]["amount"]
    due = datetime.fromisoformat(dispute["evidence_due_by"])
    assert due > datetime.fromisoformat(disputed["created_at"])


async def test_trigger_data_is_merged_into_the_payload(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/merge"))
    (sent,) = await api.trigger(
        registration_id=registration["id"],
        event_type=EVENTS[0],
        data={"amount": 1999, "order_id": "ord_42", "note": "gift"},
    )
    data = receiver.at("/merge")[0].json["data"]
    assert (data["amount"], data["order_id"], data["note"]) == (1999, "ord_42", "gift")
    assert data["customer"]["email"] and sent["payload"]["data"] == data


# -- triggering --------------------------------------------------------------------------


async def test_trigger_without_wait_answers_202_and_delivers(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/later"), events=EVENTS[:2])
    response = await api.http.post(
        "/api/webhooks/trigger", json={"registration_id": registration["id"], "count": 2}
    )
    assert response.status_code == 202
    ids = response.json()["delivery_ids"]
    assert len(ids) == 4 and all(i.startswith("dlv_") for i in ids)
    hits = await receiver.wait_for("/later", 4)
    assert [hit.json["event_type"] for hit in hits].count("payment.failed") == 2


async def test_trigger_without_a_registration_id_reaches_every_subscriber(
    lone_api: Api, receiver: Receiver
) -> None:
    await lone_api.register(url=receiver.url("/a"), events=["payment.failed"])
    await lone_api.register(url=receiver.url("/b"))
    await lone_api.register(url=receiver.url("/c"), events=["payment.completed"])
    sent = await lone_api.trigger(event_type="payment.failed")
    assert sorted(d["url"] for d in sent) == [receiver.url("/a"), receiver.url("/b")]
    everything = await lone_api.trigger()
    assert len(everything) == 1 + 3 + 1


async def test_trigger_refusals(lone_api: Api) -> None:
    path = "/api/webhooks/trigger"
    assert "No registration is active" in await lone_api.refused(path, {}, 409)
    registration = await lone_api.register(
        url="http://127.0.0.1:9/hook", events=["payment.completed"]
    )
    error = await lone_api.refused(path, {"event_type": "payment.failed"}, 409)
    assert "No registration is subscribed to payment.failed" in error
    error = await lone_api.refused(
        path, {"registration_id": registration["id"], "event_type": "payment.failed"}, 409
    )
    assert "not subscribed to payment.failed" in error
    assert "is not registered" in await lone_api.refused(path, {"registration_id": "wh_nope"})
    assert '"event_type" must be one of' in await lone_api.refused(path, {"event_type": "x"})
    assert '"count" is out of range' in await lone_api.refused(path, {"count": 101})
    assert '"data" must be a JSON object' in await lone_api.refused(path, {"data": [1]})
    assert 'Unknown field "events"' in await lone_api.refused(path, {"events": []})
    await lone_api.register(url="http://127.0.0.1:9/all")
    assert "at most 100" in await lone_api.refused(path, {"count": 40})  # 40 + 3 * 40
    response = await lone_api.http.post(path + "?wait=maybe", json={})
    assert response.status_code == 400
    assert "wait must be true or false" in response.json()["error"]


# -- retries, failures, 410 --------------------------------------------------------------


async def test_retries_with_back_off_until_delivered(api: Api, receiver: Receiver) -> None:
    receiver.answer("/flaky", 500, 503, 200)
    registration = await api.register(
        url=receiver.url("/flaky"), secret=STANDARD_SECRET, backoff_s=0.05, max_attempts=5
    )
    (sent,) = await api.trigger(registration_id=registration["id"], event_type=EVENTS[0])
    assert sent["state"] == "delivered" and sent["reason"] is None
    assert [a["status"] for a in sent["attempts"]] == [500, 503, 200]
    assert sent["attempts"][0]["error"] == "The target answered 500 Internal Server Error."
    assert sent["attempts"][2]["error"] is None
    hits = receiver.at("/flaky")
    assert len(hits) == 3
    # Same id on every retry, each attempt signed afresh and valid.
    assert {hit.headers["webhook-id"] for hit in hits} == {sent["webhook_id"]}
    assert all(standard_valid(STANDARD_SECRET, hit) for hit in hits)
    # The wait doubles: 0.05 s, then 0.1 s.
    assert hits[1].at - hits[0].at >= 0.045
    assert hits[2].at - hits[1].at >= 0.095


async def test_retries_end_in_failed(api: Api, receiver: Receiver) -> None:
    receiver.answer("/down", 500)
    registration = await api.register(url=receiver.url("/down"), backoff_s=0.01, max_attempts=3)
    (sent,) = await api.trigger(registration_id=registration["id"], event_type=EVENTS[1])
    assert sent["state"] == "failed"
    assert sent["reason"] == "Gave up after 3 attempts."
    assert [a["status"] for a in sent["attempts"]] == [500, 500, 500]
    assert all(a["elapsed_ms"] >= 0 and a["at"].endswith("Z") for a in sent["attempts"])


async def test_connection_refused_and_timeouts_are_failed_attempts(
    api: Api, receiver: Receiver
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    refused = await api.register(
        url=f"http://127.0.0.1:{closed_port}/x", max_attempts=2, backoff_s=0
    )
    (sent,) = await api.trigger(registration_id=refused["id"], event_type=EVENTS[0])
    assert sent["state"] == "failed" and len(sent["attempts"]) == 2
    assert sent["attempts"][0]["status"] is None
    assert sent["attempts"][0]["error"].startswith("Could not connect to")

    receiver.hang_s["/slow"] = 0.5
    slow = await api.register(url=receiver.url("/slow"), max_attempts=1, timeout_s=0.1)
    (sent,) = await api.trigger(registration_id=slow["id"], event_type=EVENTS[0])
    assert sent["state"] == "failed"
    assert sent["attempts"][0]["error"] == "No answer within 0.1 s."
    assert sent["attempts"][0]["elapsed_ms"] < 450


async def test_gone_disables_the_registration(api: Api, receiver: Receiver) -> None:
    receiver.answer("/gone", 410)
    registration = await api.register(url=receiver.url("/gone"), backoff_s=0.01)
    (sent,) = await api.trigger(registration_id=registration["id"], event_type=EVENTS[0])
    assert sent["state"] == "failed" and len(sent["attempts"]) == 1
    assert "410 Gone" in sent["reason"] and "disabled" in sent["reason"]
    listed = (await api.http.get("/api/webhooks/registrations")).json()["registrations"]
    (now,) = [r for r in listed if r["id"] == registration["id"]]
    assert now["active"] is False and "410" in now["disabled_reason"]
    error = await api.refused("/api/webhooks/trigger", {"registration_id": now["id"]}, 409)
    assert "is disabled" in error


# -- timers, the log, deletion ------------------------------------------------------------


async def test_timer_sends_events_until_deleted(api: Api, receiver: Receiver) -> None:
    registration = await api.register(
        url=receiver.url("/tick"), interval_s=0.1, events=["payment.completed", "payment.failed"]
    )
    hits = await receiver.wait_for("/tick", 3, timeout=5)
    assert {hit.json["event_type"] for hit in hits} <= {"payment.completed", "payment.failed"}
    response = await api.http.delete(f"/api/webhooks/registrations/{registration['id']}")
    assert response.status_code == 204
    await asyncio.sleep(0.05)  # a delivery already on the wire may still land
    count = len(receiver.at("/tick"))
    await asyncio.sleep(0.35)
    assert len(receiver.at("/tick")) == count
    log = await api.http.get(
        "/api/webhooks/deliveries", params={"registration_id": registration["id"]}
    )
    assert len(log.json()["deliveries"]) >= 3


async def test_delivery_log(api: Api, receiver: Receiver) -> None:
    registration = await api.register(url=receiver.url("/log"), signature="github")
    sent = await api.trigger(registration_id=registration["id"])
    response = await api.http.get(
        "/api/webhooks/deliveries", params={"registration_id": registration["id"]}
    )
    log = response.json()["deliveries"]
    assert [d["id"] for d in log] == [d["id"] for d in reversed(sent)]  # newest first
    entry = log[0]
    assert set(entry) >= {
        "id",
        "registration_id",
        "event_type",
        "webhook_id",
        "url",
        "signature",
        "state",
        "attempts",
        "payload",
    }
    assert entry["signature"] == "github" and entry["url"] == receiver.url("/log")
    assert set(entry["attempts"][0]) == {"at", "status", "error", "elapsed_ms"}
    limited = await api.http.get(
        "/api/webhooks/deliveries", params={"registration_id": registration["id"], "limit": 1}
    )
    assert [d["id"] for d in limited.json()["deliveries"]] == [log[0]["id"]]
    for bad in ("0", "1001", "x"):
        refused = await api.http.get("/api/webhooks/deliveries", params={"limit": bad})
        assert refused.status_code == 400
        assert "limit must be a whole number from 1 to 1000" in refused.json()["error"]


async def test_deleting_a_registration(api: Api) -> None:
    registration = await api.register(url="http://127.0.0.1:9/bye")
    path = f"/api/webhooks/registrations/{registration['id']}"
    assert (await api.http.delete(path)).status_code == 204
    listed = (await api.http.get("/api/webhooks/registrations")).json()["registrations"]
    assert registration["id"] not in [r["id"] for r in listed]
    again = await api.http.delete(path)
    assert again.status_code == 404
    assert "There is no registration" in again.json()["error"]
    error = await api.refused("/api/webhooks/trigger", {"registration_id": registration["id"]})
    assert "is not registered" in error


async def test_deleting_drops_pending_retries(lone_api: Api, receiver: Receiver) -> None:
    receiver.answer("/retry", 500)
    registration = await lone_api.register(url=receiver.url("/retry"), backoff_s=30)
    response = await lone_api.http.post(
        "/api/webhooks/trigger", json={"registration_id": registration["id"], "count": 1}
    )
    assert response.status_code == 202
    await receiver.wait_for("/retry", 3)  # one attempt per event type
    await lone_api.http.delete(f"/api/webhooks/registrations/{registration['id']}")
    log = (await lone_api.http.get("/api/webhooks/deliveries")).json()["deliveries"]
    assert {d["state"] for d in log} == {"failed"}
    assert {d["reason"] for d in log} == {"Stopped because the registration was deleted."}


# -- stopping ----------------------------------------------------------------------------


async def test_stopping_the_host_stops_timers_and_retries(receiver: Receiver) -> None:
    host = MockHost(ephemeral=True)
    urls = await asyncio.to_thread(host.start)
    try:
        async with httpx.AsyncClient(base_url=urls["webhook_sender"]) as http:
            mine = Api(http)
            await mine.register(url=receiver.url("/timer"), interval_s=0.1)
            receiver.answer("/failing", 500)
            failing = await mine.register(url=receiver.url("/failing"), backoff_s=0.3)
            await http.post("/api/webhooks/trigger", json={"registration_id": failing["id"]})
            await receiver.wait_for("/timer", 2)
            await receiver.wait_for("/failing", 3)
    finally:
        await asyncio.to_thread(host.stop)
    counts = (len(receiver.at("/timer")), len(receiver.at("/failing")))
    await asyncio.sleep(0.7)  # past two timer ticks and the first retries
    assert (len(receiver.at("/timer")), len(receiver.at("/failing"))) == counts
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(urls["webhook_sender"] + "/")
