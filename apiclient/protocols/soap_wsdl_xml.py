"""Parse XML that came from elsewhere (WSDLs, XSDs, SOAP responses) without trusting it.

libxml2 is told never to load a DTD, never to resolve an entity and never to use the
network, and a resolver that answers every external fetch with nothing is installed as
a second lock. A document that declares a DTD at all is then refused, so an entity bomb
or an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``) is neither expanded
nor read. Prefixes used without being declared, a common slip in hand-edited WSDLs, are
repaired with a note instead of refusing the whole document.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from apiclient.protocols.soap_wsdl_errors import UnsafeXmlError, WsdlError, WsdlParseError

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL2_NS = "http://www.w3.org/ns/wsdl"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# What people mean by prefixes they forget to declare.
_USUAL_PREFIXES = {
    "wsdl": WSDL_NS,
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
    "soap12": "http://schemas.xmlsoap.org/wsdl/soap12/",
    "http": "http://schemas.xmlsoap.org/wsdl/http/",
    "mime": "http://schemas.xmlsoap.org/wsdl/mime/",
    "xsd": XSD_NS,
    "xs": XSD_NS,
    "xsi": XSI_NS,
    "soapenc": "http://schemas.xmlsoap.org/soap/encoding/",
    "wsp": "http://schemas.xmlsoap.org/ws/2004/09/policy",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsam": "http://www.w3.org/2007/05/addressing/metadata",
    "wsaw": "http://www.w3.org/2006/05/addressing/wsdl",
}


@dataclass(frozen=True)
class UntrustedXml:
    """A parsed document: its root, the bytes to hand on, and what was repaired."""

    root: etree._Element
    content: bytes
    notes: tuple[str, ...] = ()


class _RefuseEverything(etree.Resolver):
    """Answers any external fetch libxml2 might still attempt with an empty document."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def _parser(*, recover: bool) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )
    parser.resolvers.add(_RefuseEverything())
    return parser


def parse_untrusted(content: bytes, subject: str, *, html_hint: str = "") -> UntrustedXml:
    """Parse ``content`` safely; ``subject`` starts each message ("The WSDL http://…"),
    ``html_hint`` follows the one for an HTML page where XML was expected.

    Raises UnsafeXmlError for a DTD, WsdlParseError when the bytes are not XML.
    """
    if not content.strip():
        raise WsdlParseError(f"{subject} is empty: there is no XML in it.")
    parser = _parser(recover=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        if errors and all(e.domain == etree.ErrorDomains.NAMESPACE for e in errors):
            return _parse_with_namespace_slips(content, subject)
        raise _not_xml(content, subject, errors, html_hint) from None
    _refuse_dtd(root, subject)
    return UntrustedXml(root, content)


def _parse_with_namespace_slips(content: bytes, subject: str) -> UntrustedXml:
    """Read a document whose only faults are namespace slips (undeclared prefix, bad URI)."""
    root = etree.fromstring(content, _parser(recover=True))
    _refuse_dtd(root, subject)
    repaired, prefixes = _declare_missing_prefixes(root)
    if not prefixes:
        return UntrustedXml(root, content)
    notes = tuple(
        f"{subject} uses the prefix '{prefix}:' without declaring it; it was read as {namespace}."
        for prefix, namespace in prefixes.items()
    )
    fixed = etree.tostring(repaired, encoding="utf-8", xml_declaration=True)
    return UntrustedXml(repaired, fixed, notes)


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


def _refuse_dtd(root: etree._Element, subject: str) -> None:
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if not docinfo.doctype and dtd is None:
        return
    entities = dtd is not None and any(True for _ in dtd.iterentities())
    raise UnsafeXmlError(_unsafe_message(subject, entities=entities))


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


def _not_xml(
    content: bytes, subject: str, errors: list[etree._LogEntry], html_hint: str
) -> WsdlError:
    head = _text_head(content).lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")):
        return WsdlParseError(f"{subject} is an HTML page, not XML. {html_hint}".strip())
    if head.startswith(("{", "[")):
        return WsdlParseError(f"{subject} is JSON (or text), not XML.")
    if "<!doctype" in head or "<!entity" in head:
        return UnsafeXmlError(_unsafe_message(subject, entities="<!entity" in head))
    if not errors:
        return WsdlParseError(f"{subject} is not well-formed XML.")
    first = errors[0]
    return WsdlParseError(
        f"{subject} is not well-formed XML: {first.message.strip()} "
        f"(line {first.line}, column {first.column})."
    )
