"""The ``apiclient`` command: the desktop app, ``apiclient mock``, ``apiclient run``,
``apiclient import``, ``apiclient export`` and ``--version``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from apiclient import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apiclient",
        description="A desktop API client for every API style, with bundled mock servers.",
        epilog="Run 'apiclient mock --help' for the headless mock servers and "
        "'apiclient run --help' to run a collection headless (CI); 'apiclient import --help' "
        "and 'apiclient export --help' convert collections from and to other tools.",
    )
    parser.add_argument("--version", action="version", version=f"apiclient {__version__}")
    parser.add_argument(
        "--collection", type=Path, help="open this collection folder instead of the last one"
    )
    parser.add_argument(
        "--mocks", action="store_true", help="start the bundled mock servers with the window"
    )
    # Hidden: packaging's check that an install or a bundle works (apiclient/ui/smoke_check.py);
    # "startup" stops once the collection is open (packaging/startup_compare.py).
    parser.add_argument(
        "--smoke-check",
        nargs="?",
        const="full",
        choices=("full", "startup"),
        help=argparse.SUPPRESS,
    )
    # Hidden: where the installed package keeps its resources, for packaging/install.sh
    # (the desktop file and the icons of a wheel or bundle install).
    parser.add_argument("--resources-dir", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # In the PyInstaller bundle, the worker processes (ui/workers.py, "spawn") start
        # this same executable: freeze_support runs the worker there instead of the app.
        import multiprocessing

        multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["mock"]:
        from mock_servers.cli import main as mock_main

        return mock_main(args[1:], prog="apiclient mock")
    if args[:1] == ["run"]:
        from apiclient.cli_run import main as run_main

        return run_main(args[1:], prog="apiclient run")
    if args[:1] == ["import"]:
        from apiclient.cli_transfer import import_main

        return import_main(args[1:], prog="apiclient import")
    if args[:1] == ["export"]:
        from apiclient.cli_transfer import export_main

        return export_main(args[1:], prog="apiclient export")
    options = build_parser().parse_args(args)
    if options.resources_dir:
        from apiclient.core.paths import resources_dir

        print(resources_dir())
        return 0
    if options.smoke_check:
        from apiclient.ui.smoke_check import run_smoke_check

        return run_smoke_check(startup_only=options.smoke_check == "startup")
    from apiclient.ui.app import run_gui

    return run_gui(collection=options.collection, start_mocks=options.mocks)


if __name__ == "__main__":
    sys.exit(main())
