"""The WebSocket log's spool: every entry back as it went in, pages cut to a preview,
search over the whole file in SQL with the same rule as in memory, and clean-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apiclient.core.spool_files import sweep_stale
from apiclient.protocols.errors import WsClosedError
from apiclient.protocols.websocket_events import WsFrame, WsStatus
from apiclient.protocols.websocket_spool import LogFilter, SpoolError, WsSpool

_ENTRIES = [
    WsStatus(
        "open",
        1.0,
        "ws://x",
        subprotocol="chat.v1",
        response_headers=(("server", "mock"),),
    ),
    WsFrame("out", "text", 2.0, '{"hello": "Wörld"}', 19),
    WsFrame("in", "binary", 3.0, b"\xde\xad\xbe\xef", 4),
    WsFrame("in", "ping", 4.0, b"p", 1),
    WsFrame("in", "close", 5.0, "bye", 5, close_code=4001),
    WsStatus(
        "closed",
        6.0,
        "ws://x",
        close_code=1006,
        closed_by="network",
        error=WsClosedError(
            "The connection to ws://x was lost.", code=1006, reason="", by="network"
        ),
    ),
]


@pytest.fixture
def spool(tmp_path: Path):
    made = WsSpool(tmp_path)
    yield made
    made.remove()


def test_entries_come_back_as_they_went_in(spool: WsSpool) -> None:
    spool.write(1, _ENTRIES)
    back = dict(spool.entries(upto=len(_ENTRIES)))
    assert back[2] == _ENTRIES[1] and back[3] == _ENTRIES[2] and back[5] == _ENTRIES[4]
    opened = back[1]
    assert isinstance(opened, WsStatus) and opened.describe() == "Open (subprotocol chat.v1)"
    assert opened.response_headers == (("server", "mock"),)
    closed = back[6]
    assert (
        isinstance(closed, WsStatus) and str(closed.error) == "The connection to ws://x was lost."
    )
    assert closed.describe() == _ENTRIES[5].describe()
    assert spool.entry(3) == _ENTRIES[2] and spool.entry(99) is None


def test_pages_are_cut_to_the_preview(spool: WsSpool) -> None:
    spool.write(
        1, [WsFrame("in", "text", 1.0, "x" * 5000, 5000), WsFrame("in", "text", 1.0, "y", 1)]
    )
    long, short = spool.read([2, 1], preview=100)
    assert long.number == 1 and long.entry.data == "x" * 100 and not long.complete
    assert long.entry.size == 5000
    assert short.entry.data == "y" and short.complete


@pytest.mark.parametrize(
    "log_filter",
    [
        LogFilter(control=False),
        LogFilter(direction="out", control=True),
        LogFilter(text="WÖRLD", control=True),
        LogFilter(text="hello", control=False),
        LogFilter(text="de ad", control=True),
        LogFilter(text="bye", control=True),
    ],
)
def test_search_in_sql_matches_the_rule_in_memory(spool: WsSpool, log_filter: LogFilter) -> None:
    spool.write(1, _ENTRIES)
    matches = log_filter.matcher()
    expected = [n for n, entry in enumerate(_ENTRIES, start=1) if matches(entry)]
    assert list(spool.matching(log_filter, upto=len(_ENTRIES))) == expected
    assert list(spool.matching(log_filter, upto=2)) == [n for n in expected if n <= 2]


def test_remove_deletes_the_file(tmp_path: Path) -> None:
    spool = WsSpool(tmp_path)
    spool.write(1, _ENTRIES)
    assert spool.path.exists() and spool.path.name.startswith(f"ws-{os.getpid()}-")
    spool.remove()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with pytest.raises(SpoolError, match="Cannot keep the session's log on disk") as caught:
        WsSpool(blocker / "spool")
    assert str(blocker / "spool") in str(caught.value)


def test_sweep_removes_only_files_of_ended_processes(tmp_path: Path) -> None:
    mine = WsSpool(tmp_path)
    dead = tmp_path / "ws-999999999-abc.sqlite3"
    dead_wal = tmp_path / "ws-999999999-abc.sqlite3-wal"
    other = tmp_path / "notes.txt"
    for path in (dead, dead_wal, other):
        path.write_text("")
    assert sweep_stale(tmp_path) == 1
    left = {p.name for p in tmp_path.iterdir()}
    assert not any(name.startswith("ws-999999999") for name in left)
    assert {mine.path.name, "notes.txt"} <= left
    mine.remove()


def test_text_with_a_nul_or_a_lone_surrogate_is_kept_whole(tmp_path: Path) -> None:
    spool = WsSpool(tmp_path)
    nul = "a\0" + "b" * 50
    broken = "half a pair: \ud800 end"
    spool.write(1, [WsFrame("in", "text", 1.0, nul, 52), WsFrame("in", "text", 2.0, broken, 20)])

    (first, second) = spool.read([1, 2], preview=1_000)
    assert first.entry.data == nul and first.complete  # not cut at the NUL
    assert second.entry.data == broken and spool.entry(2).data == broken  # type: ignore[union-attr]
    (cut,) = spool.read([1], preview=10)
    assert cut.entry.data == nul[:10] and not cut.complete
    spool.write(3, [WsFrame("in", "text", 3.0, "next", 4)])  # the file takes more
    assert spool.entry(3).data == "next"  # type: ignore[union-attr]
    spool.remove()


def test_a_batch_that_cannot_be_stored_is_rolled_back_and_the_next_one_goes_in(
    tmp_path: Path,
) -> None:
    spool = WsSpool(tmp_path)
    spool.write(1, [WsFrame("in", "text", 1.0, "one", 3)])
    unstorable = WsFrame("in", "text", 2.0, "two", 3, close_code=2**70)  # no 64-bit int
    with pytest.raises(SpoolError, match=r"Cannot write entries 2-3 to the session's log"):
        spool.write(2, [WsFrame("in", "text", 2.0, "fine", 4), unstorable])
    assert spool.entry(2) is None  # none of the failed batch

    spool.write(2, [WsFrame("in", "text", 2.0, "two", 3)])  # no transaction left open
    assert [n for n, _ in spool.entries(10)] == [1, 2]
    spool.remove()


@pytest.mark.parametrize(
    ("text", "needle", "found"),
    [
        ("Straße", "STRASSE", True),
        ("ΣΊΣΥΦΟΣ", "σίσυφος", True),
        ("plain", "LAI", True),
        ("plain", "σ", False),
        ("a\0after the NUL", "AFTER", True),
        ("plain", "plane", False),
    ],
)
def test_search_on_disk_folds_case_exactly_as_in_memory(
    tmp_path: Path, text: str, needle: str, found: bool
) -> None:
    spool = WsSpool(tmp_path)
    frame = WsFrame("in", "text", 1.0, text, len(text))
    spool.write(1, [frame])
    log_filter = LogFilter(text=needle, control=True)
    assert log_filter.matcher()(frame) is found
    assert list(spool.matching(log_filter, 1)) == ([1] if found else [])
    spool.remove()


def test_a_spool_dropped_off_its_thread_still_deletes_its_file(tmp_path: Path) -> None:
    import threading

    spool = WsSpool(tmp_path)
    spool.write(1, [WsFrame("in", "text", 1.0, "one", 3)])
    done: list[Exception | None] = []

    def remove() -> None:
        try:
            spool.remove()
            done.append(None)
        except Exception as exc:  # reported by the assert below
            done.append(exc)

    thread = threading.Thread(target=remove)
    thread.start()
    thread.join()
    assert done == [None] and list(tmp_path.iterdir()) == []
