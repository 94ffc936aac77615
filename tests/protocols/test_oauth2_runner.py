"""OAuth 2.0 in the collection runner: a request whose auth is OAuth 2.0 gets its token
(fetched once, cached, shared by concurrent steps) before it goes, against the REST mock's
authorization server; the code grant without a token fails its step saying what to do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from apiclient.core.connection_defaults import BUILTIN, ConnectionDefaults
from apiclient.core.models import (
    Auth,
    Check,
    Folder,
    GrpcRequest,
    RestRequest,
    Variable,
    inherit_auth,
)
from apiclient.core.oauth2_tokens import OAuth2Token, TokenCache
from apiclient.core.secrets import SecretStore
from apiclient.core.variables import Scope, resolve_request
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.oauth2 import OAuth2Context, OAuth2TokenMissingError
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions
from apiclient.protocols.runner_plan import plan_from_items
from apiclient.protocols.runner_steps import StepEngines

OK = Check(source="status", op="equals", expected="200")


def oauth2(**fields: object) -> Auth:
    values: dict[str, object] = {
        "kind": "oauth2",
        "token_url": "{{base}}/oauth2/token",
        "auth_url": "{{base}}/oauth2/authorize",
        "client_id": "apiclient-demo",
        "client_secret": "{{secret}}",
    }
    values.update(fields)
    return Auth.model_validate(values)


def protected(auth: Auth, name: str = "Protected") -> RestRequest:
    return RestRequest(name=name, url="{{base}}/oauth2/protected", auth=auth, checks=[OK])


def scope(rest_url: str) -> Scope:
    return Scope.layered(
        environment=[
            Variable(name="base", value=rest_url),
            Variable(name="secret", value="demo-secret", secret=True),
        ]
    )


class CountingCache(TokenCache):
    """A real cache that counts the tokens put in it (one per fetch or refresh)."""

    def __init__(self, store: SecretStore | None) -> None:
        super().__init__(store)
        self.puts = 0

    def put(self, key: str, token: OAuth2Token) -> None:
        self.puts += 1
        super().put(key, token)


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[StepEngines]:
    cache = CountingCache(SecretStore(tmp_path / "secrets.json"))
    step_engines = StepEngines(
        workers=4, oauth2=OAuth2Context(cache, environment="dev", collection=str(tmp_path))
    )
    try:
        yield step_engines
    finally:
        await step_engines.aclose()


async def test_steps_share_one_fetched_token(engines: StepEngines, rest_url: str) -> None:
    request = resolve_request(protected(oauth2()), scope(rest_url))
    answers = await asyncio.gather(*(engines.send(request, Scope()) for _ in range(5)))
    assert {answer.status for answer in answers} == {"200 OK"}
    body = json.loads(answers[0].facts.body)  # type: ignore[union-attr]
    assert body["subject"] == "apiclient-demo"
    cache = engines.oauth2.cache
    assert isinstance(cache, CountingCache) and cache.puts == 1
    token = cache.get(engines.oauth2.key(request.auth))
    assert token is not None and not token.expired()
    # The saved request never holds the token: only the request sent does.
    assert request.auth.token == ""


async def test_a_cached_token_from_the_window_is_used(engines: StepEngines, rest_url: str) -> None:
    request = resolve_request(protected(oauth2(grant_type="authorization_code")), scope(rest_url))
    with pytest.raises(OAuth2TokenMissingError, match="click Get new token in the Auth tab"):
        await engines.send(request, Scope())
    # As if the window had got one through the browser: the run uses it.
    password = resolve_request(
        protected(oauth2(grant_type="password", username="demo", password="demo-password")),
        scope(rest_url),
    )
    filled = await engines.with_oauth2_token(password)
    cached = OAuth2Token(filled.auth.token, expires_at=None)  # type: ignore[union-attr]
    engines.oauth2.cache.put(engines.oauth2.key(request.auth), cached)
    answer = await engines.send(request, Scope())
    assert answer.status == "200 OK"


async def test_a_run_fetches_tokens_and_reports_a_missing_one(rest_url: str) -> None:
    items = [
        Folder(
            name="Secured",
            auth=oauth2(grant_type="password", username="demo", password="demo-password"),
            items=[
                protected(inherit_auth(), "Inherits the password grant"),
                protected(oauth2(), "Client credentials"),
                protected(oauth2(grant_type="authorization_code"), "Needs the browser"),
            ],
        )
    ]
    plan = plan_from_items(items, name="Demo", scope=scope(rest_url), options=RunOptions())
    async with asyncio.timeout(20):
        report = await Runner(plan).run()
    outcomes = {result.path: (result.outcome, result.error) for result in report.results}
    assert outcomes["Secured / Inherits the password grant"] == ("passed", "")
    assert outcomes["Secured / Client credentials"] == ("passed", "")
    outcome, error = outcomes["Secured / Needs the browser"]
    assert outcome == "error"
    assert error == "No OAuth 2.0 access token yet: click Get new token in the Auth tab."


async def test_a_grpc_requests_token_travels_with_the_runs_connection_defaults(
    engines: StepEngines, rest_url: str
) -> None:
    """gRPC and WebSocket requests have no settings of their own: their token request
    takes the run's "App default" ones (the app's proxy here), not the built-in ones."""
    auth = Auth.model_validate(
        {
            "kind": "oauth2",
            "token_url": f"{rest_url}/oauth2/token",
            "client_id": "apiclient-demo",
            "client_secret": "demo-secret",
        }
    )
    call = GrpcRequest(name="call", target="127.0.0.1:1", auth=auth)
    through_nothing = ConnectionDefaults(proxy="custom", proxy_url="http://127.0.0.1:9")
    with pytest.raises(ProtocolError, match=r"proxy 127\.0\.0\.1:9"):
        await engines.with_oauth2_token(call, through_nothing)
    filled = await engines.with_oauth2_token(call, BUILTIN)
    assert filled.auth.token  # type: ignore[union-attr]
