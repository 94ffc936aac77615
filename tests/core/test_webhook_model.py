"""The webhook receiver setup as a collection item: saved readably, its signing secret
kept out of the file, resolved with variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiclient.core.errors import UndefinedVariableError
from apiclient.core.models import (
    KeyValue,
    Variable,
    WebhookRequest,
    WebhookResponse,
    WebhookSignature,
)
from apiclient.core.secret_fields import only_references
from apiclient.core.secrets import SecretStore
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.variables import Scope, resolve_webhook_request
from apiclient.protocols.webhook_config import receiver_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _receiver(secret: str) -> WebhookRequest:
    return WebhookRequest(
        name="Payments",
        port=8799,
        response=WebhookResponse(
            status=202,
            headers=[KeyValue(name="X-Seen", value="{{who}}")],
            body='{"ok": true}',
            delay_s=0.5,
        ),
        signature=WebhookSignature(scheme="standard", secret=secret, tolerance_s=60),
        forward=True,
        forward_url="{{dev}}/hooks",
    )


def _saved(tmp_path: Path, request: WebhookRequest) -> tuple[CollectionStore, SecretStore, str]:
    secrets = SecretStore(tmp_path / "secrets.json")
    store = CollectionStore.create(tmp_path / "c", "C", secrets)
    relpath = store.save_request(request)
    return store, secrets, relpath


def test_a_typed_secret_stays_out_of_the_file_and_comes_back(tmp_path: Path) -> None:
    store, secrets, relpath = _saved(tmp_path, _receiver(SECRET))
    text = (store.root / "items" / relpath).read_text()
    assert SECRET not in text
    assert "kind: webhook" in text and "scheme: standard" in text and "port: 8799" in text

    again = CollectionStore.open(store.root, secrets)
    node = again.find(relpath)
    assert isinstance(node, RequestNode)
    assert node.request == _receiver(SECRET)
    elsewhere = CollectionStore.open(store.root, SecretStore(tmp_path / "other.json"))
    other = elsewhere.find(relpath)
    assert isinstance(other, RequestNode) and isinstance(other.request, WebhookRequest)
    assert other.request.signature.secret == ""


def test_a_variable_reference_is_written_as_is(tmp_path: Path) -> None:
    store, secrets, relpath = _saved(tmp_path, _receiver("{{webhook_secret}}"))
    assert "{{webhook_secret}}" in (store.root / "items" / relpath).read_text()
    assert secrets.scope(f"{store.root.resolve()}::request::{relpath}") == {}


def test_clearing_the_secret_forgets_the_stored_value(tmp_path: Path) -> None:
    store, secrets, relpath = _saved(tmp_path, _receiver(SECRET))
    store.save_request(_receiver(""), relpath)
    node = CollectionStore.open(store.root, secrets).find(relpath)
    assert isinstance(node, RequestNode) and isinstance(node.request, WebhookRequest)
    assert node.request.signature.secret == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{{a}}", True), (" {{a}}{{ b }} ", True), ("x{{a}}", False), ("", False), ("  ", False)],
)
def test_only_references(text: str, expected: bool) -> None:
    assert only_references(text) is expected


def test_resolved_into_the_receiver_settings() -> None:
    scope = Scope.layered(
        collection=[
            Variable(name="webhook_secret", value=SECRET),
            Variable(name="who", value="apiclient"),
            Variable(name="dev", value="http://127.0.0.1:3000"),
        ]
    )
    resolved = resolve_webhook_request(_receiver("{{webhook_secret}}"), scope)
    config = receiver_config(resolved)
    assert config.port == 8799 and config.host == "127.0.0.1"
    assert config.signature.secret == SECRET and config.signature.tolerance_s == 60
    assert config.response.headers == (("X-Seen", "apiclient"),)
    assert config.response.status == 202 and config.response.delay_s == 0.5
    assert config.forward_url == "http://127.0.0.1:3000/hooks"


def test_an_undefined_variable_names_the_field() -> None:
    with pytest.raises(UndefinedVariableError, match="signing secret"):
        resolve_webhook_request(_receiver("{{nope}}"), Scope.layered())


def test_forwarding_off_resolves_no_forward_url() -> None:
    request = _receiver(SECRET).model_copy(update={"forward": False})
    scope = Scope.layered(collection=[Variable(name="who", value="me")])
    assert receiver_config(resolve_webhook_request(request, scope)).forward_url == ""
