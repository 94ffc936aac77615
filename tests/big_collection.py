"""A big collection on disk, as a team's API collection grows: folders of requests with
small JSON bodies, written the way the app writes them (folder files with an ``order:``).

Used by the big-collection test and benchmark, and by anything else that needs one:

    root = write_big_collection(tmp_path / "big")     # 200 folders x 25 requests

Names, URLs and bodies hold the folder and request numbers, so a filter can find one
request by any of them: request ``r`` of folder ``f`` is named ``Request f-r``, goes to
``https://api.example.com/v1/folder<f>/items/<r>`` and sends ``"sku": "sku-<f>-<r>"``.
"""

from __future__ import annotations

import json
from pathlib import Path

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def request_name(folder: int, request: int) -> str:
    """The display name of request ``request`` of folder ``folder``."""
    return f"Request {folder}-{request}"


def request_url(folder: int, request: int) -> str:
    """The URL request ``request`` of folder ``folder`` goes to."""
    return f"https://api.example.com/v1/folder{folder}/items/{request}?q=1"


def request_sku(folder: int, request: int) -> str:
    """A word only the body of request ``request`` of folder ``folder`` holds."""
    return f"sku-{folder}-{request}"


def _request_text(folder: int, request: int) -> str:
    body = json.dumps(
        {
            "id": request,
            "folder": folder,
            "sku": request_sku(folder, request),
            "tags": ["alpha", "beta"],
            "note": "x" * 80,
        },
        indent=2,
    )
    method = METHODS[request % len(METHODS)]
    return (
        f"kind: rest\nname: {request_name(folder, request)}\nmethod: {method}\n"
        f"url: {request_url(folder, request)}\n"
        "headers:\n  - name: Content-Type\n    value: application/json\n"
        "body:\n  mode: raw\n  raw: |\n" + "".join(f"    {line}\n" for line in body.splitlines())
    )


def write_big_collection(
    root: Path, folders: int = 200, per_folder: int = 25, name: str = "Big"
) -> Path:
    """Write a collection of ``folders`` folders of ``per_folder`` REST requests in
    ``root`` (a new or empty folder) and return ``root``."""
    items = root / "items"
    items.mkdir(parents=True, exist_ok=True)
    folder_slugs = [f"folder-{f:03d}" for f in range(folders)]
    order = "".join(f"  - {slug}\n" for slug in folder_slugs)
    (root / "collection.yaml").write_text(
        f"schema_version: 1\nname: {name}\norder:\n{order}", encoding="utf-8"
    )
    for f, slug in enumerate(folder_slugs):
        directory = items / slug
        directory.mkdir()
        stems = [f"request-{f}-{r}" for r in range(per_folder)]
        listed = "".join(f"  - {stem}\n" for stem in stems)
        (directory / "folder.yaml").write_text(
            f"name: Folder {f}\norder:\n{listed}", encoding="utf-8"
        )
        for r, stem in enumerate(stems):
            (directory / f"{stem}.yaml").write_text(_request_text(f, r), encoding="utf-8")
    return root
