"""Checks and captures on a response: every source and operator, their messages, bad
expressions and bodies, namespaced XML, big documents, and one real response."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from apiclient.core.models import Capture, Check
from apiclient.protocols.checks import (
    ACTUAL_MAX_CHARS,
    CaptureResult,
    CheckResult,
    ResponseFacts,
    evaluate_checks,
    run_captures,
)

_DOC = {
    "data": {
        "id": 41,
        "name": "Widget",
        "price": 9.5,
        "active": True,
        "note": None,
        "tags": ["a", "b"],
        "items": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}],
        "big": 12345678901234567890,
    }
}

_SOAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:m="urn:example:orders">
  <soap:Header/>
  <soap:Body>
    <m:GetOrderResponse>
      <m:Order id="A-7" xmlns:x="urn:example:extra">
        <m:Total currency="EUR">12.50</m:Total>
        <m:Line>first</m:Line>
        <m:Line>second</m:Line>
        <x:Flag>yes</x:Flag>
      </m:Order>
    </m:GetOrderResponse>
  </soap:Body>
</soap:Envelope>
"""


def _facts(
    body: bytes | str | object = _DOC,
    *,
    status: int = 200,
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),),
    content_type: str = "application/json",
    elapsed_ms: float = 120.0,
) -> ResponseFacts:
    if isinstance(body, str):
        data = body.encode()
    elif isinstance(body, bytes):
        data = body
    else:
        data = json.dumps(body).encode()
    return ResponseFacts(status, headers, data, content_type, elapsed_ms)


def _xml_facts(body: bytes = _SOAP) -> ResponseFacts:
    return _facts(body, content_type="text/xml; charset=utf-8", headers=())


def _one(check: Check, facts: ResponseFacts | None = None) -> CheckResult:
    (result,) = evaluate_checks([check], facts or _facts())
    return result


def _capture(capture: Capture, facts: ResponseFacts | None = None) -> CaptureResult:
    (result,) = run_captures([capture], facts or _facts())
    return result


def _jp(expression: str, op: str = "equals", expected: str = "") -> Check:
    return Check(source="jsonpath", expression=expression, op=op, expected=expected)  # type: ignore[arg-type]


def _xp(expression: str, op: str = "equals", expected: str = "") -> Check:
    return Check(source="xpath", expression=expression, op=op, expected=expected)  # type: ignore[arg-type]


# ---- status ------------------------------------------------------------------------------


def test_status_equals_passes_and_fails_with_a_sentence() -> None:
    result = _one(Check(expected="200"))
    assert result.passed and result.actual == "200"
    assert result.message == "The status equals 200."
    result = _one(Check(expected="201"))
    assert not result.passed
    assert result.message == "Expected the status to equal 201, got 200."


@pytest.mark.parametrize(
    ("op", "expected", "passed"),
    [
        ("not_equals", "404", True),
        ("not_equals", "200", False),
        ("matches", r"^2\d\d$", True),
        ("matches", r"^4", False),
        ("less_than", "300", True),
        ("less_than", "200", False),
        ("greater_than", "199", True),
        ("greater_than", "200", False),
        ("contains", "20", True),
        ("not_contains", "20", False),
        ("exists", "", True),
        ("not_exists", "", False),
    ],
)
def test_status_ops(op: str, expected: str, passed: bool) -> None:
    assert _one(Check(op=op, expected=expected)).passed is passed  # type: ignore[arg-type]


def test_status_compared_with_a_word_is_not_a_number() -> None:
    result = _one(Check(op="less_than", expected="lots"))
    assert not result.passed
    assert result.message == 'The expected value "lots" is not a number.'


# ---- headers -----------------------------------------------------------------------------


_HEADERS = (
    ("Content-Type", "application/json; charset=utf-8"),
    ("X-Request-Id", "abc-123"),
    ("Set-Cookie", "a=1"),
    ("set-cookie", "b=2"),
)


def test_header_names_are_case_insensitive() -> None:
    facts = _facts(headers=_HEADERS)
    check = Check(source="header", expression="x-request-ID", expected="abc-123")
    result = _one(check, facts)
    assert result.passed and result.message == 'Header x-request-ID equals "abc-123".'


@pytest.mark.parametrize(
    ("op", "expected", "passed", "message"),
    [
        ("contains", "json", True, 'Header Content-Type contains "json".'),
        ("contains", "xml", False, 'Expected header Content-Type to contain "xml", got '),
        ("not_contains", "xml", True, 'Header Content-Type does not contain "xml".'),
        ("matches", r"charset=utf-\d", True, "Header Content-Type matches "),
        ("equals", "text/html", False, 'Expected header Content-Type to equal "text/html"'),
        ("exists", "", True, "Header Content-Type exists."),
        ("not_exists", "", False, "Expected header Content-Type not to exist, got "),
    ],
)
def test_header_ops(op: str, expected: str, passed: bool, message: str) -> None:
    check = Check(source="header", expression="Content-Type", op=op, expected=expected)  # type: ignore[arg-type]
    result = _one(check, _facts(headers=_HEADERS))
    assert result.passed is passed
    assert result.message.startswith(message)


def test_repeated_headers_are_joined() -> None:
    check = Check(source="header", expression="Set-Cookie", expected="a=1, b=2")
    assert _one(check, _facts(headers=_HEADERS)).passed


def test_a_missing_header() -> None:
    facts = _facts(headers=_HEADERS)
    check = Check(source="header", expression="Location", op="contains", expected="/x")
    result = _one(check, facts)
    assert not result.passed and result.actual == ""
    assert result.message == "The response has no Location header."
    assert _one(Check(source="header", expression="Location", op="not_exists"), facts).passed
    result = _one(Check(source="header", expression="Location", op="exists"), facts)
    assert not result.passed and result.message == "The response has no Location header."
    result = _one(Check(source="header", op="exists"), facts)
    assert not result.passed and result.message == "No header name is given."


# ---- JSONPath ----------------------------------------------------------------------------


def test_jsonpath_equals_a_number() -> None:
    assert _one(_jp("$.data.id", expected="41")).passed
    assert _one(_jp("$.data.id", expected="41.0")).passed
    result = _one(_jp("$.data.id", expected="42"))
    assert not result.passed and result.actual == "41"
    assert result.message == "Expected $.data.id to equal 42, got 41."


def test_jsonpath_big_integers_compare_exactly() -> None:
    assert _one(_jp("$.data.big", expected="12345678901234567890")).passed
    assert not _one(_jp("$.data.big", expected="12345678901234567891")).passed


@pytest.mark.parametrize(
    ("expression", "expected", "passed"),
    [
        ("$.data.active", "true", True),
        ("$.data.active", "1", False),  # true is not 1
        ("$.data.active", "True", False),
        ("$.data.note", "null", True),
        ("$.data.note", "", False),
        ("$.data.name", "Widget", True),
        ("$.data.name", '"Widget"', False),  # a string compares as itself
        ("$.data.price", "9.50", True),
        ("$.data.tags", '["a", "b"]', True),
        ("$.data.tags", '["a","b"]', True),
        ("$.data.tags", '["b", "a"]', False),
        ("$.data.items[0]", '{"name": "one", "id": 1}', True),
        ("$.data.items[0]", '{"id": true, "name": "one"}', False),
        ("$.data.items[*].id", "[1, 2]", True),  # several matches: a JSON list
        ("$.data.items[*].name", '["one", "two"]', True),
        ("$.data.items[?@.id > 1].name", "two", True),
    ],
)
def test_jsonpath_equals(expression: str, expected: str, passed: bool) -> None:
    assert _one(_jp(expression, expected=expected)).passed is passed


def test_jsonpath_several_matches_show_as_a_json_list() -> None:
    result = _one(_jp("$.data.items[*].id", expected="[1]"))
    assert not result.passed and result.actual == "[1, 2]"
    assert result.message == "Expected $.data.items[*].id to equal [1], got [1, 2]."


@pytest.mark.parametrize(
    ("check", "passed", "message"),
    [
        (_jp("$.data.id", "not_equals", "40"), True, "$.data.id does not equal 40."),
        (
            _jp("$.data.id", "not_equals", "41"),
            False,
            "Expected $.data.id not to equal 41, got 41.",
        ),
        (_jp("$.data.name", "contains", "idg"), True, '$.data.name contains "idg".'),
        (
            _jp("$.data.name", "contains", "xyz"),
            False,
            'Expected $.data.name to contain "xyz", got "Widget".',
        ),
        (_jp("$.data.tags", "contains", "b"), True, '$.data.tags contains "b".'),
        (_jp("$.data.items[*].id", "contains", "2"), True, "$.data.items[*].id contains 2."),
        (_jp("$.data.items[*].id", "contains", "3"), False, "Expected $.data.items[*].id to "),
        (_jp("$.data.items[*].name", "not_contains", "on"), True, "$.data.items[*].name does "),
        (_jp("$.data.name", "not_contains", "W"), False, 'Expected $.data.name not to contain "W"'),
        (_jp("$.data.name", "matches", "^Wid"), True, '$.data.name matches "^Wid".'),
        (_jp("$.data.name", "matches", "^wid"), False, 'Expected $.data.name to match "^wid"'),
        (_jp("$.data.price", "less_than", "10"), True, "$.data.price is less than 10."),
        (_jp("$.data.price", "greater_than", "10"), False, "Expected $.data.price to be greater"),
        (_jp("$.data.id", "exists"), True, "$.data.id exists."),
        (_jp("$.data.note", "exists"), True, "$.data.note exists."),  # null is a value
        (_jp("$.data.nope", "not_exists"), True, "$.data.nope does not exist."),
        (_jp("$.data.id", "not_exists"), False, "Expected $.data.id not to exist, got 41."),
    ],
)
def test_jsonpath_ops(check: Check, passed: bool, message: str) -> None:
    result = _one(check)
    assert result.passed is passed
    assert result.message.startswith(message)


def test_jsonpath_list_membership_is_not_a_substring() -> None:
    # "tw" is part of the text of the list, but not one of its items
    assert not _one(_jp("$.data.items[*].name", "contains", "tw")).passed


def test_less_than_on_text_is_not_a_number() -> None:
    result = _one(_jp("$.data.name", "greater_than", "3"))
    assert not result.passed and result.actual == "Widget"
    assert result.message == '$.data.name is not a number: got "Widget".'


def test_no_value_says_what_is_there() -> None:
    result = _one(_jp("$.data.missing", expected="1"))
    assert not result.passed and result.actual == ""
    assert result.message == (
        "No value at $.data.missing (the object there has keys: id, name, price, active, "
        "note, tags, items, big)."
    )
    result = _one(_jp("$.data.x.y.z", "exists"))
    assert not result.passed
    assert result.message.startswith("No value at $.data.x.y.z (the object at $.data has keys")
    result = _one(_jp("$.data.items[5].id"))
    assert (
        result.message == "No value at $.data.items[5].id (the array at $.data.items has 2 items)."
    )
    result = _one(_jp("$.data.name.first"))
    assert result.message == "No value at $.data.name.first (the value there is a string)."


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("$.data[", "The JSONPath $.data[ is not valid: unexpected end of query."),
        ("data.id", "The JSONPath data.id is not valid: "),
        (
            "$.a[?nope(@)]",
            "The JSONPath $.a[?nope(@)] is not valid: function 'nope' is not defined",
        ),
        ("", "No JSONPath is given (for example $.data.id)."),
    ],
)
@pytest.mark.parametrize("op", ["equals", "exists", "not_exists"])
def test_a_bad_jsonpath_fails_the_check(expression: str, message: str, op: str) -> None:
    result = _one(_jp(expression, op, "1"))
    assert not result.passed
    assert result.message.startswith(message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>oops</html>", "The body is not JSON (line 1, column 1: Expecting value)."),
        ('{"a": 1,}', "The body is not JSON (line 1, column 9: "),
        ("", "The body is empty, not JSON."),
        ("[" * 100_000, "The body is"),
    ],
)
@pytest.mark.parametrize("op", ["equals", "not_exists"])
def test_a_body_that_is_not_json_fails_the_check(body: str, message: str, op: str) -> None:
    result = _one(_jp("$.a", op, "1"), _facts(body))
    assert not result.passed
    assert result.message.startswith(message)


def test_big_arrays() -> None:
    doc = {"items": [{"id": i, "name": f"item {i}"} for i in range(100_000)]}
    facts = _facts(doc)
    started = time.perf_counter()
    results = evaluate_checks(
        [
            _jp("$.items[99999].id", expected="99999"),
            _jp("$.items[-1].name", expected="item 99999"),
            _jp("$.items[?@.id == 5000].name", expected="item 5000"),
            _jp("$.items[*].id", "contains", "77777"),
            _jp("$.items[100000]", "not_exists"),
        ],
        facts,
    )
    assert [r.passed for r in results] == [True] * 5
    assert time.perf_counter() - started < 20
    result = _one(_jp("$.items[*].id", expected="[]"), facts)
    assert not result.passed
    assert len(result.actual) == ACTUAL_MAX_CHARS + 1 and result.actual.endswith("…")
    assert len(result.message) < 400 and "characters)" in result.message
    missing = _one(_jp("$.items[100000]"), facts)
    assert missing.message == "No value at $.items[100000] (the array there has 100000 items)."


# ---- XPath -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "passed", "message"),
    [
        (_xp("//m:Total", expected="12.5"), True, "//m:Total equals 12.5."),
        (_xp("//m:Total", expected="13"), False, "Expected //m:Total to equal 13, got 12.50."),
        (_xp("//m:Total/@currency", expected="EUR"), True, '//m:Total/@currency equals "EUR".'),
        (_xp("//m:Order/@id", "matches", r"^A-\d+$"), True, "//m:Order/@id matches"),
        (_xp("//m:Line", expected='["first", "second"]'), True, "//m:Line equals"),
        (_xp("//m:Line", "contains", "second"), True, '//m:Line contains "second".'),
        (_xp("//m:Line", "contains", "sec"), False, "Expected //m:Line to contain"),
        (_xp("count(//m:Line)", expected="2"), True, "count(//m:Line) equals 2."),
        (_xp("count(//m:Line)", "greater_than", "2"), False, "Expected count(//m:Line) to be "),
        (_xp("//x:Flag", expected="yes"), True, '//x:Flag equals "yes".'),  # a nested prefix
        (_xp("//soap:Header", "exists"), True, "//soap:Header exists."),
        (_xp("//soap:Fault", "not_exists"), True, "//soap:Fault does not exist."),
        (_xp("//soap:Fault", "exists"), False, "No node at //soap:Fault."),
        (_xp("//m:Total", "less_than", "20"), True, "//m:Total is less than 20."),
        (_xp("string(//m:Order/@id)", "equals", "A-7"), True, "string(//m:Order/@id) equals"),
        (_xp("boolean(//m:Line)", "equals", "true"), True, "boolean(//m:Line) equals true."),
    ],
)
def test_xpath_on_a_soap_response(check: Check, passed: bool, message: str) -> None:
    result = _one(check, _xml_facts())
    assert result.passed is passed, result.message
    assert result.message.startswith(message)


def test_xpath_bad_expressions_and_prefixes() -> None:
    facts = _xml_facts()
    result = _one(_xp("//q:Total", expected="1"), facts)
    assert not result.passed
    assert result.message == (
        "The XPath //q:Total is not valid: Undefined namespace prefix (prefixes declared "
        "in the document: m, soap, x)."
    )
    result = _one(_xp("//[", "not_exists"), facts)
    assert not result.passed and result.message.startswith("The XPath //[ is not valid: Invalid")
    assert _one(_xp("", "exists"), facts).message == "No XPath is given (for example //item/id)."


def test_xpath_default_namespace_hint() -> None:
    facts = _xml_facts(b'<feed xmlns="urn:atom"><title>T</title></feed>')
    result = _one(_xp("//title", expected="T"), facts)
    assert not result.passed
    assert "default namespace" in result.message and "local-name()" in result.message
    assert _one(_xp("//*[local-name()='title']", expected="T"), facts).passed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"a": 1}', "The body is not XML (line 1, column 1: "),
        (b"<a><b></a>", "The body is not XML (line 1, column "),
        (b"", "The body is empty, not XML."),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
            "The body declares a DTD; it is not read, for safety.",
        ),
    ],
)
def test_a_body_that_is_not_xml_fails_the_check(body: bytes, message: str) -> None:
    for op in ("equals", "exists", "not_exists"):
        result = _one(_xp("//a", op), _xml_facts(body))
        assert not result.passed
        assert result.message.startswith(message)


def test_big_xml() -> None:
    rows = "".join(f"<r:row n='{i}'>v{i}</r:row>" for i in range(50_000))
    facts = _xml_facts(f"<r:rows xmlns:r='urn:rows'>{rows}</r:rows>".encode())
    results = evaluate_checks(
        [
            _xp("count(//r:row)", expected="50000"),
            _xp("//r:row[@n='49999']", expected="v49999"),
            _xp("//r:row[@n='50000']", "not_exists"),
        ],
        facts,
    )
    assert [r.passed for r in results] == [True, True, True]


# ---- body and time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "passed", "message"),
    [
        (
            Check(source="body", op="contains", expected="Widget"),
            True,
            'The body contains "Widget"',
        ),
        (Check(source="body", op="contains", expected="Gadget"), False, "Expected the body to"),
        (Check(source="body", op="not_contains", expected="error"), True, "The body does not"),
        (Check(source="body", op="matches", expected=r'"id": \d+'), True, "The body matches"),
        (
            Check(source="body", op="equals", expected="ok"),
            False,
            'Expected the body to equal "ok"',
        ),
        (Check(source="body", op="exists"), True, "The body exists."),
    ],
)
def test_body_ops(check: Check, passed: bool, message: str) -> None:
    result = _one(check)
    assert result.passed is passed
    assert result.message.startswith(message)


def test_body_is_decoded_by_its_charset() -> None:
    facts = _facts("café".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1")
    assert _one(Check(source="body", expected="café"), facts).passed
    facts = _facts("café".encode("latin-1"), content_type="text/plain")  # UTF-8, bad byte
    result = _one(Check(source="body", expected="café"), facts)
    assert not result.passed and result.actual == "caf\ufffd"
    facts = _facts("\ufeffhi".encode(), content_type="text/plain; charset=nonsense")
    assert _one(Check(source="body", expected="hi"), facts).passed


def test_a_bad_regular_expression_fails_the_check() -> None:
    result = _one(Check(source="body", op="matches", expected="(unclosed"))
    assert not result.passed
    assert result.message.startswith('The regular expression "(unclosed" is not valid: missing )')


@pytest.mark.parametrize(
    ("op", "expected", "passed", "message"),
    [
        ("less_than", "500", True, "The response time is less than 500 ms."),
        (
            "less_than",
            "100",
            False,
            "Expected the response time to be less than 100 ms, got 120.5 ms.",
        ),
        ("greater_than", "100", True, "The response time is greater than 100 ms."),
        ("less_than", "fast", False, 'The expected value "fast" is not a number.'),
    ],
)
def test_time_ms(op: str, expected: str, passed: bool, message: str) -> None:
    result = _one(Check(source="time_ms", op=op, expected=expected), _facts(elapsed_ms=120.5))  # type: ignore[arg-type]
    assert result.passed is passed
    assert result.message == message
    assert result.actual == "120.5"


# ---- several checks ----------------------------------------------------------------------


def test_disabled_checks_are_skipped_and_order_is_kept() -> None:
    checks = [
        Check(expected="200"),
        Check(expected="500", enabled=False),
        _jp("$.data.id", expected="41"),
        Check(source="jsonpath", expression="$[", enabled=False),
        _jp("$.data.name", expected="Widget"),
    ]
    results = evaluate_checks(checks, _facts())
    assert [r.check for r in results] == [checks[0], checks[2], checks[4]]
    assert all(r.passed for r in results)
    assert evaluate_checks([], _facts()) == []


def test_one_bad_check_does_not_stop_the_others() -> None:
    checks = [_jp("$["), _xp("//a"), Check(source="body", op="matches", expected="["), Check()]
    results = evaluate_checks(checks, _facts())
    assert [r.passed for r in results] == [False, False, False, False]
    assert results[3].message == 'Expected the status to equal "", got 200.'


# ---- captures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capture", "value", "message"),
    [
        (Capture(variable="id", expression="$.data.id"), "41", "Set id to 41."),
        (Capture(variable="n", expression="$.data.name"), "Widget", 'Set n to "Widget".'),
        (Capture(variable="t", expression="$.data.tags"), '["a", "b"]', 'Set t to ["a", "b"].'),
        (Capture(variable="ids", expression="$.data.items[*].id"), "[1, 2]", "Set ids to [1, 2]."),
        (Capture(variable="ok", expression="$.data.active"), "true", "Set ok to true."),
        (Capture(variable="s", source="status"), "200", "Set s to 200."),
        (
            Capture(variable="rid", source="header", expression="x-request-id"),
            "abc-123",
            'Set rid to "abc-123".',
        ),
        (
            Capture(variable="tok", source="regex", expression=r'"name": "(\w+)"'),
            "Widget",
            'Set tok to "Widget".',
        ),
        (
            Capture(variable="w", source="regex", expression=r"Wid\w+"),
            "Widget",
            'Set w to "Widget".',
        ),
    ],
)
def test_captures(capture: Capture, value: str, message: str) -> None:
    result = _capture(capture, _facts(headers=_HEADERS))
    assert result.value == value
    assert result.message == message


def test_capture_the_whole_body() -> None:
    result = _capture(Capture(variable="b", source="body"), _facts("plain text"))
    assert result.value == "plain text"


def test_capture_from_xml() -> None:
    facts = _xml_facts()
    assert (
        _capture(Capture(variable="id", source="xpath", expression="//m:Order/@id"), facts).value
        == "A-7"
    )
    result = _capture(Capture(variable="total", source="xpath", expression="//m:Total"), facts)
    assert result.value == "12.50" and result.message == "Set total to 12.50."


@pytest.mark.parametrize(
    ("capture", "message"),
    [
        (
            Capture(variable="x", expression="$.data.missing"),
            "x was not set: No value at $.data.missing (the object there has keys: ",
        ),
        (Capture(variable="x", expression="$["), "x was not set: The JSONPath $[ is not valid"),
        (
            Capture(variable="x", source="header", expression="Location"),
            "x was not set: The response has no Location header.",
        ),
        (
            Capture(variable="x", source="xpath", expression="//a"),
            "x was not set: The body is not XML",
        ),
        (
            Capture(variable="x", source="regex", expression=r"token=(\w+)"),
            'x was not set: The regular expression "token=(\\w+)" does not match the body.',
        ),
        (
            Capture(variable="x", source="regex", expression=r"Widget|(never)"),
            "x was not set: The regular expression",
        ),
        (Capture(variable="x", source="regex", expression="("), "x was not set: The regular"),
        (Capture(variable="x", source="regex"), "x was not set: No regular expression is given."),
    ],
)
def test_a_capture_that_finds_nothing(capture: Capture, message: str) -> None:
    result = _capture(capture, _facts(headers=_HEADERS))
    assert result.value is None
    assert result.message.startswith(message)


def test_disabled_captures_are_skipped() -> None:
    captures = [
        Capture(variable="a", source="status", enabled=False),
        Capture(variable="b", source="status"),
    ]
    assert [r.capture.variable for r in run_captures(captures, _facts())] == ["b"]


# ---- a real response ---------------------------------------------------------------------


def test_checks_and_captures_on_a_real_response(rest_url: str) -> None:
    started = time.perf_counter()
    response = httpx.get(f"{rest_url}/api/items/1", timeout=10)
    facts = ResponseFacts(
        status=response.status_code,
        headers=tuple(response.headers.multi_items()),
        body=response.content,
        content_type=response.headers.get("content-type", ""),
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )
    results = evaluate_checks(
        [
            Check(expected="200"),
            Check(source="header", expression="content-type", op="contains", expected="json"),
            _jp("$.id", expected="1"),
            _jp("$.name", "exists"),
            _jp("$.tags", "exists"),
            Check(source="time_ms", op="less_than", expected="10000"),
        ],
        facts,
    )
    assert [r.message for r in results if not r.passed] == []
    (captured,) = run_captures([Capture(variable="item_id", expression="$.id")], facts)
    assert captured.value == "1" and captured.message == "Set item_id to 1."
