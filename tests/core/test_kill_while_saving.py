"""A process killed (SIGKILL) while it saves leaves every file whole: old or new, never half.

A child process saves a collection request, a draft and a history entry in a tight loop,
alternating two versions; the test kills it at random moments and, after each kill,
opens everything as the app would at its next start.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kill_child import kill_while_working

from apiclient.core.drafts import DraftStore
from apiclient.core.history import HistoryStore
from apiclient.core.models import Body, RestRequest
from apiclient.core.store import CollectionStore, RequestNode

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")

REPO = Path(__file__).resolve().parents[2]
KILLS = 30
BUDGET_S = 15.0

# Large bodies, so a write takes long enough to be interrupted half way now and then.
VERSIONS = [
    RestRequest(
        name="Killed while saving",
        method=method,
        url=f"http://127.0.0.1:9/{tag}",
        body=Body(mode="raw", raw=(f"{tag} line\n" * 2_000)),
    )
    for method, tag in (("POST", "old"), ("PUT", "new"))
]

CHILD = """
import sys
from datetime import UTC, datetime
from pathlib import Path

from apiclient.core.drafts import Draft, DraftStore
from apiclient.core.history import HistoryEntry, HistoryStore
from apiclient.core.models import Body, RestRequest
from apiclient.core.store import CollectionStore

root, drafts_dir, history_path, relpath = sys.argv[1:5]
versions = [
    RestRequest(
        name="Killed while saving",
        method=method,
        url=f"http://127.0.0.1:9/{tag}",
        body=Body(mode="raw", raw=(f"{tag} line\\n" * 2_000)),
    )
    for method, tag in (("POST", "old"), ("PUT", "new"))
]
store = CollectionStore.open(Path(root))
drafts = DraftStore(Path(drafts_dir))
history = HistoryStore(Path(history_path))
i = 0
while True:
    request = versions[i % 2]
    store.save_request(request, relpath)
    drafts.save(Draft("rest", Path(root), relpath, request, datetime.now(UTC)))
    history.add(HistoryEntry.now(request, "200 OK"))
    if i == 0:
        print("ready", flush=True)
    i += 1
"""


def start_child(root: Path, drafts: Path, history: Path, relpath: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", CHILD, str(root), str(drafts), str(history), relpath]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)


def check_everything_is_whole(root: Path, drafts_dir: Path, history_path: Path, relpath: str):
    store = CollectionStore.open(root)
    assert store.problems == []
    node = store.find(relpath)
    assert isinstance(node, RequestNode)
    assert node.request in VERSIONS
    drafts = DraftStore(drafts_dir)
    [draft] = drafts.load(root)
    assert drafts.problems == []
    assert draft.request in VERSIONS
    history = HistoryStore(history_path)
    try:
        assert history.recovered_from is None
        assert history.count() >= 1
    finally:
        history.close()


def test_a_process_killed_while_saving_never_leaves_a_half_written_file(tmp_path: Path) -> None:
    root = tmp_path / "collection"
    store = CollectionStore.create(root, "Kill test")
    relpath = store.save_request(VERSIONS[0], None)
    drafts_dir = tmp_path / "drafts"
    history_path = tmp_path / "history.sqlite3"
    rng = random.Random(20261121)
    kills = 0
    deadline = time.monotonic() + BUDGET_S
    while kills < KILLS and time.monotonic() < deadline:
        child = start_child(root, drafts_dir, history_path, relpath)
        kill_while_working(child, rng)
        kills += 1
        check_everything_is_whole(root, drafts_dir, history_path, relpath)
    assert kills >= 5  # a machine too slow for even that would prove nothing

    # Temporary files of interrupted writes may be left behind ("." names); loaders skip
    # them, so they never show up as requests, drafts or problems.
    visible = sorted(p.name for p in (root / "items").iterdir() if not p.name.startswith("."))
    assert visible == [relpath]
    reopened = CollectionStore.open(root)
    assert [c.relpath for c in reopened.tree.children] == [relpath]
    assert reopened.problems == []
