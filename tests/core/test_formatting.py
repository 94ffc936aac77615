"""Body formatting: kinds, pretty printing, hex dumps, parts of long texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.formatting import (
    body_kind,
    hex_dump,
    human_size,
    json_problem,
    page_starts,
    pretty_json,
    pretty_xml,
    render_body,
)


def test_kinds_by_type_and_by_sniffing() -> None:
    assert body_kind("application/problem+json", b"{}") == "json"
    assert body_kind("text/html; charset=utf-8", b"<p>") == "html"
    assert body_kind("application/soap+xml", b"<a/>") == "xml"
    assert body_kind("application/octet-stream", b"\x00\x01") == "binary"
    assert body_kind("", b'  {"a": 1}') == "json"
    assert body_kind("", b"\xff\xfe\xfd" * 100) == "binary"


def test_pretty_json_and_its_problem() -> None:
    assert pretty_json('{"a":[1,2]}').text == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    broken = pretty_json('{"a":')
    assert broken.text == '{"a":' and "line 1" in broken.problem
    assert json_problem("[1,]").startswith("Invalid JSON at line 1")
    assert json_problem("") == ""


def test_pretty_xml_refuses_entities() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'
    assert "boom" not in pretty_xml(bomb).text
    assert pretty_xml("<a><b/></a>").text == "<a>\n  <b/>\n</a>\n"
    assert "Not well-formed XML" in pretty_xml("<a>").problem


def test_binary_bodies_become_a_hex_dump() -> None:
    rendered = render_body("image/png", None, bytes(range(20)))
    assert rendered.kind == "binary"
    assert rendered.raw.splitlines()[0].startswith("00000000  00 01 02")
    assert hex_dump(b"A" * 100, limit=32).count("\n") == 1


def test_latin1_is_decoded_with_its_charset() -> None:
    assert render_body("text/plain", "iso-8859-1", "café".encode("latin-1")).raw == "café"


def test_human_size() -> None:
    assert [human_size(n) for n in (5, 1536, 20 * 1024**2)] == ["5 B", "1.5 KB", "20.0 MB"]


@given(st.text(alphabet="ab\n", max_size=400), st.integers(min_value=1, max_value=50))
def test_parts_cover_the_text_in_order_and_end_after_newlines(text: str, size: int) -> None:
    starts = page_starts(text, size)
    assert starts[0] == 0
    assert starts == sorted(set(starts))
    for start in starts[1:]:
        assert text[start - 1] == "\n"
    ends = [*starts[1:], len(text)]
    assert "".join(text[a:b] for a, b in zip(starts, ends, strict=True)) == text
