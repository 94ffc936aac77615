"""Load a WSDL with zeep, safely: no DTDs or entities, no network, and imports only from
the WSDL's own folder (and below). Every document read is kept, so the mock can serve
them and read the facets zeep drops (enumerations, lengths, bounds).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from lxml import etree
from zeep import Settings
from zeep.exceptions import DTDForbidden, EntitiesForbidden, XMLSyntaxError
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport
from zeep.wsdl import Document

from mock_servers.contracts.base import ContractError, UnsupportedContractError

SETTINGS = Settings(forbid_dtd=True, forbid_entities=True, xml_huge_tree=False, strict=True)
WSDL20_NS = "http://www.w3.org/ns/wsdl"


class _RefusedLoad(Exception):
    """A document the loader will not read; the message says which and why."""


class LocalTransport(Transport):
    """zeep's transport reading only files under ``root``, remembering what it read."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root.resolve()
        self.documents: dict[Path, bytes] = {}

    def load(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https"):
            raise _RefusedLoad(
                f"it imports {url}, and the mock fetches nothing from the network; "
                "save that file next to the WSDL and import it by a relative path"
            )
        path = Path(unquote(parsed.path) if parsed.scheme == "file" else url).resolve()
        if not path.is_relative_to(self.root):
            raise _RefusedLoad(
                f"it imports {path}, outside the WSDL's folder {self.root}; "
                "only files in that folder (or below) are read"
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _RefusedLoad(f"it imports {path}, which cannot be read: {exc.strerror}") from exc
        self.documents[path] = data
        return data


@dataclass(frozen=True)
class LoadedWsdl:
    """A parsed WSDL and every document it was read from, by resolved path."""

    path: Path
    document: Document
    documents: dict[Path, bytes]
    problems: tuple[str, ...] = ()  # what zeep warned about while reading it


class _DoctypeFound(Exception):
    pass


class _DoctypeProbe:
    """Parser target that stops at a DOCTYPE, before any of its entities is expanded."""

    def doctype(self, name: str, public_id: str | None, system_url: str | None) -> None:
        raise _DoctypeFound

    def __init__(self) -> None:
        self.root_tag = ""

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.root_tag = self.root_tag or tag

    def close(self) -> str:
        return self.root_tag


def _check_document(contract: Path, data: bytes) -> None:
    """Refuse a DTD, malformed XML and WSDL 2.0 by name, before zeep sees the file."""
    parser = etree.XMLParser(
        target=_DoctypeProbe(), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        root_tag = etree.fromstring(data, parser)
    except _DoctypeFound:
        raise ContractError(
            f"{contract.name} carries a DTD (<!DOCTYPE ...>), which is refused for safety "
            "(entity bombs, external entities); remove it."
        ) from None
    except etree.XMLSyntaxError as exc:
        raise ContractError(f"{contract.name} is not well-formed XML: {exc}") from exc
    if etree.QName(root_tag).namespace == WSDL20_NS:
        raise UnsupportedContractError(
            f"{contract.name} is a WSDL 2.0 description; these mocks serve WSDL 1.1 only."
        )


def load_wsdl(contract: Path) -> LoadedWsdl:
    """Parse ``contract``; a ContractError (or UnsupportedContractError) says what is wrong."""
    try:
        data = contract.read_bytes()
    except OSError as exc:
        raise ContractError(f"Cannot read the WSDL {contract}: {exc.strerror}.") from exc
    _check_document(contract, data)
    transport = LocalTransport(contract.parent)
    try:
        # zeep warns (rather than fails) about parts and operations it cannot resolve;
        # kept, so a WSDL left with no operation can say why.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # zeep annotates ``transport`` as a class, but wants an instance.
            document = Document(str(contract.resolve()), transport, settings=SETTINGS)  # type: ignore[arg-type]
    except _RefusedLoad as exc:
        raise ContractError(f"{contract.name} cannot be loaded: {exc}.") from exc
    except (DTDForbidden, EntitiesForbidden) as exc:
        raise ContractError(
            f"{contract.name} (or a file it imports) carries a DTD or entities, "
            "which are refused for safety; remove them."
        ) from exc
    except XMLSyntaxError as exc:
        raise ContractError(f"{contract.name} is not valid XML: {exc}") from exc
    except (ZeepError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # zeep reports broken descriptions with several exception types, some bare.
        raise ContractError(f"{contract.name} is not a valid WSDL 1.1 description: {exc}") from exc
    return LoadedWsdl(
        contract.resolve(),
        document,
        {contract.resolve(): data, **transport.documents},
        tuple(str(warning.message) for warning in caught),
    )
