"""The sample collection's "Runner demo" folder, run as a user runs it: logged in, the
token captured and carried on, one check per kind of answer, once per data-file row."""

from __future__ import annotations

from pathlib import Path

from apiclient.core.store import CollectionStore
from apiclient.core.variables import Scope
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions
from apiclient.protocols.runner_plan import load_data_rows, plan_from_node


async def test_the_runner_demo_passes_every_check_once_per_data_row(sample: Path) -> None:
    store = CollectionStore.open(sample)
    folder = store.find("runner-demo")
    rows = load_data_rows(sample / "data" / "items.csv")
    (env,) = store.environments
    scope = Scope.layered(collection=store.variables, environment=env.variables)
    plan = plan_from_node(folder, name="demo", scope=scope, options=RunOptions(data_rows=rows))

    report = await Runner(plan, base_dir=sample).run()

    problems = [
        (r.path, r.error, [c.message for c in r.checks if not c.passed]) for r in report.results
    ]
    assert report.summary.passed == plan.total_steps == 3 * len(plan.requests), problems
    items = [r for r in report.results if r.path == "Get an item by id"]
    assert [r.label.rsplit("/", 1)[-1] for r in items] == ["1", "2", "3"]
    logins = [dict(r.captured) for r in report.results if r.path == "Log in"]
    assert logins == [{"access_token": "demo-token"}] * 3
