"""Read the per-item report a JSON batch endpoint answers with, for the results table.

The shape is the one CRMs use for spreadsheet imports (and the bundled mock's
``POST /api/v1/contacts/batch``)::

    {"processed": 3, "created": 1, "updated": 0, "skipped": 1, "failed": 1,
     "results": [{"index": 0, "status": "created", "id": 7, "email": "ada@example.com",
                  "errors": [{"field": "email", "message": "..."}]}, ...]}

answered with 200 (all succeeded), 207 (some failed) or 422 (all failed). Totals the
server leaves out are counted from ``results``. Anything else, including a request
refused as a whole (``{"error": "..."}``), is a :class:`BatchResultError` whose message
says what the server said or what was expected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from apiclient.protocols.errors import BatchResultError

__all__ = ["BatchItem", "BatchResult", "BatchResultError", "parse_batch_result"]

_TOTALS = ("processed", "created", "updated", "skipped", "failed")
_FAILED = frozenset({"failed", "error", "invalid", "rejected"})
# Where an item's human key (the row the user recognises) may be, in order.
_KEYS = ("key", "email", "external_id", "name")
_EXPECTED = (
    'expected a JSON object with a "results" array of items such as {"index": 0,'
    ' "status": "created", "id": 7, "email": "...", "errors": []} and optional totals'
    " (processed, created, updated, skipped, failed)"
)
_QUOTED = 200  # characters of an unexpected body quoted in a message


@dataclass(frozen=True)
class BatchItem:
    """One item's outcome; ``errors`` read ``"field: message"`` (just the message when
    it is about the item as a whole). ``id`` and ``key`` are text for the table ("" or
    None when the server gave none)."""

    index: int
    status: str
    id: str | None
    key: str
    errors: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in _FAILED


@dataclass(frozen=True)
class BatchResult:
    """The whole report: HTTP status, totals and one :class:`BatchItem` per item."""

    status: int
    processed: int
    created: int
    updated: int
    skipped: int
    failed: int
    items: tuple[BatchItem, ...]
    operation: str = ""
    dry_run: bool = False

    @property
    def outcome(self) -> str:
        """``"ok"`` (nothing failed), ``"partial"`` or ``"failed"`` (nothing succeeded)."""
        if self.failed == 0:
            return "ok"
        return "failed" if self.failed >= self.processed else "partial"


def _quote(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text[:_QUOTED] + ("…" if len(text) > _QUOTED else "")


def parse_batch_result(status: int, body: bytes) -> BatchResult:
    """Parse a batch endpoint's answer; raises :class:`BatchResultError` when it is not
    a per-item report (the message quotes the server's own error when it sent one)."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        shown = _quote(body) or "an empty body"
        raise BatchResultError(
            f"The batch answer (HTTP {status}) is not JSON: {shown}. It should be a per-item"
            f" report: {_EXPECTED}."
        ) from None
    if not isinstance(document, dict) or "results" not in document:
        said = _server_error(document)
        if said:
            raise BatchResultError(f"The server refused the batch (HTTP {status}): {said}")
        raise BatchResultError(
            f"The batch answer (HTTP {status}) is not a per-item report: {_EXPECTED}; got"
            f" {_quote(body)}"
        )
    results = document["results"]
    if not isinstance(results, list):
        raise BatchResultError(
            f'The batch answer (HTTP {status}) has "results" that is not an array; {_EXPECTED}.'
        )
    items = tuple(_item(position, entry) for position, entry in enumerate(results))
    counted = {
        "processed": len(items),
        "created": sum(item.status == "created" for item in items),
        "updated": sum(item.status == "updated" for item in items),
        "skipped": sum(item.status == "skipped" for item in items),
        "failed": sum(item.failed for item in items),
    }
    totals = {name: _total(document, name, counted[name]) for name in _TOTALS}
    operation = document.get("operation")
    return BatchResult(
        status=status,
        items=items,
        operation=operation if isinstance(operation, str) else "",
        dry_run=document.get("dry_run") is True,
        **totals,
    )


def _server_error(document: object) -> str:
    """The message of an error body (``{"error": ...}``, ``{"detail": ...}``), or ""."""
    if not isinstance(document, dict):
        return ""
    for name in ("error", "message", "detail"):
        said = document.get(name)
        if isinstance(said, str) and said.strip():
            return said.strip()
        if isinstance(said, dict) and isinstance(said.get("message"), str):
            return said["message"].strip()
        if isinstance(said, list) and said:
            return "; ".join(
                entry.get("msg", json.dumps(entry)) if isinstance(entry, dict) else str(entry)
                for entry in said
            )
    return ""


def _total(document: dict[str, object], name: str, counted: int) -> int:
    value = document.get(name)
    if value is None:
        return counted
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BatchResultError(
            f'The batch answer\'s "{name}" is {json.dumps(value)}; expected a count (a whole'
            " number of 0 or more)."
        )
    return value


def _item(position: int, entry: object) -> BatchItem:
    if not isinstance(entry, dict):
        raise BatchResultError(
            f"Item {position} of the batch answer's results is {json.dumps(entry)[:80]};"
            f" {_EXPECTED}.",
            index=position,
        )
    index = entry.get("index", position)
    if isinstance(index, bool) or not isinstance(index, int):
        raise BatchResultError(
            f'Item {position} of the batch answer\'s results has "index" {json.dumps(index)};'
            " expected the item's 0-based position (a whole number).",
            index=position,
        )
    errors = _errors(position, entry.get("errors"))
    status = entry.get("status")
    if status is None:
        status = "failed" if errors else "ok"
    if not isinstance(status, str):
        raise BatchResultError(
            f'Item {position} of the batch answer\'s results has "status"'
            f' {json.dumps(status)}; expected text such as "created" or "failed".',
            index=position,
        )
    item_id = entry.get("id")
    key = next((entry[name] for name in _KEYS if entry.get(name) not in (None, "")), "")
    return BatchItem(
        index=index,
        status=status.strip().lower(),
        id=None if item_id is None else str(item_id),
        key=key if isinstance(key, str) else json.dumps(key),
        errors=errors,
    )


def _errors(position: int, raw: object) -> tuple[str, ...]:
    """Each error as ``"field: message"``; plain strings are taken as messages."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    shown: list[str] = []
    for error in raw:
        if isinstance(error, str):
            shown.append(error)
        elif isinstance(error, dict):
            field = error.get("field") or error.get("path") or ""
            message = error.get("message") or error.get("msg") or json.dumps(error)
            shown.append(f"{field}: {message}" if field else str(message))
        else:
            raise BatchResultError(
                f"Item {position} of the batch answer's results has an error"
                f' {json.dumps(error)}; expected {{"field": "...", "message": "..."}}.',
                index=position,
            )
    return tuple(shown)
