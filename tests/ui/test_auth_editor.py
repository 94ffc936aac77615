"""The Auth editor: every kind's fields, the kinds each request type offers, and what
"Inherit from parent" says it will send."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from apiclient.core.auth_fields import AUTH_TEXT_FIELDS, SECRET_AUTH_FIELDS
from apiclient.core.models import AUTH_KINDS, Auth, inherit_auth
from apiclient.ui.tabs.grpc_editor import GrpcRequestEditor
from apiclient.ui.widgets.auth_editor import (
    COLLECTION_AUTH_KINDS,
    GRPC_AUTH_KINDS,
    KIND_LABELS,
    AuthEditor,
)
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

# Values for every field, each different, so a field mixed up with another shows.
FILLED = Auth(
    username="alice",
    password="pa55",
    domain="DEMO",
    token="tok-1",
    token_prefix="Token",
    key_name="X-Key",
    key_value="key-1",
    key_in="query",
    grant_type="password",
    token_url="http://127.0.0.1:1/token",
    auth_url="http://127.0.0.1:1/authorize",
    client_id="client-1",
    client_secret="csecret",
    scope="read write",
    redirect_uri="http://127.0.0.1:9999/cb",
    pkce=False,
    client_auth="body",
    consumer_key="ck",
    consumer_secret="cs",
    token_secret="ts",
    realm="photos",
    access_key="AKID",
    secret_key="sk",
    session_token="st",
    region="eu-west-1",
    service="s3",
    hawk_id="hid",
    hawk_key="hkey",
    hawk_algorithm="sha1",
    hawk_ext="some-ext",
)


def _shown(editor: AuthEditor, name: str) -> bool:
    widget = editor.findChild(QLineEdit, f"rest.auth.{name}") or editor.findChild(
        QComboBox, f"rest.auth.{name}"
    )
    assert widget is not None, name
    return widget.isVisibleTo(editor)


@pytest.mark.parametrize("kind", AUTH_KINDS)
def test_every_kind_round_trips_and_shows_its_fields(qtbot, kind):
    editor = AuthEditor()
    qtbot.addWidget(editor)
    auth = FILLED.model_copy(update={"kind": kind})
    editor.set_auth(auth)
    assert editor.auth() == auth
    assert editor.kind.currentText() == KIND_LABELS[kind]
    if kind == "oauth2":
        assert editor.oauth2.isVisibleTo(editor)
        for name in ("token_url", "client_id", "client_secret", "scope", "grant_type"):
            assert _shown(editor, name), name
        # The password grant asks for the user's name and password, not a redirect URI.
        assert editor.oauth2.username.isVisibleTo(editor)
        assert not editor.oauth2.redirect_uri.isVisibleTo(editor)
        return
    assert not editor.oauth2.isVisibleTo(editor)
    for field in AUTH_TEXT_FIELDS[kind]:
        assert _shown(editor, field.name), field.name
        widget = getattr(editor, field.name)
        assert isinstance(widget, SecretLineEdit) == (field.name in SECRET_AUTH_FIELDS)
    shown_names = {f.name for f in AUTH_TEXT_FIELDS[kind]}
    for other in ("username", "token", "consumer_key", "access_key", "hawk_id", "domain"):
        if other not in shown_names:
            assert not _shown(editor, other), other


def test_typing_in_each_field_is_what_auth_returns(qtbot):
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.kind.setCurrentIndex(editor.kind.findData("awsv4"))
    with qtbot.waitSignal(editor.edited):
        qtbot.keyClicks(editor.access_key, "AKIDEXAMPLE")
    qtbot.keyClicks(editor.secret_key, "s3cret")
    assert editor.secret_key.is_masked()
    auth = editor.auth()
    assert (auth.kind, auth.access_key, auth.secret_key) == ("awsv4", "AKIDEXAMPLE", "s3cret")


def test_oauth2_username_is_one_field_in_two_places(qtbot):
    """The password grant's username is Auth.username, as Basic's is: typed in either
    place, it is the same value."""
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.set_auth(Auth(kind="oauth2", grant_type="password"))
    qtbot.keyClicks(editor.oauth2.username, "demo")
    editor.kind.setCurrentIndex(editor.kind.findData("basic"))
    assert editor.username.text() == "demo"
    assert editor.auth().username == "demo"


def test_grant_type_shows_its_fields(qtbot):
    editor = AuthEditor()
    qtbot.addWidget(editor)
    panel = editor.oauth2
    editor.set_auth(Auth(kind="oauth2", grant_type="authorization_code"))
    assert panel.auth_url.isVisibleTo(editor) and panel.pkce.isVisibleTo(editor)
    assert not panel.username.isVisibleTo(editor)
    panel.grant_type.setCurrentIndex(panel.grant_type.findData("client_credentials"))
    assert not panel.auth_url.isVisibleTo(editor) and not panel.password.isVisibleTo(editor)
    assert panel.get_token.objectName() == "rest.auth.oauth2.get_token"
    assert panel.clear.objectName() == "rest.auth.oauth2.clear"
    assert panel.status.text() == "No token yet"


def test_kinds_are_restricted_where_a_protocol_cannot_carry_them(qtbot):
    grpc = GrpcRequestEditor()
    qtbot.addWidget(grpc)
    offered = [grpc.auth.kind.itemData(i) for i in range(grpc.auth.kind.count())]
    assert sorted(offered) == sorted(GRPC_AUTH_KINDS)
    collection = AuthEditor("collection", kinds=COLLECTION_AUTH_KINDS)
    qtbot.addWidget(collection)
    assert collection.kind.findData("inherit") == -1
    assert collection.auth().kind == "none"  # its default, with nothing to inherit


def test_websocket_tab_offers_handshake_kinds_only(window):
    kinds = window.websocket.editor.auth.kind
    offered = {kinds.itemData(i) for i in range(kinds.count())}
    assert offered == {"inherit", "none", "basic", "bearer", "apikey", "oauth2"}


def test_inherit_says_where_the_auth_comes_from_without_its_secrets(qtbot):
    editor = AuthEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.set_auth(inherit_auth())
    editor.show_effective(Auth(kind="bearer", token="very-secret-token"), "folder 'Playlists'")
    effective = editor.findChild(QLabel, "rest.auth.effective")
    detail = editor.findChild(QLabel, "rest.auth.effective_detail")
    assert effective.isVisible()
    assert "Inherited from folder 'Playlists'" in effective.text()
    assert "Bearer token" in effective.text()
    assert "set" in detail.text() and "very-secret-token" not in detail.text()

    editor.show_effective(Auth(kind="none"), "")
    assert effective.text().startswith("Nothing to inherit")

    editor.kind.setCurrentIndex(editor.kind.findData("basic"))
    assert not effective.isVisible()
