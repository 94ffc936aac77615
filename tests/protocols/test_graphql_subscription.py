"""GraphQL subscriptions in both protocols against the real GraphQL mock, and against a
small recording server that shows exactly which frames went out (auth in the upgrade
and in connection_init, complete/stop when stopped)."""

from __future__ import annotations

import asyncio
import json
import ssl
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from graphql_helpers import at
from websockets.asyncio.server import ServerConnection, serve

from apiclient.core.models import Auth, KeyValue, RequestSettings
from apiclient.protocols.errors import (
    ConnectError,
    DocumentError,
    ProtocolError,
    SubscriptionError,
    VariablesError,
)
from apiclient.protocols.graphql import GraphqlEngine, Subscription, SubscriptionEvent
from apiclient.protocols.graphql_schema import LoadedSchema

BOTH = ["graphql-transport-ws", "graphql-ws"]
TICKS = "subscription Ticks($count: Int) { ticks(count: $count, intervalMs: 20) { n at } }"


async def collect(
    subscription: Subscription, stop_after: int | None = None
) -> list[SubscriptionEvent]:
    """Every event until the iteration ends; stop() after ``stop_after`` of them."""
    events: list[SubscriptionEvent] = []
    try:
        async with asyncio.timeout(10):
            async for event in subscription:
                events.append(event)
                if len(events) == stop_after:
                    await subscription.stop()
    finally:
        await subscription.stop()
    return events


# -- against the mock --------------------------------------------------------------------


@pytest.mark.parametrize("protocol", BOTH)
async def test_ticks_arrive_then_complete(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str, protocol: str
) -> None:
    request = at(f"{graphql_url}/graphql", TICKS, variables_json='{"count": 3}')
    subscription = gql.subscribe(request, schema, protocol)
    assert subscription.protocol == protocol
    events = await collect(subscription)
    assert [event.data["ticks"]["n"] for event in events] == [1, 2, 3]  # type: ignore[index]
    assert all(event.errors == () for event in events)
    assert json.loads(events[0].raw) == {"data": events[0].data}
    assert events[0].received_at <= events[1].received_at <= events[2].received_at


@pytest.mark.parametrize("protocol", BOTH)
async def test_stop_midway_ends_the_iteration(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str, protocol: str
) -> None:
    request = at(f"{graphql_url}/graphql", TICKS, variables_json='{"count": null}')
    subscription = gql.subscribe(request, schema, protocol)
    events = await collect(subscription, stop_after=2)
    assert [event.data["ticks"]["n"] for event in events] == [1, 2]  # type: ignore[index]
    await subscription.stop()  # idempotent
    assert [event async for event in subscription] == []


async def test_session_added_after_add_session(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str
) -> None:
    url = f"{graphql_url}/graphql"
    query = 'subscription { sessionAdded(eventId: "2") { title event { id } } }'
    subscription = gql.subscribe(at(url, query), schema)
    first = asyncio.ensure_future(anext(subscription))
    mutation = "mutation Add($input: NewSessionInput!) { addSession(input: $input) { title } }"
    titles = []
    try:
        # The server registers the listener on its own time: add until one arrives.
        for _ in range(40):
            titles.append(f"Live {uuid.uuid4()}")
            variables = {
                "input": {
                    "eventId": "2",
                    "title": titles[-1],
                    "speakerId": "2",
                    "startsAt": "2026-06-03T16:00:00+01:00",
                }
            }
            added = await gql.send(at(url, mutation, variables_json=json.dumps(variables)), schema)
            assert added.errors == ()
            done, _ = await asyncio.wait([first], timeout=0.25)
            if done:
                break
        event = await first
    finally:
        await subscription.stop()
    assert event.data["sessionAdded"]["title"] in titles  # type: ignore[index]
    assert event.data["sessionAdded"]["event"] == {"id": "2"}  # type: ignore[index]


async def test_errors_inside_a_result_are_an_event(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str
) -> None:
    query = "subscription { ticks(intervalMs: 0) { n } }"
    events = await collect(gql.subscribe(at(f"{graphql_url}/graphql", query), schema))
    assert len(events) == 1 and events[0].data is None
    assert [error.message for error in events[0].errors] == [
        "intervalMs must be between 1 and 60000, got 0"
    ]


@pytest.mark.parametrize("protocol", BOTH)
async def test_an_error_message_from_the_server_ends_it(
    gql: GraphqlEngine, graphql_url: str, protocol: str
) -> None:
    """Without a schema nothing is checked here, so the server's validation speaks."""
    query = "subscription {\n  ticks { nope }\n}"
    subscription = gql.subscribe(at(f"{graphql_url}/graphql", query), None, protocol)
    with pytest.raises(SubscriptionError) as caught:
        await collect(subscription)
    assert str(caught.value) == (
        "The server refused the subscription: Cannot query field 'nope' on type 'Tick'."
        " (line 2, column 11)"
    )


@pytest.mark.parametrize(("protocol", "other"), [BOTH, BOTH[::-1]])
async def test_a_subprotocol_not_accepted(
    gql: GraphqlEngine, graphql_url: str, protocol: str, other: str
) -> None:
    url = f"{graphql_url}/graphql-noproto"
    subscription = gql.subscribe(at(url, "subscription { ticks { n } }"), None, protocol)
    with pytest.raises(SubscriptionError) as caught:
        await collect(subscription)
    ws_url = url.replace("http://", "ws://")
    assert str(caught.value) == (
        f"The server at {ws_url} accepted the WebSocket but not the {protocol} subprotocol."
        f" Try the {other} protocol, or check the subscription URL."
    )


async def test_subscription_url_is_used(gql: GraphqlEngine, graphql_url: str) -> None:
    ws = graphql_url.replace("http://", "ws://") + "/graphql"
    request = at("http://127.0.0.1:9/not-here", TICKS, subscription_url=ws)
    events = await collect(gql.subscribe(request, None), stop_after=1)
    assert len(events) == 1


# -- refused before any traffic ----------------------------------------------------------


async def test_bad_input_is_raised_by_the_iteration_before_any_traffic(
    gql: GraphqlEngine, schema: LoadedSchema, closed_port: int
) -> None:
    url = f"http://127.0.0.1:{closed_port}/graphql"
    with pytest.raises(DocumentError, match="Cannot query field 'nope' on type 'Tick'"):
        await collect(gql.subscribe(at(url, "subscription { ticks { nope } }"), schema))
    bad_variables = at(url, TICKS, variables_json='{"count": "three"}')
    with pytest.raises(VariablesError, match="Int cannot represent non-integer value"):
        await collect(gql.subscribe(bad_variables, schema))
    with pytest.raises(ConnectError, match="connection refused"):
        await collect(gql.subscribe(at(url, TICKS), schema))


async def test_stopped_before_it_started(gql: GraphqlEngine, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/graphql"
    subscription = gql.subscribe(at(url, TICKS), None)
    await subscription.stop()
    assert [event async for event in subscription] == []


def test_an_unknown_protocol_is_a_programming_error(gql: GraphqlEngine) -> None:
    with pytest.raises(ValueError, match="protocol must be one of"):
        gql.subscribe(at("http://x/graphql", TICKS), None, "graphql-sse")


# -- what goes out, seen by a recording server -------------------------------------------


@dataclass
class Recording:
    """What the recording server saw of one connection."""

    headers: dict[str, str] = field(default_factory=dict)
    messages: list[dict[str, object]] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_code: int | None = None


async def _serve_one(connection: ServerConnection, recording: Recording) -> None:
    """Answer like a server of either protocol: ping first (graphql-transport-ws), then
    two results, then wait for the client to stop."""
    recording.headers = {k.lower(): v for k, v in connection.request.headers.raw_items()}
    legacy = connection.subprotocol == "graphql-ws"
    try:
        async for text in connection:
            message = json.loads(text)
            recording.messages.append(message)
            if message["type"] == "connection_init":
                await connection.send(json.dumps({"type": "connection_ack"}))
                if legacy:
                    await connection.send(json.dumps({"type": "ka"}))
                else:
                    await connection.send(json.dumps({"type": "ping"}))
            elif message["type"] in ("subscribe", "start"):
                kind = "data" if legacy else "next"
                for n in (1, 2):
                    payload = {"data": {"n": n}}
                    await connection.send(
                        json.dumps({"id": message["id"], "type": kind, "payload": payload})
                    )
    finally:
        recording.close_code = connection.close_code
        recording.closed.set()


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, Recording]]:
    recording = Recording()

    async def handler(connection: ServerConnection) -> None:
        await _serve_one(connection, recording)

    async with serve(handler, "127.0.0.1", 0, subprotocols=BOTH) as server:  # type: ignore[list-item]
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"http://127.0.0.1:{port}/graphql", recording


@pytest.mark.parametrize(
    ("protocol", "subscribe", "goodbye"),
    [
        ("graphql-transport-ws", "subscribe", [{"type": "pong"}, {"id": "1", "type": "complete"}]),
        ("graphql-ws", "start", [{"id": "1", "type": "stop"}, {"type": "connection_terminate"}]),
    ],
)
async def test_frames_sent_from_start_to_stop(
    gql: GraphqlEngine,
    recorder: tuple[str, Recording],
    protocol: str,
    subscribe: str,
    goodbye: list[dict[str, object]],
) -> None:
    url, recording = recorder
    request = at(
        url,
        "subscription { n }",
        headers=[KeyValue(name="X-Team", value="blue")],
        auth=Auth(kind="bearer", token="tok"),
    )
    events = await collect(gql.subscribe(request, None, protocol), stop_after=2)
    assert [event.data for event in events] == [{"n": 1}, {"n": 2}]
    async with asyncio.timeout(5):
        await recording.closed.wait()
    assert recording.headers["authorization"] == "Bearer tok"
    assert recording.headers["x-team"] == "blue"
    assert recording.headers["sec-websocket-protocol"] == protocol
    init, start, *rest = recording.messages
    assert init == {
        "type": "connection_init",
        "payload": {"X-Team": "blue", "Authorization": "Bearer tok"},
    }
    assert start == {
        "id": "1",
        "type": subscribe,
        "payload": {"query": "subscription { n }", "variables": {}, "operationName": None},
    }
    assert rest == goodbye
    assert recording.close_code == 1000


async def test_a_wss_subscription_trusts_the_ca_file_of_the_settings(
    gql: GraphqlEngine, tmp_path: Path
) -> None:
    """The request's CA file is trusted for wss://, as for its HTTP sends; without it
    the private CA's certificate is refused."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    recording = Recording()

    async def handler(connection: ServerConnection) -> None:
        await _serve_one(connection, recording)

    async with serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=BOTH,  # type: ignore[arg-type]
        ssl=server_context,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        request = at(f"https://127.0.0.1:{port}/graphql", "subscription { n }")
        with pytest.raises(ProtocolError, match=r"(?i)certificate"):
            await collect(gql.subscribe(request, None))
        trusted = request.model_copy(update={"settings": RequestSettings(ca_file=str(ca_file))})
        events = await collect(gql.subscribe(trusted, None), stop_after=2)
    assert [event.data for event in events] == [{"n": 1}, {"n": 2}]
