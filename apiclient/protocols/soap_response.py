"""Read an HTTP response as SOAP: the Fault if any, and what looks wrong.

Nothing here raises: whatever the server sent, the user gets to see it (the response
panel formats the body itself), with a sentence (``problem``) when it is not a normal
SOAP answer. A response that declares a DTD is never parsed into a tree, so entity
tricks (billion laughs, XXE) expand nothing and read no file.

Responses can be tens of megabytes, and although this runs in a worker thread, one long
call into lxml holds the GIL and so freezes the GUI thread. The body is therefore never
parsed whole into a tree, nor serialized: a pass that builds nothing checks it chunk by
chunk, and an incremental parse builds only the Envelope down to the Body's first
element, which is all a Fault needs (see :func:`read_response`).

The two SOAP versions spell a Fault's facts differently (``faultcode`` vs ``Code/Value``
with nested ``Subcode``s, ``faultstring`` vs ``Reason/Text`` per language...);
:class:`SoapFault` gives the response panel one shape for both. Its child elements are
matched by local name: SOAP 1.1 wants them unqualified, but servers that qualify them
are common enough that being strict would hide real faults.
"""

from __future__ import annotations

import codecs
import copy
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from apiclient.protocols.rest import RestResponse
from apiclient.protocols.soap_xml import (
    SOAP_NAMESPACES,
    XML_NS,
    DtdDeclared,
    NotWellFormed,
    check_well_formed,
    iter_untrusted,
    local_name,
    pretty_xml,
    soap_body,
    soap_version_of,
)

DTD_PROBLEM = "The response declares a DTD/entities; it was not parsed, for safety."
_CHECK_ENDPOINT = "Check that the endpoint URL is the SOAP service."
_XML_LANG = f"{{{XML_NS}}}lang"
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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


def find_fault(envelope: etree._Element) -> SoapFault | None:
    """The Fault that is the Body's first element, or None (a Fault elsewhere is data)."""
    version = soap_version_of(envelope)
    body = soap_body(envelope)
    if version is None or body is None:
        return None
    first = next((child for child in body if isinstance(child.tag, str)), None)
    if first is None or first.tag != f"{{{SOAP_NAMESPACES[version]}}}Fault":
        return None
    return _fault_11(first) if version == "1.1" else _fault_12(first)


# -- the response ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseReading:
    """What the response panel shows besides the HTTP facts."""

    fault: SoapFault | None
    problem: str


def _is_xml_type(content_type: str) -> bool:
    return content_type in ("text/xml", "application/xml") or content_type.endswith("+xml")


def _status_problem(http: RestResponse) -> str:
    """Why the status alone is worth a word when no Fault explains it."""
    code = http.status_code
    if code >= 500:
        return (
            f"HTTP {code} without a SOAP Fault: the server failed without saying why in SOAP terms."
        )
    if code >= 400:
        return (
            f"HTTP {code} without a SOAP Fault: the server refused the request before SOAP"
            f" ({http.reason or 'no reason given'}). Check the endpoint URL, HTTP auth and"
            " headers."
        )
    if code >= 300:
        where = http.header("location") or "no Location given"
        return (
            f"HTTP {code} is a redirect that was not followed ({where}). Turn on following"
            " redirects, or send to the new address."
        )
    return ""


def _joined(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _not_xml(http: RestResponse, error: NotWellFormed | None, status_problem: str) -> str:
    """The sentence for a body that did not parse (``error``) or was not even tried."""
    content_type = http.content_type or "no Content-Type"
    if error is not None and _is_xml_type(http.content_type):
        body_problem = (
            f"The response is not well-formed XML ({content_type}) at line {error.line}, column"
            f" {error.column}: {error.reason}."
        )
    else:
        body_problem = f"The response is not XML ({content_type}); it is shown as received."
    return _joined(status_problem, body_problem, "" if status_problem else _CHECK_ENDPOINT)


def _envelope_head(events: Iterator[tuple[str, etree._Element]]) -> etree._Element:
    """The root, built just far enough for :func:`find_fault`.

    That is the root alone when it is no Envelope; else up to the start of the Body's
    first element, or to its end when that element is a Fault (faults are small); the
    whole document only when there is no Body or it has no element. What comes before
    the Body (the Header) is dropped as it is read, so a large one makes no large tree.
    """
    root: etree._Element | None = None
    body: etree._Element | None = None
    fault: etree._Element | None = None
    for event, element in events:
        if root is None:
            root = element
            version = soap_version_of(root)
            if version is None:
                return root
            soap_ns = SOAP_NAMESPACES[version]
        elif event == "start":
            parent = element.getparent()
            if body is None and parent is root and element.tag == f"{{{soap_ns}}}Body":
                body = element
            elif fault is None and body is not None and parent is body:
                if element.tag != f"{{{soap_ns}}}Fault":
                    return root
                fault = element
        elif element is fault or element is body:
            return root
        elif body is None and element is not root:
            # Done with, and its children are gone already: dropping it frees one node.
            element.getparent().remove(element)
    if root is None:  # not reached: iter_untrusted raises for a document without a root
        raise NotWellFormed("it is not XML", line=1, column=1, namespace_only=False)
    return root


def _read_root(body: bytes, encoding: str | None) -> etree._Element:
    """Refuse a DTD, check the whole body's syntax, then read the Envelope's head."""
    events = iter_untrusted(body, encoding=encoding)  # the DTD scan, before any parse
    check_well_formed(body, encoding=encoding)
    return _envelope_head(events)


def _parse(http: RestResponse) -> etree._Element:
    """The body's root (see :func:`_envelope_head`), decoded as its charset says.

    For XML media types the HTTP charset wins over the XML declaration (RFC 7303 §8.1),
    and SOAP 1.1 servers often send ``text/xml; charset=ISO-8859-1`` with no
    declaration at all, which libxml2 would otherwise read as UTF-8. A byte order mark
    still wins over both.
    """
    charset = http.charset
    if charset and not http.body.startswith(_BOMS):
        try:
            return _read_root(http.body, charset)
        except LookupError:  # a charset libxml2 does not know: let the document say
            pass
    return _read_root(http.body, None)


def read_response(http: RestResponse) -> ResponseReading:
    """Read the body safely, in a worker thread: CPU-bound on large bodies.

    No single call into lxml runs long (the body is read 64 KB at a time), so the GIL
    is free every millisecond or so and the GUI thread keeps running. The whole body is
    checked for errors with no tree built, so one anywhere is reported as before; then
    the Envelope is parsed only down to the Body's first element (to its end when it is
    a Fault), which is all :func:`find_fault` needs. About 7 ms a megabyte.
    """
    status_problem = _status_problem(http)
    if not http.body.strip():
        # One-way operations answer 202 (or 200) with no body: that is success.
        return ResponseReading(fault=None, problem=status_problem)
    try:
        root = _parse(http)
    except DtdDeclared:
        # An HTML page starts with <!DOCTYPE html>: that is a web page, not an attack.
        labelled_other = bool(http.content_type) and not _is_xml_type(http.content_type)
        problem = _not_xml(http, None, status_problem) if labelled_other else DTD_PROBLEM
        return ResponseReading(fault=None, problem=problem)
    except NotWellFormed as exc:
        return ResponseReading(fault=None, problem=_not_xml(http, exc, status_problem))
    fault = find_fault(root)
    problem = ""
    if fault is None:
        not_soap = ""
        if soap_version_of(root) is None:
            not_soap = (
                f"The response is XML but not a SOAP envelope: its root is <{local_name(root)}>."
            )
        problem = _joined(
            status_problem, not_soap, _CHECK_ENDPOINT if not_soap and not status_problem else ""
        )
    return ResponseReading(fault=fault, problem=problem)
