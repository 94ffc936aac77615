"""The runner with every request kind against its mock: SOAP, GraphQL (query and
subscription), gRPC (unary, server stream, a non-OK status) and scripted WebSockets."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from apiclient.core.models import (
    AnyRequest,
    BatchRequest,
    Capture,
    Check,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    Variable,
    WebhookRequest,
    WebsocketRequest,
    WsStep,
)
from apiclient.core.paths import resources_dir
from apiclient.core.variables import Scope
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions, RunReport
from apiclient.protocols.runner_plan import WEBHOOK_REASON, plan_from_items

_HANG_GUARD_S = 20
REPO = Path(__file__).resolve().parents[2]

_ENVELOPE = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:tns="urn:apiclient:mock:hospital:types">
  <soapenv:Body>
    <tns:GetPatientRecord><tns:PatientID>{{patient}}</tns:PatientID></tns:GetPatientRecord>
  </soapenv:Body>
</soapenv:Envelope>"""


@pytest.fixture(scope="module")
def scope(mock_urls: dict[str, str]) -> Scope:
    """The environment of the sample collection's "Local mocks", on this session's ports."""
    values = {
        "base_url": mock_urls["rest"],
        "soap_url": mock_urls["soap"],
        "graphql_url": mock_urls["graphql"],
        "grpc_target": mock_urls["grpc"].removeprefix("grpc://"),
        "ws_url": mock_urls["websocket"],
    }
    return Scope.layered(environment=[Variable(name=k, value=v) for k, v in values.items()])


async def _run(items: Sequence[AnyRequest], scope: Scope, **options: object) -> RunReport:
    plan = plan_from_items(items, name="kinds", scope=scope, options=RunOptions(**options))  # type: ignore[arg-type]
    async with asyncio.timeout(_HANG_GUARD_S):
        return await Runner(plan).run()


def _soap(name: str, patient: str, *checks: Check, validate: bool = False) -> SoapRequest:
    return SoapRequest(
        name=name,
        wsdl="{{soap_url}}/hospital?wsdl",
        service="HospitalService",
        port="HospitalSoap11",
        operation="GetPatientRecord",
        endpoint="{{soap_url}}/hospital",
        soap_action="urn:apiclient:mock:hospital/GetPatientRecord",
        envelope=_ENVELOPE.replace("{{patient}}", patient),
        validate_response=validate,
        checks=list(checks),
    )


async def test_soap_answers_and_faults_are_checked_not_errors(scope: Scope) -> None:
    family = Check(source="xpath", expression="//*[local-name()='Family']", expected="Lovelace")
    faultcode = Check(source="xpath", expression="//faultcode", op="contains", expected="Client")
    items = [
        _soap("Ada", "P001", family, Check(source="status", expected="200"), validate=True),
        _soap("Nobody", "P999", Check(source="status", expected="500"), faultcode),
        _soap("Nobody again", "P998", validate=True),
    ]
    report = await _run(items, scope, iterations=2, concurrency=3)
    ada, nobody, again = report.results[:3]

    assert ada.label == "SOAP GetPatientRecord" and ada.status == "200 OK"
    assert ada.outcome == "passed"
    # Validation against the WSDL (loaded once for the run) is reported as a check.
    assert [c.message for c in ada.checks] == [
        "The response matches the WSDL's schema.",
        "//*[local-name()='Family'] equals \"Lovelace\".",
        "The status equals 200.",
    ]
    assert nobody.outcome == "passed" and nobody.status.startswith("500")
    assert again.outcome == "passed" and again.checks == ()  # a fault is not validated
    assert [r.outcome for r in report.results[3:]] == ["passed"] * 3


async def test_graphql_query_and_subscription(scope: Scope) -> None:
    query = GraphqlRequest(
        name="Events",
        url="{{graphql_url}}/graphql",
        query="query Events { events(first: 2) { id name } }",
        checks=[Check(source="jsonpath", expression="$.data.events[1].id", expected="2")],
        captures=[Capture(variable="first_event", expression="$.data.events[0].name")],
    )
    ticks = GraphqlRequest(
        name="Ticks",
        url="{{graphql_url}}/graphql",
        query="subscription { ticks(count: 3, intervalMs: 10) { n } }",
        checks=[
            Check(source="jsonpath", expression="$[*].data.ticks.n", expected="[1, 2, 3]"),
            Check(source="status", expected="101"),
        ],
    )
    report = await _run([query, ticks], scope)
    first, second = report.results

    assert first.label == f"GraphQL POST {scope.lookup('graphql_url')}/graphql"
    assert (first.outcome, first.status) == ("passed", "200 OK")
    assert first.captured == (("first_event", "PyCon Berlin"),)
    assert second.outcome == "passed", [c.message for c in second.checks]
    assert second.status == "101 Switching Protocols (3 events, completed)"


async def test_a_subscription_that_never_ends_stops_at_its_timeout(scope: Scope) -> None:
    endless = GraphqlRequest(
        name="Endless",
        url="{{graphql_url}}/graphql",
        query="subscription { ticks(count: null, intervalMs: 20) { n } }",
        checks=[Check(source="jsonpath", expression="$[0].data.ticks.n", expected="1")],
    )
    endless.settings.timeout_s = 0.3
    report = await _run([endless], scope)
    (result,) = report.results

    assert result.outcome == "passed"
    assert result.status.endswith(", stopped after 0.3 s)")


async def test_grpc_unary_stream_and_status(scope: Scope) -> None:
    track = GrpcRequest(
        name="Get a track",
        target="{{grpc_target}}",
        method="/mock.tracks.v1.TrackService/GetTrack",
        message='{"id": "t1"}',
        checks=[
            Check(source="status", expected="0"),
            Check(source="jsonpath", expression="$.id", expected="t1"),
        ],
    )
    rock = GrpcRequest(
        name="Rock",
        target="{{grpc_target}}",
        method="/mock.tracks.v1.TrackService/ListTracks",
        message='{"genre": "ROCK", "interval_ms": 1}',
        checks=[Check(source="jsonpath", expression="$[*].genre", op="contains", expected="ROCK")],
    )
    missing = GrpcRequest(
        name="Missing",
        target="{{grpc_target}}",
        method="/mock.tracks.v1.TrackService/GetTrack",
        message='{"id": "nope"}',
        checks=[Check(source="status", expected="0")],
    )
    report = await _run([track, rock, missing], scope)
    unary, stream, not_found = report.results

    assert unary.label == "gRPC /mock.tracks.v1.TrackService/GetTrack"
    assert (unary.outcome, unary.status) == ("passed", "OK")
    assert stream.outcome == "passed" and stream.size > unary.size
    assert not_found.outcome == "failed"  # an answer: the user's status check decides
    assert not_found.status.startswith("NOT_FOUND: ")
    assert not_found.checks[0].message == "Expected the status to equal 0, got 5."


async def test_grpc_without_a_server_is_an_error(scope: Scope, closed_port: int) -> None:
    nowhere = GrpcRequest(
        name="Nowhere",
        target=f"127.0.0.1:{closed_port}",
        method="/mock.tracks.v1.TrackService/GetTrack",
        message="{}",
    )
    report = await _run([nowhere], scope)

    assert report.results[0].outcome == "error"
    assert str(closed_port) in report.results[0].error


def _ws(name: str, *steps: WsStep, url: str = "{{ws_url}}/echo") -> WebsocketRequest:
    return WebsocketRequest(name=name, url=url, script=list(steps))


async def test_websocket_script_sends_and_expects(scope: Scope, no_leaked_sockets: None) -> None:
    chat = _ws(
        "Chat",
        WsStep(action="send", format="json", body='{"user": "{{who}}", "n": 7}'),
        WsStep(action="expect", match="jsonpath", expression="$.user", body="ada"),
        WsStep(action="send", body="plain words"),
        WsStep(action="expect", match="matches", body="^plain"),
    )
    chat.variables = [Variable(name="who", value="ada")]
    report = await _run([chat, _ws("Connect only")], scope)
    scripted, bare = report.results

    assert scripted.label == f"WS {scope.lookup('ws_url')}/echo"
    assert (scripted.outcome, scripted.status) == ("passed", "101 Switching Protocols")
    assert [c.message for c in scripted.checks] == [
        'Step 2: $.user equals "ada".',
        'Step 4: The body matches "^plain".',
    ]
    assert scripted.size > 0
    assert bare.outcome == "passed" and bare.checks == ()


async def test_websocket_expectation_that_times_out_fails_the_step(scope: Scope) -> None:
    script = _ws(
        "Wrong answer",
        WsStep(action="send", body="hello"),
        WsStep(action="expect", match="equals", body="goodbye", timeout_s=0.2),
        WsStep(action="send", body="never sent"),
    )
    report = await _run([script], scope)
    (result,) = report.results

    assert result.outcome == "failed"
    (check,) = result.checks
    assert not check.passed
    assert check.message.startswith(
        "Step 2 expected a message that equals 'goodbye', but nothing matched within 0.2 s;"
        " the last message received was 'hello'"
    )


async def test_websocket_that_cannot_connect_is_an_error(scope: Scope, closed_port: int) -> None:
    report = await _run([_ws("Down", url=f"ws://127.0.0.1:{closed_port}/echo")], scope)

    (result,) = report.results
    assert result.outcome == "error" and str(closed_port) in result.error


async def test_batch_call_from_a_data_file_under_the_base_dir(scope: Scope, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "email,first_name\nada.runner@example.com,Ada\nbad@,Bob\n", encoding="utf-8"
    )
    batch = BatchRequest(
        name="Import",
        url="{{base_url}}/api/v1/contacts/batch",
        data_file="people.csv",
        options_json='{"dry_run": true}',
        checks=[
            Check(source="jsonpath", expression="$.processed", expected="2"),
            Check(source="jsonpath", expression="$.results[1].status", expected="failed"),
        ],
    )
    plan = plan_from_items([batch], name="batch", scope=scope, options=RunOptions())
    async with asyncio.timeout(_HANG_GUARD_S):
        report = await Runner(plan, base_dir=tmp_path).run()
    (result,) = report.results

    assert result.label == f"POST {scope.lookup('base_url')}/api/v1/contacts/batch"
    assert result.status == "207 Multi-Status"
    assert result.outcome == "passed", [c.message for c in result.checks]


def _endless_subscription() -> GraphqlRequest:
    request = GraphqlRequest(
        name="Endless",
        url="{{graphql_url}}/graphql",
        query="subscription { ticks(count: null, intervalMs: 50) { n } }",
    )
    request.settings.timeout_s = 120
    return request


@pytest.mark.parametrize(
    "slow",
    [
        _endless_subscription(),
        _ws("Silent", WsStep(action="expect", body="never comes", timeout_s=120)),
        GrpcRequest(
            name="Slow stream",
            target="{{grpc_target}}",
            method="/mock.tracks.v1.TrackService/ListTracks",
            message='{"interval_ms": 5000}',
            deadline_s=120,
        ),
    ],
    ids=["graphql-subscription", "websocket-expect", "grpc-stream"],
)
async def test_cancel_ends_a_long_exchange_of_any_kind(
    scope: Scope, slow: AnyRequest, no_leaked_sockets: None
) -> None:
    plan = plan_from_items([slow], name="slow", scope=scope, options=RunOptions())
    runner = Runner(plan)
    asyncio.get_running_loop().call_later(0.3, runner.cancel)
    async with asyncio.timeout(_HANG_GUARD_S):  # each would take two minutes uncancelled
        report = await runner.run()

    assert report.results == ()
    assert report.summary.cancelled and report.summary.skipped == 1


def test_webhook_receivers_are_left_out_of_a_plan(scope: Scope) -> None:
    plan = plan_from_items(
        [WebhookRequest(name="Receiver"), RestRequest(name="Call")],
        name="mixed",
        scope=scope,
        options=RunOptions(),
    )

    assert [p.path for p in plan.requests] == ["Call"]
    assert plan.not_runnable == (("Receiver", WEBHOOK_REASON),)


async def test_schema_and_proto_files_are_read_from_the_base_dir(
    scope: Scope, tmp_path: Path
) -> None:
    shutil.copy(REPO / "mock_servers" / "graphql_schema" / "events.graphql", tmp_path)
    shutil.copytree(resources_dir() / "proto", tmp_path / "proto")
    query = GraphqlRequest(
        name="Events",
        url="{{graphql_url}}/graphql",
        query="query Events { events(first: 1) { id } }",
        schema_file="events.graphql",
    )
    track = GrpcRequest(
        name="Get a track",
        target="{{grpc_target}}",
        method="/mock.tracks.v1.TrackService/GetTrack",
        message='{"id": "t1"}',
        proto_files=["proto/tracks/v1/tracks.proto"],
        import_paths=["proto"],
    )
    plan = plan_from_items([query, track], name="files", scope=scope, options=RunOptions())
    async with asyncio.timeout(_HANG_GUARD_S):
        report = await Runner(plan, base_dir=tmp_path).run()

    assert [(r.outcome, r.error) for r in report.results] == [("passed", ""), ("passed", "")]


async def test_grpc_and_websocket_steps_keep_what_came_back(scope: Scope) -> None:
    track = GrpcRequest(
        name="Get a track",
        target="{{grpc_target}}",
        method="/mock.tracks.v1.TrackService/GetTrack",
        message='{"id": "t1"}',
        checks=[Check(source="status", expected="5")],
    )
    chat = _ws(
        "Chat",
        WsStep(action="send", body="hello"),
        WsStep(action="expect", match="equals", body="goodbye", timeout_s=0.5),
    )
    report = await _run([track, chat], scope)
    grpc_step, ws_step = report.results

    assert grpc_step.outcome == "failed" and grpc_step.response is not None
    assert json.loads(grpc_step.response.body)["id"] == "t1"
    assert ws_step.outcome == "failed" and ws_step.response is not None
    assert ws_step.response.body.splitlines()[0] == json.dumps("hello")
    names = {name.lower() for name, _ in ws_step.response.headers}
    assert "upgrade" in names
