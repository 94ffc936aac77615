"""Checks and captures saved with a request: round trips, clean files, old files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from apiclient.core.models import (
    Capture,
    Check,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    WebhookRequest,
    WebsocketRequest,
)
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_format import FormatError, dump_yaml, parse_request, request_doc

_KINDS = [RestRequest, SoapRequest, GraphqlRequest, GrpcRequest]


def _checks() -> list[Check]:
    return [
        Check(expected="200"),
        Check(source="jsonpath", expression="$.data.items[0].id", expected="{{item_id}}"),
        Check(source="header", expression="Content-Type", op="contains", expected="json"),
        Check(source="time_ms", op="less_than", expected="500", enabled=False),
    ]


def _captures() -> list[Capture]:
    return [
        Capture(variable="token", expression="$.token"),
        Capture(variable="session", source="regex", expression=r"sid=(\w+)", enabled=False),
    ]


@pytest.mark.parametrize("model", _KINDS)
def test_checks_and_captures_round_trip_through_the_file_text(model: type) -> None:
    request = model(name="With checks", checks=_checks(), captures=_captures())
    text = dump_yaml(request_doc(request))
    again = parse_request(text)
    assert again == request
    assert type(again) is model and isinstance(
        again, RestRequest | SoapRequest | GraphqlRequest | GrpcRequest
    )
    assert again.checks[1].expression == "$.data.items[0].id"


@pytest.mark.parametrize("model", _KINDS)
def test_no_checks_writes_nothing(model: type) -> None:
    doc = request_doc(model(name="Plain"))
    assert "checks" not in doc and "captures" not in doc


def test_a_check_file_leaves_out_defaults() -> None:
    request = RestRequest(name="x", checks=_checks()[:2], captures=_captures()[:1])
    text = dump_yaml(request_doc(request))
    assert text == (
        "kind: rest\n"
        "name: x\n"
        "checks:\n"
        "  - expected: '200'\n"
        "  - source: jsonpath\n"
        "    expression: $.data.items[0].id\n"
        "    expected: '{{item_id}}'\n"
        "captures:\n"
        "  - variable: token\n"
        "    expression: $.token\n"
    )


def test_an_old_file_without_checks_still_loads() -> None:
    request = parse_request("kind: rest\nname: Old\nmethod: POST\nurl: http://x/api\n")
    assert isinstance(request, RestRequest)
    assert request.checks == [] and request.captures == []


def test_a_hand_written_check_file_loads() -> None:
    request = parse_request(
        "kind: soap\nname: S\nchecks:\n"
        "  - source: xpath\n    expression: //m:Result\n    op: exists\n"
        "captures:\n  - variable: id\n    source: xpath\n    expression: //m:Id\n"
    )
    assert isinstance(request, SoapRequest)
    assert request.checks == [Check(source="xpath", expression="//m:Result", op="exists")]
    assert request.captures == [Capture(variable="id", source="xpath", expression="//m:Id")]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("checks:\n  - source: cookie\n", "checks.0.source"),
        ("checks:\n  - op: is\n", "checks.0.op"),
        ("checks:\n  - expectd: '1'\n", "checks.0.expectd"),
        ("captures:\n  - source: body\n", "captures.0.variable"),
        ("captures:\n  - variable: a\n    source: time_ms\n", "captures.0.source"),
    ],
)
def test_a_bad_check_names_the_field(text: str, field: str) -> None:
    with pytest.raises(FormatError, match=f"field '{field}'"):
        parse_request("kind: rest\nname: R\n" + text)


@pytest.mark.parametrize("model", [WebsocketRequest, WebhookRequest])
def test_websocket_and_webhook_have_no_checks(model: type) -> None:
    with pytest.raises(ValidationError):
        model(checks=[Check()])


def test_checks_survive_the_store(tmp_path: Path) -> None:
    store = CollectionStore.create(tmp_path / "api", "API")
    request = RestRequest(name="Login", checks=_checks(), captures=_captures())
    relpath = store.save_request(request)
    again = CollectionStore.open(store.root)
    node = again.find(relpath)
    assert isinstance(node, RequestNode) and node.request == request
