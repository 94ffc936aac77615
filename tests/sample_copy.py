"""A copy of the sample collection pointed at mock servers on other ports than its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from apiclient.core.paths import resources_dir

# What the sample collection's "Local mocks" environment points at: the default ports.
MOCK_DEFAULTS = {
    "rest": "http://127.0.0.1:8710",
    "soap": "http://127.0.0.1:8711",
    "graphql": "http://127.0.0.1:8712",
    "grpc": "127.0.0.1:8713",
    "websocket": "ws://127.0.0.1:8714",
}


def copy_sample(dest: Path, urls: dict[str, str]) -> Path:
    """A copy of the sample collection at ``dest`` whose environments point at the mock
    servers of ``urls`` (as ``MockHost.start`` gives them) instead of the default ports."""
    shutil.copytree(resources_dir() / "sample-collection", dest)
    for env in (dest / "environments").glob("*.yaml"):
        text = env.read_text(encoding="utf-8")
        for name, default in MOCK_DEFAULTS.items():
            text = text.replace(default, urls[name].removeprefix("grpc://"))
        env.write_text(text, encoding="utf-8")
    return dest
