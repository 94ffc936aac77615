"""The GraphQL mock, driven over real HTTP (httpx) and WebSocket (websockets), speaking
both subscription protocols by hand."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection, connect

from mock_servers.graphql import create_app, sdl
from mock_servers.graphql_operations import SDL_FILE
from mock_servers.serving import serve_asgi

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
RECV_TIMEOUT = 5.0

INTROSPECTION = """
query {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      name kind description
      fields(includeDeprecated: true) {
        name description isDeprecated deprecationReason
        args { name defaultValue type { kind name ofType { kind name } } }
        type { kind name ofType { kind name ofType { kind name ofType { name } } } }
      }
      inputFields { name defaultValue type { kind name ofType { name } } }
      enumValues { name description }
      possibleTypes { name }
    }
  }
}
"""


@pytest.fixture(scope="module")
def graphql_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["graphql"]


@pytest.fixture(scope="module")
def ws_url(graphql_url: str) -> str:
    return "ws" + graphql_url.removeprefix("http")


@pytest.fixture
def client(graphql_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=graphql_url, timeout=10) as client:
        yield client


@pytest.fixture
async def aclient(graphql_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=graphql_url, timeout=10) as client:
        yield client


def _post(client: httpx.Client, query: str, path: str = "/graphql", **extra: Any) -> Any:
    response = client.post(path, json={"query": query, **extra})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


# -- queries over HTTP ----------------------------------------------------------------------


def test_post_query_returns_the_seed(client: httpx.Client) -> None:
    body = _post(
        client,
        "{ events { id name startsAt status ticketPrice"
        " location { venue city country capacity } speakers { id name }"
        " sessions { title durationMinutes speaker { name } event { id } } } }",
    )
    assert "errors" not in body
    events = body["data"]["events"]
    assert [e["id"] for e in events] == ["1", "2", "3"]
    assert [e["location"]["city"] for e in events] == ["Berlin", "Lisbon", "Austin"]
    assert [e["status"] for e in events] == ["SCHEDULED", "LIVE", "CANCELLED"]
    assert events[0]["startsAt"] == "2026-10-14T09:00:00+02:00"
    assert events[2]["ticketPrice"] is None
    assert [s["name"] for s in events[0]["speakers"]] == ["Ada Okafor", "Chen Wei"]
    first = events[0]["sessions"][0]
    assert first["title"] == "Async Python in Practice"
    assert first["speaker"]["name"] == "Ada Okafor" and first["event"]["id"] == "1"


def test_get_query_with_variables_and_operation_name(client: httpx.Client) -> None:
    document = (
        "query One($id: ID!) { event(id: $id) { name } }\n"
        "query Cities($city: String) { events(city: $city) { id } }"
    )
    response = client.get(
        "/graphql",
        params={
            "query": document,
            "variables": json.dumps({"city": "lisbon"}),
            "operationName": "Cities",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"events": [{"id": "2"}]}}


def test_get_refuses_mutations(client: httpx.Client) -> None:
    response = client.get(
        "/graphql", params={"query": 'mutation { rsvp(eventId: "1", name: "x") { id } }'}
    )
    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.text


def test_events_filter_and_page(client: httpx.Client) -> None:
    body = _post(
        client,
        '{ page: events(first: 2) { id } next: events(first: 2, after: "2") { id }'
        ' all: events(first: null) { id } austin: events(city: "AUSTIN") { name } }',
    )
    data = body["data"]
    assert data["page"] == [{"id": "1"}, {"id": "2"}]
    assert data["next"] == [{"id": "3"}]
    assert len(data["all"]) == 3
    assert data["austin"] == [{"name": "Austin Data & Security Meetup"}]


def test_speakers_by_topic_and_search_union(client: httpx.Client) -> None:
    body = _post(
        client,
        "{ speakers(topic: SECURITY) { name bio topics sessions { title } }"
        ' search(text: "LI") { __typename ... on Event { name } ... on Speaker { name } } }',
    )
    assert body["data"]["speakers"] == [
        {
            "name": "Chen Wei",
            "bio": None,
            "topics": ["SECURITY", "PYTHON"],
            "sessions": [{"title": "Typing at Scale"}, {"title": "Threat Modelling APIs"}],
        }
    ]
    found = [(r["__typename"], r["name"]) for r in body["data"]["search"]]
    assert found[:2] == [("Event", "PyCon Berlin"), ("Event", "GraphQL Lisbon Summit")]
    assert ("Speaker", "Ada Okafor") in found  # "pipelines" in her bio


def test_deprecated_capacity_still_answers(client: httpx.Client) -> None:
    body = _post(client, '{ event(id: "2") { capacity location { capacity } } }')
    assert body["data"]["event"] == {"capacity": 600, "location": {"capacity": 600}}


# -- errors -----------------------------------------------------------------------------------


def test_unknown_event_is_null_with_an_error_beside_partial_data(client: httpx.Client) -> None:
    body = _post(client, '{ events(first: 1) { id } event(id: "404") { name } }')
    assert body["data"] == {"events": [{"id": "1"}], "event": None}
    [error] = body["errors"]
    assert error["message"] == "No event with id '404'"
    assert error["path"] == ["event"]


def test_failing_non_null_field_nulls_all_data(client: httpx.Client) -> None:
    body = _post(client, "{ events { id } failingEvent { name } }")
    assert body["data"] is None
    [error] = body["errors"]
    assert error["path"] == ["failingEvent"]
    assert "always fails" in error["message"]


def test_invalid_documents_are_refused_with_errors(client: httpx.Client) -> None:
    unknown = _post(client, "{ events { nme } }")
    assert unknown["data"] is None
    assert "Cannot query field 'nme' on type 'Event'" in unknown["errors"][0]["message"]
    syntax = _post(client, "{ events { id }")
    assert syntax["data"] is None and "Syntax Error" in syntax["errors"][0]["message"]
    negative = _post(client, "{ events(first: -1) { id } }")
    assert negative["errors"][0]["message"] == "first must be 0 or more, got -1"


# -- mutations --------------------------------------------------------------------------------


def test_rsvp_counts_one_more_and_refuses_cancelled_events(client: httpx.Client) -> None:
    rsvp = 'mutation($id: ID!) { rsvp(eventId: $id, name: "Grace") { id attendeeCount } }'
    before = _post(client, '{ event(id: "1") { attendeeCount } }')["data"]["event"]
    after = _post(client, rsvp, variables={"id": "1"})["data"]["rsvp"]
    assert after["attendeeCount"] == before["attendeeCount"] + 1

    cancelled = _post(client, rsvp, variables={"id": "3"})
    assert cancelled["data"] is None
    assert cancelled["errors"][0]["message"] == "Event '3' is cancelled"


def test_add_session_and_its_input_errors(client: httpx.Client) -> None:
    mutation = (
        "mutation($input: NewSessionInput!) { addSession(input: $input) "
        "{ id title durationMinutes startsAt speaker { name } event { id } } }"
    )
    title = f"Test {uuid.uuid4()}"
    good = {"eventId": "2", "title": title, "speakerId": "4", "startsAt": "2026-06-03T15:00:00Z"}
    added = _post(client, mutation, variables={"input": good})["data"]["addSession"]
    assert int(added["id"]) > 6
    assert added["durationMinutes"] == 30  # the input's default
    assert added["speaker"] == {"name": "Dana Müller"} and added["event"] == {"id": "2"}
    sessions = _post(client, '{ event(id: "2") { sessions { title } } }')
    assert {"title": title} in sessions["data"]["event"]["sessions"]

    bad_time = _post(client, mutation, variables={"input": {**good, "startsAt": "tomorrow"}})
    assert bad_time["data"] is None
    assert bad_time["errors"][0]["message"] == (
        "startsAt must be an ISO 8601 datetime, got 'tomorrow'"
    )
    assert bad_time["errors"][0]["path"] == ["addSession"]
    no_speaker = _post(client, mutation, variables={"input": {**good, "speakerId": "99"}})
    assert no_speaker["errors"][0]["message"] == "No speaker with id '99'"
    missing = _post(client, mutation, variables={"input": {"eventId": "2"}})
    assert missing["data"] is None and "title" in missing["errors"][0]["message"]


async def test_each_app_starts_from_the_seed() -> None:
    """A restart resets the data: a second app does not see the first one's RSVP."""
    query = {"query": '{ event(id: "2") { attendeeCount } }'}
    rsvp = {"query": 'mutation { rsvp(eventId: "2", name: "Ada") { attendeeCount } }'}
    counts = []
    for _ in range(2):
        server = await serve_asgi(create_app(), name="graphql", host="127.0.0.1", port=0)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
                counts.append((await http.post("/graphql", json=query)).json())
                await http.post("/graphql", json=rsvp)
        finally:
            await server.stop()
    assert counts[0] == counts[1] == {"data": {"event": {"attendeeCount": 512}}}


# -- introspection and SDL --------------------------------------------------------------------


def test_introspection_describes_the_schema(client: httpx.Client) -> None:
    schema = _post(client, INTROSPECTION)["data"]["__schema"]
    assert schema["queryType"]["name"] == "Query"
    assert schema["mutationType"]["name"] == "Mutation"
    assert schema["subscriptionType"]["name"] == "Subscription"
    types = {t["name"]: t for t in schema["types"]}

    event = types["Event"]
    assert event["description"]
    fields = {f["name"]: f for f in event["fields"]}
    assert all(f["description"] for f in fields.values())
    assert fields["capacity"]["isDeprecated"] is True
    assert "location.capacity" in fields["capacity"]["deprecationReason"]
    assert fields["ticketPrice"]["type"] == {"kind": "SCALAR", "name": "Float", "ofType": None}

    assert {t["name"] for t in types["SearchResult"]["possibleTypes"]} == {"Event", "Speaker"}
    assert [v["name"] for v in types["Topic"]["enumValues"]] == [
        "PYTHON",
        "GRAPHQL",
        "SECURITY",
        "DATA",
    ]
    assert [v["name"] for v in types["EventStatus"]["enumValues"]] == [
        "SCHEDULED",
        "LIVE",
        "CANCELLED",
    ]
    inputs = {f["name"]: f for f in types["NewSessionInput"]["inputFields"]}
    assert inputs["durationMinutes"]["defaultValue"] == "30"
    assert inputs["eventId"]["type"] == {"kind": "NON_NULL", "name": None, "ofType": {"name": "ID"}}

    query = {f["name"]: f for f in types["Query"]["fields"]}
    assert {"events", "event", "speakers", "search", "failingEvent"} <= set(query)
    events_args = {a["name"]: a for a in query["events"]["args"]}
    assert events_args["first"]["defaultValue"] == "10"
    assert events_args["city"]["defaultValue"] is None
    ticks = {f["name"]: f for f in types["Subscription"]["fields"]}["ticks"]
    assert {a["name"]: a["defaultValue"] for a in ticks["args"]} == {
        "count": "5",
        "intervalMs": "200",
    }
    mutations = {f["name"] for f in types["Mutation"]["fields"]}
    assert mutations == {"addSession", "rsvp"}


def test_locked_endpoint_refuses_introspection_but_answers_queries(
    client: httpx.Client,
) -> None:
    refused = _post(client, "{ __schema { types { name } } }", path="/graphql-locked")
    assert refused["data"] is None
    assert "introspection has been disabled" in refused["errors"][0]["message"]
    by_type = _post(client, '{ __type(name: "Event") { name } }', path="/graphql-locked")
    assert by_type["data"] is None and by_type["errors"]

    works = _post(
        client, '{ event(id: "1") { __typename name } }', path="/graphql-locked"
    )  # __typename is not introspection
    assert works == {"data": {"event": {"__typename": "Event", "name": "PyCon Berlin"}}}


def test_sdl_endpoint_serves_the_committed_schema(client: httpx.Client) -> None:
    response = client.get("/schema.graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == SDL_FILE.read_text(encoding="utf-8")
    assert "union SearchResult = Event | Speaker" in response.text
    assert '@deprecated(reason: "Use location.capacity instead.")' in response.text


def test_committed_sdl_matches_the_schema() -> None:
    """mock_servers/graphql_schema/events.graphql never drifts from the code. To update:
    python -c "from mock_servers.graphql import sdl; print(sdl(), end='')" > FILE"""
    assert SDL_FILE.read_text(encoding="utf-8") == sdl()


def test_index_lists_the_endpoints(client: httpx.Client) -> None:
    index = client.get("/").json()
    paths = {e["path"] for e in index["endpoints"]}
    assert {"/graphql", "/graphql-locked", "/schema.graphql", "/graphql-noproto"} <= paths
    assert index["subprotocols"] == [TRANSPORT_WS, LEGACY_WS]


# -- broken endpoints -------------------------------------------------------------------------


def test_broken_html_endpoint(client: httpx.Client) -> None:
    response = client.post("/graphql-broken/html", json={"query": "{ events { id } }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_broken_500_endpoint(client: httpx.Client) -> None:
    response = client.post("/graphql-broken/500", json={"query": "{ events { id } }"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Internal Server Error"


# -- subscriptions over WebSocket -------------------------------------------------------------


async def _recv(ws: ClientConnection, timeout: float = RECV_TIMEOUT) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _init(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert await _recv(ws) == {"type": "connection_ack"}


async def test_ticks_over_graphql_transport_ws(ws_url: str) -> None:
    async with connect(f"{ws_url}/graphql", subprotocols=[TRANSPORT_WS]) as ws:
        assert ws.subprotocol == TRANSPORT_WS
        await _init(ws)
        query = "subscription($n: Int) { ticks(count: $n, intervalMs: 20) { n at } }"
        await ws.send(
            json.dumps(
                {"type": "subscribe", "id": "a", "payload": {"query": query, "variables": {"n": 3}}}
            )
        )
        ticks = [await _recv(ws) for _ in range(3)]
        assert [m["type"] for m in ticks] == ["next"] * 3
        assert [m["payload"]["data"]["ticks"]["n"] for m in ticks] == [1, 2, 3]
        assert ticks[0]["payload"]["data"]["ticks"]["at"].endswith("+00:00")
        assert await _recv(ws) == {"id": "a", "type": "complete"}

        await ws.send(json.dumps({"type": "ping"}))
        assert await _recv(ws) == {"type": "pong"}


async def test_client_complete_stops_an_endless_subscription(ws_url: str) -> None:
    async with connect(f"{ws_url}/graphql", subprotocols=[TRANSPORT_WS]) as ws:
        await _init(ws)
        query = "subscription { ticks(count: null, intervalMs: 20) { n } }"
        await ws.send(json.dumps({"type": "subscribe", "id": "x", "payload": {"query": query}}))
        assert (await _recv(ws))["payload"]["data"]["ticks"]["n"] == 1
        await ws.send(json.dumps({"type": "complete", "id": "x"}))
        await ws.send(json.dumps({"type": "ping"}))
        while (message := await _recv(ws))["type"] != "pong":
            assert message["type"] == "next"  # ticks already on their way
        with pytest.raises(TimeoutError):
            await _recv(ws, timeout=0.2)


async def test_subscription_argument_error(ws_url: str) -> None:
    async with connect(f"{ws_url}/graphql", subprotocols=[TRANSPORT_WS]) as ws:
        await _init(ws)
        query = "subscription { ticks(intervalMs: 0) { n } }"
        await ws.send(json.dumps({"type": "subscribe", "id": "e", "payload": {"query": query}}))
        message = await _recv(ws)
        assert message["payload"]["errors"][0]["message"] == (
            "intervalMs must be between 1 and 60000, got 0"
        )


async def test_ticks_over_legacy_graphql_ws(ws_url: str) -> None:
    async with connect(f"{ws_url}/graphql", subprotocols=[LEGACY_WS]) as ws:
        assert ws.subprotocol == LEGACY_WS
        await _init(ws)
        query = "subscription { ticks(count: 2, intervalMs: 20) { n } }"
        await ws.send(json.dumps({"type": "start", "id": "1", "payload": {"query": query}}))
        assert await _recv(ws) == {
            "type": "data",
            "id": "1",
            "payload": {"data": {"ticks": {"n": 1}}},
        }
        assert await _recv(ws) == {
            "type": "data",
            "id": "1",
            "payload": {"data": {"ticks": {"n": 2}}},
        }
        assert await _recv(ws) == {"type": "complete", "id": "1"}
        await ws.send(json.dumps({"type": "connection_terminate"}))
        with pytest.raises(websockets.ConnectionClosed):
            await _recv(ws)


async def test_session_added_receives_sessions_from_add_session(
    ws_url: str, aclient: httpx.AsyncClient
) -> None:
    mutation = "mutation($input: NewSessionInput!) { addSession(input: $input) { id title } }"

    async def add(event_id: str) -> str:
        title = f"Live {uuid.uuid4()}"
        variables = {
            "input": {
                "eventId": event_id,
                "title": title,
                "speakerId": "1",
                "startsAt": "2026-10-14T16:00:00+02:00",
                "durationMinutes": 20,
            }
        }
        response = await aclient.post("/graphql", json={"query": mutation, "variables": variables})
        assert response.json()["data"]["addSession"]["title"] == title
        return title

    async with connect(f"{ws_url}/graphql", subprotocols=[TRANSPORT_WS]) as ws:
        await _init(ws)
        query = (
            'subscription { sessionAdded(eventId: "1") { title event { id } speaker { name } } }'
        )
        await ws.send(json.dumps({"type": "subscribe", "id": "s", "payload": {"query": query}}))
        # The server registers the listener on its own time: add until one arrives.
        sent: list[str] = []
        for _ in range(20):
            sent.append(await add("1"))
            try:
                first = await _recv(ws, timeout=0.25)
                break
            except TimeoutError:
                continue
        else:
            pytest.fail("sessionAdded never delivered a session")
        assert first["type"] == "next" and first["id"] == "s"
        assert first["payload"]["data"]["sessionAdded"]["title"] in sent

        # Sessions of other events are filtered out.
        await add("2")
        wanted = await add("1")
        while True:
            added = (await _recv(ws))["payload"]["data"]["sessionAdded"]
            assert added["event"] == {"id": "1"}
            assert added["speaker"] == {"name": "Ada Okafor"}
            if added["title"] == wanted:
                break


async def test_noproto_endpoint_refuses_every_subprotocol(ws_url: str) -> None:
    for protocol in (TRANSPORT_WS, LEGACY_WS):
        async with connect(f"{ws_url}/graphql-noproto", subprotocols=[protocol]) as ws:
            assert ws.subprotocol is None
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await _recv(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4406
        assert closed.value.rcvd.reason == "Subprotocol not acceptable"


async def test_main_endpoint_refuses_an_unknown_subprotocol(ws_url: str) -> None:
    async with connect(f"{ws_url}/graphql", subprotocols=["graphql-sse"]) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _recv(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406
