"""Body formatting: kinds, pretty printing, hex dumps, parts of long texts."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.formatting import (
    body_kind,
    display_part,
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
def test_parts_cover_the_text_in_order_and_end_after_newlines_or_at_their_size(
    text: str, size: int
) -> None:
    starts = page_starts(text, size)
    assert starts[0] == 0
    assert starts == sorted(set(starts))
    for before, start in itertools.pairwise(starts):
        assert text[start - 1] == "\n" or start - before == size
        assert start - before >= size
    ends = [*starts[1:], len(text)]
    assert "".join(text[a:b] for a, b in zip(starts, ends, strict=True)) == text


def test_one_long_line_is_cut_into_parts_of_the_size() -> None:
    assert page_starts("x" * 25, 10) == [0, 10, 20]


@given(
    st.text(alphabet="ab\né😀", max_size=300),
    st.integers(min_value=1, max_value=20),
    st.data(),
)
def test_a_display_part_breaks_long_lines_and_maps_offsets_both_ways(
    text: str, line_chars: int, data: st.DataObject
) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=len(text)))
    part = display_part(text[start:end], start, line_chars)
    assert part.shown.replace("\n", "") == text[start:end].replace("\n", "")
    assert all(len(line) <= line_chars for line in part.shown.split("\n"))
    utf16 = part.shown.encode("utf-16-le")
    for offset in range(start, end):
        position = part.to_view(offset)
        assert part.to_text(position) == offset
        width = 2 if ord(text[offset]) > 0xFFFF else 1
        assert utf16[2 * position : 2 * (position + width)].decode("utf-16-le") == text[offset]
