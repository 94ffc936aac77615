"""Batch bodies built here, sent with httpx to the REST mock, answers parsed here."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from apiclient.protocols.batch_multipart import (
    SubRequest,
    build_multipart_batch,
    parse_multipart_batch,
)
from apiclient.protocols.batch_results import parse_batch_result
from apiclient.protocols.batch_rows import build_json_batch, load_rows_csv
from apiclient.protocols.errors import BatchResultError

COLUMNS = {"Email": "email", "First name": "first_name", "Company": "company", "Tags": "tags:list"}


@pytest.fixture
def client(rest_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_url, timeout=10.0) as session:
        yield session


def _emails(count: int) -> list[str]:
    run = uuid.uuid4().hex[:8]
    return [f"user{n}.{run}@example.com" for n in range(count)]


def _csv(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path = tmp_path / "contacts.csv"
    lines = ["Email,First name,Company,Tags"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _send(client: httpx.Client, body: dict[str, object]) -> httpx.Response:
    return client.post("/api/v1/contacts/batch", content=json.dumps(body).encode(),
                       headers={"Content-Type": "application/json"})  # fmt: skip


def test_csv_batch_all_created(client: httpx.Client, tmp_path: Path) -> None:
    first, second = _emails(2)
    path = _csv(tmp_path, [(first, "Ada", "Acme", "vip;beta"), (second, "Alan", "", "")])
    body = build_json_batch(load_rows_csv(path), operation="create", columns=COLUMNS)
    response = _send(client, body)
    result = parse_batch_result(response.status_code, response.content)
    assert (result.status, result.outcome, result.processed, result.created) == (200, "ok", 2, 2)
    assert [(item.index, item.status, item.key) for item in result.items] == [
        (0, "created", first),
        (1, "created", second),
    ]
    assert all(item.id for item in result.items)
    stored = client.get(f"/api/v1/contacts/{result.items[0].id}").json()
    assert stored["tags"] == ["vip", "beta"] and stored["company"] == "Acme"


def test_partial_batch_reports_each_row(client: httpx.Client, tmp_path: Path) -> None:
    (fresh,) = _emails(1)
    rows = [
        (fresh, "Grace", "", ""),
        ("ada.lovelace@example.com", "Ada", "", ""),  # a seeded contact
        ("not-an-email", "Bob", "", ""),
    ]
    body = build_json_batch(load_rows_csv(_csv(tmp_path, rows)), operation="create",
                            columns=COLUMNS, options={"skip_duplicates": True})  # fmt: skip
    response = _send(client, body)
    result = parse_batch_result(response.status_code, response.content)
    assert (result.status, result.outcome) == (207, "partial")
    assert (result.processed, result.created, result.skipped, result.failed) == (3, 1, 1, 1)
    created, skipped, failed = result.items
    assert (created.status, skipped.status, failed.status) == ("created", "skipped", "failed")
    assert skipped.errors[0].startswith("email: A contact with email ada.lovelace@example.com")
    assert failed.errors[0].startswith("email: 'not-an-email' is not a valid email address")


def test_all_failed_and_dry_run(client: httpx.Client) -> None:
    rows = [{"email": "nobody"}, {"first_name": "No email"}]
    response = _send(client, build_json_batch(rows, operation="create"))
    result = parse_batch_result(response.status_code, response.content)
    assert (result.status, result.outcome, result.failed) == (422, "failed", 2)
    assert any(error.startswith("first_name: ") for error in result.items[0].errors)
    (email,) = _emails(1)
    dry = build_json_batch([{"email": email, "first_name": "D"}], operation="upsert",
                           options={"dry_run": True})  # fmt: skip
    response = _send(client, dry)
    result = parse_batch_result(response.status_code, response.content)
    assert result.dry_run and result.created == 1 and result.items[0].id is None
    assert client.get("/api/v1/contacts", params={"email": email}).json()["total"] == 0


def test_batch_refused_as_a_whole_quotes_the_server(client: httpx.Client) -> None:
    response = _send(client, build_json_batch([{"email": "a@x.io"}], operation="explode"))
    with pytest.raises(
        BatchResultError, match=r"The server refused the batch \(HTTP 422\): \"operation\""
    ):
        parse_batch_result(response.status_code, response.content)


def test_multipart_batch_round_trip(client: httpx.Client, rest_url: str) -> None:
    (email,) = _emails(1)
    new_contact = json.dumps({"email": email, "first_name": "Multi"}).encode()
    parts = [
        SubRequest("GET", "/api/v1/contacts/1", content_id="<get-1>"),
        SubRequest(
            "POST",
            "/api/v1/contacts",
            (("Content-Type", "application/json"),),
            new_contact,
            content_id="<create>",
        ),
        SubRequest("GET", "/api/v1/contacts/999999"),
        SubRequest(
            "PATCH", "contacts/1", (("Content-Type", "application/json"),), b'{"company": "AE"}'
        ),
    ]
    content_type, body = build_multipart_batch(parts, host=urlsplit(rest_url).netloc)
    response = client.post("/api/v1/$batch", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200
    answers = parse_multipart_batch(response.headers["content-type"], response.content)
    assert [(a.status, a.content_id) for a in answers] == [
        (200, "<get-1>"),
        (201, "<create>"),
        (404, ""),
        (200, ""),
    ]
    assert json.loads(answers[0].body)["id"] == 1
    assert json.loads(answers[1].body)["email"] == email
    assert "location" in {name.lower() for name, _ in answers[1].headers}
    assert json.loads(answers[3].body)["company"] == "AE"


def test_multipart_batch_refused_as_a_whole(client: httpx.Client, rest_url: str) -> None:
    content_type, body = build_multipart_batch(
        [SubRequest("GET", "/elsewhere")], host=urlsplit(rest_url).netloc
    )
    response = client.post("/api/v1/$batch", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    with pytest.raises(
        BatchResultError,
        match="is application/json, not multipart/mixed: the server refused the batch: Part 1",
    ) as caught:
        parse_multipart_batch(response.headers["content-type"], response.content)
    assert "/elsewhere" in str(caught.value)
