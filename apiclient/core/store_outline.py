"""A quick first look at a collection folder: its folders and requests, each request with
only its kind, name, method and URL, read from the top-level lines of its file.

``CollectionStore.open`` parses and validates every file: seconds for thousands of
requests. This reads the same files in a fraction of that, so the sidebar can show the
whole tree at once while the store reads the rest in a worker. An outline is for showing
only: its requests hold nothing but those few fields (built without validation), so
nothing may open, send or save them, and it is replaced by the store's tree as soon as
that is read. A file whose lines it cannot read simply is parsed in full; a file that
does not load at all is left out (the store reports it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiclient.core.models import AnyRequest
from apiclient.core.store_files import LOAD_ERRORS, list_entries, read_doc, read_text
from apiclient.core.store_format import (
    COLLECTION_FILE,
    FOLDER_FILE,
    ITEMS_DIR,
    REQUEST_MODELS,
    SUFFIX,
    CollectionFile,
    FolderFile,
    load_yaml,
    parse_model,
    parse_request,
)
from apiclient.core.store_nodes import FolderNode, Node, RequestNode, in_order, join_relpath

# The top-level fields the outline reads; the last one of a name wins, as in YAML.
_FIELDS = ("kind", "name", "method", "url")
_TOP_LINE = re.compile(r"^(kind|name|method|url):[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)
# A plain scalar with no YAML indicator, comment or quote in it: the value as written.
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#]*")
_ORDER = re.compile(r"^order:[ \t]*(.*?)[ \t]*\r?$\n?((?:[ \t]*- .*\r?\n?)*)", re.MULTILINE)
_ORDER_ENTRY = re.compile(r"^[ \t]*- (.*?)[ \t]*\r?$", re.MULTILINE)
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Outline:
    """The collection in ``root``: its tree as the outline reads it, and how many
    requests that holds."""

    root: Path
    tree: FolderNode
    requests: int


def read_outline(root: Path) -> Outline | None:
    """The outline of the collection in ``root``; None when its collection file cannot
    be read (``CollectionStore.open`` then says why)."""
    try:
        settings = parse_model(CollectionFile, read_doc(root / COLLECTION_FILE))
    except LOAD_ERRORS:
        return None
    reader = _Reader()
    tree = reader.folder(str(root / ITEMS_DIR), "", settings.name, settings.order)
    return Outline(root, tree, reader.requests)


class _Reader:
    def __init__(self) -> None:
        # PyYAML loads here, in the worker, not while the window starts.
        from yaml.nodes import ScalarNode
        from yaml.resolver import Resolver

        self._resolver = Resolver()
        self._scalar = ScalarNode
        self._blank: dict[str, AnyRequest] = {}
        self.requests = 0

    def folder(self, directory: str, relpath: str, name: str, order: list[str]) -> FolderNode:
        # Plain strings, not Path objects: this runs once per file of a big collection.
        node = FolderNode(relpath, name)
        try:
            entries = list_entries(Path(directory))
        except OSError:
            return node
        children: list[tuple[str, Node]] = []
        for entry in entries:
            path = os.path.join(directory, entry.name)
            child_rel = join_relpath(relpath, entry.name)
            if entry.is_dir:
                children.append((entry.name, self.subfolder(path, entry.name, child_rel)))
            elif entry.name.endswith(SUFFIX) and entry.name != FOLDER_FILE and not entry.problem:
                request = self.request(path)
                if request is not None:
                    self.requests += 1
                    stem = entry.name.removesuffix(SUFFIX)
                    children.append((stem, RequestNode(child_rel, request)))
        node.children = in_order(children, order)
        return node

    def subfolder(self, directory: str, entry: str, relpath: str) -> FolderNode:
        text = _read(os.path.join(directory, FOLDER_FILE))
        # No folder file, or an unreadable one: the folder's own name, as the store does.
        settings = self._scan_folder(text or "") or FolderFile(name=entry)
        return self.folder(directory, relpath, settings.name, settings.order)

    def _scan_folder(self, text: str) -> FolderFile | None:
        """A folder file's name and order, from its lines when they are plain, else parsed."""
        fields = self._scan(text, ("name",))
        order = _ORDER.search(text)
        written = order.group(1) if order else "[]"
        listed = _ORDER_ENTRY.findall(order.group(2)) if order else []
        entries = [value for entry in listed if (value := self._value(entry)) is not None]
        if fields is not None and written in ("", "[]") and len(entries) == len(listed):
            return FolderFile(name=fields["name"], order=entries)
        try:
            return parse_model(FolderFile, load_yaml(text))
        except LOAD_ERRORS:
            return None

    def request(self, path: str) -> AnyRequest | None:
        text = _read(path)
        if text is None:
            return None
        fields = self._scan(text, _FIELDS)
        if fields is None or fields.get("kind") not in REQUEST_MODELS:
            try:
                return parse_request(text)
            except LOAD_ERRORS:
                return None
        kind = fields.pop("kind")
        if kind != "rest":
            fields.pop("method", None)  # only a REST request's method is its badge
        blank = self._blank.get(kind)
        if blank is None:
            blank = self._blank[kind] = REQUEST_MODELS[kind]()
        if "url" not in type(blank).model_fields:
            fields.pop("url", None)
        # A shallow copy of a blank request: fast, and the outline never edits it.
        return blank.model_copy(update=fields)

    def _scan(self, text: str, wanted: tuple[str, ...]) -> dict[str, Any] | None:
        """The ``wanted`` top-level fields (always with a name), or None when one is
        written in a way only a YAML parser reads (quoted with escapes, a block, a number...)."""
        fields: dict[str, Any] = {}
        for match in _TOP_LINE.finditer(text):
            if match.group(1) not in wanted:
                continue
            value = self._value(match.group(2))
            if value is None:
                return None
            fields[match.group(1)] = value
        return fields if "name" in fields else None

    def _value(self, written: str) -> str | None:
        quoted = _SINGLE_QUOTED.fullmatch(written)
        if quoted is not None:
            return quoted.group(1).replace("''", "'")
        if _PLAIN.fullmatch(written) is None or ": " in written or written.endswith(":"):
            return None
        if written[0] not in self._resolver.yaml_implicit_resolvers:
            return written  # no other type's value starts with this character
        tag = self._resolver.resolve(self._scalar, written, (True, False))
        return written if tag == _STR_TAG else None


def _read(path: str) -> str | None:
    """A regular file's text; None when it cannot be read (the store says why)."""
    try:
        return read_text(path)
    except LOAD_ERRORS:
        return None
