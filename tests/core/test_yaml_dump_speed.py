"""``yaml_text.dump`` writes collection files without PyYAML's emitter, and its text is
the text PyYAML's emitter writes, byte for byte: files in people's git repositories
must not change when the app saves them again.

The reference below is the dumper collection files were always written with, frozen
here on the unmodified ``yaml.SafeDumper``. The documents compared are those the
importers make from the shared corpus, the sample collection's files, and thousands of
random strings (control characters, breaks, quotes, indicators, surrogates, words the
resolver reads as numbers or booleans...). Each is also written by the fast writer
directly, so that a fallback to PyYAML cannot hide a difference.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiclient.core import yaml_text
from apiclient.core.collection_writer import write_collection
from apiclient.core.importers import CollectionImportError
from apiclient.core.importers.detect import import_any
from apiclient.core.paths import resources_dir
from apiclient.core.secrets import SecretStore

CORPUS = Path("/work/shared/corpus")
SAMPLE = resources_dir() / "sample-collection"


class _Reference(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _reference_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if re.search("[\ud800-\udfff]", value):
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    style = None
    if any(ch in value for ch in ("\r", "\x85", "\u2028", "\u2029")):
        style = '"'
    elif "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Reference.add_representer(str, _reference_str)


def reference(doc: Any) -> str:
    text: str = yaml.dump(
        doc, Dumper=_Reference, sort_keys=False, allow_unicode=True, width=1 << 30, indent=2
    )
    return text


def fast(doc: Any) -> str:
    """The fast writer alone (``dump`` would fall back to PyYAML where it gives up)."""
    return yaml_text._BlockWriter().document(doc)


def assert_same(doc: Any) -> None:
    expected = reference(doc)
    assert fast(doc) == expected
    assert yaml_text.dump(doc) == expected


# ---- strings ---------------------------------------------------------------------------

PIECES = [
    *"aZ09 \n\t\r#:-?,[]{}&*!|>'\"%@`.~=<\\/+_",
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\xa0", "é", "日", "\u200b",
    "\u2028", "\u2029", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\ud800", "\udfff",
    "\ud83d\ude00", "\U0001f600", "\U0010fffe", "\U0010ffff", "\ue000", "\ud7ff",
    "---", "...", "- ", ": ", " #", "yes", "No", "on", "OFF", "null", "Null", "~",
    "true", "1e3", "0x1F", "0o17", "0b101", "+1", "-1", ".5", ".inf", "-.Inf", ".NaN",
    "1_000", "12:30:45", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "{{base}}",
    "  ", "\n\n", " \n", "\n ",
]  # fmt: skip
WORDS = [
    "", " ", "\n", "\t", "yes", "null", "NULL", "~", "1e3", "0x1F", "1.0", "-", "- a",
    "? a", ":", "a:", "a: b", "#", "a #b", "a#b", "'", '"', "---", "...", "--- a",
    "\ufeff", "=", "<<", "0", "-0", "+.inf", "2020-01-01", "a\n", "a\n\n", "\na", " a",
    "a ", "a\nb ", "a \nb", "a\n b", "a\r\nb", "x" * 10_000, "k" * 122, "k" * 123,
]  # fmt: skip


def random_string(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(WORDS)
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 9)))


def random_key(rng: random.Random) -> str:
    """Mostly a key the fast writer writes: one line, not empty."""
    key = random_string(rng)
    if rng.random() < 0.9:
        key = re.sub("[\n\x85\u2028\u2029]", "", key) or "k"
    return key


def random_scalar(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.8:
        return random_string(rng)
    return rng.choice(
        [None, True, False, 0, -7, 10**30, 1.5, -0.0, 1e17, 1e-7, float("inf"), -1e400]
    )


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.6:
        return random_scalar(rng)
    if roll < 0.8:
        return {random_key(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def emitter_analysis(text: str) -> tuple[bool, bool, bool, bool, bool]:
    emitter = yaml.emitter.Emitter(None, allow_unicode=True)
    found = emitter.analyze_scalar(text)
    return (
        found.empty,
        found.multiline,
        found.allow_block_plain,
        found.allow_single_quoted,
        found.allow_block,
    )


def test_scalar_analysis_is_the_emitters() -> None:
    rng = random.Random(14)
    texts = PIECES + WORDS + [random_string(rng) for _ in range(12_000)]
    texts += [a + b for a in PIECES for b in PIECES]
    for text in texts:
        mine = yaml_text._Analysis(text)
        assert (
            mine.empty,
            mine.multiline,
            mine.allow_plain,
            mine.allow_single_quoted,
            mine.allow_block,
        ) == emitter_analysis(text), repr(text)


def assert_same_unless_left_to_pyyaml(doc: Any) -> bool:
    """Whether the fast writer wrote ``doc`` (else PyYAML did, through ``dump``)."""
    expected = reference(doc)
    assert yaml_text.dump(doc) == expected, repr(doc)
    try:
        mine = fast(doc)
    except yaml_text._Unsupported:
        return False  # an empty, long or multi-line key: PyYAML writes a "? " key
    assert mine == expected, repr(doc)
    return True


def test_every_word_as_key_and_value() -> None:
    for word in PIECES + WORDS:
        assert_same({"k": word, "l": ["x", word, {"n": word}], "z": [[word]], "e": [{}]})
        assert_same_unless_left_to_pyyaml({word: [word], "k": {word: word}})


def test_random_documents_are_written_as_pyyaml_writes_them() -> None:
    rng = random.Random(2026)
    written = 0
    for _ in range(300):
        doc = {random_key(rng): random_value(rng, 0) for _ in range(rng.randint(1, 8))}
        written += assert_same_unless_left_to_pyyaml(doc)
    assert written > 100


scalars = st.one_of(
    st.text(),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
)
documents = st.dictionaries(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
    st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=12,
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_generated_documents_are_written_as_pyyaml_writes_them(doc: dict[str, Any]) -> None:
    assert_same_unless_left_to_pyyaml(doc)


# ---- documents of real collections -------------------------------------------------------


def test_a_typical_request_is_written_by_the_fast_writer() -> None:
    doc = {
        "kind": "rest",
        "name": "Get user 5",
        "description": "GET one user.\n\n## Notes\n\n  indented\n",
        "url": "{{base}}/users/5",
        "params": [{"name": "expand", "value": "details"}, {"name": "n", "value": "007"}],
        "headers": [],
        "body": {"mode": "json", "text": '{\n  "id": 1\n}'},
        "checks": [{"expected": "200"}, {"expected": 200}, {"enabled": False}],
        "timeout": 2.5,
        "retries": None,
    }
    assert_same(doc)
    assert yaml_text.load(fast(doc)) == doc


def test_documents_pyyaml_writes_itself() -> None:
    shared = {"a": 1}
    cases: list[Any] = [
        {},
        ["a"],
        "text",
        {"": "empty key"},
        {"line\nbreak": 1},
        {"k" * 123: 1},
        {1: "int key"},
        {"twice": shared, "again": shared},
        {"tuple": (1, 2)},
        {"ends kept": "a\n\n"},
    ]
    for doc in cases:
        assert yaml_text.dump(doc) == reference(doc)
    with pytest.raises(yaml.YAMLError):
        yaml_text.dump({"object": object()})


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(path for path in CORPUS.rglob("*") if path.is_file())


@pytest.mark.skipif(not _corpus_files(), reason="the shared corpus is not on this machine")
def test_imported_corpus_files_are_written_as_pyyaml_writes_them(tmp_path: Path) -> None:
    compared = 0
    for number, path in enumerate(_corpus_files()):
        try:
            result = import_any(path)
        except CollectionImportError:
            continue  # not a file an importer reads
        dest = tmp_path / f"c{number}"
        write_collection(result.collection, dest, SecretStore(tmp_path / f"s{number}.json"))
        for written in sorted(dest.rglob("*.yaml")):
            text = written.read_text(encoding="utf-8")
            doc = yaml_text.load(text)
            assert reference(doc) == text, written
            assert fast(doc) == text, written
            compared += 1
    assert compared > 100


def test_sample_collection_files_are_written_as_pyyaml_writes_them() -> None:
    files = sorted(SAMPLE.rglob("*.yaml"))
    assert files
    for path in files:
        doc = yaml_text.load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc:
            assert_same(doc)
