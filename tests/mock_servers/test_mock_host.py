"""MockHost: start, stop, restart, and a clear error when a port is taken."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from mock_servers.host import DEFAULT_PORTS, MockHost, MockServerError, PortInUseError


def _mock_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "mock-servers"]


def test_start_stop_restart() -> None:
    host = MockHost(ephemeral=True)
    before = len(_mock_threads())
    try:
        urls = host.start()
        assert host.running
        assert host.urls == urls
        assert set(urls) == set(DEFAULT_PORTS)
        assert urls["rest"].startswith("http://127.0.0.1:")
        assert urls["websocket"].startswith("ws://127.0.0.1:")
        assert httpx.get(urls["rest"] + "/echo").status_code == 200
        with pytest.raises(MockServerError, match="already running"):
            host.start()
    finally:
        host.stop()
    assert not host.running
    assert host.urls == {}
    assert len(_mock_threads()) == before
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["rest"] + "/echo")
    host.stop()  # idempotent

    try:
        again = host.start()
        assert httpx.get(again["rest"] + "/echo").status_code == 200
    finally:
        host.stop()


def test_restart_on_the_same_fixed_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    host = MockHost(ports={"rest": port}, ephemeral=True)
    for _ in range(2):
        try:
            urls = host.start()
            assert urls["rest"] == f"http://127.0.0.1:{port}"
            # Leave a closed connection behind (TIME_WAIT) to prove restart still binds.
            assert httpx.get(urls["rest"] + "/", headers={"Connection": "close"}).is_success
        finally:
            host.stop()


def test_port_in_use(occupied_port: int) -> None:
    before = len(_mock_threads())  # the session's mock host may be running
    host = MockHost(ports={"rest": occupied_port})
    with pytest.raises(PortInUseError) as caught:
        host.start()
    message = str(caught.value)
    assert f"Port {occupied_port} for the rest mock is already in use on 127.0.0.1" in message
    assert "--ephemeral" in message
    assert not host.running
    assert len(_mock_threads()) == before


def test_unknown_server_name() -> None:
    with pytest.raises(MockServerError, match="Unknown mock server nope"):
        MockHost(ports={"nope": 1})


def test_stop_does_not_wait_for_a_long_delay() -> None:
    host = MockHost(ephemeral=True)
    url = host.start()["rest"]
    outcome: list[object] = []

    def long_request() -> None:
        try:
            outcome.append(httpx.get(url + "/delay/30", timeout=60).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=long_request)
    thread.start()
    time.sleep(0.3)  # let the request reach the server
    started = time.monotonic()
    host.stop(timeout=10)
    assert time.monotonic() - started < 8
    thread.join(10)
    assert not thread.is_alive()
    # uvicorn cancels the request after its grace period and answers 500 (or drops it).
    assert outcome and outcome[0] != 200


def test_port_out_of_range() -> None:
    with pytest.raises(MockServerError, match="between 0 and 65535: rest=70000"):
        MockHost(ports={"rest": 70000})
