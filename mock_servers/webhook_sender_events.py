"""The events the webhook sender mock sends: a payment provider telling a coffee shop
that a payment went through, failed, or was disputed.

Payloads look like a real provider's: ids with prefixes, amounts in minor units (cents),
a customer, the shop's order, and the fields each kind of event adds.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

__all__ = ["EVENT_TYPES", "build_event", "iso_utc"]

EVENT_TYPES: tuple[str, ...] = ("payment.completed", "payment.failed", "payment.disputed")

_CUSTOMERS = (
    ("cus_Qm4xT8", "ada.lovelace@example.com", "Ada Lovelace"),
    ("cus_Lp2vN6", "alan.turing@example.org", "Alan Turing"),
    ("cus_Hr7kD3", "grace.hopper@example.net", "Grace Hopper"),
    ("cus_Zb9wF1", "katherine.johnson@example.com", "Katherine Johnson"),
)
_METHODS = ("card", "card", "sepa_debit", "paypal", "apple_pay")
_CURRENCIES = ("EUR", "USD", "GBP")
_FAILURES = (
    ("card_declined", "The card was declined by the issuing bank."),
    ("insufficient_funds", "The card has insufficient funds to complete the purchase."),
    ("expired_card", "The card has expired."),
    ("processing_error", "An error occurred while processing the payment; try again."),
)
_DISPUTE_REASONS = (
    "fraudulent",
    "product_not_received",
    "duplicate",
    "product_unacceptable",
    "subscription_canceled",
)
# How long a shop has to answer a dispute with evidence, as card networks allow.
_EVIDENCE_DAYS = 7


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, to the millisecond: `2026-01-31T09:15:02.123Z`."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_event(
    event_type: str,
    *,
    rng: random.Random,
    now: datetime,
    extra_data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One event of a known `event_type`; `extra_data` is merged over its `data`."""
    amount = rng.randrange(450, 25_000)
    customer_id, email, name = rng.choice(_CUSTOMERS)
    order_id = f"ord_{rng.randrange(10_000, 100_000)}"
    data: dict[str, Any] = {
        "payment_id": "pay_" + secrets.token_hex(8),
        "amount": amount,
        "currency": rng.choice(_CURRENCIES),
        "customer": {"id": customer_id, "email": email, "name": name},
        "order_id": order_id,
        "method": rng.choice(_METHODS),
        "description": f"Order {order_id} at Demo Coffee Roasters",
    }
    if event_type == "payment.completed":
        fee = round(amount * 0.014) + 25
        data.update(status="succeeded", fee=fee, net=amount - fee, paid_at=iso_utc(now))
    elif event_type == "payment.failed":
        code, message = rng.choice(_FAILURES)
        data.update(
            status="failed", failure_code=code, failure_message=message, failed_at=iso_utc(now)
        )
    else:
        data.update(
            status="disputed",
            dispute={
                "id": "dp_" + secrets.token_hex(8),
                "reason": rng.choice(_DISPUTE_REASONS),
                "amount": amount,
                "currency": data["currency"],
                "status": "needs_response",
                "evidence_due_by": iso_utc(now + timedelta(days=_EVIDENCE_DAYS)),
            },
        )
    data.update(extra_data or {})
    return {
        "id": "evt_" + secrets.token_hex(12),
        "type": event_type,
        "event_type": event_type,
        "created_at": iso_utc(now),
        "data": data,
    }
