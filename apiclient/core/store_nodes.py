"""The in-memory tree of a collection, as the UI shows it, and the relpaths that name nodes.

A relpath is a node's path under the collection's ``items/`` folder with ``/`` separators:
``playlists`` for a folder, ``playlists/list-playlists.yaml`` for a request, "" for the
root. It is also the node's identity, so the UI keys its tree items by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from apiclient.core.models import AnyRequest, Auth, inherit_auth
from apiclient.core.store_format import SUFFIX


@dataclass
class RequestNode:
    """A request in the tree; ``relpath`` is its file under ``items/``, e.g. ``a/b.yaml``."""

    relpath: str
    request: AnyRequest


@dataclass
class FolderNode:
    """A folder in the tree; the root has ``relpath`` "" and the collection's name.
    ``auth`` is what the requests inside inherit (the root's is unused: the collection's
    auth is ``CollectionStore.auth``)."""

    relpath: str
    name: str
    description: str = ""
    children: list[FolderNode | RequestNode] = field(default_factory=list)
    auth: Auth = field(default_factory=inherit_auth)


Node = FolderNode | RequestNode


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be loaded and is left alone; ``reason`` is for a person."""

    path: Path
    reason: str


def join_relpath(parent: str, entry: str) -> str:
    """The relpath of ``entry`` (a file or folder name) inside the folder ``parent``."""
    return f"{parent}/{entry}" if parent else entry


def parent_relpath(relpath: str) -> str:
    """The relpath of the folder holding ``relpath`` ("" for the top level)."""
    return relpath.rpartition("/")[0]


def entry_name(node: Node) -> str:
    """The name ``order:`` lists for ``node``: a request's file stem, a folder's name."""
    tail = node.relpath.rpartition("/")[2]
    return tail.removesuffix(SUFFIX) if isinstance(node, RequestNode) else tail


def is_within(relpath: str, ancestor: str) -> bool:
    """Whether ``relpath`` is ``ancestor`` or lies inside it."""
    return relpath == ancestor or relpath.startswith(ancestor + "/")


def in_order(children: list[tuple[str, Node]], order: list[str]) -> list[Node]:
    """The nodes of ``children`` ((entry name, node) pairs) as a folder shows them: those
    ``order`` lists first, in its order, then the others sorted by entry name."""
    rank: dict[str, int] = {}
    for entry in order:
        rank.setdefault(entry, len(rank))
    unlisted = len(rank)
    children = sorted(children, key=lambda pair: (rank.get(pair[0], unlisted), pair[0]))
    return [child for _, child in children]


def walk(node: Node) -> list[Node]:
    """``node`` and everything under it, depth first."""
    nodes: list[Node] = [node]
    if isinstance(node, FolderNode):
        for child in node.children:
            nodes.extend(walk(child))
    return nodes
