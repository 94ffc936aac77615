"""Check a SOAP response body against the operation's output message schema.

zeep's own deserialization stops at the first problem, ignores missing required
elements and knows no enumerations, and lxml's XMLSchema needs every inline schema of
the WSDL rebuilt into standalone documents (and fails on many real ones). So this
module walks the response next to zeep's resolved types itself and reports every
mismatch as a line a person can act on::

    GetPatientResponse/Patient/Gender: 'robot' is not one of male, female, other, unknown
    GetPatientResponse/Patient: the required element <BirthDate> is missing

It checks element names and order (sequence, choice, all), how often each occurs,
required attributes, and simple values (type and enumeration). A Fault is not its
business (faults are shown elsewhere), so a Fault body passes. rpc and encoded
responses are matched on local names, and encoded arrays and multi-ref (href)
elements are not looked into, because servers differ too much there.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from lxml import etree
from zeep.wsdl.messages.soap import RpcMessage
from zeep.xsd import All, Choice, ComplexType, Element, Group, Sequence
from zeep.xsd import Any as XsdAny
from zeep.xsd.types.simple import AnySimpleType

from apiclient.protocols.soap_wsdl_types import (
    EnumerationIndex,
    array_item_type,
    builtin_name,
    is_body_wrapper,
    list_item_type,
    simple_content,
    type_label,
)
from apiclient.protocols.soap_xml import (
    XSI_NS,
    DtdDeclared,
    NotWellFormed,
    local_name,
    parse_untrusted,
    soap_body,
    soap_version_of,
)

MAX_MISMATCHES = 50
_BOOLEANS = {"true", "false", "1", "0"}


def check_response(
    message: Any, body: bytes, *, encoded: bool, enumerations: EnumerationIndex
) -> list[str]:
    """The mismatches between ``body`` (the whole HTTP body) and zeep's output
    ``message`` (a SoapMessage, or None when the operation has no output)."""
    try:
        root = parse_untrusted(body)
    except DtdDeclared as exc:
        what = "a DTD with entity declarations" if exc.entities else "a DTD (<!DOCTYPE …>)"
        return [f"The response declares {what}; it was not checked, for safety."]
    except NotWellFormed as exc:
        return [
            f"The response is not well-formed XML: {exc.reason} (line {exc.line}, column "
            f"{exc.column})."
        ]
    if soap_version_of(root) is None:
        return [f"The response is not a SOAP envelope: its root element is <{local_name(root)}>."]
    body_element = soap_body(root)
    if body_element is None:
        return ["The response envelope has no Body."]
    children = deque(body_element.iterchildren(etree.Element))
    if children and children[0].tag == f"{{{etree.QName(body_element).namespace}}}Fault":
        return []
    if message is None or message.body is None:
        if children:
            return [
                f"The operation declares no output, but the response Body contains "
                f"<{etree.QName(children[0]).localname}>."
            ]
        return []
    checker = _Checker(message, enumerations, loose=encoded or isinstance(message, RpcMessage))
    checker.body(children, message.body)
    return checker.report()


class _Checker:
    def __init__(self, message: Any, enumerations: EnumerationIndex, *, loose: bool) -> None:
        self.schema = message.wsdl.types
        self.enumerations = enumerations
        self.loose = loose
        self.errors: list[str] = []
        self.context: list[str] = []

    def report(self) -> list[str]:
        if len(self.errors) <= MAX_MISMATCHES:
            return self.errors
        extra = len(self.errors) - MAX_MISMATCHES
        return [*self.errors[:MAX_MISMATCHES], f"… and {extra} more mismatches."]

    def body(self, children: deque[etree._Element], expected: Element) -> None:
        if is_body_wrapper(expected):
            for _, part in expected.type.elements:
                self.particle(part, children, "Body", self.errors)
        elif not children:
            self.errors.append(f"The response Body is empty; <{expected.name}> was expected.")
            return
        else:
            first = children.popleft()
            if self.loose or etree.QName(first) == expected.qname:
                self.element(first, expected, etree.QName(first).localname)
            else:
                self.errors.append(
                    f"The response Body contains {_describe(first)} where "
                    f"{_describe_qname(expected.qname)} was expected."
                )
        for extra in children:
            if not (self.loose and extra.get("id")):  # encoded multi-ref values
                self.errors.append(f"Body: unexpected element {_describe(extra)}.")

    # -- elements and types --------------------------------------------------------

    def element(self, node: etree._Element, declared: Element, path: str) -> None:
        if node.get(f"{{{XSI_NS}}}nil") in ("true", "1"):
            if not declared.nillable:
                self.errors.append(f"{path}: is nil (xsi:nil), which the schema does not allow.")
            return
        if self.loose and node.get("href"):
            return  # a multi-ref accessor: the value is elsewhere in the Body
        xsd_type = self._actual_type(node, declared.type)
        if isinstance(xsd_type, ComplexType):
            self.context.extend((declared.name or "", type_label(xsd_type)))
            try:
                self.complex(node, xsd_type, path)
            finally:
                del self.context[-2:]
        elif isinstance(xsd_type, AnySimpleType):
            child = next(node.iterchildren(etree.Element), None)
            if child is not None:
                self.errors.append(
                    f"{path}: should hold a value, not the element {_describe(child)}."
                )
            else:
                self.value(node.text or "", xsd_type, path)

    def _actual_type(self, node: etree._Element, declared: Any) -> Any:
        """The xsi:type the response names, when the schema knows it."""
        xsi_type = node.get(f"{{{XSI_NS}}}type")
        if not xsi_type:
            return declared
        prefix, _, local = xsi_type.rpartition(":")
        try:
            return self.schema.get_type(etree.QName(node.nsmap.get(prefix or None), local))
        except Exception:  # unknown to the schema: keep what the WSDL declares
            return declared

    def complex(self, node: etree._Element, xsd_type: ComplexType, path: str) -> None:
        for _, attribute in xsd_type.attributes:
            qname = getattr(attribute, "qname", None)
            if qname is None or attribute.type is None:
                continue
            value = node.get(qname.text)
            if value is None:
                if attribute.required:
                    self.errors.append(
                        f"{path}: the required attribute '{qname.localname}' is missing."
                    )
            else:
                self.value(value, attribute.type, f"{path}/@{qname.localname}")
        content = simple_content(xsd_type)
        children = deque(node.iterchildren(etree.Element))
        if content is not None:
            if children:
                self.errors.append(
                    f"{path}: should hold a value, not the element {_describe(children[0])}."
                )
            else:
                self.value(node.text or "", content, path)
            return
        if self.loose and array_item_type(xsd_type) is not None:
            return
        for _, particle in xsd_type.elements_nested:
            self.particle(particle, children, path, self.errors)
        if children:
            rest = len(children) - 1
            after = f"; {rest} more element(s) after it were not checked" if rest else ""
            self.errors.append(f"{path}: unexpected element {_describe(children[0])}{after}.")

    def value(self, text: str, xsd_type: Any, path: str) -> None:
        collapsed = " ".join(text.split())
        values = self.enumerations.values(xsd_type, self.context)
        if values and collapsed not in values:
            shown = ", ".join(values[:20]) + (", …" if len(values) > 20 else "")
            self.errors.append(f"{path}: '{_short(text)}' is not one of {shown}.")
            return
        item = list_item_type(xsd_type)
        if item is not None:
            for token in collapsed.split():
                self.value(token, item, path)
            return
        if not self._parses(collapsed, xsd_type):
            kind = builtin_name(xsd_type) or type_label(xsd_type)
            self.errors.append(f"{path}: '{_short(text)}' is not a valid {kind}.")

    def _parses(self, text: str, xsd_type: Any) -> bool:
        members = getattr(xsd_type, "item_types", None)
        if members:  # a union: any member will do
            return any(self._parses(text, member) for member in members)
        name = builtin_name(xsd_type)
        if name in (None, "string", "normalizedString", "anySimpleType"):
            return True
        if name == "boolean":
            return text in _BOOLEANS
        try:
            xsd_type.pythonvalue(text)
        except Exception:
            return False
        return True

    # -- content models ------------------------------------------------------------

    def particle(
        self, particle: Any, children: deque[etree._Element], path: str, errors: list[str]
    ) -> int:
        """Match ``particle`` against the front of ``children``; return how many it used."""
        if isinstance(particle, Element):
            return self._elements(particle, children, path, errors)
        if isinstance(particle, XsdAny):
            unbounded = particle.max_occurs == "unbounded"
            limit = len(children) if unbounded else int(particle.max_occurs)
            taken = min(limit, len(children))
            for _ in range(taken):
                children.popleft()
            return taken
        if isinstance(particle, Sequence | All | Choice | Group):
            return self._repeat(particle, children, path, errors)
        return 0

    def _matches(self, node: etree._Element, declared: Element) -> bool:
        if self.loose:
            return etree.QName(node).localname == declared.qname.localname
        return etree.QName(node) == declared.qname

    def _elements(
        self, declared: Element, children: deque[etree._Element], path: str, errors: list[str]
    ) -> int:
        count = 0
        limit = declared.max_occurs
        while children and self._matches(children[0], declared):
            if limit != "unbounded" and count >= int(limit):
                break
            node = children.popleft()
            count += 1
            name = etree.QName(node).localname
            self.element(node, declared, f"{path}/{name}" + (f"[{count}]" if limit != 1 else ""))
        if count < declared.min_occurs:
            found = f" (found {_describe(children[0])} instead)" if children else ""
            errors.append(f"{path}: the required element <{declared.name}> is missing{found}.")
        return count

    def _repeat(
        self, indicator: Any, children: deque[etree._Element], path: str, errors: list[str]
    ) -> int:
        """A sequence, choice, all or group, as often as it may occur."""
        total = rounds = 0
        limit = indicator.max_occurs
        while children and (limit == "unbounded" or rounds < limit):
            attempt: list[str] = []
            used = self._once(indicator, children, path, attempt)
            if used == 0:
                break
            errors.extend(attempt)
            total += used
            rounds += 1
        if rounds == 0 and indicator.min_occurs > 0:
            self._once(indicator, children, path, errors)  # reports what is missing
        return total

    def _once(
        self, indicator: Any, children: deque[etree._Element], path: str, errors: list[str]
    ) -> int:
        if isinstance(indicator, Group):
            return self.particle(indicator.child, children, path, errors)
        if isinstance(indicator, Choice):
            return self._choice(indicator, children, path, errors)
        if isinstance(indicator, All):
            return self._all(indicator, children, path, errors)
        return sum(self.particle(child, children, path, errors) for child in indicator)

    def _choice(
        self, choice: Choice, children: deque[etree._Element], path: str, errors: list[str]
    ) -> int:
        for option in choice:
            trial = deque(children)
            attempt: list[str] = []
            used = self.particle(option, trial, path, attempt)
            if used:
                children.clear()
                children.extend(trial)
                errors.extend(attempt)
                return used
        if choice.min_occurs > 0:
            names = ", ".join(f"<{e.name}>" for _, e in choice.elements)
            found = f" (found {_describe(children[0])})" if children else ""
            errors.append(f"{path}: one of {names} is required{found}.")
        return 0

    def _all(
        self, group: All, children: deque[etree._Element], path: str, errors: list[str]
    ) -> int:
        members = [p for p in group if isinstance(p, Element)]
        seen: set[int] = set()
        used = 0
        while children:
            match = next(
                (m for m in members if id(m) not in seen and self._matches(children[0], m)), None
            )
            if match is None:
                break
            seen.add(id(match))
            used += self._elements(match, children, path, errors)
        for member in members:
            if id(member) not in seen and member.min_occurs > 0 and (used or group.min_occurs):
                errors.append(f"{path}: the required element <{member.name}> is missing.")
        return used


def _describe_qname(qname: etree.QName) -> str:
    where = f" (namespace {qname.namespace})" if qname.namespace else ""
    return f"<{qname.localname}>{where}"


def _describe(node: etree._Element) -> str:
    """<name>, with the namespace when it is not the one of the parent element."""
    qname = etree.QName(node)
    parent = node.getparent()
    parent_ns = etree.QName(parent).namespace if parent is not None else None
    return f"<{qname.localname}>" if qname.namespace == parent_ns else _describe_qname(qname)


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 60 else text[:57] + "..."
