"""Per-item batch reports (the contract of the mock's POST /api/v1/contacts/batch)."""

from __future__ import annotations

import json

import pytest

from apiclient.protocols.batch_results import BatchItem, parse_batch_result
from apiclient.protocols.errors import BatchResultError, ProtocolError

PARTIAL = {
    "operation": "create",
    "processed": 3,
    "created": 1,
    "updated": 0,
    "skipped": 1,
    "failed": 1,
    "dry_run": False,
    "results": [
        {"index": 0, "status": "created", "id": 7, "email": "ada@example.com", "errors": []},
        {
            "index": 1,
            "status": "skipped",
            "id": 2,
            "email": "grace@example.com",
            "errors": [{"field": "email", "message": "Already exists. Skipped."}],
        },
        {
            "index": 2,
            "status": "failed",
            "id": None,
            "email": None,
            "errors": [
                {"field": "email", "message": '"email" is required.'},
                {"field": "", "message": "Not processed."},
            ],
        },
    ],
}


def _bytes(document: object) -> bytes:
    return json.dumps(document).encode()


def test_partial_report() -> None:
    result = parse_batch_result(207, _bytes(PARTIAL))
    assert (result.status, result.processed, result.created, result.updated) == (207, 3, 1, 0)
    assert (result.skipped, result.failed, result.operation, result.dry_run) == (
        1,
        1,
        "create",
        False,
    )
    assert result.outcome == "partial"
    assert result.items == (
        BatchItem(0, "created", "7", "ada@example.com", ()),
        BatchItem(1, "skipped", "2", "grace@example.com", ("email: Already exists. Skipped.",)),
        BatchItem(2, "failed", None, "", ('email: "email" is required.', "Not processed.")),
    )
    assert [item.failed for item in result.items] == [False, False, True]


def test_totals_are_counted_when_missing() -> None:
    document = {"results": [dict(entry) for entry in PARTIAL["results"]]}  # type: ignore[call-overload]
    document["results"][0]["status"] = "updated"
    result = parse_batch_result(200, _bytes(document))
    assert (result.processed, result.created, result.updated, result.skipped, result.failed) == (
        3,
        0,
        1,
        1,
        1,
    )


def test_outcomes_and_tolerated_shapes() -> None:
    ok = parse_batch_result(200, _bytes({"results": [{"status": "Created", "key": "k1"}]}))
    assert ok.outcome == "ok" and ok.items == (BatchItem(0, "created", None, "k1", ()),)
    failed = parse_batch_result(422, _bytes({"results": [{"errors": ["bad row"]}]}))
    assert failed.outcome == "failed"
    assert failed.items == (BatchItem(0, "failed", None, "", ("bad row",)),)
    empty = parse_batch_result(200, _bytes({"processed": 0, "results": []}))
    assert empty.items == () and empty.outcome == "ok"


def test_server_refusing_the_whole_batch_is_quoted() -> None:
    body = _bytes({"error": '"operation" must be "create" or "upsert" for POST (missing).'})
    with pytest.raises(BatchResultError) as caught:
        parse_batch_result(422, body)
    assert str(caught.value) == (
        'The server refused the batch (HTTP 422): "operation" must be "create" or "upsert"'
        " for POST (missing)."
    )
    assert isinstance(caught.value, ProtocolError) and caught.value.index is None
    with pytest.raises(BatchResultError, match=r"HTTP 422\): body -> contacts: Field required"):
        parse_batch_result(422, _bytes({"detail": [{"msg": "body -> contacts: Field required"}]}))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<html>Bad gateway</html>", r"\(HTTP 502\) is not JSON: <html>Bad gateway</html>"),
        (b"", r"is not JSON: an empty body"),
        (b"[1, 2]", r'is not a per-item report: expected a JSON object with a "results" array'),
        (b'{"ok": true}', r"got \{\"ok\": true\}"),
        (b'{"results": {}}', r'"results" that is not an array'),
        (b'{"results": [], "created": "2"}', r'"created" is "2"; expected a count'),
    ],
)
def test_answers_of_the_wrong_shape_say_what_was_expected(body: bytes, expected: str) -> None:
    with pytest.raises(BatchResultError, match=expected):
        parse_batch_result(502, body)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("oops", 'Item 1 of the batch answer\'s results is "oops"'),
        ({"index": "1"}, 'Item 1 .* has "index" "1"'),
        ({"status": 3}, 'Item 1 .* has "status" 3'),
        ({"errors": [5]}, "Item 1 .* has an error 5"),
    ],
)
def test_bad_items_name_their_position(entry: object, expected: str) -> None:
    body = _bytes({"results": [{"status": "created"}, entry]})
    with pytest.raises(BatchResultError, match=expected) as caught:
        parse_batch_result(200, body)
    assert caught.value.index == 1
