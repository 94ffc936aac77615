"""Read a SOAP Fault (1.1 or 1.2) out of a parsed response envelope.

The two versions spell the same facts differently (``faultcode`` vs ``Code/Value`` with
nested ``Subcode``s, ``faultstring`` vs ``Reason/Text`` per language...);
:class:`SoapFault` gives the response panel one shape for both. Child elements are
matched by local name: SOAP 1.1 wants them unqualified, but servers that qualify them
are common enough that being strict would hide real faults.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from apiclient.protocols.soap_xml import SOAP11_NS, SOAP12_NS, local_name, namespace, pretty_xml

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_VERSIONS = {SOAP11_NS: "1.1", SOAP12_NS: "1.2"}


@dataclass(frozen=True)
class SoapFault:
    """A fault as the server wrote it; every text is stripped, ``""`` when absent."""

    soap_version: str  # "1.1" | "1.2"
    code: str  # faultcode / Code/Value as written, prefix included ("soap:Client")
    subcodes: tuple[str, ...]  # SOAP 1.2 Subcode values, outermost first
    reason: str  # faultstring / the Reason/Text in English when there is one
    actor: str  # faultactor / Role (else Node)
    detail: str  # the detail's children as indented XML, or its text


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if local_name(child) == name]


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element | None) -> str:
    """All text inside the element (a faultstring may hold markup), stripped."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _detail(element: etree._Element | None) -> str:
    if element is None:
        return ""
    parts = [
        pretty_xml(copy.deepcopy(child))  # the copy declares only the namespaces it uses
        for child in element
        if isinstance(child.tag, str)
    ]
    return "\n".join(parts) if parts else _text(element)


def _english_text(reason: etree._Element | None) -> str:
    """The Reason/Text in English (``en``, then ``en-*``), else the first one."""
    texts = _children(reason, "Text") if reason is not None else []
    if not texts:
        return _text(reason)

    def preference(element: etree._Element) -> int:
        lang = (element.get(_XML_LANG) or "").lower()
        return 0 if lang == "en" else 1 if lang.startswith("en-") else 2

    return _text(min(texts, key=preference))  # min keeps the first of equal ones


def _subcodes(code: etree._Element | None) -> tuple[str, ...]:
    values: list[str] = []
    subcode = _child(code, "Subcode")
    while subcode is not None:
        values.append(_text(_child(subcode, "Value")))
        subcode = _child(subcode, "Subcode")
    return tuple(values)


def _fault_11(fault: etree._Element) -> SoapFault:
    return SoapFault(
        soap_version="1.1",
        code=_text(_child(fault, "faultcode")),
        subcodes=(),
        reason=_text(_child(fault, "faultstring")),
        actor=_text(_child(fault, "faultactor")),
        detail=_detail(_child(fault, "detail")),
    )


def _fault_12(fault: etree._Element) -> SoapFault:
    code = _child(fault, "Code")
    return SoapFault(
        soap_version="1.2",
        code=_text(_child(code, "Value")),
        subcodes=_subcodes(code),
        reason=_english_text(_child(fault, "Reason")),
        actor=_text(_child(fault, "Role")) or _text(_child(fault, "Node")),
        detail=_detail(_child(fault, "Detail")),
    )


def soap_version_of(envelope: etree._Element) -> str | None:
    """``"1.1"``/``"1.2"`` when the element is a SOAP Envelope, else None."""
    if local_name(envelope) != "Envelope":
        return None
    return _VERSIONS.get(namespace(envelope))


def find_fault(envelope: etree._Element) -> SoapFault | None:
    """The Fault that is the Body's first element, or None (a Fault elsewhere is data)."""
    version = soap_version_of(envelope)
    if version is None:
        return None
    soap_ns = namespace(envelope)
    body = next(
        (
            child
            for child in envelope
            if local_name(child) == "Body" and namespace(child) == soap_ns
        ),
        None,
    )
    if body is None:
        return None
    first = next((child for child in body if isinstance(child.tag, str)), None)
    if first is None or local_name(first) != "Fault" or namespace(first) != soap_ns:
        return None
    return _fault_11(first) if version == "1.1" else _fault_12(first)
