"""One contract mock as the panel shows it, and the words for its kind, state and pins.

No widgets here: the controller keeps the rows, the table and the pin editor read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from apiclient.core.models import ContractMockSettings, PinnedResponse
from mock_servers.contracts.base import Pin, Pins

KIND_LABELS = {
    "openapi": "OpenAPI",
    "wsdl": "WSDL",
    "graphql": "GraphQL",
    "proto": "gRPC",
}
# gRPC status codes by name, as a pin takes them (the mock accepts numbers too).
GRPC_CODES = (
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)
HTTP_STATUSES = ("200", "201", "204", "400", "401", "403", "404", "409", "422", "500", "503")


class State(Enum):
    STOPPED = "stopped"
    STARTING = "starting…"
    RUNNING = "running"
    STOPPING = "stopping…"
    FAILED = "failed"
    MISSING = "file not found"


@dataclass(eq=False)
class MockRow:
    """A contract mock of the open collection: its saved settings, where its file is,
    and what it is doing now. ``pins`` is the live object the running mock reads, kept
    across restarts."""

    name: str
    settings: ContractMockSettings
    path: Path
    kind: str = ""
    state: State = State.STOPPED
    message: str = ""
    url: str = ""
    operations: tuple[str, ...] = ()
    pins: Pins = field(default_factory=Pins)

    def __post_init__(self) -> None:
        for operation, pinned in self.settings.pins.items():
            self.pins.set(operation, live_pin(pinned))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "?")

    @property
    def busy(self) -> bool:
        return self.state in (State.STARTING, State.STOPPING)

    @property
    def state_text(self) -> str:
        if self.state is State.FAILED:
            return f"failed: {self.message}"
        return self.state.value

    def known_operations(self) -> list[str]:
        """The operations of the last run, else the pinned ones (a stopped mock's list)."""
        names = list(self.operations)
        names += sorted(op for op in self.settings.pins if op not in self.operations)
        return names

    def fail(self, message: str) -> None:
        self.state, self.message, self.url = State.FAILED, message, ""


def live_pin(pinned: PinnedResponse) -> Pin:
    return Pin(status=pinned.status, body=pinned.body, delay_s=pinned.delay_s)


def status_label(kind: str) -> str:
    """What the pin's status means for a mock of ``kind``."""
    if kind == "proto":
        return "gRPC status code (name):"
    if kind == "wsdl":
        return "HTTP status (400+ answers a SOAP fault):"
    if kind == "graphql":
        return "Status (not 200: a GraphQL error):"
    return "HTTP status (100-599):"


def status_choices(kind: str) -> tuple[str, ...]:
    return GRPC_CODES if kind == "proto" else HTTP_STATUSES


def parse_status(kind: str, text: str) -> int | str | None:
    """The status typed for a pin of a ``kind`` mock (empty: the contract's own), or
    ValueError with a sentence saying what to type."""
    text = text.strip()
    if not text:
        return None
    if kind == "proto":
        if text.upper() in GRPC_CODES:
            return text.upper()
        raise ValueError(f"{text!r} is not a gRPC status code; choose one such as UNAVAILABLE.")
    if text.isdigit() and 100 <= int(text) <= 599:
        return int(text)
    if kind == "graphql":
        return text
    raise ValueError(f"{text!r} is not an HTTP status; type a number from 100 to 599.")
