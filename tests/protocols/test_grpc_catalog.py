"""The gRPC catalog from .proto files: compiling (with imports and errors), the method
list, templates, field notes and the check of message JSON. No network."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from corpus_paths import CORPUS

from apiclient.core.paths import resources_dir
from apiclient.protocols.errors import GrpcDiscoveryError, GrpcMessageError
from apiclient.protocols.grpc_catalog import GrpcCatalog, GrpcMethod, load_proto_files

FILES = Path(__file__).parent / "grpc_files"
PROTO_CORPUS = CORPUS / "proto"


@pytest.fixture(scope="module")
def shop() -> GrpcCatalog:
    return load_proto_files([str(FILES / "shop" / "v1" / "shop.proto")], [str(FILES)])


def _method(catalog: GrpcCatalog, path: str) -> GrpcMethod:
    method = catalog.method(path)
    assert method is not None, path
    return method


# --- loading --------------------------------------------------------------------------


def test_files_give_services_methods_kinds_and_comments(shop: GrpcCatalog) -> None:
    assert shop.source == "files: shop.proto"
    assert [service.name for service in shop.services] == ["shop.v1.Shop"]
    assert shop.services[0].description == "Sells things."
    kinds = {method.name: method.kind for method in shop.methods}
    assert kinds == {
        "GetItem": "unary",
        "ListItems": "server_streaming",
        "UploadItems": "client_streaming",
        "Haggle": "bidi_streaming",
        "Ping": "unary",
    }
    get = _method(shop, "/shop.v1.Shop/GetItem")
    assert get.path == "/shop.v1.Shop/GetItem"
    assert get.service == "shop.v1.Shop"
    assert (get.input_type, get.output_type) == ("shop.v1.GetItemRequest", "shop.v1.Item")
    assert get.description == "Look up one item."
    assert _method(shop, "/shop.v1.Shop/Ping").description == ""


def test_method_lookup_tolerates_a_missing_slash(shop: GrpcCatalog) -> None:
    assert shop.method("shop.v1.Shop/GetItem") == shop.method("/shop.v1.Shop/GetItem")
    assert shop.method("/shop.v1.Shop/Nope") is None
    assert shop.method("") is None


def test_the_mocks_proto_loads_with_its_comments() -> None:
    proto = resources_dir() / "proto"
    catalog = load_proto_files([str(proto / "tracks" / "v1" / "tracks.proto")], [str(proto)])
    (service,) = catalog.services
    assert service.name == "mock.tracks.v1.TrackService"
    get = _method(catalog, "/mock.tracks.v1.TrackService/GetTrack")
    assert get.description.startswith("Fetch one track by id")
    assert json.loads(catalog.template(get)) == {"id": "", "include_credits": False}


def test_a_file_outside_the_import_paths_brings_its_folder() -> None:
    catalog = load_proto_files([str(FILES / "legacy" / "legacy.proto")], [])
    assert [service.name for service in catalog.services] == ["legacy.Orders"]


def test_catalogs_do_not_share_the_default_pool() -> None:
    """The mock's generated module registers tracks.proto in protobuf's default pool;
    loading the same file again must not clash with it."""
    from mock_servers.grpc_generated import tracks_pb2

    proto = resources_dir() / "proto"
    files = [str(proto / "tracks" / "v1" / "tracks.proto")]
    first = load_proto_files(files, [str(proto)])
    second = load_proto_files(files, [str(proto)])
    assert first.pool is not second.pool
    assert tracks_pb2.Track.DESCRIPTOR.full_name == "mock.tracks.v1.Track"


def test_a_syntax_error_is_located_in_the_file() -> None:
    path = FILES / "broken" / "syntax_error.proto"
    with pytest.raises(GrpcDiscoveryError) as caught:
        load_proto_files([str(path)], [str(FILES)])
    # protoc notices the missing ";" at the next token: line 7, column 3 (1-based).
    assert f'{path}:7:3: Expected ";".' in str(caught.value)


def test_a_missing_import_names_it_and_where_it_was_looked_for() -> None:
    with pytest.raises(GrpcDiscoveryError) as caught:
        load_proto_files([str(FILES / "broken" / "missing_import.proto")], [str(FILES)])
    text = str(caught.value)
    assert 'import "not/there/lost.proto" was not found' in text
    assert f"looked in {FILES}" in text
    assert "missing_import.proto:5:1" in text
    assert "is not defined" not in text  # its echoes are left out


def test_without_the_import_path_the_shops_import_is_missing() -> None:
    with pytest.raises(GrpcDiscoveryError, match=r'import "common/money\.proto" was not found'):
        load_proto_files([str(FILES / "shop" / "v1" / "shop.proto")], [])


@pytest.mark.parametrize(
    ("files", "paths", "expected"),
    [
        ([], [], "Choose at least one .proto file"),
        (["nope.proto"], [], "nope.proto does not exist"),
        (["broken/no_service.proto"], [], "no_service.proto defines no service"),
        (["legacy/legacy.proto"], ["no/such/folder"], "no/such/folder is not a folder"),
    ],
)
def test_loading_errors_say_what_to_do(files: list[str], paths: list[str], expected: str) -> None:
    with pytest.raises(GrpcDiscoveryError, match=expected):
        load_proto_files(
            [str(FILES / name) for name in files], [str(FILES / path) for path in paths]
        )


# --- templates and notes --------------------------------------------------------------


def test_the_template_fills_every_field_with_the_right_type(shop: GrpcCatalog) -> None:
    upload = _method(shop, "/shop.v1.Shop/UploadItems")
    text = shop.template(upload)
    assert text.startswith('{\n  "id": ""')  # 2-space indent, proto names, declared order
    item = json.loads(text)
    assert item["price"] == {"currency": "", "units": 0, "nanos": 0}  # imported message
    assert item["color"] == "RED"  # the first value that is not the zero one
    assert item["other_colors"] == ["RED"]
    assert item["tags"] == [""]
    assert item["labels"] == {"key": ""}
    assert item["variants"] == {"0": {"size": "", "available": False}}
    # oneof stock: only its first member
    assert "in_stock" in item and "restock_date" not in item and "discontinued" not in item
    assert item["added_at"] == "2026-01-31T12:00:00Z"
    assert item["views"] == 0 and item["gift"] is False  # wrappers hold their scalar
    assert item["attributes"] == {} and item["anything"] is None and item["history"] == []
    assert item["mask"] == "" and item["thumbnail"] == "" and item["note"] == ""
    assert item["serial"] == 0 and item["weight_kg"] == 0.0
    assert item["extension"] == {"@type": "type.googleapis.com/google.protobuf.Empty"}
    # recursion guarded: a Category inside a Category is left empty
    assert item["category"] == {"name": "", "children": [{}], "parent": {}}
    assert len(shop.check_message(upload, text)) == 1  # the template is a valid message


def test_field_notes_explain_what_json_cannot(shop: GrpcCatalog) -> None:
    notes = shop.field_notes(_method(shop, "/shop.v1.Shop/UploadItems"))
    assert notes[0].startswith("messages: one JSON object is one message")
    for expected in (
        "color: one of COLOR_UNSPECIFIED, RED, GREEN, BLUE",
        "other_colors[]: one of COLOR_UNSPECIFIED, RED, GREEN, BLUE",
        "stock: oneof — in_stock or restock_date or discontinued (set one of them)",
        "added_at: Timestamp, RFC 3339 text (e.g. 2026-01-31T12:00:00Z)",
        "views: Int64Value, a plain integer or null",
        "gift: BoolValue, true, false or null",
        "attributes: Struct, any JSON object",
        "thumbnail: bytes, written as base64 text",
        "category.parent: Category again (it contains itself); left empty",
    ):
        assert expected in notes
    assert shop.field_notes(_method(shop, "/shop.v1.Shop/GetItem")) == []


def test_proto2_required_fields_are_noted_and_checked() -> None:
    catalog = load_proto_files([str(FILES / "legacy" / "legacy.proto")], [])
    place = _method(catalog, "/legacy.Orders/Place")
    assert catalog.field_notes(place) == [
        "id: required",
        "ship_to: required",
        "ship_to.city: required",
    ]
    with pytest.raises(GrpcMessageError) as caught:
        catalog.check_message(place, '{"id": "o1", "ship_to": {}}')
    assert caught.value.field == "ship_to.city"
    assert str(caught.value) == "ship_to.city: required field missing"
    (order,) = catalog.check_message(place, '{"id": "o1", "ship_to": {"city": "Oslo"}}')
    assert order.ship_to.city == "Oslo"  # type: ignore[attr-defined]


# --- checking messages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            '{"price": {"currency": "EUR", "unit": 5}}',
            "price.unit",
            "price.unit: unknown field (did you mean units?)",
        ),
        (
            '{"color": "PURPLE"}',
            "color",
            "color: 'PURPLE' is not one of COLOR_UNSPECIFIED, RED, GREEN, BLUE",
        ),
        (
            '{"added_at": "yesterday"}',
            "added_at",
            "added_at: not a valid Timestamp (use RFC 3339, e.g. 2026-01-31T12:00:00Z)",
        ),
        ('{"views": "many"}', "views", "views: expected an integer (int64), got a string ('many')"),
        ('{"tags": ["a", 1]}', "tags[1]", "tags[1]: expected a string, got a number (1)"),
        ('{"tags": "a"}', "tags", "tags: expected an array, got a string ('a')"),
        ('{"labels": {"a": 1}}', 'labels["a"]', 'labels["a"]: expected a string, got a number (1)'),
        ('{"variants": {"x": {}}}', 'variants["x"]', "expected an integer (int32)"),
        (
            '{"in_stock": 3, "discontinued": true}',
            "discontinued",
            "discontinued: stock is a oneof: set in_stock or discontinued, not both",
        ),
        ('{"thumbnail": "!!"}', "thumbnail", "thumbnail: not valid base64"),
        ('{"serial": -1}', "serial", "serial: -1 is out of range for uint64"),
        ('{"price": {"nanos": 3000000000}}', "price.nanos", "out of range for int32"),
        ('{"weight_kg": "heavy"}', "weight_kg", "weight_kg: expected a number"),
        ('{"gift": "yes"}', "gift", "gift: expected true or false, got a string ('yes')"),
        ('{"attributes": []}', "attributes", "attributes: expected an object (Struct)"),
        ('{"price": 5}', "price", "price: expected an object (Money), got a number (5)"),
        ('{"extension": {}}', "extension", 'an Any needs "@type"'),
        (
            '{"extension": {"@type": "type.googleapis.com/nope.Nope"}}',
            "extension",
            "unknown type nope.Nope in @type",
        ),
        (
            '{"extension": {"@type": "type.googleapis.com/common.Money", "currency": 3}}',
            "extension.currency",
            "extension.currency: expected a string",
        ),
        (
            '{"category": {"children": [{"nam": "x"}]}}',
            "category.children[0].nam",
            "category.children[0].nam: unknown field (did you mean name?)",
        ),
        (
            '{"inStock": 1, "in_stock": 2}',
            "in_stock",
            "in_stock: given twice (as inStock and in_stock)",
        ),
        ('{"zzz": 1}', "zzz", "zzz: unknown field (Item has id, title, price,"),
    ],
)
def test_a_message_that_does_not_fit_names_the_field(
    shop: GrpcCatalog, text: str, field: str, message: str
) -> None:
    upload = _method(shop, "/shop.v1.Shop/UploadItems")
    with pytest.raises(GrpcMessageError) as caught:
        shop.check_message(upload, text)
    assert caught.value.field == field
    assert message in str(caught.value)
    assert caught.value.index is None  # one object, not an array


def test_invalid_json_gives_line_and_column(shop: GrpcCatalog) -> None:
    get = _method(shop, "/shop.v1.Shop/GetItem")
    with pytest.raises(GrpcMessageError) as caught:
        shop.check_message(get, '{\n  "id": "a",\n  "title": \n}')
    assert (caught.value.line, caught.value.column) == (4, 1)
    assert str(caught.value).startswith("The message is not valid JSON: Expecting value (line 4")


def test_both_spellings_of_a_field_are_accepted(shop: GrpcCatalog) -> None:
    upload = _method(shop, "/shop.v1.Shop/UploadItems")
    (item,) = shop.check_message(
        upload,
        '{"addedAt": "2026-01-31T12:00:00+01:00", "weight_kg": "1.5", "otherColors": [2],'
        ' "serial": "18446744073709551615", "views": null, "thumbnail": "aGk", "mask": "a,b.c",'
        ' "anything": [1, "x", null], "extension": {"@type":'
        ' "type.googleapis.com/google.protobuf.Timestamp", "value": "2026-01-31T12:00:00Z"}}',
    )
    assert item.added_at.seconds == 1769857200  # type: ignore[attr-defined]
    assert item.other_colors == [2]  # type: ignore[attr-defined]
    assert item.serial == 2**64 - 1  # type: ignore[attr-defined]
    assert item.thumbnail == b"hi"  # type: ignore[attr-defined]


def test_streams_take_an_array_or_one_object(shop: GrpcCatalog) -> None:
    upload = _method(shop, "/shop.v1.Shop/UploadItems")
    assert len(shop.check_message(upload, '[{"id": "a"}, {"id": "b"}, {}]')) == 3
    assert len(shop.check_message(upload, '{"id": "a"}')) == 1
    assert shop.check_message(upload, "  \n") == []
    with pytest.raises(GrpcMessageError) as caught:
        shop.check_message(upload, '[{"id": "a"}, {"idd": "b"}]')
    assert caught.value.index == 1
    assert caught.value.field == "idd"
    assert str(caught.value) == "message 2: idd: unknown field (did you mean id?)"
    with pytest.raises(GrpcMessageError, match="message 1: expected a JSON object"):
        shop.check_message(upload, "[3]")


def test_a_single_message_method_refuses_an_array(shop: GrpcCatalog) -> None:
    get = _method(shop, "/shop.v1.Shop/GetItem")
    with pytest.raises(GrpcMessageError, match="takes one message: write a JSON object"):
        shop.check_message(get, '[{"id": "a"}]')
    (empty,) = shop.check_message(get, "")  # blank text is an empty message
    assert empty.ByteSize() == 0


# --- the shared corpus of real .proto files ---------------------------------------------

_CORPUS_CASES = [
    ("grpc-go/examples/route_guide/routeguide/route_guide.proto", "", 4),
    ("grpc-go/examples/features/proto/echo/echo.proto", "", 4),
    ("grpc-proto/grpc/health/v1/health.proto", "grpc-proto", 3),
    ("grpc-proto/grpc/reflection/v1/reflection.proto", "grpc-proto", 1),
    ("googleapis/google/bigtable/v2/bigtable.proto", "googleapis", 15),
    ("googleapis/google/firestore/v1/firestore.proto", "googleapis", 17),
    ("googleapis/google/pubsub/v1/schema.proto", "googleapis", 10),
]


@pytest.fixture
def proto_corpus() -> Path:
    if not PROTO_CORPUS.is_dir():
        pytest.skip(f"the shared .proto corpus is not at {PROTO_CORPUS}")
    return PROTO_CORPUS


@pytest.mark.parametrize(("name", "include", "count"), _CORPUS_CASES)
def test_real_protos_compile_and_every_template_is_a_valid_message(
    proto_corpus: Path, name: str, include: str, count: int
) -> None:
    paths = [str(proto_corpus / include)] if include else []
    started = time.perf_counter()
    catalog = load_proto_files([str(proto_corpus / name)], paths)
    assert time.perf_counter() - started < 2.0
    assert len(catalog.methods) == count
    for method in catalog.methods:
        text = catalog.template(method)
        assert len(text) < 200_000
        messages = catalog.check_message(method, text)
        assert len(messages) == 1
        catalog.field_notes(method)


def test_real_protos_keep_their_comments(proto_corpus: Path) -> None:
    catalog = load_proto_files(
        [str(proto_corpus / "googleapis/google/bigtable/v2/bigtable.proto")],
        [str(proto_corpus / "googleapis")],
    )
    read_rows = _method(catalog, "/google.bigtable.v2.Bigtable/ReadRows")
    assert read_rows.kind == "server_streaming"
    assert "Streams back the contents of all requested rows" in read_rows.description


def test_a_real_proto_with_a_missing_import(proto_corpus: Path) -> None:
    """grpc/testing/test.proto imports messages.proto, which the corpus does not hold."""
    with pytest.raises(GrpcDiscoveryError) as caught:
        load_proto_files(
            [str(proto_corpus / "grpc-proto/grpc/testing/test.proto")],
            [str(proto_corpus / "grpc-proto")],
        )
    assert 'import "grpc/testing/messages.proto" was not found' in str(caught.value)
