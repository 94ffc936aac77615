"""Start and stop mocks served from contract files, each on its own thread and loop.

The file picks the kind: an OpenAPI 3 file (.yaml, .yml or .json with an ``openapi``
field), a WSDL (.wsdl, .xml), a GraphQL SDL (.graphql, .gql, .graphqls, .sdl) or a
.proto file. Each mock is named by its file's stem ("api", then "api-2" for a second
api.yaml) and keeps its own pins, which the caller may change while it runs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from mock_servers.background_loop import BackgroundLoop
from mock_servers.contracts.base import ContractError, Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.errors import MockServerError

__all__ = ["SUPPORTED", "ContractMock", "ContractMocks", "contract_kind", "unique_name"]

DEFAULT_HOST = "127.0.0.1"
SUPPORTED = (
    "an OpenAPI 3 file (.yaml, .yml, .json), a WSDL (.wsdl, .xml), "
    "a GraphQL SDL (.graphql, .gql, .graphqls, .sdl) or a .proto file"
)
# kind: (module under mock_servers.contracts, what people call the contract)
_KINDS = {
    "openapi": ("openapi_mock", "OpenAPI"),
    "wsdl": ("wsdl_mock", "WSDL"),
    "graphql": ("graphql_mock", "GraphQL SDL"),
    "proto": ("proto_mock", ".proto"),
}
_BY_SUFFIX = {
    ".wsdl": "wsdl",
    ".xml": "wsdl",
    ".graphql": "graphql",
    ".gql": "graphql",
    ".graphqls": "graphql",
    ".sdl": "graphql",
    ".proto": "proto",
}
_OPENAPI_FIELD = re.compile(r"""(?m)(^|[{,])\s*["']?(openapi|swagger)["']?\s*:""")


def contract_kind(path: Path) -> str:
    """The kind of contract ``path`` holds ("openapi", "wsdl", "graphql", "proto")."""
    suffix = path.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix not in (".yaml", ".yml", ".json"):
        raise ContractError(
            f"{path.name} is not a contract file these mocks know; give {SUPPORTED}."
        )
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:65536]
    except FileNotFoundError:
        raise ContractError(f"The contract file {path} does not exist.") from None
    except OSError as exc:
        raise ContractError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if not _OPENAPI_FIELD.search(head):
        raise ContractError(
            f"{path.name} has no 'openapi' field, so it is not an OpenAPI 3 file; "
            f"contract mocks take {SUPPORTED}."
        )
    return "openapi"


def unique_name(contract: Path, taken: Iterable[str]) -> str:
    """The name of a mock of ``contract``: its file's stem, or "api-2", "api-3" when taken."""
    used = set(taken)
    stem = contract.stem or "contract"
    if stem not in used:
        return stem
    return next(f"{stem}-{n}" for n in range(2, 10_000) if f"{stem}-{n}" not in used)


def _module(kind: str) -> ModuleType:
    """The module serving ``kind``, imported on first use (each pulls in its own library)."""
    module, label = _KINDS[kind]
    full = f"mock_servers.contracts.{module}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as exc:
        missing = (
            "are not available in this build"
            if exc.name == full
            else (f"need the {exc.name} library, which is not installed")
        )
        raise ContractError(f"{label} contract mocks {missing}.") from None


@dataclass(frozen=True)
class ContractMock:
    """A running contract mock as the caller sees it; ``pins`` may be changed at any time."""

    name: str
    contract: Path
    kind: str
    url: str
    operations: tuple[str, ...]
    pins: Pins


class ContractMocks:
    """The contract mocks of one app or CLI run, by name. Drive it from one thread."""

    def __init__(self, host: str = DEFAULT_HOST, seed: int = 0) -> None:
        self._host = host
        self._seed = seed
        self._mocks: dict[str, ContractMock] = {}
        self._loops: dict[str, BackgroundLoop[StartedMock]] = {}

    @property
    def mocks(self) -> dict[str, ContractMock]:
        return dict(self._mocks)

    @property
    def urls(self) -> dict[str, str]:
        """The URL of each running mock by name, as the CLI's port file has them."""
        return {name: mock.url for name, mock in self._mocks.items()}

    def get(self, name: str) -> ContractMock:
        if name not in self._mocks:
            running = ", ".join(self._mocks) or "none"
            raise MockServerError(f"No contract mock is named {name!r}; running: {running}.")
        return self._mocks[name]

    def operations(self, name: str) -> tuple[str, ...]:
        return self.get(name).operations

    def pins(self, name: str) -> Pins:
        return self.get(name).pins

    def start(
        self,
        contract: Path | str,
        port: int = 0,
        seed: int | None = None,
        timeout: float = 15.0,
        name: str | None = None,
        pins: Pins | None = None,
    ) -> ContractMock:
        """Serve ``contract`` and return once it listens (port 0: a free one).

        ``name`` and ``pins`` let a caller that keeps its mocks between runs (the app's
        panel) restart one under the same name with the pins it had.

        Raises ContractError for a file that cannot be served (its message says why and
        where), PortInUseError for a taken port, MockServerError for anything else.
        """
        path = Path(contract)
        if not 0 <= port <= 65535:
            raise MockServerError(f"Ports must be between 0 and 65535, not {port}.")
        if name is not None and name in self._mocks:
            raise MockServerError(f"A contract mock named {name!r} is already running.")
        kind = contract_kind(path)
        module = _module(kind)
        name = name or unique_name(path, self._mocks)
        pins = pins if pins is not None else Pins()
        fake = FakeData(self._seed if seed is None else seed)
        loop: BackgroundLoop[StartedMock] = BackgroundLoop(
            f"contract-mock-{name}", f"The {name} mock"
        )

        async def begin() -> StartedMock:
            started: StartedMock = await module.start(path, self._host, port, fake, pins)
            return started

        async def end(started: StartedMock) -> None:
            await started.stop()

        started = loop.start(begin, end, timeout)
        mock = ContractMock(name, path, started.kind, started.url, started.operations, pins)
        self._mocks[name] = mock
        self._loops[name] = loop
        return mock

    def stop(self, name: str, timeout: float = 10.0) -> None:
        """Stop the mock called ``name``; MockServerError when none is."""
        self.get(name)
        self._loops.pop(name).stop(timeout)
        del self._mocks[name]

    def stop_all(self, timeout: float = 10.0) -> None:
        for name in list(self._mocks):
            self.stop(name, timeout)
