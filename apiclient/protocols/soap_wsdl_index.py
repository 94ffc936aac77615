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
    """The wsdl:definitions of every WSDL document read, searchable by QName.

    Look-ups are remembered: a WSDL of thousands of operations asks for the same portType
    and binding once per operation, and searching them anew each time was quadratic
    (9 s of a 12 s load for 3,000 operations).
    """

    def __init__(self, documents: Sequence[ReadDocument]) -> None:
        self._definitions = [d.root for d in documents if d.root.tag == _wsdl("definitions")]
        self._found: dict[tuple[str, str], etree._Element | None] = {}
        self._operation_docs: dict[etree._Element, dict[str, str]] = {}

    def _find(self, kind: str, qname: etree.QName | str) -> etree._Element | None:
        """The top-level wsdl:<kind> named ``qname``; a namespace mismatch is tolerated
        when nothing matches exactly (zeep is just as forgiving)."""
        name = etree.QName(qname)
        key = (kind, name.text)
        if key not in self._found:
            self._found[key] = self._search(kind, name)
        return self._found[key]

    def _search(self, kind: str, name: etree.QName) -> etree._Element | None:
        fallback = None
        for root in self._definitions:
            for element in root.iterchildren(_wsdl(kind)):
                if element.get("name") != name.localname:
                    continue
                if root.get("targetNamespace") == name.namespace:
                    return element
                fallback = fallback if fallback is not None else element
        return fallback

    def _documentations(self, parent: etree._Element) -> dict[str, str]:
        """Operation name -> its first non-empty documentation, for one portType or binding."""
        docs = self._operation_docs.get(parent)
        if docs is None:
            docs = {}
            for element in parent.iterchildren(_wsdl("operation")):
                name = element.get("name", "")
                if not docs.get(name):
                    docs[name] = _documentation(element)
            self._operation_docs[parent] = docs
        return docs

    def operation_documentation(
        self, port_type: etree.QName, binding: etree.QName, operation: str
    ) -> str:
        """The portType operation's documentation, else the binding operation's."""
        for kind, qname in (("portType", port_type), ("binding", binding)):
            parent = self._find(kind, qname)
            if parent is not None and (text := self._documentations(parent).get(operation)):
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
