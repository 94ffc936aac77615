"""Search, selection and copy in the body view map exactly onto the text as received:
line ends Qt's document turns into one position ("\r\n") or into its own separator,
characters outside the BMP (two positions), overlapping matches."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from apiclient.core.formatting import display_part
from apiclient.core.paged_text import PagedText
from apiclient.ui.widgets.body_view import BodyView
from apiclient.ui.widgets.part_view import PartView

CRLF = "alpha\r\nbeta\r\ngamma\r\ndelta"


@pytest.fixture
def make_view(qtbot: QtBot, run: Callable[..., object]) -> Callable[[str], BodyView]:
    def make(text: str) -> BodyView:
        view = BodyView("t")
        qtbot.addWidget(view)
        view.show()
        run(view.show_body("text/plain", "utf-8", text.encode()))
        return view

    return make


def selected(view: BodyView) -> str:
    return view.text.textCursor().selectedText()


def test_search_and_copy_with_crlf_line_ends(make_view: Callable[[str], BodyView]) -> None:
    view = make_view(CRLF)
    for word in ("alpha", "beta", "gamma", "delta"):
        view.find.query.setText(word)
        assert view.find.result.text() == ""
        assert selected(view) == word
        assert view.text.selection_offsets() == (CRLF.index(word), CRLF.index(word) + len(word))
        view.text.copy()
        assert QGuiApplication.clipboard().text() == word
    view.text.select_offsets(2, 9)
    assert selected(view) == "pha\u2029be"
    view.text.copy()
    assert QGuiApplication.clipboard().text() == "pha\r\nbe"


def test_a_match_ending_in_an_emoji_selects_it_and_next_moves_on(
    make_view: Callable[[str], BodyView],
) -> None:
    view = make_view("a😀b😀c")
    view.find.query.setText("😀")
    assert selected(view) == "😀"
    assert view.text.selection_offsets() == (1, 2)
    view.find.find_next()
    assert selected(view) == "😀"
    assert view.text.selection_offsets() == (3, 4)
    view.text.copy()
    assert QGuiApplication.clipboard().text() == "😀"


def test_next_and_previous_both_step_through_overlapping_matches(
    make_view: Callable[[str], BodyView],
) -> None:
    view = make_view("aaaa")
    view.find.query.setText("aa")
    seen = [view.text.selection_offsets()]
    for _ in range(3):
        view.find.find_next()
        seen.append(view.text.selection_offsets())
    assert seen == [(0, 2), (1, 3), (2, 4), (0, 2)]
    for _ in range(3):
        view.find.find_previous()
        seen.append(view.text.selection_offsets())
    assert seen[4:] == [(2, 4), (1, 3), (0, 2)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(alphabet="ab\r\n\u2028\u2029\ufdd0\ufdd1é😀", min_size=1, max_size=40),
    line_chars=st.integers(min_value=1, max_value=8),
)
def test_each_character_selects_and_copies_exactly_in_qt(
    qapp: QApplication, text: str, line_chars: int
) -> None:
    view = PartView("t.part")
    view.show_part(PagedText.of(text, 1000), display_part(text, 0, line_chars), "text")
    for offset, char in enumerate(text):
        view.select_offsets(offset, offset + 1)
        pair = text[offset : offset + 2] == "\r\n" or text[offset - 1 : offset + 1] == "\r\n"
        first = offset - 1 if offset and text[offset - 1 : offset + 1] == "\r\n" else offset
        expected = "\u2029" if char in "\r\n\u2029\ufdd0\ufdd1" else char
        assert view.textCursor().selectedText() == expected
        assert view.selection_offsets() == ((first, first + 2) if pair else (offset, offset + 1))
        view.copy()
        assert QGuiApplication.clipboard().text() == text[slice(*view.selection_offsets())]
    view.deleteLater()
