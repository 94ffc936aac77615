"""Bad GraphQL documents and variables through the checks a send makes against the
schema (``check_document``, ``check_variables``), and broken schema files through
``schema_from_sdl_file``: each is a DocumentError, VariablesError or SchemaError with a
line and column where it has one; nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from clear_errors import params, refused

from apiclient.protocols.graphql_document import check_document, check_variables
from apiclient.protocols.graphql_schema import LoadedSchema, schema_from_sdl_file

SCHEMA_FILE = Path(__file__).parents[1] / "protocols" / "graphql_files" / "events.graphql"
_QUERY = "query Q($id: ID!, $n: Int) { event(id: $id) { id } events(first: $n) { id } }"

# (id, document, fragment)
DOCUMENTS: list[tuple[str, str, str]] = [
    ("empty", "", "The query is empty"),
    ("blank", "  \n ", "The query is empty"),
    ("open-brace", "{", "line 1, column 2: Syntax Error"),
    ("close-brace", "}", "Unexpected '}'"),
    ("unfinished", "query {", "Expected Name, found <EOF>"),
    ("only-a-comment", "# nothing", "Unexpected <EOF>"),
    ("nul", "\x00", "U+0000"),
    ("unterminated-string", '"""unterminated', "Unterminated string"),
    ("deep-braces", "{" * 3000 + "}" * 3000, "Syntax Error"),
    ("deep-list-argument", "{ a(" + "[" * 5000 + " }", "Syntax Error"),
    ("unknown-field", "{ nope }", "Cannot query field 'nope' on type 'Query'"),
    ("unknown-nested-field", "query Q { events { nope } }", "Did you mean 'name'?"),
    ("argument-of-wrong-type", "{ events(city: 5) { id } }", "String cannot represent"),
    ("duplicate-operation", "query A { __typename } query A { __typename }", "only one operation"),
    (
        "several-operations",
        "query A { __typename } query B { __typename }",
        "choose which operation",
    ),
    ("unknown-fragment-type", "fragment F on Nope { id } { __typename }", "Unknown type 'Nope'"),
    ("unknown-fragment", "{ ...Missing }", "Unknown fragment 'Missing'"),
    ("unknown-variable-type", "query ($x: Nope) { __typename }", "Unknown type 'Nope'"),
    ("unused-variable", "query ($x: Int) { __typename }", "Variable '$x' is never used"),
    ("unknown-directive", "{ __typename @nope }", "Unknown directive '@nope'"),
    ("conflicting-alias", "{ events { id id: name } }", "Fields 'id' conflict"),
    ("schema-instead-of-query", "type Query { a: Int }", "is not executable"),
    (
        "subscription-two-fields",
        "subscription { ticks { at } sessionAdded { id } }",
        "only one top level field",
    ),
    (
        "default-of-wrong-type",
        "query Q($a: String = 5) { events(city: $a) { id } }",
        "String cannot represent",
    ),
    (
        "missing-required-argument",
        "{ event { id } }",
        "'Query.event(id:)' of type 'ID!' is required",
    ),
    ("leaf-with-selection", "{ events { id { x } } }", "must not have a selection"),
    ("object-without-selection", "{ events }", "must have a selection of subfields"),
]
# (id, variables JSON for _QUERY, fragment)
VARIABLES: list[tuple[str, str, str]] = [
    ("not-json", "{", "not valid JSON"),
    ("a-list", "[1]", "not a list"),
    ("a-number", "5", "not a number"),
    ("null", "null", "not null"),
    ("a-string", '"x"', "not a string"),
    ("nan", "NaN", "not a number"),
    ("deeply-nested", "[" * 100_000, "too deeply"),
    ("required-null", '{"id": null}', "'$id' has invalid value"),
    ("required-missing", '{"n": 1}', "non-null type 'ID!' to be provided"),
    ("int-given-text", '{"id": "1", "n": "x"}', "Int cannot represent non-integer value"),
    ("int-too-large", '{"id": "1", "n": 99999999999}', "non 32-bit signed integer"),
    ("int-given-nan", '{"id": "1", "n": NaN}', "Int cannot represent"),
]
# (id, file name, content, fragment)
SCHEMA_FILES: list[tuple[str, tuple[str, str | bytes], str]] = [
    ("empty-sdl", ("a.graphql", ""), "Unexpected <EOF>"),
    ("cut-short-sdl", ("a.graphql", "type Query {"), "line 1, column 13"),
    ("a-query-not-a-schema", ("a.graphql", "{ a }"), "holds GraphQL operations"),
    ("no-query-type", ("a.graphql", "type Foo { a: Int }"), "defines no Query type"),
    ("unknown-type", ("a.graphql", "type Query { a: Nope }"), "Unknown type 'Nope'"),
    ("unknown-root-type", ("a.graphql", "schema { query: Nope }"), "Unknown type 'Nope'"),
    ("not-utf8", ("a.graphql", b"\xff\xfe"), "is not UTF-8 text"),
    ("json-cut-short", ("a.json", "{"), "is not valid JSON"),
    ("json-a-list", ("a.json", "[1]"), "has no __schema object"),
    ("json-data-null", ("a.json", '{"data": null}'), "has no __schema object"),
    ("json-errors-only", ("a.json", '{"errors": [{"message": "no"}]}'), "has no __schema object"),
    ("json-schema-a-number", ("a.json", '{"data": {"__schema": 5}}'), "has no __schema object"),
    (
        "json-types-text",
        ("a.json", '{"__schema": {"types": "x"}}'),
        "cannot be read: a part of __schema",
    ),
    (
        "json-types-not-objects",
        ("a.json", '{"data": {"__schema": {"queryType": {"name": "Q"}, "types": [1, null]}}}'),
        "cannot be read: a part of __schema",
    ),
    (
        "json-unknown-scalar",
        (
            "a.json",
            '{"data": {"__schema": {"queryType": {"name": "Q"}, "types": [{"kind": "OBJECT",'
            ' "name": "Q", "fields": [{"name": "a", "args": [], "type": {"kind": "SCALAR",'
            ' "name": "Nope"}}]}]}}}',
        ),
        "Q interfaces cannot be resolved",
    ),
    ("json-deeply-nested", ("a.json", "[" * 100_000), "nests its JSON too deeply"),
]
# (id, path typed into the schema file field, fragment)
SCHEMA_PATHS: list[tuple[str, str, str]] = [
    ("no-file-chosen", "", "No schema file is chosen"),
    ("missing-file", "/nonexistent/schema.graphql", "does not exist"),
    ("a-folder", "/", "is a folder"),
]
CASES = [*DOCUMENTS, *VARIABLES, *SCHEMA_FILES, *SCHEMA_PATHS]


@pytest.fixture(scope="module")
def schema() -> LoadedSchema:
    return schema_from_sdl_file(str(SCHEMA_FILE))


@pytest.mark.parametrize(("document", "fragment"), params(DOCUMENTS))
def test_a_bad_document_is_refused_before_sending(
    schema: LoadedSchema, document: str, fragment: str
) -> None:
    refused(lambda: check_document(document, schema, ""), fragment)


@pytest.mark.parametrize(("variables", "fragment"), params(VARIABLES))
def test_bad_variables_are_refused_before_sending(
    schema: LoadedSchema, variables: str, fragment: str
) -> None:
    refused(lambda: check_variables(variables, _QUERY, "", schema), fragment)


@pytest.mark.parametrize(("file", "fragment"), params(SCHEMA_FILES))
def test_a_broken_schema_file_is_refused_clearly(
    tmp_path: Path, file: tuple[str, str | bytes], fragment: str
) -> None:
    name, content = file
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    refused(lambda: schema_from_sdl_file(str(path)), fragment)


@pytest.mark.parametrize(("path", "fragment"), params(SCHEMA_PATHS))
def test_a_bad_schema_path_is_refused_clearly(path: str, fragment: str) -> None:
    refused(lambda: schema_from_sdl_file(path), fragment)
