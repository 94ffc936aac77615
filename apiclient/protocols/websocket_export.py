"""A WebSocket session saved as JSON: every frame and connection change of the session
(read from the log's spool, :mod:`apiclient.protocols.websocket_spool`, a chunk at a
time), with the exact counters.

Each entry is encoded on its own, so a thread writing a day-long session hands the GIL
back between entries instead of holding it for one giant ``json.dumps``, and never holds
more than a chunk of it in memory. Text payloads stay text; binary ones are base64. The
file is written next to its target and renamed over it, so a failed export never leaves
half a file under the chosen name.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apiclient.protocols.websocket_events import WsFrame, WsStatus

FORMAT = "apiclient-websocket-session"
VERSION = 1


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def entry_json(number: int, entry: WsFrame | WsStatus) -> dict[str, Any]:
    """One log entry as plain JSON data."""
    if isinstance(entry, WsStatus):
        status: dict[str, Any] = {
            "n": number,
            "at": _iso(entry.at),
            "phase": entry.phase,
            "detail": entry.describe(),
        }
        if entry.close_code is not None:
            status["close_code"] = entry.close_code
        if entry.error is not None:
            status["error"] = str(entry.error)
        return status
    frame: dict[str, Any] = {
        "n": number,
        "at": _iso(entry.at),
        "direction": entry.direction,
        "kind": entry.kind,
        "size": entry.size,
    }
    if entry.close_code is not None:
        frame["close_code"] = entry.close_code
    if isinstance(entry.data, str):
        frame["text"] = entry.data
    else:
        frame["base64"] = base64.b64encode(entry.data).decode("ascii")
    return frame


def write_session(
    path: Path,
    entries: Iterable[tuple[int, WsFrame | WsStatus]],
    header: Mapping[str, Any],
) -> int:
    """Write ``header`` (url, counters, dropped...) and the numbered ``entries`` to
    ``path``; returns how many entries were written."""
    head = {"format": FORMAT, "version": VERSION, "exported_at": _iso(datetime.now().timestamp())}
    head.update(header)
    temp = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with temp.open("w", encoding="utf-8") as out:
            out.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2])  # reopen the object
            out.write(',\n  "entries": [')
            for number, entry in entries:
                out.write(",\n    " if count else "\n    ")
                out.write(json.dumps(entry_json(number, entry), ensure_ascii=False))
                count += 1
            out.write("\n  ]\n}\n")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return count
