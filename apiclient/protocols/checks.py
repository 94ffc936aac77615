"""Checks (assertions) and captures on a response, for the collection runner.

A response is given as :class:`ResponseFacts`, whatever engine produced it, so the same
checks work on REST, SOAP, GraphQL and gRPC responses. Evaluation never raises: a bad
JSONPath, XPath or regular expression, or a body that is not JSON or XML, is a failed
check (or an empty capture) whose message says so in words a person can act on.

How a value found in the response is compared:

* JSONPath (RFC 9535, via ``python-jsonpath``): one match that is a string is itself;
  any other single match is its JSON text (so expected ``42`` equals ``42`` and
  ``true`` equals ``true``); several matches are a JSON list.
* XPath (lxml, safe parsing from :mod:`apiclient.protocols.soap_xml`): prefixes are the
  document's own declarations (the first one wins when a prefix is declared twice). A
  node is its string value, one result is itself, several are a JSON list of strings.
* ``equals`` compares numerically when both sides are numbers, structurally when the
  value is a JSON object, array, boolean or null and the expected text is JSON, and
  as text otherwise. ``contains`` is membership for a list and substring otherwise;
  ``matches`` is ``re.search``; ``less_than``/``greater_than`` need two numbers.
* Header names are case-insensitive; a repeated header is its values joined by ", ".
* The body is decoded by the content type's charset, UTF-8 by default, bad bytes
  replaced.

Expected values are used as given: the runner resolves their ``{{variables}}`` first.
Parsing a large body is CPU-bound: call these from a worker thread.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from jsonpath import JSONPath, JSONPathEnvironment, JSONPathError
from lxml import etree

from apiclient.core.models import Capture, Check
from apiclient.protocols.soap_xml import DtdDeclared, NotWellFormed, parse_untrusted

ACTUAL_MAX_CHARS = 4096
"""``CheckResult.actual`` is cut to this many characters (a body can be megabytes)."""

_SHOWN_MAX_CHARS = 120  # a value quoted inside a message
_KEYS_SHOWN = 10

_JSONPATH = JSONPathEnvironment(strict=True)  # RFC 9535, no extensions
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class ResponseFacts:
    """What checks and captures may look at in one response."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_type: str
    elapsed_ms: float


@dataclass(frozen=True)
class CheckResult:
    """``actual`` is the value found ("" when none), cut to :data:`ACTUAL_MAX_CHARS`;
    ``message`` a sentence for a person, whether the check passed or not."""

    check: Check
    passed: bool
    actual: str
    message: str


@dataclass(frozen=True)
class CaptureResult:
    """``value`` is None when nothing was found; ``message`` says what was set, or why not."""

    capture: Capture
    value: str | None
    message: str


class _NotFound(Exception):
    """No value was found; ``message`` says why. ``absent`` means the response was read
    and simply has no such value (so ``not_exists`` passes), as opposed to a bad
    expression or an unreadable body."""

    def __init__(self, message: str, *, absent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.absent = absent


_NO_JSON = object()


@dataclass(frozen=True)
class _Value:
    """A value found in a response: its text, and its JSON data when it came from JSON
    (or a list of matches), for comparisons that depend on the type."""

    text: str
    data: Any = _NO_JSON


# ---- public API --------------------------------------------------------------------------


def evaluate_checks(checks: Sequence[Check], facts: ResponseFacts) -> list[CheckResult]:
    """The result of each enabled check, in order; disabled checks are skipped."""
    response = _Response(facts)
    return [_evaluate(check, response) for check in checks if check.enabled]


def run_captures(captures: Sequence[Capture], facts: ResponseFacts) -> list[CaptureResult]:
    """The value of each enabled capture, in order; disabled captures are skipped."""
    response = _Response(facts)
    return [_capture(capture, response) for capture in captures if capture.enabled]


# ---- the response, parsed at most once ---------------------------------------------------


class _Response:
    """``facts`` with the body decoded and parsed lazily, each at most once."""

    def __init__(self, facts: ResponseFacts) -> None:
        self.facts = facts

    @cached_property
    def text(self) -> str:
        return self.facts.body.decode(_charset(self.facts.content_type), errors="replace")

    @cached_property
    def json(self) -> Any:
        """The body as JSON data, or ``_NotFound`` saying why it is not JSON."""
        if not self.text.strip():
            return _NotFound("The body is empty, not JSON.")
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            return _NotFound(
                f"The body is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
            )
        except RecursionError:
            return _NotFound("The body is JSON nested too deeply to read.")

    @cached_property
    def xml(self) -> etree._Element | _NotFound:
        if not self.facts.body.strip():
            return _NotFound("The body is empty, not XML.")
        try:
            return parse_untrusted(self.facts.body)
        except DtdDeclared:
            return _NotFound("The body declares a DTD; it is not read, for safety.")
        except NotWellFormed as exc:
            return _NotFound(
                f"The body is not XML (line {exc.line}, column {exc.column}: {exc.reason})."
            )
        except (LookupError, ValueError) as exc:
            return _NotFound(f"The body cannot be read as XML ({exc}).")

    @cached_property
    def namespaces(self) -> dict[str, str]:
        """The prefixes the document declares (not the default namespace), first wins."""
        found: dict[str, str] = {}
        if isinstance(self.xml, _NotFound):
            return found
        for _event, (prefix, uri) in etree.iterwalk(self.xml, events=("start-ns",)):
            if prefix:
                found.setdefault(prefix, uri)
        return found

    def header(self, name: str) -> str | None:
        wanted = name.strip().lower()
        values = [value for key, value in self.facts.headers if key.lower() == wanted]
        return ", ".join(values) if values else None


def _charset(content_type: str) -> str:
    match = _CHARSET.search(content_type)
    if match:
        try:
            name = codecs.lookup(match.group(1)).name
        except LookupError:
            name = "utf-8"
    else:
        name = "utf-8"
    return "utf-8-sig" if name == "utf-8" else name  # a leading BOM is not text


# ---- finding a value ---------------------------------------------------------------------


def _find(source: str, expression: str, response: _Response) -> _Value:
    """The value ``source``/``expression`` names, or ``_NotFound``."""
    if source == "status":
        return _Value(str(response.facts.status))
    if source == "time_ms":
        return _Value(_format_number(response.facts.elapsed_ms))
    if source == "body":
        return _Value(response.text)
    if source == "header":
        if not expression.strip():
            raise _NotFound("No header name is given.")
        value = response.header(expression)
        if value is None:
            raise _NotFound(f"The response has no {expression.strip()} header.", absent=True)
        return _Value(value)
    if source == "jsonpath":
        return _find_json(expression, response)
    if source == "xpath":
        return _find_xml(expression, response)
    raise _NotFound(f"Unknown source {source!r}.")  # pragma: no cover - the model forbids it


def _compile_jsonpath(expression: str) -> JSONPath:
    if not expression.strip():
        raise _NotFound("No JSONPath is given (for example $.data.id).")
    try:
        path = _JSONPATH.compile(expression.strip())
    except JSONPathError as exc:
        raise _NotFound(f"The JSONPath {expression.strip()} is not valid: {exc.message}.") from None
    if not isinstance(path, JSONPath):  # pragma: no cover - strict mode has no compound paths
        raise _NotFound(f"The JSONPath {expression.strip()} is not valid.")
    return path


def _find_json(expression: str, response: _Response) -> _Value:
    path = _compile_jsonpath(expression)
    data = response.json
    if isinstance(data, _NotFound):
        raise data
    try:
        matches = path.findall(data)
    except JSONPathError as exc:
        raise _NotFound(f"The JSONPath {expression.strip()} failed: {exc.message}.") from None
    if not matches:
        raise _NotFound(f"No value at {expression.strip()}{_json_hint(path, data)}.", absent=True)
    if len(matches) > 1:
        return _Value(_json_text(matches), matches)
    match = matches[0]
    if isinstance(match, str):
        return _Value(match)
    return _Value(_json_text(match), match)


def _json_hint(path: JSONPath, data: Any) -> str:
    """Where the path stops finding anything, and what is there instead."""
    segments = path.segments
    for depth in range(len(segments) - 1, -1, -1):
        prefix = "$" + "".join(str(segment) for segment in segments[:depth])
        try:
            found = _JSONPATH.findall(prefix, data)
        except JSONPathError:
            return ""
        if len(found) != 1:
            continue
        token = segments[depth].token  # where the first missing step starts, as typed
        shown = token.path[: token.index] if token.index > 0 else prefix
        where = "there" if depth == len(segments) - 1 else f"at {shown}"
        return f" ({_describe_json(found[0], where)})"
    return ""


def _describe_json(value: Any, where: str) -> str:
    """What is at a place in a JSON document: "the object there has keys: id, name"."""
    if isinstance(value, dict):
        if not value:
            return f"the object {where} is empty"
        keys = list(value)
        shown = ", ".join(str(key) for key in keys[:_KEYS_SHOWN])
        more = f" and {len(keys) - _KEYS_SHOWN} more" if len(keys) > _KEYS_SHOWN else ""
        return f"the object {where} has keys: {shown}{more}"
    if isinstance(value, list):
        return f"the array {where} has {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, bool):
        kind = "a boolean"
    elif value is None:
        kind = "null"
    elif isinstance(value, str):
        kind = "a string"
    else:
        kind = "a number"
    return f"the value {where} is {kind}"


def _find_xml(expression: str, response: _Response) -> _Value:
    expression = expression.strip()
    if not expression:
        raise _NotFound("No XPath is given (for example //item/id).")
    root = response.xml
    if isinstance(root, _NotFound):
        raise root
    try:
        result = root.xpath(expression, namespaces=response.namespaces)
    except etree.XPathError as exc:
        declared = ", ".join(sorted(response.namespaces)) or "none"
        raise _NotFound(
            f"The XPath {expression} is not valid: {exc} (prefixes declared in the "
            f"document: {declared})."
        ) from None
    if isinstance(result, bool):
        return _Value("true" if result else "false", result)
    if isinstance(result, float):
        return _Value(_format_number(result))
    if isinstance(result, str):
        return _Value(str(result))
    if not result:
        hint = ""
        if None in root.nsmap:
            hint = (
                " (the document has a default namespace, which XPath cannot name without "
                "a prefix: use *[local-name()='name'])"
            )
        raise _NotFound(f"No node at {expression}{hint}.", absent=True)
    texts = [_node_text(node) for node in result]
    if len(texts) == 1:
        return _Value(texts[0])
    return _Value(_json_text(texts), texts)


def _node_text(node: Any) -> str:
    if isinstance(node, etree._Element):
        if not isinstance(node.tag, str):  # a comment or processing instruction
            return node.text or ""
        return "".join(node.itertext())
    if isinstance(node, tuple):  # a namespace node: (prefix, uri)
        return str(node[1])
    return str(node)


# ---- comparing ---------------------------------------------------------------------------

_PASS_VERBS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "contains": "contains",
    "not_contains": "does not contain",
    "matches": "matches",
    "less_than": "is less than",
    "greater_than": "is greater than",
}
_EXPECT_PHRASES = {
    "equals": "to equal",
    "not_equals": "not to equal",
    "contains": "to contain",
    "not_contains": "not to contain",
    "matches": "to match",
    "less_than": "to be less than",
    "greater_than": "to be greater than",
}


def _evaluate(check: Check, response: _Response) -> CheckResult:
    subject = _subject(check)
    value: _Value | None = None
    why: _NotFound | None = None
    try:
        value = _find(check.source, check.expression, response)
    except _NotFound as exc:
        why = exc
    if check.op in ("exists", "not_exists"):
        return _existence(check, subject, value, why)
    if value is None:
        return CheckResult(check, False, "", why.message if why else "")
    actual = _cut(value.text)
    try:
        passed = _compare(check.op, value, check.expected, subject)
    except _NotFound as exc:
        return CheckResult(check, False, actual, exc.message)
    expected = _show(check.expected)
    if check.source == "time_ms":
        expected += " ms"
    if passed:
        message = f"{_capital(subject)} {_PASS_VERBS[check.op]} {expected}."
    else:
        got = _show(value.text) + (" ms" if check.source == "time_ms" else "")
        message = f"Expected {subject} {_EXPECT_PHRASES[check.op]} {expected}, got {got}."
    return CheckResult(check, passed, actual, message)


def _existence(
    check: Check, subject: str, value: _Value | None, why: _NotFound | None
) -> CheckResult:
    if why is not None and not why.absent:  # a bad expression or body proves neither
        return CheckResult(check, False, "", why.message)
    wanted = check.op == "exists"
    if value is None:
        if wanted and why is not None:
            return CheckResult(check, False, "", why.message)
        return CheckResult(check, not wanted, "", f"{_capital(subject)} does not exist.")
    actual = _cut(value.text)
    if wanted:
        return CheckResult(check, True, actual, f"{_capital(subject)} exists.")
    message = f"Expected {subject} not to exist, got {_show(value.text)}."
    return CheckResult(check, False, actual, message)


def _compare(op: str, value: _Value, expected: str, subject: str) -> bool:
    if op == "equals":
        return _equals(value, expected)
    if op == "not_equals":
        return not _equals(value, expected)
    if op in ("contains", "not_contains"):
        if isinstance(value.data, list):
            found = any(_equals(_item_value(item), expected) for item in value.data)
        else:
            found = expected in value.text
        return found == (op == "contains")
    if op == "matches":
        try:
            return re.search(expected, value.text) is not None
        except re.error as exc:
            raise _NotFound(
                f"The regular expression {_show(expected)} is not valid: {exc}."
            ) from None
    if op in ("less_than", "greater_than"):
        limit = _number(expected)
        if limit is None:
            raise _NotFound(f"The expected value {_show(expected)} is not a number.")
        number = _number(value.text)
        if number is None:
            raise _NotFound(f"{_capital(subject)} is not a number: got {_show(value.text)}.")
        return number < limit if op == "less_than" else number > limit
    raise _NotFound(f"Unknown comparison {op!r}.")  # pragma: no cover - the model forbids it


def _item_value(item: Any) -> _Value:
    return _Value(item) if isinstance(item, str) else _Value(_json_text(item), item)


def _equals(value: _Value, expected: str) -> bool:
    mine, theirs = _number(value.text), _number(expected)
    if mine is not None and theirs is not None:
        return mine == theirs
    if value.data is not _NO_JSON and not isinstance(value.data, str | int | float):
        try:
            wanted = json.loads(expected)
        except (json.JSONDecodeError, RecursionError):
            return value.text == expected
        return _json_equal(value.data, wanted)
    return value.text == expected


def _json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON data that keeps ``true`` apart from ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _number(text: str) -> Decimal | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None


# ---- captures ----------------------------------------------------------------------------


def _capture(capture: Capture, response: _Response) -> CaptureResult:
    try:
        if capture.source == "regex":
            value = _find_regex(capture.expression, response)
        else:
            value = _find(capture.source, capture.expression, response).text
    except _NotFound as exc:
        return CaptureResult(capture, None, f"{capture.variable} was not set: {exc.message}")
    return CaptureResult(capture, value, f"Set {capture.variable} to {_show(value)}.")


def _find_regex(pattern: str, response: _Response) -> str:
    if not pattern:
        raise _NotFound("No regular expression is given.")
    try:
        match = re.search(pattern, response.text)
    except re.error as exc:
        raise _NotFound(f"The regular expression {_show(pattern)} is not valid: {exc}.") from None
    if match is None:
        raise _NotFound(f"The regular expression {_show(pattern)} does not match the body.")
    if match.re.groups == 0:
        return match.group(0)
    group = match.group(1)
    if group is None:
        raise _NotFound(
            f"The regular expression {_show(pattern)} matched, but its first group took no part."
        )
    return group


# ---- words -------------------------------------------------------------------------------


def _subject(check: Check) -> str:
    expression = check.expression.strip()
    if check.source == "status":
        return "the status"
    if check.source == "time_ms":
        return "the response time"
    if check.source == "body":
        return "the body"
    if check.source == "header":
        return f"header {expression}"
    return expression or f"the {check.source}"


def _capital(subject: str) -> str:
    """A subject starting a sentence; an expression keeps its case (``count(...)``)."""
    if subject.startswith(("the ", "header ")):
        return subject[:1].upper() + subject[1:]
    return subject


def _show(text: str) -> str:
    """``text`` for a message: bare when it reads as a number or JSON value, else quoted;
    long text is cut, with its length."""
    if len(text) > _SHOWN_MAX_CHARS:
        return f'"{text[:_SHOWN_MAX_CHARS]}…" ({len(text):,} characters)'
    if not text:
        return '""'
    if _number(text) is not None or text in ("true", "false", "null") or text[0] in "[{":
        return text
    return f'"{text}"'


def _cut(text: str) -> str:
    return text[:ACTUAL_MAX_CHARS] + ("…" if len(text) > ACTUAL_MAX_CHARS else "")


def _json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _format_number(number: float) -> str:
    if not math.isfinite(number):
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if number.is_integer():
        return str(int(number))
    return f"{number:.3f}".rstrip("0")
