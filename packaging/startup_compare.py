"""Start-up of the PyInstaller bundle next to the start-up from the checkout.

    .venv/bin/python packaging/startup_compare.py [--runs N]

Both start the same way, ``apiclient --smoke-check=startup`` (the real window, headless,
with a fresh data folder, so each start copies and opens the sample collection): the
checkout's through ``.venv/bin/apiclient``, the bundle's as ``dist/apiclient/apiclient``.
Timed from process start to the window shown and idle, and to the collection open; the
median of N runs of each, alternated, after one unmeasured run of each. Prints
``name: value unit`` lines, and the bundle's size. packaging/build.sh runs it after the
packaging test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "source": ROOT / ".venv" / "bin" / "apiclient",
    "bundle": ROOT / "dist" / "apiclient" / "apiclient",
}
MOMENTS = {"window shown": "window", "collection open": "collection"}


def time_start(command: Path) -> dict[str, float]:
    """Seconds from process start to each moment the smoke check prints."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(command), "--smoke-check=startup"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    seen: dict[str, float] = {}
    for line in proc.stdout:
        moment = line.strip().removeprefix("smoke-check: ")
        if moment in MOMENTS:
            seen[MOMENTS[moment]] = time.perf_counter() - start
    if proc.wait(timeout=120) != 0 or len(seen) != len(MOMENTS):
        raise SystemExit(f"{command} --smoke-check=startup failed (exit {proc.returncode}).")
    return seen


def folder_mib(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each (5)")
    args = parser.parse_args()
    for command in COMMANDS.values():
        if not command.exists():
            print(f"{command} is missing; run packaging/build.sh first.", file=sys.stderr)
            return 1
    for command in COMMANDS.values():
        time_start(command)
    # Alternated, so both see the same load on a busy machine.
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            runs[name].append(time_start(command))
    for name in COMMANDS:
        for key in ("window", "collection"):
            median = statistics.median(run[key] for run in runs[name])
            print(f"startup_{name}_{key}_s: {median:.3f} s (median of {args.runs})")
    bundle = COMMANDS["bundle"].parent
    print(f"bundle_size_mib: {folder_mib(bundle):.0f} MiB ({bundle.relative_to(ROOT)})")
    for tarball in sorted((ROOT / "dist").glob("apiclient-*-linux-*.tar.gz")):
        print(f"bundle_tarball_mib: {tarball.stat().st_size / 2**20:.0f} MiB ({tarball.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
