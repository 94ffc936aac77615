"""Where long-running logs keep their spool files, and the sweep of abandoned ones.

A log that writes everything it shows to disk (a WebSocket session, a subscription's
events) owns one file in the app's ``spool`` folder, named ``<kind>-<pid>-<random>``
plus a suffix. The file is scratch space: its log deletes it when cleared or closed.
Files left by an apiclient that ended without cleaning up (a crash, a kill) are swept
when the next log opens one (:func:`sweep_stale`).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from apiclient.core.paths import data_dir

__all__ = ["SPOOL_FOLDER", "new_spool_path", "spool_folder", "sweep_stale"]

SPOOL_FOLDER = "spool"
SUFFIX = ".sqlite3"


def spool_folder() -> Path:
    """Where logs keep their spool files: ``spool`` in the app's data folder."""
    return data_dir() / SPOOL_FOLDER


def new_spool_path(folder: Path, kind: str) -> Path:
    """A fresh file name in ``folder`` for a log of ``kind`` (``ws``, ``events``...),
    marked with this process's id so a later sweep knows whose it is."""
    return folder / f"{kind}-{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"


def sweep_stale(folder: Path) -> int:
    """Delete spool files that no running apiclient owns (their process has ended);
    returns how many spool files went. Files that cannot be deleted stay, quietly: a
    sweep is housekeeping, never a reason to refuse a session."""
    try:
        names = list(folder.iterdir())
    except OSError:
        return 0
    swept = 0
    for path in names:
        parts = path.name.split("-", 2)
        if len(parts) < 3 or not parts[1].isdecimal() or SUFFIX not in parts[2]:
            continue
        if _alive(int(parts[1])):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        swept += path.name.endswith(SUFFIX)
    return swept


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would end it; an open file refuses to go instead
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True
