"""Look-ups in the WSDL documents themselves, for what zeep does not keep.

zeep forgets wsdl:documentation and drops ports whose binding it cannot use (HTTP
GET/POST, SOAP over JMS, a binding that is not defined) without saying so. Both are
worth showing to a person, so they are read from the documents the transport kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from apiclient.protocols.soap_wsdl_documents import ReadDocument
from apiclient.protocols.soap_xml import WSDL_HTTP_NS, WSDL_NS, WSDL_SOAP11_NS, WSDL_SOAP12_NS


def _wsdl(local: str) -> str:
    return f"{{{WSDL_NS}}}{local}"


def _documentation(element: etree._Element | None) -> str:
    """The text of an element's wsdl:documentation, one line per source line."""
    if element is None:
        return ""
    doc = element.find(_wsdl("documentation"))
    if doc is None:
        return ""
    text = "".join(doc.itertext()).strip()
    return "\n".join(line.strip() for line in text.splitlines())


def _qname(element: etree._Element, attribute: str) -> etree.QName | None:
    value = element.get(attribute)
    if not value:
        return None
    prefix, _, local = value.rpartition(":")
    return etree.QName(element.nsmap.get(prefix or None), local)


class WsdlIndex:
    """The wsdl:definitions of every WSDL document read, searchable by QName."""

    def __init__(self, documents: Sequence[ReadDocument]) -> None:
        self._definitions = [d.root for d in documents if d.root.tag == _wsdl("definitions")]

    def _find(self, kind: str, qname: etree.QName | str) -> etree._Element | None:
        """The top-level wsdl:<kind> named ``qname``; a namespace mismatch is tolerated
        when nothing matches exactly (zeep is just as forgiving)."""
        name = etree.QName(qname)
        fallback = None
        for root in self._definitions:
            for element in root.iterchildren(_wsdl(kind)):
                if element.get("name") != name.localname:
                    continue
                if root.get("targetNamespace") == name.namespace:
                    return element
                fallback = fallback if fallback is not None else element
        return fallback

    def operation_documentation(
        self, port_type: etree.QName, binding: etree.QName, operation: str
    ) -> str:
        """The portType operation's documentation, else the binding operation's."""
        for kind, qname in (("portType", port_type), ("binding", binding)):
            parent = self._find(kind, qname)
            if parent is None:
                continue
            for element in parent.iterchildren(_wsdl("operation")):
                if element.get("name") == operation:
                    text = _documentation(element)
                    if text:
                        return text
        return ""

    def service_documentation(self, service: str) -> str:
        return _documentation(self._find("service", service))

    def ports(self, service: str) -> list[tuple[str, etree.QName | None]]:
        """(port name, binding QName) of every wsdl:port of the service, in order."""
        element = self._find("service", service)
        if element is None:
            return []
        return [
            (port.get("name", ""), _qname(port, "binding"))
            for port in element.iterchildren(_wsdl("port"))
        ]

    def why_not_soap(self, binding: etree.QName | None) -> str:
        """Why a port with this binding cannot be offered, in a few words."""
        element = self._find("binding", binding) if binding is not None else None
        if element is None:
            name = binding.localname if binding is not None else "(none)"
            return f"its binding {name} is not defined in the WSDL"
        for child in element:
            namespace = etree.QName(child).namespace
            if namespace == WSDL_HTTP_NS:
                verb = child.get("verb", "").upper()
                return f"it uses the HTTP {verb} binding, not SOAP".replace("  ", " ")
            if namespace in (WSDL_SOAP11_NS, WSDL_SOAP12_NS):
                transport = child.get("transport", "")
                return (
                    f"its SOAP binding uses the transport {transport or '(none)'}, and only "
                    "SOAP over HTTP is supported"
                )
        return f"its binding {element.get('name')} is not a SOAP binding"
