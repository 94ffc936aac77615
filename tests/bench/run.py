"""Benchmarks: one line per figure, ``name: value unit``. Not part of the test suite.

    .venv/bin/python tests/bench/run.py [--quick] [--only SECTION]

Each section is a module ``<section>_bench.py`` beside this one with ``run(quick)``;
they run in the order below, one after another, in this process (start-up measures
fresh processes of its own).
"""

from __future__ import annotations

import argparse
import gc
import importlib

import bench_common  # noqa: F401  (puts the repository on sys.path, Qt offscreen)

SECTIONS = (
    "startup",
    "big_collection",
    "big_import",
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
    for name in args.only or SECTIONS:
        importlib.import_module(f"{name}_bench").run(args.quick)
        gc.collect()  # that window's Qt objects die here, not later in some worker thread


if __name__ == "__main__":
    main()
