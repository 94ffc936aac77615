"""Atomic writes: the old file survives every failure and no temporary file is left."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from apiclient.core import atomic
from apiclient.core.atomic import atomic_write_bytes, atomic_write_text
from apiclient.core.errors import StoreError


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    atomic_write_text(target, "one\n")
    atomic_write_text(target, "two\r\nkept as is\n")
    assert target.read_bytes() == b"two\r\nkept as is\n"
    atomic_write_bytes(target, b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    assert _leftovers(tmp_path) == []


def test_mode_is_forced_or_kept(tmp_path: Path) -> None:
    target = tmp_path / "secret.json"
    atomic_write_text(target, "{}", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o640)
    atomic_write_text(target, "{ }")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def _fail_with(code: int) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


def test_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "req.yaml"
    target.write_text("old\n")
    monkeypatch.setattr(atomic.os, "write", _fail_with(errno.ENOSPC))
    with pytest.raises(StoreError) as info:
        atomic_write_text(target, "new\n")
    assert str(info.value) == (
        f"The disk is full while saving {target}. Free some space and save again; "
        "your changes are still open in the app."
    )
    assert info.value.path == target
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


def test_failing_fsync_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "req.yaml"
    target.write_text("old\n")
    monkeypatch.setattr(atomic.os, "fsync", _fail_with(errno.ENOSPC))
    with pytest.raises(StoreError, match="disk is full"):
        atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.EIO, os.strerror(errno.EIO)),
    ],
)
def test_failing_replace_is_worded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    target = tmp_path / "req.yaml"
    target.write_text("old\n")
    monkeypatch.setattr(atomic.os, "replace", _fail_with(code))
    with pytest.raises(StoreError) as info:
        atomic_write_text(target, "new\n")
    assert words in str(info.value) and str(target) in str(info.value)
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_folder_keeps_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "req.yaml"
    target.write_text("old\n")
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="permission denied"):
            atomic_write_text(target, "new\n")
    finally:
        folder.chmod(0o755)
    assert target.read_text() == "old\n"
    assert _leftovers(folder) == []


def test_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="Could not save"):
        atomic_write_text(tmp_path / "nope" / "a.yaml", "x")
