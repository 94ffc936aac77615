"""Generated data for a schema built from SDL: one resolver for every field.

A value depends on the seed and the field's path from the root field (``Query.events[1]
.title``), never on aliases, arguments or the order of resolution, so the same query
gives the same data on every run. Objects travel between resolvers as `Node`s carrying
their path and the concrete type chosen for an interface or union.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
)

from mock_servers.contracts.base import Pin, Pins
from mock_servers.contracts.fake_data import FakeData

# Time between two generated events of a subscription.
EVENT_INTERVAL_S = 0.05
# Custom scalars named like these get a string of that format; others a plain string.
_SCALAR_FORMATS = {
    "datetime": "date-time",
    "timestamp": "date-time",
    "date": "date",
    "uri": "uri",
    "url": "url",
    "email": "email",
    "uuid": "uuid",
}


@dataclass(frozen=True)
class Node:
    """A generated object: where it sits in the result, and its concrete type."""

    path: str
    type_name: str


class Generator:
    """Resolves every field of ``schema`` to generated data, or to what the user pinned."""

    def __init__(self, schema: GraphQLSchema, fake: FakeData, pins: Pins) -> None:
        self.schema = schema
        self.fake = fake
        self.pins = pins

    def resolve_field(self, parent: Any, info: GraphQLResolveInfo, **_args: Any) -> Any:
        """graphql-core's field resolver for every field of the schema."""
        name = info.field_name
        if isinstance(parent, dict):  # inside a pinned body: serve it as given
            return parent.get(info.path.key, parent.get(name))
        if isinstance(parent, Node):
            return self.value(f"{parent.path}.{name}", name, info.return_type)
        operation = f"{info.parent_type.name}.{name}"
        pin = self.pins.get(operation)
        if pin is None:
            return self.value(operation, name, info.return_type)
        return self._pinned(operation, name, info.return_type, pin)

    async def subscribe_field(
        self, parent: Any, info: GraphQLResolveInfo, **_args: Any
    ) -> AsyncIterator[Any]:
        """The event stream of a subscription field, or the error it is pinned to."""
        name = info.field_name
        operation = f"{info.parent_type.name}.{name}"
        pin = self.pins.get(operation) or Pin(delay_s=EVENT_INTERVAL_S)
        if pin.status is not None and str(pin.status) not in {"200", "OK"}:
            raise GraphQLError(
                pin.body or f"{operation} is pinned to fail with status {pin.status}.",
                extensions={"code": pin.status},
            )
        pinned = self._pinned_json(operation, pin.body) if pin.body else None
        return self._events(operation, name, pinned, pin.delay_s)

    async def _events(
        self, operation: str, name: str, pinned: Any, interval_s: float
    ) -> AsyncIterator[Any]:
        """A few events, ``interval_s`` apart: root objects the field resolves from."""
        for index in range(self.fake.list_length(operation)):
            await asyncio.sleep(interval_s)
            yield {name: pinned} if pinned is not None else Node(f"{operation}#{index}", "")

    def resolve_type(self, value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
        """The concrete type of an interface or union value."""
        if isinstance(value, Node):
            return value.type_name
        if isinstance(value, dict) and isinstance(value.get("__typename"), str):
            return value["__typename"]
        possible = self.schema.get_possible_types(abstract)
        return possible[0].name if possible else None

    async def _pinned(self, operation: str, name: str, type_: GraphQLOutputType, pin: Pin) -> Any:
        if pin.delay_s > 0:
            await asyncio.sleep(pin.delay_s)
        if pin.status is not None and str(pin.status) not in {"200", "OK"}:
            raise GraphQLError(
                pin.body or f"{operation} is pinned to fail with status {pin.status}.",
                extensions={"code": pin.status},
            )
        if not pin.body:
            return self.value(operation, name, type_)
        return self._pinned_json(operation, pin.body)

    @staticmethod
    def _pinned_json(operation: str, body: str) -> Any:
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            raise GraphQLError(
                f"The pinned body of {operation} is not valid JSON ({exc}); fix the pin."
            ) from exc

    def value(self, path: str, name: str, type_: GraphQLOutputType) -> Any:
        """Generated data of ``type_`` for the field ``name`` at ``path``."""
        if isinstance(type_, GraphQLNonNull):
            return self.value(path, name, type_.of_type)
        if isinstance(type_, GraphQLList):
            count = self.fake.list_length(path)
            return [self.value(f"{path}[{i}]", name, type_.of_type) for i in range(count)]
        if isinstance(type_, GraphQLObjectType):
            return Node(path, type_.name)
        if isinstance(type_, GraphQLAbstractType):
            possible = sorted(t.name for t in self.schema.get_possible_types(type_))
            if not possible:
                return None
            return Node(path, str(self.fake.choice(path + "@type", possible)))
        if isinstance(type_, GraphQLEnumType):
            return self.fake.choice(path, sorted(type_.values))
        if isinstance(type_, GraphQLScalarType):
            return self._scalar(path, name, type_.name)
        return None

    def _scalar(self, path: str, name: str, scalar: str) -> Any:
        if scalar == "Int":
            return self.fake.integer(path, name)
        if scalar == "Float":
            return self.fake.number(path, name)
        if scalar == "Boolean":
            return self.fake.boolean(path)
        if scalar == "ID":
            return self.fake.string(path, name if "id" in name.lower() else "id")
        return self.fake.string(path, name, _SCALAR_FORMATS.get(scalar.lower(), ""))
