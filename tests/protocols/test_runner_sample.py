"""The sample collection's "Runner demo" folder, run as a user runs it: logged in, the
token captured and carried on, one check per kind of answer, once per data-file row."""

from __future__ import annotations

from apiclient.core.models import Variable
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore
from apiclient.core.variables import Scope
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions
from apiclient.protocols.runner_plan import load_data_rows, plan_from_node

SAMPLE = resources_dir() / "sample-collection"


def _mock_environment(store: CollectionStore, urls: dict[str, str]) -> list[Variable]:
    """The sample's "Local mocks" environment, pointed at this session's mock ports."""
    moved = {
        "base_url": urls["rest"],
        "soap_url": urls["soap"],
        "graphql_url": urls["graphql"],
        "grpc_target": urls["grpc"].removeprefix("grpc://"),
        "ws_url": urls["websocket"],
    }
    (env,) = store.environments
    return [v.model_copy(update={"value": moved.get(v.name, v.value)}) for v in env.variables]


async def test_the_runner_demo_passes_every_check_once_per_data_row(
    mock_urls: dict[str, str],
) -> None:
    store = CollectionStore.open(SAMPLE)
    folder = store.find("runner-demo")
    rows = load_data_rows(SAMPLE / "data" / "items.csv")
    scope = Scope.layered(
        collection=store.variables, environment=_mock_environment(store, mock_urls)
    )
    plan = plan_from_node(folder, name="demo", scope=scope, options=RunOptions(data_rows=rows))

    report = await Runner(plan, base_dir=SAMPLE).run()

    problems = [
        (r.path, r.error, [c.message for c in r.checks if not c.passed]) for r in report.results
    ]
    assert report.summary.passed == plan.total_steps == 3 * len(plan.requests), problems
    items = [r for r in report.results if r.path == "Get an item by id"]
    assert [r.label.rsplit("/", 1)[-1] for r in items] == ["1", "2", "3"]
    logins = [dict(r.captured) for r in report.results if r.path == "Log in"]
    assert logins == [{"access_token": "demo-token"}] * 3
