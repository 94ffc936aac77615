"""`python -m mock_servers` and `apiclient mock`: run every mock until Ctrl+C.

With --port-file, the URLs are written as JSON once all servers listen, so scripts and
tests can wait for the file instead of guessing when the servers are ready. With
--contract FILE (repeatable), only mocks served from those contract files run, each
named by its file's stem in the port file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from mock_servers.contracts.host import SUPPORTED, ContractMocks, unique_name
from mock_servers.host import DEFAULT_HOST, DEFAULT_PORTS, MockHost, MockServerError, PortInUseError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_PORT_IN_USE = 2


def _port_override(text: str) -> tuple[str, int]:
    name, sep, port = text.partition("=")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected NAME=PORT (e.g. rest=9000), got {text!r}")
    return name.strip(), int(port)


def build_parser(prog: str = "python -m mock_servers") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run the apiclient mock servers on this machine until Ctrl+C.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
    )
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        help="let the OS pick free ports instead of the defaults",
    )
    parser.add_argument(
        "--port-file", type=Path, metavar="FILE", help="write the servers' URLs as JSON once ready"
    )
    defaults = ", ".join(f"{name}={port}" for name, port in DEFAULT_PORTS.items())
    parser.add_argument(
        "--port",
        type=_port_override,
        action="append",
        default=[],
        metavar="NAME=PORT",
        help=f"use this port for one server (or contract mock, by name); repeatable "
        f"(defaults: {defaults}; contract mocks: free ports)",
    )
    parser.add_argument(
        "--contract",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help=f"serve a mock from {SUPPORTED} instead of the bundled mocks; repeatable",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of the data contract mocks make up (0); the same seed, the same answers",
    )
    return parser


def write_atomically(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None, prog: str = "python -m mock_servers") -> int:
    """Start the mocks, announce their URLs, and serve until SIGINT or SIGTERM."""
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stop_requested = threading.Event()
    with _stop_on_signals(stop_requested):
        if args.contract:
            return _run_contracts(args, prog, stop_requested)
        try:
            host = MockHost(args.host, ports=dict(args.port), ephemeral=args.ephemeral)
            urls = host.start()
        except MockServerError as exc:
            return _failed(prog, exc)
        try:
            return _serve(urls, args.port_file, prog, stop_requested)
        finally:
            host.stop()


def _run_contracts(args: argparse.Namespace, prog: str, stop_requested: threading.Event) -> int:
    """Serve a mock per --contract file; a port taken or a file refused stops them all."""
    ports = dict(args.port)
    names: list[str] = []
    for contract in args.contract:
        names.append(unique_name(contract, names))
    unknown = sorted(set(ports) - set(names))
    if unknown:
        return _failed(
            prog,
            MockServerError(
                f"--port names {', '.join(unknown)}, but the contract mocks are named "
                f"{', '.join(names)} (by their files' stems)."
            ),
        )
    mocks = ContractMocks(args.host, seed=args.seed)
    try:
        try:
            for name, contract in zip(names, args.contract, strict=True):
                mocks.start(contract, port=ports.get(name, 0))
        except PortInUseError as exc:
            # Only a port given with --port can be taken; say which option to change.
            print(
                f"{prog}: Port {exc.port} for the {name} mock is already in use on {exc.host}. "
                f"Stop what uses it, or leave out --port {name}={exc.port} to use a free port.",
                file=sys.stderr,
            )
            return EXIT_PORT_IN_USE
        except MockServerError as exc:
            return _failed(prog, exc)
        return _serve(mocks.urls, args.port_file, prog, stop_requested)
    finally:
        mocks.stop_all()


def _failed(prog: str, exc: MockServerError) -> int:
    # The CLI is the boundary where errors reach the person: one line, no traceback.
    print(f"{prog}: {exc}", file=sys.stderr)
    return EXIT_PORT_IN_USE if isinstance(exc, PortInUseError) else EXIT_FAILED


def _serve(
    urls: dict[str, str], port_file: Path | None, prog: str, stop_requested: threading.Event
) -> int:
    """Write the port file, print the URLs, then wait for Ctrl+C or SIGTERM."""
    try:
        if port_file is not None:
            write_atomically(port_file, json.dumps(urls, indent=2) + "\n")
    except OSError as exc:
        print(f"{prog}: cannot write the port file {port_file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for name, url in urls.items():
        print(f"{name:<16} {url}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    # A timed wait keeps the main thread responsive to signals on every platform.
    while not stop_requested.wait(0.5):
        pass
    return EXIT_OK


@contextlib.contextmanager
def _stop_on_signals(stop_requested: threading.Event) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into a stop request, then restore the previous handlers,
    since `apiclient mock` runs this in a process that outlives it."""

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, request_stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
