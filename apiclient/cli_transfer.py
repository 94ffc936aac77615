"""``apiclient import`` and ``apiclient export``: convert collections headless, with no display.

``apiclient import FILE --into DIR`` reads any file apiclient imports (the content picks
the format) and writes it as one of our collection folders; it prints what came in and
every warning about what did not. ``apiclient export DIR --format postman --output FILE``
writes a collection folder as a Postman Collection v2.1 file that newman can run (secret
values left out unless ``--include-secrets``); ``--format folder --output NEWDIR`` writes
a copy as another collection folder (secret values never in its files).

Exit codes: 0 done (warnings included); 2 bad input (a file that is not what it claims,
a destination that is not empty or inside the collection, a collection that does not
open, a path the system refuses), with one ``apiclient import: error: ...`` (or
``export``) line on stderr and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from apiclient.core.collection_writer import write_collection
from apiclient.core.errors import CoreError, StoreError
from apiclient.core.exporters.writer import FORMATS, export_collection
from apiclient.core.importers.detect import count_items, describe_counts, import_any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad input found before anything is written; the message is the one stderr line."""


def build_import_parser(prog: str = "apiclient import") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Convert a Postman, Insomnia, OpenAPI/Swagger, HAR or curl file into an "
        "apiclient collection folder.",
        epilog="Exit codes: 0 imported (read the warnings), 2 bad input.",
    )
    parser.add_argument("file", type=Path, help="the file to import (its content picks the format)")
    parser.add_argument(
        "--into",
        type=Path,
        required=True,
        metavar="DIR",
        help="the new collection folder (must not exist, or be empty)",
    )
    return parser


def build_export_parser(prog: str = "apiclient export") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write an apiclient collection folder in another tool's format.",
        epilog="Exit codes: 0 exported (read the warnings), 2 bad input.",
    )
    parser.add_argument("collection", type=Path, help="the collection folder to export")
    parser.add_argument(
        "--format",
        default="postman",
        help="'postman' (Collection v2.1, the default) or 'folder' (a copy as an apiclient "
        "collection folder)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="PATH",
        help="the file to write (postman), or the new folder (folder: must not exist, or be empty)",
    )
    parser.add_argument(
        "--include-secrets",
        action="store_true",
        help="postman only: write secret values (auth passwords, tokens, API keys, secret "
        "variables) in clear text; without it they are left out, for newman's --env-var",
    )
    return parser


def import_main(argv: Sequence[str] | None = None, prog: str = "apiclient import") -> int:
    try:
        args = build_import_parser(prog).parse_args(_args(argv))
    except SystemExit as exit_:  # argparse printed the usage error (or --help)
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    try:
        if not args.file.exists():
            raise UsageError(f"{args.file} does not exist; check the path.")
        result = import_any(args.file)
        write_collection(result.collection, args.into)
    except (UsageError, CoreError) as exc:
        return _fail(prog, str(exc))
    except OSError as exc:  # a name too long, a folder that may not be read
        where = Path(exc.filename) if isinstance(exc.filename, str) else args.file
        return _fail(
            prog, str(StoreError.from_os_error(exc, where, "use", keep="nothing was imported"))
        )
    counts = describe_counts(count_items(result.collection))
    print(f"Imported '{result.collection.name}' ({result.source}): {counts}")
    print(f"Wrote {args.into}")
    _print_warnings(result.warnings)
    return EXIT_OK


def export_main(argv: Sequence[str] | None = None, prog: str = "apiclient export") -> int:
    try:
        args = build_export_parser(prog).parse_args(_args(argv))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    if args.format not in FORMATS:
        return _fail(
            prog,
            f"--format {args.format!r} is not a format apiclient writes; use 'postman' "
            "(Postman Collection v2.1) or 'folder' (an apiclient collection folder).",
        )
    if args.include_secrets and args.format != "postman":
        return _fail(
            prog,
            "--include-secrets applies to --format postman only: a collection folder never "
            "holds secret values in its files (they are copied to this machine's secret store).",
        )
    try:
        result = export_collection(
            args.collection, args.format, args.output, include_secrets=args.include_secrets
        )
    except CoreError as exc:
        return _fail(prog, str(exc))
    counts = describe_counts(count_items(result.collection))
    print(f"Exported '{result.collection.name}' as {FORMATS[result.format]}: {counts}")
    print(f"Wrote {result.output}")
    _print_warnings(result.warnings)
    return EXIT_OK


def _args(argv: Sequence[str] | None) -> list[str]:
    return list(sys.argv[1:] if argv is None else argv)


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _print_warnings(warnings: Sequence[str]) -> None:
    if not warnings:
        return
    print(f"{len(warnings)} warning(s):")
    for warning in warnings:
        print(f"  - {warning}")
