"""curl commands (pasted into the URL field or the import dialog, or saved in a file) read
into REST requests.

Copies from browsers and tools come in three shells' dialects: POSIX shells (``\\`` line
continuations, ``$'...'`` strings from Chrome), Windows cmd (``^`` continuations and
``^"`` escapes) and PowerShell (backtick continuations); all are read. The words are split
as a POSIX shell would (:mod:`shlex`), then the flags are read as curl reads them: the
method is inferred as curl infers it (POST with data, GET without), several ``-d`` join
with ``&``, ``-G`` moves the data into the query.

Output-only flags (``-s``, ``-v``, ``-o FILE``...) change nothing we keep and are passed
over quietly. Flags we understand but cannot carry over (a proxy, a client certificate, a
cookie-jar file) and flags we do not know are named in a warning; the request is built
anyway, so one odd flag never loses the rest of a command.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote

from apiclient.core.importers import CollectionImportError, ImportResult
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

PASTED = Path("<pasted>")

# Flags that take a value, long name first; the short spelling maps to the long one.
_SHORT = {
    "X": "request",
    "H": "header",
    "d": "data",
    "F": "form",
    "u": "user",
    "b": "cookie",
    "A": "user-agent",
    "e": "referer",
    "m": "max-time",
    "o": "output",
    "c": "cookie-jar",
    "x": "proxy",
    "E": "cert",
    "T": "upload-file",
    "w": "write-out",
    "r": "range",
    "K": "config",
    "U": "proxy-user",
    "D": "dump-header",
    "C": "continue-at",
    "Y": "speed-limit",
    "y": "speed-time",
    "z": "time-cond",
    "k": "insecure",
    "L": "location",
    "G": "get",
    "I": "head",
    "s": "silent",
    "S": "show-error",
    "v": "verbose",
    "i": "include",
    "f": "fail",
    "#": "progress-bar",
    "N": "no-buffer",
    "O": "remote-name",
    "g": "globoff",
    "j": "junk-session-cookies",
    "n": "netrc",
    "0": "http1.0",
    "1": "tlsv1",
    "4": "ipv4",
    "6": "ipv6",
}
_DATA_FLAGS = frozenset(
    {"data", "data-raw", "data-binary", "data-ascii", "data-urlencode", "json", "upload-file"}
)
_VALUE_FLAGS = _DATA_FLAGS | {
    "request",
    "header",
    "form",
    "form-string",
    "user",
    "cookie",
    "user-agent",
    "referer",
    "max-time",
    "url",
    "max-redirs",
    "connect-timeout",
    "output",
    "cookie-jar",
    "proxy",
    "cert",
    "key",
    "cacert",
    "capath",
    "write-out",
    "range",
    "config",
    "proxy-user",
    "dump-header",
    "continue-at",
    "speed-limit",
    "speed-time",
    "time-cond",
    "retry",
    "retry-delay",
    "retry-max-time",
    "resolve",
    "connect-to",
    "interface",
    "oauth2-bearer",
    "stderr",
    "trace",
    "trace-ascii",
    "limit-rate",
    "cert-type",
    "key-type",
    "pass",
    "output-dir",
    "unix-socket",
    "aws-sigv4",
}
# Flags about curl's own output, retries or transport details: nothing to keep, no warning.
_QUIET = frozenset(
    {
        "silent",
        "show-error",
        "verbose",
        "include",
        "fail",
        "fail-with-body",
        "progress-bar",
        "no-progress-meter",
        "no-buffer",
        "output",
        "output-dir",
        "remote-name",
        "remote-header-name",
        "create-dirs",
        "write-out",
        "dump-header",
        "stderr",
        "trace",
        "trace-ascii",
        "globoff",
        "http1.0",
        "http1.1",
        "http2",
        "http2-prior-knowledge",
        "http3",
        "tlsv1",
        "tlsv1.2",
        "tlsv1.3",
        "ipv4",
        "ipv6",
        "retry",
        "retry-delay",
        "retry-max-time",
        "retry-connrefused",
        "retry-all-errors",
        "raw",
        "tr-encoding",
        "path-as-is",
        "junk-session-cookies",
        "basic",
        "styled-output",
        "no-styled-output",
        "limit-rate",
        "speed-limit",
        "speed-time",
        "keepalive-time",
        "no-keepalive",
        "tcp-nodelay",
        "ssl-no-revoke",
    }
)
_LANGUAGES: tuple[RawLanguage, ...] = ("json", "xml", "html", "javascript")
_ANSI_C = re.compile(r"(?<![\w$])\$'((?:[^'\\]|\\.)*)'", re.DOTALL)
_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "'": "'", '"': '"', "\\": "\\", "e": "\x1b"}
_ANSI_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3}|.)")


class CurlParseError(CollectionImportError):
    """A curl command we cannot read; ``path`` is :data:`PASTED` for pasted text."""

    def __init__(self, message: str, path: Path = PASTED) -> None:
        super().__init__(message, path)


def parse_curl(text: str) -> tuple[RestRequest, tuple[str, ...]]:
    """The request one curl command sends, and warnings naming what was not carried over.

    Raises :class:`CurlParseError` for text that is not a curl command, has unbalanced
    quotes or names no URL.
    """
    command = _Command(_split_words(_join_lines(text)))
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


def split_commands(text: str) -> list[str]:
    """The curl commands of a text, each beginning on a line whose first word is curl;
    blank lines and ``#`` comments between commands are left out."""
    commands: list[list[str]] = []
    for line in _join_lines(text).splitlines():
        stripped = line.strip()
        if re.match(r"(?:\S*[/\\])?curl(?:\.exe)?(?:\s|$)", stripped):
            commands.append([line])
        elif commands and not stripped.startswith("#"):
            commands[-1].append(line)
    return ["\n".join(lines) for lines in commands]


# ---- from text to words ---------------------------------------------------------------------


def _join_lines(text: str) -> str:
    """One line per command: continuations of POSIX shells, cmd and PowerShell removed."""
    text = text.replace("\r\n", "\n").strip()
    if re.search(r"\^\n|\^\"", text):  # Windows cmd: ^ ends a line and escapes a character
        text = re.sub(r"\^\n", " ", text)
        text = re.sub(r"\^(.)", r"\1", text)
    text = re.sub(r"\\\n", " ", text)
    return re.sub(r"`\n", " ", text)


def _decode_ansi_c(match: re.Match[str]) -> str:
    def escape(found: re.Match[str]) -> str:
        code = found.group(1)
        if code[0] in "xuU" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _ANSI_ESCAPES.get(code, "\\" + code)

    value = _ANSI_ESCAPE.sub(escape, match.group(1))
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _split_words(text: str) -> list[str]:
    if not text:
        raise CurlParseError("The text is empty: paste a curl command such as 'curl URL'.")
    try:
        words = shlex.split(_ANSI_C.sub(_decode_ansi_c, text), posix=True)
    except ValueError as exc:
        raise CurlParseError(
            f"The curl command has unbalanced quotes ({exc}): every ' and \" that opens a "
            "value must be closed. Copy the whole command again."
        ) from exc
    if not words or not re.fullmatch(r"(?:.*[/\\])?curl(?:\.exe)?", words[0]):
        first = words[0] if words else ""
        raise CurlParseError(
            f"This is not a curl command: it starts with {first!r}, not 'curl'. Paste a "
            "command that begins with curl, or type the URL into the URL field."
        )
    return words[1:]


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
    auth: Auth = field(default_factory=Auth)
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
            for name, value in _flags(word):
                if name in _VALUE_FLAGS and value is None:
                    if index >= len(words):
                        raise CurlParseError(f"The flag {word} needs a value, and none follows.")
                    value, index = words[index], index + 1
                if name in _VALUE_FLAGS or name in _KNOWN_BOOLEAN or name in _QUIET:
                    self._apply(name, value or "")
                    continue
                taken = None
                if value is None and index < len(words) and _looks_like_value(words[index]):
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
        if name in _QUIET:
            return
        if name == "url":
            self._positional(value)
        elif name == "request":
            self.method = value.strip().upper()
        elif name == "header":
            self._header(value)
        elif name in _DATA_FLAGS:
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


_KNOWN_BOOLEAN = frozenset({"compressed", "insecure", "location", "get", "head", "digest"})


def _flags(word: str) -> list[tuple[str, str | None]]:
    """The (long name, attached value) pairs of one word: ``--data=x``, ``-XPOST``, ``-sSL``."""
    if word.startswith("--"):
        name, equals, value = word[2:].partition("=")
        if equals and name in _VALUE_FLAGS:
            return [(name, value)]
        return [(word[2:], None)]
    flags: list[tuple[str, str | None]] = []
    letters = word[1:]
    for index, letter in enumerate(letters):
        name = _SHORT.get(letter, letter)
        if name in _VALUE_FLAGS:
            rest = letters[index + 1 :]
            flags.append((name, rest or None))
            return flags
        flags.append((name, None))
    return flags


def _looks_like_value(word: str) -> bool:
    """Whether the word after an unknown flag is its value rather than the URL."""
    return (
        not word.startswith("-")
        and "://" not in word
        and not re.match(r"[\w.-]+\.\w+(/|:|$)", word)
    )


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
