"""Bad gRPC message JSON through the catalog's check (what a call runs before opening a
channel), against the descriptors of the mock's own .proto, and broken .proto files
through ``load_proto_files``: each is a GrpcMessageError naming the field, or a
GrpcDiscoveryError naming the file; nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from clear_errors import params, refused

from apiclient.core.paths import resources_dir
from apiclient.protocols.grpc_catalog import GrpcCatalog, load_proto_files
from apiclient.protocols.grpc_json import parse_messages

PROTO = resources_dir() / "proto"
BROKEN = Path(__file__).parents[1] / "protocols" / "grpc_files" / "broken"
_SERVICE = "/mock.tracks.v1.TrackService/"

# (id, JSON for a mock.tracks.v1.Track, fragment): Track has every kind of field
TRACKS: list[tuple[str, str, str]] = [
    ("not-json", "{", "not valid JSON"),
    ("an-array", "[]", "not an array"),
    ("a-number", "5", "got a number (5)"),
    ("null", "null", "got null"),
    ("a-string", '"x"', "got a string ('x')"),
    ("deeply-nested", "[" * 5000, "too deeply"),
    ("id-a-number", '{"id": 5}', "id: expected a string"),
    ("unknown-field", '{"nope": 1}', "nope: unknown field"),
    ("misspelt-field", '{"tags2": 1}', "did you mean tags?"),
    ("message-a-string", '{"artist": "x"}', "artist: expected an object (Artist)"),
    ("nested-unknown-field", '{"artist": {"idd": 1}}', "artist.idd: unknown field"),
    ("enum-unknown-name", '{"genre": "POP"}', "'POP' is not one of"),
    ("enum-a-fraction", '{"genre": 1.5}', "is not one of"),
    ("repeated-a-string", '{"tags": "x"}', "tags: expected an array"),
    ("repeated-wrong-item", '{"tags": [1]}', "tags[0]: expected a string"),
    ("repeated-null-item", '{"tags": [null]}', "tags[0]: null is not allowed"),
    ("map-an-array", '{"credits": []}', "credits: expected an object (a map)"),
    ("map-wrong-value", '{"credits": {"a": 1}}', 'credits["a"]: expected a string'),
    ("oneof-both", '{"stream_url": "x", "upload_id": 1}', "source is a oneof"),
    ("int64-letters", '{"upload_id": "abc"}', "expected an integer (int64)"),
    ("int64-fraction", '{"upload_id": 1.5}', "expected an integer (int64)"),
    ("int64-too-large", '{"upload_id": "99999999999999999999"}', "out of range for int64"),
    ("int64-too-small", '{"upload_id": "-9223372036854775809"}', "out of range for int64"),
    ("int64-huge-float", '{"upload_id": 1e30}', "out of range for int64"),
    ("int64-true", '{"upload_id": true}', "got true"),
    ("int64-nan", '{"upload_id": NaN}', "got NaN (not a JSON number)"),
    ("int64-minus-infinity", '{"upload_id": -1e400}', "-Infinity"),
    ("timestamp-words", '{"released_at": "yesterday"}', "not a valid Timestamp"),
    ("timestamp-a-number", '{"released_at": 5}', "not a valid Timestamp"),
    ("timestamp-month-13", '{"released_at": "2020-13-01T00:00:00Z"}', "not a valid Timestamp"),
    ("timestamp-year-0", '{"released_at": "0000-01-01T00:00:00Z"}', "not a valid Timestamp"),
    ("duration-without-s", '{"length": "5"}', "not a valid Duration"),
    ("duration-too-long", '{"length": "315576000001s"}', "not a valid Duration"),
    ("double-words", '{"rating": "high"}', "rating: expected a number"),
    ("double-an-object", '{"rating": {}}', "got an object"),
    ("double-bare-nan", '{"rating": NaN}', 'write it as the string "NaN"'),
    ("double-bare-infinity", '{"rating": Infinity}', 'write it as the string "Infinity"'),
    ("struct-a-number", '{"extra": 5}', "extra: expected an object (Struct)"),
    ("struct-an-array", '{"extra": [1]}', "extra: expected an object (Struct)"),
    ("struct-too-deep", '{"extra": ' + '{"a": ' * 400 + "1" + "}" * 401, "too deep"),
    ("lone-surrogate", '{"id": "\\ud800"}', "Unpaired surrogate"),
]
# (id, (method, JSON), fragment): what the call kind allows
BY_METHOD: list[tuple[str, tuple[str, str], str]] = [
    ("unary-given-an-array", ("GetTrack", '[{"id": "t1"}]'), "takes one message"),
    ("stream-item-a-number", ("RecordPlays", "[1]"), "message 1: expected a JSON object"),
    ("stream-second-item-bad", ("RecordPlays", '[{}, {"seconds": "x"}]'), "message 2: seconds"),
    ("stream-item-an-array", ("RecordPlays", "[[]]"), "got an array"),
    ("int32-too-large", ("RecordPlays", '{"seconds": 99999999999}'), "out of range for int32"),
    ("bidi-bpm-text", ("Jam", '{"bpm": "fast"}'), "bpm: expected an integer (int32)"),
    ("bool-a-string", ("GetTrack", '{"include_credits": "yes"}'), "expected true or false"),
]
# (id, .proto file in tests/protocols/grpc_files/broken, fragment)
PROTO_FILES: list[tuple[str, str, str]] = [
    ("syntax-error", "syntax_error.proto", "syntax_error.proto:"),
    ("missing-import", "missing_import.proto", "missing_import.proto"),
    ("no-service", "no_service.proto", "no_service.proto"),
]
CASES = [*TRACKS, *BY_METHOD, *PROTO_FILES]


@pytest.fixture(scope="module")
def catalog() -> GrpcCatalog:
    return load_proto_files([str(PROTO / "tracks" / "v1" / "tracks.proto")], [str(PROTO)])


@pytest.mark.parametrize(("text", "fragment"), params(TRACKS))
def test_a_message_that_does_not_fit_is_refused_naming_the_field(
    catalog: GrpcCatalog, text: str, fragment: str
) -> None:
    track = catalog.message_type("mock.tracks.v1.Track")
    refused(lambda: parse_messages(track, catalog.pool, text, many=False), fragment)


@pytest.mark.parametrize(("given", "fragment"), params(BY_METHOD))
def test_messages_that_do_not_fit_the_call_kind_are_refused(
    catalog: GrpcCatalog, given: tuple[str, str], fragment: str
) -> None:
    name, text = given
    method = catalog.method(_SERVICE + name)
    assert method is not None
    refused(lambda: catalog.check_message(method, text), fragment)


@pytest.mark.parametrize(("name", "fragment"), params(PROTO_FILES))
def test_a_broken_proto_file_is_refused_clearly(name: str, fragment: str) -> None:
    refused(lambda: load_proto_files([str(BROKEN / name)], [str(BROKEN)]), fragment)
