"""Loading GraphQL schemas from SDL files and introspection results, and what the
schema tree shows of them; real-world schemas come from the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_paths import CORPUS
from graphql import build_schema, get_introspection_query, graphql_sync, print_schema

from apiclient.protocols.errors import SchemaError
from apiclient.protocols.graphql_schema import (
    LoadedSchema,
    SchemaArgument,
    SchemaField,
    schema_from_introspection,
    schema_from_sdl_file,
)

FILES = Path(__file__).parent / "graphql_files"
GRAPHQL_CORPUS = CORPUS / "graphql"


@pytest.fixture(scope="module")
def events() -> LoadedSchema:
    return schema_from_sdl_file(str(FILES / "events.graphql"))


@pytest.fixture
def graphql_corpus() -> Path:
    if not GRAPHQL_CORPUS.is_dir():
        pytest.skip(f"the shared GraphQL corpus is not at {GRAPHQL_CORPUS}")
    return GRAPHQL_CORPUS


def test_sdl_file_gives_root_types_and_source(events: LoadedSchema) -> None:
    assert events.root_types == {
        "query": "Query",
        "mutation": "Mutation",
        "subscription": "Subscription",
    }
    assert events.source == str(FILES / "events.graphql")
    assert events.warnings == ()


def test_types_put_roots_first_then_names_and_leave_out_introspection(
    events: LoadedSchema,
) -> None:
    names = [t.name for t in events.types()]
    assert names[:3] == ["Query", "Mutation", "Subscription"]
    assert names[3:] == sorted(names[3:], key=str.casefold)
    assert not any(name.startswith("__") for name in names)
    assert {"Event", "Topic", "NewSessionInput", "SearchResult", "String"} <= set(names)


def test_fields_carry_types_arguments_defaults_and_descriptions(events: LoadedSchema) -> None:
    query = next(t for t in events.types() if t.name == "Query")
    assert query.kind == "OBJECT"
    by_name = {f.name: f for f in query.fields}
    assert by_name["events"].type == "[Event!]!"
    assert by_name["events"].description == "Upcoming events, optionally in one city."
    assert by_name["events"].arguments == (
        SchemaArgument("city", "String", None, ""),
        SchemaArgument("first", "Int", "10", ""),
        SchemaArgument("after", "String", None, ""),
        SchemaArgument("statuses", "[EventStatus!]", None, ""),
    )
    assert by_name["event"].arguments[0].type == "ID!"


def test_deprecations_of_fields_enum_values_and_input_fields(events: LoadedSchema) -> None:
    types = {t.name: t for t in events.types()}
    capacity = next(f for f in types["Event"].fields if f.name == "capacity")
    assert capacity.deprecated and capacity.deprecation_reason == "Use location.capacity instead."
    name = next(f for f in types["Event"].fields if f.name == "name")
    assert not name.deprecated and name.deprecation_reason == ""
    topics = types["Topic"]
    assert topics.kind == "ENUM" and topics.fields == ()
    assert [v.name for v in topics.enum_values] == [
        "PYTHON",
        "GRAPHQL",
        "SECURITY",
        "DATA",
        "COBOL",
    ]
    assert topics.enum_values[-1].deprecated
    room = next(f for f in types["NewSessionInput"].fields if f.name == "room")
    assert room.deprecated and room.deprecation_reason == "Rooms are given by the venue."


def test_input_objects_list_input_fields_with_defaults(events: LoadedSchema) -> None:
    new_session = next(t for t in events.types() if t.name == "NewSessionInput")
    assert new_session.kind == "INPUT_OBJECT"
    duration = next(f for f in new_session.fields if f.name == "durationMinutes")
    assert duration == SchemaField("durationMinutes", "Int", "", (), False, "", "30")
    assert next(f for f in new_session.fields if f.name == "eventId").default is None


def test_unions_and_scalars(events: LoadedSchema) -> None:
    types = {t.name: t for t in events.types()}
    assert types["SearchResult"].kind == "UNION"
    assert types["SearchResult"].possible_types == ("Event", "Speaker")
    assert types["Event"].description == "A conference or meetup with sessions given by speakers."
    assert types["ID"].kind == "SCALAR" and types["ID"].fields == ()


def test_sdl_prints_a_schema_that_builds_the_same(events: LoadedSchema) -> None:
    printed = events.sdl()
    assert "type Query {" in printed and "union SearchResult = Event | Speaker" in printed
    assert print_schema(build_schema(printed)) == printed


def test_introspection_result_in_either_shape(events: LoadedSchema) -> None:
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    result = graphql_sync(events.schema, query)
    assert result.errors is None and result.data is not None
    whole = schema_from_introspection({"data": result.data}, "introspection of http://x/graphql")
    bare = schema_from_introspection(result.data, "introspection of http://x/graphql")
    assert whole.source == "introspection of http://x/graphql"
    assert whole.types() == events.types() == bare.types()


@pytest.mark.parametrize(
    "result",
    [{"data": None, "errors": [{"message": "nope"}]}, {"data": {"__type": {}}}, {}],
)
def test_introspection_result_without_schema_is_refused(result: dict[str, object]) -> None:
    with pytest.raises(SchemaError, match=r"has no __schema object.*SDL file"):
        schema_from_introspection(result, "introspection of http://x/graphql")


def test_broken_introspection_result_says_it_cannot_be_read() -> None:
    broken = {"__schema": {"queryType": {"name": "Query"}, "types": "not a list"}}
    with pytest.raises(SchemaError, match="cannot be read") as caught:
        schema_from_introspection(broken, "introspection of http://x/graphql")
    assert "Traceback" not in str(caught.value)


# -- bad files ---------------------------------------------------------------------------


def test_sdl_syntax_error_names_the_file_line_and_column() -> None:
    with pytest.raises(SchemaError) as caught:
        schema_from_sdl_file(str(FILES / "broken.graphql"))
    assert str(caught.value) == (
        f"The schema file '{FILES / 'broken.graphql'}' is not valid SDL:\n"
        "line 8, column 8: Syntax Error: Expected ':', found Name 'String'."
    )


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="does not exist"):
        schema_from_sdl_file(str(tmp_path / "nope.graphql"))
    with pytest.raises(SchemaError, match="is a folder, not a schema file"):
        schema_from_sdl_file(str(tmp_path))


def test_binary_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "schema.graphql"
    path.write_bytes(b"type Query { a: Int }\xff\xfe")
    with pytest.raises(SchemaError, match=r"is not UTF-8 text \(byte 21\)"):
        schema_from_sdl_file(str(path))


def test_json_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text('{"__schema": ')
    with pytest.raises(SchemaError, match=r"is not valid JSON: line 1, column 14"):
        schema_from_sdl_file(str(path))


def test_saved_introspection_json_file_loads(tmp_path: Path, events: LoadedSchema) -> None:
    result = graphql_sync(events.schema, get_introspection_query())
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"data": result.data}))
    loaded = schema_from_sdl_file(str(path))
    assert loaded.source == str(path)
    assert loaded.root_types["query"] == "Query"


def test_a_query_file_is_not_a_schema(graphql_corpus: Path) -> None:
    path = graphql_corpus / "swapi" / "queries" / "01_basic_query.graphql"
    with pytest.raises(SchemaError, match=r"holds GraphQL operations \(a query\), not a schema"):
        schema_from_sdl_file(str(path))


def test_unknown_types_are_listed_with_places_and_a_count(graphql_corpus: Path) -> None:
    path = graphql_corpus / "graphql-core" / "schema_kitchen_sink.graphql"
    with pytest.raises(SchemaError) as caught:
        schema_from_sdl_file(str(path))
    lines = str(caught.value).splitlines()
    assert lines[1] == "line 3, column 10: Unknown type 'QueryType'."
    assert len(lines) == 7 and lines[-1].startswith("... and ") and lines[-1].endswith(" more.")


# -- real-world schemas ------------------------------------------------------------------


def test_star_wars_introspection_json(graphql_corpus: Path) -> None:
    loaded = schema_from_sdl_file(
        str(graphql_corpus / "graphql-core" / "star_wars.introspection.json")
    )
    assert loaded.root_types == {"query": "Query"}
    assert {"Character", "Droid", "Human", "Episode"} <= {t.name for t in loaded.types()}
    character = next(t for t in loaded.types() if t.name == "Character")
    assert character.kind == "INTERFACE" and set(character.possible_types) == {"Human", "Droid"}


def test_gql_star_wars_sdl(graphql_corpus: Path) -> None:
    loaded = schema_from_sdl_file(str(graphql_corpus / "gql" / "starwars.printed.graphql"))
    assert set(loaded.root_types) == {"query", "mutation", "subscription"}
    assert loaded.warnings == ()


def test_github_sdl_loads_despite_its_duplicate_fields(graphql_corpus: Path) -> None:
    """GitHub's published SDL defines two fields twice and breaks a deprecation rule
    graphql-core 3.3 added; it is still GitHub's schema, so it loads with warnings."""
    loaded = schema_from_sdl_file(str(graphql_corpus / "github-octokit" / "schema.graphql"))
    assert loaded.root_types == {"query": "Query", "mutation": "Mutation"}
    assert loaded.warnings[0] == (
        "line 15003, column 3: Field 'EnterpriseOwnerInfo.repositoryDeployKeySetting'"
        " can only be defined once."
    )
    assert any("must not be deprecated" in warning for warning in loaded.warnings)
    assert len(loaded.types()) > 1500
    repository = next(f for f in loaded.types()[0].fields if f.name == "repository")
    assert [a.name for a in repository.arguments] == ["followRenames", "name", "owner"]
    assert repository.arguments[0].default == "true"


def test_github_introspection_json_loads(graphql_corpus: Path) -> None:
    loaded = schema_from_sdl_file(str(graphql_corpus / "github-octokit" / "schema.json"))
    assert loaded.root_types == {"query": "Query", "mutation": "Mutation"}
    assert loaded.warnings and all("line " not in w for w in loaded.warnings)
    node = next(t for t in loaded.types() if t.name == "Node")
    assert node.kind == "INTERFACE" and "Repository" in node.possible_types
