"""Disk access for one collection folder, with the rules every write must keep.

Writes are atomic and skipped when the file already holds the same text; files that
failed to load (the ``problems``) are never overwritten; OS errors become ``StoreError``
with a message for a person. Secret values of variables go through here as well, so the
files never hold them.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from apiclient.core.atomic import atomic_write_bytes, atomic_write_text, remove_stale_temp_files
from apiclient.core.errors import StoreError
from apiclient.core.models import Variable
from apiclient.core.paths import ensure_dir
from apiclient.core.secrets import SecretStore
from apiclient.core.store_format import ENVIRONMENTS_DIR, ITEMS_DIR, SUFFIX, FormatError, load_yaml
from apiclient.core.store_nodes import LoadProblem


def load_reason(exc: Exception) -> str:
    """Why a file failed to load, in words."""
    if isinstance(exc, FormatError):
        return exc.reason
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start} cannot be decoded)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


LOAD_ERRORS = (OSError, UnicodeDecodeError, FormatError)
"""What reading a file may raise; ``load_reason`` words each of them."""


@dataclass(frozen=True)
class Entry:
    """One visible entry of a folder: ``is_dir`` (following links), or a file, which
    ``problem`` says cannot be read (in words) when it is no regular file."""

    name: str
    is_dir: bool
    problem: str = ""


def list_entries(directory: Path) -> list[Entry]:
    """The entries of ``directory`` not starting with ".", sorted by name, from one
    directory read (no call per entry on most file systems). Nothing is opened: a FIFO
    would block a read forever, so it and other special files come with a problem."""
    with os.scandir(directory) as scan:
        found = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    return [_entry(e) for e in found]


NOT_REGULAR = "not a regular file (a pipe, socket or device), so it was not read"


class NotRegularFileError(FormatError):
    """A file to read is a pipe, socket or device: reading a pipe would wait forever."""

    def __init__(self) -> None:
        super().__init__(NOT_REGULAR)


def _entry(entry: os.DirEntry[str]) -> Entry:
    try:
        if entry.is_dir():
            return Entry(entry.name, True)
        if entry.is_file():
            return Entry(entry.name, False)
        if entry.is_symlink():
            return Entry(entry.name, False, _link_problem(entry.path))
    except OSError as exc:
        return Entry(entry.name, False, load_reason(exc))
    return Entry(entry.name, False, NOT_REGULAR)


def _link_problem(path: str) -> str:
    """Why a symbolic link that leads to no file or folder is not read."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return "a symbolic link to something that does not exist"
    except OSError as exc:
        return load_reason(exc)
    return f"a symbolic link to something {NOT_REGULAR}"


def read_text(path: Path | str) -> str:
    """A regular file's text; raises one of ``LOAD_ERRORS``, ``NotRegularFileError`` for
    anything else. Opened without waiting, so a pipe is refused rather than read forever."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError
        return file.read().decode("utf-8")


def read_doc(path: Path) -> dict[str, Any]:
    """A YAML file (a regular one) as a mapping; raises one of ``LOAD_ERRORS``."""
    return load_yaml(read_text(path))


def remove_crash_leftovers(root: Path) -> list[Path]:
    """Stale temporary files of interrupted writes (``atomic.remove_stale_temp_files``) in
    the folders a collection's store writes: the collection folder itself (its
    collection.yaml), ``items/`` and everything under it, and ``environments/``. Nothing
    else is walked: the collection may sit at the root of a whole repository."""
    return [
        *remove_stale_temp_files(root, recursive=False),
        *remove_stale_temp_files(root / ITEMS_DIR),
        *remove_stale_temp_files(root / ENVIRONMENTS_DIR, recursive=False),
    ]


def blank_secrets(variables: list[Variable]) -> list[Variable]:
    """The variables as written to a file: secret ones without their value."""
    return [v.model_copy(update={"value": ""}) if v.secret else v for v in variables]


class CollectionFiles:
    """The files of one collection (and the secret values that belong to them)."""

    def __init__(self, root: Path, secrets: SecretStore) -> None:
        self.root = root
        self.secrets = secrets
        self.problems: list[LoadProblem] = []

    # ---- problems ------------------------------------------------------------------------

    def report(self, path: Path, reason: str) -> None:
        """Record a file that failed to load (once)."""
        problem = LoadProblem(path, reason)
        if problem not in self.problems:
            self.problems.append(problem)

    def is_broken(self, path: Path) -> bool:
        """Whether ``path`` failed to load (and so must be left alone)."""
        return any(p.path == path for p in self.problems)

    def broken_stems(self, directory: Path, exclude: str) -> set[str]:
        """Stems of the broken files directly in ``directory``, except the file ``exclude``."""
        return {
            p.path.stem
            for p in self.problems
            if p.path.parent == directory and p.path.name != exclude
        }

    def forget_under(self, path: Path) -> None:
        """Drop the problems of files that were deleted with the folder ``path``."""
        self.problems = [p for p in self.problems if not p.path.is_relative_to(path)]

    # ---- reading -------------------------------------------------------------------------

    def taken(self, directory: Path) -> set[str]:
        """Entry names in use in ``directory``, including files that failed to load."""
        try:
            paths = [p for p in directory.iterdir() if not p.name.startswith(".")]
        except FileNotFoundError:
            return set()
        except OSError as exc:
            raise StoreError.from_os_error(exc, directory, "read") from exc
        return {p.name for p in paths} | {p.stem for p in paths if p.suffix == SUFFIX}

    # ---- writing -------------------------------------------------------------------------

    def check_writable(self, path: Path) -> None:
        """Refuse to touch a file that failed to load."""
        if self.is_broken(path):
            raise StoreError(
                f"{path} could not be loaded, so apiclient leaves it alone. Fix or remove it "
                "by hand, then reopen the collection.",
                path,
            )

    def write_text(self, path: Path, text: str) -> None:
        """Write ``text`` atomically unless the file already holds exactly that text."""
        self.check_writable(path)
        try:
            if path.read_bytes() == text.encode("utf-8"):
                return
        except FileNotFoundError:
            ensure_dir(path.parent)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "read") from exc
        atomic_write_text(path, text)

    def remove(self, path: Path) -> None:
        """Delete a file, or a folder with everything in it."""
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError.from_os_error(exc, path, "delete") from exc
        self.forget_under(path)

    def move(self, source: Path, target: Path) -> None:
        """Rename a file or folder; problems inside it follow it."""
        try:
            os.rename(source, target)
        except OSError as exc:
            raise StoreError.from_os_error(exc, source, "move") from exc
        self.problems = [
            replace(p, path=target / p.path.relative_to(source))
            if p.path.is_relative_to(source)
            else p
            for p in self.problems
        ]

    def copy_tree(self, source: Path, target: Path, *, skip: str) -> None:
        """Copy a folder file by file (atomic writes), leaving out its top-level ``skip`` file."""
        ensure_dir(target)
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if any(part.startswith(".") for part in rel.parts) or rel == Path(skip):
                continue
            if path.is_dir():
                ensure_dir(target / rel)
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise StoreError.from_os_error(exc, path, "read") from exc
            atomic_write_bytes(target / rel, data)

    # ---- secret values -------------------------------------------------------------------

    def fill_secrets(self, variables: list[Variable], scope_key: str) -> list[Variable]:
        """``variables`` with the stored values of the secret ones put back."""
        if not any(v.secret for v in variables):
            return list(variables)
        stored = self.stored_secrets(scope_key)
        return [
            v.model_copy(update={"value": stored[v.name]}) if v.secret and v.name in stored else v
            for v in variables
        ]

    def stored_scope_keys(self) -> frozenset[str]:
        """The scope keys that hold secret values; none (the problem reported) if unreadable."""
        try:
            return self.secrets.scope_keys()
        except StoreError as exc:
            self.report(exc.path, exc.message)
            return frozenset()

    def stored_secrets(self, scope_key: str) -> dict[str, str]:
        """The secret values stored for a scope; none (the problem reported) if unreadable."""
        try:
            return self.secrets.scope(scope_key)
        except StoreError as exc:
            self.report(exc.path, exc.message)
            return {}

    def keep_secrets(
        self, variables: list[Variable], scope_key: str, fields: Mapping[str, str] | None = None
    ) -> None:
        """Store the values of the secret ``variables`` and secret ``fields`` (see
        ``apiclient.core.secret_fields``), and forget the scope's others."""
        values = {v.name: v.value for v in variables if v.secret}
        self.secrets.replace_scope(scope_key, values | dict(fields or {}))
