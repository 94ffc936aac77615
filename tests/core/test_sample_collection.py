"""The bundled sample collection loads cleanly and covers every REST mock endpoint and the
SOAP mock's operations."""

from __future__ import annotations

import pytest

from apiclient.core.auth_inherit import effective_auth
from apiclient.core.models import (
    BatchRequest,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    Variable,
    WebhookRequest,
    WebsocketRequest,
    WsMessage,
    inherit_auth,
)
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore, FolderNode, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.core.variables import (
    Scope,
    resolve_batch_request,
    resolve_graphql_request,
    resolve_grpc_request,
    resolve_request,
    resolve_soap_request,
    resolve_webhook_request,
    resolve_websocket_request,
    resolve_ws_message,
)

SAMPLE = resources_dir() / "sample-collection"

EXPECTED = [
    ("GET", "/api/items", "Items"),
    ("GET", "/api/items/{{item_id}}", "Items"),
    ("POST", "/api/items", "Items"),
    ("PUT", "/api/items/{{item_id}}", "Items"),
    ("PATCH", "/api/items/{{item_id}}", "Items"),
    ("DELETE", "/api/items/{{item_id}}", "Items"),
    ("GET", "/api/v1/playlists", "Playlists"),
    ("POST", "/api/v1/playlists", "Playlists"),
    ("GET", "/api/v1/playlists/{{playlist_id}}", "Playlists"),
    ("PUT", "/api/v1/playlists/{{playlist_id}}", "Playlists"),
    ("DELETE", "/api/v1/playlists/{{playlist_id}}", "Playlists"),
    ("GET", "/status/404", "HTTP basics"),
    ("GET", "/status/500", "HTTP basics"),
    ("GET", "/delay/2", "HTTP basics"),
    ("GET", "/echo", "HTTP basics"),
    ("POST", "/echo", "HTTP basics"),
    ("PURGE", "/echo/cache/item-1", "HTTP basics"),
    ("GET", "/bytes/1024", "HTTP basics"),
    ("GET", "/json/large", "HTTP basics"),
    ("GET", "/redirect/3", "HTTP basics"),
    ("GET", "/cookies/set", "HTTP basics"),
    ("GET", "/cookies", "HTTP basics"),
    ("GET", "/basic-auth/user/passwd", "HTTP basics"),
    ("GET", "/digest-auth/auth/user/passwd", "HTTP basics"),
    ("GET", "/gzip", "HTTP basics"),
    ("GET", "/xml", "HTTP basics"),
    ("GET", "/html", "HTTP basics"),
    ("GET", "/encoding/latin1", "HTTP basics"),
    ("GET", "/image/png", "HTTP basics"),
    ("GET", "/broken/mid-body", "HTTP basics"),
]


@pytest.fixture(scope="module")
def sample() -> CollectionStore:
    return CollectionStore.open(SAMPLE)


def _requests(store: CollectionStore) -> list[tuple[str, RequestNode]]:
    out = []
    for folder in store.tree.children:
        out += [(folder.name, n) for n in walk(folder) if isinstance(n, RequestNode)]
    return out


def test_sample_loads_without_problems(sample: CollectionStore) -> None:
    assert sample.name == "Sample: mock servers"
    assert sample.problems == []
    assert [f.name for f in sample.tree.children] == [
        "Items",
        "Playlists",
        "Contacts (batch)",
        "Runner demo: log in, check, capture",
        "HTTP basics",
        "Auth kinds",
        "Hospital (SOAP)",
        "Calculator (SOAP rpc)",
        "Events (GraphQL)",
        "Tracks (gRPC)",
        "Live (WebSocket)",
        "Webhooks (payments)",
    ]
    (env,) = sample.environments
    assert env.name == "Local mocks"
    values = {v.name: v.value for v in env.variables}
    assert values == {
        "base_url": "http://127.0.0.1:8710",
        "token": "demo-token",
        "soap_url": "http://127.0.0.1:8711",
        "nurse_password": "s3cret",
        "graphql_url": "http://127.0.0.1:8712",
        "grpc_target": "127.0.0.1:8713",
        "ws_url": "ws://127.0.0.1:8714",
    }
    assert not any(v.secret for v in env.variables)


@pytest.mark.parametrize(("method", "path", "folder"), EXPECTED)
def test_sample_covers_endpoint(
    sample: CollectionStore, method: str, path: str, folder: str
) -> None:
    found = [
        where
        for where, node in _requests(sample)
        if isinstance(node.request, RestRequest)
        and node.request.method == method
        and node.request.url == "{{base_url}}" + path
    ]
    assert folder in found


def test_sample_covers_the_special_requests(sample: CollectionStore) -> None:
    requests = {
        node.request.name: node.request
        for _, node in _requests(sample)
        if isinstance(node.request, RestRequest)
    }
    assert requests["List playlists"].auth.kind == "inherit"
    playlists = sample.find("playlists")
    assert isinstance(playlists, FolderNode)
    assert (playlists.auth.kind, playlists.auth.token) == ("bearer", "{{token}}")
    assert effective_auth(
        sample.tree, sample.auth, "playlists/list-playlists.yaml", inherit_auth()
    ) == (
        playlists.auth,
        "folder 'Playlists'",
    )
    assert requests["List playlists without auth (401)"].auth.kind == "none"
    assert requests["Basic auth"].auth.kind == "basic"
    assert requests["Digest auth"].auth.kind == "digest"
    assert requests["API key in header"].auth.key_in == "header"
    assert requests["API key in query"].auth.key_in == "query"
    assert requests["Echo POST form (urlencoded)"].body.mode == "urlencoded"
    multipart = requests["Echo POST multipart"].body
    assert multipart.mode == "multipart" and all(f.type == "text" for f in multipart.multipart)
    assert {p.value for p in requests["Large JSON 1 MB"].params} == {"1"}
    assert {p.value for p in requests["Large JSON 20 MB"].params} == {"20"}
    dynamic = requests["Dynamic values"]
    text = dynamic.model_dump_json()
    assert all(name in text for name in ("{{$uuid}}", "{{$timestamp}}", "{{$randomInt}}"))
    assert requests["Create invalid item (422)"].method == "POST"


def _with_captures(scope: Scope, nodes: list[RequestNode]) -> list[tuple[Scope, RequestNode]]:
    """Each request with the scope it runs in: the values captured by the requests before
    it in its folder are defined (as the collection runner defines them)."""
    captured: list[Variable] = []
    scoped = []
    for node in nodes:
        scoped.append((scope.with_layer("captured", captured), node))
        captured += [
            Variable(name=c.variable, value="1") for c in getattr(node.request, "captures", [])
        ]
    return scoped


def test_every_sample_request_resolves_with_the_environment(sample: CollectionStore) -> None:
    base = Scope.layered(collection=sample.variables, environment=sample.environments[0].variables)
    for scope, node in _with_captures(base, [node for _, node in _requests(sample)]):
        if isinstance(node.request, SoapRequest):
            soap = resolve_soap_request(node.request, scope)
            assert soap.endpoint.startswith("http://127.0.0.1:8711/")
            assert "{{" not in soap.envelope
        elif isinstance(node.request, GraphqlRequest):
            graphql = resolve_graphql_request(node.request, scope)
            assert graphql.url.startswith("http://127.0.0.1:8712/")
        elif isinstance(node.request, GrpcRequest):
            assert resolve_grpc_request(node.request, scope).target == "127.0.0.1:8713"
        elif isinstance(node.request, WebsocketRequest):
            websocket = resolve_websocket_request(node.request, scope)
            assert websocket.url.startswith("ws://127.0.0.1:8714/")
            draft = WsMessage(format=node.request.message_format, body=node.request.message)
            for message in (draft, *node.request.messages):
                assert "{{" not in resolve_ws_message(message, node.request, scope).body
        elif isinstance(node.request, WebhookRequest):
            webhook = resolve_webhook_request(node.request, scope)
            assert webhook.signature.secret.startswith("whsec_")
        elif isinstance(node.request, BatchRequest):
            batch = resolve_batch_request(node.request, scope)
            assert batch.url.startswith("http://127.0.0.1:8710/api/v1/")
            assert "{{" not in "".join(cell for row in batch.rows for cell in row)
        else:
            resolved = resolve_request(node.request, scope)
            assert resolved.url.startswith("http://127.0.0.1:8710/")


def test_sample_soap_requests_cover_every_mock_operation(sample: CollectionStore) -> None:
    soap = [n.request for _, n in _requests(sample) if isinstance(n.request, SoapRequest)]
    assert {(r.port, r.operation) for r in soap} == {
        ("HospitalSoap11", "GetPatientRecord"),
        ("HospitalSoap12", "GetPatientRecord"),
        ("HospitalSoap11", "AdmitPatient"),
        ("HospitalSoap11", "ListWardPatients"),
        ("CalculatorSoap", "Add"),
        ("CalculatorSoap", "Divide"),
    }
    assert all(r.wsdl.startswith("{{soap_url}}/") for r in soap)
    assert any(r.wsse.mode == "digest" for r in soap)


def test_sample_batch_calls_cover_json_and_multipart(sample: CollectionStore) -> None:
    batches = {
        node.request.name: node.request
        for folder, node in _requests(sample)
        if folder == "Contacts (batch)" and isinstance(node.request, BatchRequest)
    }
    assert len(batches) == 5
    create = batches["Create contacts (207: one invalid row)"]
    assert create.operation == "create" and len(create.rows) == 5
    upsert = batches["Upsert contacts (skip duplicates)"]
    assert upsert.operation == "upsert" and '"skip_duplicates": true' in upsert.options_json
    assert batches["Update contacts (PATCH)"].method == "PATCH"
    from_file = batches["Upsert from CSV file"]
    assert (SAMPLE / from_file.data_file).is_file() and not from_file.rows
    multipart = batches["Multipart $batch (GET, POST, DELETE)"]
    assert multipart.style == "multipart"
    assert [part.method for part in multipart.parts] == ["GET", "POST", "DELETE"]
