"""Fuzzy matching of names, ranked the way command palettes rank them (fzf, VS Code).

A query matches a name when its characters appear in the name in order, in any case
("gpl" matches "Get playlists"). Among the names that match, those whose matched
characters start words ("G"et "P"lay"L"ists) or run together ("play" in "playlists")
rank above those where the characters lie scattered inside words; then shorter names,
then the order the names were given in.

Why not a library: rapidfuzz and its kin score edit distance between whole strings,
which ranks "Get playlists" low for "gpl"; a palette wants subsequences with word-start
and run bonuses, and the matched positions to show them in bold.

:class:`FuzzyIndex` prepares the names once and narrows the candidates as a query
grows, so a keystroke over 5,000 names costs a few milliseconds
(tests/core/test_fuzzy.py measures it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Scores per matched character, after fzf's (algo.go): a match is worth SCORE_MATCH; a
# word start adds BONUS_BOUNDARY (BONUS_CAMEL for an upper-case letter after a lower-case
# one); a character right after the previous match adds at least BONUS_CONSECUTIVE (and
# as much as the word start its run began at); a gap costs GAP_START plus GAP_EXTENSION
# per further skipped character. The first query character's bonus counts twice.
SCORE_MATCH = 16
BONUS_BOUNDARY = 8
BONUS_CAMEL = 7
BONUS_CONSECUTIVE = 4
GAP_START = 3
GAP_EXTENSION = 1
BONUS_FIRST_MULTIPLIER = 2
# A name that starts with the whole query, or holds it as is, outranks one that only
# holds its characters.
BONUS_PREFIX = 12
BONUS_SUBSTRING = 6


# (-score, name length, name index, positions): sorts best first.
_Ranked = tuple[int, int, int, tuple[int, ...]]


@dataclass(frozen=True)
class FuzzyMatch:
    """Name ``index`` (in the order given) matched with ``score``; ``positions`` are the
    indexes of its matched characters, in order."""

    index: int
    score: int
    positions: tuple[int, ...]


# Word starts: a letter or digit at the start or after anything else (space, "/", "-",
# "_", "."), an upper-case letter after a lower-case one, a digit after a letter.
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]|(?<=[^\W\d_])\d|(?<=[a-z])[A-Z]")


def _bonuses(name: str) -> dict[int, int]:
    """The word starts of ``name`` and what a match there adds beyond SCORE_MATCH."""
    return {
        m.start(): BONUS_BOUNDARY
        if m.start() == 0 or not name[m.start() - 1].isalnum()
        else BONUS_CAMEL
        for m in _WORD_START.finditer(name)
    }


def _score(bonuses: dict[int, int], positions: Sequence[int]) -> int:
    score = 0
    previous = -2
    run_bonus = 0
    for i, at in enumerate(positions):
        bonus = bonuses.get(at, 0)
        if at == previous + 1:
            run_bonus = max(run_bonus, bonus, BONUS_CONSECUTIVE)
            bonus = run_bonus
        else:
            run_bonus = bonus
            if i:
                score -= GAP_START + GAP_EXTENSION * (at - previous - 2)
        score += SCORE_MATCH + (bonus * BONUS_FIRST_MULTIPLIER if i == 0 else bonus)
        previous = at
    return score


def _tight(folded: str, query: str, end: int) -> tuple[int, ...]:
    """fzf's first algorithm, given the earliest ``end`` of a match: the latest start
    before it, so the matched characters lie as close together as that end allows."""
    positions = []
    at = end
    for char in reversed(query):
        at = folded.rfind(char, 0, at + 1)
        positions.append(at)
        at -= 1
    positions.reverse()
    return tuple(positions)


def _word_starts(
    bonuses: dict[int, int], folded: str, query: str, latest: list[int]
) -> tuple[int, ...]:
    """Each query character at the next word start that still leaves room for the rest
    of the query (``latest``: the last place each may take), else right after the
    previous match, else at its next occurrence: the acronym reading ("gpl" on "Get
    playlists")."""
    positions: list[int] = []
    start = 0
    for i, char in enumerate(query):
        last = latest[i] + 1
        first = folded.find(char, start, last)
        chosen = first
        if not positions or first != positions[-1] + 1:
            at = first
            while at >= 0:
                if at in bonuses:
                    chosen = at
                    break
                at = folded.find(char, at + 1, last)
        positions.append(chosen)
        start = chosen + 1
    return tuple(positions)


def _substring(bonuses: dict[int, int], folded: str, query: str) -> tuple[int, ...] | None:
    """The query as is, at a word start when it occurs at one."""
    at = folded.find(query)
    if at < 0:
        return None
    first = at
    while at >= 0 and at not in bonuses:
        at = folded.find(query, at + 1)
    start = at if at >= 0 else first
    return tuple(range(start, start + len(query)))


def _best(bonuses: dict[int, int], folded: str, query: str) -> tuple[int, tuple[int, ...]] | None:
    """The best score of ``query`` in a name and where it matched, or None."""
    # The last place each query character may take (matching from the end): None
    # when the name does not hold the query's characters in order.
    latest = [0] * len(query)
    at = len(folded)
    for i in range(len(query) - 1, -1, -1):
        at = folded.rfind(query[i], 0, at)
        if at < 0:
            return None
        latest[i] = at
    acronym = _word_starts(bonuses, folded, query, latest)
    best = (_score(bonuses, acronym), acronym)
    if len(query) == 1:
        return best
    substring = _substring(bonuses, folded, query)
    if substring is not None:
        bonus = BONUS_PREFIX if substring[0] == 0 else BONUS_SUBSTRING
        return max(best, (_score(bonuses, substring) + bonus, substring))
    # The acronym reading is as good as it gets when each character starts a word or
    # follows the one before; else the tightest reading may score better.
    previous = -2
    for at in acronym:
        if at != previous + 1 and at not in bonuses:
            tight = _tight(folded, query, _earliest_end(folded, query))
            return max(best, (_score(bonuses, tight), tight))
        previous = at
    return best


def _earliest_end(folded: str, query: str) -> int:
    at = -1
    for char in query:
        at = folded.find(char, at + 1)
    return at


def fuzzy_match(query: str, name: str) -> FuzzyMatch | None:
    """``name`` scored against ``query``, or None when it does not match (an empty
    query matches every name, with score 0)."""
    folded_query = _fold(query.strip())
    if not folded_query:
        return FuzzyMatch(0, 0, ())
    found = _best(_bonuses(name), _fold(name), folded_query)
    return None if found is None else FuzzyMatch(0, found[0], found[1])


class FuzzyIndex:
    """Names to search again and again, as a palette does at each keystroke.

    Keeps the last query's matches: a query that extends it (one more letter typed)
    is only tried on those. Safe to search from several threads at once: that memory is
    one attribute, replaced whole.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._folded = [_fold(name) for name in self.names]
        self._bonuses = [_bonuses(name) for name in self.names]
        self._lengths = [len(name) for name in self.names]
        # Per name: each letter's first word start.
        self._initials = [
            {folded[at]: at for at in sorted(bonuses, reverse=True)}
            for folded, bonuses in zip(self._folded, self._bonuses, strict=True)
        ]
        self._last: tuple[str, list[int]] = ("", [])

    def __len__(self) -> int:
        return len(self.names)

    def search(self, query: str, limit: int | None = None) -> list[FuzzyMatch]:
        """The names matching ``query``, best first (at most ``limit``); an empty query
        gives every name, in order, unscored."""
        folded_query = _fold(query.strip())
        if not folded_query:
            count = len(self.names) if limit is None else min(limit, len(self.names))
            return [FuzzyMatch(index, 0, ()) for index in range(count)]
        last_query, last_hits = self._last
        if last_query and folded_query.startswith(last_query):
            candidates: Sequence[int] = last_hits
        else:
            candidates = range(len(self.names))
        if len(folded_query) == 1:
            ranked = self._rank_letter(folded_query, candidates)
        else:
            ranked = self._rank(folded_query, candidates)
        self._last = (folded_query, [entry[2] for entry in ranked])
        ranked.sort()  # best score, then shorter name, then given order
        chosen = ranked if limit is None else ranked[:limit]
        return [FuzzyMatch(index, -score, positions) for score, _, index, positions in chosen]

    def _rank(self, query: str, candidates: Sequence[int]) -> list[_Ranked]:
        ranked: list[_Ranked] = []
        lengths, folded, bonuses = self._lengths, self._folded, self._bonuses
        for index in candidates:
            found = _best(bonuses[index], folded[index], query)
            if found is not None:
                ranked.append((-found[0], lengths[index], index, found[1]))
        return ranked

    def _rank_letter(self, letter: str, candidates: Sequence[int]) -> list[_Ranked]:
        """One letter (the first keystroke, which nearly every name matches), scored as
        :func:`_best` would, without its general search: the letter's first word start,
        else its first occurrence."""
        ranked: list[_Ranked] = []
        lengths, folded, bonuses, initials = (
            self._lengths,
            self._folded,
            self._bonuses,
            self._initials,
        )
        for index in candidates:
            at = initials[index].get(letter)
            if at is not None:
                score = SCORE_MATCH + bonuses[index][at] * BONUS_FIRST_MULTIPLIER
            else:
                at = folded[index].find(letter)
                if at < 0:
                    continue
                score = SCORE_MATCH
            ranked.append((-score, lengths[index], index, (at,)))
        return ranked


def _fold(text: str) -> str:
    """``text`` in one case, keeping its length so positions map back to the name (a
    character whose folding is longer, "ß" -> "ss", stays as it is)."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f := c.casefold()) == 1 else c for c in text)
