"""The Insomnia importer: an export made here with every feature, and every real export in
the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus_paths import CORPUS

from apiclient.core.importers.insomnia import (
    SCRIPTS_HEADING,
    InsomniaImportError,
    import_insomnia,
)
from apiclient.core.models import (
    Auth,
    Folder,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    WebsocketRequest,
    inherit_auth,
)

FILES = Path(__file__).parent / "import_files" / "insomnia"
INSOMNIA_CORPUS = CORPUS / "insomnia"


def _by_name(items: list[Any]) -> dict[str, Any]:
    return {item.name: item for item in items}


@pytest.fixture(scope="module")
def shop() -> Any:
    return import_insomnia(FILES / "shop.insomnia.json")


def test_workspace_folders_and_order(shop: Any) -> None:
    collection = shop.collection
    assert shop.source == "Insomnia v4 export"
    assert (collection.name, collection.description) == ("Shop", "The shop API")
    # metaSortKey order, whatever the order of the resources in the file
    assert [item.name for item in collection.items] == [
        "List items",
        "Create item",
        "Admin",
        "Items query",
        "Say hello",
        "Chat",
    ]
    admin = collection.items[2]
    assert isinstance(admin, Folder)
    assert admin.description == "Needs a key"
    assert [item.name for item in admin.items] == [
        "Upload",
        "Login form",
        "Note",
        "Send file",
        "Reports",
        "Search by key",
    ]
    reports = admin.items[4]
    assert isinstance(reports, Folder)
    assert [item.name for item in reports.items] == ["Daily report"]


def test_request_url_parameters_headers_and_json_body(shop: Any) -> None:
    items = _by_name(shop.collection.items)
    listing = items["List items"]
    assert isinstance(listing, RestRequest)
    assert listing.url == "{{base_url}}/api/items"
    assert [(p.name, p.value, p.enabled) for p in listing.params] == [
        ("page", "1", True),
        ("size", "{{page_size}}", True),
        ("debug", "yes", False),
    ]
    assert listing.auth == Auth(kind="basic", username="ann", password="{{password}}")
    assert SCRIPTS_HEADING in listing.description
    assert "insomnia.environment.set('x', 1);" in listing.description

    create = items["Create item"]
    assert create.method == "POST"
    assert create.description == "Adds an item"
    assert [(h.name, h.value, h.enabled) for h in create.headers] == [
        ("Content-Type", "application/json", True),
        ("X-Debug", "1", False),
    ]
    assert create.body.mode == "raw"
    assert create.body.language == "json"
    assert create.body.raw.startswith('{"name": "{{item_name}}", "at": "{% now')
    assert create.auth == Auth(kind="bearer", token="{{token}}", token_prefix="Token")
    assert create.settings.follow_redirects is False
    assert listing.settings.follow_redirects is True


def test_bodies_and_auth_kinds(shop: Any) -> None:
    admin = _by_name(_by_name(shop.collection.items)["Admin"].items)
    upload = admin["Upload"]
    assert upload.body.mode == "multipart"
    assert [(f.name, f.value, f.type, f.enabled) for f in upload.body.multipart] == [
        ("title", "Report", "text", True),
        ("file", "/tmp/report.csv", "file", True),
        ("old", "x", "text", False),
    ]
    assert upload.auth == Auth(kind="digest", username="root", password="pw")

    login = admin["Login form"]
    assert login.body.mode == "urlencoded"
    assert [(r.name, r.value) for r in login.body.urlencoded] == [
        ("user", "ann"),
        ("password", "{{password}}"),
    ]
    assert login.auth == Auth(kind="none")  # "none" stops the folder's auth

    note = admin["Note"]
    assert (note.body.mode, note.body.raw, note.body.language) == ("raw", "hello", "text")
    assert ("Cookie", "sid=abc") in [(h.name, h.value) for h in note.headers]
    assert note.auth == Auth(kind="none")

    blob = admin["Send file"]
    assert (blob.body.mode, blob.body.binary_path) == ("binary", "/tmp/blob.bin")
    assert blob.auth == Auth(kind="oauth2", grant_type="client_credentials", pkce=False)

    search = admin["Search by key"]
    assert search.auth == Auth(kind="apikey", key_name="key", key_value="k1", key_in="query")


def test_folder_auth_is_inherited_and_path_parameters_filled(shop: Any) -> None:
    admin = _by_name(shop.collection.items)["Admin"]
    report = admin.items[4].items[0]
    assert report.auth == inherit_auth()  # inherits, as in Insomnia
    assert admin.auth == Auth(
        kind="apikey", key_name="X-Api-Key", key_value="{{api_key}}", key_in="header"
    )
    assert admin.items[4].auth == inherit_auth()
    assert report.url == "{{base_url}}{{admin_path}}/reports/2026-11-21"


def test_other_template_tags_are_kept_and_named(shop: Any) -> None:
    admin = _by_name(shop.collection.items)["Admin"]
    report = admin.items[4].items[0]
    assert report.headers[0].value.startswith("{% response 'body', 'req_first'")
    assert any(
        "Daily report" in w and "{% response %}" in w and "{{variable}}" in w for w in shop.warnings
    )
    assert any("Create item" in w and "{% now %}" in w for w in shop.warnings)


def test_graphql_grpc_and_websocket_requests(shop: Any) -> None:
    items = _by_name(shop.collection.items)
    query = items["Items query"]
    assert isinstance(query, GraphqlRequest)
    assert query.url == "{{base_url}}/graphql"
    assert query.query == "query Items($n: Int) { items(first: $n) { id } }"
    assert json.loads(query.variables_json) == {"n": 2}
    assert query.operation_name == "Items"

    hello = items["Say hello"]
    assert isinstance(hello, GrpcRequest)
    assert (hello.target, hello.security) == ("{{grpc_host}}", "tls")
    assert hello.method == "/hello.HelloService/SayHello"
    assert hello.message == '{"greeting": "{{who}}"}'
    assert [(m.name, m.enabled) for m in hello.metadata] == [("x-trace", True), ("x-off", False)]
    assert any("'hello.proto'" in w and "reflection" in w for w in shop.warnings)

    chat = items["Chat"]
    assert isinstance(chat, WebsocketRequest)
    assert chat.url == "ws://127.0.0.1:8765/chat?user={{user}}"
    assert [(h.name, h.value) for h in chat.headers] == [("X-Room", "lobby")]
    assert chat.auth == Auth(kind="bearer", token="t0k")
    assert (chat.message_format, chat.message) == ("json", '{"say": "hi"}')
    assert [m.name for m in chat.messages] == ["Hello"]


def test_environments_and_folder_variables(shop: Any) -> None:
    collection = shop.collection
    assert [(v.name, v.value) for v in collection.variables] == [
        ("base_url", "http://127.0.0.1:8000"),
        ("page_size", "20"),
        ("password", "secret"),
        ("admin_path", "/api/admin"),
    ]
    assert any("'Shop / Admin'" in w and "admin_path" in w for w in shop.warnings)
    assert any("'page_size'" in w and "already has a variable" in w for w in shop.warnings)
    local, mine = collection.environments
    assert local.name == "Local"
    assert [(v.name, v.value) for v in local.variables] == [
        ("base_url", "http://127.0.0.1:8001"),
        ("flags", '{"beta": true}'),
        ("debug", "false"),
    ]
    assert any("'flags'" in w and "nested JSON" in w for w in shop.warnings)
    assert mine.name == "Mine"
    assert [(v.name, v.secret) for v in mine.variables] == [("token", True)]


def test_resources_without_a_place_are_counted(shop: Any) -> None:
    leftovers = [w for w in shop.warnings if w.startswith("Left out resources")]
    assert leftovers == [
        "Left out resources apiclient has no place for: 1 api_spec, 1 cookie_jar, "
        "1 unit_test, 1 unit_test_suite. Cookies are never imported; unit tests, API specs "
        "and mocks stay in Insomnia."
    ]
    assert any("1 requests or folders have Insomnia scripts" in w for w in shop.warnings)


def test_yaml_export(tmp_path: Path) -> None:
    result = import_insomnia(FILES / "small.insomnia.yaml")
    assert result.collection.name == "From YAML"
    (ping,) = result.collection.items
    assert (ping.method, ping.url) == ("GET", "{{base_url}}/ping")
    assert result.warnings == ()


def test_several_workspaces_become_folders(tmp_path: Path) -> None:
    doc = {
        "_type": "export",
        "__export_format": 4,
        "resources": [
            {"_id": "wrk_a", "_type": "workspace", "name": "A"},
            {"_id": "wrk_b", "_type": "workspace", "name": "B"},
            {"_id": "r1", "parentId": "wrk_a", "_type": "request", "name": "One", "url": "x"},
            {"_id": "r2", "parentId": "wrk_b", "_type": "request", "name": "Two", "url": "y"},
            {"_id": "e", "parentId": "wrk_b", "_type": "environment", "data": {}},
            {"_id": "e2", "parentId": "e", "_type": "environment", "name": "Dev", "data": {}},
        ],
    }
    path = tmp_path / "two.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    collection = import_insomnia(path).collection
    assert collection.name == "two"
    assert [(f.name, [r.name for r in f.items]) for f in collection.items] == [
        ("A", ["One"]),
        ("B", ["Two"]),
    ]
    assert [e.name for e in collection.environments] == ["B / Dev"]


def test_folders_in_a_loop_are_reported(tmp_path: Path) -> None:
    doc = {
        "_type": "export",
        "__export_format": 4,
        "resources": [
            {"_id": "wrk", "_type": "workspace", "name": "W"},
            {"_id": "f1", "parentId": "f2", "_type": "request_group", "name": "F1"},
            {"_id": "f2", "parentId": "f1", "_type": "request_group", "name": "F2"},
            {"_id": "r", "parentId": "f1", "_type": "request", "name": "Lost", "url": "x"},
            "not a resource",
            {"name": "no id"},
        ],
    }
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = import_insomnia(path)
    assert result.collection.items == []
    assert any("3 requests or folders" in w and "'Lost'" in w for w in result.warnings)
    assert any(w.startswith("2 resources of the export are not objects") for w in result.warnings)


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    text = (FILES / "shop.insomnia.json").read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[:700], encoding="utf-8")
    with pytest.raises(InsomniaImportError, match=r"is not valid JSON \(line \d+, column \d+"):
        import_insomnia(path)


def test_truncated_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cut.yaml"
    path.write_text('_type: export\nresources:\n  - name: "unclosed\n', encoding="utf-8")
    with pytest.raises(InsomniaImportError, match=r"nor valid YAML \(line \d+, column \d+\)"):
        import_insomnia(path)


def test_a_postman_collection_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "c.postman_collection.json"
    path.write_text(json.dumps({"info": {"name": "P"}, "item": []}), encoding="utf-8")
    with pytest.raises(
        InsomniaImportError, match="not an Insomnia export: it looks like a Postman"
    ):
        import_insomnia(path)


def test_v5_yaml_is_refused_clearly() -> None:
    with pytest.raises(InsomniaImportError, match=r"Insomnia v5 export .*does not read"):
        import_insomnia(FILES / "v5.insomnia.yaml")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"_type": "export", "__export_format": 3, "resources": []}, r"an old format \(3\)"),
        ({"_type": "export", "__export_format": 9, "resources": []}, r"an unknown format \(9\)"),
        ({"_type": "export", "__export_format": 4}, 'without a "resources" list'),
    ],
)
def test_bad_versions_and_shapes(tmp_path: Path, doc: Any, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InsomniaImportError, match=message):
        import_insomnia(path)


def _corpus_files() -> list[Path]:
    if not INSOMNIA_CORPUS.is_dir():
        return []
    return sorted(p for p in INSOMNIA_CORPUS.rglob("*") if p.is_file())


@pytest.mark.skipif(not INSOMNIA_CORPUS.is_dir(), reason=f"no corpus at {INSOMNIA_CORPUS}")
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_export_imports_or_says_why(path: Path) -> None:
    try:
        result = import_insomnia(path)
    except InsomniaImportError as exc:
        assert str(path) in str(exc)
        assert "format 4" in str(exc)  # only the legacy export is refused
        return
    assert result.collection.name


@pytest.mark.skipif(not INSOMNIA_CORPUS.is_dir(), reason=f"no corpus at {INSOMNIA_CORPUS}")
def test_real_v4_export_json_and_yaml_agree() -> None:
    from_json = import_insomnia(INSOMNIA_CORPUS / "inso" / "insomnia_v4.json")
    from_yaml = import_insomnia(INSOMNIA_CORPUS / "inso" / "insomnia_v4.yaml")
    assert from_json.collection == from_yaml.collection
    collection = from_json.collection
    assert collection.name == "Swagger Petstore 1.0.0"
    assert [v.name for v in collection.variables] == ["base_url"]
    assert collection.variables[0].value == "{{scheme}}://{{host}}{{base_path}}"
    (env,) = collection.environments
    assert env.name == "OpenAPI env"
    folder = collection.items[0]
    assert isinstance(folder, Folder)
    assert [r.name for r in folder.items] == ["Example 2"]
    requests = _by_name(collection.items[1:])
    assert requests["Find purchase order by ID"].url == "{{base_url}}/store/order/{{orderId}}"


@pytest.mark.skipif(not INSOMNIA_CORPUS.is_dir(), reason=f"no corpus at {INSOMNIA_CORPUS}")
def test_real_smoke_export_with_every_request_kind() -> None:
    result = import_insomnia(INSOMNIA_CORPUS / "smoke-test" / "simple.yaml")
    kinds = [item.kind for item in result.collection.items if not isinstance(item, Folder)]
    assert kinds == ["websocket", "grpc", "graphql", "rest"]
    assert [e.name for e in result.collection.environments] == ["production", "staging"]


def test_every_insomnia_auth_kind_we_send_is_mapped(tmp_path: Path) -> None:
    def request(name: str, auth: dict[str, Any]) -> dict[str, Any]:
        return {
            "_id": f"r_{name}",
            "parentId": "wrk",
            "_type": "request",
            "name": name,
            "url": "http://h/",
            "authentication": auth,
        }

    doc = {
        "_type": "export",
        "__export_format": 4,
        "resources": [
            {"_id": "wrk", "_type": "workspace", "name": "W"},
            request(
                "oauth2",
                {
                    "type": "oauth2",
                    "grantType": "authorization_code",
                    "authorizationUrl": "http://h/authorize",
                    "accessTokenUrl": "http://h/token",
                    "clientId": "app",
                    "clientSecret": "{{ _.secret }}",
                    "redirectUrl": "http://127.0.0.1:9/cb",
                    "usePkce": True,
                    "credentialsInBody": True,
                },
            ),
            request("implicit", {"type": "oauth2", "grantType": "implicit"}),
            request(
                "oauth1",
                {
                    "type": "oauth1",
                    "consumerKey": "ck",
                    "consumerSecret": "cs",
                    "tokenKey": "t",
                    "tokenSecret": "ts",
                    "signatureMethod": "HMAC-SHA1",
                },
            ),
            request("rsa", {"type": "oauth1", "signatureMethod": "RSA-SHA1"}),
            request(
                "iam",
                {
                    "type": "iam",
                    "accessKeyId": "AK",
                    "secretAccessKey": "SK",
                    "region": "eu-west-1",
                    "service": "s3",
                },
            ),
            request("hawk", {"type": "hawk", "id": "i", "key": "k", "algorithm": "sha1"}),
            request("ntlm", {"type": "ntlm", "username": "u", "password": "p"}),
        ],
    }
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    result = import_insomnia(path)
    auths = {item.name: item.auth for item in result.collection.items}

    oauth2 = auths["oauth2"]
    assert (oauth2.kind, oauth2.grant_type, oauth2.pkce, oauth2.client_auth) == (
        "oauth2",
        "authorization_code",
        True,
        "body",
    )
    assert (oauth2.auth_url, oauth2.token_url, oauth2.client_secret) == (
        "http://h/authorize",
        "http://h/token",
        "{{secret}}",
    )
    assert oauth2.redirect_uri == "http://127.0.0.1:9/cb"
    assert (auths["oauth1"].kind, auths["oauth1"].token, auths["oauth1"].token_secret) == (
        "oauth1",
        "t",
        "ts",
    )
    assert (auths["iam"].kind, auths["iam"].secret_key, auths["iam"].region) == (
        "awsv4",
        "SK",
        "eu-west-1",
    )
    assert (auths["hawk"].kind, auths["hawk"].hawk_key, auths["hawk"].hawk_algorithm) == (
        "hawk",
        "k",
        "sha1",
    )
    assert (auths["ntlm"].kind, auths["ntlm"].password) == ("ntlm", "p")
    assert auths["implicit"].kind == auths["rsa"].kind == "none"
    assert len(result.warnings) == 2
    assert "the oauth2 (implicit grant) auth is not supported" in result.warnings[0]
    assert "the oauth1 (RSA-SHA1) auth is not supported" in result.warnings[1]
