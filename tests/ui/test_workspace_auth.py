"""The workspace's auth API: the effective auth of a request (folder, collection, draft),
saving a folder's and the collection's auth and the client certificates off the GUI
thread, with ``auth_changed`` after each save."""

from __future__ import annotations

from apiclient.core.models import Auth, ClientCertificate, inherit_auth
from apiclient.core.store import CollectionStore
from apiclient.ui.workspace import Workspace

BASIC = Auth(kind="basic", username="ann", password="pw-secret")


def test_the_sample_s_playlists_inherit_the_folder_s_bearer_token(run, sample):
    workspace = Workspace()
    run(workspace.open_collection(sample))

    auth, source = workspace.effective_auth("playlists/list-playlists.yaml", inherit_auth())

    assert (auth.kind, auth.token, source) == ("bearer", "{{token}}", "folder 'Playlists'")
    assert workspace.effective_auth(None, inherit_auth()) == (Auth(kind="none"), "")
    own = Auth(kind="none")
    assert workspace.effective_auth("playlists/list-playlists.yaml", own) == (own, "this request")


def test_saving_folder_and_collection_auth_and_certificates(qtbot, run, sample):
    workspace = Workspace()
    run(workspace.open_collection(sample))
    name = workspace.store.name

    with qtbot.waitSignal(workspace.auth_changed):
        run(workspace.save_folder_auth("", BASIC))
    assert workspace.folder_auth("") == BASIC
    assert workspace.effective_auth("items/list-items.yaml", inherit_auth()) == (
        BASIC,
        f"collection {name!r}",
    )
    with qtbot.waitSignal(workspace.auth_changed):
        run(workspace.save_folder_auth("playlists", inherit_auth()))
    assert workspace.effective_auth("playlists/list-playlists.yaml", inherit_auth())[0] == BASIC

    certs = [ClientCertificate(host="127.0.0.1", pfx_file="/c.p12", passphrase="pfx-pw")]
    with qtbot.waitSignal(workspace.auth_changed):
        run(workspace.save_client_certificates(certs))
    assert workspace.client_certificates() == certs

    text = (sample / "collection.yaml").read_text()
    assert "pw-secret" not in text and "pfx-pw" not in text
    reopened = CollectionStore.open(sample)
    assert (reopened.auth, reopened.client_certificates) == (BASIC, certs)
    assert reopened.folder_auth("playlists") == inherit_auth()
