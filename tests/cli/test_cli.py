"""The ``apiclient`` command as a user runs it: version, headless mocks, a light start-up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from apiclient import __version__

PYTHON = sys.executable


def test_version() -> None:
    out = subprocess.run(
        [PYTHON, "-m", "apiclient", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"apiclient {__version__}"


def test_apiclient_mock_writes_the_port_file_and_the_rest_mock_answers(tmp_path: Path) -> None:
    port_file = tmp_path / "ports.json"
    proc = subprocess.Popen(
        [PYTHON, "-m", "apiclient", "mock", "--ephemeral", "--port-file", str(port_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the port file never appeared"
            time.sleep(0.05)
        urls = json.loads(port_file.read_text())
        assert urls["rest"].startswith("http://127.0.0.1:")
        response = httpx.get(f"{urls['rest']}/echo", params={"hello": "world"}, timeout=10)
        assert response.status_code == 200
        assert response.json()["method"] == "GET"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def test_window_shows_before_any_protocol_library_is_imported(tmp_path: Path) -> None:
    """Start-up stays light: zeep, lxml, graphql, grpc, websockets and httpx load on first use."""
    script = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings
window = MainWindow(AppSettings())
window.show()
app.processEvents()
heavy = {"zeep", "lxml", "graphql", "grpc", "websockets", "httpx"}
print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
"""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "APICLIENT_DATA_DIR": str(tmp_path / "data"),
        "APICLIENT_CONFIG_DIR": str(tmp_path / "config"),
    }
    out = subprocess.run(
        [PYTHON, "-c", script], capture_output=True, text=True, env=env, check=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
