"""Generated contract data: plausible for the field's name and type, the same for a seed."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from mock_servers.contracts.fake_data import FakeData


def test_the_same_seed_and_path_give_the_same_value_in_any_order() -> None:
    first, second = FakeData(seed=7), FakeData(seed=7)
    forwards = [first.string(f"User.{n}", n) for n in ("email", "name", "city")]
    backwards = [second.string(f"User.{n}", n) for n in ("city", "name", "email")]
    assert forwards == backwards[::-1]
    assert (
        FakeData(seed=8).string("User.email", "email") != forwards[0]
        or FakeData(seed=9).string("User.email", "email") != forwards[0]
    )


def test_values_are_plausible_for_their_names() -> None:
    fake = FakeData(seed=1)
    assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", fake.string("u.email", "email"))
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", fake.string("u.fullName", "fullName"))
    date.fromisoformat(fake.string("u.birthDate", "birthDate"))
    datetime.fromisoformat(fake.string("u.created_at", "created_at").replace("Z", "+00:00"))
    uuid.UUID(fake.string("u.uuid", "uuid"))
    assert fake.string("u.homepage", "homepage").startswith("https://")
    assert fake.string("u.status", "status") in {"active", "pending", "completed", "cancelled"}
    assert 18 <= fake.integer("u.age", "age") <= 90


def test_the_format_wins_over_the_name_and_bounds_are_kept() -> None:
    fake = FakeData(seed=3)
    datetime.fromisoformat(fake.string("x.name", "name", fmt="date-time").replace("Z", "+00:00"))
    assert all(5 <= fake.integer(f"n{i}", "count", low=5, high=6) <= 6 for i in range(20))
    assert all(fake.number(f"p{i}", "price", high=0.5) <= 0.5 for i in range(20))
    assert 2 <= fake.list_length("items") <= 4
