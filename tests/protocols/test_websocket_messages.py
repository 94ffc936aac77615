"""encode_message: each format's payload, every refusal with its place in the text,
and the size limit. Pure: no server, no event loop."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apiclient.core.models import WsMessage
from apiclient.protocols.websocket import WsMessageError, encode_message
from apiclient.protocols.websocket_messages import format_size, payload_size

LIMIT = 1024 * 1024


def encode(kind: str, body: str, limit: int = LIMIT) -> str | bytes:
    return encode_message(WsMessage(format=kind, body=body), limit)  # type: ignore[arg-type]


def refusal(kind: str, body: str, limit: int = LIMIT) -> WsMessageError:
    with pytest.raises(WsMessageError) as caught:
        encode(kind, body, limit)
    return caught.value


# --- text and JSON ----------------------------------------------------------------------


@given(st.text())
def test_text_is_sent_as_typed(body: str) -> None:
    assert encode("text", body) == body


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values, st.sampled_from([None, 2]))
def test_json_is_checked_and_sent_as_typed(value: object, indent: int | None) -> None:
    body = json.dumps(value, indent=indent, ensure_ascii=False)
    assert encode("json", body) == body


@pytest.mark.parametrize(
    ("body", "line", "column", "expected"),
    [
        ('{"a": 1,}', 1, 9, "Expecting property name"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expecting ',' delimiter"),
        ("[1, 2", 1, 6, "Expecting ',' delimiter"),
        ("nope", 1, 1, "Expecting value"),
    ],
)
def test_invalid_json_points_at_the_problem(
    body: str, line: int, column: int, expected: str
) -> None:
    error = refusal("json", body)
    assert (error.line, error.column) == (line, column)
    assert expected in str(error)
    assert f"(line {line}, column {column})" in str(error)
    assert "switch the format to text" in str(error)


def test_empty_json_is_refused() -> None:
    assert "The message is empty, which is not JSON" in str(refusal("json", "  \n"))


def test_json_nested_too_deeply_is_refused_not_crashed() -> None:
    assert "nested too deeply" in str(refusal("json", "[" * 100_000 + "]" * 100_000))


# --- hex --------------------------------------------------------------------------------


@given(
    st.binary(max_size=64),
    st.integers(min_value=1, max_value=8),
    st.sampled_from([" ", "\n", "  ", "\r\n", "\t"]),
    st.booleans(),
    st.booleans(),
)
def test_hex_in_any_layout_decodes(
    data: bytes, group: int, separator: str, prefix: bool, upper: bool
) -> None:
    digits = data.hex().upper() if upper else data.hex()
    groups = [digits[i : i + 2 * group] for i in range(0, len(digits), 2 * group)]
    text = separator.join(("0x" + g if prefix else g) for g in groups)
    assert encode("hex", f" {text}\n") == data


@pytest.mark.parametrize(
    ("body", "line", "column", "expected"),
    [
        ("de ad\nbe eg", 2, 5, "'g' is not a hex digit (line 2, column 5)"),
        ("0xabc", 1, 1, "The hex group '0xabc' has an odd number of digits"),
        ("aa  b", 1, 5, "The hex group 'b' has an odd number of digits"),
        ("de:ad", 1, 3, "':' is not a hex digit"),
        ("0x", 1, None, None),
    ],
)
def test_bad_hex_points_at_the_problem(
    body: str, line: int, column: int | None, expected: str | None
) -> None:
    if expected is None:
        assert encode("hex", body) == b""  # a bare prefix is an empty message
        return
    error = refusal("hex", body)
    assert (error.line, error.column) == (line, column)
    assert expected in str(error)


# --- base64 -----------------------------------------------------------------------------


@given(st.binary(max_size=200), st.booleans(), st.booleans(), st.integers(1, 80))
def test_base64_standard_or_url_safe_with_or_without_padding(
    data: bytes, url_safe: bool, padded: bool, width: int
) -> None:
    text = (base64.urlsafe_b64encode if url_safe else base64.b64encode)(data).decode()
    if not padded:
        text = text.rstrip("=")
    wrapped = "\n".join(text[i : i + width] for i in range(0, len(text), width))
    assert encode("base64", wrapped) == data


@pytest.mark.parametrize(
    ("body", "expected", "place"),
    [
        ("aGVs*G8=", "'*' is not a base64 character (line 1, column 5)", (1, 5)),
        ("aGVs\nbG8?", "'?' is not a base64 character (line 2, column 4)", (2, 4)),
        ("aG=Vs", "'=' before its end", (1, 3)),
        ("aGVsb", "5 characters, which no byte sequence encodes to", (None, None)),
    ],
)
def test_bad_base64_is_refused(body: str, expected: str, place: tuple[int | None, ...]) -> None:
    error = refusal("base64", body)
    assert expected in str(error)
    assert (error.line, error.column) == place


# --- files ------------------------------------------------------------------------------


def test_a_file_is_sent_as_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01\xff")
    assert encode("file", f"  {path}  ") == b"\x00\x01\xff"


def test_file_problems_name_the_file(tmp_path: Path) -> None:
    assert "No file is chosen" in str(refusal("file", " "))
    missing = tmp_path / "missing.bin"
    assert f"The file '{missing}' does not exist" in str(refusal("file", str(missing)))
    assert "is a folder, not a file" in str(refusal("file", str(tmp_path)))


def test_an_unreadable_file_says_why(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_bytes(b"x")
    error = refusal("file", str(path / "inside"))  # a file is no folder, even for root
    assert f"The file '{path / 'inside'}' cannot be read (Not a directory)" in str(error)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 2048)
    error = refusal("file", str(path), limit=1024)
    assert "The message is 2 KB (2048 bytes), larger than the limit of 1 KB" in str(error)


# --- the limit --------------------------------------------------------------------------


@given(st.text(min_size=1, max_size=50))
def test_the_limit_counts_utf8_bytes(body: str) -> None:
    size = len(body.encode("utf-8"))
    assert payload_size(body) == size
    assert encode("text", body, limit=size) == body
    error = refusal("text", body, limit=size - 1) if size > 1 else None
    if error is not None:
        assert f"({size} bytes), larger than the limit" in str(error)


def test_the_limit_applies_to_decoded_binary() -> None:
    assert encode("hex", "aabb", limit=2) == b"\xaa\xbb"
    assert "larger than the limit of 2 bytes" in str(refusal("hex", "aabbcc", limit=2))
    assert "larger than the limit of 1 byte" in str(refusal("base64", "aGk=", limit=1))


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (16 * 1024 * 1024, "16 MB"),
        (int(2.25 * 1024 * 1024), "2.2 MB"),
    ],
)
def test_sizes_read_well(size: int, shown: str) -> None:
    assert format_size(size) == shown
