"""JSON <-> protobuf messages, with errors that name the field.

``json_format`` does the conversion; its errors name the message type and the Python
side of things ("Failed to parse artist field: Message type ... has no field named
..."). So the JSON is walked against the descriptor first, and the first problem is
reported by its path as the user wrote it: ``artist.country: unknown field``,
``genre: 'POP' is not one of ...``, ``tags[1]: expected a string, got a number (3)``.

Responses are shown with the proto field names (``released_at``, what people type in
requests, not the lowerCamel ``releasedAt``) and with fields at their default value
included (``"plays": 0``), so a response shows every field of its type; requests
accept either spelling, as the protobuf JSON mapping says.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import math
import re
from collections.abc import Callable

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import EncodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp

from apiclient.protocols.errors import GrpcMessageError
from apiclient.protocols.grpc_template import (
    EXAMPLE_DURATION,
    EXAMPLE_TIMESTAMP,
    WRAPPERS,
    enum_names,
    is_map,
    real_oneof_members,
)

__all__ = ["decode_message", "parse_messages", "to_json"]

_INTEGER = re.compile(r"-?\d+")
_RANGES = {
    FieldDescriptor.TYPE_INT32: ("int32", -(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: ("sint32", -(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: ("sfixed32", -(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: ("uint32", 0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: ("fixed32", 0, 2**32 - 1),
    FieldDescriptor.TYPE_INT64: ("int64", -(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: ("sint64", -(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: ("sfixed64", -(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: ("uint64", 0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: ("fixed64", 0, 2**64 - 1),
}
_FLOAT_MAX = 3.4028234663852886e38
_SPECIAL_FLOATS = frozenset({"NaN", "Infinity", "-Infinity"})
_MAX_NAMES = 20


class _Problem(Exception):
    """The first thing wrong in the JSON: where (the field path) and what."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__(text)
        self.path = path
        self.text = text


# --- requests -------------------------------------------------------------------------


def parse_messages(
    descriptor: Descriptor, pool: DescriptorPool, text: str, *, many: bool
) -> list[Message]:
    """The messages in ``text``: one JSON object, or for ``many`` (client and bidi
    streams) a JSON array of objects too. Blank text is one empty message, or none
    for ``many``. Raises :class:`GrpcMessageError` naming the field."""
    if not text.strip():
        return [] if many else [message_factory.GetMessageClass(descriptor)()]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GrpcMessageError(
            f"The message is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise GrpcMessageError("The message nests its JSON too deeply to be read.") from None
    if isinstance(value, list) and not many:
        raise GrpcMessageError(
            "This method takes one message: write a JSON object, not an array"
            " (arrays are for client and bidi streams)."
        )
    pairs: list[tuple[int | None, object]] = (
        list(enumerate(value)) if isinstance(value, list) else [(None, value)]
    )
    try:
        return [_one(descriptor, pool, item, index) for index, item in pairs]
    except RecursionError:  # a Struct or a recursive message type nested thousands deep
        raise GrpcMessageError(
            f"The message nests {descriptor.name} values too deeply to be converted."
        ) from None


def _one(descriptor: Descriptor, pool: DescriptorPool, value: object, index: int | None) -> Message:
    where = "" if index is None else f"message {index + 1}: "
    if not isinstance(value, dict):
        raise GrpcMessageError(
            f"{where}expected a JSON object for {descriptor.full_name}, got {_kind(value)}.",
            index=index,
        )
    try:
        _check_message(value, descriptor, pool, "")
    except _Problem as problem:
        raise GrpcMessageError(f"{where}{problem.text}", field=problem.path, index=index) from None
    message = message_factory.GetMessageClass(descriptor)()
    try:
        json_format.ParseDict(value, message, descriptor_pool=pool)
    except json_format.ParseError as exc:
        said = str(exc).split("\n", 1)[0]
        raise GrpcMessageError(
            f"{where}the message does not fit {descriptor.full_name}: {said}"
        ) from None
    if not message.IsInitialized():
        missing = ", ".join(message.FindInitializationErrors())
        raise GrpcMessageError(
            f"{where}{missing}: required field missing", field=missing.split(",")[0], index=index
        )
    return message


def _check_message(value: object, descriptor: Descriptor, pool: DescriptorPool, path: str) -> None:
    name = descriptor.full_name
    special = _SPECIAL_CHECKS.get(name)
    if special is not None:
        special(value, descriptor, pool, path)
        return
    if name in WRAPPERS:
        if value is not None:
            _check_single(value, descriptor.fields_by_name["value"], pool, path)
        return
    if not isinstance(value, dict):
        raise _Problem(
            path, f"{_at(path)}expected an object ({descriptor.name}), got {_kind(value)}"
        )
    seen: dict[int, str] = {}
    chosen: dict[str, str] = {}
    for key, item in value.items():
        member = descriptor.fields_by_name.get(key) or _by_json_name(descriptor, key)
        here = f"{path}.{key}" if path else key
        if member is None:
            raise _Problem(here, f"{here}: unknown field{_suggest(key, descriptor)}")
        if member.number in seen:
            raise _Problem(here, f"{here}: given twice (as {seen[member.number]} and {key})")
        seen[member.number] = key
        if item is not None and real_oneof_members(member):
            oneof = member.containing_oneof.name
            if oneof in chosen:
                raise _Problem(
                    here,
                    f"{here}: {oneof} is a oneof: set {chosen[oneof]} or {key}, not both",
                )
            chosen[oneof] = key
        _check_field(item, member, pool, here)


def _by_json_name(descriptor: Descriptor, key: str) -> FieldDescriptor | None:
    return next((member for member in descriptor.fields if member.json_name == key), None)


def _suggest(key: str, descriptor: Descriptor) -> str:
    names = [member.name for member in descriptor.fields]
    close = difflib.get_close_matches(key, names, n=1)
    if close:
        return f" (did you mean {close[0]}?)"
    if not names:
        return f" ({descriptor.name} has no fields)"
    listed = ", ".join(names[:_MAX_NAMES]) + (", ..." if len(names) > _MAX_NAMES else "")
    return f" ({descriptor.name} has {listed})"


def _check_field(value: object, member: FieldDescriptor, pool: DescriptorPool, path: str) -> None:
    if value is None:
        return  # null leaves a field at its default
    if is_map(member):
        if not isinstance(value, dict):
            raise _Problem(path, f"{path}: expected an object (a map), got {_kind(value)}")
        entry = member.message_type
        key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
        for key, item in value.items():
            here = f"{path}[{json.dumps(key, ensure_ascii=False)}]"
            _check_map_key(key, key_field, here)
            if item is None and value_field.message_type is None:
                raise _Problem(here, f"{here}: a map value cannot be null")
            _check_single(item, value_field, pool, here)
        return
    if member.is_repeated:
        if not isinstance(value, list):
            raise _Problem(path, f"{path}: expected an array, got {_kind(value)}")
        for index, item in enumerate(value):
            here = f"{path}[{index}]"
            if item is None and not _nullable(member):
                raise _Problem(here, f"{here}: null is not allowed in an array")
            _check_single(item, member, pool, here)
        return
    _check_single(value, member, pool, path)


def _nullable(member: FieldDescriptor) -> bool:
    message = member.message_type
    return message is not None and message.full_name == "google.protobuf.Value"


def _check_map_key(key: str, member: FieldDescriptor, path: str) -> None:
    if member.type == FieldDescriptor.TYPE_BOOL and key not in ("true", "false"):
        raise _Problem(path, f"{path}: a map key here is true or false")
    if member.type in _RANGES:
        _check_integer(key, member, path)


def _check_single(value: object, member: FieldDescriptor, pool: DescriptorPool, path: str) -> None:
    kind = member.type
    if kind in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        _check_message(value, member.message_type, pool, path)
    elif kind == FieldDescriptor.TYPE_ENUM:
        _check_enum(value, member, path)
    elif kind == FieldDescriptor.TYPE_STRING:
        if not isinstance(value, str):
            raise _Problem(path, f"{_at(path)}expected a string, got {_kind(value)}")
    elif kind == FieldDescriptor.TYPE_BYTES:
        _check_bytes(value, path)
    elif kind == FieldDescriptor.TYPE_BOOL:
        if not isinstance(value, bool):
            raise _Problem(path, f"{_at(path)}expected true or false, got {_kind(value)}")
    elif kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        _check_float(value, kind == FieldDescriptor.TYPE_FLOAT, path)
    else:
        _check_integer(value, member, path)


def _check_enum(value: object, member: FieldDescriptor, path: str) -> None:
    enum = member.enum_type
    if enum.full_name == "google.protobuf.NullValue":
        return
    if isinstance(value, int) and not isinstance(value, bool):
        return  # a number is accepted as is (open enums keep unknown numbers)
    names = enum_names(enum)
    if isinstance(value, str) and value in enum.values_by_name:
        return
    shown = ", ".join(names[:_MAX_NAMES]) + (", ..." if len(names) > _MAX_NAMES else "")
    said = repr(value) if isinstance(value, str) else _kind(value)
    raise _Problem(path, f"{_at(path)}{said} is not one of {shown}")


def _check_bytes(value: object, path: str) -> None:
    if not isinstance(value, str):
        raise _Problem(path, f"{_at(path)}expected base64 text (bytes), got {_kind(value)}")
    text = value.replace("-", "+").replace("_", "/")
    try:
        base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise _Problem(
            path, f"{_at(path)}not valid base64 (bytes are written as base64 text)"
        ) from None


def _check_float(value: object, single: bool, path: str) -> None:
    if isinstance(value, str) and value in _SPECIAL_FLOATS:
        return
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or math.isnan(number) or (math.isinf(number) and not isinstance(value, str)):
        hint = ""
        if isinstance(value, float) and not math.isfinite(value):
            hint = f'; write it as the string "{_non_finite(value)}"'
        raise _Problem(path, f"{_at(path)}expected a number, got {_kind(value)}{hint}")
    if single and abs(number) > _FLOAT_MAX and not math.isinf(number):
        raise _Problem(path, f"{_at(path)}{value} is out of range for float")


def _check_integer(value: object, member: FieldDescriptor, path: str) -> None:
    label, low, high = _RANGES[member.type]
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and _INTEGER.fullmatch(value.strip())
    ):
        number = int(value)
    if number is None:
        raise _Problem(path, f"{_at(path)}expected an integer ({label}), got {_kind(value)}")
    if not low <= number <= high:
        raise _Problem(path, f"{_at(path)}{number} is out of range for {label}")


# --- well-known types -----------------------------------------------------------------


def _check_timestamp(value: object, _: Descriptor, __: DescriptorPool, path: str) -> None:
    try:
        if not isinstance(value, str):
            raise ValueError
        Timestamp().FromJsonString(value)
    except ValueError:
        raise _Problem(
            path, f"{_at(path)}not a valid Timestamp (use RFC 3339, e.g. {EXAMPLE_TIMESTAMP})"
        ) from None


def _check_duration(value: object, _: Descriptor, __: DescriptorPool, path: str) -> None:
    try:
        if not isinstance(value, str):
            raise ValueError
        Duration().FromJsonString(value)
    except ValueError:
        raise _Problem(
            path, f"{_at(path)}not a valid Duration (seconds with an s, e.g. {EXAMPLE_DURATION})"
        ) from None


def _check_text(value: object, descriptor: Descriptor, _: DescriptorPool, path: str) -> None:
    if not isinstance(value, str):
        raise _Problem(
            path, f"{_at(path)}expected a string ({descriptor.name}), got {_kind(value)}"
        )


def _check_struct(value: object, _: Descriptor, __: DescriptorPool, path: str) -> None:
    if not isinstance(value, dict):
        raise _Problem(path, f"{_at(path)}expected an object (Struct), got {_kind(value)}")


def _check_list(value: object, _: Descriptor, __: DescriptorPool, path: str) -> None:
    if not isinstance(value, list):
        raise _Problem(path, f"{_at(path)}expected an array (ListValue), got {_kind(value)}")


def _check_anything(value: object, _: Descriptor, __: DescriptorPool, path: str) -> None:
    return None


def _check_any(value: object, _: Descriptor, pool: DescriptorPool, path: str) -> None:
    if not isinstance(value, dict):
        raise _Problem(path, f"{_at(path)}expected an object (Any), got {_kind(value)}")
    url = value.get("@type")
    if not isinstance(url, str) or not url:
        raise _Problem(
            path,
            f'{_at(path)}an Any needs "@type": "type.googleapis.com/<full message name>"',
        )
    name = url.rsplit("/", 1)[-1]
    try:
        inner = pool.FindMessageTypeByName(name)
    except KeyError:
        raise _Problem(
            path, f"{_at(path)}unknown type {name} in @type (load the .proto that defines it)"
        ) from None
    rest = {key: item for key, item in value.items() if key != "@type"}
    if inner.full_name in _SPECIAL_CHECKS or inner.full_name in WRAPPERS:
        _check_message(rest.get("value"), inner, pool, f"{path}.value" if path else "value")
    else:
        _check_message(rest, inner, pool, path)


_SPECIAL_CHECKS: dict[str, Callable[[object, Descriptor, DescriptorPool, str], None]] = {
    "google.protobuf.Timestamp": _check_timestamp,
    "google.protobuf.Duration": _check_duration,
    "google.protobuf.FieldMask": _check_text,
    "google.protobuf.Struct": _check_struct,
    "google.protobuf.ListValue": _check_list,
    "google.protobuf.Value": _check_anything,
    "google.protobuf.Any": _check_any,
}


def _at(path: str) -> str:
    return f"{path}: " if path else ""


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{_non_finite(value)} (not a JSON number)"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _non_finite(value: float) -> str:
    """How JSON parsers (and protobuf's JSON mapping, in quotes) write NaN and infinities."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


# --- responses ------------------------------------------------------------------------


def decode_message(descriptor: Descriptor, data: bytes) -> Message:
    """Raises ``google.protobuf.message.DecodeError`` when the bytes are not that message."""
    return message_factory.GetMessageClass(descriptor).FromString(data)


def to_json(message: Message, pool: DescriptorPool) -> str:
    """The message as 2-space JSON with proto field names and default values shown."""
    try:
        return json_format.MessageToJson(
            message,
            preserving_proto_field_name=True,
            indent=2,
            descriptor_pool=pool,
            ensure_ascii=False,
            always_print_fields_with_no_presence=True,
        )
    except (json_format.Error, TypeError, KeyError, EncodeError) as exc:
        # An Any of a type no loaded descriptor knows, typically.
        return json.dumps(
            {
                "@apiclient": f"this {message.DESCRIPTOR.full_name} cannot be shown as JSON: {exc}",
                "base64": base64.b64encode(message.SerializeToString()).decode("ascii"),
            },
            indent=2,
        )
