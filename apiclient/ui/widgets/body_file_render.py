"""A spooled body for the body view: its text read from the file part by part, and its
pretty text made on demand, file to file, off the GUI thread.

Up to ``FULL_FORMAT_BYTES`` the pretty text is the same as for a body in memory
(:func:`~apiclient.core.body_files.format_body_file` in the worker process: parsed,
checked, re-indented); past it, JSON is re-indented as it streams
(:mod:`apiclient.core.json_stream`), and XML or HTML is left as received: parsing half a
gigabyte would need gigabytes of memory.

The job in the worker process cannot be cancelled from here, so a pretty-print the view
drops (:meth:`PrettyFile.stop`, or the tab deleting the body) is told through the file
system: a stop file beside the pretty text, or the body's file gone. The job looks every
megabyte, stops, and leaves no pretty text behind, so the single worker is soon free
for the next body.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from apiclient.core.body_files import FormattedFile, format_body_file
from apiclient.core.body_spool import PART_SUFFIX, STOP_SUFFIX, BodyFile
from apiclient.core.file_text import FileText, open_body_text
from apiclient.core.formatting import body_kind, hex_dump, human_size
from apiclient.core.json_stream import pretty_json_file
from apiclient.core.paged_text import PagedBody, PagedText
from apiclient.ui.workers import run_off_gui

FULL_FORMAT_BYTES = 64 << 20
_SNIFF_BYTES = 64 * 1024
_PROGRESS_EVERY_S = 0.25


@dataclass(frozen=True)
class PrettyFile:
    """The pretty text of a spooled body being made: ``task`` gives the new
    :class:`PagedBody`; ``written()`` how much of the pretty text is on disk so far."""

    task: asyncio.Future[PagedBody]
    path: str

    @property
    def stop_path(self) -> str:
        """The file whose existence tells the job in the worker process to stop."""
        return self.path + STOP_SUFFIX

    def written(self) -> int:
        """Bytes of the pretty text written so far."""
        for path in (self.path + PART_SUFFIX, self.path):
            try:
                return os.path.getsize(path)
            except OSError:
                pass
        return 0

    def stop(self) -> None:
        """Cancel the task and tell the job in the worker process to stop (it checks
        every megabyte), so the worker is soon free and no pretty text is left behind."""
        if self.task.done():
            return
        self.task.cancel()
        source = self.path.removesuffix(".pretty")
        asyncio.get_event_loop().run_in_executor(None, _touch_beside, source, self.stop_path)


def _touch_beside(source: str, path: str) -> None:
    """Make the empty file ``path``, unless ``source`` went (then the job stops anyway,
    and a stop file made now would outlive the body's side files)."""
    if os.path.exists(source):
        with contextlib.suppress(OSError):
            open(path, "ab").close()


async def open_spooled(
    content_type: str,
    charset: str | None,
    body_file: BodyFile,
    page_chars: int,
    stop: threading.Event | None = None,
) -> PagedBody:
    """The spooled body as the body view shows it before any pretty-printing: its text
    paged from the file, or a hex dump of its start when it is binary. Raises
    ``OSError`` when the file cannot be read, ``IndexStopped`` when ``stop`` is set."""
    head = await asyncio.to_thread(body_file.head, _SNIFF_BYTES)
    kind = body_kind(content_type, head)
    if kind == "binary":
        dump = await asyncio.to_thread(PagedText.of, hex_dump(head), page_chars)
        return PagedBody("binary", dump, dump)
    raw = await asyncio.to_thread(open_body_text, body_file.path, charset, page_chars, stop=stop)
    return PagedBody(kind, raw, raw)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def pretty_print_file(
    content_type: str,
    shown: PagedBody,
    body_file: BodyFile,
    page_chars: int,
    on_progress: Callable[[], None],
) -> PrettyFile:
    """Start making the pretty text of ``shown`` (as :func:`open_spooled` gave it) into
    a ``.pretty`` file beside the text; ``on_progress`` is called a few times a second
    while it is made."""
    assert isinstance(shown.raw, FileText)
    target = shown.raw.path + ".pretty"
    task = asyncio.ensure_future(
        _pretty(content_type, shown, body_file, target, page_chars, on_progress)
    )
    return PrettyFile(task, target)


async def _pretty(
    content_type: str,
    shown: PagedBody,
    body_file: BodyFile,
    target: str,
    page_chars: int,
    on_progress: Callable[[], None],
) -> PagedBody:
    raw = shown.raw
    assert isinstance(raw, FileText)
    size = body_file.size
    stop = target + STOP_SUFFIX
    await asyncio.to_thread(_unlink, stop)  # left by a job stopped before, if any
    if size <= FULL_FORMAT_BYTES:
        # The text file is UTF-8 (a body in another charset was copied to UTF-8).
        work = run_off_gui(
            format_body_file, content_type, "utf-8", raw.path, target, stop, size_hint=size
        )
    elif shown.kind == "json":
        work = run_off_gui(pretty_json_file, raw.path, target, stop, size_hint=size)
    else:
        problem = (
            f"Too large to pretty-print here ({human_size(size)} of {shown.kind.upper()}); "
            "use Open in editor for another tool"
        )
        return PagedBody(shown.kind, raw, raw, problem)
    future = asyncio.ensure_future(work)
    try:
        while not future.done():
            await asyncio.wait({future}, timeout=_PROGRESS_EVERY_S)
            on_progress()
    except asyncio.CancelledError:
        future.cancel()  # a job still queued for the worker is dropped
        raise
    try:
        result = future.result()
    except Exception as exc:  # the worker process died, the file went: show it raw
        reason = str(exc) or type(exc).__name__
        return PagedBody(shown.kind, raw, raw, f"Could not pretty-print the body ({reason})")
    if isinstance(result, FormattedFile):
        if result.pretty_path is None:
            return PagedBody(shown.kind, raw, raw, result.problem)
        problem = result.problem
    else:
        problem = result
    try:
        pretty = await asyncio.to_thread(FileText.index, target, page_chars)
    except OSError as exc:  # the file went meanwhile (deleted outside the app)
        reason = exc.strerror or str(exc)
        return PagedBody(shown.kind, raw, raw, f"Could not read the pretty text ({reason})")
    return PagedBody(shown.kind, raw, pretty, problem)
