"""Rows for a batch endpoint: load them from CSV or JSON, map them into one JSON body.

A batch call carries many operations in one request, e.g. ``{"operation": "create",
"contacts": [...], "options": {...}}``. The rows come from the batch table or from a
file; every problem is a :class:`BatchDataError` naming the file, row and column, so
the user can fix the data before anything is sent. Sending stays with the REST engine.

Values stay as loaded: a CSV cell is a string even when it looks like a number, a list
or a boolean, because guessing turns ZIP codes and phone numbers into numbers. The
column mapping of :func:`build_json_batch` asks for a type explicitly (``"age:int"``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from apiclient.protocols.errors import BatchDataError

__all__ = [
    "FIELD_TYPES",
    "BatchDataError",
    "build_json_batch",
    "load_rows_csv",
    "load_rows_json",
]

# The types a column mapping may ask for, after a colon: "age:int".
FIELD_TYPES = ("str", "int", "float", "bool", "list")
LIST_SEPARATOR = ";"
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off"})
_DELIMITERS = (",", ";", "\t")


# --- reading files ----------------------------------------------------------------------


def _read_text(path: Path, *, unit: str = "row") -> str:
    """The file as text (UTF-8, with or without a BOM); bad bytes are located by
    ``unit`` (CSV rows, JSON lines) and column."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise BatchDataError(f"Cannot read {path}: {reason}.", path=path) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        hint = " (in Excel: 'CSV UTF-8')" if unit == "row" else ""
        start = error.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        raise BatchDataError(
            f"{path.name}: {unit} {line}, column {column}: byte 0x{data[start]:02x} is not"
            f" UTF-8. Save the file as UTF-8{hint} and load it again.",
            path=path,
            row=line,
            column=column,
        ) from None


def _delimiter(header_line: str) -> str:
    """The delimiter the header uses most (comma, semicolon or tab); comma on a tie."""
    return max(_DELIMITERS, key=header_line.count) if header_line else ","


def load_rows_csv(path: Path) -> list[dict[str, str]]:
    """Load a CSV file with a header row into one dict per data row (header -> cell).

    The delimiter is the one of ``,``/``;``/tab the header line uses most. Blank rows
    (no cells, or only empty ones) are skipped. Raises :class:`BatchDataError` for an
    empty file, a blank or duplicate header name, a row with more or fewer cells than
    the header, bad quoting, or bytes that are not UTF-8; ``row`` is the row in the file
    (the header is row 1, a row is one line unless a quoted cell holds a line break).
    """
    text = _read_text(path)
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        raise BatchDataError(
            f"{path.name} is empty: expected a header row naming the columns, then one row"
            " per item.",
            path=path,
        )
    source = io.StringIO(text, newline="")
    reader = csv.reader(source, delimiter=_delimiter(first_line), strict=True)
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    row_number = 0
    while True:
        row_number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise BatchDataError(
                f"{path.name}: row {row_number}: {error}. Check the quotes in that row.",
                path=path,
                row=row_number,
            ) from None
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _check_header(path, row_number, cells)
            continue
        if len(cells) != len(header):
            _raise_ragged(path, row_number, header, cells)
        rows.append(dict(zip(header, cells, strict=True)))
    if header is None:  # pragma: no cover - a non-blank text always yields a row
        raise BatchDataError(f"{path.name} has no header row.", path=path)
    return rows


def _check_header(path: Path, row: int, cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name:
            raise BatchDataError(
                f"{path.name}: row {row} (the header), column {number} has no name. Name"
                " every column, or delete the empty one.",
                path=path,
                row=row,
                column=number,
            )
        if name in seen:
            raise BatchDataError(
                f"{path.name}: row {row} (the header), column {number}: the name '{name}'"
                f" is already used by column {seen[name]}. Rename one of them.",
                path=path,
                row=row,
                column=number,
            )
        seen[name] = number
    return names


def _raise_ragged(path: Path, row: int, header: list[str], cells: list[str]) -> None:
    if len(cells) > len(header):
        column = len(header) + 1
        raise BatchDataError(
            f"{path.name}: row {row} has {len(cells)} cells but the header names"
            f" {len(header)} columns; column {column} ({cells[len(header)]!r}) has no"
            " header. Quote cells that contain the delimiter, or name the extra column.",
            path=path,
            row=row,
            column=column,
        )
    column = len(cells) + 1
    raise BatchDataError(
        f"{path.name}: row {row} has {len(cells)} cells but the header names"
        f" {len(header)} columns; column {column} ('{header[len(cells)]}') is missing."
        " Add the missing cells (they may be empty).",
        path=path,
        row=row,
        column=column,
    )


def load_rows_json(path: Path) -> list[dict[str, object]]:
    """Load a JSON array of objects, or an object holding exactly one array of objects
    (``{"contacts": [...]}``), into one dict per item, values as parsed.

    Raises :class:`BatchDataError` with the line and column of a syntax error, or the
    ``index`` of an item that is not an object.
    """
    text = _read_text(path, unit="line")
    if not text.strip():
        raise BatchDataError(
            f"{path.name} is empty: expected a JSON array of objects, one per item.", path=path
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BatchDataError(
            f"{path.name}: line {error.lineno}, column {error.colno}: {error.msg}.",
            path=path,
            row=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise BatchDataError(
            f"{path.name} nests its JSON too deeply to be read: expected an array of objects.",
            path=path,
        ) from None
    rows: list[dict[str, object]] = []
    for index, item in enumerate(_items_of(path, document)):
        if not isinstance(item, dict):
            raise BatchDataError(
                f"{path.name}: item {index + 1} (index {index}) is {_kind(item)}, not an"
                ' object. Each item must be an object such as {"email": "..."}.',
                path=path,
                index=index,
            )
        rows.append(item)
    return rows


def _items_of(path: Path, document: object) -> list[object]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        arrays = [key for key, value in document.items() if isinstance(value, list)]
        if len(arrays) == 1:
            return document[arrays[0]]
        if arrays:
            names = ", ".join(f"'{key}'" for key in arrays)
            raise BatchDataError(
                f"{path.name}: the object holds several arrays ({names}); expected one"
                " array of items. Keep only the array of items, or load it as an array.",
                path=path,
            )
    raise BatchDataError(
        f"{path.name}: the document is {_kind(document)}; expected an array of objects, or"
        " an object holding one array of objects.",
        path=path,
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# --- building the body ------------------------------------------------------------------


def _parse_mapping(columns: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(source column, JSON field, type)`` for each mapping entry, checked."""
    parsed: list[tuple[str, str, str]] = []
    fields: dict[str, str] = {}
    for source, target in columns.items():
        field, _, kind = target.partition(":")
        field = field.strip() or source
        kind = kind.strip().lower() or "str"
        if kind not in FIELD_TYPES:
            raise BatchDataError(
                f"The mapping of column '{source}' asks for the type '{kind}'; use one of"
                f" {', '.join(FIELD_TYPES)} (as in 'age:int').",
                column=source,
            )
        if field in fields:
            raise BatchDataError(
                f"Columns '{fields[field]}' and '{source}' are both mapped to the field"
                f" '{field}'; map each field once.",
                column=source,
            )
        fields[field] = source
        parsed.append((source, field, kind))
    return parsed


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(value: object, kind: str, row: int, column: str) -> object:
    """``value`` as ``kind``; a value already of that type (from JSON) is kept."""
    if kind == "str":
        return value
    if not isinstance(value, str):
        if kind == "list" and isinstance(value, list):
            return value
        if kind == "bool" and isinstance(value, bool):
            return value
        if (
            kind in ("int", "float")
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            if kind == "int" and isinstance(value, float) and not value.is_integer():
                raise _bad_value(value, "a whole number", row, column)
            return int(value) if kind == "int" else float(value)
        raise _bad_value(value, _WANTED[kind], row, column)
    text = value.strip()
    if kind == "list":
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if kind == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise _bad_value(value, _WANTED[kind], row, column)
    try:
        number = int(text) if kind == "int" else float(text)
    except ValueError:
        raise _bad_value(value, _WANTED[kind], row, column) from None
    if isinstance(number, float) and not math.isfinite(number):
        raise _bad_value(value, _WANTED[kind], row, column)
    return number


_WANTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true/false (or yes/no, 1/0)",
    "list": f"a list of values separated by '{LIST_SEPARATOR}'",
}


def _bad_value(value: object, wanted: str, row: int, column: str) -> BatchDataError:
    return BatchDataError(
        f"Row {row}, column '{column}': {value!r} is not {wanted}. Fix the value, or map the"
        " column without a type to send it as text.",
        row=row,
        column=column,
    )


def build_json_batch(
    rows: Sequence[Mapping[str, object]],
    *,
    operation: str,
    items_key: str = "contacts",
    options: Mapping[str, object] | None = None,
    columns: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """The JSON body ``{"operation": ..., items_key: [...], "options": {...}}``.

    Without ``columns`` every column is sent under its own name. With it, only the
    mapped columns are sent, in mapping order: ``{"E-mail": "email", "Age": "age:int"}``
    maps a source column to a JSON field, optionally with a type after a colon: ``str``
    (the default), ``int``, ``float``, ``bool`` (true/false, yes/no, 1/0, on/off) or
    ``list`` (split on ``;``, items trimmed). An empty field name keeps the column's
    name (``"tags": ":list"``). Empty cells (blank strings, JSON null) are dropped, so
    the server applies its defaults. ``options`` is added only when given.

    Raises :class:`BatchDataError` (``row`` 1-based within ``rows``, ``column`` the
    source column's name) for no rows, a mapped column no row has, an unknown type or a
    value that does not convert.
    """
    if not operation.strip():
        raise BatchDataError("The batch operation is empty; choose one such as 'create'.")
    if not rows:
        raise BatchDataError("There are no rows to send; add rows or load a CSV or JSON file.")
    mapping = _parse_mapping(columns) if columns is not None else None
    if mapping is not None:
        present = {name for row in rows for name in row}
        for source, _, _ in mapping:
            if source not in present:
                known = ", ".join(f"'{name}'" for name in sorted(present)) or "none"
                raise BatchDataError(
                    f"The mapping names the column '{source}', which no row has"
                    f" (columns: {known}).",
                    column=source,
                )
    items: list[dict[str, object]] = []
    for number, row in enumerate(rows, start=1):
        item: dict[str, object] = {}
        if mapping is None:
            for name, value in row.items():
                if not _is_empty(value):
                    item[name] = value
        else:
            for source, field, kind in mapping:
                value = row.get(source)
                if not _is_empty(value):
                    item[field] = _convert(value, kind, number, source)
        items.append(item)
    body: dict[str, object] = {"operation": operation.strip(), items_key: items}
    if options is not None:
        body["options"] = dict(options)
    return body
