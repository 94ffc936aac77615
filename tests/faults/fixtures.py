"""Fixtures that start each fault server on 127.0.0.1 and stop it after the test,
offered to every test as a pytest plugin (``pytest_plugins`` in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from faults.grpc_faults import GrpcResetServer
from faults.http_faults import HttpFaultServer
from faults.tls_faults import BadCertificates, HttpsServer, make_bad_certificates
from faults.ws_faults import DroppingWebsocketServer


@pytest.fixture(scope="session")
def bad_certs(tmp_path_factory: pytest.TempPathFactory) -> BadCertificates:
    folder: Path = tmp_path_factory.mktemp("bad-certs")
    return make_bad_certificates(folder)


@pytest.fixture(scope="session")
def http_faults() -> Iterator[HttpFaultServer]:
    """The broken-HTTP server (paths in ``faults.http_faults.FAULT_PATHS``)."""
    server = HttpFaultServer(drip_interval_s=1.0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def https_self_signed(bad_certs: BadCertificates) -> Iterator[str]:
    server = HttpsServer(bad_certs.self_signed).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def https_expired(bad_certs: BadCertificates) -> Iterator[str]:
    server = HttpsServer(bad_certs.expired).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def grpc_reset() -> Iterator[str]:
    """Target of a gRPC server that resets every stream (plaintext)."""
    server = GrpcResetServer().start()
    yield server.target
    server.stop()


@pytest.fixture(scope="session")
def grpc_tls_self_signed(bad_certs: BadCertificates) -> Iterator[str]:
    server = GrpcResetServer(bad_certs.self_signed).start()
    yield server.target
    server.stop()


@pytest.fixture(scope="session")
def grpc_tls_expired(bad_certs: BadCertificates) -> Iterator[str]:
    server = GrpcResetServer(bad_certs.expired).start()
    yield server.target
    server.stop()


@pytest.fixture(scope="session")
def dropping_ws() -> Iterator[str]:
    """ws:// URL of a server that cuts every connection without a close frame."""
    server = DroppingWebsocketServer().start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def wss_self_signed(bad_certs: BadCertificates) -> Iterator[str]:
    server = DroppingWebsocketServer(ssl=bad_certs.self_signed.context()).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def wss_expired(bad_certs: BadCertificates) -> Iterator[str]:
    server = DroppingWebsocketServer(ssl=bad_certs.expired.context()).start()
    yield server.url
    server.stop()
