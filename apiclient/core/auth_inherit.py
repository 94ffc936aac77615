"""The auth a request sends, after inheritance from its folders and its collection.

A request whose auth kind is ``inherit`` (the default, as Postman's "inherit auth from
parent") takes the auth of its nearest folder that sets one, else the collection's. The
answer comes with where it came from, so the Auth tab can say "folder 'Playlists'".
Called on every send and on every edit of the Auth tab, so it only walks the in-memory
tree: no file is read.
"""

from __future__ import annotations

from collections.abc import Iterable

from apiclient.core.models import Auth
from apiclient.core.store_nodes import FolderNode, is_within

OWN_AUTH = "this request"
"""Where the auth comes from when the request sets its own."""

_NONE = Auth(kind="none")


def effective_auth(
    root: FolderNode, collection_auth: Auth, relpath: str | None, own: Auth
) -> tuple[Auth, str]:
    """The auth to send for the request at ``relpath`` whose own auth is ``own``, and
    where it comes from ("this request", "folder 'Name'", "collection 'Name'", or ""
    when nothing sets one, with kind none). ``relpath`` None (a draft) inherits from the
    collection alone."""
    if own.kind != "inherit":
        return own, OWN_AUTH
    folders = _folders_above(root, relpath) if relpath else []
    return inherited_auth(reversed([(f.name, f.auth) for f in folders]), root.name, collection_auth)


def inherited_auth(
    folders: Iterable[tuple[str, Auth]], collection_name: str, collection_auth: Auth
) -> tuple[Auth, str]:
    """What a request that inherits gets: ``folders`` are (name, auth) from the nearest
    folder to the top; the first that is not ``inherit`` wins, else the collection's."""
    for name, auth in folders:
        if auth.kind != "inherit":
            return auth, f"folder {name!r}"
    if collection_auth.kind in ("inherit", "none"):
        return _NONE, ""
    return collection_auth, f"collection {collection_name!r}"


def _folders_above(root: FolderNode, relpath: str) -> list[FolderNode]:
    """The folders holding ``relpath``, from the top down (the root not included)."""
    chain: list[FolderNode] = []
    current = root
    while True:
        below = next(
            (
                child
                for child in current.children
                if isinstance(child, FolderNode)
                and child.relpath != relpath
                and is_within(relpath, child.relpath)
            ),
            None,
        )
        if below is None:
            return chain
        chain.append(below)
        current = below
