"""A process killed (SIGKILL) while it stores webhook events and history entries leaves
both SQLite files whole: every event and entry reads back as one of the versions written,
never half of one, and neither file is ever found damaged and moved aside.

A child process runs the receiver's write path (``BatchedStore`` over ``WebhookStore``
on a worker thread, bursts of events grouped into one transaction) and adds history
entries in a loop, alternating an "old" and a "new" version of large payloads; the test
kills it at random moments, many times, and after each kill opens both files as the app
would at its next start. (``tests/core/test_kill_while_saving.py`` does the same for
the collection files, drafts and history appends.)
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kill_child import kill_while_working

from apiclient.core.history import HistoryStore
from apiclient.core.models import Body, RestRequest
from apiclient.protocols.webhook_store import WebhookStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")

REPO = Path(__file__).resolve().parents[2]
KILLS = 25
BUDGET_S = 12.0
TAGS = ("old", "new")

# Large payloads, so a commit takes long enough to be interrupted half way now and then.
VERSIONS = [
    RestRequest(
        name="Killed while storing",
        method=method,
        url=f"http://127.0.0.1:9/{tag}",
        body=Body(mode="raw", raw=f"{tag} line\n" * 2_000),
    )
    for method, tag in (("POST", "old"), ("PUT", "new"))
]
BODIES = {tag: (f"{tag} event\n" * 5_000).encode() for tag in TAGS}

CHILD = """
import asyncio
import concurrent.futures
import sys
from pathlib import Path

from apiclient.core.history import HistoryEntry, HistoryStore
from apiclient.core.models import Body, RestRequest
from apiclient.protocols.webhook_batch import BatchedStore
from apiclient.protocols.webhook_events import EventSummary, WebhookEvent
from apiclient.protocols.webhook_store import WebhookStore

inbox_path, history_path = sys.argv[1:3]
tags = ("old", "new")
requests = [
    RestRequest(
        name="Killed while storing",
        method=method,
        url=f"http://127.0.0.1:9/{tag}",
        body=Body(mode="raw", raw=f"{tag} line\\n" * 2_000),
    )
    for method, tag in (("POST", "old"), ("PUT", "new"))
]


def event(tag):
    body = (f"{tag} event\\n" * 5_000).encode()
    summary = EventSummary(
        id=0, received_at=0.0, method="POST", path=f"/{tag}", query="", source="127.0.0.1:1",
        content_type="text/plain", size=len(body), verdict="unchecked", verdict_reason="",
        response_status=200,
    )
    return WebhookEvent(summary=summary, headers=(("x-tag", tag),), body=body)


async def main():
    inbox = WebhookStore(Path(inbox_path))
    history = HistoryStore(Path(history_path))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        batched = BatchedStore(inbox, pool)
        i = 0
        while True:
            tag = tags[i % 2]
            # a burst, as concurrent senders make: written as one transaction
            await asyncio.gather(*(batched.add(event(tag)) for _ in range(3)))
            history.add(HistoryEntry.now(requests[i % 2], "200 OK"))
            if i == 0:
                print("ready", flush=True)
            i += 1


asyncio.run(main())
"""


def _start_child(inbox: Path, history: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", CHILD, str(inbox), str(history)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        (result,) = conn.execute("PRAGMA integrity_check").fetchone()
    conn.close()
    return str(result)


def _check_inbox_is_whole(path: Path) -> int:
    inbox = WebhookStore(path)
    try:
        summaries = inbox.summaries(limit=100_000)
        assert summaries, "the events of the first burst are gone"
        for summary in summaries:
            stored = inbox.get(summary.id)
            assert stored is not None
            tag = summary.path.lstrip("/")
            assert stored.body == BODIES[tag]
            assert stored.headers == (("x-tag", tag),)
            assert summary.size == len(BODIES[tag])
        return len(summaries)
    finally:
        inbox.close()


def _check_history_is_whole(path: Path) -> int:
    history = HistoryStore(path)
    try:
        assert history.recovered_from is None, "the history was found damaged"
        summaries = history.search(limit=100_000)
        assert summaries, "the first history entry is gone"
        for summary in summaries:
            assert history.get(summary.id).request in VERSIONS
        return len(summaries)
    finally:
        history.close()


def test_a_process_killed_while_storing_leaves_every_event_and_entry_whole(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "webhooks.sqlite3"
    history = tmp_path / "history.sqlite3"
    rng = random.Random(20261122)
    kills = 0
    events_seen = entries_seen = 0
    deadline = time.monotonic() + BUDGET_S
    while kills < KILLS and time.monotonic() < deadline:
        child = _start_child(inbox, history)
        kill_while_working(child, rng)
        kills += 1
        assert _integrity(inbox) == "ok"
        assert _integrity(history) == "ok"
        events = _check_inbox_is_whole(inbox)
        entries = _check_history_is_whole(history)
        # What was committed before a kill is still there after it.
        assert events >= events_seen and entries >= entries_seen
        events_seen, entries_seen = events, entries
    assert kills >= 5  # a machine too slow for even that would prove nothing
    assert events_seen > 3 * kills  # the children got past their first burst now and then
