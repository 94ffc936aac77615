"""The first half of reading a curl command: from pasted text to curl's words and flags.

Copies from browsers and tools come in three shells' dialects: POSIX shells (``\\`` line
continuations, ``$'...'`` strings from Chrome), Windows cmd (``^`` continuations and
``^"`` escapes) and PowerShell (backtick continuations); all are read. The words are split
as a POSIX shell would (:mod:`shlex`). The flag tables say which of curl's flags take a
value, which carry data and which only change curl's own output (passed over quietly);
:mod:`apiclient.core.importers.curl` turns the flags into a request.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from apiclient.core.importers import CollectionImportError

PASTED = Path("<pasted>")

# Flags that take a value, long name first; the short spelling maps to the long one.
SHORT_FLAGS = {
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
DATA_FLAGS = frozenset(
    {"data", "data-raw", "data-binary", "data-ascii", "data-urlencode", "json", "upload-file"}
)
VALUE_FLAGS = DATA_FLAGS | {
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
QUIET_FLAGS = frozenset(
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
# Flags without a value that the request reads.
BOOLEAN_FLAGS = frozenset({"compressed", "insecure", "location", "get", "head", "digest"})
_ANSI_C = re.compile(r"(?<![\w$])\$'((?:[^'\\]|\\.)*)'", re.DOTALL)
_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "'": "'", '"': '"', "\\": "\\", "e": "\x1b"}
_ANSI_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3}|.)")


class CurlParseError(CollectionImportError):
    """A curl command we cannot read; ``path`` is :data:`PASTED` for pasted text."""

    def __init__(self, message: str, path: Path = PASTED) -> None:
        super().__init__(message, path)


def split_commands(text: str) -> list[str]:
    """The curl commands of a text, each beginning on a line whose first word is curl;
    blank lines and ``#`` comments between commands are left out."""
    commands: list[list[str]] = []
    for line in join_lines(text).splitlines():
        stripped = line.strip()
        if re.match(r"(?:\S*[/\\])?curl(?:\.exe)?(?:\s|$)", stripped):
            commands.append([line])
        elif commands and not stripped.startswith("#"):
            commands[-1].append(line)
    return ["\n".join(lines) for lines in commands]


def join_lines(text: str) -> str:
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
            return _character(int(code[1:], 16), code)
        if code[0] in "01234567":
            return _character(int(code, 8), code)
        return _ANSI_ESCAPES.get(code, "\\" + code)

    value = _ANSI_ESCAPE.sub(escape, match.group(1))
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _character(point: int, code: str) -> str:
    """The character at ``point``; an escape naming no character (past U+10FFFF, or a
    lone UTF-16 surrogate that no file or request could encode) stays as written."""
    if point > sys.maxunicode or 0xD800 <= point <= 0xDFFF:
        return "\\" + code
    return chr(point)


def _expand_ansi_c(text: str) -> str:
    """``text`` with each ``$'...'`` (bash's ANSI-C quoting) made a plain single-quoted
    word. Only outside quotes: inside ``'...'`` or ``"..."``, or after a backslash, a
    ``$'`` is text (a body such as ``'cost: $'`` stays as typed)."""
    out: list[str] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char == "\\":
            end = at + 2
        elif char == "'":
            close = text.find("'", at + 1)
            end = len(text) if close < 0 else close + 1  # unclosed: shlex reports it
        elif char == '"':
            end = at + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            end += 1
        elif (ansi := _ANSI_C.match(text, at)) is not None:
            out.append(_decode_ansi_c(ansi))
            at = ansi.end()
            continue
        else:
            end = at + 1
        out.append(text[at:end])
        at = end
    return "".join(out)


def split_words(text: str) -> list[str]:
    if not text:
        raise CurlParseError("The text is empty: paste a curl command such as 'curl URL'.")
    try:
        words = shlex.split(_expand_ansi_c(text), posix=True)
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


def flags_of(word: str) -> list[tuple[str, str | None]]:
    """The (long name, attached value) pairs of one word: ``--data=x``, ``-XPOST``, ``-sSL``."""
    if word.startswith("--"):
        name, equals, value = word[2:].partition("=")
        if equals and name in VALUE_FLAGS:
            return [(name, value)]
        return [(word[2:], None)]
    flags: list[tuple[str, str | None]] = []
    letters = word[1:]
    for index, letter in enumerate(letters):
        name = SHORT_FLAGS.get(letter, letter)
        if name in VALUE_FLAGS:
            rest = letters[index + 1 :]
            flags.append((name, rest or None))
            return flags
        flags.append((name, None))
    return flags


def looks_like_value(word: str) -> bool:
    """Whether the word after an unknown flag is its value rather than the URL."""
    return (
        not word.startswith("-")
        and "://" not in word
        and not re.match(r"[\w.-]+\.\w+(/|:|$)", word)
    )
