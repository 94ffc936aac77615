"""One SOAP endpoint: HTTP request in, envelope checked, operation dispatched, reply out.

The checks run in the order a real SOAP stack meets them: well-formed XML without a
DTD, the envelope version, the Content-Type, SOAPAction, header blocks (WS-Security,
mustUnderstand), the operation named by the Body's first child, its schema, and
finally the operation itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message

from lxml import etree
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from mock_servers.soap_envelope import (
    SOAP11,
    SOAP12_NS,
    Envelope,
    FaultCode,
    SoapFault,
    SoapVersion,
    fault_envelope,
    parse_envelope,
    response_envelope,
)
from mock_servers.soap_wssecurity import SECURITY, authenticate

_log = logging.getLogger(__name__)
_TRUE = {"1", "true"}


@dataclass(frozen=True)
class SoapCall:
    """What an operation gets: its Body element and the authenticated user, if any."""

    payload: etree._Element
    headers: list[etree._Element]
    user: str | None


@dataclass(frozen=True)
class Operation:
    action: str  # the soapAction URI from the WSDL
    handler: Callable[[SoapCall], etree._Element]


@dataclass(frozen=True)
class SoapService:
    """The operations of a service, keyed by the Clark name ({ns}local) of their element.

    `schema`, when given, validates every payload and every understood header block
    before the handler sees it, the way a strict document/literal server does.
    """

    operations: Mapping[str, Operation]
    understood_headers: frozenset[str] = frozenset()
    schema: etree.XMLSchema | None = None
    accounts: Mapping[str, str] = field(default_factory=dict)


def _content_type(headers: Headers) -> tuple[str, str | None]:
    """Media type and `action` parameter of the Content-Type; email parses the quoting."""
    message = Message()
    message["content-type"] = headers.get("content-type", "")
    action = message.get_param("action")
    return message.get_content_type(), action if isinstance(action, str) else None


def _requested_action(version: SoapVersion, headers: Headers) -> str | None:
    """The action the client named: SOAPAction (1.1, required) or Content-Type's
    action parameter (1.2, optional). None when it names none."""
    media_type, action = _content_type(headers)
    if media_type != version.media_type:
        raise SoapFault(
            FaultCode.CLIENT,
            f"SOAP {version.name} requests need Content-Type {version.media_type}, "
            f"not {headers.get('content-type') or 'none'}.",
            http_status=415,
        )
    if version is SOAP11:
        if "soapaction" not in headers:
            raise SoapFault(FaultCode.CLIENT, "SOAP 1.1 requests need a SOAPAction header.")
        action = headers["soapaction"]
    return (action or "").strip().strip('"') or None


def _check_headers(envelope: Envelope, service: SoapService) -> None:
    version = envelope.version
    for block in envelope.headers:
        if block.tag == SECURITY:
            continue
        if block.tag in service.understood_headers:
            _validate(service, block)
            continue
        must = (block.get(version.tag("mustUnderstand")) or "").strip() in _TRUE
        role = block.get(version.tag("actor" if version is SOAP11 else "role"))
        if must and (role is None or role in version.own_roles):
            raise SoapFault(
                FaultCode.MUST_UNDERSTAND,
                f"Header block {block.tag} has mustUnderstand set, "
                "but this service does not understand it.",
                headers=_not_understood(version, block),
            )


def _not_understood(version: SoapVersion, block: etree._Element) -> list[etree._Element]:
    """SOAP 1.2 names the header blocks it did not understand in NotUnderstood."""
    if version is SOAP11:
        return []
    qname = etree.QName(block)
    if qname.namespace is None:
        return [etree.Element(version.tag("NotUnderstood"), qname=qname.localname)]
    element = etree.Element(version.tag("NotUnderstood"), nsmap={"nu": qname.namespace})
    element.set("qname", f"nu:{qname.localname}")
    return [element]


def _validate(service: SoapService, element: etree._Element) -> None:
    if service.schema is None or service.schema.validate(element):
        return
    error = service.schema.error_log.last_error
    raise SoapFault(
        FaultCode.CLIENT, f"The request does not match the service's schema: {error.message}"
    )


def _handle(service: SoapService, version: SoapVersion, headers: Headers, body: bytes) -> bytes:
    envelope = parse_envelope(body, version)
    action = _requested_action(version, headers)
    user = authenticate(envelope.headers, service.accounts)
    _check_headers(envelope, service)
    name = envelope.payload.tag
    operation = service.operations.get(name)
    if operation is None:
        known = ", ".join(etree.QName(tag).localname for tag in service.operations)
        raise SoapFault(
            FaultCode.CLIENT, f"Unknown operation: no operation takes {name}. Known: {known}."
        )
    if action is not None and action != operation.action:
        raise SoapFault(
            FaultCode.CLIENT,
            f"The action {action!r} does not match the Body's {etree.QName(name).localname}; "
            f"expected {operation.action!r}.",
        )
    _validate(service, envelope.payload)
    return response_envelope(
        version, operation.handler(SoapCall(envelope.payload, envelope.headers, user))
    )


def fault_response(version: SoapVersion, fault: SoapFault) -> Response:
    """The HTTP reply for a fault met at a `version` endpoint.

    A VersionMismatch is written as SOAP 1.1, which every sender can read; a SOAP 1.2
    endpoint also lists the envelope it supports in an Upgrade header (SOAP 1.2
    part 1, 5.4.7 and appendix A).
    """
    if fault.code is FaultCode.VERSION_MISMATCH and version is not SOAP11:
        upgrade = etree.Element(f"{{{SOAP12_NS}}}Upgrade", nsmap={"upg": SOAP12_NS})
        etree.SubElement(upgrade, f"{{{SOAP12_NS}}}SupportedEnvelope", qname="upg:Envelope")
        fault = SoapFault(fault.code, fault.reason, headers=[upgrade])
    reply_version = SOAP11 if fault.code is FaultCode.VERSION_MISMATCH else version
    return Response(
        fault_envelope(reply_version, fault),
        status_code=fault.http_status,
        headers={"Content-Type": reply_version.content_type},
    )


def soap_endpoint(
    service: SoapService, version: SoapVersion
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint answering `version` envelopes for `service`."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        try:
            reply = _handle(service, version, request.headers, body)
        except SoapFault as fault:
            return fault_response(version, fault)
        except Exception as exc:
            _log.exception("SOAP operation failed")
            return fault_response(version, SoapFault(FaultCode.SERVER, f"The mock failed: {exc}"))
        return Response(reply, headers={"Content-Type": version.content_type})

    return endpoint
