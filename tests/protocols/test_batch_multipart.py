"""multipart/mixed batches: requests written with h11, answers read with email + h11."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

import h11
import pytest

from apiclient.protocols.batch_multipart import (
    SubRequest,
    SubResponse,
    build_multipart_batch,
    parse_multipart_batch,
)
from apiclient.protocols.errors import BatchResultError, ProtocolError, RequestBuildError

JSON = (("Content-Type", "application/json"),)


def _read_back(content_type: str, body: bytes) -> list[tuple[str | None, h11.Request, bytes]]:
    """What a server reads: the envelope with email, each request with h11."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    read = []
    for part in message.iter_parts():
        assert part.get_content_type() == "application/http"
        assert part["Content-Transfer-Encoding"] == "binary"
        connection = h11.Connection(h11.SERVER)
        connection.receive_data(part.get_payload(decode=True))
        request, data = None, b""
        while not isinstance(event := connection.next_event(), h11.EndOfMessage):
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                data += event.data
        assert request is not None
        read.append((part["Content-ID"], request, data))
    return read


def test_built_batch_reads_back_byte_for_byte() -> None:
    body = b'{\n  "email": "ada@example.com",\r\n  "name": "Zo\xc3\xab"\n}\n'
    parts = [
        SubRequest("GET", "/api/v1/contacts/1"),
        SubRequest("POST", "/api/v1/contacts", JSON, body, content_id="<item2>"),
        SubRequest("DELETE", "https://other.example/api/v1/contacts/3", content_id="3"),
        SubRequest("PATCH", "Customers('ALFKI')", (("Host", "odata.example"),), b"\x00\xff"),
    ]
    content_type, payload = build_multipart_batch(parts, host="api.example.com")
    assert content_type.startswith("multipart/mixed; boundary=batch_")
    read = _read_back(content_type, payload)
    assert [(cid, r.method, r.target, data) for cid, r, data in read] == [
        (None, b"GET", b"/api/v1/contacts/1", b""),
        ("<item2>", b"POST", b"/api/v1/contacts", body),
        ("3", b"DELETE", b"https://other.example/api/v1/contacts/3", b""),
        (None, b"PATCH", b"Customers('ALFKI')", b"\x00\xff"),
    ]
    hosts = [dict(r.headers)[b"host"] for _, r, _ in read]
    assert hosts == [b"api.example.com", b"api.example.com", b"other.example", b"odata.example"]
    assert dict(read[1][1].headers)[b"content-length"] == str(len(body)).encode()
    assert payload.endswith(content_type.split("=", 1)[1].encode() + b"--\r\n")


def test_given_boundary_is_used_and_checked() -> None:
    parts = [SubRequest("GET", "/a", (("Host", "h"),))]
    content_type, body = build_multipart_batch(parts, boundary="batch_1")
    assert content_type == "multipart/mixed; boundary=batch_1"
    assert body.startswith(b"--batch_1\r\nContent-Type: application/http\r\n")
    spaced, _ = build_multipart_batch(parts, boundary="a b")
    assert spaced == 'multipart/mixed; boundary="a b"'
    for bad in ("", "x" * 71, "ends ", "semi;colon"):
        with pytest.raises(RequestBuildError, match=r"The boundary .* is not valid"):
            build_multipart_batch(parts, boundary=bad)
    inside = [SubRequest("POST", "/a", (("Host", "h"),), b"--batch_1 oops")]
    with pytest.raises(RequestBuildError, match="Part 1 of the batch contains the boundary"):
        build_multipart_batch(inside, boundary="batch_1")


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        (SubRequest("GE T", "/a"), "Part 2 of the batch: The method 'GE T'"),
        (SubRequest("GET", "/a b"), r"Part 2 of the batch \(GET\): the path '/a b'"),
        (SubRequest("GET", ""), r"Part 2 of the batch \(GET\): the path '' is empty"),
        (
            SubRequest("GET", "/a", (("Bad Name", "x"),)),
            r"Part 2 of the batch \(GET /a\): The header",
        ),
        (SubRequest("GET", "/a", (("X", "a\nb"),)), "line break or control character"),
        (SubRequest("GET", "/a", content_id="a\r\nb"), "Part 2 of the batch: the Content-ID"),
        (
            SubRequest("POST", "/a", (("Content-Length", "1"),), b"too long"),
            r"Part 2 of the batch \(POST /a\) cannot be written",
        ),
    ],
)
def test_bad_sub_requests_name_their_part(part: SubRequest, expected: str) -> None:
    good = SubRequest("GET", "/ok")
    with pytest.raises(RequestBuildError, match=expected):
        build_multipart_batch([good, part], host="h")


def test_a_part_needs_a_host() -> None:
    with pytest.raises(RequestBuildError, match=r"Part 1 .*\(GET /a\) has no Host header"):
        build_multipart_batch([SubRequest("GET", "/a")])
    with pytest.raises(RequestBuildError, match="no requests"):
        build_multipart_batch([], host="h")


# A Google-style answer (https://developers.google.com/.../batch): Content-IDs prefixed
# with "response-", no Content-Length, a preamble and LF-only line ends in one part.
GOOGLE = (
    b"This is a preamble.\r\n"
    b"--batch_pK7JBAk73-E=_AA5eFwv4m2Q=\r\n"
    b"Content-Type: application/http\r\n"
    b"Content-ID: <response-8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83+1>\r\n"
    b"\r\n"
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json; charset=UTF-8\r\n"
    b'ETag: "lGaP-E1RdE"\r\n'
    b"\r\n"
    b'{"kind": "storage#object", "name": "obj1"}\r\n'
    b"--batch_pK7JBAk73-E=_AA5eFwv4m2Q=\r\n"
    b"Content-Type: application/http\n"
    b"Content-ID: <response-8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83+2>\n"
    b"\n"
    b"HTTP/1.1 404 Not Found\n"
    b"Content-Type: application/json\n"
    b"\n"
    b'{"error": {"code": 404}}\n'
    b"--batch_pK7JBAk73-E=_AA5eFwv4m2Q=--\r\n"
)
GOOGLE_TYPE = "multipart/mixed; boundary=batch_pK7JBAk73-E=_AA5eFwv4m2Q="


def test_google_style_answer() -> None:
    first, second = parse_multipart_batch(GOOGLE_TYPE, GOOGLE)
    assert first == SubResponse(
        200,
        "OK",
        (("Content-Type", "application/json; charset=UTF-8"), ("ETag", '"lGaP-E1RdE"')),
        b'{"kind": "storage#object", "name": "obj1"}',
        "<response-8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83+1>",
    )
    assert (second.status, second.reason, second.body) == (
        404,
        "Not Found",
        b'{"error": {"code": 404}}',
    )
    assert second.content_id.endswith("+2>")


# An OData v4 answer with a changeset (a nested multipart/mixed) and framed bodies.
ODATA = (
    b"--batchresponse_1\r\n"
    b"Content-Type: application/http\r\n"
    b"Content-Transfer-Encoding: binary\r\n"
    b"\r\n"
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 11\r\n"
    b"\r\n"
    b'{"a":"b\r\n"}\r\n'
    b"--batchresponse_1\r\n"
    b"Content-Type: multipart/mixed; boundary=changesetresponse_2\r\n"
    b"\r\n"
    b"--changesetresponse_2\r\n"
    b"Content-Type: application/http\r\n"
    b"Content-ID: 1\r\n"
    b"\r\n"
    b"HTTP/1.1 201 Created\r\n"
    b"Location: http://host/service/Customers('ALFKI')\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"\r\n"
    b"3\r\nabc\r\n0\r\n\r\n"
    b"\r\n"
    b"--changesetresponse_2\r\n"
    b"Content-Type: application/http\r\n"
    b"Content-ID: 2\r\n"
    b"\r\n"
    b"HTTP/1.1 204 No Content\r\n"
    b"\r\n"
    b"\r\n"
    b"--changesetresponse_2--\r\n"
    b"\r\n"
    b"--batchresponse_1--\r\n"
)


def test_odata_answer_with_a_changeset_is_flattened() -> None:
    responses = parse_multipart_batch("multipart/mixed; boundary=batchresponse_1", ODATA)
    assert [(r.status, r.content_id, r.body) for r in responses] == [
        (200, "", b'{"a":"b\r\n"}'),
        (201, "1", b"abc"),
        (204, "2", b""),
    ]
    assert ("Location", "http://host/service/Customers('ALFKI')") in responses[1].headers


def test_response_without_its_blank_line_is_read() -> None:
    part = b"--y\r\nContent-Type: application/http\r\n\r\n"
    body = part + b"HTTP/1.1 204 No Content\r\n"
    body += part + b"HTTP/1.1 202 Accepted\r\nX-A: 1\r\n--y--\r\n"
    first, second = parse_multipart_batch("multipart/mixed; boundary=y", body)
    assert (first.status, first.body) == (204, b"")
    assert (second.status, second.headers, second.body) == (202, (("X-A", "1"),), b"")


def test_round_trip_through_a_hand_written_server_answer() -> None:
    content_type, body = build_multipart_batch(
        [SubRequest("POST", "/x", JSON, b'{"n": 1}', content_id="7")], host="h"
    )
    boundary = content_type.split("=", 1)[1]
    (cid, _, data), *_ = _read_back(content_type, body)
    server = h11.Connection(h11.SERVER)
    server.receive_data(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\n" + data)
    while not isinstance(server.next_event(), h11.EndOfMessage):
        pass
    answer = server.send(h11.Response(status_code=201, headers=[("Content-Length", "8")]))
    answer += server.send(h11.Data(data=data)) + server.send(h11.EndOfMessage())
    envelope = (
        f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {cid}\r\n\r\n".encode()
        + answer
        + f"\r\n--{boundary}--\r\n".encode()
    )
    (response,) = parse_multipart_batch(content_type, envelope)
    assert (response.status, response.body, response.content_id) == (201, b'{"n": 1}', "7")


MIXED_X = "multipart/mixed; boundary=x"
HTTP_PART = b"--x\r\nContent-Type: application/http\r\n\r\n"


@pytest.mark.parametrize(
    ("content_type", "body", "expected", "part"),
    [
        (
            "application/json",
            b'{"error": {"code": 400, "message": "Bad boundary."}}',
            "is application/json, not multipart/mixed: the server refused the batch: Bad boundary",
            None,
        ),
        (
            "text/html",
            b"<h1>502 Bad Gateway</h1>",
            "is text/html, not multipart/mixed .*it starts: '<h1>502 Bad Gateway</h1>'",
            None,
        ),
        ("", b"x", "without a Content-Type, not multipart/mixed", None),
        ("multipart/mixed", b"--x\r\n\r\n--x--", "has no boundary parameter", None),
        (MIXED_X, b"nothing here", "has no parts", None),
        (
            MIXED_X,
            b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--",
            "Part 1 of the batch answer is text/plain",
            1,
        ),
        (MIXED_X, HTTP_PART + b"\r\n--x--", "Part 1 of the batch answer is empty", 1),
        (
            MIXED_X,
            HTTP_PART + b"HTTP/1.1 200 OK\r\n\r\n\r\n" + HTTP_PART + b"not http at all\r\n--x--",
            r"Part 2 of the batch answer is not a valid HTTP response .*starts 'not http at all'",
            2,
        ),
        (
            MIXED_X,
            HTTP_PART + b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort\r\n--x--",
            "Part 1 of the batch answer is not a valid HTTP response",
            1,
        ),
        (
            MIXED_X,
            b"--x\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n"
            b"--y\r\nContent-Type: image/png\r\n\r\nz\r\n--y--\r\n--x--",
            "Part 1.1 of the batch answer is image/png",
            1,
        ),
    ],
)
def test_malformed_answers_name_the_part(
    content_type: str, body: bytes, expected: str, part: int | None
) -> None:
    with pytest.raises(BatchResultError, match=expected) as caught:
        parse_multipart_batch(content_type, body)
    assert caught.value.part == part
    assert isinstance(caught.value, ProtocolError)
