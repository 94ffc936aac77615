"""Completions in the GraphQL editor: what fits at the cursor of a half-typed document.

Each case writes the document with ``|`` where the cursor is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_paths import CORPUS

from apiclient.protocols.graphql_document import Completion, completions
from apiclient.protocols.graphql_schema import LoadedSchema, schema_from_sdl_file

FILES = Path(__file__).parent / "graphql_files"
GITHUB_SDL = CORPUS / "graphql" / "github-octokit" / "schema.graphql"
QUERY_FIELDS = ["events", "event", "failingEvent", "speakers", "search", "__typename"]
INPUT_TYPES = ["Boolean", "EventStatus", "Float", "ID", "Int", "NewSessionInput", "String", "Topic"]


@pytest.fixture(scope="module")
def events() -> LoadedSchema:
    return schema_from_sdl_file(str(FILES / "events.graphql"))


def at_cursor(schema: LoadedSchema, text: str) -> list[Completion]:
    cursor = text.index("|")
    return completions(text.replace("|", "", 1), cursor, schema)


def labels(schema: LoadedSchema, text: str) -> list[str]:
    return [item.label for item in at_cursor(schema, text)]


# -- fields ------------------------------------------------------------------------------


def test_root_fields_in_the_shorthand_query(events: LoadedSchema) -> None:
    assert labels(events, "{ |") == QUERY_FIELDS
    first = at_cursor(events, "{ |")[0]
    assert first == Completion("events", "field", "[Event!]!", "events")


def test_the_identifier_under_the_cursor_filters(events: LoadedSchema) -> None:
    assert labels(events, "{ EV|") == ["events", "event"]
    assert labels(events, "{ ev|ent(id: 1) { name } }") == ["events", "event"]


def test_fields_of_the_type_of_the_enclosing_selection(events: LoadedSchema) -> None:
    text = "query Q($id: ID!) { event(id: $id) { location { c| } } }"
    assert labels(events, text) == ["city", "country", "capacity"]


def test_after_arguments_aliases_and_subselections(events: LoadedSchema) -> None:
    assert labels(events, '{ first: event(id: "1") { id }\n  second: event(id: "2") { na|') == [
        "name"
    ]
    assert labels(events, '{ event(id: "1") { id } | }') == QUERY_FIELDS
    assert labels(events, "{ mine: ev|") == ["events", "event"]


def test_deprecated_fields_come_last_and_say_so(events: LoadedSchema) -> None:
    offered = at_cursor(events, '{ event(id: "1") { |')
    assert offered[-1] == Completion("capacity", "field", "Int", "capacity", deprecated=True)
    assert offered[-2].label == "__typename"


def test_mutation_and_subscription_roots(events: LoadedSchema) -> None:
    assert labels(events, "mutation { |") == ["addSession", "rsvp", "__typename"]
    assert labels(events, "subscription Live { ticks(count: 3) { | } }") == [
        "n",
        "at",
        "__typename",
    ]


def test_fragments_select_on_their_type(events: LoadedSchema) -> None:
    assert labels(events, "fragment Place on Location { ci|") == ["city"]
    assert labels(events, "fragment Place on |") == [
        "Event", "Location", "Mutation", "Query", "SearchResult", "Session", "Speaker",
        "Subscription", "Tick",
    ]  # fmt: skip


def test_inline_fragments_on_a_union(events: LoadedSchema) -> None:
    assert labels(events, '{ search(text: "a") { |') == ["__typename"]
    assert labels(events, '{ search(text: "a") { ...|') == ["on"]
    assert labels(events, '{ search(text: "a") { ... on |') == ["SearchResult", "Event", "Speaker"]
    assert labels(events, '{ search(text: "a") { ... on Speaker { to|') == ["topics"]
    assert labels(events, '{ search(text: "a") { ... on Speaker |') == []


def test_inline_fragment_without_condition_keeps_the_type(events: LoadedSchema) -> None:
    assert labels(events, '{ event(id: "1") { ... @include(if: true) { sta|') == [
        "startsAt",
        "status",
    ]


# -- arguments and values ----------------------------------------------------------------


def test_arguments_of_the_field_with_their_types(events: LoadedSchema) -> None:
    offered = at_cursor(events, "{ events(|")
    assert [(c.label, c.kind, c.detail, c.insert) for c in offered] == [
        ("city", "argument", "String", "city: "),
        ("first", "argument", "Int", "first: "),
        ("after", "argument", "String", "after: "),
        ("statuses", "argument", "[EventStatus!]", "statuses: "),
    ]


def test_arguments_already_given_are_left_out(events: LoadedSchema) -> None:
    assert labels(events, '{ events(city: "Berlin", |') == ["first", "after", "statuses"]
    assert labels(events, "{ events(first: 2 |") == ["city", "after", "statuses"]


def test_enum_values_and_variables_after_the_argument_name(events: LoadedSchema) -> None:
    text = "query Q($topic: Topic, $n: Int) { speakers(topic: |"
    offered = at_cursor(events, text)
    assert [(c.label, c.kind, c.insert) for c in offered] == [
        ("$topic", "variable", "$topic"),
        ("$n", "variable", "$n"),
        ("PYTHON", "enum", "PYTHON"),
        ("GRAPHQL", "enum", "GRAPHQL"),
        ("SECURITY", "enum", "SECURITY"),
        ("DATA", "enum", "DATA"),
        ("COBOL", "enum", "COBOL"),
    ]
    assert offered[-1].deprecated and offered[-1].detail == "Topic"
    assert labels(events, text.replace("|", "S|")) == ["SECURITY"]


def test_after_a_dollar_only_variables_and_without_it(events: LoadedSchema) -> None:
    text = "query Q($topic: Topic, $eventId: ID!) { speakers(topic: $|"
    assert [(c.label, c.insert, c.detail) for c in at_cursor(events, text)] == [
        ("$topic", "topic", "Topic"),
        ("$eventId", "eventId", "ID!"),
    ]
    assert labels(events, text.replace("$|", "$e|")) == ["$eventId"]


def test_list_values_offer_the_item_type(events: LoadedSchema) -> None:
    assert labels(events, "{ events(statuses: [|") == ["SCHEDULED", "LIVE", "CANCELLED"]
    assert labels(events, "{ events(statuses: [LIVE, C|") == ["CANCELLED"]
    assert labels(events, "{ events(statuses: [LIVE], |") == ["city", "first", "after"]


def test_input_object_fields_inside_an_object_value(events: LoadedSchema) -> None:
    text = 'mutation { addSession(input: {eventId: "1", title: "T", |'
    offered = at_cursor(events, text)
    assert [c.label for c in offered] == ["speakerId", "startsAt", "durationMinutes", "room"]
    assert offered[-1].deprecated and offered[0].insert == "speakerId: "
    after = 'mutation { addSession(input: {eventId: "1"}) { |'
    assert labels(events, after)[:3] == ["id", "title", "startsAt"]


def test_booleans_for_directive_arguments(events: LoadedSchema) -> None:
    assert labels(events, "{ events @skip(|") == ["if"]
    assert labels(events, "{ events @skip(if: |") == ["true", "false"]
    assert labels(events, "{ events @|") == []


# -- types and keywords ------------------------------------------------------------------


def test_input_types_in_variable_definitions(events: LoadedSchema) -> None:
    assert labels(events, "query Q($id: |") == INPUT_TYPES
    assert labels(events, "query Q($id: ID!, $topics: [|") == INPUT_TYPES
    assert labels(events, "query Q($t: To|") == ["Topic"]
    assert labels(events, "query Q($t: Topic = |") == []
    assert at_cursor(events, "query Q($t: To|")[0].detail == "ENUM"


def test_variables_with_defaults_are_offered_in_values(events: LoadedSchema) -> None:
    text = 'query Q($n: Int = 3, $where: [String!] = ["a"], $c: String) { events(first: |'
    assert labels(events, text) == ["$n", "$where", "$c"]
    assert at_cursor(events, text)[1].detail == "[String!]"


def test_keywords_where_a_definition_starts(events: LoadedSchema) -> None:
    assert labels(events, "|") == ["query", "mutation", "subscription", "fragment"]
    assert labels(events, '{ event(id: "1") { id } }\n\nm|') == ["mutation"]
    assert at_cursor(events, "q|")[0].insert == "query "
    assert labels(events, "query |") == []


# -- where nothing fits ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{ events(city: "Ber|',  # inside a string
        '{ events(city: """Ber|',  # inside a block string
        "# { |",  # inside a comment
        "{ events(first: 1|",  # inside a number
        "{ events % |",  # a character GraphQL does not allow
        "{ nothing { |",  # a field the schema does not have
    ],
)
def test_nothing_is_offered(events: LoadedSchema, text: str) -> None:
    assert at_cursor(events, text) == []


def test_a_comment_before_the_cursor_is_skipped(events: LoadedSchema) -> None:
    assert labels(events, "# all of them\n{ |") == QUERY_FIELDS


def test_cursor_outside_the_text_is_clamped(events: LoadedSchema) -> None:
    assert [c.label for c in completions("{ ", 99, events)] == QUERY_FIELDS
    assert [c.label for c in completions("{ ", -5, events)] == [
        "query", "mutation", "subscription", "fragment",
    ]  # fmt: skip


def test_github_schema_completes(tmp_path: Path) -> None:
    if not GITHUB_SDL.is_file():
        pytest.skip(f"the shared GraphQL corpus is not at {GITHUB_SDL}")
    github = schema_from_sdl_file(str(GITHUB_SDL))
    text = 'query { repository(owner: "o", name: "n") { issues(states: [|'
    assert labels(github, text) == ["CLOSED", "OPEN"]
    assert labels(github, text.replace("states: [|", "orderBy: {field: CREATED_AT, |")) == [
        "direction"
    ]
    assert "pullRequests" in labels(github, 'query { repository(owner: "o", name: "n") { pu|')
