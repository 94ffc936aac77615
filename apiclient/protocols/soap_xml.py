"""Safe XML for SOAP: one parser configuration, a DTD check, pretty-printing.

Envelopes are typed by the user and responses come from any server, so both are read
with a parser that never expands entities, never loads a DTD and never touches the
network or the disk. On top of that, any document that declares a DTD is refused
before it is parsed into a tree (:func:`declares_dtd`): a DTD is where billion-laughs
and external-entity (XXE) attacks live, and SOAP forbids it anyway (SOAP 1.1 §3,
SOAP 1.2 part 1 §5).
"""

from __future__ import annotations

import re

from lxml import etree

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_NAMESPACES: dict[str, str] = {"1.1": SOAP11_NS, "1.2": SOAP12_NS}
"""The Envelope namespace of each SOAP version."""

_POSITION_SUFFIX_RE = re.compile(r",\s*line \d+, column \d+$")


def _parser(*, encoding: str | None = None, target: object | None = None) -> etree.XMLParser:
    """A fresh parser per call: lxml parsers must not be shared between threads."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
        remove_blank_text=False,
        encoding=encoding,
        target=target,
    )


class _Stop(Exception):
    """Raised by the scanning target to end the scan early with its answer."""

    def __init__(self, has_dtd: bool) -> None:
        super().__init__()
        self.has_dtd = has_dtd


class _PrologScanner:
    """A parser target that stops at the DOCTYPE or at the root's start tag.

    Everything before the root is the prolog, the only place a DTD can be, so the scan
    reads little and never reaches entity references in the content.
    """

    def doctype(self, name: str | None, public_id: str | None, system_id: str | None) -> None:
        raise _Stop(has_dtd=True)

    def start(self, tag: str, attrib: object, nsmap: object = None) -> None:
        raise _Stop(has_dtd=False)

    def close(self) -> None:
        return None


def declares_dtd(data: bytes, *, encoding: str | None = None) -> bool:
    """Whether the document has a ``<!DOCTYPE>``; False when it is not XML at all.

    ``encoding`` overrides a declared one (used for text the user typed, which is
    already Unicode whatever its declaration says).
    """
    try:
        etree.fromstring(data, _parser(encoding=encoding, target=_PrologScanner()))
    except _Stop as stop:
        return stop.has_dtd
    except etree.XMLSyntaxError:
        return False
    return False


def parse_xml(data: bytes, *, encoding: str | None = None) -> etree._Element:
    """Parse a document already known to have no DTD (see :func:`declares_dtd`).

    Raises ``lxml.etree.XMLSyntaxError`` when it is not well-formed.
    """
    return etree.fromstring(data, _parser(encoding=encoding))


def syntax_error_text(error: etree.XMLSyntaxError) -> str:
    """libxml2's message without the ``, line N, column M`` it appends."""
    return _POSITION_SUFFIX_RE.sub("", str(error.msg or "")).strip()


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
