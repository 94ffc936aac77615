"""Parsed request files kept from one read of a collection to the next.

A collection is read again after every change on disk: a git pull, an editor, and the
app's own saves, which the file watcher cannot tell from the others. Parsing and
validating thousands of YAML files takes seconds; a file whose inode, size, modification
and change times are those of the last read holds the same text, so its parsed request
is reused and only changed files are parsed again.

A file changed less than two seconds before it was read is not kept: on a file system
with coarse timestamps its next change could leave every time as it was (git treats
such "racily clean" files the same way).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from apiclient.core.models import AnyRequest
from apiclient.core.store_files import read_text
from apiclient.core.store_format import parse_request

RACY_NS = 2_000_000_000
MAX_ENTRIES = 50_000

Stamp = tuple[int, int, int, int]


def stamp_of(info: os.stat_result) -> Stamp:
    """What must stay the same for a file to be taken as unchanged."""
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class ParsedRequests:
    """Requests parsed from files, by path and ``stamp_of`` the file when it was read.

    Safe to use from several threads (stores read in workers). The requests are shared
    by every store that reads the file, which is fine: stores replace requests, they
    never change one in place.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[str, tuple[Stamp, AnyRequest]] = {}
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, path: str, stamp: Stamp) -> AnyRequest | None:
        """The request parsed from ``path`` when it had ``stamp``, if kept."""
        entry = self._entries.get(path)
        return entry[1] if entry is not None and entry[0] == stamp else None

    def put(self, path: str, stamp: Stamp, request: AnyRequest) -> None:
        """Keep ``request`` as what ``path`` holds while its stamp is ``stamp``."""
        if time.time_ns() - max(stamp[2], stamp[3]) < RACY_NS:
            self._entries.pop(path, None)
            return
        with self._lock:
            self._entries.pop(path, None)  # re-inserted last: the oldest go first
            self._entries[path] = (stamp, request)
            while len(self._entries) > self._max:
                del self._entries[next(iter(self._entries))]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


PARSED_REQUESTS = ParsedRequests()
"""The process's one cache: every store reads through it."""


def read_request(path: Path) -> AnyRequest:
    """The request in ``path``: parsed, or as parsed last time if the file is unchanged.
    Raises what reading and parsing raise (``store_files.LOAD_ERRORS``)."""
    name = str(path)
    stamp = stamp_of(os.stat(name))
    request = PARSED_REQUESTS.get(name, stamp)
    if request is None:
        request = parse_request(read_text(path))
        PARSED_REQUESTS.put(name, stamp, request)
    return request
