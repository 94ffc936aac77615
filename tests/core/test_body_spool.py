"""Spooled bodies: the session folder and its sweep, paging a file, pretty-printing JSON
as it streams."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apiclient.core import body_spool, json_stream
from apiclient.core.body_spool import (
    SPOOL_PREFIX,
    SpoolWriter,
    copy_body_file,
    suffix_for,
    sweep_stale_spools,
)
from apiclient.core.errors import StoreError
from apiclient.core.file_text import FileText, open_body_text
from apiclient.core.json_stream import pretty_json_file
from apiclient.core.text_search import find_backward, find_forward


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_sweep_removes_folders_of_ended_sessions_only(tmp_path: Path) -> None:
    ended = tmp_path / f"{SPOOL_PREFIX}{dead_pid()}-abcdefgh"
    alive = tmp_path / f"{SPOOL_PREFIX}{os.getpid()}-abcdefgh"
    other = tmp_path / f"{SPOOL_PREFIX}notapid"
    for folder in (ended, alive, other):
        folder.mkdir()
        (folder / "body-1.txt").write_text("x")
    assert sweep_stale_spools(str(tmp_path)) == 1
    assert not ended.exists() and alive.exists() and other.exists()


def test_a_writer_keeps_what_it_wrote_and_discard_deletes_it(tmp_path: Path) -> None:
    writer = SpoolWriter(tmp_path, ".json")
    writer.write(b"{}")
    writer.flush()
    body_file = writer.finish(expected=2)
    assert body_file.path.endswith(".json") and body_file.head(10) == b"{}"
    assert body_file.size == 2 and body_file.complete
    other = SpoolWriter(tmp_path)
    other.write(b"abc")
    other.discard()
    other._thread.join(5)
    assert not os.path.exists(other.path)


def test_a_failed_write_is_raised_and_what_came_before_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: bytes | memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    writer = SpoolWriter(tmp_path)
    writer.write(b"kept")
    writer.wait(0)
    monkeypatch.setattr(body_spool, "_write_chunk", full)
    writer.write(b"lost")
    with pytest.raises(OSError, match="No space"):
        writer.flush()
    assert Path(writer.path).read_bytes() == b"kept" and writer.size == 4


def test_suffixes_follow_the_content_type() -> None:
    assert suffix_for("application/json; charset=utf-8") == ".json"
    assert suffix_for("application/problem+xml") == ".xml"
    assert suffix_for("text/html") == ".html"
    assert suffix_for("text/csv") == ".txt"
    assert suffix_for("image/png") == ".png"
    assert suffix_for("") == ".bin"


def test_copying_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    source = tmp_path / "body"
    source.write_bytes(b"data")
    with pytest.raises(StoreError, match="still here"):
        copy_body_file(str(source), tmp_path / "missing" / "saved")
    copy_body_file(str(source), tmp_path / "saved")
    assert (tmp_path / "saved").read_bytes() == b"data"


def test_file_text_pages_and_searches_like_the_text(tmp_path: Path) -> None:
    # Multi-byte characters and one long line, so parts are cut inside a line too.
    text = "".join(f"ligne {i} é€😀\n" for i in range(3000)) + "x" * 5000 + "€END"
    path = tmp_path / "body"
    path.write_bytes(text.encode())
    paged = FileText.index(str(path), 1000)
    assert len(paged) == len(text) and len(paged.parts) > 30
    assert "".join(paged.parts) == text
    assert paged.slice(10, 5000) == text[10:5000]
    found = find_forward(paged, "€end", 0)
    assert found is not None and text[found.start : found.end] == "€END"
    back = find_backward(paged, "ligne 2999 ", len(text))
    assert back is not None and back.start == text.index("ligne 2999 ")


def test_a_body_in_another_charset_is_paged_from_a_utf8_copy(tmp_path: Path) -> None:
    path = tmp_path / "body"
    path.write_bytes("café\n".encode("utf-16"))
    paged = open_body_text(str(path), "utf-16", 100)
    assert paged.path == f"{path}.utf8" and "".join(paged.parts) == "café\n"


def test_json_is_reindented_as_it_streams_like_json_dumps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_stream, "COPY_STEP", 7)  # tokens cut across every chunk
    value = {
        "a": [1, 2.5, {"b": 'x,{y}:\\"z'}, [], {}],
        "é": None,
        "t": True,
        "long": 'a string, {over} [many] chunks: \\ " ' * 20,
    }
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    assert pretty_json_file(str(source), str(target)) == ""
    assert target.read_text() == json.dumps(value, indent=2, ensure_ascii=False)


def test_unbalanced_json_is_written_on_with_a_problem(tmp_path: Path) -> None:
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text('{"a": [1, 2}')
    assert "Unexpected '}'" in pretty_json_file(str(source), str(target))
    source.write_text('{"a": [1, 2]')
    assert "ends before" in pretty_json_file(str(source), str(target))
    assert target.read_text().startswith('{\n  "a": [')
