"""The checkout a build comes from, as one line: the commit and a hash of the changes.

    python packaging/build_stamp.py

packaging/build.sh writes it to dist/BUILD-INFO before building; tests/packaging compares
it with the checkout's, so a dist/ built from other sources is never checked as this one.
The hash covers what goes into the wheel and the bundle: the changed and untracked files
under ``PATHS`` (their status, their diff, the untracked ones' contents).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("apiclient", "mock_servers", "packaging", "pyproject.toml")


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout


def build_stamp() -> str:
    """``COMMIT CHANGES-SHA256`` of the checkout now."""
    commit = _git("rev-parse", "HEAD").decode().strip()
    changes = hashlib.sha256()
    changes.update(_git("status", "--porcelain", "--", *PATHS))
    changes.update(_git("diff", "HEAD", "--", *PATHS))
    untracked = _git("ls-files", "-z", "--others", "--exclude-standard", "--", *PATHS)
    for name in sorted(filter(None, untracked.split(b"\0"))):
        changes.update(name + b"\0" + (ROOT / name.decode()).read_bytes())
    return f"{commit} {changes.hexdigest()}"


if __name__ == "__main__":
    print(build_stamp())
