"""What the message editor starts from: a JSON template of a method's input type, and
notes on the fields JSON cannot explain by itself (enums, oneofs, well-known types).

Field names are the proto names (``released_at``), as people type them and as the
responses show them. JSON has no comments, so what a placeholder cannot say goes into
:func:`field_notes`: the allowed enum values, the other members of a oneof, how to
write a Timestamp. Both walk the type tree with a guard against recursion and a budget,
so a huge API (Firestore, Bigtable) gives a usable template, not a megabyte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

__all__ = ["EXAMPLE_DURATION", "EXAMPLE_TIMESTAMP", "WRAPPERS", "field_notes", "template"]

EXAMPLE_TIMESTAMP = "2026-01-31T12:00:00Z"
EXAMPLE_DURATION = "1.5s"
_EMPTY_ANY = {"@type": "type.googleapis.com/google.protobuf.Empty"}
_MAX_NODES = 2000  # fields filled in before the rest of a template is left empty
_MAX_DEPTH = 12
_MAX_NOTES = 200
_MAX_ENUM_NAMES = 30

# wrapper type -> (its scalar placeholder, how to write it)
WRAPPERS: dict[str, tuple[object, str]] = {
    "google.protobuf.DoubleValue": (0.0, "a plain number or null"),
    "google.protobuf.FloatValue": (0.0, "a plain number or null"),
    "google.protobuf.Int64Value": (0, "a plain integer or null"),
    "google.protobuf.UInt64Value": (0, "a plain integer or null"),
    "google.protobuf.Int32Value": (0, "a plain integer or null"),
    "google.protobuf.UInt32Value": (0, "a plain integer or null"),
    "google.protobuf.BoolValue": (False, "true, false or null"),
    "google.protobuf.StringValue": ("", "a plain string or null"),
    "google.protobuf.BytesValue": ("", "base64 text or null"),
}

_SPECIAL_SAMPLES: dict[str, object] = {
    "google.protobuf.Timestamp": EXAMPLE_TIMESTAMP,
    "google.protobuf.Duration": EXAMPLE_DURATION,
    "google.protobuf.FieldMask": "",
    "google.protobuf.Struct": {},
    "google.protobuf.Value": None,
    "google.protobuf.ListValue": [],
    "google.protobuf.Empty": {},
    "google.protobuf.Any": _EMPTY_ANY,
    **{name: sample for name, (sample, _) in WRAPPERS.items()},
}

_SPECIAL_NOTES: dict[str, str] = {
    "google.protobuf.Timestamp": f"Timestamp, RFC 3339 text (e.g. {EXAMPLE_TIMESTAMP})",
    "google.protobuf.Duration": f"Duration, seconds with an s (e.g. {EXAMPLE_DURATION})",
    "google.protobuf.FieldMask": "FieldMask, field paths separated by commas (e.g. name,artist)",
    "google.protobuf.Struct": "Struct, any JSON object",
    "google.protobuf.Value": "Value, any JSON value",
    "google.protobuf.ListValue": "ListValue, any JSON array",
    "google.protobuf.Any": (
        'Any, {"@type": "type.googleapis.com/<full message name>", ...that message\'s fields}'
    ),
    **{name: f"{name.rsplit('.', 1)[-1]}, {how}" for name, (_, how) in WRAPPERS.items()},
}

_NUMBER_TYPES = frozenset(
    {
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED32,
        FieldDescriptor.TYPE_SFIXED64,
    }
)
_TYPE_NAMES = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in vars(FieldDescriptor).items()
    if name.startswith("TYPE_") and isinstance(value, int)
}


def is_map(field_descriptor: FieldDescriptor) -> bool:
    message = field_descriptor.message_type
    return bool(
        field_descriptor.is_repeated and message is not None and message.GetOptions().map_entry
    )


def real_oneof_members(field_descriptor: FieldDescriptor) -> tuple[FieldDescriptor, ...]:
    """The members of the field's oneof, or () when it has none or only the synthetic
    one of a proto3 ``optional`` field."""
    oneof = field_descriptor.containing_oneof
    if oneof is None or len(oneof.fields) < 2:
        return ()
    return tuple(oneof.fields)


def enum_names(enum: EnumDescriptor) -> list[str]:
    return [value.name for value in enum.values]


# --- template -------------------------------------------------------------------------


@dataclass
class _Budget:
    nodes: int = _MAX_NODES


def template(descriptor: Descriptor) -> str:
    """The JSON text (2-space indent) of a message with every field filled in: the first
    member of each oneof, one element in each list, one entry in each map."""
    sample = _message_sample(descriptor, (), _Budget())
    return json.dumps(sample, indent=2, ensure_ascii=False)


def _message_sample(descriptor: Descriptor, stack: tuple[str, ...], budget: _Budget) -> object:
    name = descriptor.full_name
    if name in _SPECIAL_SAMPLES:
        return _SPECIAL_SAMPLES[name]
    if name in stack or len(stack) >= _MAX_DEPTH or budget.nodes <= 0:
        return {}
    inner = (*stack, name)
    out: dict[str, object] = {}
    for member in descriptor.fields:
        members = real_oneof_members(member)
        if members and member.full_name != members[0].full_name:
            continue
        budget.nodes -= 1
        out[member.name] = _field_sample(member, inner, budget)
    return out


def _field_sample(member: FieldDescriptor, stack: tuple[str, ...], budget: _Budget) -> object:
    if is_map(member):
        entry = member.message_type
        key = _map_key_sample(entry.fields_by_name["key"])
        return {key: _single_sample(entry.fields_by_name["value"], stack, budget)}
    if member.is_repeated:
        return [_single_sample(member, stack, budget)]
    return _single_sample(member, stack, budget)


def _single_sample(member: FieldDescriptor, stack: tuple[str, ...], budget: _Budget) -> object:
    kind = member.type
    if kind in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        return _message_sample(member.message_type, stack, budget)
    if kind == FieldDescriptor.TYPE_ENUM:
        return _enum_sample(member.enum_type)
    if kind == FieldDescriptor.TYPE_BOOL:
        return False
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 0.0
    if kind in _NUMBER_TYPES:
        return 0
    return ""  # string, bytes (base64)


def _enum_sample(enum: EnumDescriptor) -> object:
    if enum.full_name == "google.protobuf.NullValue":
        return None
    values = enum.values
    chosen = next((value for value in values if value.number != 0), values[0])
    return chosen.name


def _map_key_sample(key: FieldDescriptor) -> str:
    if key.type == FieldDescriptor.TYPE_BOOL:
        return "true"
    if key.type in _NUMBER_TYPES:
        return "0"
    return "key"


# --- notes ----------------------------------------------------------------------------


@dataclass
class _Notes:
    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if len(self.lines) < _MAX_NOTES:
            self.lines.append(text)


def field_notes(descriptor: Descriptor) -> list[str]:
    """One line per field whose JSON form needs explaining, by path (``artist.genre``,
    ``tracks[].genre``): enum values, oneofs, well-known types, bytes, maps, required
    fields and where the template stops because a type contains itself."""
    notes = _Notes()
    special = _SPECIAL_NOTES.get(descriptor.full_name)
    if special is not None:
        notes.add(f"the message: {special}")
    else:
        _message_notes(descriptor, "", (descriptor.full_name,), notes)
    return notes.lines


def _message_notes(
    descriptor: Descriptor, prefix: str, stack: tuple[str, ...], notes: _Notes
) -> None:
    for member in descriptor.fields:
        if len(notes.lines) >= _MAX_NOTES:
            return
        path = prefix + member.name
        members = real_oneof_members(member)
        if members and member.full_name == members[0].full_name:
            names = " or ".join(one.name for one in members)
            oneof = member.containing_oneof
            notes.add(f"{prefix}{oneof.name}: oneof — {names} (set one of them)")
        if member.is_required:
            notes.add(f"{path}: required")
        if is_map(member):
            entry = member.message_type
            key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
            notes.add(
                f"{path}: map of {_TYPE_NAMES[key.type]} to {_type_name(value)},"
                ' written as {"key": value, ...}'
            )
            _single_notes(value, f"{path}[key]", stack, notes)
            continue
        _single_notes(member, f"{path}[]" if member.is_repeated else path, stack, notes)


def _single_notes(
    member: FieldDescriptor, path: str, stack: tuple[str, ...], notes: _Notes
) -> None:
    kind = member.type
    if kind == FieldDescriptor.TYPE_ENUM:
        if member.enum_type.full_name != "google.protobuf.NullValue":
            notes.add(f"{path}: one of {_enum_list(member.enum_type)}")
    elif kind == FieldDescriptor.TYPE_BYTES:
        notes.add(f"{path}: bytes, written as base64 text")
    elif kind in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        message = member.message_type
        special = _SPECIAL_NOTES.get(message.full_name)
        if special is not None:
            notes.add(f"{path}: {special}")
        elif message.full_name == "google.protobuf.Empty":
            return
        elif message.full_name in stack:
            notes.add(f"{path}: {message.name} again (it contains itself); left empty")
        elif len(stack) < _MAX_DEPTH:
            _message_notes(message, f"{path}.", (*stack, message.full_name), notes)


def _enum_list(enum: EnumDescriptor) -> str:
    names = enum_names(enum)
    if len(names) <= _MAX_ENUM_NAMES:
        return ", ".join(names)
    shown = ", ".join(names[:_MAX_ENUM_NAMES])
    return f"{shown}, ... ({len(names)} values)"


def _type_name(member: FieldDescriptor) -> str:
    if member.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        return member.message_type.full_name
    if member.type == FieldDescriptor.TYPE_ENUM:
        return member.enum_type.full_name
    return _TYPE_NAMES[member.type]
