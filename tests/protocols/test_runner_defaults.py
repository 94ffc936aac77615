"""The collection runner sends every request with the scope's connection defaults (the
app's in the window's Runner, the built-in ones headless), the ones that use no
``{{variables}}`` (sent without resolving) included; a request's own value wins."""

from __future__ import annotations

import asyncio

from apiclient.core.connection_defaults import ConnectionDefaults
from apiclient.core.models import RequestSettings, RestRequest, Variable
from apiclient.core.variables import Scope
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions, RunReport
from apiclient.protocols.runner_plan import plan_from_items

SHORT = ConnectionDefaults(timeout_s=0.3)


async def _run(request: RestRequest, scope: Scope) -> RunReport:
    plan = plan_from_items([request, request], name="defaults", scope=scope, options=RunOptions())
    async with asyncio.timeout(30):
        return await Runner(plan).run()


async def test_a_plain_request_takes_the_scopes_defaults(rest_url: str) -> None:
    plain = RestRequest(name="slow", url=f"{rest_url}/delay/1")  # no {{...}}: not resolved
    short = await _run(plain, Scope.layered(connection=SHORT))
    assert [r.outcome for r in short.results] == ["error", "error"]
    assert all("0.3 s" in r.error for r in short.results)
    built_in = await _run(plain, Scope.layered())
    assert [r.outcome for r in built_in.results] == ["passed", "passed"]


async def test_a_templated_request_takes_them_too_and_its_own_value_wins(rest_url: str) -> None:
    templated = RestRequest(name="slow", url="{{base}}/delay/1")
    scope = Scope.layered(environment=[Variable(name="base", value=rest_url)], connection=SHORT)
    assert [r.outcome for r in (await _run(templated, scope)).results] == ["error", "error"]
    own = templated.model_copy(update={"settings": RequestSettings(timeout_s=5)})
    assert [r.outcome for r in (await _run(own, scope)).results] == ["passed", "passed"]


async def test_a_variable_in_the_apps_custom_proxy_is_resolved_for_a_plain_request(
    rest_url: str,
) -> None:
    """The app's proxy URL may name a {{variable}}: a request of its own with no
    ``{{...}}`` still has it resolved, as the REST tab does."""
    proxy = ConnectionDefaults(proxy="custom", proxy_url="http://{{proxy_host}}:9")
    scope = Scope.layered(
        globals=[Variable(name="proxy_host", value="127.0.0.1")], connection=proxy
    )
    plain = RestRequest(name="via proxy", url=f"{rest_url}/api/items")
    report = await _run(plain, scope)
    assert [r.outcome for r in report.results] == ["error", "error"]
    assert all("127.0.0.1:9" in r.error and "{{" not in r.error for r in report.results)
