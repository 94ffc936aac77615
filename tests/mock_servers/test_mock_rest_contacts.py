"""The contacts API and its JSON batch endpoints: per-item results, duplicates, limits."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from mock_servers.rest import create_app
from mock_servers.rest_contacts import MAX_BATCH_ITEMS, MAX_BODY_BYTES

BATCH = "/api/v1/contacts/batch"


@pytest.fixture
def tag() -> str:
    """Makes emails unique to one test: the session's mock host shares its contacts."""
    return uuid.uuid4().hex[:10]


def person(tag: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"email": f"{name}.{tag}@example.com", "first_name": name.title(), **fields}


def batch(client: httpx.Client, contacts: list[Any], *, method: str = "POST", **body: Any):
    operation = body.pop("operation", "update" if method == "PATCH" else "create")
    payload = {"operation": operation, "contacts": contacts, **body}
    return client.request(method, BATCH, json=payload)


def stored(client: httpx.Client, email: str) -> list[dict[str, Any]]:
    return client.get("/api/v1/contacts", params={"email": email}).json()["contacts"]


def test_contacts_are_seeded_and_filtered_by_email(client: httpx.Client) -> None:
    everyone = client.get("/api/v1/contacts").json()
    assert everyone["total"] == len(everyone["contacts"]) >= 4
    ada = stored(client, "ADA.Lovelace@example.com")
    assert ada == [
        {
            "id": 1,
            "email": "ada.lovelace@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "Analytical Engines Ltd",
            "phone": "+44 20 7946 0018",
            "tags": ["vip"],
        }
    ]
    assert stored(client, "nobody@example.com") == []
    index = {entry["path"] for entry in client.get("/").json()["endpoints"]}
    assert {"/api/v1/contacts", BATCH, "/api/v1/$batch"} <= index


def test_single_contact_crud(client: httpx.Client, tag: str) -> None:
    created = client.post("/api/v1/contacts", json=person(tag, "rosalind", tags=["lab"]))
    assert created.status_code == 201
    contact = created.json()
    assert created.headers["location"].endswith(f"/api/v1/contacts/{contact['id']}")
    assert client.get(created.headers["location"]).json() == contact

    again = client.post("/api/v1/contacts", json=person(tag, "ROSALIND"))
    assert again.status_code == 409
    assert f"(id {contact['id']})" in again.json()["error"]

    replaced = client.put(f"/api/v1/contacts/{contact['id']}", json=person(tag, "rosalind"))
    assert replaced.json()["tags"] == []  # PUT replaces the whole contact
    patched = client.patch(f"/api/v1/contacts/{contact['id']}", json={"company": "King's"})
    assert patched.json() == replaced.json() | {"company": "King's"}

    invalid = client.post("/api/v1/contacts", json={"email": "nope", "phone": "call me"})
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"email", "first_name", "phone"}
    assert "not a valid email" in invalid.json()["error"]

    assert client.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    missing = client.get(f"/api/v1/contacts/{contact['id']}")
    assert missing.status_code == 404
    assert "No contact with id" in missing.json()["error"]
    assert client.get("/api/v1/contacts/abc").status_code == 404


def test_batch_create_all_valid_is_200(client: httpx.Client, tag: str) -> None:
    contacts = [
        person(tag, "alice", last_name="Smith", company="Tech Corp", phone="+1 (555) 010-0001"),
        person(tag, "bob", tags=["premium", "enterprise"]),
        person(tag, "carol", last_name=None, phone=None),  # null clears an optional field
    ]
    response = batch(client, contacts)
    assert response.status_code == 200
    report = response.json()
    assert {k: report[k] for k in ("operation", "processed", "created", "failed", "dry_run")} == {
        "operation": "create",
        "processed": 3,
        "created": 3,
        "failed": 0,
        "dry_run": False,
    }
    assert (report["updated"], report["skipped"]) == (0, 0)
    for index, (sent, result) in enumerate(zip(contacts, report["results"], strict=True)):
        assert result["index"] == index
        assert result["status"] == "created"
        assert result["email"] == sent["email"]
        assert result["errors"] == []
        assert client.get(f"/api/v1/contacts/{result['id']}").json()["email"] == sent["email"]


def test_batch_reports_each_invalid_item_and_207(client: httpx.Client, tag: str) -> None:
    contacts = [
        person(tag, "dave"),
        {"email": "not-an-email", "first_name": "", "phone": "ext. 12", "tags": "vip"},
        {"first_name": "x" * 101, "nickname": "X"},
        "just a string",
        person(tag, "erin", id=7),
    ]
    response = batch(client, contacts)
    assert response.status_code == 207
    report = response.json()
    assert (report["processed"], report["created"], report["failed"]) == (5, 1, 4)
    results = report["results"]
    assert results[0]["status"] == "created"
    fields = [sorted(e["field"] for e in r["errors"]) for r in results[1:]]
    assert fields == [
        ["email", "first_name", "phone", "tags"],
        ["email", "first_name", "nickname"],
        [""],
        ["id"],
    ]
    assert all(r["status"] == "failed" and r["id"] is None for r in results[1:])
    assert results[1]["email"] == "not-an-email"
    assert results[3]["email"] is None
    messages = " ".join(e["message"] for e in results[1]["errors"])
    assert "not a valid email" in messages
    assert "digits, spaces and + - ( ) only" in messages
    assert stored(client, contacts[4]["email"]) == []


def test_batch_where_every_item_fails_is_422(client: httpx.Client) -> None:
    response = batch(client, [{"first_name": "No email"}, {"email": "a@b.co"}])
    assert response.status_code == 422
    report = response.json()
    assert (report["created"], report["failed"]) == (0, 2)
    assert report["results"][0]["errors"][0]["field"] == "email"
    assert "required" in report["results"][1]["errors"][0]["message"]


def test_duplicates_fail_without_skip(client: httpx.Client, tag: str) -> None:
    first = person(tag, "frank")
    contacts = [
        first,
        first | {"email": first["email"].upper()},  # repeated in the batch, other case
        {"email": "grace.hopper@example.com", "first_name": "Grace"},  # already stored
    ]
    response = batch(client, contacts)
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "failed", "failed"]
    assert results[1]["errors"] == [
        {
            "field": "email",
            "message": f"{first['email'].upper()} repeats the email of item 0 in this batch.",
        }
    ]
    assert results[2]["errors"][0]["field"] == "email"
    assert "already exists (id 2)" in results[2]["errors"][0]["message"]
    assert len(stored(client, first["email"])) == 1


def test_duplicates_are_skipped_when_asked(client: httpx.Client, tag: str) -> None:
    first = person(tag, "gina")
    contacts = [first, first, {"email": "Grace.Hopper@example.com", "first_name": "G"}]
    response = batch(client, contacts, options={"skip_duplicates": True})
    assert response.status_code == 200
    report = response.json()
    assert (report["created"], report["skipped"], report["failed"]) == (1, 2, 0)
    assert [r["status"] for r in report["results"]] == ["created", "skipped", "skipped"]
    assert report["results"][2]["id"] == 2
    assert "skip_duplicates" in report["results"][2]["errors"][0]["message"]
    # An invalid item still fails: skipping is only for duplicates.
    invalid = batch(client, [first | {"phone": "n/a"}], options={"skip_duplicates": True})
    assert invalid.status_code == 422


def test_stop_on_error_skips_the_rest(client: httpx.Client, tag: str) -> None:
    contacts = [person(tag, "hal"), {"email": "broken"}, person(tag, "ivy"), person(tag, "jo")]
    response = batch(client, contacts, options={"stop_on_error": True})
    assert response.status_code == 207
    report = response.json()
    assert [r["status"] for r in report["results"]] == ["created", "failed", "skipped", "skipped"]
    assert (report["created"], report["failed"], report["skipped"]) == (1, 1, 2)
    skipped = report["results"][2]
    assert skipped["errors"] == [
        {"field": "", "message": "Not processed: item 1 failed and stop_on_error is set."}
    ]
    assert skipped["email"] == contacts[2]["email"]
    assert stored(client, contacts[2]["email"]) == []
    # Stopped at the first item: nothing went through, so the whole batch is 422.
    first_fails = batch(client, contacts[1:], options={"stop_on_error": True})
    assert first_fails.status_code == 422


def test_dry_run_reports_and_stores_nothing(client: httpx.Client, tag: str) -> None:
    contacts = [person(tag, "kim"), person(tag, "kim"), {"email": "x"}]
    before = client.get("/api/v1/contacts").json()["total"]
    response = batch(client, contacts, options={"dry_run": True})
    assert response.status_code == 207
    report = response.json()
    assert report["dry_run"] is True
    assert [r["status"] for r in report["results"]] == ["created", "failed", "failed"]
    assert report["results"][0]["id"] is None  # nothing was stored, so no id
    assert "repeats the email of item 0" in report["results"][1]["errors"][0]["message"]
    assert client.get("/api/v1/contacts").json()["total"] == before

    update = batch(
        client, [{"id": 3, "company": "Dry Run Ltd"}], method="PATCH", options={"dry_run": True}
    )
    assert update.status_code == 200
    assert update.json()["results"][0] | {"errors": None} == {
        "index": 0,
        "status": "updated",
        "id": 3,
        "email": "alan.turing@example.com",
        "errors": None,
    }
    assert client.get("/api/v1/contacts/3").json()["company"] == "Bletchley Park"


def test_upsert_updates_by_email_and_creates_the_rest(client: httpx.Client, tag: str) -> None:
    existing = client.post("/api/v1/contacts", json=person(tag, "lee", company="Old")).json()
    contacts = [person(tag, "LEE", company="New"), person(tag, "mia")]
    response = batch(client, contacts, operation="upsert")
    assert response.status_code == 200
    report = response.json()
    assert (report["updated"], report["created"]) == (1, 1)
    assert report["results"][0] | {"errors": []} == {
        "index": 0,
        "status": "updated",
        "id": existing["id"],
        "email": contacts[0]["email"],
        "errors": [],
    }
    assert client.get(f"/api/v1/contacts/{existing['id']}").json()["company"] == "New"


def test_patch_updates_by_id_and_by_email(client: httpx.Client, tag: str) -> None:
    one = client.post("/api/v1/contacts", json=person(tag, "ned")).json()
    two = client.post("/api/v1/contacts", json=person(tag, "ola")).json()
    updates = [
        {"id": one["id"], "company": "New Company Name", "email": f"ned2.{tag}@example.com"},
        {"email": two["email"].upper(), "tags": ["premium", "enterprise"]},
        {"id": 999_999, "company": "Ghost"},
        {"email": f"nobody.{tag}@example.com", "company": "Ghost"},
        {"id": one["id"], "email": "grace.hopper@example.com"},
        {"id": two["id"], "first_name": None, "status": "inactive"},
        {"company": "Whom?"},
    ]
    response = batch(client, updates, method="PATCH")
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["updated", "updated"] + ["failed"] * 5
    assert results[0]["email"] == f"ned2.{tag}@example.com"
    assert results[1]["id"] == two["id"]
    assert client.get(f"/api/v1/contacts/{one['id']}").json()["company"] == "New Company Name"
    assert client.get(f"/api/v1/contacts/{two['id']}").json()["tags"] == ["premium", "enterprise"]
    assert results[2]["errors"] == [{"field": "id", "message": "No contact with id 999999."}]
    assert results[3]["errors"][0]["field"] == "email"
    assert "already the email of contact 2" in results[4]["errors"][0]["message"]
    assert results[4]["id"] == one["id"]
    assert sorted(e["field"] for e in results[5]["errors"]) == ["first_name", "status"]
    assert results[6]["errors"][0]["field"] == ""

    # The seed story's body: "updates" instead of "contacts".
    seed_style = client.patch(
        BATCH, json={"operation": "update", "updates": [{"id": one["id"], "company": "Seed"}]}
    )
    assert seed_style.status_code == 200


def test_patch_skips_an_email_taken_when_asked(client: httpx.Client, tag: str) -> None:
    one = client.post("/api/v1/contacts", json=person(tag, "pat")).json()
    response = batch(
        client,
        [{"id": one["id"], "email": "alan.turing@example.com"}],
        method="PATCH",
        options={"skip_duplicates": True},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "skipped"
    assert client.get(f"/api/v1/contacts/{one['id']}").json()["email"] == one["email"]


def test_batch_size_limits_are_413(client: httpx.Client, tag: str) -> None:
    too_many = [person(tag, f"n{i}") for i in range(MAX_BATCH_ITEMS + 1)]
    response = batch(client, too_many)
    assert response.status_code == 413
    assert response.json()["error"] == (
        "The batch holds 1001 contacts; at most 1000 fit in one batch, "
        "so split it into several requests."
    )
    assert stored(client, too_many[0]["email"]) == []

    filler = "x" * 1000
    big = [person(tag, "big", company=filler) for _ in range(MAX_BODY_BYTES // 1000 + 10)]
    huge = client.post(
        BATCH,
        content=json.dumps({"operation": "create", "contacts": big}),
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert "over 5242880 bytes" in huge.json()["error"]


def test_a_full_batch_of_1000_is_accepted(client: httpx.Client, tag: str) -> None:
    contacts = [person(tag, f"m{i}") for i in range(MAX_BATCH_ITEMS)]
    response = batch(client, contacts, options={"dry_run": True})
    assert response.status_code == 200
    assert response.json()["created"] == MAX_BATCH_ITEMS


@pytest.mark.parametrize(
    ("method", "body", "status", "words"),
    [
        ("POST", b'{"operation": "create", "contacts": [', 400, "not valid JSON"),
        ("POST", b"[1, 2]", 400, "must be a JSON object, not a list"),
        ("POST", {"contacts": [{}]}, 422, '"operation" must be "create" or "upsert" for POST'),
        ("POST", {"operation": "update", "contacts": [{}]}, 422, 'PATCH takes "update"'),
        ("PATCH", {"operation": "create", "contacts": [{}]}, 422, 'must be "update" for PATCH'),
        ("POST", {"operation": "create"}, 422, '"contacts" must be a list'),
        ("POST", {"operation": "create", "contacts": {}}, 422, "got an object"),
        ("POST", {"operation": "create", "contacts": []}, 422, "got an empty list"),
        ("POST", {"operation": "create", "contacts": [{}], "options": []}, 422, '"options"'),
        (
            "POST",
            {"operation": "create", "contacts": [{}], "options": {"dry_run": "yes"}},
            422,
            '"options.dry_run" must be true or false',
        ),
        (
            "POST",
            {"operation": "create", "contacts": [{}], "options": {"send_welcome_email": False}},
            422,
            "Unknown option 'send_welcome_email'",
        ),
        ("POST", {"operation": "create", "contacts": [{}], "mode": 1}, 422, "Unknown field 'mode'"),
    ],
)
def test_batch_shape_errors(
    client: httpx.Client, method: str, body: Any, status: int, words: str
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.request(
        method, BATCH, content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert words in response.json()["error"]


async def test_each_app_has_its_own_contacts() -> None:
    apps = [create_app(), create_app()]
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[1]), base_url="http://b") as b,
    ):
        body = {"operation": "create", "contacts": [{"email": "q@x.io", "first_name": "Q"}]}
        assert (await a.post(BATCH, json=body)).status_code == 200
        assert (await a.get("/api/v1/contacts", params={"email": "q@x.io"})).json()["total"] == 1
        assert (await b.get("/api/v1/contacts", params={"email": "q@x.io"})).json()["total"] == 0
