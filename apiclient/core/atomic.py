"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half.

The data goes to a temporary file in the same folder (so ``os.replace`` stays on one
file system and is atomic), is flushed and fsynced, then replaces the target; the folder
is fsynced too so the rename itself survives a power cut. On any failure the temporary
file is removed and the target is left exactly as it was; only a crash or a killed
process leaves one behind, which ``remove_stale_temp_files`` clears later.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from pathlib import Path

from apiclient.core.errors import StoreError

_NEW_FILE_MODE = 0o666  # narrowed by the umask, as for any file the user creates
TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")
"""The name of a temporary file beside its target (``.<target>.<8 hex digits>.tmp``)."""
STALE_AFTER_S = 60.0


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` as UTF-8, byte for byte (no newline translation), atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically; raise ``StoreError`` worded for a person.

    ``mode`` forces the file's permission bits (e.g. ``0o600`` for secrets); without it an
    existing file keeps its bits and a new one gets the usual umask-based ones.
    """
    try:
        _write(path, data, mode)
    except OSError as exc:
        raise StoreError.from_os_error(exc, path) from exc


def _write(path: Path, data: bytes, mode: int | None) -> None:
    if mode is None:
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(path.stat().st_mode)
    tmp, fd = _create_temp(path, _NEW_FILE_MODE if mode is None else mode)
    try:
        try:
            if mode is not None:
                os.chmod(tmp, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _create_temp(path: Path, mode: int) -> tuple[Path, int]:
    """Create a hidden, unique temporary file beside ``path`` (``O_EXCL``, so never shared)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.with_name(_temp_name(path.name))
        try:
            return tmp, os.open(tmp, flags, mode)
        except FileExistsError:
            continue


def _temp_name(target: str) -> str:
    return f".{target}.{os.urandom(4).hex()}.tmp"


def remove_stale_temp_files(
    folder: Path, *, recursive: bool = True, older_than: float = STALE_AFTER_S
) -> list[Path]:
    """Delete the temporary files that interrupted writes left in ``folder`` (and in its
    sub-folders if ``recursive``); returns the paths deleted.

    Only regular files named exactly as ``_create_temp`` names them and untouched for
    ``older_than`` seconds go: a younger one may belong to a write still running (in
    another thread or another instance of the app), whose rename would fail without it.
    Hidden folders (``.git``) are not entered. A file that cannot be deleted is left for
    the next time, since nobody needs it gone now.
    """
    removed = []
    deadline = time.time() - older_than
    for current, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if recursive and not d.startswith(".")]
        for name in files:
            if TEMP_NAME.fullmatch(name) is None:
                continue
            path = Path(current, name)
            try:
                info = path.lstat()
                if stat.S_ISREG(info.st_mode) and info.st_mtime < deadline:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return removed


def _fsync_dir(folder: Path) -> None:
    """Persist the rename; only POSIX can open a folder for fsync.

    The new file is already in place when this runs, so a file system that refuses to
    fsync a folder must not turn a good save into a reported failure.
    """
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
