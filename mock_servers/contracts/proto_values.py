"""Generated protobuf messages: every field filled from its name and type with FakeData.

Repeated fields and maps get a few items, the first field of each oneof is set, enums
take a value other than the zero "unspecified" one when there is one, Timestamp and
Duration get plausible values, and recursion stops after a few levels of nesting so a
self-referencing message stays finite.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from google.protobuf import descriptor as d
from google.protobuf import message as pb_message

from mock_servers.contracts.fake_data import FakeData

MAX_DEPTH = 4
# Kept empty: their content is arbitrary by design.
_OPAQUE = {
    "google.protobuf.Any",
    "google.protobuf.Struct",
    "google.protobuf.Value",
    "google.protobuf.ListValue",
    "google.protobuf.FieldMask",
    "google.protobuf.Empty",
}
_INTEGERS = {
    d.FieldDescriptor.TYPE_INT32,
    d.FieldDescriptor.TYPE_INT64,
    d.FieldDescriptor.TYPE_SINT32,
    d.FieldDescriptor.TYPE_SINT64,
    d.FieldDescriptor.TYPE_SFIXED32,
    d.FieldDescriptor.TYPE_SFIXED64,
    d.FieldDescriptor.TYPE_UINT32,
    d.FieldDescriptor.TYPE_UINT64,
    d.FieldDescriptor.TYPE_FIXED32,
    d.FieldDescriptor.TYPE_FIXED64,
}
_FLOATS = {d.FieldDescriptor.TYPE_FLOAT, d.FieldDescriptor.TYPE_DOUBLE}


class MessageGenerator:
    """Fills messages with values that depend only on the seed and the field's path."""

    def __init__(self, fake: FakeData) -> None:
        self.fake = fake

    def fill(self, message: pb_message.Message, path: str, depth: int = 0) -> None:
        """Set the fields of ``message`` (at ``path``) to generated values."""
        descriptor = message.DESCRIPTOR
        name = descriptor.full_name
        if name in _OPAQUE:
            return
        if name == "google.protobuf.Timestamp":
            moment = self.fake.string(path, fmt="date-time").replace("Z", "+00:00")
            message.FromDatetime(datetime.fromisoformat(moment))  # type: ignore[attr-defined]
            return
        if name == "google.protobuf.Duration":
            seconds = self.fake.integer(path, "duration", 1, 86400)
            message.FromTimedelta(timedelta(seconds=seconds))  # type: ignore[attr-defined]
            return
        skipped = {
            field.name
            for oneof in descriptor.oneofs
            for field in oneof.fields[1:]  # the first member of each oneof is set
        }
        for field in descriptor.fields:
            if field.name not in skipped:
                self._set(message, field, f"{path}.{field.name}", depth)

    def _set(
        self, message: pb_message.Message, field: d.FieldDescriptor, path: str, depth: int
    ) -> None:
        container = getattr(message, field.name)
        if _is_map(field):
            if depth >= MAX_DEPTH:
                return
            key_field, value_field = (
                field.message_type.fields_by_name["key"],
                (field.message_type.fields_by_name["value"]),
            )
            for i in range(self.fake.list_length(path, 1, 3)):
                key = self._scalar(key_field, f"{path}{{{i}}}.key", field.name)
                if value_field.message_type is not None:
                    self.fill(container[key], f"{path}{{{i}}}", depth + 1)
                else:
                    container[key] = self._scalar(value_field, f"{path}{{{i}}}", field.name)
            return
        if field.is_repeated:
            if field.message_type is not None and depth >= MAX_DEPTH:
                return
            for i in range(self.fake.list_length(path)):
                if field.message_type is not None:
                    self.fill(container.add(), f"{path}[{i}]", depth + 1)
                else:
                    container.append(self._scalar(field, f"{path}[{i}]", field.name))
            return
        if field.message_type is not None:
            if depth < MAX_DEPTH:
                self.fill(container, path, depth + 1)
                container.SetInParent()
            return
        setattr(message, field.name, self._scalar(field, path, field.name))

    def _scalar(self, field: d.FieldDescriptor, path: str, name: str) -> object:
        kind = field.type
        if kind == d.FieldDescriptor.TYPE_BOOL:
            return self.fake.boolean(path)
        if kind in _INTEGERS:
            return self.fake.integer(path, name)
        if kind in _FLOATS:
            return self.fake.number(path, name)
        if kind == d.FieldDescriptor.TYPE_ENUM:
            numbers = [value.number for value in field.enum_type.values]
            chosen = [number for number in numbers if number != 0] or numbers
            return self.fake.choice(path, chosen)
        text = self.fake.string(path, name)
        if kind == d.FieldDescriptor.TYPE_BYTES:
            return text.encode("utf-8")
        return text


def _is_map(field: d.FieldDescriptor) -> bool:
    return (
        field.is_repeated
        and field.message_type is not None
        and field.message_type.GetOptions().map_entry
    )
