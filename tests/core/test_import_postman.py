"""The Postman importer: collections made here, and every real export in the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus_paths import CORPUS

from apiclient.core.auth_inherit import inherited_auth
from apiclient.core.importers.postman import (
    SCRIPTS_HEADING,
    PostmanImportError,
    import_postman,
    import_postman_environment,
)
from apiclient.core.models import Auth, Check, Folder, GraphqlRequest, RestRequest, Variable
from apiclient.core.variables import Scope, resolve_text

POSTMAN_CORPUS = CORPUS / "postman"
V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _write(tmp_path: Path, doc: Any, name: str = "c.postman_collection.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _collection(*items: Any, **top: Any) -> dict[str, Any]:
    return {"info": {"name": "Shop", "schema": V21}, "item": list(items), **top}


def test_requests_folders_and_variables_carry_over(tmp_path: Path) -> None:
    doc = _collection(
        {
            "name": "Items",
            "description": "All about items",
            "item": [
                {
                    "name": "List items",
                    "request": {
                        "method": "get",
                        "url": {
                            "raw": "{{base_url}}/api/items?page=1",
                            "host": ["{{base_url}}"],
                            "path": ["api", "items"],
                            "query": [
                                {"key": "page", "value": "1"},
                                {"key": "debug", "value": "yes", "disabled": True},
                            ],
                        },
                        "header": [
                            {"key": "Accept", "value": "application/json"},
                            {"key": "X-Off", "value": "1", "disabled": True},
                        ],
                    },
                }
            ],
        },
        {"name": "Ping", "request": "{{base_url}}/ping?x={{x}}"},
        info={"name": "Shop", "schema": V21, "description": {"content": "The shop API"}},
        variable=[
            {"key": "base_url", "value": "http://127.0.0.1:1"},
            {"key": "x", "value": 3, "disabled": True},
        ],
    )

    result = import_postman(_write(tmp_path, doc))
    collection = result.collection

    assert collection.name == "Shop"
    assert collection.description == "The shop API"
    assert [(v.name, v.value, v.enabled) for v in collection.variables] == [
        ("base_url", "http://127.0.0.1:1", True),
        ("x", "3", False),
    ]
    folder = collection.items[0]
    assert isinstance(folder, Folder)
    assert (folder.name, folder.description) == ("Items", "All about items")
    listed = folder.items[0]
    assert isinstance(listed, RestRequest)
    assert (listed.method, listed.url) == ("GET", "{{base_url}}/api/items")
    assert [(p.name, p.value, p.enabled) for p in listed.params] == [
        ("page", "1", True),
        ("debug", "yes", False),
    ]
    assert [(h.name, h.enabled) for h in listed.headers] == [("Accept", True), ("X-Off", False)]
    ping = collection.items[1]
    assert isinstance(ping, RestRequest)
    assert ping.url == "{{base_url}}/ping"
    assert [(p.name, p.value) for p in ping.params] == [("x", "{{x}}")]
    assert result.warnings == ()


def test_bodies_of_every_mode(tmp_path: Path) -> None:
    def request(name: str, body: dict[str, Any], header: list[Any] | None = None) -> Any:
        return {
            "name": name,
            "request": {
                "method": "POST",
                "url": "http://h/x",
                "body": body,
                "header": header or [],
            },
        }

    doc = _collection(
        request("json", {"mode": "raw", "raw": "{}", "options": {"raw": {"language": "json"}}}),
        request(
            "xml by header",
            {"mode": "raw", "raw": "<a/>"},
            [{"key": "Content-Type", "value": "application/xml"}],
        ),
        request(
            "form",
            {
                "mode": "urlencoded",
                "urlencoded": [{"key": "a", "value": "1"}, {"key": "b", "disabled": True}],
            },
        ),
        request(
            "multipart",
            {
                "mode": "formdata",
                "formdata": [
                    {"key": "note", "value": "hi", "type": "text"},
                    {"key": "doc", "src": "/tmp/a.pdf", "type": "file"},
                    {"key": "many", "src": ["/tmp/1", "/tmp/2"], "type": "file"},
                ],
            },
        ),
        request("file", {"mode": "file", "file": {"src": "/tmp/data.bin"}}),
        request(
            "graphql",
            {"mode": "graphql", "graphql": {"query": "{ hello }", "variables": '{"a": 1}'}},
        ),
    )

    result = import_postman(_write(tmp_path, doc))
    by_name = {item.name: item for item in result.collection.items}

    assert by_name["json"].body.mode == "raw" and by_name["json"].body.language == "json"
    assert by_name["xml by header"].body.language == "xml"
    form = by_name["form"].body
    assert [(r.name, r.enabled) for r in form.urlencoded] == [("a", True), ("b", False)]
    parts = by_name["multipart"].body.multipart
    assert [(f.name, f.type, f.value) for f in parts] == [
        ("note", "text", "hi"),
        ("doc", "file", "/tmp/a.pdf"),
        ("many", "file", "/tmp/1"),
    ]
    assert any("'many' sends several files" in w for w in result.warnings)
    assert by_name["file"].body.mode == "binary"
    assert by_name["file"].body.binary_path == "/tmp/data.bin"
    graphql = by_name["graphql"]
    assert isinstance(graphql, GraphqlRequest)
    assert (graphql.url, graphql.query, graphql.variables_json) == (
        "http://h/x",
        "{ hello }",
        '{"a": 1}',
    )


def test_auth_is_inherited_and_unknown_kinds_are_warned_about(tmp_path: Path) -> None:
    basic = {
        "type": "basic",
        "basic": [{"key": "username", "value": "ann"}, {"key": "password", "value": "pw"}],
    }
    doc = _collection(
        {
            "name": "Keyed",
            "auth": {
                "type": "apikey",
                "apikey": [
                    {"key": "key", "value": "X-Key"},
                    {"key": "value", "value": "{{key}}"},
                    {"key": "in", "value": "query"},
                ],
            },
            "item": [
                {"name": "inherits", "request": {"url": "http://h/1"}},
                {
                    "name": "bearer",
                    "request": {
                        "url": "http://h/2",
                        "auth": {"type": "bearer", "bearer": {"token": "{{t}}"}},
                    },
                },
                {"name": "none", "request": {"url": "http://h/3", "auth": {"type": "noauth"}}},
                {
                    "name": "edgegrid",
                    "request": {"url": "http://h/4", "auth": {"type": "edgegrid"}},
                },
            ],
        },
        {"name": "top", "request": {"url": "http://h/5"}},
        auth=basic,
    )

    result = import_postman(_write(tmp_path, doc))
    collection = result.collection
    folder = collection.items[0]
    assert isinstance(folder, Folder)
    assert (collection.auth.kind, collection.auth.username) == ("basic", "ann")
    assert (folder.auth.kind, folder.auth.key_name) == ("apikey", "X-Key")
    assert (folder.auth.key_value, folder.auth.key_in) == ("{{key}}", "query")

    def sent(item: Any, folders: list[Folder]) -> Auth:
        if item.auth.kind != "inherit":
            return item.auth
        chain = [(f.name, f.auth) for f in reversed(folders)]
        return inherited_auth(chain, collection.name, collection.auth)[0]

    auths = {item.name: sent(item, [folder]) for item in folder.items}
    auths["top"] = sent(collection.items[1], [])
    assert {item.name: item.auth.kind for item in folder.items} == {
        "inherits": "inherit",
        "bearer": "bearer",
        "none": "none",
        "edgegrid": "none",
    }
    assert (auths["inherits"].kind, auths["inherits"].key_name) == ("apikey", "X-Key")
    assert (auths["bearer"].kind, auths["bearer"].token) == ("bearer", "{{t}}")
    assert auths["none"].kind == "none"
    assert auths["edgegrid"].kind == "none"
    assert (auths["top"].kind, auths["top"].username) == ("basic", "ann")
    assert result.warnings == (
        "The edgegrid auth of request 'Keyed / edgegrid' is not supported by apiclient; it "
        "was imported without auth. Set the auth by hand.",
    )


def _params(**values: str) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in values.items()]


def test_every_postman_auth_kind_we_send_is_mapped(tmp_path: Path) -> None:
    def request(name: str, kind: str, **params: str) -> dict[str, Any]:
        auth = {"type": kind, kind: _params(**params)}
        return {"name": name, "request": {"url": "http://h/", "auth": auth}}

    doc = _collection(
        request(
            "oauth2",
            "oauth2",
            grant_type="password_credentials",
            accessTokenUrl="http://h/token",
            clientId="app",
            clientSecret="{{secret}}",
            username="ann",
            password="pw",
            scope="read",
            client_authentication="body",
        ),
        request(
            "pkce",
            "oauth2",
            grant_type="authorization_code_with_pkce",
            authUrl="http://h/authorize",
            redirect_uri="http://127.0.0.1:9/cb",
        ),
        request(
            "oauth1",
            "oauth1",
            consumerKey="ck",
            consumerSecret="cs",
            token="t",
            tokenSecret="ts",
            signatureMethod="HMAC-SHA1",
        ),
        request("rsa", "oauth1", signatureMethod="RSA-SHA1"),
        request("implicit", "oauth2", grant_type="implicit"),
        request("aws", "awsv4", accessKey="AK", secretKey="SK", region="eu-west-1", service="s3"),
        request("hawk", "hawk", authId="id", authKey="key", algorithm="sha1", extraData="x"),
        request("ntlm", "ntlm", username="u", password="p", domain="D"),
    )

    result = import_postman(_write(tmp_path, doc))
    auths = {item.name: item.auth for item in result.collection.items}

    oauth2 = auths["oauth2"]
    assert (oauth2.kind, oauth2.grant_type, oauth2.token_url) == (
        "oauth2",
        "password",
        "http://h/token",
    )
    assert (oauth2.client_id, oauth2.client_secret, oauth2.scope) == ("app", "{{secret}}", "read")
    assert (oauth2.username, oauth2.password, oauth2.client_auth) == ("ann", "pw", "body")
    pkce = auths["pkce"]
    assert (pkce.grant_type, pkce.pkce, pkce.auth_url) == (
        "authorization_code",
        True,
        "http://h/authorize",
    )
    assert pkce.redirect_uri == "http://127.0.0.1:9/cb"
    oauth1 = auths["oauth1"]
    assert (oauth1.kind, oauth1.consumer_key, oauth1.consumer_secret) == ("oauth1", "ck", "cs")
    assert (oauth1.token, oauth1.token_secret) == ("t", "ts")
    aws = auths["aws"]
    assert (aws.kind, aws.access_key, aws.secret_key) == ("awsv4", "AK", "SK")
    assert (aws.region, aws.service) == ("eu-west-1", "s3")
    hawk = auths["hawk"]
    assert (hawk.kind, hawk.hawk_id, hawk.hawk_key) == ("hawk", "id", "key")
    assert (hawk.hawk_algorithm, hawk.hawk_ext) == ("sha1", "x")
    ntlm = auths["ntlm"]
    assert (ntlm.kind, ntlm.username, ntlm.password, ntlm.domain) == ("ntlm", "u", "p", "D")
    assert auths["rsa"].kind == auths["implicit"].kind == "none"
    assert result.warnings == (
        "The OAuth 1.0 signature method RSA-SHA1 of request 'rsa' is not supported by "
        "apiclient; it was imported without auth. Set the auth by hand.",
        "The OAuth 2.0 grant 'implicit' of request 'implicit' is not supported by "
        "apiclient; it was imported without auth. Set the auth by hand.",
    )


def test_scripts_stay_as_text_and_status_tests_become_checks(tmp_path: Path) -> None:
    events = [
        {"listen": "prerequest", "script": {"exec": ["pm.variables.set('a', 1);"]}},
        {
            "listen": "test",
            "script": {
                "exec": [
                    "pm.test('ok', () => {",
                    "  pm.response.to.have.status(201);",
                    "  pm.expect(pm.response.code).to.eql(201);",
                    "  pm.expect(pm.response.json().id).to.exist;",
                    "});",
                ]
            },
        },
    ]
    doc = _collection(
        {"name": "Create", "event": events, "request": {"method": "POST", "url": "http://h/"}},
        {"name": "Scoped", "variable": [{"key": "v", "value": "1"}], "item": []},
    )

    result = import_postman(_write(tmp_path, doc))
    created = result.collection.items[0]

    assert created.checks == [Check(source="status", op="equals", expected="201")] * 2
    assert f"## {SCRIPTS_HEADING}" in created.description
    assert "### Pre-request script" in created.description
    assert "pm.expect(pm.response.json().id).to.exist;" in created.description
    assert sum("became the check 'status equals 201'" in w for w in result.warnings) == 2
    assert any("Folder 'Scoped' has its own variables" in w for w in result.warnings)


def test_path_variables_take_their_value_or_are_kept_with_a_warning(tmp_path: Path) -> None:
    url = {
        "raw": "{{base}}/users/:id/posts/:post",
        "variable": [{"key": "id", "value": "{{user}}"}, {"key": "post"}],
    }
    doc = _collection({"name": "Post", "request": {"url": url}})

    result = import_postman(_write(tmp_path, doc))

    assert result.collection.items[0].url == "{{base}}/users/{{user}}/posts/:post"
    assert result.warnings == (
        "Request 'Post': the path variable :post has no value, so the URL keeps ':post' as "
        "typed. Replace it with a value or a {{variable}}.",
    )


def test_a_url_given_as_parts_is_assembled(tmp_path: Path) -> None:
    url = {"protocol": "https", "host": ["api", "example", "com"], "port": "8443", "path": "/v1"}
    doc = _collection({"name": "Parts", "request": {"url": url}})

    assert import_postman(_write(tmp_path, doc)).collection.items[0].url == (
        "https://api.example.com:8443/v1"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"info": {"name": "x"},\n "item": [,]}', r"is not valid JSON \(line 2, column 11"),
        ("", "is empty"),
        ("[1, 2]", "holds a list, not a JSON object"),
        ('{"_type": "export", "__export_format": 4, "resources": []}', "an Insomnia export"),
        ('{"openapi": "3.0.0", "info": {}, "paths": {}}', "an OpenAPI"),
        ('{"log": {"entries": []}}', "a HAR capture"),
        ('{"name": "v1", "requests": [], "order": []}', "v1 format, which is not supported"),
        ('{"values": [], "_postman_variable_scope": "environment"}', "a Postman environment"),
        (
            '{"info": {"schema": "https://schema.getpostman.com/json/collection/v1.0.0/"},'
            ' "item": []}',
            "v1 collection schema",
        ),
    ],
)
def test_files_that_are_not_collections_are_named_for_what_they_are(
    tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(PostmanImportError, match=message) as caught:
        import_postman(_write(tmp_path, content))

    assert str(caught.value).startswith(str(tmp_path))


def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"info": {"name": "caf\xe9"}, "item": []}')

    with pytest.raises(PostmanImportError, match="is not UTF-8 text"):
        import_postman(path)


def test_a_missing_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(PostmanImportError, match="Cannot read"):
        import_postman(tmp_path / "absent.json")


def test_environment_keeps_disabled_values_and_the_last_enabled_duplicate(
    tmp_path: Path,
) -> None:
    doc = {
        "name": "Staging",
        "values": [
            {"key": "a", "value": "1", "enabled": True},
            {"key": "a", "value": "2", "enabled": False},
            {"key": "b", "value": "x"},
            {"key": "b", "value": "y"},
            {"key": "secret", "value": "s", "type": "secret"},
        ],
        "_postman_variable_scope": "environment",
    }

    env = import_postman_environment(_write(tmp_path, doc, "e.json"))

    assert env.name == "Staging"
    assert [(v.name, v.value, v.enabled, v.secret) for v in env.variables] == [
        ("a", "1", True, False),
        ("b", "y", True, False),
        ("secret", "s", True, True),
    ]


def test_a_collection_is_not_an_environment(tmp_path: Path) -> None:
    with pytest.raises(PostmanImportError, match="is not a Postman environment"):
        import_postman_environment(_write(tmp_path, _collection()))


def _corpus_files() -> list[Path]:
    if not POSTMAN_CORPUS.is_dir():
        return []
    return sorted(p for p in POSTMAN_CORPUS.rglob("*") if p.is_file())


@pytest.mark.skipif(not POSTMAN_CORPUS.is_dir(), reason=f"no corpus at {POSTMAN_CORPUS}")
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.name)
def test_every_corpus_file_imports_or_fails_with_a_sentence(path: Path) -> None:
    try:
        result = import_postman(path)
    except PostmanImportError as exc:
        assert str(exc).startswith(str(path))
        assert str(exc).endswith(".")
        assert "environment" in path.name or "v1" in path.name
    else:
        assert result.collection.items
        assert all(w.endswith(".") for w in result.warnings)


@pytest.mark.skipif(not POSTMAN_CORPUS.is_dir(), reason=f"no corpus at {POSTMAN_CORPUS}")
def test_corpus_inherited_auth_and_status_checks() -> None:
    path = POSTMAN_CORPUS / "v2.0" / "newman-inherited-entities.postman_collection.json"

    items = import_postman(path).collection.items
    folder_level = next(i for i in items if i.name == "Folder level stuff")
    override = next(i for i in items if i.name == "Auth override")

    assert isinstance(folder_level, Folder)
    assert folder_level.auth.kind == "digest"
    assert {r.auth.kind for r in folder_level.items} == {"inherit"}
    assert override.auth.kind == "none"
    assert override.checks == [Check(source="status", op="equals", expected="401")]


@pytest.mark.skipif(not POSTMAN_CORPUS.is_dir(), reason=f"no corpus at {POSTMAN_CORPUS}")
def test_corpus_environment_with_disabled_and_duplicate_values() -> None:
    path = POSTMAN_CORPUS / "newman" / "disabled-and-duplicates.postman_environment.json"

    env = import_postman_environment(path)

    assert [(v.name, v.value, v.enabled) for v in env.variables] == [
        ("justDisabled", "1", False),
        ("oneDisabled", "1", True),
        ("duplicate", "2", True),
    ]


FOLDER_VARIABLES = Path(__file__).parent / "import_files" / "postman"


def _by_name(items: list[Any]) -> dict[str, Any]:
    """Every request under ``items``, by name."""
    found: dict[str, Any] = {}
    for item in items:
        found |= _by_name(item.items) if isinstance(item, Folder) else {item.name: item}
    return found


def test_folder_variables_become_request_variables_inner_ones_winning() -> None:
    result = import_postman(FOLDER_VARIABLES / "nested-folder-variables.postman_collection.json")
    requests = _by_name(result.collection.items)

    def variables(name: str) -> list[tuple[str, str, bool, bool]]:
        return [(v.name, v.value, v.enabled, v.secret) for v in requests[name].variables]

    assert variables("List accounts") == [
        ("region", "eu", True, False),
        ("api_version", "v1", True, False),
        ("page_size", "50", False, False),
        ("signing_key", "k-outer", True, True),
    ]
    # The inner folder overrides region, its disabled api_version leaves the outer one in
    # force, and the request's own role wins over the folder's.
    assert variables("Delete account") == [
        ("region", "us", True, False),
        ("api_version", "v1", True, False),
        ("page_size", "50", False, False),
        ("signing_key", "k-outer", True, True),
        ("role", "owner", True, False),
    ]
    assert isinstance(requests["Audit log"], GraphqlRequest)
    assert ("role", "admin", True, False) in variables("Audit log")
    assert requests["Ping"].variables == []
    assert [v.name for v in result.collection.variables] == ["base_url"]


def test_folder_variables_resolve_over_the_collection_and_the_environment() -> None:
    result = import_postman(FOLDER_VARIABLES / "nested-folder-variables.postman_collection.json")
    delete = _by_name(result.collection.items)["Delete account"]
    scope = Scope.layered(
        collection=result.collection.variables,
        environment=[Variable(name="region", value="ap")],
        request=delete.variables,
    )

    assert resolve_text(delete.url, scope, "URL") == "http://127.0.0.1:8000/v1/us/accounts/42"


def test_each_folder_with_variables_says_where_they_went() -> None:
    result = import_postman(FOLDER_VARIABLES / "nested-folder-variables.postman_collection.json")

    folder_warnings = [w for w in result.warnings if w.startswith("Folder ")]
    assert folder_warnings == [
        "Folder 'Accounts' has its own variables (region, api_version, page_size, "
        "signing_key); apiclient has no folder variables, so they were copied into each "
        "request under it as request variables, which outrank the environment. In Postman "
        "folder variables rank below the environment, and newman does not apply them at all.",
        "Folder 'Accounts / Admin' has its own variables (region, role, api_version); "
        "apiclient has no folder variables, so they were copied into each request under it "
        "as request variables, which outrank the environment. In Postman folder variables "
        "rank below the environment, and newman does not apply them at all.",
    ]
    assert result.warnings == tuple(folder_warnings)  # an empty list ("Health") says nothing
