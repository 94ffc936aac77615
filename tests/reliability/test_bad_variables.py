"""Bad ``{{variables}}`` through the resolver a send uses: unknown names, cycles, chains
too long and values that expand without end each give a VariableError naming the
variable and where it was used, quickly, never a RecursionError or a hang."""

from __future__ import annotations

from typing import Any

import pytest
from clear_errors import params, refused

from apiclient.core.models import (
    Body,
    GraphqlRequest,
    GrpcRequest,
    KeyValue,
    RestRequest,
    SoapRequest,
    Variable,
    WebsocketRequest,
)
from apiclient.core.variables import (
    Scope,
    resolve_graphql_request,
    resolve_grpc_request,
    resolve_request,
    resolve_soap_request,
    resolve_websocket_request,
)


def _chain(length: int) -> dict[str, str]:
    """v0 -> v1 -> ... -> v<length> = "end"."""
    return {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(length)} | {f"v{length}": "end"}


def _doubling(levels: int, leaf: str = "x") -> dict[str, str]:
    """d0 uses d1 twice, d1 uses d2 twice...: 2**levels copies of ``leaf``."""
    return {f"d{i}": f"{{{{d{i + 1}}}}}{{{{d{i + 1}}}}}" for i in range(levels)} | {
        f"d{levels}": leaf
    }


# (id, (URL text, environment variables), fragment)
IN_URL: list[tuple[str, tuple[str, dict[str, str]], str]] = [
    ("unknown", ("{{host}}/x", {}), "Unknown variable {{host}} in URL"),
    ("typo-suggests", ("{{hots}}/x", {"host": "h"}), "did you mean {{host}}"),
    ("unknown-dynamic", ("{{$nope}}", {}), "{{$nope}}"),
    ("dynamic-typo", ("{{$uuidd}}", {}), "did you mean {{$uuid}}"),
    ("dollar-name-is-not-a-variable", ("{{$host}}", {"$host": "h"}), "{{$host}}"),
    ("several-unknown", ("{{a}}{{b}}", {}), "Unknown variables {{a}} in URL, {{b}} in URL"),
    ("unknown-inside-a-value", ("{{a}}", {"a": "{{b}}"}), "{{b}}"),
    ("spaces-in-the-name", ("{{ no such }}", {}), "{{no such}}"),
    ("nul-in-the-name", ("{{a\x00}}", {}), "Unknown variable"),
    ("very-long-name", ("{{" + "n" * 5000 + "}}", {}), "Unknown variable"),
    ("refers-to-itself", ("{{a}}", {"a": "{{a}}"}), "refers to itself (a -> a)"),
    ("two-step-cycle", ("{{a}}", {"a": "{{b}}", "b": "{{a}}"}), "(a -> b -> a)"),
    (
        "three-step-cycle",
        ("{{a}}", {"a": "x{{b}}", "b": "{{c}}y", "c": "{{a}}"}),
        "a -> b -> c -> a",
    ),
    ("cycle-deeper-in", ("{{a}}", {"a": "{{b}}", "b": "{{c}}", "c": "{{b}}"}), "(b -> c -> b)"),
    ("chain-of-60", ("{{v0}}", _chain(60)), "more than 50 other variables"),
    ("chain-of-400", ("{{v0}}", _chain(400)), "more than 50 other variables"),
    ("chain-of-5000", ("{{v0}}", _chain(5_000)), "more than 50 other variables"),
    ("doubling-2-to-the-30", ("{{d0}}", _doubling(30)), "grows without end"),
    ("doubling-of-empty-values", ("{{d0}}", _doubling(40, leaf="")), "grows without end"),
    ("doubling-of-large-values", ("{{d0}}", _doubling(10, leaf="x" * 1_000_000)), "64 MB"),
]
# (id, a request of another kind, its variables, fragment naming the field)
OTHER_FIELDS: list[tuple[str, Any, str]] = [
    (
        "rest-header-value",
        RestRequest(url="http://h", headers=[KeyValue(name="X-Key", value="{{key}}")]),
        "in header 'X-Key'",
    ),
    ("rest-body", RestRequest(url="http://h", body=Body(mode="raw", raw="{{id}}")), "in body"),
    (
        "rest-param",
        RestRequest(url="http://h", params=[KeyValue(name="q", value="{{q}}")]),
        "{{q}}",
    ),
    (
        "soap-envelope",
        SoapRequest(endpoint="http://h", envelope="<e>{{patient}}</e>"),
        "{{patient}}",
    ),
    (
        "graphql-variables",
        GraphqlRequest(url="http://h", variables_json='{"id": "{{id}}"}'),
        "{{id}}",
    ),
    ("grpc-message", GrpcRequest(target="h:1", message='{"id": "{{id}}"}'), "{{id}}"),
    ("websocket-url", WebsocketRequest(url="ws://{{ws_host}}/x"), "{{ws_host}}"),
]
_RESOLVERS = {
    RestRequest: resolve_request,
    SoapRequest: resolve_soap_request,
    GraphqlRequest: resolve_graphql_request,
    GrpcRequest: resolve_grpc_request,
    WebsocketRequest: resolve_websocket_request,
}
CASES = [*IN_URL, *OTHER_FIELDS]


def _scope(values: dict[str, str]) -> Scope:
    return Scope.layered(environment=[Variable(name=k, value=v) for k, v in values.items()])


@pytest.mark.parametrize(("given", "fragment"), params(IN_URL))
def test_a_bad_variable_in_the_url_is_refused_clearly(
    given: tuple[str, dict[str, str]], fragment: str
) -> None:
    url, values = given
    refused(lambda: resolve_request(RestRequest(url=url), _scope(values)), fragment)


@pytest.mark.parametrize(("request_", "fragment"), params(OTHER_FIELDS))
def test_an_unknown_variable_anywhere_names_its_place(request_: Any, fragment: str) -> None:
    resolve = _RESOLVERS[type(request_)]
    refused(lambda: resolve(request_, _scope({})), fragment)
