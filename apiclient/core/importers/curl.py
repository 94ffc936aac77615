"""curl commands (pasted into the URL field or the import dialog, or saved in a file) read
into REST requests.

The text is split into words and flags by :mod:`apiclient.core.importers.curl_words`
(three shells' dialects: POSIX, Windows cmd, PowerShell); here the flags are read as curl
reads them: the method is inferred as curl infers it (POST with data, GET without),
several ``-d`` join with ``&``, ``-G`` moves the data into the query.

Output-only flags (``-s``, ``-v``, ``-o FILE``...) change nothing we keep and are passed
over quietly. Flags we understand but cannot carry over (a proxy, a client certificate, a
cookie-jar file) and flags we do not know are named in a warning; the request is built
anyway, so one odd flag never loses the rest of a command.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote

from apiclient.core.importers import ImportResult
from apiclient.core.importers.curl_words import (
    BOOLEAN_FLAGS,
    DATA_FLAGS,
    PASTED,
    QUIET_FLAGS,
    VALUE_FLAGS,
    CurlParseError,
    flags_of,
    join_lines,
    looks_like_value,
    split_commands,
    split_words,
)
from apiclient.core.models import (
    Auth,
    Body,
    Collection,
    FormField,
    KeyValue,
    RawLanguage,
    RequestSettings,
    RestRequest,
)
from apiclient.core.urls import split_url

__all__ = ["PASTED", "CurlParseError", "import_curl", "parse_curl", "split_commands"]

_LANGUAGES: tuple[RawLanguage, ...] = ("json", "xml", "html", "javascript")


def parse_curl(text: str) -> tuple[RestRequest, tuple[str, ...]]:
    """The request one curl command sends, and warnings naming what was not carried over.

    Raises :class:`CurlParseError` for text that is not a curl command, has unbalanced
    quotes or names no URL.
    """
    command = _Command(split_words(join_lines(text)))
    request = command.request()
    return request, tuple(command.warnings)


def import_curl(path: Path) -> ImportResult:
    """A collection with one request per curl command in ``path`` (each starting a line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CurlParseError(f"Cannot read {path}: {exc.strerror or exc}.", path) from exc
    except UnicodeDecodeError as exc:
        raise CurlParseError(
            f"{path} is not UTF-8 text, so it holds no curl command.", path
        ) from exc
    commands = split_commands(text)
    if not commands:
        raise CurlParseError(
            f"{path} holds no curl command: each command must start a line with 'curl'.", path
        )
    requests: list[RestRequest] = []
    warnings: list[str] = []
    for number, command in enumerate(commands, start=1):
        try:
            request, found = parse_curl(command)
        except CurlParseError as exc:
            raise CurlParseError(f"{path}, command {number}: {exc}", path) from exc
        requests.append(request)
        warnings += [f"Command {number} ({request.name}): {warning}" for warning in found]
    collection = Collection(name=path.stem, items=list[Any](requests))
    return ImportResult(collection, tuple(warnings), "curl commands")


# ---- from words to a request ----------------------------------------------------------------


@dataclass
class _Command:
    words: list[str]
    warnings: list[str] = field(default_factory=list)
    url: str = ""
    method: str = ""
    headers: list[KeyValue] = field(default_factory=list)
    data: list[tuple[str, str]] = field(default_factory=list)  # (flag, value)
    form: list[FormField] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    # A command says all it sends: without -u or a bearer flag, no auth (not inherited).
    auth: Auth = field(default_factory=lambda: Auth(kind="none"))
    digest: bool = False
    get: bool = False
    head: bool = False
    settings: dict[str, object] = field(default_factory=lambda: {"follow_redirects": False})

    def request(self) -> RestRequest:
        self._read_words()
        if not self.url:
            raise CurlParseError("The curl command names no URL: add one, as in 'curl URL'.")
        if self.digest and self.auth.kind == "basic":
            self.auth = self.auth.model_copy(update={"kind": "digest"})
        if self.cookies and not _has(self.headers, "Cookie"):
            self.headers.append(KeyValue(name="Cookie", value="; ".join(self.cookies)))
        base, params = split_url(self.url)
        body = Body()
        if self.get and self.data:
            params += [_query_row(part) for part in "&".join(v for _, v in self.data).split("&")]
        elif self.form:
            body = Body(mode="multipart", multipart=self.form)
            if self.data:
                self.warnings.append("-F and -d cannot be sent together; the -d data was left out.")
        elif self.data:
            body = self._body()
        method = self.method or self._implied_method(body)
        return RestRequest(
            name=_name(method, base),
            method=method,
            url=base,
            params=params,
            headers=self.headers,
            body=body,
            auth=self.auth,
            settings=RequestSettings.model_validate(self.settings),
        )

    def _implied_method(self, body: Body) -> str:
        if self.head:
            return "HEAD"
        if self.get or body.mode == "none":
            return "GET"
        if any(flag == "upload-file" for flag, _ in self.data):
            return "PUT"
        return "POST"

    def _read_words(self) -> None:
        words = self.words
        index = 0
        while index < len(words):
            word = words[index]
            index += 1
            if not word.startswith("-") or word in ("-", "--"):
                if word != "--":
                    self._positional(word)
                continue
            for name, value in flags_of(word):
                if name in VALUE_FLAGS and value is None:
                    if index >= len(words):
                        raise CurlParseError(f"The flag {word} needs a value, and none follows.")
                    value, index = words[index], index + 1
                if name in VALUE_FLAGS or name in BOOLEAN_FLAGS or name in QUIET_FLAGS:
                    self._apply(name, value or "")
                    continue
                taken = None
                if value is None and index < len(words) and looks_like_value(words[index]):
                    taken, index = words[index], index + 1
                self._unknown(word, value if value is not None else taken)

    def _positional(self, word: str) -> None:
        if self.url:
            self.warnings.append(
                f"curl would also request {word!r}; only the first URL, {self.url!r}, was imported."
            )
        else:
            self.url = word

    def _unknown(self, word: str, value: str | None) -> None:
        shown = f" {value!r}" if value is not None else ""
        self.warnings.append(f"The flag {word}{shown} is not one apiclient knows; it was ignored.")

    def _apply(self, name: str, value: str) -> None:
        if name in QUIET_FLAGS:
            return
        if name == "url":
            self._positional(value)
        elif name == "request":
            self.method = value.strip().upper()
        elif name == "header":
            self._header(value)
        elif name in DATA_FLAGS:
            self._data(name, value)
        elif name in ("form", "form-string"):
            self.form.append(_form_field(value, literal=name == "form-string", warn=self.warnings))
        elif name == "user":
            username, colon, password = value.partition(":")
            if not colon:
                self.warnings.append(
                    f"-u {value!r} gives no password (curl would ask for it); the password "
                    "was left empty."
                )
            self.auth = Auth(kind="basic", username=username, password=password)
        elif name == "digest":
            self.digest = True
        elif name == "oauth2-bearer":
            self.auth = Auth(kind="bearer", token=value)
        elif name == "cookie":
            if "=" in value:
                self.cookies.append(value.strip().rstrip(";"))
            else:
                self.warnings.append(
                    f"-b {value!r} reads cookies from a file, which was not imported; add the "
                    "Cookie header by hand."
                )
        elif name == "user-agent":
            self.headers.append(KeyValue(name="User-Agent", value=value))
        elif name == "referer":
            self.headers.append(KeyValue(name="Referer", value=value.removesuffix(";auto")))
        elif name == "compressed":
            if not _has(self.headers, "Accept-Encoding"):
                self.headers.append(KeyValue(name="Accept-Encoding", value="deflate, gzip"))
        elif name == "insecure":
            self.settings["verify_tls"] = False
        elif name == "location":
            self.settings["follow_redirects"] = True
        elif name == "max-redirs":
            self._number("max_redirects", value, "--max-redirs", int)
        elif name == "max-time":
            self._number("timeout_s", value, "-m/--max-time", float)
        elif name == "get":
            self.get = True
        elif name == "head":
            self.head = True
        else:
            self.warnings.append(
                f"--{name}{' ' + repr(value) if value else ''} has no counterpart in apiclient; "
                "it was left out."
            )

    def _header(self, value: str) -> None:
        name, colon, rest = value.partition(":")
        if not colon:
            if name.endswith(";"):  # curl's way to send an empty header
                self.headers.append(KeyValue(name=name[:-1].strip()))
            else:
                self.warnings.append(f"-H {value!r} is not 'Name: value'; it was left out.")
            return
        if rest.strip():  # "Name:" with nothing after removes a header in curl
            self.headers.append(KeyValue(name=name.strip(), value=rest.strip()))

    def _data(self, flag: str, value: str) -> None:
        if flag == "json":
            for header, kind in (
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ):
                if not _has(self.headers, header):
                    self.headers.append(KeyValue(name=header, value=kind))
        if flag == "data-urlencode":
            value = _urlencode_part(value, self.warnings)
        self.data.append((flag, value))

    def _number(self, key: str, value: str, flag: str, kind: type[int] | type[float]) -> None:
        try:
            number = kind(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):  # "nan" and "inf" parse as floats but mean nothing here
            self.warnings.append(f"{flag} {value!r} is not a number; it was left out.")
            return
        if number <= 0 and key == "timeout_s":
            self.warnings.append(f"{flag} {value!r} is not above zero; it was left out.")
            return
        self.settings[key] = max(number, 0)

    def _body(self) -> Body:
        files = [(flag, v) for flag, v in self.data if _is_file_data(flag, v)]
        if files:
            flag, value = files[0]
            path = value if flag == "upload-file" else value[1:]
            if len(self.data) > 1:
                self.warnings.append(
                    f"The body mixes the file {path!r} with other data; only the file was kept."
                )
            if path == "-":
                self.warnings.append("The body is read from standard input; it was left empty.")
                return Body()
            return Body(mode="binary", binary_path=path)
        text = "&".join(value for _, value in self.data)
        content_type = _header_value(self.headers, "Content-Type").lower()
        if "x-www-form-urlencoded" in content_type or not content_type:
            rows = _form_rows(text)
            if rows is not None and not _looks_like_json(text):
                return Body(mode="urlencoded", urlencoded=rows)
        language = _language(content_type, text)
        if not content_type:
            self.warnings.append(
                f"The data has no Content-Type; curl would label it "
                f"application/x-www-form-urlencoded, apiclient sends it as {language}."
            )
        return Body(mode="raw", raw=text, language=language)


def _is_file_data(flag: str, value: str) -> bool:
    return flag == "upload-file" or (
        flag in ("data", "data-binary", "data-ascii", "json") and value.startswith("@")
    )


def _urlencode_part(value: str, warnings: list[str]) -> str:
    """curl's ``--data-urlencode`` forms: content, =content, name=content, name@file."""
    name, equals, content = value.partition("=")
    at = value.find("@")
    if at != -1 and (not equals or at < len(name)):
        warnings.append(
            f"--data-urlencode {value!r} reads a file, which was not imported; the field was "
            "left empty."
        )
        return f"{value[:at]}=" if at else ""
    if not equals:
        return quote(value, safe="")
    return f"{name}={quote(content, safe='')}" if name else quote(content, safe="")


def _form_field(value: str, *, literal: bool, warn: list[str]) -> FormField:
    """One ``-F name=value`` (``@file``, ``<file``, ``;type=`` and double quotes)."""
    name, equals, rest = value.partition("=")
    if not equals:
        warn.append(f"-F {value!r} is not 'name=value'; it was kept as an empty field.")
    if literal:
        return FormField(name=name, value=rest)
    kind: Literal["text", "file"] = "text"
    if rest[:1] in ("@", "<"):
        kind = "file"
        if rest[0] == "<":
            warn.append(
                f"-F {value!r} sends a file's content as a text field; it was imported as a "
                "file upload."
            )
        rest = rest[1:]
    content, params = _form_value(rest)
    content_type = params.get("type", "")
    return FormField(name=name, value=content, type=kind, content_type=content_type)


def _form_value(text: str) -> tuple[str, dict[str, str]]:
    """A -F value and its ``;key=value`` parameters; a double-quoted value may hold ``;``."""
    if text.startswith('"'):
        match = re.match(r'"((?:[^"\\]|\\.)*)"', text)
        if match:
            value = re.sub(r"\\(.)", r"\1", match.group(1))
            tail = text[match.end() :]
        else:
            value, tail = text, ""
    elif text.startswith(("@", "<")) or ";type=" in text or ";filename=" in text:
        value, _, tail = text.partition(";")
        tail = ";" + tail if tail else ""
    else:
        return text, {}
    params = {}
    for part in tail.split(";"):
        key, equals, val = part.partition("=")
        if equals:
            params[key.strip()] = val.strip().strip('"')
    return value, params


def _form_rows(text: str) -> list[KeyValue] | None:
    """``a=1&b=2`` as rows (decoded), or None when the text is not form-shaped."""
    if not text or any("=" not in part for part in text.split("&")):
        return None
    pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    if len(pairs) != len(text.split("&")):
        return None
    return [KeyValue(name=name, value=value) for name, value in pairs]


def _query_row(part: str) -> KeyValue:
    name, equals, value = part.partition("=")
    return KeyValue(name=name, value=value, bare=not equals)


def _looks_like_json(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _language(content_type: str, text: str) -> RawLanguage:
    for language in _LANGUAGES:
        if language in content_type:
            return language
    if not content_type and _looks_like_json(text):
        return "json"
    return "text"


def _has(headers: list[KeyValue], name: str) -> bool:
    return any(h.name.lower() == name.lower() for h in headers)


def _header_value(headers: list[KeyValue], name: str) -> str:
    return next((h.value for h in headers if h.name.lower() == name.lower()), "")


def _name(method: str, base: str) -> str:
    path = re.sub(r"^[a-zA-Z][\w+.-]*://[^/]*", "", base).split("#")[0] or "/"
    return f"{method} {path}"
