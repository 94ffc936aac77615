"""Rendering captured bodies: each kind, the problems reported, and speed on 10 MB."""

from __future__ import annotations

import json
import os
import time

import pytest

from apiclient.protocols.webhook_body import (
    FORM_FIELD_LIMIT,
    HEX_DUMP_LIMIT,
    RenderedBody,
    render_body,
)


def test_empty_body() -> None:
    assert render_body("application/json", b"") == RenderedBody("empty", "", "")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; charset=UTF-8", "application/cloudevents+json", ""],
)
def test_json_is_pretty_printed_by_type_or_by_sniffing(content_type: str) -> None:
    rendered = render_body(content_type, b'{"a":1,"b":["x","\xc3\xa9"]}')
    assert rendered.kind == "json"
    assert rendered.problem == ""
    assert rendered.text == '{\n  "a": 1,\n  "b": [\n    "x",\n    "é"\n  ]\n}'


def test_json_with_a_byte_order_mark() -> None:
    rendered = render_body("application/json", b'\xef\xbb\xbf{"a": 1}')
    assert rendered == RenderedBody("json", '{\n  "a": 1\n}', "")


def test_malformed_json_is_kept_raw_with_where_and_why() -> None:
    body = b'{\n  "a": 1,\n  "b": ,\n}'
    rendered = render_body("application/json", body)
    assert rendered.kind == "json"
    assert rendered.text == body.decode()
    assert rendered.problem.startswith("Malformed JSON at line 3, column 8: Expecting value")
    assert rendered.problem.endswith("— shown as received.")


def test_json_too_deep_or_with_huge_numbers_is_kept_raw() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    rendered = render_body("application/json", deep)
    assert rendered.text == deep.decode() and "nested too deeply" in rendered.problem
    huge = b'{"n": ' + b"9" * 5000 + b"}"
    rendered = render_body("application/json", huge)
    assert rendered.text == huge.decode() and "cannot be pretty-printed" in rendered.problem


def test_json_with_bytes_that_are_not_utf8_says_so() -> None:
    rendered = render_body("application/json", b'{"name": "M\xfcller"}')
    assert rendered.kind == "json"
    assert '"M\ufffdller"' in rendered.text
    assert "not valid UTF-8" in rendered.problem and "byte 11" in rendered.problem


def test_untyped_body_that_is_not_json_is_text() -> None:
    assert render_body("", b"{not json") == RenderedBody("text", "{not json", "")
    assert render_body("", b"hello") == RenderedBody("text", "hello", "")


def test_form_fields_one_per_line_decoded() -> None:
    body = b"name=Zo%C3%AB+M&empty=&flag&multi=line1%0Aline2&a%26b=c%3Dd"
    rendered = render_body("application/x-www-form-urlencoded", body)
    assert rendered.kind == "form"
    assert rendered.problem == ""
    assert rendered.text.splitlines() == [
        "name = Zoë M",
        "empty = ",
        "flag = ",
        "multi = line1\\nline2",
        "a&b = c=d",
    ]


def test_form_in_a_declared_charset_and_with_bad_percent_bytes() -> None:
    latin = render_body("application/x-www-form-urlencoded; charset=ISO-8859-1", b"city=K%F6ln")
    assert latin == RenderedBody("form", "city = Köln", "")
    bad = render_body("application/x-www-form-urlencoded", b"city=K%F6ln")
    assert bad.text == "city = K\ufffdln"
    assert bad.problem == "Bytes that are not valid utf-8 are shown as �."
    unknown = render_body("application/x-www-form-urlencoded; charset=nope", b"a=%C3%A9")
    assert unknown.text == "a = é" and "Unknown charset 'nope'" in unknown.problem


def test_form_with_a_huge_number_of_fields_is_cut_and_says_so() -> None:
    body = b"&".join(b"f%d=v%%20%d" % (n, n) for n in range(FORM_FIELD_LIMIT + 5))
    rendered = render_body("application/x-www-form-urlencoded", body)
    lines = rendered.text.splitlines()
    assert (
        len(lines) == FORM_FIELD_LIMIT
        and lines[-1] == f"f{FORM_FIELD_LIMIT - 1} = v {FORM_FIELD_LIMIT - 1}"
    )
    assert f"first 10,000 of {FORM_FIELD_LIMIT + 5:,} fields" in rendered.problem


def test_xml_is_pretty_printed() -> None:
    body = b'<?xml version="1.0"?><order id="7"><item>pen</item><item>ink</item></order>'
    rendered = render_body("application/xml", body)
    assert rendered.kind == "xml" and rendered.problem == ""
    assert rendered.text == '<order id="7">\n  <item>pen</item>\n  <item>ink</item>\n</order>'
    assert render_body("application/atom+xml", body).text == rendered.text
    assert render_body("", body).text == rendered.text  # sniffed by its declaration


def test_malformed_xml_is_raw_with_position() -> None:
    body = b"<order>\n  <item>pen</itm>\n</order>"
    rendered = render_body("text/xml", body)
    assert rendered.kind == "xml"
    assert rendered.text == body.decode()
    assert rendered.problem.startswith("Malformed XML at line 2, column")
    assert rendered.problem.endswith("shown as received.")


def test_xml_with_entities_is_never_expanded() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
    )
    rendered = render_body("application/xml", body)
    assert rendered.kind == "xml"
    assert rendered.text == body.decode()
    assert "DTD with entities" in rendered.problem


def test_text_by_charset_with_bad_bytes_replaced() -> None:
    assert render_body("text/plain", "Grüße".encode()) == RenderedBody("text", "Grüße", "")
    latin = render_body("text/plain; charset=iso-8859-1", "Grüße".encode("latin-1"))
    assert latin == RenderedBody("text", "Grüße", "")
    bad = render_body("text/csv", b"a,b\nM\xfcller,1\n")
    assert bad.kind == "text" and bad.text == "a,b\nM\ufffdller,1\n"
    assert "not valid UTF-8" in bad.problem and "�" in bad.problem
    unknown = render_body("text/plain; charset=klingon", b"qapla'")
    assert unknown.text == "qapla'" and "Unknown charset 'klingon'" in unknown.problem


def test_binary_is_a_hex_dump_and_long_ones_are_cut() -> None:
    small = render_body("application/octet-stream", b"\x00\x01AB")
    assert small.kind == "binary" and small.problem == ""
    assert small.text == "00000000  00 01 41 42" + " " * 36 + "  ..AB"
    assert render_body("", b"\xff\xfe\x00garbage").kind == "binary"
    assert render_body("image/png", b"\x89PNG\r\n").kind == "binary"
    big = os.urandom(HEX_DUMP_LIMIT + 1)
    rendered = render_body("application/vnd.custom", big)
    assert rendered.kind == "binary"
    assert len(rendered.text.splitlines()) == HEX_DUMP_LIMIT // 16
    assert "only the first 64.0 KB are shown" in rendered.problem


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/json",
            json.dumps(
                [{"id": n, "name": f"item {n}", "tags": ["a", "b"]} for n in range(150_000)]
            ).encode(),
        ),
        ("application/octet-stream", os.urandom(10 * 1024 * 1024)),
        ("text/plain", b"line of text\n" * 800_000),
        ("", b"\xff" * 10 * 1024 * 1024),
        (
            "application/xml",
            b"<r>" + b"".join(b'<i n="%d">item %d</i>' % (n, n) for n in range(400_000)) + b"</r>",
        ),
        ("application/x-www-form-urlencoded", b"payload=" + b"%7B%22a%22%3A+1%7D" * 600_000),
        ("application/x-www-form-urlencoded", b"&".join(b"f%d=%%C3%%A9" % n for n in range(10**6))),
    ],
)
def test_ten_megabytes_render_without_blowing_up(content_type: str, body: bytes) -> None:
    """A guard against quadratic rendering (minutes for 10 MB), not a speed goal: the
    bound is loose so a busy machine passes; the benchmarks measure speed."""
    started = time.perf_counter()
    rendered = render_body(content_type, body)
    elapsed = time.perf_counter() - started
    assert rendered.text
    assert elapsed < 30.0, f"{len(body)} bytes of {content_type!r} took {elapsed:.2f} s"
