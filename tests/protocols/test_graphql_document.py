"""Checking a GraphQL document and its variables before anything is sent, and
formatting it: the messages and positions the editor shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_paths import CORPUS

from apiclient.protocols.graphql_document import (
    DocumentError,
    DocumentProblem,
    OperationInfo,
    VariablesError,
    check_document,
    check_variables,
    format_document,
    operations,
)
from apiclient.protocols.graphql_schema import LoadedSchema, schema_from_sdl_file

FILES = Path(__file__).parent / "graphql_files"
SWAPI_QUERIES = CORPUS / "graphql" / "swapi" / "queries"

TWO_OPERATIONS = """
query Upcoming { events { name } }

mutation Rsvp($eventId: ID!, $name: String!) {
  rsvp(eventId: $eventId, name: $name) { attendeeCount }
}
"""
ADD_SESSION = """mutation Add($input: NewSessionInput!, $topic: Topic = PYTHON) {
  addSession(input: $input) { id }
  # the topic only decides which speakers come back
}"""


@pytest.fixture(scope="module")
def events() -> LoadedSchema:
    return schema_from_sdl_file(str(FILES / "events.graphql"))


# -- operations --------------------------------------------------------------------------


def test_operations_lists_names_kinds_and_lines() -> None:
    assert operations(TWO_OPERATIONS) == [
        OperationInfo("Upcoming", "query", 2),
        OperationInfo("Rsvp", "mutation", 4),
    ]
    assert operations("{ events { id } }") == [OperationInfo("", "query", 1)]
    assert operations("subscription { ticks { n } }")[0].kind == "subscription"


def test_operations_is_empty_while_the_document_does_not_parse() -> None:
    assert operations("query Upcoming { events { name }") == []
    assert operations("") == []


def test_swapi_example_queries_parse() -> None:
    if not SWAPI_QUERIES.is_dir():
        pytest.skip(f"the shared GraphQL corpus is not at {SWAPI_QUERIES}")
    for path in sorted(SWAPI_QUERIES.glob("*.graphql")):
        found = operations(path.read_text())
        assert found == [OperationInfo("", "query", found[0].line)], path.name
        assert check_document(path.read_text(), None, "") == found[0]


# -- check_document ----------------------------------------------------------------------


def test_syntax_error_has_its_position_without_a_schema() -> None:
    query = "query {\n  events {\n    name\n  }\n"
    with pytest.raises(DocumentError) as caught:
        check_document(query, None, "")
    assert caught.value.problems == (
        DocumentProblem(5, 1, "Syntax Error: Expected Name, found <EOF>."),
    )
    assert str(caught.value) == "line 5, column 1: Syntax Error: Expected Name, found <EOF>."


def test_unknown_field_with_suggestion(events: LoadedSchema) -> None:
    query = "query {\n  event(id: 1) {\n    nme\n  }\n}"
    with pytest.raises(DocumentError) as caught:
        check_document(query, events, "")
    assert str(caught.value) == (
        "line 3, column 5: Cannot query field 'nme' on type 'Event'. Did you mean 'name'?"
    )


def test_every_validation_problem_is_listed(events: LoadedSchema) -> None:
    query = '{ speakers(topic: "PYTHON") { name } event { id } }'
    with pytest.raises(DocumentError) as caught:
        check_document(query, events, "")
    problems = caught.value.problems
    assert [(p.line, p.column) for p in problems] == [(1, 19), (1, 38)]
    assert problems[0].message == (
        "Enum 'Topic' cannot represent non-enum value: \"PYTHON\"."
        " Did you mean the enum value 'PYTHON'?"
    )
    assert problems[1].message == (
        "Argument 'Query.event(id:)' of type 'ID!' is required, but it was not provided."
    )
    assert str(caught.value).count("\n") == 1


def test_without_a_schema_only_syntax_is_checked() -> None:
    assert check_document("{ nonsense { at all } }", None, "") == OperationInfo("", "query", 1)


def test_empty_document() -> None:
    with pytest.raises(DocumentError, match=r"The query is empty\. Type an operation"):
        check_document("  \n", None, "")


def test_several_operations_need_a_name(events: LoadedSchema) -> None:
    with pytest.raises(DocumentError) as caught:
        check_document(TWO_OPERATIONS, events, "")
    assert str(caught.value) == (
        "The query has several operations: choose which operation to run: Upcoming, Rsvp."
    )
    assert caught.value.problems == ()
    assert check_document(TWO_OPERATIONS, events, "Rsvp") == OperationInfo("Rsvp", "mutation", 4)


def test_unknown_operation_name_lists_the_ones_there() -> None:
    with pytest.raises(
        DocumentError, match=r"no operation named 'Nope' in the query; it has: Upcoming, Rsvp\."
    ):
        check_document(TWO_OPERATIONS, None, "Nope")
    with pytest.raises(DocumentError, match=r"it has: \(the anonymous query\)\."):
        check_document("{ events { id } }", None, "Nope")


def test_only_fragments() -> None:
    with pytest.raises(DocumentError, match="only fragments"):
        check_document("fragment F on Event { id }", None, "")


# -- check_variables ---------------------------------------------------------------------


def test_empty_variables_are_an_empty_object(events: LoadedSchema) -> None:
    assert check_variables("", "{ events { id } }", "", events) == {}
    assert check_variables("  \n", "{ events { id } }", "", None) == {}


def test_variables_are_returned_as_typed(events: LoadedSchema) -> None:
    """Defaults are the server's to apply; the payload carries what the user wrote."""
    variables = '{"input": {"eventId": "1", "title": "T", "speakerId": "2", "startsAt": "x"}}'
    assert check_variables(variables, ADD_SESSION, "", events) == {
        "input": {"eventId": "1", "title": "T", "speakerId": "2", "startsAt": "x"}
    }


def test_variables_not_json_point_at_the_place() -> None:
    with pytest.raises(VariablesError) as caught:
        check_variables('{\n  "id": "1"\n  "name": "x"\n}', "{ events { id } }", "", None)
    assert (caught.value.line, caught.value.column) == (3, 3)
    assert str(caught.value) == (
        "The variables are not valid JSON: Expecting ',' delimiter (line 3, column 3)."
    )


@pytest.mark.parametrize(
    ("text", "kind"), [("[1]", "a list"), ('"x"', "a string"), ("3", "a number"), ("null", "null")]
)
def test_variables_must_be_an_object(text: str, kind: str) -> None:
    with pytest.raises(VariablesError) as caught:
        check_variables(text, "{ events { id } }", "", None)
    assert (
        str(caught.value)
        == f'The variables must be a JSON object such as {{"id": "1"}}, not {kind}.'
    )
    assert caught.value.line is None


def test_missing_required_variable_with_a_schema(events: LoadedSchema) -> None:
    with pytest.raises(VariablesError) as caught:
        check_variables('{"name": "Ada"}', TWO_OPERATIONS, "Rsvp", events)
    assert str(caught.value) == (
        "Variable '$eventId' has invalid value: Expected a value of non-null type 'ID!' to be"
        " provided."
    )


def test_wrong_types_are_all_listed(events: LoadedSchema) -> None:
    variables = '{"input": {"eventId": "1", "title": 3, "startsAt": "x"}, "topic": "RUBY"}'
    with pytest.raises(VariablesError) as caught:
        check_variables(variables, ADD_SESSION, "", events)
    assert str(caught.value).splitlines() == [
        "Variable '$input' has invalid value at .title: String cannot represent a non string"
        " value: 3",
        "Variable '$input' has invalid value: Expected value of type 'NewSessionInput' to"
        " include required field 'speakerId', found: {'eventId': '1', 'title': 3,"
        " 'startsAt': 'x'}.",
        "Variable '$topic' has invalid value: Value 'RUBY' does not exist in 'Topic' enum.",
    ]


def test_without_a_schema_missing_required_variables_are_still_found() -> None:
    with pytest.raises(VariablesError) as caught:
        check_variables('{"eventId": null}', TWO_OPERATIONS, "Rsvp", None)
    assert str(caught.value).splitlines() == [
        "Variable '$eventId' of required type 'ID!' was not provided.",
        "Variable '$name' of required type 'String!' was not provided.",
    ]
    assert check_variables("", ADD_SESSION.replace("!,", ","), "", None) == {}


def test_a_document_that_does_not_parse_is_left_to_check_document(events: LoadedSchema) -> None:
    assert check_variables('{"a": 1}', "query {", "", events) == {"a": 1}
    assert check_variables('{"a": 1}', TWO_OPERATIONS, "", events) == {"a": 1}


# -- format_document ---------------------------------------------------------------------


def test_format_prints_the_standard_way() -> None:
    assert format_document("query Q($id:ID!){event(id:$id){name location{city}}}") == (
        "query Q($id: ID!) {\n  event(id: $id) {\n    name\n    location {\n      city\n"
        "    }\n  }\n}"
    )


def test_format_refuses_a_syntax_error() -> None:
    with pytest.raises(DocumentError) as caught:
        format_document("{ event(id: ) }")
    assert caught.value.problems[0] == DocumentProblem(1, 13, "Syntax Error: Unexpected ')'.")


def test_format_keeps_a_document_with_comments_as_it_is() -> None:
    with pytest.raises(DocumentError) as caught:
        format_document(ADD_SESSION)
    assert str(caught.value).startswith(
        "Formatting would delete the # comments (the first is on line 3)"
    )
    assert caught.value.problems == (
        DocumentProblem(3, 3, "Formatting would delete this comment."),
    )


def test_queries_validate_against_a_schema_graphql_core_calls_invalid() -> None:
    """GitHub's schema breaks a rule graphql-core 3.3 added; its queries still validate."""
    path = CORPUS / "graphql" / "github-octokit" / "schema.json"
    if not path.is_file():
        pytest.skip(f"the shared GraphQL corpus is not at {path}")
    github = schema_from_sdl_file(str(path))
    assert github.warnings
    query = 'query Repo($owner: String!) { repository(owner: $owner, name: "x") { nameWithOwner } }'
    assert check_document(query, github, "") == OperationInfo("Repo", "query", 1)
    assert check_variables('{"owner": "octo"}', query, "", github) == {"owner": "octo"}
    with pytest.raises(DocumentError, match="Cannot query field 'stars' on type 'Repository'"):
        check_document(query.replace("nameWithOwner", "stars"), github, "")
