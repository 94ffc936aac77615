"""Checking what the user typed in the GraphQL tab before anything is sent.

The query is parsed and, when a schema is loaded, validated with graphql-core, so the
editor can underline each problem (:class:`DocumentProblem`, 1-based line and column)
and nothing goes out for a document the server would refuse anyway. The variables are
checked against the chosen operation's variable definitions with graphql-core's own
coercion, so the messages are the ones a server would give. All of this is pure and
fast for a normal document; the engine still runs it in a worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    NonNullTypeNode,
    OperationDefinitionNode,
    get_variable_values,
    parse,
    print_ast,
    validate,
)
from graphql.language import Lexer, Source, TokenKind

from apiclient.protocols.errors import DocumentError, DocumentProblem, VariablesError
from apiclient.protocols.graphql_completion import Completion, completions
from apiclient.protocols.graphql_schema import LoadedSchema

__all__ = [
    "Completion",
    "DocumentError",
    "DocumentProblem",
    "OperationInfo",
    "VariablesError",
    "check_document",
    "check_variables",
    "completions",
    "format_document",
    "operations",
]


@dataclass(frozen=True)
class OperationInfo:
    name: str  # "" for an anonymous operation
    kind: str  # "query", "mutation" or "subscription"
    line: int  # where it starts, 1-based


def _problem(error: GraphQLError) -> DocumentProblem:
    where = error.locations[0] if error.locations else None
    return DocumentProblem(where.line if where else 1, where.column if where else 1, error.message)


def _parse(query: str) -> DocumentNode:
    if not query.strip():
        raise DocumentError("The query is empty. Type an operation such as { __typename }.")
    try:
        return parse(query)
    except GraphQLSyntaxError as exc:
        raise DocumentError(problems=(_problem(exc),)) from None


def _info(node: OperationDefinitionNode) -> OperationInfo:
    line = node.loc.start_token.line if node.loc else 1
    return OperationInfo(node.name.value if node.name else "", node.operation.value, line)


def _label(node: OperationDefinitionNode) -> str:
    return node.name.value if node.name else f"(the anonymous {node.operation.value})"


def _operation(document: DocumentNode, name: str) -> OperationDefinitionNode | str:
    """The operation to run, or why there is none (a sentence for the user)."""
    nodes = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if not nodes:
        return (
            "The document has only fragments: add a query, mutation or subscription that uses them."
        )
    if name:
        match = next((node for node in nodes if node.name and node.name.value == name), None)
        if match is None:
            found = ", ".join(_label(node) for node in nodes)
            return f"There is no operation named '{name}' in the query; it has: {found}."
        return match
    if len(nodes) > 1:
        found = ", ".join(_label(node) for node in nodes)
        return f"The query has several operations: choose which operation to run: {found}."
    return nodes[0]


def operations(query: str) -> list[OperationInfo]:
    """The operations in the document, for the operation picker; [] while it does not parse."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return []
    return [
        _info(node) for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]


def check_document(query: str, schema: LoadedSchema | None, operation_name: str) -> OperationInfo:
    """The operation that will run; raises :class:`DocumentError` when the document does
    not parse, does not validate against ``schema`` (when one is loaded), or does not say
    which operation to run."""
    document = _parse(query)
    if schema is not None:
        errors = validate(schema.schema, document)
        if errors:
            raise DocumentError(problems=tuple(_problem(error) for error in errors))
    chosen = _operation(document, operation_name)
    if isinstance(chosen, str):
        raise DocumentError(chosen)
    return _info(chosen)


# --- variables --------------------------------------------------------------------------


def _json_object(variables_json: str) -> dict[str, Any]:
    if not variables_json.strip():
        return {}
    try:
        values = json.loads(variables_json)
    except json.JSONDecodeError as exc:
        raise VariablesError(
            f"The variables are not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise VariablesError("The variables nest their JSON too deeply to be read.") from None
    if not isinstance(values, dict):
        kind = {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(values), "a number"
        )
        raise VariablesError(
            f'The variables must be a JSON object such as {{"id": "1"}}, not {kind}.'
        )
    return values


def _missing_required(node: OperationDefinitionNode, values: dict[str, Any]) -> list[str]:
    """Without a schema only the definitions themselves can be checked: a non-null
    variable with no default must be given."""
    return [
        f"Variable '${definition.variable.name.value}' of required type"
        f" '{print_ast(definition.type)}' was not provided."
        for definition in node.variable_definitions or ()
        if isinstance(definition.type, NonNullTypeNode)
        and definition.default_value is None
        and values.get(definition.variable.name.value) is None
    ]


def check_variables(
    variables_json: str, query: str, operation_name: str, schema: LoadedSchema | None
) -> dict[str, Any]:
    """The variables to send, exactly as typed (empty text is ``{}``).

    Raises :class:`VariablesError` when the text is not a JSON object, or does not fit
    the chosen operation's variable definitions (checked with the schema when there is
    one, else only for missing required variables). A document that does not parse or
    names no operation is :func:`check_document`'s to report, so it is not checked here.
    """
    values = _json_object(variables_json)
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return values
    node = _operation(document, operation_name)
    if isinstance(node, str):
        return values
    if schema is None:
        messages = _missing_required(node, values)
    else:
        result = get_variable_values(schema.schema, node.variable_definitions or (), values)
        messages = [error.message for error in result] if isinstance(result, list) else []
    if messages:
        raise VariablesError("\n".join(messages))
    return values


# --- formatting -------------------------------------------------------------------------


def _first_comment(query: str) -> tuple[int, int] | None:
    """(line, column) of the first ``#`` comment of a document that parses, or None."""
    lexer = Lexer(Source(query))
    token = lexer.token
    while token.kind != TokenKind.EOF:
        token = lexer.advance()
    first = None
    while token.prev is not None:  # advance() skips comments, but links them in the chain
        token = token.prev
        if token.kind == TokenKind.COMMENT:
            first = (token.line, token.column)
    return first


def format_document(query: str) -> str:
    """The document printed the standard way (graphql-core's ``print_ast``).

    Raises :class:`DocumentError` when it does not parse, and when it holds ``#``
    comments: the printer drops them, and the user's text is never thrown away.
    """
    document = _parse(query)
    comment = _first_comment(query)
    if comment is not None:
        line, column = comment
        raise DocumentError(
            f"Formatting would delete the # comments (the first is on line {line}), so the"
            " query was left as it is. Remove the comments to format it.",
            problems=(DocumentProblem(line, column, "Formatting would delete this comment."),),
        )
    return print_ast(document)
