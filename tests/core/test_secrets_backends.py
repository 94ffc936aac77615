"""Where secret values live: the OS keyring when one is usable, else a 0600 file.

The keyring path runs against a real in-memory backend registered through keyring's own
extension point (``keyring.set_keyring``), so nothing of the library is replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError

from apiclient.core.collection_writer import write_collection
from apiclient.core.errors import StoreError
from apiclient.core.models import Auth, Collection, Environment, RestRequest, Variable
from apiclient.core.secrets import (
    KEYRING_SERVICE,
    SECRETS_ENV,
    SecretStore,
    keyring_username,
    request_scope_key,
)
from apiclient.core.store import CollectionStore, RequestNode

TOKEN = "s3cr3t-bearer-token"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps entries in a dict; ``locked`` makes every call fail as a
    locked Secret Service does."""

    priority = -1  # never chosen by keyring's own detection, only by set_keyring

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("the keyring is locked")

    def values(self) -> dict[str, str]:
        """Entries of apiclient's service, by username."""
        return {
            user: value
            for (service, user), value in self.entries.items()
            if service == KEYRING_SERVICE
        }


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def _file(store: SecretStore) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(store.path.read_text())
    return loaded


def test_the_test_suite_keeps_secrets_in_the_file() -> None:
    store = SecretStore()
    assert not store.uses_keyring, (
        f"{keyring.get_keyring()} is usable here, so tests would write into this machine's "
        f"keyring: set {SECRETS_ENV}=file for the test run (tests/conftest.py)"
    )
    assert store.backend_name.startswith("a file readable only by you: ")


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_backends_that_store_nothing_mean_the_file(
    backend: KeyringBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        store = SecretStore(tmp_path / "secrets.json")
        assert not store.uses_keyring  # the backend is chosen on first need
    finally:
        keyring.set_keyring(previous)
    store.set("k", "a", "1")
    assert _file(store)["values"] == {"k": {"a": "1"}}


def test_an_empty_chainer_means_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if chainer.ChainerBackend.backends:
        pytest.skip("this machine has keyring backends to chain")
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(chainer.ChainerBackend())
    try:
        assert not SecretStore(tmp_path / "secrets.json").uses_keyring
    finally:
        keyring.set_keyring(previous)


def test_the_file_backend_names_its_path_from_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    store = SecretStore(tmp_path / "home" / ".local" / "share" / "apiclient" / "secrets.json")
    assert store.backend_name == (
        "a file readable only by you: ~/.local/share/apiclient/secrets.json"
    )


def test_the_env_var_forces_the_file(
    memory_keyring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRETS_ENV, "file")
    store = SecretStore(tmp_path / "secrets.json")
    store.set("k", "a", "1")
    assert not store.uses_keyring and memory_keyring.entries == {}
    assert _file(store)["values"] == {"k": {"a": "1"}}


def test_values_go_to_the_keyring_and_the_file_only_indexes_them(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    assert store.uses_keyring
    assert store.backend_name == "the system keyring (test_secrets_backends)"
    store.set("k", "a", "1")
    store.set("k", "b", "2")
    assert store.get("k", "a") == "1" and store.scope("k") == {"a": "1", "b": "2"}
    assert memory_keyring.values() == {keyring_username("k", "a"): "1", "k\nb": "2"}
    assert _file(store) == {"version": 2, "values": {}, "keyring": {"k": ["a", "b"]}}
    assert store.path.stat().st_mode & 0o777 == 0o600

    store.delete("k", "a")
    assert store.get("k", "a") is None and memory_keyring.values() == {"k\nb": "2"}
    store.replace_scope("k", {})
    assert memory_keyring.values() == {} and _file(store)["keyring"] == {}


def test_scope_moves_copies_and_deletes_follow_the_index(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.set("r::a/x.yaml", "v", "1")
    store.set("r::ab/x.yaml", "v", "2")
    store.move_scopes("r::a", "r::z")
    assert store.scope("r::z/x.yaml") == {"v": "1"} and store.scope("r::a/x.yaml") == {}
    assert store.scope("r::ab/x.yaml") == {"v": "2"}
    assert set(memory_keyring.values()) == {"r::z/x.yaml\nv", "r::ab/x.yaml\nv"}

    store.move_scopes("r::z", "r::c", copy=True)
    assert store.scope("r::z/x.yaml") == store.scope("r::c/x.yaml") == {"v": "1"}
    store.delete_scopes("r::z")
    store.delete_scopes("r::c")
    assert memory_keyring.values() == {"r::ab/x.yaml\nv": "2"}
    assert _file(store)["keyring"] == {"r::ab/x.yaml": ["v"]}


def test_file_values_stay_readable_then_move_into_the_keyring(
    memory_keyring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secrets.json"
    monkeypatch.setenv(SECRETS_ENV, "file")
    SecretStore(path).replace_scope("k", {"a": "old-file-value"})
    monkeypatch.delenv(SECRETS_ENV)

    store = SecretStore(path)
    assert store.uses_keyring and store.scope("k") == {"a": "old-file-value"}
    assert memory_keyring.entries == {}
    store.replace_scope("k", {"a": "old-file-value"})
    assert memory_keyring.values() == {"k\na": "old-file-value"}
    assert _file(store)["values"] == {} and store.scope("k") == {"a": "old-file-value"}


def test_a_locked_keyring_is_a_store_error_that_says_what_to_do(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.set("k", "a", "1")
    memory_keyring.locked = True
    with pytest.raises(StoreError, match=r"Unlock the keyring .* APICLIENT_SECRETS=file"):
        store.set("k", "a", "2")
    with pytest.raises(StoreError, match="Could not read the secret value 'a'"):
        store.scope("k")
    memory_keyring.locked = False
    assert store.get("k", "a") == "1"


def test_a_damaged_index_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text('{"version": 2, "values": {}, "keyring": {"k": "a"}}')
    with pytest.raises(StoreError, match="'keyring' must map scope keys to lists of names"):
        SecretStore(path).set("k", "b", "1")
    assert path.read_text() == '{"version": 2, "values": {}, "keyring": {"k": "a"}}'


def test_a_collection_keeps_its_secrets_in_the_keyring(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    store = CollectionStore.create(tmp_path / "c", "C", secrets)
    store.variables = [Variable(name="password", value="s3cr3t-collection", secret=True)]
    store.save_settings()
    store.save_environment(
        Environment(name="Prod", variables=[Variable(name="key", value="s3cr3t-env", secret=True)])
    )
    request = RestRequest(name="Me", auth=Auth(kind="bearer", token=TOKEN))
    relpath = store.save_request(request)
    relpath = store.rename(relpath, "Who am I")

    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"s3cr3t" not in on_disk
    assert {"s3cr3t-collection", "s3cr3t-env", TOKEN} == set(memory_keyring.values().values())

    again = CollectionStore.open(store.root, secrets)
    node = again.find(relpath)
    assert isinstance(node, RequestNode) and isinstance(node.request, RestRequest)
    assert node.request.auth.token == TOKEN
    assert again.variables[0].value == "s3cr3t-collection"
    assert again.environments[0].variables[0].value == "s3cr3t-env"

    again.delete(relpath)
    assert secrets.scope(request_scope_key(store.root, relpath)) == {}
    assert TOKEN not in memory_keyring.values().values()


def test_a_change_from_another_window_is_seen(tmp_path: Path) -> None:
    mine, theirs = SecretStore(tmp_path / "secrets.json"), SecretStore(tmp_path / "secrets.json")
    mine.set("k", "a", "1")
    assert theirs.get("k", "a") == "1"
    mine.set("k", "a", "2")
    assert theirs.scope("k") == {"a": "2"}
    theirs.delete("k", "a")
    assert mine.get("k", "a") is None


def test_a_written_collection_moves_its_keyring_entries_out_of_the_staging_folder(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    imported = Collection(
        name="Imported", items=[RestRequest(name="Me", auth=Auth(kind="bearer", token=TOKEN))]
    )
    dest = write_collection(imported, tmp_path / "imported", secrets)
    node = CollectionStore.open(dest, secrets).find("me.yaml")
    assert isinstance(node, RequestNode) and isinstance(node.request, RestRequest)
    assert node.request.auth.token == TOKEN
    assert list(memory_keyring.values()) == [
        keyring_username(request_scope_key(dest, "me.yaml"), "@auth.token")
    ]
    assert list(_file(secrets)["keyring"]) == [request_scope_key(dest, "me.yaml")]
