"""XML for the SOAP engine and the WSDL loader: the namespaces, and safe parsing.

Everything SOAP reads comes from elsewhere: envelopes the user pasted, responses from
any server, WSDLs and schemas from the network. :func:`parse_untrusted` is the one way
they become trees. It refuses any document that declares a DTD before the tree is
built (a DTD is where billion-laughs and external-entity (XXE) attacks live, and SOAP
forbids one anyway: SOAP 1.1 §3, SOAP 1.2 part 1 §5), and its libxml2 parser never
loads a DTD, resolves an entity or uses the network, with a resolver that answers any
fetch with nothing as a second lock. Each call gets a fresh parser: lxml parsers must
not be shared between threads.

Large responses are read without a tree of the whole document:
:func:`iter_untrusted` yields the elements as they are parsed, so a reader stops once
it has seen enough, and :func:`check_well_formed` finds any fatal error with no tree at
all. Both feed libxml2 :data:`CHUNK_BYTES` at a time, and the DTD scan stops at the
root, so no single call into lxml holds the GIL for long whatever the size of the
document (a worker thread parsing 20 MB must not freeze the GUI thread).

Failures are raised as facts (:class:`DtdDeclared`, :class:`NotWellFormed`, with
libxml2's line and column), not as messages: the envelope editor, the response panel
and the WSDL loader each word them for their own reader.
"""

from __future__ import annotations

from collections.abc import Iterator

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

CHUNK_BYTES = 64 * 1024
"""How much an incremental parse gives libxml2 at once (about a millisecond of work)."""

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
    events: tuple[str, ...] | None = None,
) -> etree.XMLParser:
    """A safe parser; with ``events``, a pull parser that queues them (give no target)."""
    options = {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "strip_cdata": False,
        "remove_comments": remove_comments,
        "remove_pis": remove_comments,
        "recover": recover,
        "encoding": encoding,
    }
    parser = (
        etree.XMLParser(target=target, **options)
        if events is None
        else etree.XMLPullParser(events, **options)
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


class _NoTarget:
    """A parser target with no callbacks: libxml2 checks the syntax and builds nothing."""

    def close(self) -> None:
        return None


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK_BYTES):
        yield data[start : start + CHUNK_BYTES]


def _declares_dtd(data: bytes, encoding: str | None) -> bool:
    # Fed in chunks, the scan reads only the chunks up to the root's start tag (given the
    # whole document at once, libxml2 goes on reading it after the stop).
    parser = _parser(encoding=encoding, target=_PrologScanner())
    try:
        for chunk in _chunks(data):
            parser.feed(chunk)
        parser.close()
    except _Stop as stop:
        return stop.has_dtd
    except etree.XMLSyntaxError:
        return False  # not XML before any DOCTYPE: the real parse says why
    return False


def _refuse_dtd(data: bytes, encoding: str | None) -> None:
    if _declares_dtd(data, encoding):
        raise DtdDeclared(entities=any(mark in data for mark in _ENTITY_MARKS))


def _errors(log: etree._ListErrorLog) -> list[etree._LogEntry]:
    return [e for e in log if e.level >= etree.ErrorLevels.ERROR]


def _not_well_formed(
    log: etree._ListErrorLog, position: tuple[int, int] | None = None
) -> NotWellFormed:
    """libxml2's first error in ``log`` as a fact, at ``position`` or else where it is."""
    errors = _errors(log)
    if position is None:
        position = (errors[0].line, errors[0].column) if errors else (1, 1)
    return NotWellFormed(
        errors[0].message.strip() if errors else "it is not XML",
        line=position[0],
        column=position[1],
        namespace_only=bool(errors)
        and all(e.domain == etree.ErrorDomains.NAMESPACE for e in errors),
    )


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
    _refuse_dtd(data, encoding)
    parser = _parser(encoding=encoding, remove_comments=remove_comments, recover=recover)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(parser.error_log, exc.position) from None
    if root is None:  # recover=True and nothing recoverable
        raise NotWellFormed("it is not XML", line=1, column=1, namespace_only=False)
    _refuse_parsed_dtd(root)
    return root


def _refuse_parsed_dtd(root: etree._Element) -> None:
    """A second lock: the scan has refused any document with a DTD already."""
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if docinfo.doctype or dtd is not None:
        raise DtdDeclared(entities=dtd is not None and any(True for _ in dtd.iterentities()))


def iter_untrusted(
    data: bytes, *, encoding: str | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """``("start" | "end", element)`` for each element of ``data``, as it is parsed.

    The elements belong to a tree built only as far as libxml2 has read, a chunk at a
    time: a reader that stops iterating once it has what it needs never parses, nor
    holds in memory, the rest of a large document. A "start" element has its attributes
    but maybe not yet its children; an "end" element is complete.

    Raises :class:`DtdDeclared` (and ``LookupError`` for an ``encoding`` libxml2 does
    not know) when called, before any element; :class:`NotWellFormed` while iterating,
    as :func:`parse_untrusted` would, for the first error in the chunks read so far.
    Errors past where the reader stopped are not seen: :func:`check_well_formed`
    finds those.
    """
    _refuse_dtd(data, encoding)
    parser = _parser(encoding=encoding, events=("start", "end"))
    return _pull(parser, data)


def _pull(parser: etree.XMLParser, data: bytes) -> Iterator[tuple[str, etree._Element]]:
    checked = False
    for _ in _fed(parser, data):
        for event, element in parser.read_events():
            if not checked:
                _refuse_parsed_dtd(element)
                checked = True
            yield event, element


def _fed(parser: etree.XMLParser, data: bytes) -> Iterator[None]:
    """Feed ``data`` a chunk at a time, then close, pausing after each step.

    A tree-building parser logs a namespace error (an undeclared prefix, a namespace
    that is not a URI) and raises it only when closed: it is raised here as soon as the
    chunk holding it has been read.
    """
    try:
        for chunk in _chunks(data):
            parser.feed(chunk)
            if _errors(parser.feed_error_log):
                raise _not_well_formed(parser.feed_error_log)
            yield
        parser.close()
    except etree.XMLSyntaxError as exc:
        log = parser.feed_error_log
        raise _not_well_formed(log, None if _errors(log) else exc.position) from None
    yield


def check_well_formed(data: bytes, *, encoding: str | None = None) -> None:
    """Raise :class:`NotWellFormed` as :func:`parse_untrusted` would; build nothing.

    The first error in ``data``, namespace errors included, for about the cost of
    libxml2 reading the bytes (5 ms a megabyte), the GIL released between chunks. It
    does not refuse DTDs: call it after :func:`iter_untrusted` or
    :func:`parse_untrusted` has. Raises ``LookupError`` for an ``encoding`` libxml2
    does not know.
    """
    parser = _parser(encoding=encoding, target=_NoTarget())
    for _ in _fed(parser, data):
        pass


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
