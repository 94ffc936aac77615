"""Line diffs of two response texts and header changes (no Qt)."""

from __future__ import annotations

from apiclient.core.text_diff import diff_texts, header_changes, summary


def test_equal_texts_have_no_differences() -> None:
    diff = diff_texts("a\nb\n", "a\nb\n")
    assert diff.lines == () and diff.summary == "No differences"


def test_added_and_removed_lines_are_counted_and_marked() -> None:
    diff = diff_texts("a\nb\nc", "a\nB\nc\nd")
    assert (diff.added, diff.removed) == (2, 1)
    assert diff.summary == "+2 −1 lines"
    assert "-b" in diff.lines and "+B" in diff.lines and "+d" in diff.lines
    assert diff.lines[0].startswith("@@")
    assert not any(line.startswith(("---", "+++")) for line in diff.lines)


def test_a_long_diff_is_cut_but_counted_whole() -> None:
    old = "\n".join(str(i) for i in range(100))
    new = "\n".join(f"x{i}" for i in range(100))
    diff = diff_texts(old, new, max_lines=10)
    assert len(diff.lines) == 10 and diff.truncated
    assert (diff.added, diff.removed) == (100, 100)


def test_summary_uses_thousands_separators() -> None:
    assert summary(1234, 0) == "+1,234 −0 lines"


def test_header_changes_ignore_case_and_join_repeats() -> None:
    old = [("Content-Type", "a"), ("Set-Cookie", "x"), ("X-Old", "1"), ("ETag", "1")]
    new = [("content-type", "a"), ("Set-Cookie", "x"), ("X-New", "1"), ("etag", "2")]
    assert header_changes(old, new) == ["x-new added", "etag changed", "x-old removed"]
