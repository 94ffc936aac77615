"""The SOAP operations of a parsed WSDL, found the way a request names them: by
SOAPAction, or by the qualified name of the Body's first element."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding, SoapOperation

from mock_servers.contracts.base import ContractError
from mock_servers.contracts.wsdl_load import LoadedWsdl
from mock_servers.soap_envelope import SOAP11, SOAP12, SoapVersion


@dataclass
class ServiceOperations:
    """One service's operations for each SOAP version its ports speak."""

    name: str
    by_action: dict[SoapVersion, dict[str, SoapOperation]] = field(default_factory=dict)
    by_element: dict[SoapVersion, dict[str, SoapOperation]] = field(default_factory=dict)

    @property
    def versions(self) -> list[SoapVersion]:
        return list(self.by_element)

    def find(self, version: SoapVersion, action: str | None, payload: str) -> SoapOperation | None:
        """The operation the request's action names, else the one its Body element starts."""
        if action and action in self.by_action.get(version, {}):
            return self.by_action[version][action]
        return self.by_element.get(version, {}).get(payload)

    def element_names(self, version: SoapVersion) -> list[str]:
        return [etree.QName(name).localname for name in self.by_element.get(version, {})]


def request_element(operation: SoapOperation) -> str | None:
    """The Clark name of the first element in the Body of the operation's request."""
    message: Any = operation.input
    body = getattr(message, "body", None)
    if body is None:
        return None
    if getattr(message, "_is_body_wrapped", False):
        elements = body.type.elements
        return elements[0][1].qname.text if elements else None
    return body.qname.text if body.qname is not None else None


def service_operations(loaded: LoadedWsdl) -> list[ServiceOperations]:
    """Every service with a SOAP operation; a ContractError when there is none, naming
    the first problem zeep warned about, if any."""
    services = []
    for name, service in loaded.document.services.items():
        found = ServiceOperations(name)
        for port in service.ports.values():
            binding = port.binding
            if isinstance(binding, Soap12Binding):
                version = SOAP12
            elif isinstance(binding, Soap11Binding):
                version = SOAP11
            else:
                continue  # HTTP GET/POST bindings are not SOAP
            actions = found.by_action.setdefault(version, {})
            elements = found.by_element.setdefault(version, {})
            for operation in binding._operations.values():
                if operation.soapaction:
                    actions.setdefault(operation.soapaction, operation)
                element = request_element(operation)
                if element:
                    elements.setdefault(element, operation)
        if any(found.by_element.values()):
            services.append(found)
    if not services:
        why = f" (zeep: {loaded.problems[0]})" if loaded.problems else ""
        raise ContractError(
            f"{loaded.path.name} has no SOAP 1.1 or 1.2 operation in any service, so there "
            f"is nothing to serve{why}."
        )
    return services
