"""JSONPath and XPath filtering of response bodies (no Qt)."""

from __future__ import annotations

import json
import re

import pytest

from apiclient.core.response_filter import FilterError, ParsedBody, json_path_of

BODY = json.dumps(
    {"data": [{"name": "ada", "id": 1}, {"name": "bob", "id": 2}], "odd key": True}
).encode()

SOAP = b"""<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><r xmlns="urn:x"><item id="1"><name>A</name></item>
  <item id="2"><name>B</name></item></r></soap:Body>
</soap:Envelope>"""


def test_jsonpath_lists_the_matches_and_where_they_are() -> None:
    result = ParsedBody("json", BODY).filter("$.data[*].name")
    assert json.loads(result.text) == ["ada", "bob"]
    assert result.count == 2
    assert result.paths == (("data", 0, "name"), ("data", 1, "name"))


def test_jsonpath_without_dollar_is_taken_from_the_root() -> None:
    assert ParsedBody("json", BODY).filter(".data[1].id").values == (2,)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("$.data[*]]", "JSONPath: unexpected ']' at column 10"),
        ("$.data[", "JSONPath: unexpected end of query"),
        ("data", "JSONPath: a path starts with $"),
    ],
)
def test_a_bad_jsonpath_says_what_and_where(expression: str, message: str) -> None:
    with pytest.raises(FilterError, match=re.escape(message)):
        ParsedBody("json", BODY).filter(expression)


def test_no_match_says_what_is_there_instead() -> None:
    result = ParsedBody("json", BODY).filter("$.items")
    assert result.count == 0 and result.text == "[]"
    assert "keys data, odd key" in result.note


def test_a_body_that_is_not_json_is_told_once_parsed() -> None:
    body = ParsedBody("json", b"{oops")
    for _ in range(2):
        with pytest.raises(FilterError, match=re.escape("not valid JSON (line 1, column 2")):
            body.filter("$")


def test_json_path_of_uses_shorthand_only_where_it_may() -> None:
    assert json_path_of(["items", 2, "name"]) == "$.items[2].name"
    assert json_path_of(["odd key", "it's"]) == "$['odd key']['it\\'s']"


def test_xpath_serializes_elements_with_their_namespaces() -> None:
    result = ParsedBody("xml", SOAP).filter("//soap:Body/*")
    assert result.language == "xml" and result.count == 1
    assert result.text.startswith('<r xmlns="urn:x">\n  <item id="1">')


def test_xpath_texts_attributes_and_numbers() -> None:
    body = ParsedBody("xml", SOAP)
    assert body.filter("//*[local-name()='name']/text()").text == "A\nB"
    assert body.filter("//*[local-name()='item']/@id").text == 'id="1"\nid="2"'
    assert body.filter("count(//*[local-name()='item'])").text == "2"


def test_xpath_no_match_in_a_default_namespace_suggests_local_name() -> None:
    result = ParsedBody("xml", SOAP).filter("//r/item")
    assert result.count == 0
    assert "local-name()='item'" in result.note


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("//item]]", "XPath: invalid expression at column 7"),
        ("//q:item", "unknown namespace prefix q: (prefixes declared in the body: soap)"),
        ("nope(1)", "XPath: unknown function"),
    ],
)
def test_a_bad_xpath_says_what_and_where(expression: str, message: str) -> None:
    with pytest.raises(FilterError, match=re.escape(message)):
        ParsedBody("xml", SOAP).filter(expression)


def test_xml_with_a_dtd_is_not_parsed() -> None:
    body = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(FilterError, match="declares a DTD"):
        ParsedBody("xml", body).filter("//x")


def test_xml_that_is_not_well_formed_says_where() -> None:
    with pytest.raises(FilterError, match=re.escape("not well-formed XML (line 1")):
        ParsedBody("xml", b"<a><b></a>").filter("//a")
