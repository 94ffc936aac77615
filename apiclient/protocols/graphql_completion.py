"""What fits at the cursor of the GraphQL editor: fields, arguments, values, types.

The document being typed rarely parses, so it is not parsed: the text before the
cursor is walked with graphql-core's lexer, keeping a stack of the brackets that are
open (selection sets, argument lists, object and list values, variable definitions)
and the schema type each one is about. The top of the stack at the cursor says what
may come next; the identifier under the cursor filters the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationType,
    get_named_type,
    is_composite_type,
    is_input_type,
)
from graphql.language import Lexer, Source, Token, TokenKind

from apiclient.protocols.graphql_schema import LoadedSchema, type_kind

__all__ = ["Completion", "completions"]

_IDENTIFIER_END = re.compile(r"[_0-9A-Za-z]*\Z")
_VALUE_TOKENS = frozenset(
    {TokenKind.NAME, TokenKind.STRING, TokenKind.BLOCK_STRING, TokenKind.INT, TokenKind.FLOAT}
)
_TYPE_TOKENS = frozenset({TokenKind.NAME, TokenKind.BRACKET_L, TokenKind.BRACKET_R, TokenKind.BANG})
_OPERATIONS = ("query", "mutation", "subscription")


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # field, argument, type, enum, variable or keyword
    detail: str  # the type, as in SDL
    insert: str  # replaces the identifier under the cursor
    deprecated: bool = False


@dataclass
class _Frame:
    """One open bracket. ``kind``: selection ``{``, arguments ``(``, object ``{`` and
    list ``[`` values, variables ``(`` of an operation."""

    kind: str
    type: GraphQLNamedType | GraphQLInputType | None = None  # selection's or value's type
    arguments: dict[str, GraphQLArgument] = field(default_factory=dict)
    # arguments/object: key, colon or value; variables: variable, colon, type or default
    expect: str = "key"
    key_type: GraphQLInputType | None = None  # the type of the value being typed
    used: set[str] = field(default_factory=set)
    last_field: GraphQLField | None = None  # selection: the last field, for its ( and {
    condition: GraphQLNamedType | None = None  # selection: after "... on Type"
    spread: bool = False  # selection: inside "... [on Type] [@directives]", before its {
    variable: str = ""  # variables: the one being defined
    variable_type: str = ""


class _Walker:
    """Feeds the tokens before the cursor through a stack of open brackets."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.stack: list[_Frame] = []
        self.tokens: list[Token] = []
        self.root: GraphQLNamedType | None = None  # the next top-level { selects on it
        self.variables: dict[str, str] = {}  # $name -> type, of the operation being typed

    def back(self, n: int) -> Token | None:
        """The n-th token before the one being fed (1: the previous one)."""
        return self.tokens[-n] if len(self.tokens) >= n else None

    def is_name(self, token: Token | None, value: str | None = None) -> bool:
        return (
            token is not None
            and token.kind == TokenKind.NAME
            and (value is None or token.value == value)
        )

    def feed(self, token: Token) -> None:
        top = self.stack[-1] if self.stack else None
        if top is None:
            self._document(token)
        elif top.kind == "selection":
            self._selection(top, token)
        elif top.kind == "variables":
            self._variables(top, token)
        else:
            self._value(top, token)
        self.tokens.append(token)

    def _open_directive_arguments(self) -> bool:
        """``@name(``: push the directive's arguments; True when that is what ``(`` is."""
        if not (self.is_name(self.back(1)) and self._kind(self.back(2)) == TokenKind.AT):
            return False
        directive = self.schema.get_directive(self.back(1).value or "")  # type: ignore[union-attr]
        self.stack.append(_Frame("arguments", arguments=dict(directive.args) if directive else {}))
        return True

    def _kind(self, token: Token | None) -> TokenKind | None:
        return token.kind if token is not None else None

    def _document(self, token: Token) -> None:
        previous = self.back(1)
        if token.kind == TokenKind.NAME:
            if token.value in _OPERATIONS and self._kind(previous) in (None, TokenKind.BRACE_R):
                self.root = self.schema.get_root_type(OperationType(token.value))
                self.variables = {}
            elif self.is_name(previous, "on") and self.is_name(self.back(3), "fragment"):
                self.root = self.schema.get_type(token.value or "")
        elif token.kind == TokenKind.PAREN_L and not self._open_directive_arguments():
            self.stack.append(_Frame("variables", expect="variable"))
        elif token.kind == TokenKind.BRACE_L:
            if self.root is None and self._kind(previous) in (None, TokenKind.BRACE_R):
                self.root = self.schema.query_type  # the { ... } shorthand
                self.variables = {}
            self.stack.append(_Frame("selection", type=self.root))
            self.root = None

    def _selection(self, frame: _Frame, token: Token) -> None:
        previous = self.back(1)
        if token.kind == TokenKind.NAME:
            if self._kind(previous) == TokenKind.AT:
                return  # a directive's name
            if self._kind(previous) == TokenKind.SPREAD:
                frame.spread = token.value == "on"  # else a named fragment's spread
                return
            if self.is_name(previous, "on") and self._kind(self.back(2)) == TokenKind.SPREAD:
                frame.condition = self.schema.get_type(token.value or "")
                return
            fields = getattr(frame.type, "fields", None)
            frame.last_field = fields.get(token.value) if isinstance(fields, dict) else None
        elif token.kind == TokenKind.SPREAD:
            frame.spread = True
        elif token.kind == TokenKind.PAREN_L:
            if not self._open_directive_arguments():
                args = frame.last_field.args if frame.last_field is not None else {}
                self.stack.append(_Frame("arguments", arguments=dict(args)))
        elif token.kind == TokenKind.BRACE_L:
            if frame.spread:  # an inline fragment: on its condition, else on this type
                inner = frame.condition or frame.type
            elif frame.last_field is not None:
                inner = get_named_type(frame.last_field.type)
            else:
                inner = None
            frame.condition = frame.last_field = None
            frame.spread = False
            self.stack.append(_Frame("selection", type=inner))
        elif token.kind == TokenKind.BRACE_R:
            self.stack.pop()

    def _variables(self, frame: _Frame, token: Token) -> None:
        """Inside ``query Name(...)``: ``$name: Type = default`` rows."""
        if frame.expect == "type":
            if token.kind in _TYPE_TOKENS:
                frame.variable_type += token.value or token.kind.value
                return
            self.variables[frame.variable] = frame.variable_type
            frame.expect = "variable"
        if token.kind == TokenKind.NAME and self._kind(self.back(1)) == TokenKind.DOLLAR:
            frame.variable, frame.variable_type, frame.expect = token.value or "", "", "colon"
        elif token.kind == TokenKind.COLON and frame.expect == "colon":
            frame.expect = "type"
        elif token.kind == TokenKind.EQUALS:
            frame.expect = "default"
        elif token.kind == TokenKind.BRACKET_L:
            self.stack.append(_Frame("list"))
        elif token.kind == TokenKind.BRACE_L:
            self.stack.append(_Frame("object"))
        elif token.kind == TokenKind.PAREN_R:
            self.stack.pop()

    def _value(self, frame: _Frame, token: Token) -> None:
        """Inside arguments ``(``, an object value ``{`` or a list value ``[``."""
        in_value = frame.kind == "list" or frame.expect == "value"
        closes = {"arguments": TokenKind.PAREN_R, "object": TokenKind.BRACE_R}
        if token.kind == closes.get(frame.kind) or (
            frame.kind == "list" and token.kind == TokenKind.BRACKET_R
        ):
            self.stack.pop()
            if self.stack and self.stack[-1].kind in ("arguments", "object"):
                self.stack[-1].expect = "key"
        elif in_value and token.kind == TokenKind.BRACKET_L:
            item = _unwrap(frame.type if frame.kind == "list" else frame.key_type)
            item = item.of_type if isinstance(item, GraphQLList) else item
            self.stack.append(_Frame("list", type=item))
        elif in_value and token.kind == TokenKind.BRACE_L:
            target = frame.type if frame.kind == "list" else frame.key_type
            self.stack.append(_Frame("object", type=get_named_type(target) if target else None))
        elif in_value and token.kind == TokenKind.DOLLAR:
            return
        elif in_value and token.kind in _VALUE_TOKENS:
            if frame.kind != "list":
                frame.expect = "key"
        elif frame.expect == "key" and token.kind == TokenKind.NAME:
            frame.used.add(token.value or "")
            frame.key_type = self._key_type(frame, token.value or "")
            frame.expect = "colon"
        elif frame.expect == "colon" and token.kind == TokenKind.COLON:
            frame.expect = "value"

    def _key_type(self, frame: _Frame, key: str) -> GraphQLInputType | None:
        if frame.kind == "arguments":
            argument = frame.arguments.get(key)
            return argument.type if argument is not None else None
        fields = frame.type.fields if isinstance(frame.type, GraphQLInputObjectType) else {}
        input_field = fields.get(key)
        return input_field.type if input_field is not None else None


def _unwrap(type_: GraphQLInputType | GraphQLNamedType | None) -> GraphQLInputType | None:
    """Strip a non-null wrapper (``[Topic!]!`` -> ``[Topic!]``)."""
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_  # type: ignore[return-value]


# --- what to offer ----------------------------------------------------------------------


def _fields(type_: GraphQLNamedType | GraphQLInputType | None) -> list[Completion]:
    if not is_composite_type(type_):
        return []
    fields = type_.fields if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) else {}
    found = [
        Completion(name, "field", str(f.type), name, f.deprecation_reason is not None)
        for name, f in fields.items()
    ]
    return [*found, Completion("__typename", "field", "String!", "__typename")]


def _keys(frame: _Frame) -> list[Completion]:
    if frame.kind == "arguments":
        items = {name: (arg.type, arg.deprecation_reason) for name, arg in frame.arguments.items()}
    elif isinstance(frame.type, GraphQLInputObjectType):
        items = {name: (f.type, f.deprecation_reason) for name, f in frame.type.fields.items()}
    else:
        items = {}
    return [
        Completion(name, "argument", str(type_), f"{name}: ", reason is not None)
        for name, (type_, reason) in items.items()
        if name not in frame.used
    ]


def _values(
    type_: GraphQLInputType | None, variables: dict[str, str], after_dollar: bool
) -> list[Completion]:
    offered = [
        Completion(f"${name}", "variable", declared, name if after_dollar else f"${name}")
        for name, declared in variables.items()
    ]
    if after_dollar:
        return offered
    named = get_named_type(type_) if type_ is not None else None
    if isinstance(named, GraphQLEnumType):
        offered += [
            Completion(name, "enum", named.name, name, value.deprecation_reason is not None)
            for name, value in named.values.items()
        ]
    elif named is not None and named.name == GraphQLBoolean.name:
        offered += [Completion(word, "keyword", "Boolean", word) for word in ("true", "false")]
    return offered


def _types(schema: GraphQLSchema, *, composite: bool) -> list[Completion]:
    wanted = is_composite_type if composite else is_input_type
    return [
        Completion(name, "type", type_kind(named), name)
        for name, named in sorted(schema.type_map.items(), key=lambda item: item[0].casefold())
        if not name.startswith("__") and wanted(named)
    ]


def _conditions(schema: GraphQLSchema, type_: object) -> list[Completion]:
    """Types an inline fragment on ``type_`` may name: itself, and its possible types
    (abstract) or its interfaces (object)."""
    if isinstance(type_, GraphQLObjectType):
        related = [type_, *type_.interfaces]
    elif isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
        related = [type_, *schema.get_possible_types(type_)]
    else:
        return []
    return [Completion(named.name, "type", type_kind(named), named.name) for named in related]


def _keywords(schema: GraphQLSchema) -> list[Completion]:
    present = [op for op in _OPERATIONS if schema.get_root_type(OperationType(op)) is not None]
    return [Completion(word, "keyword", "", f"{word} ") for word in (*present, "fragment")]


def _offer(walker: _Walker) -> list[Completion]:
    schema = walker.schema
    previous, before = walker.back(1), walker.back(2)
    after_spread = before is not None and before.kind == TokenKind.SPREAD
    if not walker.stack:
        if previous is None or previous.kind == TokenKind.BRACE_R:
            return _keywords(schema)
        if walker.is_name(previous, "on") and walker.is_name(walker.back(3), "fragment"):
            return _types(schema, composite=True)
        return []
    top = walker.stack[-1]
    if top.kind == "selection":
        if previous is not None and previous.kind == TokenKind.SPREAD:
            return [Completion("on", "keyword", "", "on ")]
        if walker.is_name(previous, "on") and after_spread:
            return _conditions(schema, top.type)
        if (previous is not None and previous.kind == TokenKind.AT) or top.condition is not None:
            return []
        return _fields(top.type)
    if top.kind == "variables":
        return _types(schema, composite=False) if top.expect == "type" else []
    after_dollar = previous is not None and previous.kind == TokenKind.DOLLAR
    if top.kind == "list":
        return _values(top.type, walker.variables, after_dollar)  # type: ignore[arg-type]
    if top.expect == "key":
        return _keys(top)
    if top.expect == "value":
        return _values(top.key_type, walker.variables, after_dollar)
    return []


def _tokens(text: str) -> list[Token] | None:
    """The tokens of ``text``, comments left out; None when ``text`` ends inside a
    string or a comment, or holds a character GraphQL does not allow."""
    lexer = Lexer(Source(text))
    tokens: list[Token] = []
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF:
            tokens.append(token)
            token = lexer.advance()
    except GraphQLError:
        return None
    last = token.prev
    if last is not None and last.kind == TokenKind.COMMENT and last.end == len(text):
        return None
    return tokens


def completions(query: str, cursor: int, schema: LoadedSchema) -> list[Completion]:
    """What may be typed at ``cursor`` (an index into ``query``), filtered by the
    identifier being typed there; deprecated entries come last."""
    cursor = max(0, min(cursor, len(query)))
    prefix = _IDENTIFIER_END.search(query, 0, cursor)
    typed = prefix.group() if prefix else ""
    if typed[:1].isdigit():
        return []  # inside a number
    tokens = _tokens(query[: cursor - len(typed)])
    if tokens is None:
        return []
    walker = _Walker(schema.schema)
    for token in tokens:
        walker.feed(token)
    wanted = typed.casefold()
    offered = [
        item for item in _offer(walker) if item.label.lstrip("$").casefold().startswith(wanted)
    ]
    return sorted(offered, key=lambda item: item.deprecated)
