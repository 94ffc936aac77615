"""Start-up imports only what the first screen needs: each protocol library loads when
its tab or engine is first used, not when the window opens.

The app starts in a fresh process through its real entry (``apiclient.cli.main``), so
whatever any module imports at start-up shows up in ``sys.modules`` there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Prints the loaded modules once start-up finished (collection open, drafts restored),
# then again once the REST engine was warmed up (the last start-up step), and quits.
SCRIPT = """
import json, sys
from PySide6.QtWidgets import QApplication
from apiclient.cli import main
from apiclient.ui.main_window import MainWindow

startup = MainWindow.startup

def report(moment, window):
    print(json.dumps({
        "moment": moment,
        "collection": window.workspace.store is not None,
        "modules": sorted(sys.modules),
    }), flush=True)

async def started(window, *args, **kwargs):
    await startup(window, *args, **kwargs)
    report("started", window)
    tab = type(window.rest)
    warm_up = tab.warm_up

    async def warmed(rest):
        await warm_up(rest)
        report("warm", window)
        QApplication.instance().quit()

    tab.warm_up = warmed

MainWindow.startup = started
sys.exit(main([]))
"""

PROTOCOL_LIBRARIES = ("zeep", "lxml", "gql", "graphql", "grpc", "google.protobuf", "websockets")
# Loaded on first use too: the REST engine's httpx and the history's models and SQLite
# (warmed up in a worker right after start-up), the keyring (probed when a secret is
# first stored or read from it), the worker-process pool, and pages and dialogs nobody
# has opened yet.
DEFERRED = (
    "httpx",
    "sqlite3",
    "keyring",
    "multiprocessing",
    "apiclient.protocols.rest",
    "apiclient.core.history",
    "apiclient.ui.history_panel",
    "apiclient.ui.environment_editor",
    "apiclient.ui.import_dialog",
    "apiclient.ui.import_summary",
    "apiclient.ui.import_progress",
    "apiclient.ui.export_dialog",
    "apiclient.ui.settings_dialog",
    "apiclient.ui.command_palette",
)


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """The ``names`` present in ``modules``, as packages or any of their submodules."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_start_up_imports_only_what_the_first_screen_needs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    reports = {r["moment"]: r for r in map(json.loads, done.stdout.splitlines())}
    started, warm = reports["started"], reports["warm"]
    assert started["collection"], "the sample collection did not open"

    assert loaded(started["modules"], PROTOCOL_LIBRARIES + DEFERRED) == []
    # The REST warm-up loads httpx and the history, and nothing of the other protocols.
    assert loaded(warm["modules"], ("httpx", "apiclient.core.history")) == [
        "httpx",
        "apiclient.core.history",
    ]
    assert loaded(warm["modules"], PROTOCOL_LIBRARIES) == []


def test_modules_imported_after_pyside_are_not_read_as_source(tmp_path: Path) -> None:
    """PySide6 reads every newly imported module's source to look for ``__feature__``
    (PYSIDE-2029); apiclient.ui turns that off, as no module of the app selects one."""
    (tmp_path / "freshly_imported.py").write_text("VALUE = 1\n")
    script = """
import linecache, sys
from PySide6.QtWidgets import QApplication, QLabel
import apiclient.ui
sys.path.insert(0, sys.argv[1])
import freshly_imported
app = QApplication([])
label = QLabel("still Qt's own names")
print(freshly_imported.VALUE, label.text(), any("freshly_imported" in f for f in linecache.cache))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "1 still Qt's own names False"
