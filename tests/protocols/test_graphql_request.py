"""The wire form of a GraphQL request: the HTTP request that carries an operation,
and where a subscription connects with which headers."""

from __future__ import annotations

import json

import pytest

from apiclient.core.models import Auth, GraphqlRequest, KeyValue
from apiclient.protocols.errors import DocumentError, RequestBuildError
from apiclient.protocols.graphql_request import ACCEPT, http_request, prepare, socket_target

QUERY = "query One($id: ID!) { event(id: $id) { name } }"


def request(**fields: object) -> GraphqlRequest:
    values: dict[str, object] = {"url": "http://127.0.0.1:9/graphql", "query": QUERY}
    values.update(fields)
    return GraphqlRequest.model_validate(values)


def test_prepare_builds_the_payload_with_the_operation_name() -> None:
    operation = prepare(request(variables_json='{"id": "1"}'), None)
    assert operation.payload == {"query": QUERY, "variables": {"id": "1"}, "operationName": "One"}
    anonymous = prepare(request(query="{ events { id } }"), None)
    assert anonymous.payload["operationName"] is None and anonymous.payload["variables"] == {}


def test_prepare_checks_the_document_first() -> None:
    with pytest.raises(DocumentError):
        prepare(request(query="{ events {", variables_json="not json"), None)


def test_post_carries_json_and_asks_for_graphql_responses() -> None:
    graphql = request(variables_json='{"id": "1"}', headers=[KeyValue(name="X-Team", value="a")])
    rest = http_request(graphql, prepare(graphql, None))
    assert rest.method == "POST" and rest.url == graphql.url
    assert rest.body.mode == "raw" and rest.body.language == "json"
    assert json.loads(rest.body.raw) == {
        "query": QUERY,
        "variables": {"id": "1"},
        "operationName": "One",
    }
    assert [(h.name, h.value) for h in rest.headers] == [("X-Team", "a"), ("Accept", ACCEPT)]


def test_a_typed_accept_header_wins_unless_disabled() -> None:
    typed = request(variables_json='{"id": "1"}', headers=[KeyValue(name="accept", value="*/*")])
    assert [h.value for h in http_request(typed, prepare(typed, None)).headers] == ["*/*"]
    off = [KeyValue(name="Accept", value="*/*", enabled=False)]
    disabled = request(variables_json='{"id": "1"}', headers=off)
    assert http_request(disabled, prepare(disabled, None)).headers[-1].value == ACCEPT


def test_get_puts_the_operation_in_query_parameters() -> None:
    graphql = request(
        method="GET", variables_json='{"id": "1"}', auth=Auth(kind="bearer", token="t")
    )
    rest = http_request(graphql, prepare(graphql, None))
    assert rest.method == "GET" and rest.body.mode == "none"
    assert [(p.name, p.value) for p in rest.params] == [
        ("query", QUERY),
        ("variables", '{"id": "1"}'),
        ("operationName", "One"),
    ]
    assert rest.auth.token == "t"


def test_get_without_variables_or_name_sends_only_the_query() -> None:
    graphql = request(method="GET", query="{ events { id } }")
    rest = http_request(graphql, prepare(graphql, None))
    assert [p.name for p in rest.params] == ["query"]


def test_get_refuses_a_mutation() -> None:
    graphql = request(method="GET", query='mutation { rsvp(eventId: "1", name: "A") { id } }')
    with pytest.raises(RequestBuildError) as caught:
        http_request(graphql, prepare(graphql, None))
    assert str(caught.value) == (
        "A mutation cannot be sent with GET (GraphQL over HTTP allows GET only for queries,"
        " so that a link cannot change data). Switch the method to POST."
    )


# -- subscriptions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "subscription_url", "expected"),
    [
        ("http://127.0.0.1:9/graphql", "", "ws://127.0.0.1:9/graphql"),
        ("HTTPS://example.test/graphql", "", "wss://example.test/graphql"),
        ("127.0.0.1:9/graphql", "", "ws://127.0.0.1:9/graphql"),
        ("http://127.0.0.1:9/graphql", "wss://example.test/subs", "wss://example.test/subs"),
        ("http://127.0.0.1:9/graphql", "  https://example.test/subs ", "wss://example.test/subs"),
    ],
)
async def test_socket_url(url: str, subscription_url: str, expected: str) -> None:
    target = await socket_target(request(url=url, subscription_url=subscription_url))
    assert target.url == expected


async def test_socket_headers_and_auth_as_rest_sends_them() -> None:
    headers = [
        KeyValue(name="X-Team", value="a"),
        KeyValue(name="X-Off", value="b", enabled=False),
    ]
    bearer = await socket_target(request(headers=headers, auth=Auth(kind="bearer", token="tok")))
    assert bearer.headers == (("X-Team", "a"), ("Authorization", "Bearer tok"))
    basic = await socket_target(request(auth=Auth(kind="basic", username="ada", password="pw")))
    assert basic.headers == (("Authorization", "Basic YWRhOnB3"),)


async def test_api_key_in_the_query_goes_into_the_socket_url() -> None:
    auth = Auth(kind="apikey", key_name="key", key_value="s3cret", key_in="query")
    target = await socket_target(request(url="http://127.0.0.1:9/graphql?x=1", auth=auth))
    assert target.url == "ws://127.0.0.1:9/graphql?x=1&key=s3cret"
    assert target.headers == ()


async def test_socket_refuses_digest_auth_and_bad_input() -> None:
    with pytest.raises(RequestBuildError, match="Digest auth is not available for a subscription"):
        await socket_target(request(auth=Auth(kind="digest", username="a", password="b")))
    with pytest.raises(RequestBuildError, match="unsupported scheme 'ftp'"):
        await socket_target(request(subscription_url="ftp://example.test/subs"))
    with pytest.raises(RequestBuildError, match="The URL is empty"):
        await socket_target(request(url=""))
    with pytest.raises(RequestBuildError, match="header name 'Bad Name' is not valid"):
        await socket_target(request(headers=[KeyValue(name="Bad Name", value="x")]))
