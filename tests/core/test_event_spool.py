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


def test_a_nul_or_a_lone_surrogate_is_kept_and_a_failed_batch_rolls_back(
    tmp_path: Path,
) -> None:
    spool = EventSpool(tmp_path)
    odd = LoggedEvent(1.0, "event", "nul\0inside", "a\0" + "b" * 50 + " \udc80")
    spool.write(1, [odd])
    (back,) = spool.read([1], preview=1_000)
    assert back.event == odd and back.complete
    assert spool.event(1) == odd
    with pytest.raises(EventSpoolError, match="Cannot write events 2-3 to the events file"):
        spool.write(2, [LoggedEvent(2.0, "event", "ok", "{}"), LoggedEvent(2**70, "x", "", "")])
    assert spool.event(2) is None
    spool.write(2, [LoggedEvent(2.0, "event", "ok", "{}")])  # no transaction left open
    assert spool.event(2) is not None
    spool.remove()
