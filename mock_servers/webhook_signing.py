"""What each signature scheme puts on the wire, following its published description,
so that receivers (apiclient's among them) can verify the mock's deliveries.

- standard (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix
  seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
  keyed by the base64-decoded secret without its `whsec_` prefix.
- github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` keyed by the
  secret's UTF-8 bytes, with `X-GitHub-Event` and `X-GitHub-Delivery`.
- stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` keyed by the
  whole secret's UTF-8 bytes, `whsec_` included.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from typing import Literal

__all__ = [
    "SCHEMES",
    "STANDARD_PREFIX",
    "SignatureScheme",
    "delivery_headers",
    "generate_secret",
    "new_message_id",
    "standard_key",
]

SignatureScheme = Literal["standard", "github", "stripe"]
SCHEMES: tuple[SignatureScheme, ...] = ("standard", "github", "stripe")
STANDARD_PREFIX = "whsec_"


def generate_secret(scheme: SignatureScheme) -> str:
    """A fresh secret in the form the scheme's real senders hand out."""
    if scheme == "standard":
        return STANDARD_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")
    if scheme == "github":
        return secrets.token_hex(20)
    return STANDARD_PREFIX + secrets.token_hex(24)


def standard_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: `whsec_<base64>` or plain base64.

    Raises ValueError when the rest is not base64 or decodes to nothing.
    """
    try:
        key = base64.b64decode(secret.removeprefix(STANDARD_PREFIX), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not base64: {exc}") from exc
    if not key:
        raise ValueError("the key is empty")
    return key


def new_message_id(scheme: SignatureScheme) -> str:
    """The id a receiver sees for one delivery (kept across its retries): GitHub sends a
    GUID in X-GitHub-Delivery; the others get a `msg_` id (Stripe sends it nowhere)."""
    if scheme == "github":
        return str(uuid.uuid4())
    return "msg_" + secrets.token_hex(12)


def delivery_headers(
    scheme: SignatureScheme,
    secret: str,
    body: bytes,
    *,
    message_id: str,
    event_type: str,
    timestamp: int,
) -> dict[str, str]:
    """The scheme's headers for one attempt to send `body`, signed at `timestamp`."""
    if scheme == "standard":
        signed = f"{message_id}.{timestamp}.".encode() + body
        digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": "v1," + base64.b64encode(digest).decode("ascii"),
        }
    key = secret.encode("utf-8")
    if scheme == "github":
        return {
            "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
            "X-GitHub-Event": event_type,
            "X-GitHub-Delivery": message_id,
        }
    signed = f"{timestamp}.".encode() + body
    hex_digest = hmac.new(key, signed, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={timestamp},v1={hex_digest}"}
