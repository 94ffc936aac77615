"""Pretty-printing a JSON file of any size, a megabyte at a time, file to file.

``json.loads`` of a 500 MB body needs gigabytes of memory; this re-indents the text as
it streams past instead, keeping strings, numbers and literals exactly as written (an
escaped character stays escaped), so memory stays at a few megabytes whatever the size,
even inside a string of hundreds of megabytes: what of a string is known to go on is
written out at once. It checks no more than it needs: brackets that do not pair up and
two values with nothing between them are reported as a problem, and the rest of the
text is written on as received. Runs in the worker process, and stops when the job is
moot (:func:`~apiclient.core.body_files.job_stopped`).
"""

from __future__ import annotations

import re

from apiclient.core.body_files import JobStopped, job_stopped, side_file
from apiclient.core.body_spool import COPY_STEP

# A whole string, one structural character, a run of anything else but white space,
# white space, or a string's opening quote with no end yet (the rest of it in the next
# chunk).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+|\s+|"', re.S)
# What may follow a string's opening quote up to its closing one.
_STRING_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.S)
_CLOSERS = {"{": "}", "[": "]"}
_INDENT = "  "

# A token and where it starts in the text being fed.
Token = tuple[int, str]


class _Printer:
    def __init__(self) -> None:
        self.stack: list[str] = []
        self.pending = ""  # an opening bracket not written yet: "{}" stays on one line
        self.after_value = False  # a value ended last: only , : } ] may come next
        self.problem = ""

    def feed(self, tokens: list[Token], out: list[str], text: str, base: int) -> None:
        """Write ``tokens`` of ``text``, which starts at byte ``base`` of the file."""
        for at, token in tokens:
            if token[0].isspace():
                continue
            if self.pending:
                if token == _CLOSERS[self.pending]:
                    out.append(self.pending + token)
                    self.pending = ""
                    self.stack.pop()
                    self.after_value = True
                    continue
                out.append(self.pending + "\n" + _INDENT * len(self.stack))
                self.pending = ""
            if token in ("}", "]"):
                if not self.stack or _CLOSERS[self.stack[-1]] != token:
                    self.problem = self.problem or f"Unexpected {token!r} in the JSON"
                else:
                    self.stack.pop()
                out.append("\n" + _INDENT * len(self.stack) + token)
                self.after_value = True
                continue
            if token in (",", ":"):
                out.append(",\n" + _INDENT * len(self.stack) if token == "," else ": ")
                self.after_value = False
                continue
            if self.after_value and not self.problem:
                where = base + len(text[:at].encode("utf-8", "surrogatepass"))
                self.problem = f"Unexpected value at byte {where:,} in the JSON"
            if token in ("{", "["):
                self.stack.append(token)
                self.pending = token
                self.after_value = False
            else:
                out.append(token)
                self.after_value = True

    def finish(self, out: list[str], in_string: bool) -> None:
        if self.pending:
            out.append(self.pending)
        if in_string:
            self.problem = self.problem or "The JSON ends inside a string"
        if self.stack and not self.problem:
            self.problem = "The JSON ends before all its brackets are closed"


def pretty_json_file(source: str, target: str, stop_path: str = "") -> str:
    """Write ``source`` (UTF-8 JSON) re-indented by two spaces to ``target``; returns a
    problem ("" when none): the pretty text is written all the same. Raises
    :class:`JobStopped` when the job became moot (``target`` is then not written)."""
    printer = _Printer()
    carry = ""
    in_string = False  # whether ``carry`` goes on inside a string partly written out
    base = 0  # the byte of the file where ``carry`` starts
    with (
        open(source, encoding="utf-8", errors="replace", newline="") as src,
        side_file(source, target, stop_path) as dst,
    ):
        while True:
            if job_stopped(source, stop_path):
                raise JobStopped
            chunk = src.read(COPY_STEP)
            final = not chunk
            text = carry + chunk
            out: list[str] = []
            start = 0
            if in_string:
                # Written up to where the string is known to go on; only a backslash
                # whose escaped character is in the next chunk is carried.
                start = _string_end(text, 0)
                if start < len(text) and text[start] == '"':
                    start += 1
                    in_string = False
                elif final:  # the JSON ends inside the string: written as it is
                    start = len(text)
                out.append(text[:start])
            if not in_string:
                tokens, carry, in_string = _split(text, start, final=final)
                printer.feed(tokens, out, text, base)
            elif not final:
                carry = text[start:]
            if final:
                printer.finish(out, in_string)
            dst.write("".join(out))
            if final:
                break
            base += len(text.encode("utf-8", "surrogatepass")) - len(
                carry.encode("utf-8", "surrogatepass")
            )
    return printer.problem


def _split(text: str, start: int, *, final: bool) -> tuple[list[Token], str, bool]:
    """The tokens of ``text`` from ``start``; what to carry to the next chunk (the last
    token, which may go on, or the unchecked end of an open string); and whether that
    carry is inside a string already begun in the tokens."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text, start):
        token, at = match.group(), match.start()
        if token == '"':  # a string with no end in ``text``
            if final:
                tokens.append((at, text[at:]))
                return tokens, "", True
            end = _string_end(text, at + 1)
            tokens.append((at, text[at:end]))
            return tokens, text[end:], True
        tokens.append((at, token))
    if tokens and not final:
        at, _ = tokens.pop()
        return tokens, text[at:], False
    return tokens, "", False


def _string_end(text: str, start: int) -> int:
    """Where the string whose body goes on at ``start`` stops: at its closing quote, a
    backslash that ends ``text``, or the end of ``text``."""
    match = _STRING_BODY.match(text, start)
    assert match is not None  # the pattern matches the empty string too
    return match.end()
