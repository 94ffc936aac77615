"""Values of secret variables, kept out of collection files (which people share via git).

One JSON file in the user's data folder, readable by the user only (mode 0600), written
atomically. Values are keyed by a scope key (which collection, environment or request)
and the variable's name. The file is re-read on every call, so two windows never undo
each other's changes.

This keeps secrets out of shared files; it is not encryption at rest.
"""

from __future__ import annotations

import json
from pathlib import Path

from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.core.paths import data_dir, ensure_dir

SECRETS_FILE = "secrets.json"
_FILE_MODE = 0o600
_VERSION = 1


def collection_scope_key(root: Path) -> str:
    """The scope key of a collection's own variables."""
    return f"{root.resolve()}::collection"


def environment_scope_key(root: Path, env_name: str) -> str:
    """The scope key of one environment of a collection."""
    return f"{root.resolve()}::env::{env_name}"


def request_scope_key(root: Path, relpath: str) -> str:
    """The scope key of a request's own variables (``relpath`` inside the collection)."""
    return f"{root.resolve()}::request::{relpath}"


class SecretStore:
    """Secret values by (scope key, name); ``path`` defaults to ``data_dir()/secrets.json``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else data_dir() / SECRETS_FILE

    def get(self, scope_key: str, name: str) -> str | None:
        """The stored value, or None when there is none."""
        return self._read().get(scope_key, {}).get(name)

    def set(self, scope_key: str, name: str, value: str) -> None:
        """Store ``value``; nothing is written when it is already stored."""
        data = self._read()
        if data.get(scope_key, {}).get(name) == value:
            return
        data.setdefault(scope_key, {})[name] = value
        self._write(data)

    def delete(self, scope_key: str, name: str) -> None:
        """Forget one value (no error when it is not stored)."""
        data = self._read()
        values = data.get(scope_key, {})
        if name not in values:
            return
        del values[name]
        if not values:
            del data[scope_key]
        self._write(data)

    def scope(self, scope_key: str) -> dict[str, str]:
        """All values of one scope, as a copy."""
        return dict(self._read().get(scope_key, {}))

    def replace_scope(self, scope_key: str, values: dict[str, str]) -> None:
        """Make ``values`` the whole content of a scope (empty: forget the scope)."""
        data = self._read()
        if data.get(scope_key, {}) == values:
            return
        if values:
            data[scope_key] = dict(values)
        else:
            data.pop(scope_key, None)
        self._write(data)

    def move_scopes(self, old_prefix: str, new_prefix: str, *, copy: bool = False) -> None:
        """Re-key every scope whose key is ``old_prefix`` or starts with ``old_prefix + '/'``.

        Used when a request or folder is renamed, moved (``copy=False``) or duplicated
        (``copy=True``), since request scope keys contain the request's path.
        """
        data = self._read()
        moved = {}
        for key in list(data):
            if key == old_prefix or key.startswith(old_prefix + "/"):
                values = data[key] if copy else data.pop(key)
                moved[new_prefix + key[len(old_prefix) :]] = dict(values)
        if moved:
            data.update(moved)
            self._write(data)

    def delete_scopes(self, prefix: str) -> None:
        """Forget every scope ``prefix`` or under ``prefix + '/'`` (a deleted folder)."""
        data = self._read()
        doomed = [key for key in data if key == prefix or key.startswith(prefix + "/")]
        for key in doomed:
            del data[key]
        if doomed:
            self._write(data)

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError.from_os_error(exc, self.path, "read") from exc
        try:
            doc = json.loads(text)
            values = doc["values"]
            if not isinstance(values, dict) or not all(
                isinstance(scope, dict) and all(isinstance(v, str) for v in scope.values())
                for scope in values.values()
            ):
                raise ValueError("'values' must map scope keys to name/value pairs")
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"The secrets file {self.path} is damaged ({exc}), so secret values cannot "
                "be read. Fix or move the file away; apiclient will not overwrite it.",
                self.path,
            ) from exc
        return values

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        ensure_dir(self.path.parent)
        text = json.dumps({"version": _VERSION, "values": data}, indent=2, sort_keys=True)
        atomic_write_text(self.path, text + "\n", mode=_FILE_MODE)
