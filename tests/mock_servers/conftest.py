"""One mock host for the whole test session, on ports the OS picks."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def client(rest_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_url, timeout=30) as client:
        yield client


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another socket listens on, for the "port in use" tests."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]
