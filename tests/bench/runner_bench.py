"""The collection runner's throughput, and newman's on the same collection.

A collection of ``count`` GETs of one small JSON item on the REST mock, each with one
check (status equals 200), runs sequentially and at concurrency 20 through the runner
engine; then the same collection, written as Postman Collection v2.1 with the check as a
``pm.test``, runs through newman when npm can install it. Both figures are the runs'
own durations (newman's ``run.timings``), so neither counts its process start-up.
All three run ``repeats`` times (3; once with ``--quick``), interleaved, and each figure
is a median (:func:`bench_runner` says how the ratios are taken).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench_common import start_mocks, stop_mocks

from apiclient.core.models import Check, RestRequest
from apiclient.core.variables import Scope
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import PlannedRequest, RunOptions, RunPlan

NEWMAN_DIR = Path.home() / ".cache" / "apiclient-bench" / "newman"
STATUS_TEST = 'pm.test("status is 200", function () { pm.response.to.have.status(200); });'


def _plan(url: str, count: int, concurrency: int) -> RunPlan:
    request = RestRequest(name="item", url=url, checks=[Check(source="status", expected="200")])
    planned = tuple(PlannedRequest(f"item {n}", request) for n in range(1, count + 1))
    return RunPlan("bench", planned, Scope(), RunOptions(concurrency=concurrency))


def runner_rps(url: str, count: int, concurrency: int) -> float:
    """Requests per second of one run; every check must pass or the figure is void."""
    report = asyncio.run(Runner(_plan(url, count, concurrency)).run())
    summary = report.summary
    if summary.passed != count:
        raise RuntimeError(f"runner bench: {summary.passed} of {count} passed; the mock is off?")
    return summary.requests_per_s


def postman_collection(url: str, count: int) -> dict[str, object]:
    """The same collection as Postman Collection v2.1."""
    test = {"listen": "test", "script": {"type": "text/javascript", "exec": [STATUS_TEST]}}
    item = {"request": {"method": "GET", "url": url}, "event": [test]}
    return {
        "info": {
            "name": "bench",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [{"name": f"item {n}", **item} for n in range(1, count + 1)],
    }


def _newman() -> Path | None:
    """newman's executable, installed under the user's cache once; None without npm."""
    binary = NEWMAN_DIR / "node_modules" / ".bin" / "newman"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        return None
    NEWMAN_DIR.mkdir(parents=True, exist_ok=True)
    (NEWMAN_DIR / "package.json").write_text('{"name": "bench", "version": "1.0.0"}')
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "newman@6"],
        cwd=NEWMAN_DIR,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return binary if done.returncode == 0 and binary.exists() else None


def newman_rps(url: str, count: int) -> float | None:
    """newman's requests per second on the same collection, or None when not installable."""
    binary = _newman()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        collection = Path(tmp) / "bench.postman_collection.json"
        collection.write_text(json.dumps(postman_collection(url, count)))
        export = Path(tmp) / "report.json"
        command = [str(binary), "run", str(collection), "--reporters", "json"]
        subprocess.run(
            [*command, "--reporter-json-export", str(export)],
            capture_output=True,
            timeout=600,
            check=True,
        )
        run = json.loads(export.read_text())["run"]
    failed = run["stats"]["assertions"]["failed"]
    if failed:
        raise RuntimeError(f"newman bench: {failed} assertions failed; the mock is off?")
    seconds = (run["timings"]["completed"] - run["timings"]["started"]) / 1000
    return count / seconds


def bench_runner(rest_url: str, count: int, repeats: int) -> None:
    """Each figure is the median of ``repeats`` runs. A repeat runs the sequential
    runner, the runner at concurrency 20 and newman one after another, so the three see
    alike load; ``runner_vs_newman`` is the median of each repeat's own ratio, which a
    machine whose load changes between repeats (other work on a shared host) sways less
    than a ratio of medians taken at different times."""
    url = f"{rest_url}/api/items/1"
    runner_rps(url, min(count, 100), concurrency=20)  # warm-up: imports, first connections
    sequential: list[float] = []
    concurrent: list[float] = []
    newman: list[float] = []
    for _ in range(repeats):
        sequential.append(runner_rps(url, count, concurrency=1))
        concurrent.append(runner_rps(url, count, concurrency=20))
        rate = newman_rps(url, count)
        if rate is not None:
            newman.append(rate)
    seq, c20 = statistics.median(sequential), statistics.median(concurrent)
    print(
        f"runner_rps_seq: {seq:.0f} req/s ({count:,} requests, one check each; median of {repeats})"
    )
    print(f"runner_rps_c20: {c20:.0f} req/s (concurrency 20)")
    if not newman:
        print("runner_vs_newman: n/a (npm could not install newman)")
        return
    ratios = [c / n for c, n in zip(concurrent, newman, strict=True)]
    seq_ratios = [s / n for s, n in zip(sequential, newman, strict=True)]
    print(f"newman_rps: {statistics.median(newman):.0f} req/s (median of {len(newman)})")
    print(
        f"runner_vs_newman: {statistics.median(ratios):.1f} x (runner at concurrency 20 /"
        f" newman, median of the repeats' ratios; each {', '.join(f'{r:.1f}' for r in ratios)})"
    )
    print(
        f"runner_seq_vs_newman: {statistics.median(seq_ratios):.1f} x (sequential runner /"
        " newman, likewise)"
    )


def run(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server, urls = start_mocks(Path(tmp))
        try:
            bench_runner(urls["rest"], 200 if quick else 1_000, 1 if quick else 3)
        finally:
            stop_mocks(server)
