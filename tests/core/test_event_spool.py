"""A stream's events on disk: back in full or cut to a preview, and removed when done."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiclient.core.event_spool import EventSpool, EventSpoolError, LoggedEvent


def test_events_come_back_whole_or_cut_to_the_preview(tmp_path: Path) -> None:
    spool = EventSpool(tmp_path)
    events = [
        LoggedEvent(1.0, "event", "short", "{}"),
        LoggedEvent(2.0, "error", "long", "x" * 900),
    ]
    spool.write(7, events)
    short, long = spool.read([8, 7, 99], preview=100)
    assert (short.number, short.event, short.complete) == (7, events[0], True)
    assert long.event.detail == "x" * 100 and not long.complete
    assert spool.event(8) == events[1] and spool.event(1) is None
    spool.remove()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with pytest.raises(EventSpoolError, match="Cannot keep the events on disk"):
        EventSpool(blocker / "spool")
