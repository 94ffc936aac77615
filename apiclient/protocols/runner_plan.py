"""Building a :class:`RunPlan`: the requests of a folder in run order, data rows, options.

A plan is built from what the user sees: a node of the stored collection tree (the
sidebar's "Run folder") or the items of an in-memory collection (an imported Postman
file). Both walk depth-first in the user's order, so a run does what the tree shows.
Webhook receivers are left out with a reason, since a receiver waits for calls rather
than making one; every other request kind runs.

Each planned request carries the auth it sends: a request that inherits gets its
nearest folder's, else the collection's (``apiclient.core.auth_inherit``), exactly as a
send from its tab would, so the steps never see kind ``inherit``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from apiclient.core.auth_inherit import inherited_auth
from apiclient.core.models import AnyRequest, Auth, Folder, WebhookRequest
from apiclient.core.store_nodes import FolderNode, RequestNode
from apiclient.core.variables import Scope
from apiclient.protocols.batch_rows import load_rows_csv, load_rows_json
from apiclient.protocols.errors import BatchDataError, RunOptionsError
from apiclient.protocols.runner_model import (
    MAX_CONCURRENCY,
    MAX_DELAY_MS,
    MAX_ITERATIONS,
    PlannedRequest,
    RunOptions,
    RunPlan,
)

WEBHOOK_REASON = "a webhook receiver listens for calls; it is not a call to run"

AuthChooser = Callable[[str | None, Auth], tuple[Auth, str]]
"""(relpath, the request's own auth) -> (the auth it sends, where that comes from), as
``auth_inherit.effective_auth`` bound to a collection, or ``Workspace.effective_auth``."""

_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_PATH_SEPARATOR = " / "


def plan_from_node(
    node: FolderNode | RequestNode,
    *,
    name: str,
    scope: Scope,
    options: RunOptions,
    auth: AuthChooser | None = None,
) -> RunPlan:
    """A plan running ``node`` (a folder: everything under it; a request: itself).

    ``path`` of each request is relative to ``node``: the folders below it joined with
    " / ", then the request's name. ``auth`` picks the auth each request sends (it knows
    the folders above ``node`` and the collection); without it each request keeps its own,
    and one that inherits sends none.
    """
    runnable: list[PlannedRequest] = []
    skipped: list[tuple[str, str]] = []
    choose: AuthChooser = auth if auth is not None else _no_parent_auth

    def visit(current: FolderNode | RequestNode, prefix: tuple[str, ...]) -> None:
        if isinstance(current, RequestNode):
            request = _with_auth(current.request, choose(current.relpath, _own(current.request)))
            _add(request, prefix, current.relpath, runnable, skipped)
            return
        for child in current.children:
            visit(child, (*prefix, child.name) if isinstance(child, FolderNode) else prefix)

    visit(node, ())
    return RunPlan(name, tuple(runnable), scope, options, tuple(skipped))


def plan_from_items(
    items: Sequence[Folder | AnyRequest],
    *,
    name: str,
    scope: Scope,
    options: RunOptions,
    collection_auth: Auth | None = None,
    parents: Sequence[Folder] = (),
) -> RunPlan:
    """A plan running in-memory ``items`` (folders and requests); relpaths are "".

    A request that inherits sends the auth of its nearest folder that sets one (among
    ``parents``, the folders above ``items`` from the top down, and the folders of
    ``items``), else ``collection_auth`` (the collection's own, named ``name``)."""
    runnable: list[PlannedRequest] = []
    skipped: list[tuple[str, str]] = []
    top = collection_auth if collection_auth is not None else Auth(kind="none")

    def visit(
        entries: Sequence[Folder | AnyRequest],
        prefix: tuple[str, ...],
        folders: tuple[Folder, ...],
    ) -> None:
        for entry in entries:
            if isinstance(entry, Folder):
                visit(entry.items, (*prefix, entry.name), (*folders, entry))
            else:
                own = _own(entry)
                chosen = (
                    (own, "")
                    if own.kind != "inherit"
                    else inherited_auth([(f.name, f.auth) for f in reversed(folders)], name, top)
                )
                _add(_with_auth(entry, chosen), prefix, "", runnable, skipped)

    visit(items, (), tuple(parents))
    return RunPlan(name, tuple(runnable), scope, options, tuple(skipped))


def _own(request: AnyRequest) -> Auth:
    """The request's own auth; none for a kind that has no auth (a WebSocket's headers)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Auth) else Auth(kind="none")


def _with_auth(request: AnyRequest, chosen: tuple[Auth, str]) -> AnyRequest:
    """``request`` sending the chosen auth (itself when that is its own)."""
    auth = chosen[0]
    if not hasattr(request, "auth") or request.auth is auth:  # type: ignore[union-attr]
        return request
    return request.model_copy(update={"auth": auth})


def _no_parent_auth(relpath: str | None, own: Auth) -> tuple[Auth, str]:
    """The auth chooser of a plan that knows no folder or collection auth: the request's
    own (``inherit`` there sends none, as kind none does)."""
    return own, "this request"


def _add(
    request: AnyRequest,
    prefix: tuple[str, ...],
    relpath: str,
    runnable: list[PlannedRequest],
    skipped: list[tuple[str, str]],
) -> None:
    path = _PATH_SEPARATOR.join((*prefix, request.name))
    if isinstance(request, WebhookRequest):
        skipped.append((path, WEBHOOK_REASON))
    else:
        runnable.append(PlannedRequest(path, request, relpath))


def load_data_rows(path: Path) -> tuple[dict[str, str], ...]:
    """The rows of a CSV or JSON data file, every value as text.

    The format follows the suffix (``.csv``/``.tsv``/``.txt``: CSV; ``.json``: JSON);
    any other suffix is sniffed (a file starting with ``[`` or ``{`` is JSON). A JSON
    value that is not a string becomes its JSON text (``42``, ``true``; objects and
    arrays compact), except null, which becomes "". Raises :class:`BatchDataError`
    (naming the file, and the row and column where that applies), also for a file
    with no rows.
    """
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        is_json = False
    elif suffix == ".json":
        is_json = True
    else:
        is_json = _looks_like_json(path)
    if is_json:
        rows = tuple(
            {key: _text(value) for key, value in row.items()} for row in load_rows_json(path)
        )
    else:
        rows = tuple(load_rows_csv(path))
    if not rows:
        raise BatchDataError(
            f"{path.name} has no rows: a data file needs at least one row, one per iteration.",
            path=path,
        )
    return rows


def _looks_like_json(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            start = handle.read(512)
    except OSError:
        return False  # the CSV loader reports the unreadable file in its words
    return start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def check_options(options: RunOptions) -> None:
    """Raise :class:`RunOptionsError` for an option outside its allowed range.

    With data rows, ``iterations`` is ignored (one iteration per row) and the number of
    rows is what must stay within :data:`MAX_ITERATIONS`.
    """
    if options.data_rows:
        if len(options.data_rows) > MAX_ITERATIONS:
            raise RunOptionsError(
                f"A data file may have at most {MAX_ITERATIONS:,} rows (one iteration "
                f"each); this one has {len(options.data_rows):,}."
            )
    elif not 1 <= options.iterations <= MAX_ITERATIONS:
        raise RunOptionsError(
            f"Iterations must be between 1 and {MAX_ITERATIONS:,}; got {options.iterations:,}."
        )
    if not 1 <= options.concurrency <= MAX_CONCURRENCY:
        raise RunOptionsError(
            f"Concurrency must be between 1 and {MAX_CONCURRENCY} requests in flight; got "
            f"{options.concurrency:,}."
        )
    if not 0 <= options.delay_ms <= MAX_DELAY_MS:
        raise RunOptionsError(
            f"The delay must be between 0 and {MAX_DELAY_MS:,} ms; got {options.delay_ms:,} ms."
        )
