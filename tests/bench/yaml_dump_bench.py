"""Writing the YAML of an imported collection's request files: ``yaml_text.dump`` (the
fast writer) against PyYAML's emitter writing the same documents, in turns, in this
process. The documents are those of a generated Postman collection (1,000 requests
quick, 5,000 in full), read back from the request files the importer writes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from bench_common import ROOT, fresh_app_dirs

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from big_postman import write_big_postman


def _documents(requests: int, folders: int) -> list[dict[str, Any]]:
    from apiclient.core import yaml_text
    from apiclient.core.collection_writer import write_collection
    from apiclient.core.importers.detect import import_any
    from apiclient.core.secrets import SecretStore
    from apiclient.core.store_format import FOLDER_FILE

    tmp = fresh_app_dirs()
    source = write_big_postman(tmp / "big.postman_collection.json", requests, folders)
    dest = write_collection(
        import_any(source).collection, tmp / "imported", SecretStore(tmp / "secrets.json")
    )
    files = sorted(p for p in (dest / "items").rglob("*.yaml") if p.name != FOLDER_FILE)
    return [yaml_text.load(path.read_text(encoding="utf-8")) for path in files]


def _seconds(dump: Callable[[Any], str], docs: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for doc in docs:
        dump(doc)
    return time.perf_counter() - start


def bench_yaml_dump(requests: int, folders: int, rounds: int) -> None:
    from apiclient.core import yaml_text

    docs = _documents(requests, folders)
    for doc in docs:
        if yaml_text.dump(doc) != yaml_text._dump_with_pyyaml(doc):
            raise RuntimeError("the fast writer and PyYAML wrote different text")
    fast: list[float] = []
    pyyaml: list[float] = []
    for _ in range(rounds):
        pyyaml.append(_seconds(yaml_text._dump_with_pyyaml, docs))
        fast.append(_seconds(yaml_text.dump, docs))
    fast_us = min(fast) / len(docs) * 1e6
    pyyaml_us = min(pyyaml) / len(docs) * 1e6
    print(f"yaml_dump_request_files: {len(docs)} files")
    print(f"yaml_dump_us_per_request: {fast_us:.0f} us")
    print(f"yaml_dump_pyyaml_us_per_request: {pyyaml_us:.0f} us")
    print(f"yaml_dump_speedup: {pyyaml_us / fast_us:.1f} x")


def run(quick: bool) -> None:
    if quick:
        bench_yaml_dump(1000, 40, rounds=3)
    else:
        bench_yaml_dump(5000, 200, rounds=3)
