"""Benchmarks: one line per figure, ``name: value unit``. Not part of the test suite.

    .venv/bin/python tests/bench/run.py [--quick] [--only SECTION]

Each section is a module ``<section>_bench.py`` beside this one with ``run(quick)``;
they run in the order below, one after another, each in a fresh process of its own, so
that no section's memory figure carries what an earlier one left in the heap (one
section alone runs in this process).
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import bench_common  # noqa: F401  (puts the repository on sys.path, Qt offscreen)

SECTIONS = (
    "startup",
    "big_collection",
    "big_import",
    "yaml_dump",
    "large_body",
    "big_body",
    "ui_send",
    "wsdl",
    "grpc",
    "websocket",
    "webhook",
    "long_session",
    "rest",
    "runner",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller loads")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run this section")
    args = parser.parse_args()
    sections = args.only or SECTIONS
    if len(sections) == 1:
        importlib.import_module(f"{sections[0]}_bench").run(args.quick)
        return
    for name in sections:
        quick = ["--quick"] if args.quick else []
        subprocess.run([sys.executable, __file__, "--only", name, *quick], check=False)


if __name__ == "__main__":
    main()
