"""Values of secret variables and secret request fields, kept out of collection files
(which people share via git).

Where the values live is chosen once per ``SecretStore``:

- the OS keyring (through the ``keyring`` library) when a usable backend exists, e.g.
  the Secret Service on Linux desktops, the macOS Keychain or the Windows Credential
  Locker. Entries use the service ``apiclient`` and the username ``<scope key>\\n<name>``;
- otherwise one JSON file in the user's data folder, readable by the user only (mode
  0600), written atomically. ``APICLIENT_SECRETS=file`` forces the file even when a
  keyring exists (headless machines, tests, people who do not want the keyring).

The file exists in both cases: with a keyring it keeps only an index of which values
are in the keyring (a keyring cannot list its entries), so renaming, moving, copying and
deleting whole scopes still work. Values are keyed by a scope key (which collection,
environment or request) and the variable's name. Every call looks at the file again (its
parsed content is reused while its inode, size and mtime stay the same: every write is an
atomic rename, so a new file), so two windows never undo each other's changes, and
opening a collection of many requests does not parse the file once per request.

Moving between backends: values already in the file stay readable when a keyring becomes
available (the file is read first) and move into the keyring the next time they are
saved. Values kept in a keyring that is no longer usable (or no longer used, with
``APICLIENT_SECRETS=file``) cannot be read; their index entries stay until the file backend
changes their scope, which then forgets them (the keyring entries stay behind).

The file backend keeps secrets out of shared files; it is not encryption at rest.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.core.paths import data_dir, ensure_dir

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SECRETS_FILE = "secrets.json"
SECRETS_ENV = "APICLIENT_SECRETS"
"""Set to ``file`` to keep secret values in the file even when a keyring is usable."""
KEYRING_SERVICE = "apiclient"
_FILE_MODE = 0o600
_VERSION = 2
_LOCK = threading.RLock()
"""Held around every read-modify-write of the file: two stores in one process (the
window's, and an export's in a worker thread) must not undo each other's changes."""
_P = ParamSpec("_P")
_R = TypeVar("_R")


def collection_scope_key(root: Path) -> str:
    """The scope key of a collection's own variables."""
    return f"{root.resolve()}::collection"


def environment_scope_key(root: Path, env_name: str) -> str:
    """The scope key of one environment of a collection."""
    return f"{root.resolve()}::env::{env_name}"


def request_scope_key(root: Path, relpath: str) -> str:
    """The scope key of a request's own variables (``relpath`` inside the collection)."""
    return request_scope_key_in(scope_base(root), relpath)


def scope_base(root: Path) -> str:
    """What every scope key of the collection at ``root`` starts with: its resolved path.
    Resolving costs a system call per folder level, so a store resolves it once."""
    return str(root.resolve())


def request_scope_key_in(base: str, relpath: str) -> str:
    """``request_scope_key`` for a collection whose ``scope_base`` is ``base``."""
    return f"{base}::request::{relpath}"


def collection_auth_scope_key(root: Path) -> str:
    """The scope key of a collection's own auth and its client certificates' passphrases
    (apart from its variables' scope, which ``save_settings`` replaces as a whole)."""
    return f"{root.resolve()}::collection-auth"


def folder_scope_key_in(base: str, relpath: str) -> str:
    """The scope key of a folder's auth: inside the folder's own request prefix (as if
    it were a request named ``folder.yaml``, a name no request can take), so renaming,
    moving, copying or deleting the folder carries it with the requests' scopes."""
    return request_scope_key_in(base, f"{relpath}/folder.yaml")


def keyring_username(scope_key: str, name: str) -> str:
    """The keyring entry's username for one value (scope keys and names hold no newline)."""
    return f"{scope_key}\n{name}"


def usable_keyring() -> KeyringBackend | None:
    """The keyring backend the ``keyring`` library chose, or None when it cannot store
    anything (the fail and null backends, or a chainer with nothing to chain)."""
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def keyring_label(backend: KeyringBackend) -> str:
    """A short name for a backend: its module's name ("SecretService", "macOS", ...)."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        return ", ".join(keyring_label(inner) for inner in backend.backends)
    return type(backend).__module__.rpartition(".")[2]


@dataclass
class _Doc:
    """The file's content: values kept in the file, and names kept in the keyring."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    keyring: dict[str, list[str]] = field(default_factory=dict)

    def copy(self) -> _Doc:
        return _Doc(
            {k: dict(v) for k, v in self.values.items()},
            {k: list(v) for k, v in self.keyring.items()},
        )

    def indexed(self, scope_key: str) -> list[str]:
        return self.keyring.get(scope_key, [])

    def index(self, scope_key: str, names: set[str]) -> None:
        if names:
            self.keyring[scope_key] = sorted(names)
        else:
            self.keyring.pop(scope_key, None)

    def keep(self, scope_key: str, values: dict[str, str]) -> None:
        if values:
            self.values[scope_key] = values
        else:
            self.values.pop(scope_key, None)


def _under(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith(prefix + "/")


def _locked(
    method: Callable[Concatenate[SecretStore, _P], _R],
) -> Callable[Concatenate[SecretStore, _P], _R]:
    """``method`` run while holding ``_LOCK``."""

    @functools.wraps(method)
    def run(self: SecretStore, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _LOCK:
            return method(self, *args, **kwargs)

    return run


class SecretStore:
    """Secret values by (scope key, name); ``path`` defaults to ``data_dir()/secrets.json``.

    The backend (see the module's docstring) is chosen on first need: when a value is
    written, or read from the keyring's index. Probing the keyring library's backends
    takes a fifth of a second, which opening a collection whose secrets all live in the
    file (or that has none) should not pay. ``backend_name`` says which, for the user.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else data_dir() / SECRETS_FILE
        self._forced_file = os.environ.get(SECRETS_ENV, "").strip().lower() == "file"
        self._backend: KeyringBackend | None = None
        self._backend_chosen = False
        self._cached: tuple[tuple[int, int, int], _Doc] | None = None

    @property
    def _keyring(self) -> KeyringBackend | None:
        if not self._backend_chosen:
            self._backend = None if self._forced_file else usable_keyring()
            self._backend_chosen = True
        return self._backend

    @property
    def uses_keyring(self) -> bool:
        """True when values go to the OS keyring (the file only indexes them)."""
        return self._keyring is not None

    @property
    def backend_name(self) -> str:
        """Where the values are kept, in words for a person."""
        if self._keyring is not None:
            return f"the system keyring ({keyring_label(self._keyring)})"
        return f"a file readable only by you: {_home_relative(self.path)}"

    def get(self, scope_key: str, name: str) -> str | None:
        """The stored value, or None when there is none."""
        doc = self._read()
        value = doc.values.get(scope_key, {}).get(name)
        if value is None and name in doc.indexed(scope_key) and self._keyring is not None:
            return self._keyring_get(scope_key, name)
        return value

    @_locked
    def set(self, scope_key: str, name: str, value: str) -> None:
        """Store ``value``; nothing is written when it is already stored."""
        if self.get(scope_key, name) == value:
            return
        current = self.scope(scope_key)
        current[name] = value
        self.replace_scope(scope_key, current)

    @_locked
    def delete(self, scope_key: str, name: str) -> None:
        """Forget one value (no error when it is not stored)."""
        current = self.scope(scope_key)
        if name in current:
            del current[name]
            self.replace_scope(scope_key, current)

    def scope_keys(self) -> frozenset[str]:
        """The keys of every scope that holds a value (in the file or the keyring): one
        read, so opening a collection asks for the scopes of its requests that have any
        instead of reading once per request."""
        doc = self._read()
        return frozenset(key for key, values in doc.values.items() if values) | frozenset(
            key for key, names in doc.keyring.items() if names
        )

    def scope(self, scope_key: str) -> dict[str, str]:
        """All values of one scope, as a copy."""
        return self._scope(self._read(), scope_key)

    @_locked
    def replace_scope(self, scope_key: str, values: dict[str, str]) -> None:
        """Make ``values`` the whole content of a scope (empty: forget the scope)."""
        doc = self._read()
        current = self._scope(doc, scope_key)
        in_file = doc.values.get(scope_key, {})
        if current == values and (not in_file or self._keyring is None):
            return
        if self._keyring is None:
            doc.keep(scope_key, dict(values))
            doc.index(scope_key, set())
            self._write(doc)
            return
        for name, value in values.items():
            if name in in_file or current.get(name) != value:
                self._keyring_set(scope_key, name, value)
        gone = [name for name in doc.indexed(scope_key) if name not in values]
        doc.index(scope_key, set(values))
        doc.keep(scope_key, {})
        self._write(doc)
        for name in gone:
            self._keyring_delete(scope_key, name)

    @_locked
    def move_scopes(self, old_prefix: str, new_prefix: str, *, copy: bool = False) -> None:
        """Re-key every scope whose key is ``old_prefix`` or starts with ``old_prefix + '/'``.

        Used when a request or folder is renamed, moved (``copy=False``) or duplicated
        (``copy=True``), since request scope keys contain the request's path.
        """
        doc = self._read()
        keys = sorted({k for k in [*doc.values, *doc.keyring] if _under(k, old_prefix)})
        if not keys:
            return
        left: list[tuple[str, str]] = []
        for key in keys:
            new_key = new_prefix + key[len(old_prefix) :]
            values = doc.values.get(key, {})
            doc.keep(new_key, dict(values))
            if not copy:
                doc.keep(key, {})
            if self._keyring is None:
                doc.index(key, set())
                continue
            for name in doc.indexed(key):
                value = self._keyring_get(key, name)
                if value is not None:
                    self._keyring_set(new_key, name, value)
                    left.append((key, name))
            doc.index(new_key, set(doc.indexed(key)))
            if not copy:
                doc.index(key, set())
        self._write(doc)
        for key, name in [] if copy else left:
            self._keyring_delete(key, name)

    @_locked
    def delete_scopes(self, prefix: str) -> None:
        """Forget every scope ``prefix`` or under ``prefix + '/'`` (a deleted folder)."""
        self._forget(lambda key: _under(key, prefix))

    @_locked
    def forget_collection(self, root: Path) -> None:
        """Forget every scope of a collection at ``root``, or of anything under that folder:
        values left by a collection deleted by hand, which would otherwise fill the blank
        secrets of a collection written there later."""
        base = str(root.resolve())
        self._forget(lambda key: key.startswith((f"{base}::", f"{base}{os.sep}")))

    def _forget(self, doomed_key: Callable[[str], bool]) -> None:
        doc = self._read()
        keys = sorted({k for k in [*doc.values, *doc.keyring] if doomed_key(k)})
        if not keys:
            return
        doomed = [(key, name) for key in keys for name in doc.indexed(key)]
        for key in keys:
            doc.keep(key, {})
            doc.index(key, set())
        self._write(doc)
        if self._keyring is not None:
            for key, name in doomed:
                self._keyring_delete(key, name)

    # ---- the file ------------------------------------------------------------------------

    def _scope(self, doc: _Doc, scope_key: str) -> dict[str, str]:
        values = dict(doc.values.get(scope_key, {}))
        if doc.indexed(scope_key) and self._keyring is not None:
            for name in doc.indexed(scope_key):
                if name not in values:
                    value = self._keyring_get(scope_key, name)
                    if value is not None:
                        values[name] = value
        return values

    def _read(self) -> _Doc:
        try:
            info = self.path.stat()
            stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
            if self._cached is not None and self._cached[0] == stamp:
                return self._cached[1].copy()
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _Doc()
        except OSError as exc:
            raise StoreError.from_os_error(exc, self.path, "read") from exc
        doc = self._parse(text)
        self._cached = (stamp, doc)
        return doc.copy()

    def _parse(self, text: str) -> _Doc:
        try:
            doc = json.loads(text)
            values = doc["values"]
            index = doc.get("keyring", {})
            if not isinstance(values, dict) or not all(
                isinstance(scope, dict) and all(isinstance(v, str) for v in scope.values())
                for scope in values.values()
            ):
                raise ValueError("'values' must map scope keys to name/value pairs")
            if not isinstance(index, dict) or not all(
                isinstance(names, list) and all(isinstance(n, str) for n in names)
                for names in index.values()
            ):
                raise ValueError("'keyring' must map scope keys to lists of names")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(
                f"The secrets file {self.path} is damaged ({exc}), so secret values cannot "
                "be read. Fix or move the file away; apiclient will not overwrite it.",
                self.path,
            ) from exc
        return _Doc(values, index)

    def _write(self, doc: _Doc) -> None:
        ensure_dir(self.path.parent)
        content = {"version": _VERSION, "values": doc.values, "keyring": doc.keyring}
        text = json.dumps(content, indent=2, sort_keys=True)
        atomic_write_text(self.path, text + "\n", mode=_FILE_MODE)

    # ---- the keyring ---------------------------------------------------------------------

    def _keyring_get(self, scope_key: str, name: str) -> str | None:
        from keyring.errors import KeyringError

        assert self._keyring is not None
        try:
            return self._keyring.get_password(KEYRING_SERVICE, keyring_username(scope_key, name))
        except KeyringError as exc:
            raise self._keyring_error("read", name, exc) from exc

    def _keyring_set(self, scope_key: str, name: str, value: str) -> None:
        from keyring.errors import KeyringError

        assert self._keyring is not None
        try:
            self._keyring.set_password(KEYRING_SERVICE, keyring_username(scope_key, name), value)
        except KeyringError as exc:
            raise self._keyring_error("store", name, exc) from exc

    def _keyring_delete(self, scope_key: str, name: str) -> None:
        """Remove an entry; one that is already gone is no error."""
        from keyring.errors import KeyringError, PasswordDeleteError

        assert self._keyring is not None
        username = keyring_username(scope_key, name)
        try:
            self._keyring.delete_password(KEYRING_SERVICE, username)
        except PasswordDeleteError:
            if self._keyring.get_password(KEYRING_SERVICE, username) is not None:
                raise self._keyring_error("delete", name, PasswordDeleteError()) from None
        except KeyringError as exc:
            raise self._keyring_error("delete", name, exc) from exc

    def _keyring_error(self, action: str, name: str, exc: Exception) -> StoreError:
        reason = str(exc) or type(exc).__name__
        return StoreError(
            f"Could not {action} the secret value '{name}' in {self.backend_name}: {reason}. "
            f"Unlock the keyring and try again, or start apiclient with {SECRETS_ENV}=file "
            f"to keep secret values in {_home_relative(self.path)} instead.",
            self.path,
        )


def _home_relative(path: Path) -> str:
    """``path`` with the home folder written as ``~``, as people know it."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)
