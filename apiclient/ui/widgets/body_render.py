"""Formatting a response body off the GUI thread: a thread for small bodies, the worker
process for large ones, with files for the hand-over (see :mod:`core.body_files`)."""

from __future__ import annotations

import asyncio

from apiclient.core.body_files import (
    decode_in_steps,
    format_body_file,
    make_body_folder,
    read_text_in_steps,
    remove_body_folder,
    sweep_stale_body_folders,
)
from apiclient.core.formatting import render_body
from apiclient.core.paged_text import PagedBody, PagedText
from apiclient.ui.workers import PROCESS_THRESHOLD_BYTES, run_off_gui

# The sweep of folders left by a crashed session: once a session, on the first large body.
_sweep: asyncio.Future[None] | None = None


def _render_small(content_type: str, charset: str | None, body: bytes, pages: int) -> PagedBody:
    return PagedBody.of(render_body(content_type, charset, body), pages)


async def render_off_gui(
    content_type: str, charset: str | None, body: bytes, page_chars: int
) -> PagedBody:
    """Everything the body view shows, in parts of about ``page_chars`` characters,
    computed without holding the GUI thread."""
    global _sweep
    if len(body) < PROCESS_THRESHOLD_BYTES:
        return await asyncio.to_thread(_render_small, content_type, charset, body, page_chars)
    if _sweep is None:
        _sweep = asyncio.ensure_future(asyncio.to_thread(sweep_stale_body_folders))
    folder = await asyncio.to_thread(make_body_folder)
    try:
        body_path = folder / "body"
        await asyncio.to_thread(body_path.write_bytes, body)
        formatted = await run_off_gui(
            format_body_file, content_type, charset, str(body_path), size_hint=len(body)
        )
        if formatted.kind == "binary":
            dump = PagedText.of(formatted.dump, page_chars)
            return PagedBody("binary", dump, dump)
        raw = await asyncio.to_thread(decode_in_steps, body, charset, page_chars)
        pretty = raw
        if formatted.pretty_path is not None:
            pretty = await asyncio.to_thread(read_text_in_steps, formatted.pretty_path, page_chars)
        return PagedBody(formatted.kind, raw, pretty, formatted.problem)
    finally:
        await asyncio.to_thread(remove_body_folder, folder)
