"""The GraphQL contract mock, called over HTTP as clients do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import corpus_paths
import httpx
import pytest
import websockets
from graphql import build_client_schema, get_introspection_query

from mock_servers.contracts import graphql_mock
from mock_servers.contracts.base import ContractError, Pin, Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.graphql_ws import LEGACY_PROTOCOL, PROTOCOL
from mock_servers.errors import PortInUseError

HERE = Path(__file__).parent / "contract_files" / "graphql"
CONFERENCE = HERE / "conference.graphql"
CORPUS = corpus_paths.CORPUS / "graphql"
STARWARS = CORPUS / "gql" / "starwars.printed.graphql"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
TALKS = """
query Talks {
  talks(track: DATA) {
    id title track startsAt durationMinutes rating recorded metadata
    speakers { firstName lastName email homepage }
  }
  search(text: "x") { __typename ... on Room { name capacity } ... on Talk { title } }
  node(id: "1") { id __typename }
}
"""


@asynccontextmanager
async def serving(
    contract: Path, seed: int = 1, pins: Pins | None = None
) -> AsyncIterator[StartedMock]:
    mock = await graphql_mock.start(contract, "127.0.0.1", 0, FakeData(seed), pins or Pins())
    try:
        yield mock
    finally:
        await mock.stop()


async def _post(url: str, query: str, **extra: Any) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url, json={"query": query, **extra})


async def test_introspection_describes_the_schema() -> None:
    async with serving(CONFERENCE) as mock:
        response = await _post(mock.url, get_introspection_query())
    assert response.status_code == 200
    schema = build_client_schema(response.json()["data"])
    assert set(schema.query_type.fields) == {"talks", "talk", "node", "search"}
    assert schema.subscription_type is not None
    assert mock.operations == (
        "Query.talks",
        "Query.talk",
        "Query.node",
        "Query.search",
        "Mutation.addTalk",
        "Subscription.talkAdded",
    )


async def test_a_query_gets_data_of_the_right_shape() -> None:
    async with serving(CONFERENCE) as mock:
        body = (await _post(mock.url, TALKS)).json()
    assert "errors" not in body
    talks = body["data"]["talks"]
    assert 2 <= len(talks) <= 4
    for talk in talks:
        assert talk["track"] in {"BACKEND", "FRONTEND", "DATA"}
        assert isinstance(talk["durationMinutes"], int)
        assert isinstance(talk["recorded"], bool)
        assert talk["startsAt"].endswith("Z")
        assert talk["speakers"][0]["email"].endswith("@example.com")
        assert talk["speakers"][0]["homepage"].startswith("https://")
    assert all(hit["__typename"] in {"Speaker", "Talk", "Room"} for hit in body["data"]["search"])
    assert body["data"]["node"]["__typename"] in {"Speaker", "Talk"}


async def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    async def data(seed: int, query: str = TALKS) -> Any:
        async with serving(CONFERENCE, seed) as mock:
            return (await _post(mock.url, query)).json()["data"]

    first = await data(5)
    assert first == await data(5)
    assert first != await data(6)
    aliased = await data(5, "{ again: talks { title } talks { title } }")
    assert aliased["again"] == aliased["talks"] == [{"title": t["title"]} for t in first["talks"]]


async def test_get_requests_and_mutations() -> None:
    async with serving(CONFERENCE) as mock, httpx.AsyncClient() as http:
        got = await http.get(mock.url, params={"query": "{ talk(id: 1) { title } }"})
        added = await _post(mock.url, 'mutation { addTalk(title: "t", track: DATA) { id } }')
        refused = await http.get(
            mock.url, params={"query": 'mutation { addTalk(title: "t", track: DATA) { id } }'}
        )
        subscribed = await _post(mock.url, "subscription { talkAdded { id } }")
    assert isinstance(got.json()["data"]["talk"]["title"], str)
    assert added.json()["data"]["addTalk"]["id"]
    assert refused.status_code == 405
    assert "graphql-transport-ws" in subscribed.json()["errors"][0]["message"]


async def test_pins_replace_a_root_field_or_fail_it() -> None:
    pins = Pins()
    pins.set("Query.talk", Pin(body='{"title": "Pinned talk", "speakers": [{"firstName": "Ada"}]}'))
    pins.set("Mutation.addTalk", Pin(status=403, body="Talk submissions are closed."))
    async with serving(CONFERENCE, pins=pins) as mock:
        pinned = (
            await _post(mock.url, '{ talk(id: "1") { title speakers { firstName } } }')
        ).json()
        failed = (
            await _post(mock.url, 'mutation { addTalk(title: "t", track: DATA) { id } }')
        ).json()
        pins.set("Query.talk", None)
        generated = (await _post(mock.url, '{ talk(id: "1") { title } }')).json()
    assert pinned["data"]["talk"] == {"title": "Pinned talk", "speakers": [{"firstName": "Ada"}]}
    assert failed["data"] is None
    assert failed["errors"][0]["message"] == "Talk submissions are closed."
    assert failed["errors"][0]["extensions"] == {"code": 403}
    assert generated["data"]["talk"]["title"] != "Pinned talk"


async def test_invalid_queries_are_answered_with_errors() -> None:
    async with serving(CONFERENCE) as mock:
        unknown = await _post(mock.url, "{ nope }")
        syntax = await _post(mock.url, "{ talks { ")
    assert unknown.status_code == 400
    assert "nope" in unknown.json()["errors"][0]["message"]
    assert syntax.status_code == 400
    assert syntax.json()["errors"][0]["locations"]


async def _subscribe(url: str, query: str, protocol: str = PROTOCOL) -> list[dict[str, Any]]:
    """Every message after the ack for one subscribe over ``protocol``."""
    ws_url = url.replace("http://", "ws://")
    start = "subscribe" if protocol == PROTOCOL else "start"
    async with websockets.connect(ws_url, subprotocols=[protocol]) as socket:
        assert socket.subprotocol == protocol
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv()) == {"type": "connection_ack"}
        message = {"type": start, "id": "1", "payload": {"query": query}}
        await socket.send(json.dumps(message))
        received = []
        while not received or received[-1]["type"] not in {"complete", "error"}:
            received.append(json.loads(await asyncio.wait_for(socket.recv(), 10)))
    return received


async def test_subscriptions_send_a_few_generated_events_over_websocket() -> None:
    pins = Pins()
    async with serving(CONFERENCE, pins=pins) as mock:
        events = await _subscribe(mock.url, "subscription { talkAdded { title track } }")
        query = await _subscribe(mock.url, "{ talk(id: 1) { title } }")
        pins.set("Subscription.talkAdded", Pin(body='{"title": "Pinned", "track": "DATA"}'))
        pinned = await _subscribe(mock.url, "subscription { talkAdded { title } }")
        pins.set("Subscription.talkAdded", Pin(status=500, body="No talks today."))
        failed = await _subscribe(mock.url, "subscription { talkAdded { title } }")
    nexts = [event["payload"]["data"]["talkAdded"] for event in events[:-1]]
    assert 2 <= len(nexts) <= 4
    assert all(event["type"] == "next" for event in events[:-1])
    assert len({talk["title"] for talk in nexts}) == len(nexts)
    assert events[-1] == {"type": "complete", "id": "1"}
    assert [m["type"] for m in query] == ["next", "complete"]
    assert pinned[0]["payload"]["data"]["talkAdded"] == {"title": "Pinned"}
    assert failed[0]["type"] == "error"
    assert failed[0]["payload"][0]["message"] == "No talks today."


async def test_subscriptions_are_served_over_the_legacy_graphql_ws_protocol_too() -> None:
    """The GraphQL tab offers graphql-ws (subscriptions-transport-ws) as well; the mock
    used to accept the socket and then close it with 4406."""
    pins = Pins()
    async with serving(CONFERENCE, pins=pins) as mock:
        events = await _subscribe(mock.url, "subscription { talkAdded { title } }", LEGACY_PROTOCOL)
        pins.set("Subscription.talkAdded", Pin(status=500, body="No talks today."))
        failed = await _subscribe(mock.url, "subscription { talkAdded { title } }", LEGACY_PROTOCOL)
    assert {event["type"] for event in events[:-1]} == {"data"}
    assert all(event["payload"]["data"]["talkAdded"]["title"] for event in events[:-1])
    assert events[-1] == {"type": "complete", "id": "1"}
    assert failed == [{"type": "error", "id": "1", "payload": failed[0]["payload"]}]
    assert failed[0]["payload"]["message"] == "No talks today."


async def test_a_subprotocol_the_mock_does_not_speak_is_refused_with_4406() -> None:
    async with serving(CONFERENCE) as mock:
        ws_url = mock.url.replace("http://", "ws://")
        async with websockets.connect(ws_url, subprotocols=["graphql-sse"]) as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406


@needs_corpus
async def test_the_corpus_star_wars_schema_is_served() -> None:
    query = '{ hero { id name friends { name } appearsIn } droid(id: "1") { primaryFunction } }'
    async with serving(STARWARS) as mock:
        body = (await _post(mock.url, query)).json()
        introspected = (await _post(mock.url, get_introspection_query())).json()
    assert body["data"]["hero"]["appearsIn"]
    assert isinstance(body["data"]["droid"]["primaryFunction"], str)
    assert build_client_schema(introspected["data"]).get_type("Droid") is not None


@pytest.mark.parametrize(
    ("contract", "words"),
    [
        (HERE / "broken.graphql", "broken.graphql is not valid GraphQL SDL at line 7, column 9"),
        (HERE / "invalid.graphql", "at line 2, column 11: Unknown type 'Talk'"),
        (
            CORPUS / "graphql-core" / "schema_kitchen_sink.graphql",
            "at line 3, column 10: Unknown type 'QueryType'",
        ),
        (
            CORPUS / "github-octokit" / "schema.graphql",
            "at line 15003, column 3: Field 'EnterpriseOwnerInfo.repositoryDeployKeySetting' "
            "can only be defined once",
        ),
    ],
)
async def test_bad_sdl_is_refused_with_line_and_column(contract: Path, words: str) -> None:
    if not contract.exists():
        pytest.skip("the shared corpus is not here")
    with pytest.raises(ContractError) as caught:
        await graphql_mock.start(contract, "127.0.0.1", 0, FakeData(), Pins())
    assert words in str(caught.value)


async def test_a_port_in_use_is_reported(occupied_port: int) -> None:
    with pytest.raises(PortInUseError):
        await graphql_mock.start(CONFERENCE, "127.0.0.1", occupied_port, FakeData(), Pins())


async def test_the_gql_client_fetches_the_schema_and_queries_the_mock() -> None:
    """gql, the reference Python GraphQL client, as a user's own code would call the mock:
    it reads the schema by introspection and validates its query against it."""
    from gql import Client, gql
    from gql.transport.httpx import HTTPXAsyncTransport

    async with serving(CONFERENCE, seed=3) as mock:
        transport = HTTPXAsyncTransport(url=mock.url)
        async with Client(transport=transport, fetch_schema_from_transport=True) as session:
            query = gql("{ talks { id title track speakers { email } } }")
            first = await session.execute(query)
            again = await session.execute(query)
    assert first == again  # the same seed, the same data
    assert 2 <= len(first["talks"]) <= 4
    talk = first["talks"][0]
    assert talk["track"] in {"BACKEND", "FRONTEND", "DATA"}
    assert all("@" in speaker["email"] for speaker in talk["speakers"])
