"""``apiclient run``: run a collection (or one folder of it) headless, for CI and scripts.

It reads our collection folders and Postman v2.1/v2.0 exports, runs them with the
collection runner, prints one line per request as it lands and a summary, and writes
JSON or JUnit XML reports. It never imports Qt, so it runs on a server with no display.

Exit codes: 0 every request passed; 1 a check failed, a request erred or ``--bail``
stopped the run; 2 bad input (a collection that does not load, an unknown environment
or folder, a bad data file, option values out of range), with one ``apiclient run:
error: ...`` line on stderr; 130 cancelled (Ctrl+C), after the reports of what ran were
written. A report that cannot be written is said on stderr, the other reports are
still written, and the exit code is 2 (the worse of the run's code and 2), except for a
cancelled run, which stays 130.

Output goes to stdout line by line; when its reader goes away (``apiclient run ... |
head -2``) printing stops quietly and the run, its reports and its exit code go on.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from apiclient.core.auth_inherit import effective_auth
from apiclient.core.errors import CoreError
from apiclient.core.global_variables import load_globals
from apiclient.core.importers.postman import import_postman, import_postman_environment
from apiclient.core.models import ClientCertificate, Collection, Environment, Folder, Variable
from apiclient.core.oauth2_tokens import TokenCache
from apiclient.core.paths import data_dir
from apiclient.core.store import CollectionStore, FolderNode
from apiclient.core.variables import Scope, resolve_certificates
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.oauth2 import OAuth2Context
from apiclient.protocols.runner import Runner
from apiclient.protocols.runner_model import RunOptions, RunPlan, RunReport, StepResult
from apiclient.protocols.runner_plan import (
    check_options,
    load_data_rows,
    plan_from_items,
    plan_from_node,
)
from apiclient.protocols.runner_report import ReportFormat, check_description, write_report

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130

_REPORT_FORMATS: tuple[ReportFormat, ...] = ("json", "junit")


class UsageError(Exception):
    """Bad input found before anything is sent; the message is the one stderr line."""


@dataclass(frozen=True)
class _Reporter:
    fmt: ReportFormat
    path: Path


def build_parser(prog: str = "apiclient run") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run the requests of a collection (or of one folder) and check the "
        'responses, as in CI. A request whose settings say "App default" uses the built-in '
        "defaults (30 s timeouts, TLS verified, the system's proxy), not the window's "
        "preferences, so a run does not depend on who starts it.",
        epilog="Exit codes: 0 all passed, 1 a check failed or a request erred, 2 bad input, "
        "130 cancelled.",
    )
    parser.add_argument(
        "path", type=Path, help="a collection folder, or a Postman collection file (v2.1)"
    )
    parser.add_argument("--folder", help="run only this folder (its name or its path)")
    parser.add_argument(
        "--env",
        help="the environment to use: its name in the collection, or a Postman environment file",
    )
    parser.add_argument("--data", type=Path, help="a CSV or JSON file: one iteration per row")
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="run it N times (default 1; ignored with --data, which runs once per row)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, help="requests in flight at once (default 1)"
    )
    parser.add_argument(
        "--delay", type=int, default=0, metavar="MS", help="wait MS ms after each request"
    )
    parser.add_argument(
        "--bail", action="store_true", help="stop after the first failed or erring request"
    )
    parser.add_argument(
        "--reporter",
        action="append",
        default=[],
        metavar="FORMAT:FILE",
        help="also write a report: json:FILE or junit:FILE (repeatable)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no line per request; only the summary"
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "apiclient run") -> int:
    parser = build_parser(prog)
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:  # argparse printed the usage error (or --help)
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    out = _Output(sys.stdout)
    try:
        reporters = [_reporter(text) for text in args.reporter]
        plan, connection = _plan(args, out)
        check_options(plan.options)
    except (UsageError, CoreError, ProtocolError) as exc:
        print(f"{prog}: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not plan.requests:
        print(f"{prog}: error: {plan.name} has no request to run.", file=sys.stderr)
        return EXIT_BAD_INPUT
    printer = _Progress(out, plan.total_steps, quiet=args.quiet)
    out.line(f"Running {plan.name}: {_count(plan.total_steps, 'request')}")
    # A batch call's relative data file is read from the collection's folder (or from
    # the Postman file's folder), wherever the command is run from.
    base_dir = args.path if args.path.is_dir() else args.path.parent
    report = asyncio.run(_run(plan, printer, base_dir, connection))
    out.summary(report)
    if report.summary.cancelled:
        code = EXIT_CANCELLED
    else:
        code = EXIT_OK if report.summary.ok else EXIT_FAILED
    planned_paths = [planned.path for planned in plan.requests]
    for reporter in reporters:
        try:
            write_report(report, reporter.path, reporter.fmt, planned_paths=planned_paths)
        except CoreError as exc:
            print(f"{prog}: error: {_one_line(str(exc))}", file=sys.stderr)
            if code != EXIT_CANCELLED:
                code = max(code, EXIT_BAD_INPUT)
            continue
        out.line(f"Wrote the {reporter.fmt} report to {reporter.path}")
    return code


@dataclass(frozen=True)
class _Connection:
    """What a run needs beyond its plan: where OAuth 2.0 tokens are cached (in memory
    only: a run on a CI machine leaves no token behind; client-credentials and password
    grants fetch their own) and the client certificates, resolved."""

    oauth2: OAuth2Context
    client_certificates: tuple[ClientCertificate, ...] = ()


async def _run(
    plan: RunPlan, printer: _Progress, base_dir: Path, connection: _Connection
) -> RunReport:
    """Run ``plan``; Ctrl+C (which cancels this task) cancels the runner, and the report
    of what ran is still returned."""
    runner = Runner(
        plan,
        on_step=printer.step,
        base_dir=base_dir,
        oauth2=connection.oauth2,
        client_certificates=connection.client_certificates,
    )
    task = asyncio.ensure_future(runner.run())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        runner.cancel()
        return await task


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# ---- input ------------------------------------------------------------------------------


def _reporter(text: str) -> _Reporter:
    fmt, sep, file = text.partition(":")
    if not sep or fmt not in _REPORT_FORMATS or not file:
        raise UsageError(
            f"--reporter {text!r} is not FORMAT:FILE with FORMAT json or junit "
            "(e.g. --reporter junit:results.xml)."
        )
    path = Path(file)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"Cannot write the {fmt} report to {path}: it is a folder.")
    if not folder.is_dir():
        raise UsageError(f"Cannot write the {fmt} report to {path}: {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"Cannot write the {fmt} report to {path}: permission denied.")
    return _Reporter(fmt, path)  # type: ignore[arg-type]


def _options(args: argparse.Namespace, out: _Output) -> RunOptions:
    rows: tuple[dict[str, str], ...] = ()
    if args.data is not None:
        if args.data.is_dir():
            raise UsageError(
                f"--data {args.data} is a folder; give a CSV or JSON file (one iteration per row)."
            )
        if not args.data.is_file():
            raise UsageError(f"The data file {args.data} does not exist.")
        rows = load_data_rows(args.data)
        if args.iterations is not None:
            out.warning(f"--iterations is ignored: {args.data.name} gives one per row.")
    return RunOptions(
        iterations=1 if args.iterations is None or rows else args.iterations,
        data_rows=rows,
        concurrency=args.concurrency,
        delay_ms=args.delay,
        bail=args.bail,
    )


def _globals(out: _Output) -> list[Variable]:
    try:
        return load_globals(data_dir() / "globals.yaml")
    except CoreError as exc:
        out.warning(f"{exc} The run goes on without global variables.")
        return []


def _plan(args: argparse.Namespace, out: _Output) -> tuple[RunPlan, _Connection]:
    path: Path = args.path
    if path.is_dir():
        return _collection_plan(args, out)
    if path.is_file():
        return _postman_plan(args, out)
    raise UsageError(f"{path} does not exist: give a collection folder or a Postman file.")


def _collection_plan(args: argparse.Namespace, out: _Output) -> tuple[RunPlan, _Connection]:
    store = CollectionStore.open(args.path)
    for problem in store.problems:
        out.warning(f"{problem.path}: {problem.reason} (left out of the run)")
    chosen: Environment | None = None
    if args.env is not None:
        chosen = _environment(args.env, store.environments, args.path)
    environment = chosen.variables if chosen is not None else []
    options = _options(args, out)
    node: FolderNode = store.tree
    if args.folder is not None:
        node = _store_folder(store.tree, args.folder)
    scope = Scope.layered(
        globals=_globals(out), collection=store.variables, environment=environment
    )
    plan = plan_from_node(
        node,
        name=node.name,
        scope=scope,
        options=options,
        auth=partial(effective_auth, store.tree, store.auth),
    )
    certificates = resolve_certificates(store.client_certificates, scope)
    return plan, _Connection(OAuth2Context(TokenCache(None)), tuple(certificates))


def _postman_plan(args: argparse.Namespace, out: _Output) -> tuple[RunPlan, _Connection]:
    imported = import_postman(args.path)
    for warning in imported.warnings:
        out.warning(warning)
    collection = imported.collection
    environment: list[Variable] = []
    if args.env is not None:
        environment = _environment(args.env, [], args.path).variables
    options = _options(args, out)
    name, items = collection.name, collection.items
    parents: tuple[Folder, ...] = ()
    if args.folder is not None:
        parents = _postman_folder(collection, args.folder)
        name, items = parents[-1].name, parents[-1].items
    scope = Scope.layered(
        globals=_globals(out), collection=collection.variables, environment=environment
    )
    plan = plan_from_items(
        items,
        name=name,
        scope=scope,
        options=options,
        collection_auth=collection.auth,
        parents=parents,
    )
    return plan, _Connection(OAuth2Context(TokenCache(None)))


def _environment(value: str, known: Sequence[Environment], source: Path) -> Environment:
    """The environment named ``value``, or read from the Postman environment file ``value``."""
    for env in known:
        if env.name == value:
            return env
    matches = [env for env in known if env.name.casefold() == value.casefold()]
    if len(matches) == 1:
        return matches[0]
    file = Path(value)
    if file.is_file():
        return import_postman_environment(file)
    if known:
        names = ", ".join(repr(env.name) for env in known)
        raise UsageError(f"There is no environment {value!r} in {source}; it has {names}.")
    if source.is_dir():
        raise UsageError(f"There is no environment {value!r}: {source} has no environments.")
    raise UsageError(
        f"There is no environment file {value!r}. For a Postman collection, --env takes a "
        "Postman environment file (exported from Postman)."
    )


def _store_folder(root: FolderNode, wanted: str) -> FolderNode:
    folders: list[tuple[str, FolderNode]] = []

    def visit(node: FolderNode, trail: tuple[str, ...]) -> None:
        for child in node.children:
            if isinstance(child, FolderNode):
                names = (*trail, child.name)
                folders.append((" / ".join(names), child))
                visit(child, names)

    visit(root, ())
    clean = wanted.strip().strip("/")
    for exact in (True, False):
        found = [
            node
            for shown, node in folders
            if _same(clean, node.relpath, exact)
            or _same(clean, node.name, exact)
            or _same(clean, shown, exact)
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            paths = ", ".join(node.relpath for node in found)
            raise UsageError(f"--folder {wanted!r} matches several folders ({paths}); give a path.")
    known = ", ".join(node.relpath for _, node in folders) or "none"
    raise UsageError(f"There is no folder {wanted!r} in the collection; its folders: {known}.")


def _postman_folder(collection: Collection, wanted: str) -> tuple[Folder, ...]:
    """The folder ``wanted`` names, after the folders holding it (whose auth it inherits)."""
    folders: list[tuple[str, tuple[Folder, ...]]] = []

    def visit(items: Sequence[object], trail: tuple[Folder, ...]) -> None:
        for item in items:
            if isinstance(item, Folder):
                chain = (*trail, item)
                folders.append((" / ".join(f.name for f in chain), chain))
                visit(item.items, chain)

    visit(collection.items, ())
    clean = " / ".join(part.strip() for part in wanted.strip().strip("/").split("/"))
    for exact in (True, False):
        found = [
            folder
            for shown, folder in folders
            if _same(clean, shown, exact) or _same(wanted.strip(), folder[-1].name, exact)
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UsageError(f"--folder {wanted!r} matches several folders; give its path (A/B).")
    known = ", ".join(repr(shown) for shown, _ in folders) or "none"
    raise UsageError(f"There is no folder {wanted!r} in {collection.name}; its folders: {known}.")


def _same(wanted: str, name: str, exact: bool) -> bool:
    return wanted == name if exact else wanted.casefold() == name.casefold()


# ---- output -----------------------------------------------------------------------------


class _Output:
    """Writes lines to a stream, falling back to ASCII marks when it cannot print ✓."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.closed = False  # the reader went away: nothing more is printed
        encoding = getattr(stream, "encoding", None) or "ascii"
        self.encoding = encoding
        try:
            "✓✗…·".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            self.marks = {"passed": "ok", "failed": "FAIL", "error": "ERR"}
            self.dash = "-"
        else:
            self.marks = {"passed": "✓", "failed": "✗", "error": "!"}
            self.dash = "─"

    def line(self, text: str = "") -> None:
        if self.closed:
            return
        try:
            text.encode(self.encoding)
        except (UnicodeEncodeError, LookupError):
            text = text.encode(self.encoding, "replace").decode(self.encoding, "replace")
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except BrokenPipeError:
            self._close()

    def _close(self) -> None:
        """Stop printing after a broken pipe. Python's docs on SIGPIPE: point the
        stream's file descriptor at devnull, so the flush at interpreter shutdown does
        not raise (and print) another BrokenPipeError."""
        self.closed = True
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            return  # not a real file (a test's buffer): nothing is flushed at shutdown
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)

    def warning(self, text: str) -> None:
        self.line(f"warning: {_one_line(text)}")

    def summary(self, report: RunReport) -> None:
        s = report.summary
        self.line()
        self.line(self.dash * 60)
        outcomes = f"{s.passed} passed, {s.failed} failed, {_count(s.errors, 'error')}"
        rows = [
            ("Requests", f"{s.executed} executed of {s.planned} planned"),
            ("", f"{outcomes}, {s.skipped} skipped"),
            ("Checks", f"{s.checks_passed} passed, {s.checks_failed} failed"),
            ("Duration", f"{s.duration_s:.2f} s, {s.requests_per_s:.1f} req/s"),
            (
                "Latency",
                f"p50 {_ms(s.p50_ms)}  p95 {_ms(s.p95_ms)}  p99 {_ms(s.p99_ms)}",
            ),
            ("", f"min {_ms(s.min_ms)}  mean {_ms(s.mean_ms)}  max {_ms(s.max_ms)}"),
        ]
        for label, value in rows:
            self.line(f"  {label:<10}{value}")
        if report.not_runnable:
            self.line(f"  Not run ({len(report.not_runnable)}):")
            for path, reason in report.not_runnable:
                self.line(f"    {path}: {reason}")
        if s.cancelled:
            verdict = "CANCELLED"
        elif s.bailed:
            verdict = "STOPPED by --bail"
        else:
            verdict = "PASSED" if s.ok else "FAILED"
        self.line(f"  Result    {verdict}")


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


class _Progress:
    """Prints one line per step as it lands, and what failed under it."""

    def __init__(self, out: _Output, total: int, *, quiet: bool) -> None:
        self.out = out
        self.total = total
        self.quiet = quiet
        self.landed = 0

    def step(self, result: StepResult) -> None:
        self.landed += 1
        if self.quiet:
            return
        mark = self.out.marks[result.outcome]
        parts = [f"  {mark} {self.landed}/{self.total}", result.label or result.path]
        if result.status:
            parts.append(result.status)
        if result.elapsed_ms is not None:
            parts.append(_ms(result.elapsed_ms))
        self.out.line("  ".join(parts))
        for check in result.checks:
            if not check.passed:
                self.out.line(f"      {check_description(check)}: {_one_line(check.message)}")
        for capture in result.captures:
            if capture.value is None:
                why = _one_line(capture.message).rstrip(".")
                self.out.line(f"      capture {capture.capture.variable}: not set ({why})")
        if result.error:
            self.out.line(f"      {_one_line(result.error)}")
