"""Temporary files of writes a crash interrupted are removed once stale, and nothing else."""

from __future__ import annotations

import os
import time
from pathlib import Path

from apiclient.core import atomic
from apiclient.core.atomic import STALE_AFTER_S, TEMP_NAME, remove_stale_temp_files
from apiclient.core.store_files import remove_crash_leftovers


def plant(path: Path, age_s: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("half a write", encoding="utf-8")
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def test_the_pattern_is_the_one_writes_use() -> None:
    assert TEMP_NAME.fullmatch(atomic._temp_name("get-item.yaml"))


def test_only_stale_temporary_files_go(tmp_path: Path) -> None:
    old = STALE_AFTER_S + 5
    stale = plant(tmp_path / "items" / ".get-item.yaml.0badc0de.tmp", old)
    stale_top = plant(tmp_path / ".collection.yaml.12345678.tmp", old)
    fresh = plant(tmp_path / "items" / ".list.yaml.deadbeef.tmp", 1)
    kept = [
        plant(tmp_path / "items" / "get-item.yaml", old),
        plant(tmp_path / "items" / ".get-item.yaml.tmp", old),  # no random part
        plant(tmp_path / "items" / ".get-item.yaml.0BADC0DE.tmp", old),  # not as written
        plant(tmp_path / "items" / ".get-item.yaml.0badc0de.tmp.bak", old),
        plant(tmp_path / "items" / "get-item.yaml.0badc0de.tmp", old),  # not hidden
        plant(tmp_path / ".git" / ".index.0badc0de.tmp", old),  # hidden folders stay shut
    ]
    (tmp_path / "items" / ".folder.yaml.cafebabe.tmp").mkdir()  # a folder, not a file

    removed = remove_stale_temp_files(tmp_path)

    assert sorted(removed) == sorted([stale, stale_top])
    assert not stale.exists() and not stale_top.exists()
    assert fresh.exists()
    assert all(path.exists() for path in kept)
    assert (tmp_path / "items" / ".folder.yaml.cafebabe.tmp").is_dir()


def test_only_the_folder_itself_unless_recursive(tmp_path: Path) -> None:
    top = plant(tmp_path / ".globals.yaml.0badc0de.tmp", STALE_AFTER_S + 5)
    inner = plant(tmp_path / "collections" / ".a.yaml.0badc0de.tmp", STALE_AFTER_S + 5)
    assert remove_stale_temp_files(tmp_path, recursive=False) == [top]
    assert inner.exists()


def test_a_symlink_named_like_a_temporary_file_is_left(tmp_path: Path) -> None:
    target = plant(tmp_path / "precious.yaml", STALE_AFTER_S + 5)
    link = tmp_path / ".precious.yaml.0badc0de.tmp"
    link.symlink_to(target)
    when = time.time() - STALE_AFTER_S - 5
    os.utime(link, (when, when), follow_symlinks=False)
    assert remove_stale_temp_files(tmp_path) == []
    assert link.is_symlink() and target.exists()


def test_a_missing_folder_is_nothing_to_clean(tmp_path: Path) -> None:
    assert remove_stale_temp_files(tmp_path / "nowhere") == []


def test_a_collection_is_cleaned_only_where_its_store_writes(tmp_path: Path) -> None:
    old = STALE_AFTER_S + 5
    cleaned = [
        plant(tmp_path / ".collection.yaml.0badc0de.tmp", old),
        plant(tmp_path / "items" / ".get-item.yaml.0badc0de.tmp", old),
        plant(tmp_path / "items" / "a" / "b" / ".folder.yaml.0badc0de.tmp", old),
        plant(tmp_path / "environments" / ".local.yaml.0badc0de.tmp", old),
    ]
    # collection.yaml at the root of a repository: the rest is not the store's.
    left = [
        plant(tmp_path / "node_modules" / "pkg" / ".index.js.0badc0de.tmp", old),
        plant(tmp_path / "docs" / ".readme.md.0badc0de.tmp", old),
        plant(tmp_path / "environments" / "nested" / ".x.yaml.0badc0de.tmp", old),
    ]
    assert sorted(remove_crash_leftovers(tmp_path)) == sorted(cleaned)
    assert all(path.exists() for path in left)
