"""Response bodies kept in files instead of memory: the app's spool folder and its files.

A body of hundreds of megabytes must never sit whole in the app's memory, so the REST
engine writes a large one to a file here as it arrives (:class:`SpoolWriter`) and hands
on a :class:`BodyFile`. Each session has its own folder in the temp dir, named with the
process id: the folder goes when the session ends, and a session that crashed or was
killed leaves one that the next session sweeps (:func:`sweep_stale_spools`) when it
makes its own, since its process is no longer running.
"""

from __future__ import annotations

import atexit
import contextlib
import mimetypes
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

from apiclient.core.errors import StoreError

SPOOL_PREFIX = "apiclient-spool-"
# What spool_folder() names a folder: the prefix, the process id, mkdtemp's letters.
_FOLDER_NAME = re.compile(re.escape(SPOOL_PREFIX) + r"(\d+)-[a-z0-9_]{8}")
# A file that tells a job making a side file (the pretty text) to stop: see
# body_files.job_stopped.
STOP_SUFFIX = ".stop"
# What a side file is written as until it is whole (see body_files.side_file).
PART_SUFFIX = ".part"
# Files a body may have beside it: its pretty text and its UTF-8 copy (see file_text),
# and the pretty text's stop file and unfinished file.
SIDE_SUFFIXES = tuple(
    stem + end
    for stem in (".pretty", ".utf8", ".utf8.pretty")
    for end in ("", STOP_SUFFIX, PART_SUFFIX)
)
COPY_STEP = 1 << 20

_folder: Path | None = None
_folder_lock = threading.Lock()
_exit_hooked = False  # remove_spool_folder runs at exit


@dataclass(frozen=True)
class BodyFile:
    """A response body on disk: ``size`` bytes at ``path``; ``expected`` is the length
    the server announced (None when unknown or compressed); ``complete`` is False when
    the body stopped early (the connection closed, the disk filled)."""

    path: str
    size: int
    expected: int | None = None
    complete: bool = True

    def head(self, limit: int) -> bytes:
        """The first ``limit`` bytes (a preview, the sniffing of its kind)."""
        with open(self.path, "rb") as file:
            return file.read(limit)

    def as_partial(self) -> BodyFile:
        return replace(self, complete=False)

    def remove(self) -> None:
        """Delete the file and what was made from it; never raises."""
        for suffix in ("", *SIDE_SUFFIXES):
            with contextlib.suppress(OSError):
                os.unlink(self.path + suffix)


def suffix_for(content_type: str) -> str:
    """A file name ending for a body of ``content_type``, so an editor opens it as what
    it is."""
    mime = content_type.partition(";")[0].strip().lower()
    if mime.endswith(("/json", "+json")):
        return ".json"
    if mime.endswith(("/xml", "+xml")):
        return ".xml"
    if mime.startswith("text/"):
        return ".html" if mime == "text/html" else ".txt"
    return (mimetypes.guess_extension(mime) if mime else None) or ".bin"


def spool_folder() -> Path:
    """This session's spool folder, made on first use (by any tab: the REST engine, an
    Open in editor). The first one made also starts the sweep of folders that ended
    sessions left (in a thread of its own), and arranges for the folder to go when the
    process exits, whichever tab made it."""
    global _folder, _exit_hooked
    with _folder_lock:
        if _folder is None or not _folder.is_dir():
            _folder = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-"))
            if not _exit_hooked:
                _exit_hooked = True
                atexit.register(remove_spool_folder)
                threading.Thread(target=sweep_stale_spools, name="spool-sweep", daemon=True).start()
        return _folder


def remove_spool_folder() -> None:
    """Remove this session's folder and every body in it (at quit)."""
    global _folder
    with _folder_lock:
        folder, _folder = _folder, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_stale_spools(temp_dir: str | None = None) -> int:
    """Remove the spool folders of sessions that no longer run (crashed or killed), in
    ``temp_dir`` (the temp dir by default); only this user's. Returns how many went."""
    root = temp_dir or tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed = 0
    try:
        entries = list(os.scandir(root))
    except OSError:
        return 0
    for entry in entries:
        match = _FOLDER_NAME.fullmatch(entry.name)
        if match is None or _running(int(match.group(1))):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or uid not in (None, entry.stat().st_uid):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed += 1
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would end it; files a session has open refuse to go
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: not ours to judge
    return True


def _write_chunk(fd: int, data: bytes | memoryview) -> int:
    """The one place a spooled body reaches the disk (a test makes it fail as a full
    disk does)."""
    return os.write(fd, data)


class SpoolWriter:
    """Writes one body to a new file in ``folder`` as its chunks arrive.

    The writes happen on a thread of the writer's own: the kernel makes a process that
    writes hundreds of megabytes wait for the disk now and then (tens of milliseconds),
    which must not be the GUI thread's wait. ``write`` only queues; ``backlog`` is how
    much waits, and a caller that sees too much calls :meth:`wait` from a worker. A
    failed write (a full disk, a file-size limit) is raised by the next ``write``,
    ``wait`` or ``flush``; what was written before it stays in the file.
    """

    def __init__(self, folder: Path, suffix: str = "") -> None:
        fd, path = tempfile.mkstemp(prefix="body-", suffix=suffix, dir=folder)
        self.path = path
        self.size = 0  # bytes in the file; final once flush() returned
        self._fd = fd
        self._chunks: deque[bytes] = deque()
        self._backlog = 0
        self._closing = False
        self._discarded = False
        self._ended = False  # the thread has closed the file and will touch it no more
        self._error: OSError | None = None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="body-spool", daemon=True)
        self._thread.start()

    @property
    def backlog(self) -> int:
        """Bytes queued and not yet written."""
        return self._backlog

    def write(self, data: bytes) -> None:
        """Queue ``data``; raises the ``OSError`` of a write that failed before."""
        with self._changed:
            if self._error is not None:
                raise self._error
            self._chunks.append(data)
            self._backlog += len(data)
            self._changed.notify_all()

    def wait(self, limit: int) -> None:
        """Block until at most ``limit`` bytes wait to be written; raises a write's
        ``OSError``."""
        with self._changed:
            while self._backlog > limit and self._error is None:
                self._changed.wait()
            if self._error is not None:
                raise self._error

    def flush(self) -> None:
        """Block until all is written and the file is closed; raises a write's
        ``OSError`` (the file keeps what was written before it)."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def finish(self, expected: int | None, complete: bool = True) -> BodyFile:
        """Describe the file (after :meth:`flush`)."""
        return BodyFile(self.path, self.size, expected, complete)

    def discard(self) -> None:
        """Drop what is queued and delete the file (the send was cancelled or failed),
        whatever the writer's thread is doing: while it runs, it deletes the file as it
        ends (so this never waits for a write); once it has ended, this does."""
        with self._changed:
            self._discarded = self._closing = True
            self._chunks.clear()
            self._backlog = 0
            self._changed.notify_all()
            ended = self._ended
        if ended:
            BodyFile(self.path, self.size).remove()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._chunks and not self._closing:
                    self._changed.wait()
                if not self._chunks:
                    break
                data = self._chunks.popleft()
            failed = None
            if self._error is None:
                try:
                    self._write_all(data)
                except OSError as exc:
                    failed = exc
            with self._changed:
                self._error = self._error or failed
                self._backlog = max(0, self._backlog - len(data))
                self._changed.notify_all()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        with self._changed:
            self._ended = True  # from here discard() deletes the file itself
            discarded = self._discarded
        if discarded:
            BodyFile(self.path, self.size).remove()

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = _write_chunk(self._fd, view)
            self.size += written
            view = view[written:]


def write_body_copy(body: bytes, content_type: str) -> str:
    """Write a body held in memory to a new file in the spool folder (to open it in
    another program); returns its path. Raises :class:`StoreError` worded for a person."""
    folder = spool_folder()
    try:
        writer = SpoolWriter(folder, suffix_for(content_type))
        writer.write(body)
        writer.flush()
    except OSError as exc:
        raise StoreError.from_os_error(
            exc, folder, keep="the response body is still shown; try Save… instead"
        ) from exc
    return writer.path


def keep_for_editor(source: str) -> str:
    """A name for the body file ``source`` in the spool folder that lives until the
    session ends, for another program to open: the tab deletes ``source`` when the next
    response comes, which must not pull the file from under an editor. A hard link (no
    copy, instant) where the file system allows one, else a copy. Returns the new path;
    raises :class:`StoreError` worded for a person."""
    folder = spool_folder()
    target = folder / f"open-{uuid.uuid4().hex[:12]}{Path(source).suffix}"
    try:
        os.link(source, target)
    except OSError as exc:
        if not os.path.exists(source):
            raise StoreError.from_os_error(
                exc, Path(source), "read", keep="send the request again to get the body back"
            ) from exc
        copy_body_file(source, target)
    return str(target)


def copy_body_file(source: str, target: Path) -> None:
    """Copy a body file to ``target`` through a temp file beside it, renamed at the end,
    so a failed copy never leaves half a file under the chosen name; raises
    :class:`StoreError` worded for a person."""
    temp = ""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, COPY_STEP)
        os.replace(temp, target)
    except OSError as exc:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise StoreError.from_os_error(
            exc, target, keep="the response body is still here to save again"
        ) from exc
