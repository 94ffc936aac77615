"""`python -m mock_servers`: port file, URLs on stdout, clean exit on SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mock_servers.cli import main, write_atomically
from mock_servers.host import DEFAULT_PORTS

REPO = Path(__file__).resolve().parents[2]


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mock_servers", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_file(path: Path, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "port file never appeared"
        time.sleep(0.05)


def test_cli_serves_until_sigint(tmp_path: Path) -> None:
    port_file = tmp_path / "run" / "ports.json"
    process = _spawn("--ephemeral", "--port-file", str(port_file))
    try:
        _wait_for_file(port_file, process)
        urls = json.loads(port_file.read_text(encoding="utf-8"))
        assert set(urls) == set(DEFAULT_PORTS)
        echo = httpx.get(urls["rest"] + "/echo", params={"q": "1"})
        assert echo.json()["query"] == {"q": ["1"]}

        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "rest" in stdout and urls["rest"] in stdout
        assert "Traceback" not in stderr
        assert not list(port_file.parent.glob(".*.tmp"))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_cli_stops_on_sigterm(tmp_path: Path) -> None:
    port_file = tmp_path / "ports.json"
    process = _spawn("--ephemeral", "--port-file", str(port_file))
    try:
        _wait_for_file(port_file, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_cli_port_in_use_exits_2(occupied_port: int) -> None:
    process = _spawn("--port", f"rest={occupied_port}")
    try:
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 2
    assert f"Port {occupied_port} for the rest mock is already in use" in stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_main_in_process_port_in_use(
    occupied_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", f"rest={occupied_port}"]) == 2
    assert f"Port {occupied_port}" in capsys.readouterr().err


def test_main_rejects_bad_port_override(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--port", "rest"])
    assert caught.value.code == 2
    assert "NAME=PORT" in capsys.readouterr().err


def test_write_atomically_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "ports.json"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, '{"rest": "x"}')
    assert target.read_text(encoding="utf-8") == '{"rest": "x"}'
    assert os.listdir(tmp_path) == ["ports.json"]


def test_main_reports_an_unwritable_port_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The port file's path is an existing directory, so the rename must fail.
    assert main(["--ephemeral", "--port-file", str(tmp_path)]) == 1
    assert "cannot write the port file" in capsys.readouterr().err
