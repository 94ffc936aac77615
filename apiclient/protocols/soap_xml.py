"""XML for the SOAP engine and the WSDL loader: the namespaces, and safe parsing.

Everything SOAP reads comes from elsewhere: envelopes the user pasted, responses from
any server, WSDLs and schemas from the network. :func:`parse_untrusted` is the one way
they become trees. It refuses any document that declares a DTD before the tree is
built (a DTD is where billion-laughs and external-entity (XXE) attacks live, and SOAP
forbids one anyway: SOAP 1.1 §3, SOAP 1.2 part 1 §5), and its libxml2 parser never
loads a DTD, resolves an entity or uses the network, with a resolver that answers any
fetch with nothing as a second lock. Each call gets a fresh parser: lxml parsers must
not be shared between threads.

Failures are raised as facts (:class:`DtdDeclared`, :class:`NotWellFormed`, with
libxml2's line and column), not as messages: the envelope editor, the response panel
and the WSDL loader each word them for their own reader.
"""

from __future__ import annotations

from lxml import etree

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_NAMESPACES: dict[str, str] = {"1.1": SOAP11_NS, "1.2": SOAP12_NS}
"""The Envelope namespace of each SOAP version."""
SOAP_VERSIONS: dict[str, str] = {uri: version for version, uri in SOAP_NAMESPACES.items()}
"""The SOAP version of each Envelope namespace."""
SOAP11_ENCODING_NS = "http://schemas.xmlsoap.org/soap/encoding/"
SOAP12_ENCODING_NS = "http://www.w3.org/2003/05/soap-encoding"
SOAP_ENCODING_NAMESPACES = (SOAP11_ENCODING_NS, SOAP12_ENCODING_NS)

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL2_NS = "http://www.w3.org/ns/wsdl"
WSDL_SOAP11_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"
WSDL_HTTP_NS = "http://schemas.xmlsoap.org/wsdl/http/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# An entity declaration, in the encodings a document may start in.
_ENTITY_MARKS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


class XmlRejected(Exception):
    """Untrusted bytes that were not turned into a tree; the caller words why."""


class DtdDeclared(XmlRejected):
    """The document declares a DTD; nothing after ``<!DOCTYPE`` was read.

    ``entities`` says whether it also declares entities (for the message only).
    """

    def __init__(self, *, entities: bool) -> None:
        super().__init__("the document declares a DTD")
        self.entities = entities


class NotWellFormed(XmlRejected):
    """libxml2's first error (``reason``, without its position) and where it is.

    ``namespace_only`` is true when every error is a namespace slip (an undeclared
    prefix, a namespace that is not a URI): the document is otherwise well-formed.
    """

    def __init__(self, reason: str, *, line: int, column: int, namespace_only: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column
        self.namespace_only = namespace_only


class _RefuseEverything(etree.Resolver):
    """Answers any external fetch libxml2 might still attempt with an empty document."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def _parser(
    *,
    encoding: str | None = None,
    remove_comments: bool = False,
    recover: bool = False,
    target: object | None = None,
) -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
        remove_comments=remove_comments,
        remove_pis=remove_comments,
        recover=recover,
        encoding=encoding,
        target=target,
    )
    parser.resolvers.add(_RefuseEverything())
    return parser


class _Stop(Exception):
    """Raised by the scanning target to end the scan early with its answer."""

    def __init__(self, has_dtd: bool) -> None:
        super().__init__()
        self.has_dtd = has_dtd


class _PrologScanner:
    """A parser target that stops at the DOCTYPE or at the root's start tag.

    Everything before the root is the prolog, the only place a DTD can be, so the scan
    reads little and stops before libxml2 reads a single declaration of the DTD.
    """

    def doctype(self, name: str | None, public_id: str | None, system_id: str | None) -> None:
        raise _Stop(has_dtd=True)

    def start(self, tag: str, attrib: object, nsmap: object = None) -> None:
        raise _Stop(has_dtd=False)

    def close(self) -> None:
        return None


def _declares_dtd(data: bytes, encoding: str | None) -> bool:
    try:
        etree.fromstring(data, _parser(encoding=encoding, target=_PrologScanner()))
    except _Stop as stop:
        return stop.has_dtd
    except etree.XMLSyntaxError:
        return False  # not XML before any DOCTYPE: the real parse says why
    return False


def parse_untrusted(
    data: bytes,
    *,
    encoding: str | None = None,
    remove_comments: bool = False,
    recover: bool = False,
) -> etree._Element:
    """Parse ``data`` into a tree, or raise :class:`DtdDeclared` / :class:`NotWellFormed`.

    ``encoding`` overrides a declared one (for text the user typed, which is Unicode
    whatever its declaration says, passed on as UTF-8). ``remove_comments`` also drops
    processing instructions; a WSDL reader needs neither. ``recover`` lets libxml2 go
    on past errors, for a caller that already knows which errors there are.
    CPU-bound on large documents: call it from a worker thread.
    """
    if _declares_dtd(data, encoding):
        raise DtdDeclared(entities=any(mark in data for mark in _ENTITY_MARKS))
    parser = _parser(encoding=encoding, remove_comments=remove_comments, recover=recover)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        line, column = exc.position
        raise NotWellFormed(
            errors[0].message.strip() if errors else "it is not XML",
            line=line,
            column=column,
            namespace_only=bool(errors)
            and all(e.domain == etree.ErrorDomains.NAMESPACE for e in errors),
        ) from None
    if root is None:  # recover=True and nothing recoverable
        raise NotWellFormed("it is not XML", line=1, column=1, namespace_only=False)
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if docinfo.doctype or dtd is not None:  # a second lock: the scan has refused it already
        raise DtdDeclared(entities=dtd is not None and any(True for _ in dtd.iterentities()))
    return root


def pretty_xml(element: etree._Element) -> str:
    """The element as text indented by two spaces (it is re-indented in place)."""
    etree.indent(element, space="  ")
    return etree.tostring(element, encoding="unicode", with_tail=False)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (comments and PIs have none: ``""``)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def namespace(element: etree._Element) -> str:
    """The namespace URI of the element's tag, ``""`` when it has none."""
    return (etree.QName(element).namespace or "") if isinstance(element.tag, str) else ""


def soap_version_of(envelope: etree._Element) -> str | None:
    """``"1.1"``/``"1.2"`` when the element is a SOAP Envelope, else None."""
    if local_name(envelope) != "Envelope":
        return None
    return SOAP_VERSIONS.get(namespace(envelope))


def soap_body(envelope: etree._Element) -> etree._Element | None:
    """The Body of a SOAP Envelope (of either version), or None."""
    version = soap_version_of(envelope)
    if version is None:
        return None
    return envelope.find(f"{{{SOAP_NAMESPACES[version]}}}Body")
