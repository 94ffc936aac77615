"""What a loaded WSDL offers, as plain frozen values the UI can list and copy.

Separate from :mod:`soap_wsdl` so the reader can build them without importing the
module that imports the reader; :mod:`soap_wsdl` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SoapOperation:
    """One operation as offered on one port: what the UI lists and a request copies."""

    service: str
    port: str
    name: str
    soap_version: str  # "1.1" or "1.2"
    style: str  # "document/literal", "rpc/literal", "rpc/encoded", "document/encoded"
    endpoint: str  # the port's soap:address location
    soap_action: str  # "" when none
    documentation: str  # portType operation's wsdl:documentation, else the binding's; or ""


@dataclass(frozen=True)
class SoapPort:
    name: str
    binding: str
    soap_version: str
    endpoint: str
    operations: tuple[SoapOperation, ...]


@dataclass(frozen=True)
class SoapService:
    name: str
    documentation: str
    ports: tuple[SoapPort, ...]
