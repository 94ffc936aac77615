"""The runner sends each request with its effective auth: a request that inherits takes
its folder's (or the collection's) basic auth, in a plan of the stored tree, of a folder
inside it, of in-memory items, and through ``apiclient run``; checked against the REST
mock's /basic-auth/{user}/{passwd}."""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path

import pytest

from apiclient.cli_run import main
from apiclient.core.auth_inherit import effective_auth
from apiclient.core.models import (
    Auth,
    Check,
    Collection,
    Folder,
    RestRequest,
    Variable,
    inherit_auth,
)
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore
from apiclient.core.variables import Scope
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions, RunPlan, RunReport
from apiclient.protocols.runner_plan import plan_from_items, plan_from_node

BASIC = Auth(kind="basic", username="ann", password="s3cret")
OK = Check(source="status", op="equals", expected="200")
UNAUTHORIZED = Check(source="status", op="equals", expected="401")


def _inherits(name: str) -> RestRequest:
    return RestRequest(
        name=name, url="{{base}}/basic-auth/ann/s3cret", checks=[OK], auth=inherit_auth()
    )


def _without_auth() -> RestRequest:
    return RestRequest(
        name="No auth",
        url="{{base}}/basic-auth/ann/s3cret",
        auth=Auth(kind="none"),
        checks=[UNAUTHORIZED],
    )


@pytest.fixture
def collection(tmp_path: Path, rest_url: str) -> CollectionStore:
    """Demo > Secure (basic auth) > Inner (inherits) with requests that inherit."""
    store = CollectionStore.create(tmp_path / "demo", "Demo", SecretStore())  # as the CLI
    store.variables = [Variable(name="base", value=rest_url)]
    store.save_settings()
    secure = store.new_folder("", "Secure")
    store.save_folder_auth(secure, BASIC)
    store.save_request(_inherits("Direct"), None, secure)
    store.save_request(_without_auth(), None, secure)
    inner = store.new_folder(secure, "Inner")
    store.save_request(_inherits("Nested"), None, inner)
    return store


async def _run(plan: RunPlan) -> RunReport:
    async with asyncio.timeout(20):
        return await Runner(plan).run()


def _outcomes(report: RunReport) -> dict[str, tuple[str, str]]:
    return {r.path: (r.outcome, r.status.split()[0]) for r in report.results}


async def test_a_stored_folder_s_basic_auth_reaches_the_requests_that_inherit(
    collection: CollectionStore,
) -> None:
    plan = plan_from_node(
        collection.tree,
        name="Demo",
        scope=Scope.layered(collection=collection.variables),
        options=RunOptions(),
        auth=partial(effective_auth, collection.tree, collection.auth),
    )
    assert {p.request.auth.kind for p in plan.requests} == {"basic", "none"}

    report = await _run(plan)

    assert _outcomes(report) == {
        "Secure / Direct": ("passed", "200"),
        "Secure / No auth": ("passed", "401"),
        "Secure / Inner / Nested": ("passed", "200"),
    }


async def test_running_an_inner_folder_still_inherits_from_the_folders_above(
    collection: CollectionStore,
) -> None:
    inner = collection.find("secure/inner")
    plan = plan_from_node(
        inner,
        name="Inner",
        scope=Scope.layered(collection=collection.variables),
        options=RunOptions(),
        auth=partial(effective_auth, collection.tree, collection.auth),
    )

    report = await _run(plan)

    assert _outcomes(report) == {"Nested": ("passed", "200")}


async def test_in_memory_items_inherit_from_folders_and_the_collection(rest_url: str) -> None:
    top = Folder(name="Top", items=[_inherits("From the collection")])
    secure = Folder(
        name="Secure",
        auth=Auth(kind="basic", username="ann", password="s3cret"),
        items=[Folder(name="Inner", items=[_inherits("From a folder")])],
    )
    imported = Collection(name="Imported", auth=BASIC, items=[top, secure, _without_auth()])
    scope = Scope.layered(collection=[Variable(name="base", value=rest_url)])

    report = await _run(
        plan_from_items(
            imported.items,
            name=imported.name,
            scope=scope,
            options=RunOptions(),
            collection_auth=imported.auth,
        )
    )
    inner_only = await _run(
        plan_from_items(
            secure.items, name="Secure", scope=scope, options=RunOptions(), parents=[secure]
        )
    )

    assert _outcomes(report) == {
        "Top / From the collection": ("passed", "200"),
        "Secure / Inner / From a folder": ("passed", "200"),
        "No auth": ("passed", "401"),
    }
    assert _outcomes(inner_only) == {"Inner / From a folder": ("passed", "200")}


def test_apiclient_run_sends_the_inherited_auth(
    collection: CollectionStore, tmp_path: Path, rest_url: str
) -> None:
    report = tmp_path / "run.json"

    code = main([str(collection.root), "--folder", "Secure/Inner", "--reporter", f"json:{report}"])

    assert code == 0
    assert json.loads(report.read_text())["results"][0]["outcome"] == "passed"
    assert "s3cret" not in (collection.root / "items" / "secure" / "folder.yaml").read_text()


def test_apiclient_run_of_a_postman_folder_inherits_the_collection_auth(
    tmp_path: Path, rest_url: str
) -> None:
    basic = {
        "type": "basic",
        "basic": [{"key": "username", "value": "ann"}, {"key": "password", "value": "s3cret"}],
    }
    item = {
        "name": "Inherits",
        "request": {"method": "GET", "url": f"{rest_url}/basic-auth/ann/s3cret"},
        "event": [{"listen": "test", "script": {"exec": ["pm.response.to.have.status(200);"]}}],
    }
    doc = {
        "info": {
            "name": "Shop",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "auth": basic,
        "item": [{"name": "Folder", "item": [item]}],
    }
    path = tmp_path / "shop.postman_collection.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    assert main([str(path), "--folder", "Folder"]) == 0
