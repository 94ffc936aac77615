"""OpenAPI 3 contract mocks: served from real and hand-written files, called with httpx.

The hand-written contracts (contract_files/openapi) hold one case per feature; the
corpus files (written by other projects, some broken on purpose) show real-world files
are served or refused with a message that says why.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import corpus_paths
import httpx
import pytest
from jsonschema import Draft202012Validator

from mock_servers.contracts.base import ContractError, Pin, UnsupportedContractError
from mock_servers.contracts.host import ContractMock, ContractMocks
from mock_servers.contracts.openapi_model import load_contract
from mock_servers.contracts.openapi_pattern import matching_text
from mock_servers.contracts.openapi_render import response_for
from mock_servers.contracts.openapi_validate import SchemaValidator
from mock_servers.errors import MockServerError, PortInUseError

FILES = Path(__file__).parent / "contract_files" / "openapi"
CORPUS = corpus_paths.CORPUS / "openapi"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}")
REQUEST_ID = {"X-Request-Id": "6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f"}
VALID_ORDER = {
    "status": "open",
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "password": "pw"},
    "items": [{"sku": "SKU-0001", "quantity": 2, "price": 19.99}],
}


@pytest.fixture(scope="module")
def mocks() -> Iterator[ContractMocks]:
    mocks = ContractMocks(seed=7)
    try:
        mocks.start(FILES / "shop.yaml")
        mocks.start(FILES / "notes31.json")
        yield mocks
    finally:
        mocks.stop_all()


@pytest.fixture(scope="module")
def shop(mocks: ContractMocks) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mocks.get("shop").url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def notes(mocks: ContractMocks) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mocks.get("notes31").url, timeout=10) as client:
        yield client


def _contract_threads() -> int:
    return sum(t.name.startswith("contract-mock-") for t in threading.enumerate())


def _fits(contract: Path, operation: str, status: int, body: Any) -> list[str]:
    """Why ``body`` does not fit the operation's response schema (empty when it fits).

    SchemaValidator is jsonschema's 2020-12 validator with multipleOf in decimal, since
    the plain one refuses 19.99 as a multiple of 0.01 (a binary float quirk).
    """
    loaded = load_contract(contract)
    op = next(o for o in loaded.operations if o.name == operation)
    schema = response_for(op, status).schema
    validator = SchemaValidator(
        {**schema, "$defs": loaded.response_defs},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]


def test_a_mock_is_named_by_its_file_and_its_operations_by_operation_id(
    mocks: ContractMocks,
) -> None:
    shop = mocks.get("shop")
    assert shop.kind == "openapi"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v2", shop.url)  # servers[0] base path
    assert shop.operations == (
        "listOrders", "createOrder", "latestOrder", "getOrder",
        "DELETE /orders/{order-id}", "login", "listCategories", "getStats", "health",
    )  # fmt: skip
    assert mocks.urls == {"shop": shop.url, "notes31": mocks.get("notes31").url}


def test_generated_bodies_fit_the_schema_and_look_like_their_fields(shop: httpx.Client) -> None:
    response = shop.get("/orders", headers=REQUEST_ID)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    orders = response.json()
    assert _fits(FILES / "shop.yaml", "listOrders", 200, orders) == []
    assert 2 <= len(orders) <= 3
    assert 0 <= int(response.headers["X-Total-Count"]) <= 500
    for order in orders:
        assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", order["customer"]["email"])
        assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", order["customer"]["name"])
        assert "password" not in order["customer"]  # writeOnly: never in a response
        assert order["status"] in {"open", "paid", "shipped"}
        assert order["created_at"].endswith("Z")
        assert all(1 <= item["quantity"] <= 9 and item["price"] > 0 for item in order["items"])
        assert all(re.fullmatch(r"SKU-\d{4}", item["sku"]) for item in order["items"])
        assert order["payment"]["method"] == "card" and len(order["payment"]["last4"]) == 4
        assert all(isinstance(v, str) for v in order["metadata"].values())


def test_examples_are_served_as_written(shop: httpx.Client) -> None:
    stats = shop.get("/stats")
    assert stats.json() == {"orders": 12, "revenue": 345.5, "date": "2026-01-31"}
    health = shop.get("/health")
    assert (health.status_code, health.text) == (200, "ok")
    assert health.headers["content-type"].startswith("text/plain")


def test_path_parameters_show_in_the_answer_and_fixed_paths_come_first(
    shop: httpx.Client,
) -> None:
    assert shop.get("/orders/17").json()["id"] == 17
    assert shop.get("/orders/18").json()["id"] == 18
    assert shop.get("/orders/latest").status_code == 200
    deleted = shop.delete("/orders/3")
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_the_accept_header_chooses_among_the_media_types(shop: httpx.Client) -> None:
    as_json = shop.get("/orders/5")  # JSON first when Accept leaves the choice open
    assert as_json.headers["content-type"] == "application/json"
    as_xml = shop.get("/orders/5", headers={"Accept": "text/html;q=0.9, application/xml"})
    assert as_xml.headers["content-type"] == "application/xml"
    assert as_xml.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<response><id>5</id>')
    refused = shop.get("/orders/5", headers={"Accept": "application/json;q=0, */*;q=0.1"})
    assert refused.headers["content-type"] == "application/xml"


def test_unknown_paths_and_methods_list_the_operations(shop: httpx.Client) -> None:
    missing = shop.get("/nope")
    assert missing.status_code == 404
    assert missing.json()["error"].startswith("No operation answers GET /api/v2/nope")
    assert "GET /api/v2/orders/{order-id}" in missing.json()["operations"]
    wrong = shop.patch("/orders")
    assert wrong.status_code == 405
    assert wrong.json()["error"].startswith("/api/v2/orders has no PATCH operation")
    assert set(wrong.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_a_recursive_schema_ends(shop: httpx.Client) -> None:
    categories = shop.get("/categories").json()
    assert categories and all(isinstance(c["name"], str) for c in categories)
    assert _fits(FILES / "shop.yaml", "listCategories", 200, categories) == []


@pytest.mark.parametrize(
    ("path", "headers", "where", "words"),
    [
        ("/orders", {}, "header.X-Request-Id", "required header parameter 'X-Request-Id'"),
        ("/orders?limit=abc", REQUEST_ID, "query.limit", "'abc' is not of type 'integer'"),
        ("/orders?limit=99", REQUEST_ID, "query.limit", "maximum of 50"),
        ("/orders?status=paid&status=lost", REQUEST_ID, "query.status[1]", "'lost' is not one"),
        ("/orders", {"X-Request-Id": "nope"}, "header.X-Request-Id", "'nope' is not a 'uuid'"),
        ("/orders/0", {}, "path.order-id", "minimum of 1"),
    ],
)
def test_bad_parameters_get_400_saying_what_and_where(
    shop: httpx.Client, path: str, headers: dict[str, str], where: str, words: str
) -> None:
    response = shop.get(path, headers=headers)
    assert response.status_code == 400
    assert response.json()["where"] == where
    assert words in response.json()["error"]


def test_a_bad_body_gets_422_saying_what_and_where(shop: httpx.Client) -> None:
    bad_price = {**VALID_ORDER, "items": [{"sku": "SKU-0001", "quantity": 2, "price": "abc"}]}
    answer = shop.post("/orders", json=bad_price)
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "'abc' is not of type 'number'.",
        "where": "body.items[0].price",
    }

    no_email = {**VALID_ORDER, "customer": {"name": "Ada"}, "status": "lost"}
    answer = shop.post("/orders", json=no_email)
    assert answer.status_code == 422
    assert {e["where"] for e in answer.json()["errors"]} == {"body.customer.email", "body.status"}

    not_an_object = shop.post("/orders", json=[])  # each allOf branch says so too
    assert not_an_object.json() == {"error": "[] is not of type 'object'.", "where": "body"}

    missing = shop.post("/orders")
    assert (missing.status_code, missing.json()["where"]) == (422, "body")
    assert "required" in missing.json()["error"]
    not_json = shop.post("/orders", content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422
    assert "not valid JSON" in not_json.json()["error"]
    wrong_type = shop.post("/orders", content=b"a=1", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert "application/json" in wrong_type.json()["error"]


def test_a_form_body_is_checked_field_by_field(shop: httpx.Client) -> None:
    good = shop.post("/login", data={"username": "ada", "remember": "true", "scopes": "read"})
    assert good.status_code == 200 and isinstance(good.json()["token"], str)
    bad = shop.post("/login", data={"username": "ada", "remember": "maybe"})
    assert (bad.status_code, bad.json()["where"]) == (422, "body.remember")
    bad = shop.post("/login", data={"username": "ada", "scopes": ["read", "root"]})
    assert (bad.status_code, bad.json()["where"]) == (422, "body.scopes[1]")
    missing = shop.post("/login", data={"remember": "false"})
    assert (missing.status_code, missing.json()["where"]) == (422, "body.username")


def test_a_valid_body_is_accepted_without_its_read_only_fields(shop: httpx.Client) -> None:
    created = shop.post("/orders", json=VALID_ORDER)  # id is required but readOnly
    assert created.status_code == 201
    assert _fits(FILES / "shop.yaml", "createOrder", 201, created.json()) == []


def test_openapi_31_in_json(notes: httpx.Client) -> None:
    note_id = str(uuid.UUID(int=5))
    note = notes.get(f"/notes/{note_id}").json()
    assert _fits(FILES / "notes31.json", "getNote", 200, note) == []
    # 3.1 schemas are JSON Schema: the contract's own, unconverted, must accept it too.
    raw = json.loads((FILES / "notes31.json").read_text(encoding="utf-8"))
    Draft202012Validator(raw["components"]["schemas"]["Note"]).validate(note)
    assert (note["title"], note["kind"]) == ("Groceries", "note")  # examples, const
    assert 0 < note["rating"] <= 5 and len(note["pos"]) == 2
    assert len(set(note["tags"])) == len(note["tags"])
    bad = notes.get(f"/notes/{note_id}?verbose=maybe")
    assert (bad.status_code, bad.json()["where"]) == (400, "query.verbose")
    stored = notes.put("/notes/x", json={"title": "t", "kind": "note", "rating": 5, "body": None})
    assert (stored.status_code, stored.content) == (200, b"")  # 2XX without content
    zero = notes.put("/notes/x", json={"title": "t", "kind": "note", "rating": 0})
    assert (zero.status_code, zero.json()["where"]) == (422, "body.rating")


def test_pins_set_the_status_body_and_delay(mocks: ContractMocks, shop: httpx.Client) -> None:
    pins = mocks.pins("shop")
    try:
        pins.set("getOrder", Pin(status=503, body='{"error": "down for maintenance"}'))
        answer = shop.get("/orders/5")
        assert (answer.status_code, answer.json()) == (503, {"error": "down for maintenance"})

        pins.set("getOrder", Pin(status=404))  # the contract's 404 body, generated
        answer = shop.get("/orders/5")
        assert answer.status_code == 404
        assert _fits(FILES / "shop.yaml", "getOrder", 404, answer.json()) == []

        pins.set("health", Pin(body="degraded", delay_s=0.3))
        started = time.monotonic()
        answer = shop.get("/health")
        assert time.monotonic() - started >= 0.3
        assert (answer.status_code, answer.text) == (200, "degraded")
        assert answer.headers["content-type"].startswith("text/plain")

        pins.set("DELETE /orders/{order-id}", Pin(status="NOT_FOUND"))
        answer = shop.delete("/orders/5")
        assert answer.status_code == 500
        assert "not an HTTP status" in answer.json()["error"]
    finally:
        for name in list(pins.all()):
            pins.set(name, None)
    assert shop.get("/orders/5").status_code == 200


def _bodies(mock: ContractMock) -> list[str]:
    with httpx.Client(base_url=mock.url) as client:
        return [
            client.get("/orders", headers=REQUEST_ID).text,
            client.get("/orders/9").text,
            client.get("/categories").text,
        ]


def test_the_same_seed_gives_the_same_answers_on_every_start() -> None:
    runs = []
    for seed in (3, 3, 4):
        mocks = ContractMocks(seed=seed)
        try:
            runs.append(_bodies(mocks.start(FILES / "shop.yaml")))
        finally:
            mocks.stop_all()
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


@needs_corpus
@pytest.mark.parametrize(
    ("file", "operation", "call", "check"),
    [
        ("oai-examples/petstore.yaml", "listPets", "/pets?limit=5", "schema"),
        ("oai-examples/petstore.yaml", "showPetById", "/pets/12", "schema"),
        ("oai-examples/link-example.yaml", "getPullRequestsByRepository",
         "/2.0/repositories/ada/demo/pullrequests", "schema"),
        ("oai-examples/api-with-examples.yaml", "getVersionDetailsv2", "/v2", "example"),
        ("insomnia-fixtures/smoke-openapi3-design-doc.yaml", "echoId", "/pets/abc", "schema"),
        ("insomnia-fixtures/multiple-api-keys-input.yml", "findPetsByStatus",
         "/pet/findByStatus?status=sold", "schema"),
        ("insomnia-fixtures/example-with-server-variables-input.yaml", "find_files",
         "/files", "empty"),
        ("openapi-spec-validator/v3.0/read-only-write-only.yaml", "createUser", "", "schema"),
    ],
)  # fmt: skip
def test_real_contracts_are_served(file: str, operation: str, call: str, check: str) -> None:
    contract = CORPUS / file
    mocks = ContractMocks(seed=1)
    try:
        mock = mocks.start(contract)
        assert operation in mock.operations
        with httpx.Client(base_url=mock.url) as client:
            if operation == "createUser":
                answer = client.post("/users", json={"name": "Ada"})  # id is readOnly
            else:
                answer = client.get(call)
    finally:
        mocks.stop_all()
    assert answer.status_code == 200, answer.text
    if check == "schema":
        assert _fits(contract, operation, 200, answer.json()) == []
    elif check == "example":
        assert answer.json()["version"]["id"] == "v2.0"
    else:
        assert answer.content == b""
    if operation == "echoId":
        assert answer.json() == {"id": "abc"}
    if operation == "createUser":
        assert "hidden" not in answer.json()  # writeOnly


@needs_corpus
@pytest.mark.parametrize(
    ("file", "words"),
    [
        # Refers to recursive.yaml, which the set does not have (it has recursive2.yaml).
        ("openapi-spec-validator/v3.0/parent-reference/openapi.yaml",
         "$ref 'recursive.yaml#/parameters/RecursiveReference' names recursive.yaml, "
         "which does not exist next to openapi.yaml"),
        ("openapi-spec-validator/v3.0/property-recursive.yaml", "defines no operations"),
        ("openapi-spec-validator/v3.0/parent-reference/common.yaml", "no 'openapi' field"),
    ],
)  # fmt: skip
def test_real_contracts_that_cannot_be_served_are_refused(file: str, words: str) -> None:
    with pytest.raises(ContractError) as caught:
        ContractMocks().start(CORPUS / file)
    assert words in str(caught.value)


BROKEN = {
    "yaml.yaml": ("openapi: 3.0.0\ninfo: [\n", ContractError, "is not valid YAML or JSON at line"),
    "swagger.yaml": (
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        UnsupportedContractError,
        "is Swagger 2.0 (OpenAPI 2); contract mocks serve OpenAPI 3.0 and 3.1",
    ),
    "future.json": (
        '{"openapi": "4.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}',
        UnsupportedContractError,
        "is OpenAPI 4.0.0",
    ),
    "missing-ref.yaml": (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Gone'}\n",
        ContractError,
        "paths./a.get.responses.200.content.application/json: $ref "
        "'#/components/schemas/Gone' points to nothing",
    ),
    "bad-type.yaml": (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {type: strnig}\n",
        ContractError,
        "invalid schema: 'strnig' is not valid",
    ),
    "remote-ref.yaml": (
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n"
        "    $ref: 'https://example.com/paths.yaml#/a'\n",
        UnsupportedContractError,
        "is remote; contract mocks read only local files",
    ),
    "twice.yaml": (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /a: {get: {operationId: same, responses: {'200': {description: ok}}}}\n"
        "  /b: {get: {operationId: same, responses: {'200': {description: ok}}}}\n",
        ContractError,
        "operationId 'same' is used by both GET /a and GET /b",
    ),
    "no-responses.yaml": (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {}}\n",
        ContractError,
        "paths./a.get.responses: an operation needs 'responses'",
    ),
    "loop.yaml": (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n"
        "      requestBody:\n        content:\n          application/json:\n"
        "            schema: {$ref: '#/components/schemas/A'}\n"
        "      responses: {'200': {description: ok}}\n"
        "components:\n  schemas:\n    A: {anyOf: [{$ref: '#/components/schemas/B'}]}\n"
        "    B: {allOf: [{$ref: '#/components/schemas/A'}]}\n",
        ContractError,
        "schema A -> B -> A refers to itself without a property or item in between",
    ),
    "list.json": ("[1, 2]", ContractError, "has no 'openapi' field"),
    "notes.txt": ("hello", ContractError, "is not a contract file these mocks know; give an"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_contracts_are_refused_with_a_clear_message(tmp_path: Path, name: str) -> None:
    text, error, words = BROKEN[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    before = _contract_threads()
    mocks = ContractMocks()
    with pytest.raises(error) as caught:
        mocks.start(tmp_path / name)
    assert words in str(caught.value)
    assert "Traceback" not in str(caught.value)
    assert mocks.mocks == {} and _contract_threads() == before


@pytest.mark.parametrize(
    "pattern",
    [r"^[A-Z]{2}-\d{4}$", r"^(EUR|USD)$", r"^\+?[0-9 ]{7,15}$", r"[^abc]x", r"^.{3}$"],
)
def test_strings_are_made_from_their_pattern(pattern: str) -> None:
    text = matching_text(pattern, random.Random(1))
    assert text is not None and re.search(pattern, text)


def test_patterns_that_cannot_be_imitated_give_none() -> None:
    assert matching_text(r"(a)\1", random.Random(1)) is None  # back-reference
    assert matching_text(r"^(?=a)b", random.Random(1)) is None  # look-ahead


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"The contract file .*gone\.yaml does not exist"):
        ContractMocks().start(tmp_path / "gone.yaml")


def test_a_port_in_use_is_reported(occupied_port: int) -> None:
    before = _contract_threads()
    mocks = ContractMocks()
    with pytest.raises(PortInUseError, match=f"Port {occupied_port} for the shop mock"):
        mocks.start(FILES / "shop.yaml", port=occupied_port)
    assert mocks.mocks == {} and _contract_threads() == before


def test_names_are_made_unique_and_mocks_stop_by_name() -> None:
    mocks = ContractMocks()
    try:
        first = mocks.start(FILES / "shop.yaml")
        second = mocks.start(FILES / "shop.yaml")
        assert (first.name, second.name) == ("shop", "shop-2")
        mocks.stop("shop")
        with pytest.raises(httpx.ConnectError):
            httpx.get(first.url + "/health")
        assert httpx.get(second.url + "/health").text == "ok"
        assert list(mocks.mocks) == ["shop-2"]
        with pytest.raises(MockServerError, match="No contract mock is named 'shop'"):
            mocks.stop("shop")
    finally:
        mocks.stop_all()
    assert mocks.mocks == {}


ODD = """\
openapi: 3.0
info: {title: Odd but servable, version: 1}
paths:
  /many:
    parameters:
      - {name: ghost, in: path, required: true, schema: {type: string}}  # not in the path
    get:
      responses:
        200:  # a number to YAML
          description: More items and text than anyone should generate
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, minItems: 1000000, items: {type: integer}}
                  text: {type: string, minLength: 100000000}
                  filter: {type: object}
  /set:
    get:
      parameters:
        - {name: filter, in: query, style: deepObject, schema: {type: object}}
      responses:
        '200':
          description: A YAML set as the example
          content:
            application/json:
              example: !!set {a, b}
"""


def test_odd_contracts_answer_quickly_instead_of_failing(tmp_path: Path) -> None:
    contract = tmp_path / "odd.yaml"
    contract.write_text(ODD, encoding="utf-8")
    mocks = ContractMocks()
    try:
        mock = mocks.start(contract)
        with httpx.Client(base_url=mock.url, timeout=10) as client:
            many = client.get("/many").json()
            odd_set = client.get("/set", params={"filter[kind]": "x"})
    finally:
        mocks.stop_all()
    assert len(many["items"]) == 100 and len(many["text"]) == 10_000  # capped
    assert odd_set.status_code == 200 and sorted(odd_set.json()) == ["a", "b"]
