"""Batch calls: one HTTP request carrying many operations, and what came back per item.

A :class:`~apiclient.core.models.BatchRequest` is either a JSON batch (rows from the
table or a CSV/JSON data file, mapped into ``{"operation": ..., "contacts": [...],
"options": {...}}``) or a ``multipart/mixed`` batch (one ``application/http`` part per
sub-request). This module turns a *resolved* batch call into bytes, sends them through
the REST engine (so auth, headers, TLS, timeouts, cookies and timings are the REST
tab's), and reads the answer as a per-item report or as sub-responses.

A data file path that is relative is read from ``base_dir``: the caller passes the
collection's root, so a collection that ships ``data/contacts.csv`` next to its
requests sends the same rows wherever it is checked out. Without ``base_dir`` a
relative path is relative to the working directory.

An answer that cannot be read as a batch result is not an error of the send: the raw
response is still worth showing, so the reason lands in ``BatchResponse.result_error``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from apiclient.core.models import BatchRequest, Body, KeyValue, RestRequest
from apiclient.protocols.batch_multipart import (
    SubRequest,
    SubResponse,
    build_multipart_batch,
    parse_multipart_batch,
)
from apiclient.protocols.batch_results import BatchResult, parse_batch_result
from apiclient.protocols.batch_rows import build_json_batch, load_rows_csv, load_rows_json
from apiclient.protocols.errors import BatchDataError, BatchResultError, RequestBuildError
from apiclient.protocols.rest import RestEngine, RestResponse

__all__ = [
    "BatchEngine",
    "BatchResponse",
    "build_batch_body",
    "data_file_path",
    "load_data_file",
    "parse_options",
    "table_rows",
]

JSON_CONTENT_TYPE = "application/json"
DATA_FILE_SUFFIXES = (".csv", ".json")


@dataclass(frozen=True)
class BatchResponse:
    """The answer to a batch call.

    ``result`` is the per-item report of a JSON batch, ``parts`` the sub-responses of a
    multipart one (empty for the other style). ``sent_items`` is how many items or parts
    were sent. ``result_error`` says why the answer could not be read as a batch result
    ("" when it could); ``response`` is then still the whole raw answer.
    """

    response: RestResponse
    result: BatchResult | None
    parts: tuple[SubResponse, ...]
    sent_items: int
    result_error: str = ""


# --- building ---------------------------------------------------------------------------


def parse_options(options_json: str) -> dict[str, object] | None:
    """The options object typed in the editor; None when the field is blank.

    Raises :class:`RequestBuildError` with the line and column of a syntax error, or when
    the JSON is not an object.
    """
    if not options_json.strip():
        return None
    try:
        options = json.loads(options_json)
    except json.JSONDecodeError as error:
        raise RequestBuildError(
            f"The options are not valid JSON: line {error.lineno}, column {error.colno}:"
            f' {error.msg}. Write an object such as {{"skip_duplicates": true}}, or leave'
            " the field empty for none."
        ) from None
    if not isinstance(options, dict):
        raise RequestBuildError(
            f'The options must be a JSON object such as {{"skip_duplicates": true}}, not'
            f" {json.dumps(options)[:40]}; leave the field empty for none."
        )
    return options


def table_rows(columns: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    """The rows typed into the table, one dict per row (column name -> cell).

    Rows whose cells are all blank are left out, as a CSV loader does. Raises
    :class:`BatchDataError` for a column without a name or with a name used twice.
    """
    seen: dict[str, int] = {}
    for number, name in enumerate(columns, start=1):
        if not name.strip():
            raise BatchDataError(
                f"Column {number} of the rows table has no name; name it or remove it.",
                column=number,
            )
        if name in seen:
            raise BatchDataError(
                f"Columns {seen[name]} and {number} of the rows table are both named"
                f" '{name}'; rename one of them.",
                column=number,
            )
        seen[name] = number
    out: list[dict[str, str]] = []
    for row in rows:
        cells = [*row, *[""] * (len(columns) - len(row))][: len(columns)]
        if any(cell.strip() for cell in cells):
            out.append(dict(zip(columns, cells, strict=True)))
    return out


def data_file_path(data_file: str, base_dir: Path | None = None) -> Path:
    """Where the data file is: a relative path is taken from ``base_dir`` when given."""
    path = Path(data_file.strip()).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def load_data_file(path: Path) -> list[dict[str, object]]:
    """Rows of a CSV or JSON data file, chosen by its suffix; blocking, run it in a worker.

    Raises :class:`BatchDataError` naming the file, row and column of what is wrong.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: list[dict[str, object]] = [dict(row) for row in load_rows_csv(path)]
        return rows
    if suffix == ".json":
        return load_rows_json(path)
    raise BatchDataError(
        f"{path.name}: the data file must be a .csv or .json file; rename it, or export"
        " the data as CSV (UTF-8).",
        path=path,
    )


def _mapping(rows: list[KeyValue]) -> dict[str, str] | None:
    enabled = {
        row.name.strip(): row.value.strip() for row in rows if row.enabled and row.name.strip()
    }
    return enabled or None


def _json_body(request: BatchRequest, base_dir: Path | None) -> tuple[bytes, int]:
    options = parse_options(request.options_json)
    if request.data_file.strip():
        rows: list[dict[str, object]] = load_data_file(data_file_path(request.data_file, base_dir))
    else:
        rows = [dict(row) for row in table_rows(request.columns, request.rows)]
    if not request.items_key.strip():
        raise RequestBuildError(
            'The items key is empty; name the array the server expects, e.g. "contacts".'
        )
    body = build_json_batch(
        rows,
        operation=request.operation,
        items_key=request.items_key.strip(),
        options=options,
        columns=_mapping(request.mapping),
    )
    return json.dumps(body, ensure_ascii=False).encode("utf-8"), len(rows)


def _sub_requests(request: BatchRequest) -> list[SubRequest]:
    """The enabled parts; each is sent with the Content-ID ``<part-N>`` (N its row in the
    parts table, disabled ones counted), which servers echo so answers match their parts."""
    return [
        SubRequest(
            method=part.method.strip().upper(),
            path=part.path.strip(),
            headers=tuple(
                (row.name.strip(), row.value)
                for row in part.headers
                if row.enabled and row.name.strip()
            ),
            body=part.body.encode("utf-8"),
            content_id=f"<part-{number}>",
        )
        for number, part in enumerate(request.parts, start=1)
        if part.enabled
    ]


def build_batch_body(request: BatchRequest, base_dir: Path | None = None) -> tuple[str, bytes, int]:
    """The ``Content-Type``, body and item count that sending ``request`` would use.

    Pure apart from reading the data file, so the editor's "Preview body" shows exactly
    what Send sends; run it in a worker when a data file is set. Raises
    :class:`RequestBuildError` (a :class:`BatchDataError` for the rows) saying what to fix.
    """
    if request.style == "multipart":
        parts = _sub_requests(request)
        content_type, body = build_multipart_batch(parts, host=urlsplit(request.url).netloc)
        return content_type, body, len(parts)
    body, count = _json_body(request, base_dir)
    return JSON_CONTENT_TYPE, body, count


# --- sending ----------------------------------------------------------------------------


def _rest_request(request: BatchRequest, content_type: str, body: bytes) -> RestRequest:
    """The batch as one REST request: the user's headers, auth and settings, the built body.

    A multipart body's boundary is in its Content-Type, so that header replaces any typed
    one; a JSON body keeps a typed Content-Type (``application/vnd.api+json``).
    """
    headers = list(request.headers)
    typed = any(
        row.enabled and row.name.strip().lower() == "content-type" for row in request.headers
    )
    if request.style == "multipart" or not typed:
        headers = [row for row in headers if row.name.strip().lower() != "content-type"]
        headers.append(KeyValue(name="Content-Type", value=content_type))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:  # only a header written as Latin-1 gets here
        raise RequestBuildError(
            f"The batch body has a byte that is not UTF-8 at offset {error.start}; keep"
            " the parts' headers to plain text."
        ) from None
    return RestRequest(
        name=request.name,
        method=request.method,
        url=request.url,
        headers=headers,
        body=Body(mode="raw", raw=text, language="json" if request.style == "json" else "text"),
        auth=request.auth,
        settings=request.settings,
    )


class BatchEngine:
    """Sends batch calls through a :class:`RestEngine` (its connections and cookie jar)."""

    def __init__(self, rest: RestEngine) -> None:
        self._rest = rest

    async def send(self, request: BatchRequest, *, base_dir: Path | None = None) -> BatchResponse:
        """Build (in a worker: a data file may be large), send and read one resolved batch.

        Raises :class:`RequestBuildError` before any traffic for bad rows, options or
        parts, and the REST engine's :class:`ProtocolError` subclasses for the exchange.
        An answer that is not a batch result is returned with ``result_error`` set.
        """
        content_type, body, count = await asyncio.to_thread(build_batch_body, request, base_dir)
        response = await self._rest.send(_rest_request(request, content_type, body))
        if request.style == "multipart":
            try:
                parts = await asyncio.to_thread(
                    parse_multipart_batch, response.header("content-type") or "", response.body
                )
            except BatchResultError as error:
                return BatchResponse(response, None, (), count, str(error))
            return BatchResponse(response, None, parts, count)
        try:
            result = await asyncio.to_thread(
                parse_batch_result, response.status_code, response.body
            )
        except BatchResultError as error:
            return BatchResponse(response, None, (), count, str(error))
        return BatchResponse(response, result, (), count)
