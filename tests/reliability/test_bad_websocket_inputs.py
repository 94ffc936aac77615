"""Bad WebSocket messages (text, JSON, hex, base64, file), close frames and connection
settings through the checks a session runs before sending anything (``encode_message``,
``check_close``, ``handshake_target``): each is a typed error with a line and column
where the trouble has one; nothing else escapes."""

from __future__ import annotations

from typing import Any

import pytest
from clear_errors import params, refused, refused_async

from apiclient.core.models import Auth, ClientTls, KeyValue, WebsocketRequest, WsMessage
from apiclient.protocols.websocket_close import check_close
from apiclient.protocols.websocket_handshake import handshake_target
from apiclient.protocols.websocket_messages import encode_message

_LIMIT = 1000

# (id, (format, body), fragment)
MESSAGES: list[tuple[str, tuple[str, str], str]] = [
    ("json-empty", ("json", ""), "The message is empty, which is not JSON"),
    ("json-open-brace", ("json", "{"), "line 1, column 2"),
    ("json-single-quotes", ("json", "{'a': 1}"), "not valid JSON"),
    ("json-trailing-comma", ("json", "[1,]"), "line 1, column 4"),
    ("json-extra-data", ("json", '{"a": 1} x'), "Extra data"),
    ("json-too-deep", ("json", "[" * 100_000), "nested too deeply"),
    ("json-lone-surrogate", ("json", '"\ud800"'), "U+D800"),
    ("text-lone-surrogate", ("text", "ok \ud800"), "U+D800 (line 1, column 4)"),
    ("text-over-the-limit", ("text", "x" * 2000), "larger than the limit"),
    ("json-over-the-limit", ("json", "[" + "1," * 600 + "1]"), "larger than the limit"),
    ("hex-letters", ("hex", "zz"), "'z' is not a hex digit"),
    ("hex-odd-digits", ("hex", "abc"), "odd number of digits"),
    ("hex-odd-group", ("hex", "12 3"), "line 1, column 4"),
    ("hex-surrogate", ("hex", "\ud800"), "is not a hex digit"),
    ("hex-over-the-limit", ("hex", "00" * 1001), "larger than the limit"),
    ("base64-bangs", ("base64", "!!!"), "'!' is not a base64 character"),
    ("base64-too-much-padding", ("base64", "a===="), "no byte sequence encodes to"),
    ("base64-surrogate", ("base64", "\ud800"), "is not a base64 character"),
    ("file-none-chosen", ("file", ""), "No file is chosen"),
    ("file-missing", ("file", "/nonexistent/frame.bin"), "does not exist"),
    ("file-a-folder", ("file", "/"), "is a folder"),
    ("file-name-with-nul", ("file", "a\x00b"), "NUL character"),
]
# (id, (code, reason), fragment)
CLOSES: list[tuple[str, tuple[int, str], str]] = [
    ("code-0", (0, ""), "close code 0 cannot be sent"),
    ("code-999", (999, ""), "close code 999"),
    ("code-1004-reserved", (1004, ""), "close code 1004"),
    ("code-1005-no-status", (1005, ""), "close code 1005"),
    ("code-1006-abnormal", (1006, ""), "close code 1006"),
    ("code-1015-tls", (1015, ""), "close code 1015"),
    ("code-2999", (2999, ""), "close code 2999"),
    ("code-5000", (5000, ""), "close code 5000"),
    ("code-negative", (-1, ""), "close code -1"),
    ("reason-too-long", (1000, "x" * 200), "200 bytes long"),
    ("reason-too-long-in-utf8", (1000, "é" * 62), "124 bytes long"),
    ("reason-lone-surrogate", (1000, "\ud800"), "U+D800"),
]
# (id, request fields, fragment)
CONNECTIONS: list[tuple[str, dict[str, Any], str]] = [
    ("url-empty", {"url": ""}, "The URL is empty"),
    ("url-http", {"url": "http://127.0.0.1/"}, "starts with http://"),
    ("url-one-slash", {"url": "ws:/127.0.0.1"}, "lacks '//'"),
    ("url-ftp", {"url": "ftp://127.0.0.1/"}, "scheme 'ftp'"),
    ("url-no-host", {"url": "ws://"}, "has no host"),
    ("url-port-too-big", {"url": "ws://127.0.0.1:99999"}, "port '99999'"),
    ("url-unclosed-ipv6", {"url": "ws://[::1"}, "not valid"),
    ("url-nul", {"url": "ws://a\x00b"}, "not valid"),
    ("url-lone-surrogate", {"url": "ws://127.0.0.1/\ud800"}, "not valid"),
    ("header-bad-name", {"headers": [KeyValue(name="Bad Name", value="1")]}, "header name"),
    (
        "header-upgrade",
        {"headers": [KeyValue(name="Upgrade", value="x")]},
        "set by the WebSocket handshake",
    ),
    ("header-newline", {"headers": [KeyValue(name="X", value="a\nb")]}, "line break"),
    (
        "header-subprotocol",
        {"headers": [KeyValue(name="Sec-WebSocket-Protocol", value="x")]},
        "subprotocol list",
    ),
    ("subprotocol-space", {"subprotocols": ["a b"]}, "subprotocol 'a b' is not valid"),
    ("subprotocol-comma", {"subprotocols": ["a,b"]}, "subprotocol 'a,b' is not valid"),
    ("auth-digest", {"auth": Auth(kind="digest")}, "Digest auth is not available"),
    ("auth-apikey-without-name", {"auth": Auth(kind="apikey")}, "needs a key name"),
    (
        "tls-missing-ca",
        {"url": "wss://127.0.0.1/", "tls": ClientTls(ca_file="/nope")},
        "CA file /nope",
    ),
    (
        "tls-certificate-without-key",
        {"url": "wss://127.0.0.1/", "tls": ClientTls(client_cert_file="/nope")},
        "needs its key",
    ),
]
CASES = [*MESSAGES, *CLOSES, *CONNECTIONS]


@pytest.mark.parametrize(("message", "fragment"), params(MESSAGES))
def test_a_message_that_cannot_be_sent_is_refused(message: tuple[str, str], fragment: str) -> None:
    kind, body = message
    refused(lambda: encode_message(WsMessage(format=kind, body=body), _LIMIT), fragment)


@pytest.mark.parametrize(("close", "fragment"), params(CLOSES))
def test_a_close_that_cannot_be_sent_is_refused(close: tuple[int, str], fragment: str) -> None:
    refused(lambda: check_close(*close), fragment)


@pytest.mark.parametrize(("fields", "fragment"), params(CONNECTIONS))
async def test_a_connection_that_cannot_be_opened_is_refused_before_any_traffic(
    fields: dict[str, Any], fragment: str
) -> None:
    request = WebsocketRequest(**{"url": "ws://127.0.0.1:9/", **fields})
    await refused_async(lambda: handshake_target(request), fragment)
