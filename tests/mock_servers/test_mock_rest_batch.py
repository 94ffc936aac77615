"""`POST /api/v1/$batch`: multipart/mixed requests in, multipart/mixed responses out."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

import h11
import httpx
import pytest

from mock_servers.rest_batch import MAX_PARTS

BATCH = "/api/v1/$batch"
BOUNDARY = "batch_36522ad7"
MIXED = {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"}


@dataclass
class Answer:
    content_id: str | None
    status: int
    reason: bytes
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def part(request: bytes, *, content_id: str | None = None, kind: str = "application/http") -> bytes:
    head = f"--{BOUNDARY}\r\nContent-Type: {kind}\r\n"
    if content_id is not None:
        head += f"Content-ID: {content_id}\r\n"
    return head.encode() + b"\r\n" + request + b"\r\n"


def envelope(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def json_request(method: str, target: str, body: Any) -> bytes:
    data = json.dumps(body).encode()
    head = f"{method} {target} HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
    return head.encode() + f"Content-Length: {len(data)}\r\n\r\n".encode() + data


def answers(response: httpx.Response) -> list[Answer]:
    """Read a $batch answer the way a client would: email for MIME, h11 for HTTP."""
    assert response.status_code == 200, response.text
    head = f"Content-Type: {response.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=default_policy).parsebytes(head + response.content)
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_boundary().startswith("batchresponse_")
    read = []
    for sub in message.iter_parts():
        assert sub.get_content_type() == "application/http"
        connection = h11.Connection(h11.CLIENT)
        connection.send(h11.Request(method="GET", target="/", headers=[("Host", "mock")]))
        connection.send(h11.EndOfMessage())
        connection.receive_data(sub.get_payload(decode=True))
        connection.receive_data(b"")
        start = connection.next_event()
        assert isinstance(start, h11.Response)
        body = b""
        while not isinstance(event := connection.next_event(), h11.EndOfMessage):
            body += event.data
        headers = {k.decode(): v.decode() for k, v in start.headers}
        content_id = sub["Content-ID"]
        read.append(Answer(content_id, start.status_code, start.reason, headers, body))
    return read


def test_several_parts_answer_in_order_with_content_ids(client: httpx.Client) -> None:
    email = f"batch.{uuid.uuid4().hex[:10]}@example.com"
    body = envelope(
        part(b"GET /api/v1/contacts/1 HTTP/1.1\r\nHost: mock\r\n\r\n", content_id="<item1>"),
        part(json_request("POST", "/api/v1/contacts", {"email": email, "first_name": "Zoë"})),
        part(b"DELETE /api/v1/contacts/999999 HTTP/1.1\r\nHost: mock\r\n\r\n", content_id="3"),
        part(f"GET /api/v1/contacts?email={email} HTTP/1.1\r\n\r\n".encode(), content_id="<q>"),
    )
    read = answers(client.post(BATCH, content=body, headers=MIXED))
    assert [(a.content_id, a.status) for a in read] == [
        ("<item1>", 200),
        (None, 201),
        ("3", 404),
        ("<q>", 200),
    ]
    assert read[0].reason == b"OK"
    assert read[0].json()["email"] == "ada.lovelace@example.com"
    assert read[0].headers["content-type"] == "application/json"
    assert int(read[0].headers["content-length"]) == len(read[0].body)
    created = read[1].json()
    assert created["first_name"] == "Zoë"
    assert read[1].headers["location"].endswith(f"/api/v1/contacts/{created['id']}")
    assert read[2].reason == b"Not Found"
    assert read[2].json() == {"error": "No contact with id '999999'."}
    # Sub-requests run in order: the last one sees what the second created.
    assert read[3].json()["contacts"] == [created]


def test_a_json_batch_inside_a_multipart_batch(client: httpx.Client) -> None:
    contacts = [{"email": "grace.hopper@example.com", "first_name": "G"}, {"email": "bad"}]
    request = json_request(
        "POST", "/api/v1/contacts/batch", {"operation": "create", "contacts": contacts}
    )
    (answer,) = answers(client.post(BATCH, content=envelope(part(request)), headers=MIXED))
    assert (answer.status, answer.reason) == (422, b"Unprocessable Entity")
    assert answer.json()["failed"] == 2


def test_lenient_where_real_batch_servers_are(client: httpx.Client) -> None:
    body = envelope(
        # Google's style: no Host, no blank line before the boundary, an absolute URL.
        part(b"GET http://example.invalid/api/v1/contacts/2 HTTP/1.1"),
        # OData's style: a path relative to the service root.
        part(b"GET contacts/3 HTTP/1.1\r\nHost: mock\r\n"),
        # A body without Content-Length runs to the end of the part.
        part(
            b"PATCH /api/v1/contacts/4 HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
            b'{"company": "NASA"}'
        ),
    )
    read = answers(client.post(BATCH, content=body, headers=MIXED))
    assert [a.status for a in read] == [200, 200, 200]
    assert [a.json()["id"] for a in read] == [2, 3, 4]
    assert read[2].json()["company"] == "NASA"


def test_sub_requests_keep_their_own_headers(client: httpx.Client) -> None:
    no_token = b"GET /api/v1/playlists HTTP/1.1\r\nHost: mock\r\n\r\n"
    token = (
        b"GET /api/v1/playlists HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer demo-token\r\n\r\n"
    )
    read = answers(client.post(BATCH, content=envelope(part(no_token), part(token)), headers=MIXED))
    assert [a.status for a in read] == [401, 200]
    assert read[0].headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("content_type", "body", "words"),
    [
        ("application/json", b"{}", "must be multipart/mixed (got application/json)"),
        ("", b"x", "(got no Content-Type)"),
        ("multipart/mixed", b"--x\r\n\r\n--x--", "no boundary parameter"),
        (MIXED["Content-Type"], b"no parts at all", f"each part starts with a line --{BOUNDARY}"),
        (
            MIXED["Content-Type"],
            envelope(
                part(b"GET /api/v1/contacts HTTP/1.1\r\n\r\n"), part(b"hi", kind="text/plain")
            ),
            "Part 2 has text/plain; each part must be Content-Type: application/http",
        ),
        (
            MIXED["Content-Type"],
            envelope(part(b"GET /api/v1/contacts HTTP/1.1\r\n\r\n"), part(b"this is not HTTP")),
            "Part 2 does not hold a valid HTTP/1.1 request",
        ),
        (
            MIXED["Content-Type"],
            envelope(part(b"POST /api/v1/contacts HTTP/1.1\r\nContent-Length: 50\r\n\r\n{}")),
            "Part 1 ends before its HTTP request does",
        ),
        (
            MIXED["Content-Type"],
            envelope(part(b"POST /api/v1/contacts HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}extra")),
            "Part 1 has 5 bytes after the body",
        ),
        (
            MIXED["Content-Type"],
            envelope(part(b"GET /api/v1/contacts HTTP/1.1\r\n\r\n"), part(b"GET /echo HTTP/1.1")),
            "Part 2 asks for /echo; sub-requests must go to this mock's API under /api/v1/",
        ),
        (
            MIXED["Content-Type"],
            envelope(part(b"GET /api/v1/../echo HTTP/1.1\r\n\r\n")),
            "Part 1 asks for /api/v1/../echo",
        ),
        (
            MIXED["Content-Type"],
            envelope(part(b"POST /api/v1/$batch HTTP/1.1\r\n\r\n")),
            "Part 1 asks for /api/v1/$batch",
        ),
    ],
)
def test_a_bad_envelope_is_400_naming_the_part(
    client: httpx.Client, content_type: str, body: bytes, words: str
) -> None:
    before = client.get("/api/v1/contacts").json()["total"]
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(BATCH, content=body, headers=headers)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert client.get("/api/v1/contacts").json()["total"] == before  # nothing ran


def test_too_many_parts_is_413(client: httpx.Client) -> None:
    one = part(b"GET /api/v1/contacts/1 HTTP/1.1\r\nHost: mock\r\n\r\n")
    assert len(answers(client.post(BATCH, content=envelope(*[one] * MAX_PARTS), headers=MIXED)))
    response = client.post(BATCH, content=envelope(*[one] * (MAX_PARTS + 1)), headers=MIXED)
    assert response.status_code == 413
    assert response.json()["error"] == "The batch holds 101 parts; at most 100 fit in one $batch."
