"""SOAP envelopes for the mock: parse requests safely, write responses and faults.

Both SOAP 1.1 and 1.2 are spoken; a `SoapVersion` carries what differs between them.
Requests are parsed with entity resolution, network access and DTD loading off, and any
document carrying a DTD is refused, as both SOAP specs forbid DTDs in messages.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class SoapVersion:
    name: str
    namespace: str
    prefix: str
    media_type: str
    # actor (1.1) / role (1.2) values that address this server as the receiver.
    own_roles: frozenset[str]

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    def tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"


SOAP11 = SoapVersion(
    "1.1",
    SOAP11_NS,
    "soap",
    "text/xml",
    frozenset({"http://schemas.xmlsoap.org/soap/actor/next"}),
)
SOAP12 = SoapVersion(
    "1.2",
    SOAP12_NS,
    "env",
    "application/soap+xml",
    frozenset({f"{SOAP12_NS}/role/next", f"{SOAP12_NS}/role/ultimateReceiver"}),
)
VERSIONS = {version.namespace: version for version in (SOAP11, SOAP12)}


class FaultCode(enum.Enum):
    """A fault code by its SOAP 1.1 and SOAP 1.2 names."""

    CLIENT = ("Client", "Sender")
    SERVER = ("Server", "Receiver")
    VERSION_MISMATCH = ("VersionMismatch", "VersionMismatch")
    MUST_UNDERSTAND = ("MustUnderstand", "MustUnderstand")

    def name_in(self, version: SoapVersion) -> str:
        return self.value[0] if version is SOAP11 else self.value[1]


@dataclass(frozen=True)
class Subcode:
    """An application fault code such as wsse:FailedAuthentication.

    SOAP 1.1 has no subcodes, so there it replaces the faultcode; SOAP 1.2 nests it
    in Code/Subcode under the generic code.
    """

    prefix: str
    namespace: str
    name: str

    @property
    def text(self) -> str:
        return f"{self.prefix}:{self.name}"


class SoapFault(Exception):
    """A fault to send back. `headers` go into the fault envelope's Header (Upgrade,
    NotUnderstood); `http_status` is 500 unless the request could not be read at all."""

    def __init__(
        self,
        code: FaultCode,
        reason: str,
        *,
        detail: etree._Element | None = None,
        subcode: Subcode | None = None,
        headers: Sequence[etree._Element] = (),
        http_status: int = 500,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.detail = detail
        self.subcode = subcode
        self.headers = tuple(headers)
        self.http_status = http_status


@dataclass(frozen=True)
class Envelope:
    """A parsed request: its SOAP version, header blocks and the Body's first element."""

    version: SoapVersion
    headers: list[etree._Element]
    payload: etree._Element


def safe_parser() -> etree.XMLParser:
    """A parser that expands no entities, fetches nothing and loads no DTD.

    A new one per document, since lxml parsers must not be shared between threads.
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _DoctypeFound(Exception):
    pass


class _DoctypeProbe:
    """Parser target that stops at a DOCTYPE, before its declarations are read."""

    def doctype(self, name: str, public_id: str | None, system_url: str | None) -> None:
        raise _DoctypeFound

    def close(self) -> None:
        pass


def _has_doctype(data: bytes) -> bool:
    """Whether a document that failed to parse had a DTD (say an entity bomb that hit
    libxml2's limits), so it is refused for the DTD rather than called malformed."""
    parser = etree.XMLParser(
        target=_DoctypeProbe(),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        etree.fromstring(data, parser)
    except _DoctypeFound:
        return True
    except etree.XMLSyntaxError:
        return False
    return False


def _dtd_refused() -> SoapFault:
    return SoapFault(
        FaultCode.CLIENT,
        "SOAP messages must not contain a DTD (<!DOCTYPE ...>); the request was refused.",
        http_status=400,
    )


def parse_document(data: bytes) -> etree._Element:
    """Parse a request body safely; a fault (HTTP 400) when malformed or carrying a DTD."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        if _has_doctype(data):
            raise _dtd_refused() from None
        line, column = exc.position
        error = exc.error_log.last_error
        message = error.message if error is not None else exc.msg
        raise SoapFault(
            FaultCode.CLIENT,
            f"The request is not well-formed XML: line {line}, column {column}: {message}",
            http_status=400,
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _dtd_refused()
    return root


def parse_envelope(data: bytes, expected: SoapVersion) -> Envelope:
    """Read a request envelope of the version `expected` by the endpoint."""
    root = parse_document(data)
    qname = etree.QName(root)
    if qname.localname != "Envelope":
        raise SoapFault(
            FaultCode.CLIENT, f"The root element must be a SOAP Envelope, not {qname.text}."
        )
    version = VERSIONS.get(qname.namespace or "")
    if version is not expected:
        what = f"a SOAP {version.name}" if version else f"an unknown ({qname.namespace}) kind of"
        raise SoapFault(
            FaultCode.VERSION_MISMATCH,
            f"This endpoint speaks SOAP {expected.name} (namespace {expected.namespace}), "
            f"but the request is {what} envelope.",
        )
    header = root.find(version.tag("Header"))
    body = root.find(version.tag("Body"))
    if body is None:
        raise SoapFault(FaultCode.CLIENT, "The Envelope has no Body.")
    payload = next(body.iterchildren(etree.Element), None)
    if payload is None:
        raise SoapFault(
            FaultCode.CLIENT, "The Body is empty; it must hold the operation's element."
        )
    headers = [] if header is None else list(header.iterchildren(etree.Element))
    return Envelope(version, headers, payload)


def _serialize(envelope: etree._Element) -> bytes:
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _envelope(
    version: SoapVersion, content: etree._Element, headers: Sequence[etree._Element]
) -> etree._Element:
    envelope = etree.Element(version.tag("Envelope"), nsmap={version.prefix: version.namespace})
    if headers:
        etree.SubElement(envelope, version.tag("Header")).extend(headers)
    etree.SubElement(envelope, version.tag("Body")).append(content)
    return envelope


def response_envelope(version: SoapVersion, payload: etree._Element) -> bytes:
    """A response envelope around `payload`, UTF-8 with an XML declaration."""
    return _serialize(_envelope(version, payload, ()))


def fault_envelope(version: SoapVersion, fault: SoapFault) -> bytes:
    """The fault written the way `version` spells it."""
    nsmap = {version.prefix: version.namespace}
    if fault.subcode is not None:
        nsmap[fault.subcode.prefix] = fault.subcode.namespace
    element = etree.Element(version.tag("Fault"), nsmap=nsmap)
    code = f"{version.prefix}:{fault.code.name_in(version)}"
    if version is SOAP11:
        etree.SubElement(element, "faultcode").text = fault.subcode.text if fault.subcode else code
        etree.SubElement(element, "faultstring").text = fault.reason
        detail_tag = "detail"
    else:
        code_element = etree.SubElement(element, version.tag("Code"))
        etree.SubElement(code_element, version.tag("Value")).text = code
        if fault.subcode is not None:
            subcode = etree.SubElement(code_element, version.tag("Subcode"))
            etree.SubElement(subcode, version.tag("Value")).text = fault.subcode.text
        reason = etree.SubElement(element, version.tag("Reason"))
        etree.SubElement(reason, version.tag("Text"), {XML_LANG: "en"}).text = fault.reason
        detail_tag = version.tag("Detail")
    if fault.detail is not None:
        etree.SubElement(element, detail_tag).append(fault.detail)
    return _serialize(_envelope(version, element, fault.headers))
