"""What the webhook receiver is told and what it reports: its settings, each captured
event, and the verdict on the event's signature.

Plain frozen dataclasses with no server or database import, so the UI's inbox model,
the store, the exporters and the receiver share them without loading each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ALL_INTERFACES",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOLERANCE_S",
    "LOOPBACK_HOST",
    "LOOPBACK_NAMES",
    "EventSummary",
    "ForwardResult",
    "ReceiverConfig",
    "ResponseConfig",
    "SignatureConfig",
    "SignatureScheme",
    "Verdict",
    "VerdictState",
    "WebhookEvent",
    "is_all_interfaces",
]

SignatureScheme = Literal["none", "github", "stripe", "standard", "hmac"]
VerdictState = Literal["valid", "invalid", "unsigned", "unchecked"]
HmacAlgorithm = Literal["sha1", "sha256", "sha512"]
SignatureEncoding = Literal["hex", "base64"]

LOOPBACK_HOST = "127.0.0.1"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})  # this machine only
ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "[::]"})  # every network interface
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_TOLERANCE_S = 300


def is_all_interfaces(host: str) -> bool:
    """Whether ``host`` listens on every network interface (reachable from other
    machines), so the UI can warn before starting."""
    return host.strip() in ALL_INTERFACES


@dataclass(frozen=True, slots=True)
class SignatureConfig:
    """How incoming events are verified; ``secret`` is the resolved value.

    ``github``: ``X-Hub-Signature-256: sha256=<hex HMAC of the body>``.
    ``stripe``: ``Stripe-Signature: t=<unix>,v1=<hex HMAC of "t.body">`` within
    ``tolerance_s`` of now. ``standard`` (Standard Webhooks): ``webhook-signature:
    v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed by the base64 part of a
    ``whsec_`` secret, timestamp within ``tolerance_s``. ``hmac``: ``header`` carries
    ``prefix`` + the HMAC (``algorithm``, ``encoding``) of the body.
    """

    scheme: SignatureScheme = "none"
    secret: str = ""
    header: str = "X-Signature"
    algorithm: HmacAlgorithm = "sha256"
    prefix: str = ""
    encoding: SignatureEncoding = "hex"
    tolerance_s: int = DEFAULT_TOLERANCE_S


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the signature check found. ``reason`` is a sentence for a person: which
    scheme matched, or why not (header missing, malformed, timestamp too old, mismatch)."""

    state: VerdictState
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ResponseConfig:
    """What the receiver answers to every request, after waiting ``delay_s``."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    delay_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ReceiverConfig:
    """Where the receiver listens and how it treats what arrives.

    ``forward_url`` non-empty: every new event is also sent there (after the answer),
    and the outcome reported as a :class:`ForwardResult`.
    """

    host: str = LOOPBACK_HOST
    port: int = 0
    response: ResponseConfig = field(default_factory=ResponseConfig)
    signature: SignatureConfig = field(default_factory=SignatureConfig)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    forward_url: str = ""


@dataclass(frozen=True, slots=True)
class EventSummary:
    """One captured request without its body: a row of the inbox."""

    id: int
    received_at: float  # time.time()
    method: str
    path: str
    query: str  # the raw query string, without "?"
    source: str  # "host:port" of the sender
    content_type: str
    size: int  # bytes of the body as received (declared length when refused with 413)
    verdict: VerdictState
    verdict_reason: str
    response_status: int
    note: str = ""  # what else a person should know ("Body over the 10 MB limit...")


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One captured request in full. ``headers`` keep the order and repeats they
    arrived with (names lower-cased, as HTTP/1.1 servers hand them over)."""

    summary: EventSummary
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def id(self) -> int:
        return self.summary.id


@dataclass(frozen=True, slots=True)
class ForwardResult:
    """The outcome of forwarding (or replaying) one event: the status the target
    answered and how long it took, or ``error`` (a sentence) when it could not be sent."""

    event_id: int
    url: str
    status: int | None = None
    elapsed_ms: float = 0.0
    error: str = ""
