"""Checking the signature of a captured webhook against the secret the user gave.

Pure functions of the headers, the body and the clock, so the receiver calls
:func:`verify` on its own thread for every request and a test checks every preset
without a server. :func:`verify` never raises: whatever arrives, the answer is a
:class:`Verdict` whose ``reason`` tells a person what matched or what is wrong (a
malformed header and the shape expected, how old a timestamp is, the usual causes of a
mismatch). Digests are compared with :func:`hmac.compare_digest`.

:func:`check_signature_config` is for the settings form: it raises
:class:`WebhookConfigError` for settings that could never verify anything, before the
receiver starts. :func:`verify` given such settings answers "unchecked" with the same
sentence instead of judging every event "invalid".

A ``tolerance_s`` of 0 turns the timestamp check of Stripe and Standard Webhooks off
(for replaying old captured events); the signature itself is still checked.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import time
from collections.abc import Callable, Sequence

from apiclient.protocols.errors import WebhookConfigError
from apiclient.protocols.webhook_events import SignatureConfig, Verdict

__all__ = ["check_signature_config", "verify"]

GITHUB_HEADER = "X-Hub-Signature-256"
STRIPE_HEADER = "Stripe-Signature"
STANDARD_ID = "webhook-id"
STANDARD_TIMESTAMP = "webhook-timestamp"
STANDARD_SIGNATURE = "webhook-signature"
STANDARD_SECRET_PREFIX = "whsec_"

_ALGORITHMS = frozenset({"sha1", "sha256", "sha512"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an HTTP header name (RFC 9110)
_HEX = re.compile(r"[0-9a-fA-F]+")
# Far beyond any date (year 3 * 10^10), yet small enough that int() never hits Python's
# digit limit and the age in seconds stays a finite float.
_MAX_TIMESTAMP_DIGITS = 18
_MISMATCH_CAUSES = (
    "Usual causes: a different secret than the sender's, or a body changed on the way "
    "(re-encoded or re-formatted by a proxy or framework)."
)


def verify(
    config: SignatureConfig,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    *,
    now: float | None = None,
) -> Verdict:
    """Judge one request's signature by ``config``; header names match in any case."""
    if config.scheme == "none":
        return Verdict("unchecked", "No signature check is set up.")
    problem = _config_problem(config)
    if problem is not None:
        sentence = problem[1][:1].lower() + problem[1][1:]
        return Verdict("unchecked", f"The signature was not checked: {sentence}")
    clock = time.time() if now is None else now
    check = _CHECKS[config.scheme]
    return check(config, _Headers(headers), body, clock)


def check_signature_config(config: SignatureConfig) -> None:
    """Raise :class:`WebhookConfigError` for settings that cannot verify anything."""
    problem = _config_problem(config)
    if problem is not None:
        raise WebhookConfigError(problem[1], field=problem[0])


def _config_problem(config: SignatureConfig) -> tuple[str, str] | None:
    """``(field, sentence)`` for the first setting that cannot work, else None."""
    if config.scheme == "none":
        return None
    if config.scheme not in _CHECKS:
        return "signature.scheme", f"Unknown signature scheme {config.scheme!r}."
    if config.tolerance_s < 0:
        return (
            "signature.tolerance_s",
            f"The timestamp tolerance cannot be negative ({config.tolerance_s} s); "
            "use 0 to turn the timestamp check off.",
        )
    if not config.secret:
        return "signature.secret", "Enter the signing secret the sender uses."
    if config.scheme == "standard" and _standard_key(config.secret) is None:
        return (
            "signature.secret",
            "A Standard Webhooks secret is base64 after an optional 'whsec_' prefix "
            "(e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw); this one is not.",
        )
    if config.scheme == "hmac":
        if not config.header.strip():
            return "signature.header", "Enter the name of the header that carries the signature."
        if not _TOKEN.fullmatch(config.header.strip()):
            return (
                "signature.header",
                f"{config.header!r} is not a valid header name (letters, digits and "
                "!#$%&'*+-.^_`|~ only, no spaces or colons).",
            )
        if config.algorithm not in _ALGORITHMS:
            return (
                "signature.algorithm",
                f"Unknown algorithm {config.algorithm!r}: use sha1, sha256 or sha512.",
            )
        if config.encoding not in ("hex", "base64"):
            return (
                "signature.encoding",
                f"Unknown encoding {config.encoding!r}: use hex or base64.",
            )
    return None


class _Headers:
    """Header lookup by name in any case, keeping every value of a repeated header."""

    def __init__(self, headers: Sequence[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in headers:
            self._values.setdefault(name.lower(), []).append(value)

    def all(self, name: str) -> list[str]:
        return self._values.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None


def _hmac(key: bytes, message: bytes, algorithm: str = "sha256") -> bytes:
    return hmac.new(key, message, algorithm).digest()


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8, lone surrogates included: a header or secret holding one must
    give a mismatch, not a UnicodeEncodeError."""
    return text.encode("utf-8", "surrogatepass")


def _standard_key(secret: str) -> bytes | None:
    raw = secret.strip()
    raw = raw.removeprefix(STANDARD_SECRET_PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key or None


def _parse_timestamp(raw: str, header: str) -> int | str:
    """The timestamp in seconds, or a sentence saying why ``raw`` is not one."""
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) <= _MAX_TIMESTAMP_DIGITS:
        return int(text)
    return (
        f"{header} has timestamp {_show(raw)}; expected whole seconds since 1970 (e.g. 1614265330)."
    )


def _staleness(stamp: int, tolerance_s: int, now: float) -> str | None:
    """Why ``stamp`` is too far from ``now`` (a clause), or None when it is close enough."""
    if tolerance_s == 0:
        return None
    age = now - stamp
    if age > tolerance_s:
        return (
            f"the timestamp is {age:.0f} s old, tolerance {tolerance_s} s: a replayed or "
            "late delivery, or this computer's clock is off."
        )
    if -age > tolerance_s:
        return (
            f"the timestamp is {-age:.0f} s in the future, tolerance {tolerance_s} s: "
            "the sender's clock or this computer's is off."
        )
    return None


def _check_github(config: SignatureConfig, headers: _Headers, body: bytes, now: float) -> Verdict:
    values = headers.all(GITHUB_HEADER)
    if not values:
        return Verdict(
            "unsigned",
            f"No {GITHUB_HEADER} header: GitHub sends one when the webhook has a secret.",
        )
    expected = _hmac(_utf8(config.secret), body).hex()
    malformed = ""
    for value in values:
        algorithm, sep, digest = value.strip().partition("=")
        if not sep or algorithm.lower() != "sha256" or not _is_hex(digest, 64):
            malformed = value
            continue
        if hmac.compare_digest(digest.lower(), expected):
            return Verdict("valid", f"GitHub signature ({GITHUB_HEADER}, sha256) matches.")
    if malformed and len(values) == 1:
        return Verdict(
            "invalid",
            f"{GITHUB_HEADER} is {_show(malformed)}; expected 'sha256=' followed by 64 hex digits.",
        )
    return Verdict(
        "invalid",
        f"{GITHUB_HEADER} does not match the body with this secret. {_MISMATCH_CAUSES}",
    )


def _check_stripe(config: SignatureConfig, headers: _Headers, body: bytes, now: float) -> Verdict:
    values = headers.all(STRIPE_HEADER)
    if not values:
        return Verdict(
            "unsigned",
            f"No {STRIPE_HEADER} header: Stripe signs every event with one.",
        )
    value = ",".join(values)
    shape = "expected 't=<unix seconds>,v1=<hex signature>' (more v1= and v0= may follow)"
    timestamp: str | None = None
    signatures: list[str] = []
    schemes: list[str] = []
    for item in value.split(","):
        key, sep, part = item.strip().partition("=")
        if not sep or not key:
            return Verdict("invalid", f"{STRIPE_HEADER} is {_show(value)}; {shape}.")
        if key == "t" and timestamp is None:
            timestamp = part
        elif key == "v1":
            signatures.append(part)
        if key != "t":
            schemes.append(key)
    if timestamp is None:
        return Verdict("invalid", f"{STRIPE_HEADER} has no t= timestamp; {shape}.")
    if not signatures:
        found = ", ".join(sorted(set(schemes))) or "none"
        return Verdict(
            "invalid",
            f"{STRIPE_HEADER} has no v1 signature (found: {found}); only v1 (HMAC-SHA256) "
            "is checked.",
        )
    stamp = _parse_timestamp(timestamp, STRIPE_HEADER)
    if isinstance(stamp, str):
        return Verdict("invalid", stamp)
    signed = timestamp.strip().encode("ascii") + b"." + body
    expected = _hmac(_utf8(config.secret), signed).hex()
    # Only 64 hex digits can match; anything else (non-ASCII included, which
    # compare_digest refuses with TypeError) is skipped so another v1 may still match.
    well_formed = [sig.lower() for sig in signatures if _is_hex(sig, 64)]
    if not well_formed:
        return Verdict(
            "invalid",
            f"{STRIPE_HEADER} v1 is not 64 hex digits ({_show(signatures[0])}); {shape}.",
        )
    matched = any(hmac.compare_digest(sig, expected) for sig in well_formed)
    if not matched:
        subject = (
            f"None of the {len(signatures)} v1 signatures in {STRIPE_HEADER} match"
            if len(signatures) > 1
            else f"{STRIPE_HEADER} does not match"
        )
        return Verdict(
            "invalid",
            f"{subject} the body with this secret (the whole 'whsec_...' string is the key). "
            f"{_MISMATCH_CAUSES}",
        )
    stale = _staleness(stamp, config.tolerance_s, now)
    if stale is not None:
        return Verdict("invalid", f"Stripe signature v1 matches, but {stale}")
    return Verdict("valid", f"Stripe signature v1 matches{_age_note(config)}.")


def _check_standard(config: SignatureConfig, headers: _Headers, body: bytes, now: float) -> Verdict:
    values = headers.all(STANDARD_SIGNATURE)
    if not values:
        return Verdict(
            "unsigned",
            f"No {STANDARD_SIGNATURE} header: Standard Webhooks senders add it with "
            f"{STANDARD_ID} and {STANDARD_TIMESTAMP}.",
        )
    message_id = headers.first(STANDARD_ID)
    timestamp = headers.first(STANDARD_TIMESTAMP)
    missing = [
        name
        for name, present in ((STANDARD_ID, message_id), (STANDARD_TIMESTAMP, timestamp))
        if present is None
    ]
    if missing:
        return Verdict(
            "invalid",
            f"{STANDARD_SIGNATURE} is there but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing; all three are signed together.",
        )
    assert message_id is not None and timestamp is not None
    stamp = _parse_timestamp(timestamp, STANDARD_TIMESTAMP)
    if isinstance(stamp, str):
        return Verdict("invalid", stamp)
    shape = "expected space-separated 'v1,<base64 signature>' entries"
    candidates: list[bytes] = []
    versions: list[str] = []
    undecodable = ""
    for entry in " ".join(values).split():
        version, sep, encoded = entry.partition(",")
        if not sep or not version:
            return Verdict("invalid", f"{STANDARD_SIGNATURE} has {_show(entry)}; {shape}.")
        versions.append(version)
        if version != "v1":
            continue  # other versions (v1a: asymmetric) are not checked
        try:
            candidates.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):  # skipped: another v1 entry may still match
            undecodable = undecodable or entry
    if not versions:
        return Verdict("invalid", f"{STANDARD_SIGNATURE} is empty; {shape}.")
    if not candidates and undecodable:
        return Verdict(
            "invalid",
            f"{STANDARD_SIGNATURE} has {_show(undecodable)}, whose signature is not base64; "
            f"{shape}.",
        )
    if not candidates:
        found = ", ".join(sorted(set(versions)))
        return Verdict(
            "invalid",
            f"{STANDARD_SIGNATURE} has no v1 signature (found: {found}); only v1 "
            "(HMAC-SHA256) is checked.",
        )
    key = _standard_key(config.secret)
    assert key is not None  # checked by _config_problem
    signed = _utf8(f"{message_id}.{timestamp}.") + body
    expected = _hmac(key, signed)
    if not any(hmac.compare_digest(candidate, expected) for candidate in candidates):
        several = len(candidates) > 1
        subject = (
            f"None of the {len(candidates)} v1 signatures in {STANDARD_SIGNATURE}"
            if several
            else STANDARD_SIGNATURE
        )
        return Verdict(
            "invalid",
            f"{subject} {'match' if several else 'does not match'} the body, {STANDARD_ID} and "
            f"{STANDARD_TIMESTAMP} with this secret. {_MISMATCH_CAUSES}",
        )
    stale = _staleness(stamp, config.tolerance_s, now)
    if stale is not None:
        return Verdict("invalid", f"Standard Webhooks signature v1 matches, but {stale}")
    return Verdict("valid", f"Standard Webhooks signature v1 matches{_age_note(config)}.")


def _check_hmac(config: SignatureConfig, headers: _Headers, body: bytes, now: float) -> Verdict:
    header = config.header.strip()
    values = headers.all(header)
    what = f"HMAC-{config.algorithm.upper()}"
    if not values:
        return Verdict(
            "unsigned",
            f"No {header} header: expected the {what} of the body there.",
        )
    digest = _hmac(_utf8(config.secret), body, config.algorithm)
    size = len(digest)
    prefix = config.prefix
    if config.encoding == "hex":
        shape = (
            f"{prefix!r} followed by {size * 2} hex digits"
            if prefix
            else (f"{size * 2} hex digits")
        )
    else:
        shape = (
            f"{prefix!r} followed by base64 of {size} bytes"
            if prefix
            else (f"base64 of {size} bytes")
        )
    malformed = ""
    for value in values:
        received = _strip_prefix(value.strip(), prefix)
        decoded = None if received is None else _decode(received, config.encoding, size)
        if decoded is None:
            malformed = value
            continue
        if hmac.compare_digest(decoded, digest):
            return Verdict("valid", f"{what} signature in {header} ({config.encoding}) matches.")
    if malformed and len(values) == 1:
        return Verdict("invalid", f"{header} is {_show(malformed)}; expected {shape}.")
    return Verdict(
        "invalid",
        f"{header} does not match the {what} of the body with this secret. {_MISMATCH_CAUSES}",
    )


def _strip_prefix(value: str, prefix: str) -> str | None:
    if not prefix:
        return value
    if value[: len(prefix)].lower() != prefix.lower():
        return None
    return value[len(prefix) :]


def _decode(text: str, encoding: str, size: int) -> bytes | None:
    """The digest bytes written in ``text``, or None when it is not of that shape."""
    if encoding == "hex":
        return bytes.fromhex(text) if _is_hex(text, size * 2) else None
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if len(decoded) == size else None


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and _HEX.fullmatch(text) is not None


def _show(value: str, limit: int = 60) -> str:
    """A header value quoted for a sentence, cut when long."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _age_note(config: SignatureConfig) -> str:
    return " (timestamp age not checked: tolerance 0)" if config.tolerance_s == 0 else ""


_Check = Callable[[SignatureConfig, _Headers, bytes, float], Verdict]
_CHECKS: dict[str, _Check] = {
    "github": _check_github,
    "stripe": _check_stripe,
    "standard": _check_standard,
    "hmac": _check_hmac,
}
