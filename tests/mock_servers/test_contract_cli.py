"""`python -m mock_servers --contract FILE ...`: contract mocks from the command line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from mock_servers.cli import main

REPO = Path(__file__).resolve().parents[2]
FILES = Path(__file__).parent / "contract_files" / "openapi"


def test_two_contracts_are_served_and_named_by_their_stems(tmp_path: Path) -> None:
    port_file = tmp_path / "ports.json"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "mock_servers", "--seed", "5", "--port-file", str(port_file),
            "--contract", str(FILES / "shop.yaml"), "--contract", str(FILES / "notes31.json"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "port file never appeared"
            time.sleep(0.05)
        urls = json.loads(port_file.read_text(encoding="utf-8"))
        assert set(urls) == {"shop", "notes31"}  # only the contracts, no bundled mock
        assert urls["shop"].endswith("/api/v2")
        assert httpx.get(urls["shop"] + "/health").text == "ok"
        note = httpx.get(f"{urls['notes31']}/notes/{uuid.UUID(int=1)}").json()
        assert note["kind"] == "note"

        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert urls["shop"] in stdout and urls["notes31"] in stdout
        assert "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_a_bad_contract_exits_1_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\n", encoding="utf-8")
    port_file = tmp_path / "ports.json"
    shop = str(FILES / "shop.yaml")
    code = main(["--contract", shop, "--contract", str(broken), "--port-file", str(port_file)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("python -m mock_servers: broken.yaml is Swagger 2.0")
    assert len(err.strip().splitlines()) == 1
    assert not port_file.exists()


def test_a_port_in_use_exits_2(occupied_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--contract", str(FILES / "shop.yaml"), "--port", f"shop={occupied_port}"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"Port {occupied_port} for the shop mock is already in use" in err
    assert f"leave out --port shop={occupied_port}" in err


def test_a_port_for_an_unknown_mock_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--contract", str(FILES / "shop.yaml"), "--port", "rest=9000"]) == 1
    assert "--port names rest, but the contract mocks are named shop" in capsys.readouterr().err
