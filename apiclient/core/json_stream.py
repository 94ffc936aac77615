"""Pretty-printing a JSON file of any size, a megabyte at a time, file to file.

``json.loads`` of a 500 MB body needs gigabytes of memory; this re-indents the text as
it streams past instead, keeping strings, numbers and literals exactly as written (an
escaped character stays escaped), so memory stays at a few megabytes whatever the size.
It checks no more than it needs: brackets that do not pair up are reported as a problem
and the rest of the text is written on as received. Runs in the worker process.
"""

from __future__ import annotations

import re

from apiclient.core.body_spool import COPY_STEP

# A whole string, one structural character, a run of anything else but white space,
# white space, or a string's opening quote with no end yet (the rest of it in the next
# chunk).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+|\s+|"', re.S)
# What may follow a string's opening quote up to its closing one.
_STRING_BODY = re.compile(r'(?:[^"\\]|\\.)*', re.S)
_CLOSERS = {"{": "}", "[": "]"}
_INDENT = "  "


class _Printer:
    def __init__(self) -> None:
        self.stack: list[str] = []
        self.pending = ""  # an opening bracket not written yet: "{}" stays on one line
        self.problem = ""

    def feed(self, tokens: list[str], out: list[str]) -> None:
        for token in tokens:
            first = token[0]
            if first.isspace():
                continue
            if self.pending:
                if token == _CLOSERS[self.pending]:
                    out.append(self.pending + token)
                    self.pending = ""
                    self.stack.pop()
                    continue
                out.append(self.pending + "\n" + _INDENT * len(self.stack))
                self.pending = ""
            if token in ("{", "["):
                self.stack.append(token)
                self.pending = token
            elif token in ("}", "]"):
                if not self.stack or _CLOSERS[self.stack[-1]] != token:
                    self.problem = self.problem or f"Unexpected {token!r} in the JSON"
                else:
                    self.stack.pop()
                out.append("\n" + _INDENT * len(self.stack) + token)
            elif token == ",":
                out.append(",\n" + _INDENT * len(self.stack))
            elif token == ":":
                out.append(": ")
            else:
                out.append(token)

    def finish(self, out: list[str]) -> None:
        if self.pending:
            out.append(self.pending)
        if self.stack and not self.problem:
            self.problem = "The JSON ends before all its brackets are closed"


def pretty_json_file(source: str, target: str) -> str:
    """Write ``source`` (UTF-8 JSON) re-indented by two spaces to ``target``; returns a
    problem ("" when none): the pretty text is written all the same."""
    printer = _Printer()
    carry = ""
    checked = 0  # how far the open string in ``carry`` is known to go on, if any
    with (
        open(source, encoding="utf-8", errors="replace", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as dst,
    ):
        while True:
            chunk = src.read(COPY_STEP)
            text = carry + chunk
            out: list[str] = []
            if checked:
                # A long string is scanned on from where it was left, not from its
                # start at every chunk (a 100 MB string would take minutes).
                end = _string_end(text, checked)
                if end < len(text) and text[end] == '"':
                    printer.feed([text[: end + 1]], out)
                    text = text[end + 1 :]
                elif chunk:
                    carry, checked = text, end
                    continue
                else:  # the JSON ends inside a string: written as it is
                    printer.feed([text], out)
                    text = ""
                checked = 0
            tokens, carry = _split(text, final=not chunk)
            if carry.startswith('"'):
                checked = _string_end(carry, 1)
            printer.feed(tokens, out)
            if not chunk:
                printer.finish(out)
            dst.write("".join(out))
            if not chunk:
                break
    return printer.problem


def _split(text: str, *, final: bool) -> tuple[list[str], str]:
    """The tokens of ``text``, and what to carry to the next chunk: a string with no
    end yet, or the last token, which may go on (unless it is the very end)."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == '"' and not final:
            return tokens, text[match.start() :]
        tokens.append(token)
    if tokens and not final:
        return tokens[:-1], tokens[-1]
    return tokens, ""


def _string_end(text: str, start: int) -> int:
    """Where the string whose body goes on at ``start`` stops: at its closing quote, a
    backslash that ends ``text``, or the end of ``text``."""
    match = _STRING_BODY.match(text, start)
    assert match is not None  # the pattern matches the empty string too
    return match.end()
