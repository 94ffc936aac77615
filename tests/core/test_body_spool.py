"""Spooled bodies: the session folder and its sweep, paging a file, pretty-printing JSON
as it streams."""

from __future__ import annotations

import codecs
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apiclient.core import body_spool, json_stream
from apiclient.core.body_files import JobStopped, decode_in_steps, format_body_file
from apiclient.core.body_spool import (
    SPOOL_PREFIX,
    SpoolWriter,
    copy_body_file,
    keep_for_editor,
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


@pytest.mark.parametrize(
    ("charset", "data", "text"),
    [
        ("base64", b"aGk=\n", "aGk=\n"),  # no text encoding: read as UTF-8, as in memory
        ("zlib", b"plain\n", "plain\n"),
        ("rot13", b"uryyb\n", "uryyb\n"),
        ("utf-16", "café\n".encode("utf-16-le"), "café\n"),  # no BOM: little-endian
        ("utf-16", "café\n".encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]), "café\n"),
        ("utf-32", "é\n".encode("utf-32-le"), "é\n"),
        ("idna", b"plain\n", "plain\n"),  # refuses errors="replace": read as UTF-8
    ],
)
def test_any_charset_gives_a_text(tmp_path: Path, charset: str, data: bytes, text: str) -> None:
    path = tmp_path / "body"
    path.write_bytes(data)
    assert "".join(open_body_text(str(path), charset, 100).parts) == text


def test_discard_deletes_the_file_after_the_writer_has_ended(tmp_path: Path) -> None:
    writer = SpoolWriter(tmp_path)
    writer.write(b"abc")
    writer.flush()  # the writer's thread has ended
    writer.discard()
    assert not os.path.exists(writer.path)


def test_a_stopped_json_job_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, target = tmp_path / "body", tmp_path / "body.pretty"
    source.write_text(json.dumps(list(range(2000))))
    stop = tmp_path / "body.pretty.stop"
    stop.touch()
    with pytest.raises(JobStopped):
        pretty_json_file(str(source), str(target), str(stop))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body"]

    monkeypatch.setattr(json_stream, "COPY_STEP", 100)
    checks = 0
    real = json_stream.job_stopped

    def body_deleted_midway(path: str, stop_path: str = "") -> bool:
        nonlocal checks
        checks += 1
        if checks == 5:
            source.unlink()  # the tab dropped the body: the job ends at its next check
        return real(path, stop_path)

    monkeypatch.setattr(json_stream, "job_stopped", body_deleted_midway)
    with pytest.raises(JobStopped):
        pretty_json_file(str(source), str(target), str(stop))
    assert checks == 5 and list(tmp_path.iterdir()) == []


def test_a_stopped_format_job_leaves_no_file(tmp_path: Path) -> None:
    source = tmp_path / "body"
    source.write_text(json.dumps(list(range(2000))))
    stop = tmp_path / "body.pretty.stop"
    stop.touch()
    with pytest.raises(JobStopped):
        format_body_file("application/json", None, str(source), "", str(stop))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body"]
    formatted = format_body_file("application/json", None, str(source))
    assert formatted.pretty_path == f"{source}.pretty"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body", "body.pretty"]


def test_a_long_string_is_written_as_it_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the unchecked end of an open string is carried: the chunks a 1,000-chunk
    string is read in stay small (it was carried whole, read again at every chunk)."""
    monkeypatch.setattr(json_stream, "COPY_STEP", 64)
    seen: list[int] = []
    real = json_stream._string_end

    def measured(text: str, start: int) -> int:
        seen.append(len(text))
        return real(text, start)

    monkeypatch.setattr(json_stream, "_string_end", measured)
    value = {"s": 'x\\"y' * 16_000, "t": [1]}
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(value, separators=(",", ":")))
    assert pretty_json_file(str(source), str(target)) == ""
    assert target.read_text() == json.dumps(value, indent=2)
    assert len(seen) > 500 and max(seen) <= 65


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"a" 1 2}', "Unexpected value at byte 5"),
        ('["é" "b"]', "Unexpected value at byte 6"),
        ("[1 {}]", "Unexpected value at byte 3"),
        ('["abc', "ends inside a string"),
    ],
)
def test_adjacent_values_are_reported(tmp_path: Path, text: str, problem: str) -> None:
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(text, encoding="utf-8")
    assert problem in pretty_json_file(str(source), str(target))


def test_a_body_kept_for_an_editor_outlives_the_spooled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_spool, "spool_folder", lambda: tmp_path / "session")
    (tmp_path / "session").mkdir()
    source = tmp_path / "body-1.json"
    source.write_bytes(b"{}")
    linked = Path(keep_for_editor(str(source)))
    assert linked.parent == tmp_path / "session" and linked.suffix == ".json"
    assert os.path.samefile(linked, source)

    def no_links(*args: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(body_spool.os, "link", no_links)
    copied = Path(keep_for_editor(str(source)))
    source.unlink()
    assert linked.read_bytes() == copied.read_bytes() == b"{}"
    with pytest.raises(StoreError, match="Send the request again"):
        keep_for_editor(str(source))


def test_the_session_folder_goes_at_exit_whoever_made_it(tmp_path: Path) -> None:
    """An Open in editor from any tab makes the folder: it goes when the process ends,
    with no REST tab to remove it; it sweeps the folder of an ended session too."""
    stale = tmp_path / f"{SPOOL_PREFIX}{dead_pid()}-abcd1234"
    stale.mkdir()
    code = (
        "import time; from apiclient.core.body_spool import write_body_copy, spool_folder; "
        "path = write_body_copy(b'{}', 'application/json'); print(path); time.sleep(0.5)"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    path = Path(done.stdout.strip())
    assert done.returncode == 0 and path.parent.parent == tmp_path
    assert not path.parent.exists() and not stale.exists()


@pytest.mark.parametrize("charset", ["idna", "base64", "rot13", "zlib"])
def test_a_body_in_memory_in_an_odd_charset_decodes_as_utf8(charset: str) -> None:
    assert "".join(decode_in_steps("héllo".encode(), charset, 100).parts) == "héllo"
