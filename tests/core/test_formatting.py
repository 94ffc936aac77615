"""Body formatting: kinds, pretty printing, hex dumps, parts of long texts."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.formatting import (
    body_kind,
    decode_body,
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
    assert pretty_xml(bomb).text == bomb  # as received: "&e;" never becomes "boom"
    assert "declares a DTD" in pretty_xml(bomb).problem
    assert pretty_xml("<a><b/></a>").text == "<a>\n  <b/>\n</a>\n"
    assert "Not well-formed XML" in pretty_xml("<a>").problem


def test_many_comments_before_the_root_are_formatted_at_once() -> None:
    body = "<!---->" * 40 + "<r/>"
    started = time.perf_counter()
    assert pretty_xml(body).problem == ""
    assert time.perf_counter() - started < 0.5
    assert "declares a DTD" in pretty_xml("<!-- a -->" * 40 + "<!DOCTYPE r><r/>").problem


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


def qt_positions(shown: str) -> list[str]:
    """What Qt's text document holds for ``shown``, one item a position: setPlainText
    ends a block (shown as "\u2029") at "\r\n" (both as one), "\n", "\r", "\u2029",
    "\ufdd0" and "\ufdd1", and a character outside the BMP takes two positions
    (tests/ui/test_body_view_text.py checks this against Qt itself)."""
    positions: list[str] = []
    for char in re.sub("\r\n|[\n\r\ufdd0\ufdd1]", "\u2029", shown):
        positions += [char, ""] if ord(char) > 0xFFFF else [char]
    return positions


def qt_form(text: str) -> str:
    return "".join(qt_positions(text))


@given(
    st.text(alphabet="ab\n\ré😀\u2028\u2029\ufdd0", max_size=300),
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
    view = qt_positions(part.shown)
    lines = "".join(view).split("\u2029")
    assert all(len(line.encode("utf-16-le")) // 2 <= 2 * line_chars for line in lines)
    inserted = {part.to_view(start + b) - 1 for b in part.breaks}
    for first in range(start, end):
        for last in range(first + 1, min(end, first + 3) + 1):
            a, b = part.to_view(first), part.to_view_end(last)
            assert a not in inserted and b - 1 not in inserted
            # The selection holds just the characters (a "\r\n" stays whole).
            crlf_before = first > start and text[first - 1 : first + 1] == "\r\n"
            crlf_after = last < end and text[last - 1 : last + 1] == "\r\n"
            expected = text[first - crlf_before : last + crlf_after]
            assert "".join(view[p] for p in range(a, b) if p not in inserted) == qt_form(expected)
            assert part.to_text(a) == first - crlf_before
            assert part.to_text_end(b) == last + crlf_after


def test_crlf_and_astral_positions_in_a_part() -> None:
    text = "alpha\r\nbeta\r\ngamma\r\ndelta"
    part = display_part(text, 0, 100)
    for word in ("beta", "delta"):
        first = text.index(word)
        view = qt_positions(part.shown)
        assert "".join(view[part.to_view(first) : part.to_view_end(first + len(word))]) == word
    part = display_part("a😀b😀c", 10, 100)
    assert (part.to_view(11), part.to_view_end(12)) == (1, 3)
    assert (part.to_text(1), part.to_text(2), part.to_text_end(2), part.to_text_end(3)) == (
        11,
        11,
        12,
        12,
    )


def test_a_lone_surrogate_stays_escaped_in_pretty_json() -> None:
    pretty = pretty_json('["\\ud83d", "\\ud83d\\ude00", "\\u00e9"]').text
    assert pretty == '[\n  "\\ud83d",\n  "😀",\n  "é"\n]'
    pretty.encode("utf-8")


@pytest.mark.parametrize("charset", ["idna", "base64", "rot13", "no-such-charset", None])
def test_a_body_in_a_charset_that_cannot_decode_it_is_read_as_utf8(charset):
    assert decode_body("héllo".encode(), charset) == "héllo"
