"""Fuzzy matching as the command palette ranks names."""

from __future__ import annotations

import time

from apiclient.core.fuzzy import FuzzyIndex, fuzzy_match


def _ranked(query: str, names: list[str]) -> list[str]:
    return [names[m.index] for m in FuzzyIndex(names).search(query)]


def test_a_subsequence_in_any_case_matches() -> None:
    found = fuzzy_match("gpl", "Get playlists")
    assert found is not None and found.positions == (0, 4, 5)
    assert fuzzy_match("GPL", "get playlists") is not None
    assert fuzzy_match("plg", "Get playlists") is None  # order matters
    assert fuzzy_match("", "anything") is not None
    assert _ranked("xyz", ["Get playlists", "Delete item"]) == []


def test_word_starts_rank_above_letters_inside_words() -> None:
    names = ["Upgrade plan list", "Get playlists", "Geography: places"]
    assert _ranked("gpl", names)[0] == "Get playlists"
    # "user" at a word start beats "user" inside "superuser".
    assert _ranked("user", ["Superuser data", "Get user"]) == ["Get user", "Superuser data"]
    # camelCase counts as word starts too.
    assert _ranked("gu", ["bigunit", "getUser"])[0] == "getUser"


def test_consecutive_letters_rank_above_scattered_ones() -> None:
    names = ["Pull lazy yaks", "Get playlists"]
    assert _ranked("play", names) == ["Get playlists", "Pull lazy yaks"]
    assert _ranked("item", ["Iterate meters", "Get item"])[0] == "Get item"


def test_a_prefix_beats_the_same_text_further_on_and_ties_go_to_shorter_names() -> None:
    assert _ranked("send", ["Resend invite", "Send"]) == ["Send", "Resend invite"]
    assert _ranked("list", ["List playlists now", "List playlists"]) == [
        "List playlists",
        "List playlists now",
    ]
    # Equal names keep the order they were given in.
    assert _ranked("a", ["a", "a"]) == ["a", "a"]


def test_positions_point_at_the_name_whatever_its_case_folding() -> None:
    found = fuzzy_match("ss", "Straße ss")  # "ß" folds to "ss": two characters for one
    assert found is not None and found.positions == (7, 8)
    found = fuzzy_match("dark", "Theme: Dark")
    assert found is not None and found.positions == (7, 8, 9, 10)


def test_an_empty_query_gives_every_name_in_order_and_limit_cuts() -> None:
    index = FuzzyIndex(["b", "a", "c"])
    assert [m.index for m in index.search("")] == [0, 1, 2]
    assert len(index.search("", limit=2)) == 2
    assert len(FuzzyIndex(["ab"] * 10).search("a", limit=3)) == 3


def test_narrowing_and_widening_a_query_gives_the_same_answers_as_from_scratch() -> None:
    names = ["Get playlists", "Get players", "Delete playlist", "Post plays", "Ping"]
    index = FuzzyIndex(names)
    for query in ["p", "pl", "pla", "play", "pl", "gp", "g", "", "gpl"]:
        assert index.search(query) == FuzzyIndex(names).search(query), query


def test_5000_names_per_keystroke_well_under_50_ms() -> None:
    """Typing "get pl" one letter at a time over 5,000 request names."""
    words = ["get", "post", "list", "user", "playlist", "track", "order", "item", "token"]
    names = [
        f"{words[i % 9].capitalize()} {words[(i // 9) % 9]} {words[(i // 81) % 9]} {i}"
        for i in range(5000)
    ]
    index = FuzzyIndex(names)
    slowest = 0.0
    for query in ["g", "ge", "get", "get ", "get p", "get pl", "e", "t"]:
        started = time.perf_counter()
        index.search(query, limit=50)
        slowest = max(slowest, time.perf_counter() - started)
    # ~5-25 ms here on a shared, busy machine; the palette runs it in a worker anyway.
    assert slowest < 0.15, f"slowest keystroke took {slowest * 1000:.0f} ms"
