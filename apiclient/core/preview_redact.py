"""Secrets taken out of a response body's preview before the history keeps it.

A token endpoint answers ``{"access_token": "..."}``; a login form echoes a password.
The history keeps the start of every response body (a capped preview), so before the
write the values of credential-looking keys are masked wherever the preview writes them
as JSON (``"key": value``), a form or query (``key=value``), XML (``<key>value</key>``,
``key="value"``) or a header or YAML line (``key: value``), and so are the values of
the secret variables in scope, as written, JSON-escaped or URL-encoded. It works on
text, not a parse: the preview is cut at a fixed size and is often not a whole JSON or
XML document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
_EXACT = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "authorization",
        "proxyauthorization",
        "cookie",
        "setcookie",
        "apikey",
        "xapikey",
        "privatekey",
        "credentials",
    }
)
_ENDINGS = ("token", "secret", "password", "apikey", "privatekey")

_CHARSET = re.compile(r"charset\s*=\s*([^;\s]+)", re.I)
_NAME = r"[A-Za-z0-9_.\-]{1,64}"
_JSON_PAIR = re.compile(
    r'"(?P<key>(?:[^"\\\n]|\\.){1,64})"\s*:\s*(?P<value>"(?:[^"\\]|\\.)*"?|[^\s,}\]{\["]+)'
)
_XML_ELEMENT = re.compile(
    rf"<(?P<tag>(?:{_NAME}:)?(?P<key>{_NAME}))(?:\s[^<>]*)?>(?P<value>[^<]*)(?=</(?P=tag)\s*>|$)"
)
_ATTRIBUTE = re.compile(rf"(?<![\w\-])(?P<key>{_NAME})\s*=\s*(?P<value>\"[^\"]*\"?|'[^']*'?)")
_FORM_PAIR = re.compile(rf"(?:^|(?<=[&?;\s]))(?P<key>{_NAME})=(?P<value>[^&;\s\"'<>]+)")
_LINE = re.compile(rf"(?m)^[ \t]*(?P<key>{_NAME})[ \t]*:[ \t]*(?P<value>[^\s\"{{\[][^\r\n]*)$")


def is_credential_key(key: str) -> bool:
    """Whether a key names a credential: access_token, client_secret, X-API-Key..."""
    name = re.sub(r"[^a-z0-9]", "", key.lower())
    return name in _EXACT or name.endswith(_ENDINGS)


def redact_preview(
    preview: bytes, content_type: str, secrets: Iterable[str] = (), *, keys: bool = True
) -> tuple[bytes, tuple[str, ...]]:
    """``preview`` (of a body of ``content_type``) with ``secrets`` masked and, when
    ``keys``, the values of credential keys; and what was masked (for the entry's
    ``redacted`` list); ``preview`` itself when nothing was. The keys take tens of
    milliseconds on a 64 KB preview (a worker's job); the secrets alone, well under one."""
    if not preview:
        return preview, ()
    charset = _CHARSET.search(content_type)
    codec = _codec(charset.group(1).strip("\"'") if charset else None)
    errors = "surrogateescape" if codec == "utf-8" else "replace"
    text = preview.decode(codec, errors)
    notes: list[str] = []
    masked = _mask_secrets(text, secrets)
    if masked != text:
        notes.append("response preview: secret variable values")
    found: list[str] = []
    for pattern, quote_mark in (
        (_JSON_PAIR, '"'),  # a number or literal is masked as a string: still JSON
        (_XML_ELEMENT, ""),
        (_ATTRIBUTE, "'"),
        (_FORM_PAIR, ""),
        (_LINE, ""),
    ):
        if keys:
            masked = pattern.sub(_masker(quote_mark, found), masked)
    notes.extend(f"response preview: {key}" for key in dict.fromkeys(found))
    if not notes:
        return preview, ()
    return masked.encode(codec, errors), tuple(notes)


def _codec(charset: str | None) -> str:
    if charset:
        try:
            if "".encode(charset) == b"" and b"a".decode(charset, "replace"):
                return charset
        except (LookupError, ValueError, TypeError):
            pass
    return "utf-8"


def _mask_secrets(text: str, secrets: Iterable[str]) -> str:
    forms = {
        form
        for secret in secrets
        if secret
        for form in (secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret))
    }
    for form in sorted(forms, key=len, reverse=True):  # a longer one first: it may hold another
        text = text.replace(form, MASK)
    return text


def _masker(quote_mark: str, keys: list[str]) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement masking the value of a credential key; a quoted value
    keeps its quotes, an unquoted one gets ``quote_mark`` around the mask."""

    def mask(match: re.Match[str]) -> str:
        key, value = match.group("key"), match.group("value")
        if not is_credential_key(key) or not value or MASK in value:
            return match.group()
        mark = value[0] if value[0] in "\"'" else quote_mark
        if not quote_mark:
            mark = ""
        replacement = mark + MASK + mark
        keys.append(key)
        start, end = match.span("value")
        whole = match.group()
        offset = match.start()
        return whole[: start - offset] + replacement + whole[end - offset :]

    return mask
