"""URL text <-> base + params rows, exact round trips."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.models import KeyValue
from apiclient.core.urls import join_url, merge_params, split_url


def _rows(params: list[KeyValue]) -> list[tuple[str, str]]:
    return [(p.name, p.value) for p in params]


def test_split_keeps_text_exactly_as_typed() -> None:
    base, params = split_url("{{base_url}}/search?q=a b%20c&page={{page}}&x==y")
    assert base == "{{base_url}}/search"
    assert _rows(params) == [("q", "a b%20c"), ("page", "{{page}}"), ("x", "=y")]


def test_row_without_equals_round_trips_bare() -> None:
    base, params = split_url("http://h/p?flag&empty=")
    assert _rows(params) == [("flag", ""), ("empty", "")]
    assert params[0].bare and not params[1].bare
    assert join_url(base, params) == "http://h/p?flag&empty="


def test_trailing_question_mark_is_one_empty_row() -> None:
    assert split_url("http://h/p?")[1] == [KeyValue(bare=True)]
    assert join_url(*split_url("http://h/p?")) == "http://h/p?"
    assert split_url("http://h/p") == ("http://h/p", [])


def test_fragment_stays_with_the_base_and_query_goes_before_it() -> None:
    base, params = split_url("http://h/p?a=1#top")
    assert base == "http://h/p#top"
    assert _rows(params) == [("a", "1")]
    assert join_url(base, params) == "http://h/p?a=1#top"
    assert join_url("http://h/p#top", [KeyValue(name="b", value="2")]) == "http://h/p?b=2#top"


def test_question_mark_after_fragment_is_not_a_query() -> None:
    assert split_url("http://h/p#frag?x=1") == ("http://h/p#frag?x=1", [])


def test_delimiters_inside_variables_are_text() -> None:
    base, params = split_url("http://h/{{a?b}}?k={{x&y}}&z=1")
    assert base == "http://h/{{a?b}}"
    assert _rows(params) == [("k", "{{x&y}}"), ("z", "1")]


def test_join_leaves_out_disabled_rows_and_the_question_mark_when_none_enabled() -> None:
    rows = [KeyValue(name="a", value="1", enabled=False)]
    assert join_url("http://h", rows) == "http://h"
    rows.append(KeyValue(name="b", value="2"))
    assert join_url("http://h", rows) == "http://h?b=2"


def test_merge_keeps_disabled_rows_in_place() -> None:
    old = [
        KeyValue(name="a", value="1", description="first"),
        KeyValue(name="off1", value="x", enabled=False),
        KeyValue(name="b", value="2"),
        KeyValue(name="off2", value="y", enabled=False),
    ]
    typed = split_url("http://h?a=9&c=3&b=2")[1]
    merged = merge_params(old, typed)
    assert [(p.name, p.enabled) for p in merged] == [
        ("a", True),
        ("off1", False),
        ("c", True),
        ("off2", False),
        ("b", True),
    ]
    assert merged[0].value == "9" and merged[0].description == "first"


def test_merge_with_fewer_typed_rows_puts_disabled_rows_at_the_end() -> None:
    old = [
        KeyValue(name="a"),
        KeyValue(name="b"),
        KeyValue(name="off", enabled=False),
    ]
    merged = merge_params(old, [KeyValue(name="z")])
    assert [p.name for p in merged] == ["z", "off"]


_URL_CHARS = st.sampled_from([*"ab?&=#{} %/:.", "{{v}}", "{{ a&b }}", "{{", "}}"])
_URLS = st.lists(_URL_CHARS, max_size=30).map("".join)


@given(st.one_of(_URLS, st.text(max_size=40)))
def test_split_then_join_gives_back_the_text(url: str) -> None:
    assert join_url(*split_url(url)) == url


@given(_URLS)
def test_merge_with_no_disabled_rows_is_just_the_typed_rows(url: str) -> None:
    typed = split_url(url)[1]
    assert merge_params([], typed) == typed
