"""What every contract mock shares: its errors, the responses a user pins, and how a
started mock is described to the host.

Each kind of contract has a module with ``async def start(contract, host, port, fake,
pins) -> StartedMock`` (``openapi_mock``, ``wsdl_mock``, ``graphql_mock``,
``proto_mock``), started on the contract host's event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mock_servers.errors import MockServerError


class ContractError(MockServerError):
    """The contract does not parse or does not validate; the message says where."""


class UnsupportedContractError(ContractError):
    """The contract uses a feature these mocks do not serve; the message names it."""


@dataclass(frozen=True)
class Pin:
    """A response the user fixed for one operation, to stage a scenario: ``status``
    (an HTTP status, a SOAP fault when >= 400, a gRPC status code name for gRPC),
    ``body`` (served as is; empty means the generated one) and a ``delay_s`` first."""

    status: int | str | None = None
    body: str = ""
    delay_s: float = 0.0


@dataclass
class Pins:
    """The pinned responses of one mock by operation name; changed from the GUI or CLI
    thread while the mock's loop reads them, hence the lock."""

    _by_operation: dict[str, Pin] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, operation: str) -> Pin | None:
        with self._lock:
            return self._by_operation.get(operation)

    def set(self, operation: str, pin: Pin | None) -> None:
        """Pin ``operation`` to ``pin``; None unpins it (generated answers again)."""
        with self._lock:
            if pin is None:
                self._by_operation.pop(operation, None)
            else:
                self._by_operation[operation] = pin

    def all(self) -> dict[str, Pin]:
        with self._lock:
            return dict(self._by_operation)


@dataclass(frozen=True)
class StartedMock:
    """A contract mock listening: its kind ("openapi", "wsdl", "graphql", "grpc"), the
    URL a client calls (a WSDL's ``?wsdl`` address, a GraphQL endpoint, ``grpc://``
    host:port), the operations it serves (the names pins use), and how to stop it."""

    kind: str
    url: str
    operations: tuple[str, ...]
    stop: Callable[[], Awaitable[None]]
