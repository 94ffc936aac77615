"""Search in long texts kept in parts: forward and backward, case-insensitive, wrapping
around, and across the seams between parts."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.paged_text import PagedText
from apiclient.core.text_search import Match, find_backward, find_forward


def paged(text: str, size: int = 1000) -> PagedText:
    return PagedText.of(text, size)


def test_forward_finds_the_next_match_ignoring_case_and_wraps() -> None:
    text = paged("Kettle, kettle, KETTLE")
    assert find_forward(text, "kettle", 0) == Match(0, 6)
    assert find_forward(text, "kettle", 1) == Match(8, 14)
    assert find_forward(text, "kettle", 17) == Match(0, 6)
    assert find_forward(text, "teapot", 0) is None
    assert find_forward(text, "", 0) is None


def test_backward_finds_the_previous_match_and_wraps() -> None:
    text = paged("a.b.a.b")
    assert find_backward(text, "a", 4) == Match(0, 1)
    assert find_backward(text, "a", 0) == Match(4, 5)
    assert find_backward(text, "b", 7) == Match(6, 7)
    assert find_backward(text, "(", 3) is None


@given(
    st.text(alphabet="abA\n", max_size=60),
    st.text(alphabet="ab", min_size=1, max_size=3),
    st.integers(min_value=1, max_value=8),
)
def test_searching_parts_finds_what_a_plain_search_finds(text: str, needle: str, size: int) -> None:
    parts = paged(text, size)
    lower = text.lower()
    for start in range(len(text) + 1):
        following = lower.find(needle, start)
        if following < 0:
            following = lower.find(needle)
        found = find_forward(parts, needle, start)
        assert (found.start if found else -1) == following
        preceding = lower.rfind(needle, 0, start + len(needle) - 1)
        if preceding < 0:
            preceding = lower.rfind(needle)
        found = find_backward(parts, needle, start)
        assert (found.start if found else -1) == preceding


def test_a_stopped_search_ends_without_a_match() -> None:
    stop = threading.Event()
    stop.set()
    assert find_forward(paged("abc" * 10, 4), "c", 0, stop=stop) is None
    assert find_backward(paged("abc" * 10, 4), "a", 20, stop=stop) is None
