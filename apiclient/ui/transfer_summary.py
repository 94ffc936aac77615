"""The counts line the Import and Export summaries share ("3 REST requests in 2 folders")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apiclient.ui.request_tabs import RequestTabs

if TYPE_CHECKING:
    from apiclient.core.importers.detect import ImportCounts


def counts_text(counts: ImportCounts) -> str:
    """ "3 REST requests in 2 folders, 1 environment", or with several kinds
    "4 requests (3 REST, 1 GraphQL) in 1 folder"."""
    kinds = sorted(counts.requests_by_kind.items(), key=lambda pair: (-pair[1], pair[0]))
    if len(kinds) == 1:
        ((kind, n),) = kinds
        text = f"{n:,} {RequestTabs.label(kind)} {'request' if n == 1 else 'requests'}"
    else:
        text = plural(counts.requests, "request")
        if kinds:
            text += " (" + ", ".join(f"{n:,} {RequestTabs.label(k)}" for k, n in kinds) + ")"
    if counts.folders:
        text += f" in {plural(counts.folders, 'folder')}"
    if counts.environments:
        text += f", {plural(counts.environments, 'environment')}"
    return text


def plural(n: int, noun: str) -> str:
    """ "1 folder", "2 folders", "5,000 requests"."""
    return f"{n} {noun}" if n == 1 else f"{n:,} {noun}s"
