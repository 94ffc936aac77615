"""A GraphQL schema loaded from a server's introspection or from an SDL file.

:class:`LoadedSchema` wraps graphql-core's ``GraphQLSchema`` with what the schema tree
shows (:class:`SchemaType` rows, plain frozen data) and where the schema came from.

Servers publish schemas that graphql-core calls invalid (GitHub's own SDL defines a
field twice, and its introspection breaks a deprecation rule graphql-core 3.3 added).
The server is the authority on its schema, so such problems are kept as ``warnings``
and the schema is still used; only a schema that cannot be built is a
:class:`SchemaError`. Building is CPU work (seconds for GitHub's schema): call the
``schema_from_*`` functions in a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    ExecutableDefinitionNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLUnionType,
    OperationType,
    build_ast_schema,
    build_client_schema,
    parse,
    print_ast,
    print_schema,
    validate_schema,
)
from graphql.utilities import get_default_value_ast
from graphql.validation.validate import validate_sdl

from apiclient.protocols.errors import SchemaError

__all__ = [
    "LoadedSchema",
    "SchemaArgument",
    "SchemaError",
    "SchemaField",
    "SchemaType",
    "schema_from_introspection",
    "schema_from_sdl_file",
    "type_kind",
]

_ROOT_OPERATIONS = ("query", "mutation", "subscription")
# More problems than this in one message help nobody; the count says how many there are.
_SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class SchemaArgument:
    name: str
    type: str  # as in SDL: "[Topic!]"
    default: str | None  # as in SDL ("30", "{field: LOGIN}"), None when there is none
    description: str


@dataclass(frozen=True)
class SchemaField:
    """A field, an input field or an enum value (then ``type`` is "" and there are no
    arguments). ``default`` is only ever set on input fields."""

    name: str
    type: str
    description: str
    arguments: tuple[SchemaArgument, ...]
    deprecated: bool
    deprecation_reason: str
    default: str | None = None


@dataclass(frozen=True)
class SchemaType:
    name: str
    kind: str  # OBJECT, INTERFACE, UNION, ENUM, INPUT_OBJECT or SCALAR
    description: str
    fields: tuple[SchemaField, ...]  # input fields for an INPUT_OBJECT
    enum_values: tuple[SchemaField, ...]
    possible_types: tuple[str, ...]  # members of a union, implementations of an interface


class LoadedSchema:
    """A usable schema and what the UI shows of it.

    ``types()`` is computed once, here, so the GUI thread only copies a list;
    ``sdl()`` prints lazily (a fraction of a second for a large schema) and caches it.
    """

    def __init__(self, schema: GraphQLSchema, source: str, warnings: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.source = source  # "introspection of <url>" or the SDL file path
        self.warnings = warnings  # problems graphql-core found; the schema is used anyway
        self.root_types: dict[str, str] = {
            operation: root.name
            for operation in _ROOT_OPERATIONS
            if (root := schema.get_root_type(OperationType(operation))) is not None
        }
        self._types = _schema_types(schema, tuple(self.root_types.values()))
        self._sdl: str | None = None

    def types(self) -> list[SchemaType]:
        """Every type but the ``__`` introspection ones: root types first, then by name."""
        return list(self._types)

    def sdl(self) -> str:
        if self._sdl is None:
            self._sdl = print_schema(self.schema)
        return self._sdl


# --- converting types -------------------------------------------------------------------


def _text(value: str | None) -> str:
    return value or ""


def _default(value: GraphQLArgument | GraphQLInputField) -> str | None:
    node = get_default_value_ast(value)
    return print_ast(node) if node is not None else None


def _arguments(args: Mapping[str, GraphQLArgument]) -> tuple[SchemaArgument, ...]:
    return tuple(
        SchemaArgument(name, str(arg.type), _default(arg), _text(arg.description))
        for name, arg in args.items()
    )


def _field(name: str, field: GraphQLField) -> SchemaField:
    reason = _text(field.deprecation_reason)
    return SchemaField(
        name,
        str(field.type),
        _text(field.description),
        _arguments(field.args),
        field.deprecation_reason is not None,
        reason,
    )


def _input_field(name: str, field: GraphQLInputField) -> SchemaField:
    return SchemaField(
        name,
        str(field.type),
        _text(field.description),
        (),
        field.deprecation_reason is not None,
        _text(field.deprecation_reason),
        _default(field),
    )


def _schema_type(schema: GraphQLSchema, named: GraphQLNamedType) -> SchemaType:
    fields: tuple[SchemaField, ...] = ()
    enum_values: tuple[SchemaField, ...] = ()
    possible: tuple[str, ...] = ()
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        fields = tuple(_field(name, field) for name, field in named.fields.items())
    if isinstance(named, GraphQLInputObjectType):
        fields = tuple(_input_field(name, field) for name, field in named.fields.items())
    if isinstance(named, GraphQLEnumType):
        enum_values = tuple(
            SchemaField(
                name,
                "",
                _text(value.description),
                (),
                value.deprecation_reason is not None,
                _text(value.deprecation_reason),
            )
            for name, value in named.values.items()
        )
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        possible = tuple(member.name for member in schema.get_possible_types(named))
    return SchemaType(
        named.name, type_kind(named), _text(named.description), fields, enum_values, possible
    )


def type_kind(named: GraphQLNamedType) -> str:
    """The introspection kind of a named type (OBJECT, ENUM...)."""
    kinds: tuple[tuple[type, str], ...] = (
        (GraphQLObjectType, "OBJECT"),
        (GraphQLInterfaceType, "INTERFACE"),
        (GraphQLUnionType, "UNION"),
        (GraphQLEnumType, "ENUM"),
        (GraphQLInputObjectType, "INPUT_OBJECT"),
    )
    return next((kind for cls, kind in kinds if isinstance(named, cls)), "SCALAR")


def _schema_types(schema: GraphQLSchema, roots: tuple[str, ...]) -> tuple[SchemaType, ...]:
    names = [name for name in schema.type_map if not name.startswith("__")]
    ordered = [name for name in roots if name in schema.type_map]
    ordered += sorted((name for name in names if name not in roots), key=str.casefold)
    return tuple(_schema_type(schema, schema.type_map[name]) for name in ordered)


# --- building ---------------------------------------------------------------------------


def _located(error: GraphQLError) -> str:
    if error.locations:
        where = error.locations[0]
        return f"line {where.line}, column {where.column}: {error.message}"
    return error.message


def _listed(problems: list[str]) -> str:
    shown = "\n".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    return shown + (f"\n... and {more} more." if more > 0 else "")


def _tolerant(
    build: Callable[[bool], GraphQLSchema], source: str, earlier: list[str]
) -> LoadedSchema:
    """Build, keep what graphql-core finds wrong as warnings, and mark the schema valid
    so that checking a query against it does not refuse the whole schema."""
    schema = build(False)
    problems = validate_schema(schema)
    if problems:
        schema = build(True)
    warnings = [*earlier, *(_located(problem) for problem in problems)]
    return LoadedSchema(schema, source, tuple(warnings))


def schema_from_introspection(result: Mapping[str, Any], source: str) -> LoadedSchema:
    """A schema from an introspection result: the whole response (``{"data":
    {"__schema": ...}}``) or its data (``{"__schema": ...}``)."""
    data = result.get("data", result) if isinstance(result, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get("__schema"), Mapping):
        raise SchemaError(
            f"The introspection result from {source} has no __schema object, so it is not"
            " a GraphQL schema. Load the schema from an SDL file instead."
        )

    def build(assume_valid: bool) -> GraphQLSchema:
        return build_client_schema(data, assume_valid=assume_valid)  # type: ignore[arg-type]

    try:
        return _tolerant(build, source, [])
    except (GraphQLError, TypeError, KeyError, AttributeError, ValueError, RecursionError) as exc:
        # graphql-core's own TypeErrors are sentences ("Introspection result missing
        # fields..."); Python's, from a result of another shape ("'int' object is not
        # subscriptable"), mean nothing to a person.
        if isinstance(exc, TypeError | GraphQLError) and str(exc)[:1].isupper():
            raise SchemaError(
                f"The introspection result from {source} cannot be read: {_cut(str(exc))}"
                " Load the schema from an SDL file instead."
            ) from None
        raise SchemaError(
            f"The introspection result from {source} cannot be read: a part of __schema is"
            " missing, nested too deeply or of the wrong type. Load the schema from an SDL"
            " file instead."
        ) from None


def _cut(text: str, limit: int = 300) -> str:
    """``text`` up to ``limit`` characters: graphql-core quotes whole types in its errors."""
    return text if len(text) <= limit else text[:limit] + "…"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemaError(f"The schema file '{path}' does not exist.") from None
    except IsADirectoryError:
        raise SchemaError(f"'{path}' is a folder, not a schema file.") from None
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"The schema file '{path}' is not UTF-8 text (byte {exc.start}); choose the"
            " schema's .graphql (SDL) or introspection .json file."
        ) from None
    except OSError as exc:
        raise SchemaError(f"Cannot read the schema file '{path}': {exc.strerror}.") from None


def _from_json_file(path: Path, text: str) -> LoadedSchema:
    try:
        result = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"The schema file '{path}' is not valid JSON: line {exc.lineno}, column"
            f" {exc.colno}: {exc.msg}."
        ) from None
    except RecursionError:
        raise SchemaError(
            f"The schema file '{path}' nests its JSON too deeply to be read; it is not an"
            " introspection result."
        ) from None
    return schema_from_introspection(result, str(path))


def schema_from_sdl_file(path: str) -> LoadedSchema:
    """A schema from an SDL file, or from a saved introspection result (``.json``).

    Raises :class:`SchemaError` naming the file, and line and column where the SDL
    is wrong. CPU work: call it in a worker thread.
    """
    if not path.strip():
        raise SchemaError("No schema file is chosen. Choose the server's .graphql (SDL) file.")
    file = Path(path).expanduser()
    text = _read(file)
    if file.suffix.lower() == ".json":
        return _from_json_file(file, text)
    if text.lstrip().startswith("{"):  # saved introspection, or a query file ({ ... })
        try:
            return schema_from_introspection(json.loads(text), str(file))
        except (json.JSONDecodeError, RecursionError):
            pass
    try:
        document = parse(text)
    except GraphQLSyntaxError as exc:
        raise SchemaError(f"The schema file '{file}' is not valid SDL:\n{_located(exc)}") from None
    if any(isinstance(node, ExecutableDefinitionNode) for node in document.definitions):
        raise SchemaError(
            f"The file '{file}' holds GraphQL operations (a query), not a schema. Choose the"
            " server's schema file: SDL with 'type Query { ... }', or introspection JSON."
        )
    sdl_problems = [_located(error) for error in validate_sdl(document)]

    def build(assume_valid: bool) -> GraphQLSchema:
        return build_ast_schema(document, assume_valid=assume_valid, assume_valid_sdl=True)

    try:
        loaded = _tolerant(build, str(file), sdl_problems)
    except (TypeError, GraphQLError) as exc:
        problems = sdl_problems or [str(exc)]
        raise SchemaError(
            f"The schema file '{file}' is not valid SDL:\n{_listed(problems)}"
        ) from None
    if not loaded.root_types:
        raise SchemaError(
            f"The schema file '{file}' defines no Query type, so no query can run against"
            " it. Choose the server's schema file (it contains 'type Query')."
        )
    return loaded
