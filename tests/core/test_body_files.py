"""Large bodies through files: formatting in the worker, and cleaning up the folders."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from apiclient.core.body_files import (
    STALE_AFTER_S,
    format_body_file,
    read_text_in_steps,
    remove_body_folder,
    sweep_stale_body_folders,
)


def test_a_lone_surrogate_in_a_json_body_is_formatted_and_read_back(tmp_path: Path) -> None:
    body = tmp_path / "body"
    body.write_bytes(b'{"half": "\\ud83d", "whole": "\\ud83d\\ude00"}')
    formatted = format_body_file("application/json", None, str(body))
    assert formatted.problem == "" and formatted.pretty_path is not None
    pretty = "".join(read_text_in_steps(formatted.pretty_path, 10).parts)
    assert json.loads(pretty) == {"half": "\ud83d", "whole": "😀"}
    assert '"\\ud83d"' in pretty


def test_a_file_written_while_the_folder_is_removed_goes_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "apiclient-body-abcd1234"
    folder.mkdir()
    (folder / "body").write_bytes(b"{}")
    unlink = os.unlink

    def worker_writes_meanwhile(path: str, *args: object, **kwargs: object) -> None:
        unlink(path, *args, **kwargs)
        if path == "body" or str(path).endswith("/body"):
            (folder / "body.pretty").write_text("{}")  # after rmtree listed the folder

    monkeypatch.setattr(os, "unlink", worker_writes_meanwhile)
    remove_body_folder(folder)
    assert not folder.exists()


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_sweep_removes_only_stale_body_folders(tmp_path: Path) -> None:
    stale = tmp_path / "apiclient-body-old_1234"
    (stale / "sub").mkdir(parents=True)
    (stale / "body").write_bytes(b"x")
    for path in (stale / "sub", stale / "body", stale):
        age(path, STALE_AFTER_S + 60)
    fresh = tmp_path / "apiclient-body-new_1234"  # in use by another session
    fresh.mkdir()
    (fresh / "body").write_bytes(b"x")
    age(fresh, STALE_AFTER_S + 60)  # the folder is old, but its body was just written
    others = [tmp_path / "apiclient-body-toolong123", tmp_path / "other-body-abcd1234"]
    for path in others:
        path.mkdir()
        age(path, STALE_AFTER_S + 60)
    a_file = tmp_path / "apiclient-body-file1234"
    a_file.write_bytes(b"x")
    target = tmp_path / "target"
    target.mkdir()
    age(target, STALE_AFTER_S + 60)
    link = tmp_path / "apiclient-body-link1234"
    link.symlink_to(target, target_is_directory=True)

    sweep_stale_body_folders(str(tmp_path))

    assert not stale.exists()
    assert all(path.exists() for path in (fresh, *others, a_file, target, link))


def test_the_sweep_of_a_missing_temp_dir_does_nothing(tmp_path: Path) -> None:
    sweep_stale_body_folders(str(tmp_path / "gone"))
