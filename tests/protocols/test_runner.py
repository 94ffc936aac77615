"""The collection runner against the REST mock: order, iterations, data rows, captures,
checks, errors, bail, concurrency, barriers, delay and cancel."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence

import pytest

from apiclient.core.models import Auth, Body, Capture, Check, KeyValue, RestRequest, Variable
from apiclient.core.variables import Scope
from apiclient.protocols import runner as runner_module
from apiclient.protocols.errors import RunOptionsError
from apiclient.protocols.runner import BINARY_PREVIEW_BYTES, PREVIEW_CHARS, Runner, body_text
from apiclient.protocols.runner_model import (
    PlannedRequest,
    RunOptions,
    RunPlan,
    RunReport,
    StepResult,
)

_HANG_GUARD_S = 20  # a run that hangs fails the test instead of the whole session


def _plan(
    requests: Sequence[RestRequest], rest_url: str, options: RunOptions | None = None
) -> RunPlan:
    planned = tuple(PlannedRequest(f"Folder / {r.name}", r) for r in requests)
    scope = Scope.layered(environment=[Variable(name="base_url", value=rest_url)])
    return RunPlan("test run", planned, scope, options or RunOptions())


async def _run(plan: RunPlan, on_step: Callable[[StepResult], None] | None = None) -> RunReport:
    async with asyncio.timeout(_HANG_GUARD_S):
        return await Runner(plan, on_step=on_step).run()


def _echo(name: str, **fields: object) -> RestRequest:
    return RestRequest(name=name, url="{{base_url}}/echo", **fields)  # type: ignore[arg-type]


def _json_post(name: str, url: str, raw: str, **fields: object) -> RestRequest:
    return RestRequest(
        name=name,
        method="POST",
        url=url,
        headers=[KeyValue(name="Content-Type", value="application/json")],
        body=Body(mode="raw", raw=raw),
        **fields,  # type: ignore[arg-type]
    )


def _overlap(results: Sequence[StepResult]) -> int:
    """The most steps in flight at once, from each step's start and elapsed time."""
    edges: list[tuple[float, int]] = []
    for result in results:
        assert result.elapsed_ms is not None
        edges.append((result.started_at, 1))
        edges.append((result.started_at + result.elapsed_ms / 1000, -1))
    most = current = 0
    for _, change in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        current += change
        most = max(most, current)
    return most


async def test_sequential_run_keeps_plan_order_over_iterations(rest_url: str) -> None:
    landed: list[StepResult] = []
    plan = _plan([_echo("a"), _echo("b"), _echo("c")], rest_url, RunOptions(iterations=2))

    report = await _run(plan, landed.append)

    assert [r.index for r in landed] == [0, 1, 2, 3, 4, 5]
    assert [(r.iteration, r.position) for r in landed] == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2),
    ]  # fmt: skip
    assert [r.path for r in report.results[:3]] == ["Folder / a", "Folder / b", "Folder / c"]
    starts = [r.started_at for r in landed]
    assert starts == sorted(starts)
    assert all(r.outcome == "passed" and r.status == "200 OK" for r in landed)
    assert landed[0].label == f"GET {rest_url}/echo"
    summary = report.summary
    assert (summary.planned, summary.executed, summary.passed, summary.skipped) == (6, 6, 6, 0)
    assert summary.ok and report.name == "test run"
    assert sum(b.count for b in report.histogram) == 6


async def test_data_rows_become_variables_in_urls_and_expected_values(rest_url: str) -> None:
    request = RestRequest(
        name="item",
        url="{{base_url}}/api/items/{{item_id}}",
        checks=[Check(source="jsonpath", expression="$.id", expected="{{item_id}}")],
    )
    rows = ({"item_id": "1"}, {"item_id": "2"})
    report = await _run(_plan([request], rest_url, RunOptions(data_rows=rows, iterations=9)))

    assert [r.label for r in report.results] == [
        f"GET {rest_url}/api/items/1",
        f"GET {rest_url}/api/items/2",
    ]
    assert [r.outcome for r in report.results] == ["passed", "passed"]
    assert report.results[1].checks[0].message == "$.id equals 2."


async def test_captures_flow_to_later_requests_of_the_same_iteration_only(
    rest_url: str,
) -> None:
    # The echo plays a login: iteration 0 posts the demo token, iteration 1 another one,
    # and the capture's pattern only accepts the demo token.
    login = _json_post(
        "login",
        "{{base_url}}/echo",
        '{"token": "{{given}}"}',
        captures=[Capture(variable="token", source="regex", expression="(demo-token)")],
    )
    playlists = RestRequest(
        name="playlists",
        url="{{base_url}}/api/v1/playlists",
        auth=Auth(kind="bearer", token="{{token}}"),
        checks=[Check(source="status", expected="200")],
    )
    rows = ({"given": "demo-token"}, {"given": "stolen"})
    report = await _run(_plan([login, playlists], rest_url, RunOptions(data_rows=rows)))
    first_login, first_call, second_login, second_call = report.results

    assert first_login.captured == (("token", "demo-token"),)
    assert first_login.captures[0].message == 'Set token to "demo-token".'
    assert first_call.outcome == "passed"
    assert first_call.checks[0].message == "The status equals 200."
    # Nothing captured in iteration 1, and iteration 0's token does not leak into it.
    assert second_login.outcome == "passed"  # a capture miss is not a failure...
    assert second_login.captured == ()
    message = second_login.captures[0].message  # ...but it is explained
    assert message.startswith("token was not set:") and "does not match the body" in message
    assert second_call.outcome == "error"
    assert "{{token}}" in second_call.error
    assert second_call.elapsed_ms is None


async def test_checks_pass_and_fail_with_readable_messages(rest_url: str) -> None:
    request = _json_post(
        "create",
        "{{base_url}}/echo",
        '{"name": "Desk", "price": 120}',
        checks=[
            Check(source="status", expected="200"),
            Check(source="jsonpath", expression="$.json.name", expected="Chair"),
            Check(source="jsonpath", expression="$.json.colour", op="exists"),
            Check(source="header", expression="content-type", op="contains", expected="json"),
            Check(source="jsonpath", expression="$.json.name", expected="{{undefined_name}}"),
            Check(source="status", expected="500", enabled=False),
        ],
    )
    report = await _run(_plan([request], rest_url))
    (result,) = report.results

    assert result.outcome == "failed"
    assert [c.passed for c in result.checks] == [True, False, False, True, False]
    messages = [c.message for c in result.checks]
    assert messages[1] == 'Expected $.json.name to equal "Chair", got "Desk".'
    assert messages[2].startswith("No value at $.json.colour (the object there has keys:")
    assert messages[4].startswith("The check was not evaluated: Unknown variable")
    assert "{{undefined_name}}" in messages[4]
    assert (report.summary.checks_passed, report.summary.checks_failed) == (2, 3)
    assert not report.summary.ok


async def test_checks_and_captures_on_a_large_body(rest_url: str) -> None:
    large = RestRequest(
        name="large",
        url="{{base_url}}/json/large",
        params=[KeyValue(name="mb", value="0.5")],
        checks=[Check(source="jsonpath", expression="$.records[0]", op="exists")],
        captures=[Capture(variable="count", source="regex", expression=r"\{")],
    )
    report = await _run(_plan([large], rest_url))
    (result,) = report.results

    assert result.size > 256 * 1024
    assert result.outcome == "passed" and result.captured == (("count", "{"),)


async def test_unknown_variable_and_refused_connection_are_errors_and_the_run_goes_on(
    rest_url: str, closed_port: int
) -> None:
    requests = [
        _echo("first"),
        RestRequest(name="typo", url="{{base_ulr}}/echo"),
        RestRequest(name="down", url=f"http://127.0.0.1:{closed_port}/health"),
        _echo("last"),
    ]
    report = await _run(_plan(requests, rest_url))
    outcomes = [(r.path, r.outcome) for r in report.results]

    assert outcomes == [
        ("Folder / first", "passed"),
        ("Folder / typo", "error"),
        ("Folder / down", "error"),
        ("Folder / last", "passed"),
    ]
    typo, down = report.results[1], report.results[2]
    assert "{{base_ulr}}" in typo.error and "base_url" in typo.error  # with a suggestion
    assert typo.label == "GET {{base_ulr}}/echo"
    assert str(closed_port) in down.error and down.label.endswith("/health")
    assert down.status == "" and down.elapsed_ms is None
    assert (report.summary.errors, report.summary.passed) == (2, 2)


async def test_bail_stops_after_the_first_failure(rest_url: str) -> None:
    failing = RestRequest(
        name="broken",
        url="{{base_url}}/status/500",
        checks=[Check(source="status", expected="200")],
    )
    plan = _plan([failing, _echo("a"), _echo("b")], rest_url, RunOptions(iterations=2, bail=True))
    report = await _run(plan)

    assert [r.path for r in report.results] == ["Folder / broken"]
    assert report.results[0].checks[0].message == "Expected the status to equal 200, got 500."
    summary = report.summary
    assert summary.bailed and not summary.cancelled and not summary.ok
    assert (summary.executed, summary.failed, summary.skipped) == (1, 1, 5)


async def test_without_bail_a_failure_does_not_stop_the_run(rest_url: str) -> None:
    failing = RestRequest(
        name="broken",
        url="{{base_url}}/status/500",
        checks=[Check(source="status", expected="200")],
    )
    report = await _run(_plan([failing, _echo("a")], rest_url, RunOptions(iterations=2)))

    assert [r.outcome for r in report.results] == ["failed", "passed", "failed", "passed"]
    assert not report.summary.bailed


async def test_concurrency_keeps_several_requests_in_flight(rest_url: str) -> None:
    slow = RestRequest(name="slow", url="{{base_url}}/delay/0.05")
    report = await _run(_plan([slow], rest_url, RunOptions(iterations=50, concurrency=5)))

    assert report.summary.executed == 50
    assert all(r.outcome == "passed" for r in report.results)
    assert [r.index for r in report.results] == list(range(50))
    assert 2 <= _overlap(report.results) <= 5


async def test_concurrency_one_never_overlaps(rest_url: str) -> None:
    slow = RestRequest(name="slow", url="{{base_url}}/delay/0.01")
    report = await _run(_plan([slow, _echo("e")], rest_url, RunOptions(iterations=4)))

    assert _overlap(report.results) == 1


async def test_a_capturing_request_is_a_barrier_for_its_iteration(rest_url: str) -> None:
    capturing = RestRequest(
        name="login",
        url="{{base_url}}/delay/0.2",
        captures=[Capture(variable="waited", expression="$.delay")],
    )
    waited = Check(source="jsonpath", expression="$.query.w[0]", expected="0.2")
    after = [
        _echo(f"after {n}", params=[KeyValue(name="w", value="{{waited}}")], checks=[waited])
        for n in range(3)
    ]
    report = await _run(_plan([capturing, *after], rest_url, RunOptions(concurrency=4)))
    first, *rest = report.results

    assert first.elapsed_ms is not None
    finished = first.started_at + first.elapsed_ms / 1000
    assert all(r.started_at >= finished for r in rest)
    assert all(r.outcome == "passed" for r in rest)


async def test_delay_separates_the_starts_of_sequential_steps(rest_url: str) -> None:
    plan = _plan([_echo("a"), _echo("b"), _echo("c")], rest_url, RunOptions(delay_ms=150))
    report = await _run(plan)
    starts = [r.started_at for r in report.results]

    assert all(later - earlier >= 0.149 for earlier, later in itertools.pairwise(starts))


async def test_cancel_abandons_the_step_in_flight_and_reports_what_ran(rest_url: str) -> None:
    requests = [
        _echo("quick"),
        RestRequest(name="very slow", url="{{base_url}}/delay/60"),
        _echo("never"),
    ]
    loop = asyncio.get_running_loop()

    def on_step(result: StepResult) -> None:
        loop.call_later(0.1, runner.cancel)  # while "very slow" is in flight

    runner = Runner(_plan(requests, rest_url), on_step=on_step)
    async with asyncio.timeout(_HANG_GUARD_S):
        report = await runner.run()

    assert [r.path for r in report.results] == ["Folder / quick"]
    summary = report.summary
    assert summary.cancelled and not summary.ok
    assert (summary.executed, summary.skipped) == (1, 2)


async def test_cancel_cuts_a_long_delay_short(rest_url: str) -> None:
    plan = _plan([_echo("a"), _echo("b")], rest_url, RunOptions(delay_ms=600_000))
    runner = Runner(plan, on_step=lambda _: asyncio.get_running_loop().call_soon(runner.cancel))
    async with asyncio.timeout(_HANG_GUARD_S):
        report = await runner.run()

    assert [r.path for r in report.results] == ["Folder / a"]
    assert report.summary.cancelled


async def test_cancelling_the_task_running_a_run_leaves_nothing_behind(rest_url: str) -> None:
    slow = RestRequest(name="slow", url="{{base_url}}/delay/60")
    runner = Runner(_plan([slow, slow], rest_url, RunOptions(concurrency=2)))
    task = asyncio.ensure_future(runner.run())
    asyncio.get_running_loop().call_later(0.2, task.cancel)

    async with asyncio.timeout(_HANG_GUARD_S):
        done, _ = await asyncio.wait({task})

    assert task in done and task.cancelled()
    assert asyncio.all_tasks() == {asyncio.current_task()}  # no lane left running


async def test_cancel_before_run_sends_nothing(rest_url: str) -> None:
    runner = Runner(_plan([_echo("a")], rest_url))
    runner.cancel()
    report = await _run_runner(runner)

    assert report.results == () and report.summary.cancelled
    assert report.summary.skipped == 1


async def _run_runner(runner: Runner) -> RunReport:
    async with asyncio.timeout(_HANG_GUARD_S):
        return await runner.run()


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (RunOptions(iterations=0), "Iterations must be between 1 and 100,000; got 0."),
        (RunOptions(concurrency=101), "Concurrency must be between 1 and 100"),
        (RunOptions(delay_ms=-1), "The delay must be between 0 and 600,000 ms; got -1 ms."),
    ],
)
async def test_options_out_of_range_raise_before_anything_is_sent(
    rest_url: str, options: RunOptions, words: str
) -> None:
    landed: list[StepResult] = []
    with pytest.raises(RunOptionsError) as caught:
        await _run(_plan([_echo("a")], rest_url, options), landed.append)

    assert words in str(caught.value)
    assert landed == []


async def test_an_empty_plan_reports_nothing(rest_url: str) -> None:
    report = await _run(_plan([], rest_url, RunOptions(iterations=3)))

    assert report.results == () and report.histogram == ()
    assert report.summary.planned == 0 and report.summary.p50_ms is None


async def test_cancel_takes_effect_while_steps_fail_before_sending(rest_url: str) -> None:
    # Every step errors on a variable before sending, so none awaits the network: the
    # cancel, asked from the loop (as Ctrl+C and the window's Stop are), must still land.
    broken = RestRequest(name="broken", url="{{nowhere}}/echo")
    plan = _plan([broken], rest_url, RunOptions(iterations=20_000))
    loop = asyncio.get_running_loop()

    def on_step(result: StepResult) -> None:
        if result.index == 2:
            loop.call_soon(runner.cancel)

    runner = Runner(plan, on_step=on_step)
    report = await _run_runner(runner)

    summary = report.summary
    assert summary.cancelled and summary.executed < 10
    assert summary.skipped == 20_000 - summary.executed


async def test_a_cancel_after_the_last_step_is_not_a_cancelled_run(rest_url: str) -> None:
    def on_step(result: StepResult) -> None:
        if result.index == 1:
            runner.cancel()

    runner = Runner(_plan([_echo("a"), _echo("b")], rest_url), on_step=on_step)
    report = await _run_runner(runner)

    assert report.summary.executed == 2
    assert not report.summary.cancelled and report.summary.ok


async def test_a_capture_that_finds_nothing_is_named_by_the_step_that_needs_it(
    rest_url: str,
) -> None:
    login = _echo("Log in", captures=[Capture(variable="token", expression="$.no.token")])
    use = RestRequest(name="Use", url="{{base_url}}/echo", headers=[
        KeyValue(name="Authorization", value="Bearer {{token}}"),
    ])  # fmt: skip
    report = await _run(_plan([login, use], rest_url))
    logged_in, used = report.results

    assert logged_in.outcome == "passed"  # a capture miss alone does not fail a step
    assert logged_in.captures[0].value is None and logged_in.captured == ()
    assert used.outcome == "error"
    assert "Unknown variable {{token}}" in used.error
    assert (
        "{{token}} was to be captured by 'Folder / Log in', which found nothing: "
        + logged_in.captures[0].message.rstrip(".")
    ) in used.error


async def test_a_delay_never_follows_the_last_step(rest_url: str) -> None:
    # A delay longer than the hang guard: the run ends only if nothing waits after the
    # last step.
    plan = _plan([_echo("a")], rest_url, RunOptions(delay_ms=60_000))
    report = await _run(plan)

    assert report.summary.executed == 1 and report.summary.duration_s < 60


async def test_an_on_step_that_raises_is_logged_once_and_the_run_goes_on(
    rest_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    def on_step(result: StepResult) -> None:
        raise BrokenPipeError("the reader went away")

    with caplog.at_level("ERROR", logger="apiclient.protocols.runner"):
        report = await _run(_plan([_echo("a"), _echo("b")], rest_url), on_step)

    assert report.summary.executed == 2 and report.summary.ok
    logged = [r for r in caplog.records if r.name == "apiclient.protocols.runner"]
    assert len(logged) == 1 and "on_step" in logged[0].getMessage()


async def test_failed_steps_keep_their_response(rest_url: str) -> None:
    failing = RestRequest(
        name="latin",
        url="{{base_url}}/encoding/latin1",
        checks=[Check(source="status", expected="201")],
    )
    report = await _run(
        _plan([failing, RestRequest(name="png", url="{{base_url}}/image/png")], rest_url)
    )
    text, image = report.results

    assert text.outcome == "failed" and text.response is not None
    assert ("content-type", "text/plain; charset=iso-8859-1") in text.response.headers
    assert text.response.body_size == text.size and not text.response.truncated
    assert image.response is not None and image.response.body.startswith("(binary image/png, ")
    assert "89 50 4e 47" in image.response.body  # the PNG signature, in hex


async def test_passed_steps_keep_responses_only_up_to_the_budget(
    rest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "MAX_PASSED_PREVIEWS", 2)
    failing = _echo("failing", checks=[Check(source="status", expected="201")])
    plan = _plan([_echo("a"), _echo("b"), _echo("c"), failing], rest_url)
    report = await _run(plan)

    kept = [r.response is not None for r in report.results]
    assert kept == [True, True, False, True]


async def test_previews_stop_at_the_run_s_size_budget(
    rest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = RestRequest(name="big", url="{{base_url}}/bytes/100000")
    first = await _run(_plan([big], rest_url))
    assert first.results[0].response is not None
    cost = len(first.results[0].response.body)
    monkeypatch.setattr(runner_module, "MAX_PREVIEW_BYTES", cost * 2 + 1000)

    report = await _run(_plan([big, big, big], rest_url))

    assert [r.response is not None for r in report.results] == [True, True, False]


@pytest.mark.parametrize(
    ("body", "content_type", "text", "cut"),
    [
        ("é".encode("latin-1"), "text/plain; charset=ISO-8859-1", "é", False),
        (b"caf\xc3\xa9 \xff", "application/json", "café \ufffd", False),
        (b"x" * (PREVIEW_CHARS + 1), "text/plain", "x" * PREVIEW_CHARS, True),
        (b"ok", "text/plain; charset=no-such-charset", "ok", False),
        (b"\x00\x01", "", "(binary body, 2 bytes; in hex)\n00 01", False),
    ],
)
def test_body_text_decodes_cuts_and_shows_binary_as_hex(
    body: bytes, content_type: str, text: str, cut: bool
) -> None:
    assert body_text(body, content_type) == (text, cut)


def test_a_long_binary_body_shows_its_first_bytes() -> None:
    text, cut = body_text(bytes(range(256)) * 4, "application/octet-stream")

    assert cut and text.startswith("(binary application/octet-stream, 1,024 bytes; the first 256")
    assert text.endswith(" fe ff") and len(text.splitlines()[1].split()) == BINARY_PREVIEW_BYTES
