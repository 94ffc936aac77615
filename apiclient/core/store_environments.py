"""The environments of a collection: one file each in ``environments/``.

Secret values are kept in the ``SecretStore`` under the environment's name, so renaming
an environment moves them and deleting it forgets them.
"""

from __future__ import annotations

from pathlib import Path

from apiclient.core.errors import StoreError
from apiclient.core.models import Environment
from apiclient.core.secrets import environment_scope_key
from apiclient.core.store_files import (
    LOAD_ERRORS,
    CollectionFiles,
    blank_secrets,
    load_reason,
    read_doc,
)
from apiclient.core.store_format import (
    ENVIRONMENTS_DIR,
    SUFFIX,
    EnvironmentFile,
    dump_yaml,
    model_doc,
    parse_model,
    unique_slug,
)


class EnvironmentStore:
    """Loads, saves and deletes environments; ``environments`` is sorted by name."""

    def __init__(self, files: CollectionFiles) -> None:
        self._files = files
        self._dir = files.root / ENVIRONMENTS_DIR
        self._paths: dict[str, Path] = {}
        self.environments: list[Environment] = []

    def load(self) -> None:
        """Read every environment file; broken ones become problems."""
        paths = sorted(self._dir.glob(f"*{SUFFIX}")) if self._dir.is_dir() else []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                env_file = parse_model(EnvironmentFile, read_doc(path))
            except LOAD_ERRORS as exc:
                self._files.report(path, load_reason(exc))
                continue
            if env_file.name in self._paths:
                other = self._paths[env_file.name].name
                reason = f"{other} already holds an environment named '{env_file.name}'"
                self._files.report(path, reason + "; rename one of them")
                continue
            key = environment_scope_key(self._files.root, env_file.name)
            variables = self._files.fill_secrets(env_file.variables, key)
            self.environments.append(Environment(name=env_file.name, variables=variables))
            self._paths[env_file.name] = path
        self._sort()

    def save(self, env: Environment, old_name: str | None = None) -> None:
        """Create or update ``env``; ``old_name`` is its name before a rename."""
        if not env.name.strip():
            raise StoreError(
                "An environment needs a name; type at least one visible character.", self._dir
            )
        current = env.name if old_name is None else old_name
        if old_name is not None and old_name not in self._paths:
            raise StoreError(
                f"There is no environment named '{old_name}' to change; reload the collection.",
                self._dir,
            )
        if env.name != current and env.name in self._paths:
            raise StoreError(
                f"An environment named '{env.name}' already exists; choose another name.",
                self._paths[env.name],
            )
        old_path = self._paths.get(current)
        # The file's own name is free for it, so an unchanged slug keeps the same file.
        taken = self._files.taken(self._dir) - ({old_path.stem} if old_path else set())
        path = self._dir / (unique_slug(env.name, taken, "environment") + SUFFIX)
        self._files.keep_secrets(env.variables, environment_scope_key(self._files.root, env.name))
        doc = EnvironmentFile(name=env.name, variables=blank_secrets(env.variables))
        self._files.write_text(path, dump_yaml(model_doc(doc, always=("name",))))
        if old_path is not None and old_path != path:
            self._files.remove(old_path)
        if current != env.name:
            self._files.keep_secrets([], environment_scope_key(self._files.root, current))
            del self._paths[current]
        self._paths[env.name] = path
        self.environments = [e for e in self.environments if e.name not in (current, env.name)]
        self.environments.append(env.model_copy(deep=True))
        self._sort()

    def delete(self, name: str) -> None:
        """Delete an environment's file and its secret values."""
        path = self._paths.get(name)
        if path is None:
            raise StoreError(f"There is no environment named '{name}'.", self._dir)
        self._files.remove(path)
        del self._paths[name]
        self._files.keep_secrets([], environment_scope_key(self._files.root, name))
        self.environments = [e for e in self.environments if e.name != name]

    def _sort(self) -> None:
        self.environments.sort(key=lambda e: (e.name.casefold(), e.name))
