"""Plausible, repeatable values for a contract's fields.

A value depends only on the seed and the field's path (``"Order.customer.email"``), not
on what was generated before it, so the same request gives the same answer on every run
and in any order. The field's name picks the kind of value (an email for ``email``, a
date for ``created_at``), its type and format keep the value valid.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

FIRST_NAMES = ("Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov")
CITIES = ("Berlin", "Lisbon", "Oslo", "Nairobi", "Osaka", "Toronto", "Lyon", "Porto")
COUNTRIES = ("Germany", "Portugal", "Norway", "Kenya", "Japan", "Canada", "France")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries")
STREETS = ("Main Street", "Station Road", "Harbour Lane", "Church Street", "Mill Road")
WORDS = (
    "alpha", "river", "quiet", "signal", "amber", "orbit", "harbor", "maple", "echo",
    "cedar", "pixel", "lumen", "delta", "summit", "velvet", "copper",
)  # fmt: skip
STATUSES = ("active", "pending", "completed", "cancelled")
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _words(name: str) -> set[str]:
    """``createdAt``, ``created_at`` and ``Created-At`` all give {"created", "at"}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {w for w in re.split(r"[^a-zA-Z0-9]+", spaced.lower()) if w}


def _bounds(
    default: tuple[float, float], low: float | None, high: float | None
) -> tuple[float, float]:
    """The contract's bounds where it gives them, the name's usual range elsewhere."""
    lo = default[0] if low is None else low
    hi = default[1] if high is None else high
    if low is None:
        lo = min(lo, hi)
    if high is None:
        hi = max(hi, lo)
    return lo, hi


class FakeData:
    """Values for fields, the same for the same ``seed`` and path."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def rng(self, path: str) -> random.Random:
        """A generator of its own for ``path``: the order of generation never matters."""
        return random.Random(f"{self.seed}:{path}")

    def list_length(self, path: str, low: int = 2, high: int = 4) -> int:
        """How many items a list at ``path`` holds: a few, stable for the seed."""
        return self.rng(path + "[]").randint(low, high)

    def choice(self, path: str, options: Sequence[object]) -> object:
        return self.rng(path).choice(list(options))

    def string(self, path: str, name: str = "", fmt: str = "") -> str:
        """Text plausible for a field called ``name`` with the (OpenAPI) format ``fmt``."""
        r = self.rng(path)
        words = _words(name)
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        by_format = {
            "email": lambda: f"{first}.{last}@example.com".lower(),
            "uuid": lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "date": lambda: self._moment(r).date().isoformat(),
            "date-time": lambda: self._moment(r).isoformat().replace("+00:00", "Z"),
            "uri": lambda: f"https://example.com/{r.choice(WORDS)}/{r.randint(1, 999)}",
            "url": lambda: f"https://example.com/{r.choice(WORDS)}/{r.randint(1, 999)}",
            "hostname": lambda: f"{r.choice(WORDS)}.example.com",
            "ipv4": lambda: f"192.0.2.{r.randint(1, 254)}",
            "byte": lambda: "aGVsbG8=",
            "password": lambda: "s3cret-" + r.choice(WORDS),
        }
        if fmt in by_format:
            return by_format[fmt]()
        if "email" in words or "mail" in words:
            return by_format["email"]()
        if words & {"uuid", "guid"}:
            return by_format["uuid"]()
        if "id" in words or name.lower().endswith("id"):
            return f"{r.choice(WORDS)[:3]}-{r.randint(1000, 9999)}"
        if words & {"url", "uri", "link", "href", "website", "homepage", "avatar", "image"}:
            return by_format["url"]()
        if words & {"date", "birthday", "dob", "day"}:
            return by_format["date"]()
        if words & {"at", "time", "timestamp", "created", "updated", "modified", "expires"}:
            return by_format["date-time"]()
        if words & {"first", "given", "forename"}:
            return first
        if words & {"last", "surname", "family"}:
            return last
        if words & {"username", "login", "user", "handle", "nick", "nickname"}:
            return f"{first}{r.randint(1, 99)}".lower()
        if "name" in words and words & {"company", "org", "organization", "organisation"}:
            return r.choice(COMPANIES)
        if words & {"company", "organization", "organisation", "employer"}:
            return r.choice(COMPANIES)
        if "name" in words or "author" in words or "patient" in words:
            return f"{first} {last}"
        if "city" in words or "town" in words:
            return r.choice(CITIES)
        if "country" in words:
            return r.choice(COUNTRIES)
        if words & {"street", "address", "line"}:
            return f"{r.randint(1, 220)} {r.choice(STREETS)}"
        if words & {"zip", "postcode", "postal"}:
            return f"{r.randint(10000, 99999)}"
        if words & {"phone", "mobile", "tel", "fax"}:
            return f"+1 555 {r.randint(100, 999)} {r.randint(1000, 9999)}"
        if "currency" in words:
            return r.choice(("EUR", "USD", "GBP", "JPY"))
        if words & {"lang", "language", "locale"}:
            return r.choice(("en", "de", "fr", "pt", "ja"))
        if words & {"status", "state"}:
            return r.choice(STATUSES)
        if words & {"color", "colour"}:
            return f"#{r.getrandbits(24):06x}"
        if words & {"password", "secret", "token"}:
            return by_format["password"]()
        if words & {"description", "summary", "comment", "text", "body", "note", "message"}:
            return " ".join(r.choice(WORDS) for _ in range(6)).capitalize() + "."
        if words & {"title", "label", "subject", "headline"}:
            return " ".join(r.choice(WORDS) for _ in range(3)).title()
        return f"{r.choice(WORDS)} {r.choice(WORDS)}"

    def integer(
        self, path: str, name: str = "", low: int | None = None, high: int | None = None
    ) -> int:
        """A whole number plausible for ``name`` (an age, a count, an id) within bounds."""
        words = _words(name)
        if words & {"age"}:
            default = (18, 90)
        elif words & {"year"}:
            default = (1990, 2026)
        elif words & {"count", "quantity", "qty", "total", "size", "length", "number"}:
            default = (1, 50)
        elif "id" in words or name.lower().endswith("id"):
            default = (1, 9999)
        else:
            default = (1, 1000)
        lo, hi = _bounds(default, low, high)
        return self.rng(path).randint(int(lo), int(hi))

    def number(
        self, path: str, name: str = "", low: float | None = None, high: float | None = None
    ) -> float:
        """A decimal plausible for ``name`` (a price, a rating, a coordinate) within bounds."""
        words = _words(name)
        if words & {"lat", "latitude"}:
            default = (-80.0, 80.0)
        elif words & {"lon", "lng", "longitude"}:
            default = (-170.0, 170.0)
        elif words & {"rating", "score"}:
            default = (1.0, 5.0)
        else:
            default = (1.0, 500.0)
        lo, hi = _bounds(default, low, high)
        return min(hi, max(lo, round(self.rng(path).uniform(lo, hi), 2)))

    def boolean(self, path: str) -> bool:
        return self.rng(path).random() < 0.5

    def _moment(self, r: random.Random) -> datetime:
        return _EPOCH + timedelta(days=r.randint(-400, 400), seconds=r.randint(0, 86399))
