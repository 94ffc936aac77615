"""Long texts in parts: made whole or from a stream of chunks, sliced, located."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.paged_text import PagedText


@given(
    st.lists(st.text(alphabet="ab\né", max_size=30), max_size=8),
    st.integers(min_value=1, max_value=10),
)
def test_parts_from_chunks_are_the_text_and_slice_like_it(chunks: list[str], size: int) -> None:
    text = "".join(chunks)
    paged = PagedText.from_chunks(chunks, size)
    assert "".join(paged.parts) == text
    assert len(paged) == len(text)
    assert list(paged.starts) == [
        sum(len(p) for p in paged.parts[:i]) for i in range(len(paged.parts))
    ]
    assert all(len(part) <= size + max(1, size // 4) for part in paged.parts)
    for start in range(len(text) + 1):
        assert paged.slice(start, start + 7) == text[start : start + 7]
        index = paged.part_at(start)
        assert paged.starts[index] <= start


def test_whole_text_is_cut_like_the_pager() -> None:
    paged = PagedText.of("x" * 25, 10)
    assert paged.parts == ("x" * 10, "x" * 10, "x" * 5)
    assert paged.part_at(25) == 2
