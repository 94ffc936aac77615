"""Bad CSV and JSON row files (Batch tab ▸ Import CSV/JSON…, "use file at send time")
and bad column mappings through the functions the batch call uses: each is a
BatchDataError naming the file, row and column; nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from clear_errors import params, refused

from apiclient.protocols.batch_rows import build_json_batch, load_rows_csv, load_rows_json

# (id, CSV content, fragment)
CSV_FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "is empty: expected a header row"),
    ("blank-lines", b"\n\n", "is empty"),
    ("ragged-row", b"a,b\n1,2,3\n", "row 2 has 3 cells but the header names 2 columns"),
    ("duplicate-header", b"a,a\n1,2\n", "the name 'a' is already used by column 1"),
    ("unnamed-column", b"a,\n1,2\n", "column 2 has no name"),
    ("latin-1", "a\ncafé\n".encode("latin-1"), "byte 0xe9 is not UTF-8"),
    ("utf-16", "a,b\n1,2\n".encode("utf-16"), "is not UTF-8"),
    ("png", b"\x89PNG\r\n\x1a\n", "byte 0x89 is not UTF-8"),
    ("unclosed-quote", b'a,b\n"1,2\n', "row 2: unexpected end of data"),
    ("huge-field", b"a\n" + b"x" * 200_000 + b"\n", "field larger than field limit"),
]
# (id, JSON content, fragment)
JSON_FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "is empty: expected a JSON array"),
    ("cut-short", b"{", "line 1, column 2"),
    ("a-number", b"5", "the document is a number"),
    ("object-without-a-list", b'{"a": 1}', "the document is an object"),
    ("numbers", b"[1, 2]", "item 1 (index 0) is a number"),
    ("second-item-bad", b'[{"a": 1}, 5]', "item 2 (index 1)"),
    ("latin-1", '[{"a": "café"}]'.encode("latin-1"), "byte 0xe9 is not UTF-8"),
    ("deeply-nested", b"[" * 100_000, "too deeply"),
]
# (id, (rows, column mapping), fragment)
MAPPINGS: list[tuple[str, tuple[list[dict[str, object]], dict[str, str]], str]] = [
    ("unknown-type", ([{"age": "1"}], {"age": "age:date"}), "asks for the type 'date'"),
    ("two-columns-one-field", ([{"a": "1", "b": "2"}], {"a": "x", "b": "x"}), "both mapped"),
    ("not-an-int", ([{"age": "old"}], {"age": "age:int"}), "'old' is not a whole number"),
    ("not-a-float", ([{"w": "heavy"}], {"w": "w:float"}), "Row 1, column 'w'"),
    ("not-a-bool", ([{"ok": "maybe"}], {"ok": "ok:bool"}), "is not true/false"),
    ("missing-column", ([{"a": "1"}], {"zz": "zz"}), "which no row has"),
    ("no-rows", ([], {}), "There are no rows to send"),
]
CASES = [*CSV_FILES, *JSON_FILES, *MAPPINGS]


@pytest.mark.parametrize(("content", "fragment"), params(CSV_FILES))
def test_a_bad_csv_file_is_refused_naming_row_and_column(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(content)
    refused(lambda: load_rows_csv(path), fragment)


@pytest.mark.parametrize(("content", "fragment"), params(JSON_FILES))
def test_a_bad_json_rows_file_is_refused_naming_the_place(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "rows.json"
    path.write_bytes(content)
    refused(lambda: load_rows_json(path), fragment)


@pytest.mark.parametrize(("given", "fragment"), params(MAPPINGS))
def test_a_bad_column_mapping_is_refused_before_sending(
    given: tuple[list[dict[str, object]], dict[str, str]], fragment: str
) -> None:
    rows, columns = given
    refused(lambda: build_json_batch(rows, operation="create", columns=columns), fragment)
