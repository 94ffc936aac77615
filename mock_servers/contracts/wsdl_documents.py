"""The WSDL and its imported files as the mock serves them: each service's SOAP
addresses point at the mock, and every relative import points at the mock's copy.

Files are served at ``/_contract/<path below the WSDL's folder>``; a client resolving an
import fetches it from there, so nothing it loads comes from anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlparse

from lxml import etree

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
ADDRESS_NAMESPACES = (
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
)
FILES_PREFIX = "/_contract/"
_IMPORTS = (
    (f"{{{WSDL_NS}}}import", "location"),
    (f"{{{XSD_NS}}}import", "schemaLocation"),
    (f"{{{XSD_NS}}}include", "schemaLocation"),
    (f"{{{XSD_NS}}}redefine", "schemaLocation"),
)


class ServedDocuments:
    """Rewritten copies of the documents a WSDL was read from, for the URL a client used."""

    def __init__(self, wsdl: Path, documents: dict[Path, bytes]) -> None:
        self.wsdl_path = wsdl
        self.root = wsdl.parent
        self._documents = documents

    def wsdl(self, base_url: str) -> bytes:
        """The WSDL with the SOAP addresses of each service at ``base_url/<service>``."""
        return self._rewrite(self.wsdl_path, base_url.rstrip("/"), rewrite_addresses=True)

    def file(self, relative: str, base_url: str) -> bytes | None:
        """An imported document by its path below the WSDL's folder, or None."""
        path = (self.root / relative).resolve()
        if path not in self._documents:
            return None
        return self._rewrite(path, base_url.rstrip("/"), rewrite_addresses=False)

    def _rewrite(self, path: Path, base: str, rewrite_addresses: bool) -> bytes:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(self._documents[path], parser)
        for tag, attribute in _IMPORTS:
            for node in root.iter(tag):
                location = node.get(attribute)
                if not location or urlparse(location).scheme:
                    continue
                target = (path.parent / location).resolve()
                if target in self._documents:
                    relative = quote(target.relative_to(self.root).as_posix())
                    node.set(attribute, f"{base}{FILES_PREFIX}{relative}")
        services = root.iter(f"{{{WSDL_NS}}}service") if rewrite_addresses else ()
        for service in services:
            url = f"{base}/{quote(service.get('name', ''))}"
            for namespace in ADDRESS_NAMESPACES:
                for address in service.iter(f"{{{namespace}}}address"):
                    address.set("location", url)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
