"""What a document of a WSDL must be before zeep sees it: safe XML, the right root.

Every document the transport fetches (the WSDL, each imported WSDL or schema) is parsed
with :func:`~apiclient.protocols.soap_xml.parse_untrusted`, so a DTD is refused before
anything is read or expanded. Prefixes used without being declared, a common slip in
hand-edited WSDLs, are repaired with a note instead of refusing the whole document.
Then the root must be a WSDL 1.1 ``definitions`` (or, for an import, an XML Schema),
and a namespace left as an unfilled template (``http://{{url}}/``) is refused. Each
failure is a :class:`WsdlError` worded for a person, naming the document.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from apiclient.protocols.errors import UnsafeXmlError, WsdlError, WsdlParseError
from apiclient.protocols.soap_xml import (
    SOAP11_ENCODING_NS,
    WSDL2_NS,
    WSDL_HTTP_NS,
    WSDL_NS,
    WSDL_SOAP11_NS,
    WSDL_SOAP12_NS,
    XSD_NS,
    XSI_NS,
    DtdDeclared,
    NotWellFormed,
    parse_untrusted,
)

# What people mean by prefixes they forget to declare.
_USUAL_PREFIXES = {
    "wsdl": WSDL_NS,
    "soap": WSDL_SOAP11_NS,
    "soap12": WSDL_SOAP12_NS,
    "http": WSDL_HTTP_NS,
    "mime": "http://schemas.xmlsoap.org/wsdl/mime/",
    "xsd": XSD_NS,
    "xs": XSD_NS,
    "xsi": XSI_NS,
    "soapenc": SOAP11_ENCODING_NS,
    "wsp": "http://schemas.xmlsoap.org/ws/2004/09/policy",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsam": "http://www.w3.org/2007/05/addressing/metadata",
    "wsaw": "http://www.w3.org/2006/05/addressing/wsdl",
}
ADDRESS_HINT = "Check the address: a WSDL is often published at the service URL followed by ?wsdl."


@dataclass(frozen=True)
class ReadDocument:
    """A document that was read: where from, and its (possibly repaired) root."""

    location: str
    root: etree._Element


@dataclass(frozen=True)
class VettedDocument:
    """A parsed document: its root, the bytes to hand to zeep, and what was repaired."""

    root: etree._Element
    content: bytes
    notes: tuple[str, ...] = ()


def vet_document(content: bytes, url: str, *, is_main: bool) -> VettedDocument:
    """Parse safely and check that the document is what its place requires.

    Raises UnsafeXmlError for a DTD, WsdlParseError for anything else that is wrong.
    """
    subject = f"The WSDL {url}" if is_main else f"The document {url}"
    parsed = _parse(content, subject, html_hint=ADDRESS_HINT if is_main else "")
    if is_main:
        _check_wsdl_root(parsed.root, url)
    else:
        _check_import_root(parsed.root, url)
    _check_namespaces(parsed.root, subject)
    return parsed


def _parse(content: bytes, subject: str, *, html_hint: str) -> VettedDocument:
    """``subject`` starts each message ("The WSDL http://…"), ``html_hint`` follows the
    one for an HTML page where XML was expected."""
    if not content.strip():
        raise WsdlParseError(f"{subject} is empty: there is no XML in it.")
    try:
        root = parse_untrusted(content, remove_comments=True)
    except NotWellFormed as exc:
        if not exc.namespace_only:
            raise _refused(content, subject, exc, html_hint) from None
        return _parse_with_namespace_slips(content, subject)
    except DtdDeclared as exc:
        raise _refused(content, subject, exc, html_hint) from None
    return VettedDocument(root, content)


def _parse_with_namespace_slips(content: bytes, subject: str) -> VettedDocument:
    """Read a document whose only faults are namespace slips (undeclared prefix, bad URI)."""
    root = parse_untrusted(content, remove_comments=True, recover=True)
    repaired, prefixes = _declare_missing_prefixes(root)
    if not prefixes:
        return VettedDocument(root, content)
    notes = tuple(
        f"{subject} uses the prefix '{prefix}:' without declaring it; it was read as {namespace}."
        for prefix, namespace in prefixes.items()
    )
    fixed = etree.tostring(repaired, encoding="utf-8", xml_declaration=True)
    return VettedDocument(repaired, fixed, notes)


def _declare_missing_prefixes(
    root: etree._Element,
) -> tuple[etree._Element, dict[str, str]]:
    """Give every undeclared prefix a namespace, declared once on a new root."""
    missing: dict[str, str] = {}
    for element in root.iter(etree.Element):
        for name in (element.tag, *element.attrib.keys()):
            if not name.startswith("{") and ":" in name:
                prefix = name.split(":", 1)[0]
                missing.setdefault(
                    prefix, _USUAL_PREFIXES.get(prefix, f"urn:undeclared-prefix:{prefix}")
                )
    if not missing:
        return root, {}

    def qualified(name: str) -> str:
        if name.startswith("{") or ":" not in name:
            return name
        prefix, local = name.split(":", 1)
        return f"{{{missing[prefix]}}}{local}"

    new_root = etree.Element(qualified(root.tag), nsmap={**root.nsmap, **missing})
    for key, value in root.attrib.items():
        new_root.set(qualified(key), value)
    new_root.text = root.text
    new_root.extend(list(root))
    for element in new_root.iter(etree.Element):
        element.tag = qualified(element.tag)
        for key in [k for k in element.attrib if qualified(k) != k]:
            value = element.attrib.pop(key)
            element.set(qualified(key), value)
    return new_root, missing


def _unsafe_message(subject: str, *, entities: bool) -> str:
    what = "a DTD with entity declarations" if entities else "a DTD (<!DOCTYPE …>)"
    return (
        f"{subject} declares {what}, which is refused: entities can read files on this "
        "computer or expand to gigabytes. Nothing was read or expanded. Ask the publisher "
        "for a version without the <!DOCTYPE …> block, or remove it from a saved copy."
    )


def _text_head(content: bytes) -> str:
    """The start of the document as text, whatever its encoding, for sniffing."""
    head = content[:2048]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _refused(
    content: bytes, subject: str, exc: DtdDeclared | NotWellFormed, html_hint: str
) -> WsdlError:
    head = _text_head(content).lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")):
        return WsdlParseError(f"{subject} is an HTML page, not XML. {html_hint}".strip())
    if isinstance(exc, DtdDeclared):
        return UnsafeXmlError(_unsafe_message(subject, entities=exc.entities))
    if head.startswith(("{", "[")):
        return WsdlParseError(f"{subject} is JSON (or text), not XML.")
    return WsdlParseError(
        f"{subject} is not well-formed XML: {exc.reason} (line {exc.line}, column {exc.column})."
    )


def _describe_root(root: etree._Element) -> str:
    qname = etree.QName(root)
    name = f"{root.prefix}:{qname.localname}" if root.prefix else qname.localname
    where = f"namespace {qname.namespace}" if qname.namespace else "no namespace"
    return f"<{name}> ({where})"


def _check_wsdl_root(root: etree._Element, url: str) -> None:
    qname = etree.QName(root)
    if qname.namespace == WSDL_NS and qname.localname == "definitions":
        return
    if qname.namespace == WSDL2_NS:
        raise WsdlParseError(
            f"{url} is a WSDL 2.0 description. WSDL 2.0 is not supported, only WSDL 1.1. "
            "Services that publish WSDL 2.0 usually publish WSDL 1.1 too (for example at "
            "?wsdl instead of ?wsdl2)."
        )
    if qname.namespace == XSD_NS and qname.localname == "schema":
        raise WsdlParseError(
            f"{url} is an XML Schema (XSD), not a WSDL. Load the WSDL that uses it; its "
            "schemas are read from there."
        )
    raise WsdlParseError(
        f"{url} is XML but not a WSDL: its root element is {_describe_root(root)}, where "
        f"a WSDL 1.1 document starts with <wsdl:definitions> ({WSDL_NS})."
    )


def _check_import_root(root: etree._Element, url: str) -> None:
    qname = etree.QName(root)
    if (qname.namespace, qname.localname) in ((WSDL_NS, "definitions"), (XSD_NS, "schema")):
        return
    raise WsdlParseError(
        f"The document {url} is not a WSDL or an XML Schema: its root element is "
        f"{_describe_root(root)}."
    )


def _check_namespaces(root: etree._Element, subject: str) -> None:
    """A namespace with braces breaks every XML tool's {namespace}name notation; it is
    nearly always an unfilled template variable such as {{url}}."""
    # Declarations one by one (not one xpath call listing every in-scope namespace of
    # every element): a single C call over a 3 MB WSDL held the GIL, and so froze the
    # window, for 300 ms.
    for _, (_, uri) in etree.iterwalk(root, events=("start-ns",)):
        if "{" in uri or "}" in uri:
            raise WsdlParseError(
                f"{subject} declares the namespace '{uri}', which contains {{ or }}: it looks "
                "like a template whose variables were never filled in. Fill them in and load "
                "it again."
            )
