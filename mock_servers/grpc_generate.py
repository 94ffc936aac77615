"""Regenerate the gRPC mock's Python code from apiclient/resources/proto/ with grpcio-tools.

    python -m mock_servers.grpc_generate            # rewrite mock_servers/grpc_generated/
    python -m mock_servers.grpc_generate --out DIR  # write elsewhere (the drift test does)

The output is committed, so the mock runs without protoc; a test regenerates it into a
temporary folder and requires byte-identical files. protoc writes `tracks/v1/...`
modules importing each other as `tracks.v1.tracks_pb2`; they are flattened into one
package with a relative import. The descriptor set (`tracks.binpb`) keeps the .proto
comments, which the generated modules drop, so reflection can serve them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

# A path in the checkout, not an import: the mock servers never import apiclient.
PROTO_ROOT = Path(__file__).resolve().parent.parent / "apiclient" / "resources" / "proto"
OUT_DIR = Path(__file__).resolve().parent / "grpc_generated"
PROTO = "tracks/v1/tracks.proto"
DESCRIPTOR_SET = "tracks.binpb"
GENERATED_FILES = ("tracks_pb2.py", "tracks_pb2.pyi", "tracks_pb2_grpc.py", DESCRIPTOR_SET)
PACKAGE = "mock_servers.grpc_generated"

# (file, what protoc writes, what the flattened package needs): each must occur once.
_REWRITES = (
    ("tracks_pb2.py", "'tracks.v1.tracks_pb2'", f"'{PACKAGE}.tracks_pb2'"),
    (
        "tracks_pb2_grpc.py",
        "from tracks.v1 import tracks_pb2 as",
        "from . import tracks_pb2 as",
    ),
)


class GenerateError(RuntimeError):
    """protoc failed or wrote something this script does not expect."""


def generate(out_dir: Path = OUT_DIR, proto_root: Path = PROTO_ROOT) -> list[Path]:
    """Compile the .proto into `out_dir`; return the files written."""
    well_known = resources.files("grpc_tools") / "_proto"
    with tempfile.TemporaryDirectory(prefix="grpc-generate-") as temp:
        work = Path(temp)
        code = protoc.main(
            [
                "grpc_tools.protoc",
                f"-I{proto_root}",
                f"-I{well_known}",
                f"--python_out={work}",
                f"--pyi_out={work}",
                f"--grpc_python_out={work}",
                f"--descriptor_set_out={work / DESCRIPTOR_SET}",
                "--include_source_info",
                PROTO,
            ]
        )
        if code != 0:
            raise GenerateError(f"protoc failed on {proto_root / PROTO} (exit code {code}).")
        produced = work / Path(PROTO).parent
        texts = {
            name: (produced / name).read_text(encoding="utf-8")
            for name in GENERATED_FILES
            if name != DESCRIPTOR_SET
        }
        for name, old, new in _REWRITES:
            if texts[name].count(old) != 1:
                raise GenerateError(f"protoc's {name} no longer contains {old!r} once.")
            texts[name] = texts[name].replace(old, new)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in texts.items():
            target = out_dir / name
            target.write_bytes(text.encode("utf-8"))
            written.append(target)
        target = out_dir / DESCRIPTOR_SET
        target.write_bytes((work / DESCRIPTOR_SET).read_bytes())
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mock_servers.grpc_generate",
        description="Regenerate the gRPC mock's code from apiclient/resources/proto.",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"target folder ({OUT_DIR})")
    args = parser.parse_args(argv)
    try:
        written = generate(args.out)
    except GenerateError as exc:
        print(f"grpc_generate: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
