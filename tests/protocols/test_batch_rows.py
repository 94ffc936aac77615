"""Batch rows: CSV and JSON files into rows, rows into one JSON batch body."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from apiclient.protocols.batch_rows import build_json_batch, load_rows_csv, load_rows_json
from apiclient.protocols.errors import BatchDataError, RequestBuildError


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


# --- CSV ---------------------------------------------------------------------------------


def test_csv_rows_keep_text_and_quotes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "contacts.csv",
        'email,first_name,tags,zip\r\nada@example.com,Ada,"vip;beta",01234\r\n'
        '"grace@example.com","Grace ""Amazing""",,\r\n',
    )
    assert load_rows_csv(path) == [
        {"email": "ada@example.com", "first_name": "Ada", "tags": "vip;beta", "zip": "01234"},
        {"email": "grace@example.com", "first_name": 'Grace "Amazing"', "tags": "", "zip": ""},
    ]


def test_csv_with_bom_semicolons_blank_rows_and_quoted_line_breaks(tmp_path: Path) -> None:
    text = '\ufeffemail;note\n\nada@example.com;"line one\nline two"\n;\n'
    rows = load_rows_csv(_write(tmp_path, "excel.csv", text))
    assert rows == [{"email": "ada@example.com", "note": "line one\nline two"}]


def test_csv_tab_separated_and_header_only(tmp_path: Path) -> None:
    assert load_rows_csv(_write(tmp_path, "a.tsv", "a\tb\n1\t2\n")) == [{"a": "1", "b": "2"}]
    assert load_rows_csv(_write(tmp_path, "h.csv", "a,b\n")) == []


def test_csv_row_with_too_many_cells_names_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "email,name\na@x.io,A\nb@x.io,B,extra\n")
    with pytest.raises(BatchDataError) as caught:
        load_rows_csv(path)
    error = caught.value
    assert (error.path, error.row, error.column) == (path, 3, 3)
    assert "row 3" in str(error) and "column 3" in str(error) and "'extra'" in str(error)
    assert isinstance(error, RequestBuildError)


def test_csv_row_with_too_few_cells_names_the_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "short.csv", "email,name,company\na@x.io,A,Acme\nb@x.io\n")
    with pytest.raises(BatchDataError) as caught:
        load_rows_csv(path)
    assert (caught.value.row, caught.value.column) == (3, 2)
    assert "row 3" in str(caught.value) and "column 2 ('name') is missing" in str(caught.value)


def test_csv_bad_encoding_names_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "latin1.csv", "email,name\na@x.io,Zoë\n".encode("latin-1"))
    with pytest.raises(BatchDataError) as caught:
        load_rows_csv(path)
    assert (caught.value.row, caught.value.column) == (2, 10)
    assert "row 2, column 10" in str(caught.value) and "UTF-8" in str(caught.value)


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff"])
def test_csv_empty_file(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, "empty.csv", text)
    with pytest.raises(BatchDataError, match=r"empty\.csv is empty: expected a header row"):
        load_rows_csv(path)


def test_csv_duplicate_and_blank_header_names(tmp_path: Path) -> None:
    with pytest.raises(BatchDataError) as caught:
        load_rows_csv(_write(tmp_path, "dup.csv", "email,name, email\n1,2,3\n"))
    assert (caught.value.row, caught.value.column) == (1, 3)
    assert "'email' is already used by column 1" in str(caught.value)
    with pytest.raises(BatchDataError) as caught:
        load_rows_csv(_write(tmp_path, "blank.csv", "email,,name\n1,2,3\n"))
    assert (caught.value.row, caught.value.column) == (1, 2)
    assert "column 2 has no name" in str(caught.value)


def test_csv_bad_quoting_names_the_row(tmp_path: Path) -> None:
    with pytest.raises(BatchDataError) as caught:
        load_rows_csv(_write(tmp_path, "q.csv", 'a,b\n1,2\n"x"y,3\n'))
    assert caught.value.row == 3 and "row 3" in str(caught.value)


def test_csv_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(BatchDataError, match=r"Cannot read .*nope\.csv") as caught:
        load_rows_csv(path)
    assert caught.value.path == path


def test_ten_thousand_row_csv_loads_quickly(tmp_path: Path) -> None:
    lines = ["email,first_name,last_name,company,phone,tags"]
    lines += [
        f'user{n}@example.com,First{n},Last{n},"Company {n}, Inc.",+1 555 {n:07d},a;b;c'
        for n in range(10_000)
    ]
    path = _write(tmp_path, "big.csv", "\r\n".join(lines) + "\r\n")
    started = time.perf_counter()
    rows = load_rows_csv(path)
    body = build_json_batch(rows, operation="create", columns={"email": "email", "tags": ":list"})
    elapsed = time.perf_counter() - started
    assert len(rows) == 10_000 and rows[-1]["company"] == "Company 9999, Inc."
    assert body["contacts"][0] == {"email": "user0@example.com", "tags": ["a", "b", "c"]}
    print(f"10,000-row CSV loaded and mapped in {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0


# --- JSON --------------------------------------------------------------------------------


def test_json_array_and_wrapped_array(tmp_path: Path) -> None:
    items = [{"email": "a@x.io", "age": 3, "tags": ["vip"]}, {"email": "b@x.io"}]
    assert load_rows_json(_write(tmp_path, "a.json", json.dumps(items))) == items
    wrapped = {"contacts": items, "meta": {"exported": "today"}}
    assert load_rows_json(_write(tmp_path, "w.json", json.dumps(wrapped))) == items


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.json", '[\n  {"email": "a@x.io"},\n  {"email": }\n]\n')
    with pytest.raises(BatchDataError) as caught:
        load_rows_json(path)
    assert (caught.value.row, caught.value.column) == (3, 13)
    assert "bad.json: line 3, column 13: Expecting value" in str(caught.value)


def test_json_item_that_is_not_an_object_names_its_index(tmp_path: Path) -> None:
    path = _write(tmp_path, "items.json", '[{"email": "a@x.io"}, "b@x.io"]')
    with pytest.raises(BatchDataError) as caught:
        load_rows_json(path)
    assert caught.value.index == 1
    assert "item 2 (index 1) is a string, not an object" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": [], "b": []}', "several arrays ('a', 'b')"),
        ('{"a": 1}', "the document is an object; expected an array"),
        ("42", "the document is a number"),
        ("", "is empty"),
    ],
)
def test_json_documents_of_the_wrong_shape(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(BatchDataError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_rows_json(_write(tmp_path, "x.json", text))


def test_json_bad_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.json", b'[{"name": "Zo\xeb"}]')
    with pytest.raises(BatchDataError, match="line 1, column 14: byte 0xeb is not UTF-8"):
        load_rows_json(path)


# --- building the body --------------------------------------------------------------------


def test_build_without_mapping_keeps_names_and_strings_and_drops_empty_cells() -> None:
    rows = [{"email": "a@x.io", "age": "42", "tags": '["x"]', "vip": "true", "phone": " "}]
    body = build_json_batch(rows, operation="create", options={"dry_run": True})
    assert body == {
        "operation": "create",
        "contacts": [{"email": "a@x.io", "age": "42", "tags": '["x"]', "vip": "true"}],
        "options": {"dry_run": True},
    }
    assert list(body) == ["operation", "contacts", "options"]
    assert "options" not in build_json_batch(rows, operation="create")


def test_build_with_mapping_renames_converts_and_selects() -> None:
    rows = [
        {
            "E-mail": "a@x.io",
            "Age": " 42 ",
            "Tags": "vip; beta;;",
            "VIP": "Yes",
            "Score": "1.5",
            "x": "1",
        },
        {"E-mail": "b@x.io", "Age": "", "Tags": "", "VIP": "0", "Score": "-2e3", "x": "2"},
    ]
    columns = {
        "E-mail": "email",
        "Age": "age:int",
        "Tags": "tags:list",
        "VIP": "vip:bool",
        "Score": ":float",
    }
    body = build_json_batch(rows, operation="upsert", items_key="items", columns=columns)
    assert body == {
        "operation": "upsert",
        "items": [
            {"email": "a@x.io", "age": 42, "tags": ["vip", "beta"], "vip": True, "Score": 1.5},
            {"email": "b@x.io", "vip": False, "Score": -2000.0},
        ],
    }


def test_build_keeps_json_typed_values_and_drops_null() -> None:
    rows: list[dict[str, object]] = [
        {"email": "a@x.io", "age": 7, "tags": ["a"], "vip": False, "n": None}
    ]
    body = build_json_batch(
        rows,
        operation="create",
        columns={"email": "email", "age": "age:int", "tags": ":list", "vip": ":bool", "n": "n"},
    )
    assert body["contacts"] == [{"email": "a@x.io", "age": 7, "tags": ["a"], "vip": False}]


@pytest.mark.parametrize(
    ("value", "kind", "wanted"),
    [
        ("4x", "int", "a whole number"),
        ("1.5", "int", "a whole number"),
        ("maybe", "bool", "true/false"),
        ("nan", "float", "a number"),
        ("abc", "float", "a number"),
    ],
)
def test_build_value_that_does_not_convert_names_row_and_column(
    value: str, kind: str, wanted: str
) -> None:
    rows = [
        {"email": "a@x.io", "v": "1" if kind != "bool" else "yes"},
        {"email": "b@x.io", "v": value},
    ]
    with pytest.raises(BatchDataError) as caught:
        build_json_batch(rows, operation="create", columns={"v": f"value:{kind}"})
    assert (caught.value.row, caught.value.column, caught.value.path) == (2, "v", None)
    assert f"Row 2, column 'v': {value!r} is not {wanted}" in str(caught.value)


def test_build_mapping_errors() -> None:
    rows = [{"email": "a@x.io", "age": "1"}]
    with pytest.raises(BatchDataError, match="type 'date'; use one of str, int, float, bool, list"):
        build_json_batch(rows, operation="create", columns={"age": "age:date"})
    with pytest.raises(BatchDataError, match="names the column 'emial', which no row has"):
        build_json_batch(rows, operation="create", columns={"emial": "email"})
    with pytest.raises(
        BatchDataError, match="'email' and 'age' are both mapped to the field 'email'"
    ):
        build_json_batch(rows, operation="create", columns={"email": "email", "age": "email"})
    with pytest.raises(BatchDataError, match="no rows to send"):
        build_json_batch([], operation="create")
    with pytest.raises(BatchDataError, match="operation is empty"):
        build_json_batch(rows, operation=" ")


def test_csv_round_trip_into_the_mock_contract(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "import.csv",
        "Email,First name,Last name,Tags\n"
        "ada@example.com,Ada,Lovelace,vip;math\n"
        "alan@example.com,Alan,,\n",
    )
    columns = {
        "Email": "email",
        "First name": "first_name",
        "Last name": "last_name",
        "Tags": "tags:list",
    }
    body = build_json_batch(load_rows_csv(path), operation="create", columns=columns)
    text = json.dumps(body)
    assert json.loads(text)["contacts"] == [
        {
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "tags": ["vip", "math"],
        },
        {"email": "alan@example.com", "first_name": "Alan"},
    ]
