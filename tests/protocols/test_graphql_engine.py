"""The GraphQL engine over HTTP against the real GraphQL mock (and the REST mock's
/echo, to see exactly what went out): introspection, queries, mutations, answers that
are not GraphQL, and bad input refused before any traffic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql_helpers import at

from apiclient.core.models import Auth, GraphqlRequest, KeyValue, RestRequest
from apiclient.protocols.errors import (
    ConnectError,
    DocumentError,
    RequestBuildError,
    SchemaError,
    VariablesError,
)
from apiclient.protocols.graphql import GraphqlEngine, GraphqlResponseError
from apiclient.protocols.graphql_request import ACCEPT
from apiclient.protocols.graphql_schema import LoadedSchema, schema_from_sdl_file
from apiclient.protocols.rest import RestEngine

EVENT_BY_ID = "query EventById($id: ID!) { event(id: $id) { id name location { city } } }"


# -- introspection -----------------------------------------------------------------------


async def test_introspection_gives_the_mock_schema(schema: LoadedSchema, graphql_url: str) -> None:
    assert schema.source == f"introspection of {graphql_url}/graphql"
    assert schema.root_types == {
        "query": "Query",
        "mutation": "Mutation",
        "subscription": "Subscription",
    }
    types = {t.name: t for t in schema.types()}
    capacity = next(f for f in types["Event"].fields if f.name == "capacity")
    assert capacity.deprecated and capacity.deprecation_reason == "Use location.capacity instead."
    assert types["SearchResult"].possible_types == ("Event", "Speaker")
    ticks = next(f for f in types["Subscription"].fields if f.name == "ticks")
    assert [(a.name, a.default) for a in ticks.arguments] == [("count", "5"), ("intervalMs", "200")]
    assert types["Query"].description and ticks.arguments[0].description


async def test_introspection_of_json_that_is_not_graphql(gql: GraphqlEngine, rest_url: str) -> None:
    """The REST mock's /echo answers with what it received: JSON, but not GraphQL."""
    request = at(f"{rest_url}/echo", "", auth=Auth(kind="bearer", token="tok"))
    with pytest.raises(SchemaError) as caught:
        await gql.introspect(request)
    assert str(caught.value) == (
        f"Could not load the schema from {rest_url}/echo. The response has neither data nor"
        " errors, so it is not a GraphQL result; check that the URL is the server's GraphQL"
        " endpoint."
    )


async def test_locked_introspection_then_the_sdl_file(
    gql: GraphqlEngine, graphql_url: str, tmp_path: Path
) -> None:
    locked = f"{graphql_url}/graphql-locked"
    with pytest.raises(SchemaError) as caught:
        await gql.introspect(GraphqlRequest(url=locked))
    assert str(caught.value) == (
        f"The server at {locked} did not return its schema (GraphQL introspection has been"
        " disabled, but the requested query contained the field '__schema'): introspection is"
        " turned off on this server; load the schema from an SDL file instead."
    )
    rest = RestEngine()
    try:
        sdl = await rest.send(RestRequest(url=f"{graphql_url}/schema.graphql"))
    finally:
        await rest.aclose()
    path = tmp_path / "events.graphql"
    path.write_bytes(sdl.body)
    schema = schema_from_sdl_file(str(path))
    response = await gql.send(at(locked, EVENT_BY_ID, variables_json='{"id": "2"}'), schema)
    assert response.data == {
        "event": {"id": "2", "name": "GraphQL Lisbon Summit", "location": {"city": "Lisbon"}}
    }
    with pytest.raises(DocumentError, match="Cannot query field 'nme' on type 'Event'"):
        await gql.send(at(locked, '{ event(id: "1") { nme } }'), schema)


async def test_introspection_of_an_html_page(gql: GraphqlEngine, graphql_url: str) -> None:
    with pytest.raises(SchemaError, match=r"The response is not JSON \(text/html\)"):
        await gql.introspect(GraphqlRequest(url=f"{graphql_url}/graphql-broken/html"))


# -- queries and mutations ---------------------------------------------------------------


async def test_post_query_with_variables(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str
) -> None:
    response = await gql.send(
        at(f"{graphql_url}/graphql", EVENT_BY_ID, variables_json='{"id": "1"}'), schema
    )
    assert response.problem == "" and response.errors == ()
    assert response.data == {
        "event": {"id": "1", "name": "PyCon Berlin", "location": {"city": "Berlin"}}
    }
    assert response.http.method == "POST" and response.http.status_code == 200


async def test_post_wire_form(gql: GraphqlEngine, rest_url: str) -> None:
    request = at(f"{rest_url}/echo", EVENT_BY_ID, variables_json='{"id": "1"}')
    response = await gql.send(request, None)
    echoed = json.loads(response.http.body)
    assert echoed["method"] == "POST"
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["headers"]["accept"] == ACCEPT
    assert echoed["json"] == {
        "query": EVENT_BY_ID,
        "variables": {"id": "1"},
        "operationName": "EventById",
    }
    assert response.problem.startswith("The response has neither data nor errors")


async def test_headers_and_auth_go_with_the_operation(gql: GraphqlEngine, rest_url: str) -> None:
    request = at(
        f"{rest_url}/echo",
        EVENT_BY_ID,
        variables_json='{"id": "1"}',
        headers=[
            KeyValue(name="X-Team", value="blue"),
            KeyValue(name="X-Off", value="no", enabled=False),
        ],
        auth=Auth(kind="bearer", token="tok"),
    )
    echoed = json.loads((await gql.send(request, None)).http.body)["headers"]
    assert echoed["x-team"] == "blue" and "x-off" not in echoed
    assert echoed["authorization"] == "Bearer tok"


async def test_get_query(gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str) -> None:
    request = at(f"{graphql_url}/graphql", EVENT_BY_ID, method="GET", variables_json='{"id": "3"}')
    response = await gql.send(request, schema)
    assert response.http.method == "GET"
    assert response.data == {
        "event": {
            "id": "3",
            "name": "Austin Data & Security Meetup",
            "location": {"city": "Austin"},
        }
    }


async def test_get_wire_form(gql: GraphqlEngine, rest_url: str) -> None:
    request = at(f"{rest_url}/echo", EVENT_BY_ID, method="GET", variables_json='{"id": "3"}')
    echoed = json.loads((await gql.send(request, None)).http.body)
    assert echoed["method"] == "GET" and echoed["body_text"] is None
    assert echoed["query"] == {
        "query": [EVENT_BY_ID],
        "variables": ['{"id": "3"}'],
        "operationName": ["EventById"],
    }


async def test_mutation(gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str) -> None:
    url = f"{graphql_url}/graphql"
    count = "{ event(id: $id) { attendeeCount } }"
    before = await gql.send(
        at(url, f"query C($id: ID!) {count}", variables_json='{"id": "1"}'), schema
    )
    rsvp = (
        "mutation Rsvp($id: ID!, $name: String!)"
        " { rsvp(eventId: $id, name: $name) { attendeeCount } }"
    )
    response = await gql.send(at(url, rsvp, variables_json='{"id": "1", "name": "Grace"}'), schema)
    assert response.errors == ()
    assert response.data["rsvp"]["attendeeCount"] > before.data["event"]["attendeeCount"]  # type: ignore[index]


async def test_partial_data_with_errors(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str
) -> None:
    query = '{ events(first: 1) { id } event(id: "404") { name } }'
    response = await gql.send(at(f"{graphql_url}/graphql", query), schema)
    assert response.problem == ""
    assert response.data == {"events": [{"id": "1"}], "event": None}
    assert response.errors == (
        GraphqlResponseError("No event with id '404'", ((1, 27),), ("event",), ""),
    )


async def test_data_null_with_errors(
    gql: GraphqlEngine, schema: LoadedSchema, graphql_url: str
) -> None:
    response = await gql.send(at(f"{graphql_url}/graphql", "{ failingEvent { name } }"), schema)
    assert response.problem == "" and response.data is None
    assert [(e.message, e.path) for e in response.errors] == [
        ("The failing event always fails (by design of the mock)", ("failingEvent",))
    ]


async def test_server_side_validation_without_a_schema(
    gql: GraphqlEngine, graphql_url: str
) -> None:
    response = await gql.send(at(f"{graphql_url}/graphql", "{\n  events { nme }\n}"), None)
    assert response.data is None and response.problem == ""
    assert response.errors[0].message.startswith("Cannot query field 'nme' on type 'Event'.")
    assert response.errors[0].locations == ((2, 12),)


async def test_html_answer_is_a_problem_not_an_error(gql: GraphqlEngine, graphql_url: str) -> None:
    response = await gql.send(at(f"{graphql_url}/graphql-broken/html", "{ events { id } }"), None)
    assert response.http.status_code == 200 and response.data is None and response.errors == ()
    assert response.problem == (
        "The response is not JSON (text/html), so it is not a GraphQL result; check that the"
        " URL is the server's GraphQL endpoint."
    )
    assert b"<html" in response.http.body.lower()


async def test_server_error_500(gql: GraphqlEngine, graphql_url: str) -> None:
    response = await gql.send(at(f"{graphql_url}/graphql-broken/500", "{ events { id } }"), None)
    assert response.http.status_code == 500
    assert response.problem == (
        "HTTP 500 Internal Server Error: the answer is not a GraphQL result (text/plain, shown"
        " as it came); the server failed; try again or look at the server's logs."
    )


async def test_a_refused_connection_is_the_rest_engines_error(
    gql: GraphqlEngine, closed_port: int
) -> None:
    with pytest.raises(ConnectError, match="connection refused"):
        await gql.send(at(f"http://127.0.0.1:{closed_port}/graphql", "{ events { id } }"), None)


async def test_a_shared_rest_engine_stays_open(rest_url: str) -> None:
    rest = RestEngine()
    try:
        graphql_engine = GraphqlEngine(rest)
        await graphql_engine.aclose()
        assert (await rest.send(RestRequest(url=f"{rest_url}/status/204"))).status_code == 204
    finally:
        await rest.aclose()


# -- refused before any traffic ----------------------------------------------------------
# A closed port proves it: had anything been sent, the error would be ConnectError.


@pytest.mark.parametrize(
    ("query", "variables", "error", "message"),
    [
        (
            "{\n  events {\n    name\n",
            "",
            DocumentError,
            "line 4, column 1: Syntax Error: Expected Name, found <EOF>.",
        ),
        (
            '{ event(id: "1") { nme } }',
            "",
            DocumentError,
            "line 1, column 20: Cannot query field 'nme' on type 'Event'. Did you mean 'name'?",
        ),
        (
            '{ events(first: "ten") { id } }',
            "",
            DocumentError,
            'line 1, column 17: Int cannot represent non-integer value: "ten"',
        ),
        (
            EVENT_BY_ID,
            '{"id": "1" "x": 2}',
            VariablesError,
            "The variables are not valid JSON: Expecting ',' delimiter (line 1, column 12).",
        ),
        (
            EVENT_BY_ID,
            '{"id": ["1"]}',
            VariablesError,
            "Variable '$id' has invalid value: ID cannot represent value: ['1']",
        ),
        (
            EVENT_BY_ID,
            "",
            VariablesError,
            "Variable '$id' has invalid value: Expected a value of non-null type 'ID!' to be"
            " provided.",
        ),
        (
            "subscription { ticks { n } }",
            "",
            RequestBuildError,
            "This operation is a subscription: subscriptions run over a WebSocket, so start it"
            " with Subscribe instead of Send.",
        ),
    ],
)
async def test_bad_input_is_refused_before_any_traffic(
    gql: GraphqlEngine,
    schema: LoadedSchema,
    closed_port: int,
    query: str,
    variables: str,
    error: type[Exception],
    message: str,
) -> None:
    request = at(f"http://127.0.0.1:{closed_port}/graphql", query, variables_json=variables)
    with pytest.raises(error) as caught:
        await gql.send(request, schema)
    assert str(caught.value) == message


async def test_get_mutation_is_refused_before_any_traffic(
    gql: GraphqlEngine, closed_port: int
) -> None:
    query = 'mutation { rsvp(eventId: "1", name: "A") { id } }'
    request = at(f"http://127.0.0.1:{closed_port}/graphql", query, method="GET")
    with pytest.raises(RequestBuildError, match="A mutation cannot be sent with GET"):
        await gql.send(request, None)
