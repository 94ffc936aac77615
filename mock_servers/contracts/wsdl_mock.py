"""A SOAP mock from a WSDL 1.1 file: each service at ``/<service>`` (its description at
``/<service>?wsdl``), every operation answering a response generated from its output
message's schema (``wsdl_samples``), in SOAP 1.1 or 1.2 as the request's envelope is.

Pins are per operation name. A pinned status >= 400, or the request header
``X-Mock-Fault: true``, answers a SOAP Fault (Client for 4xx, Server otherwise) with
that HTTP status (500 for the header) whose string is the pinned body (an XML body
becomes the fault's detail). Another pinned body is the response: a whole Envelope as
is, other XML inside a Body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from email.message import Message
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from zeep.wsdl.bindings.soap import SoapOperation

from mock_servers.contracts.base import Pin, Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.wsdl_documents import FILES_PREFIX, ServedDocuments
from mock_servers.contracts.wsdl_facets import FacetIndex
from mock_servers.contracts.wsdl_load import LoadedWsdl, load_wsdl
from mock_servers.contracts.wsdl_operations import ServiceOperations, service_operations
from mock_servers.contracts.wsdl_samples import SampleGenerator
from mock_servers.serving import serve_asgi
from mock_servers.soap_envelope import (
    VERSIONS,
    FaultCode,
    SoapFault,
    SoapVersion,
    fault_envelope,
    parse_document,
    response_envelope,
    safe_parser,
)

_log = logging.getLogger(__name__)
XML = "text/xml; charset=utf-8"


class _Responder:
    """Answers the requests of one service."""

    def __init__(self, service: ServiceOperations, samples: SampleGenerator, pins: Pins) -> None:
        self.service = service
        self.samples = samples
        self.pins = pins

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        version = self.service.versions[0]
        try:
            version, operation = self._operation(request, body)
            return await self._answer(request, version, operation)
        except SoapFault as fault:
            return _fault_response(version, fault)
        except Exception as exc:
            _log.exception("The WSDL mock failed")
            return _fault_response(
                version, SoapFault(FaultCode.SERVER, f"The mock could not answer: {exc}")
            )

    def _operation(self, request: Request, body: bytes) -> tuple[SoapVersion, SoapOperation]:
        root = parse_document(body)
        qname = etree.QName(root)
        version = VERSIONS.get(qname.namespace or "")
        if qname.localname != "Envelope" or version is None:
            raise SoapFault(
                FaultCode.CLIENT,
                f"The root element must be a SOAP 1.1 or 1.2 Envelope, not {qname.text}.",
                http_status=400,
            )
        if version not in self.service.versions:
            spoken = " and ".join(v.name for v in self.service.versions)
            raise SoapFault(
                FaultCode.VERSION_MISMATCH,
                f"Service {self.service.name} speaks SOAP {spoken}, "
                f"not the SOAP {version.name} of this envelope.",
            )
        soap_body = root.find(version.tag("Body"))
        if soap_body is None:
            raise SoapFault(FaultCode.CLIENT, "The Envelope has no Body.", http_status=400)
        payload = next(soap_body.iterchildren(etree.Element), None)
        if payload is None:
            raise SoapFault(
                FaultCode.CLIENT, "The Body is empty; it must hold the operation's element."
            )
        operation = self.service.find(version, _action(request), payload.tag)
        if operation is None:
            known = ", ".join(self.service.element_names(version))
            raise SoapFault(
                FaultCode.CLIENT,
                f"No operation of {self.service.name} takes {payload.tag}; "
                f"the request elements are: {known}.",
            )
        return version, operation

    async def _answer(
        self, request: Request, version: SoapVersion, operation: SoapOperation
    ) -> Response:
        pin = self.pins.get(operation.name) or Pin()
        if pin.delay_s > 0:
            await asyncio.sleep(pin.delay_s)
        status = _http_status(pin.status)
        if request.headers.get("x-mock-fault", "").lower() == "true":
            raise _pinned_fault(f"A fault was asked for (X-Mock-Fault) from {operation.name}.", pin)
        if status is not None and status >= 400:
            raise _pinned_fault(f"{operation.name} is pinned to answer a fault.", pin, status)
        content = _pinned_body(version, pin.body) if pin.body else None
        if content is None:
            content = self._generated(version, operation)
        return Response(content, status_code=status or 200, media_type=version.content_type)

    def _generated(self, version: SoapVersion, operation: SoapOperation) -> bytes:
        output = operation.output
        body = getattr(output, "body", None)
        if body is None:
            return _empty_envelope(version)
        value = self.samples.type(body.type, operation.name, body.name or operation.name, 0)
        serialized = (
            output.serialize(**value) if isinstance(value, dict) else output.serialize(value)
        )
        return etree.tostring(serialized.content, xml_declaration=True, encoding="UTF-8")


def _empty_envelope(version: SoapVersion) -> bytes:
    """An Envelope with an empty Body, for one-way operations."""
    envelope = etree.Element(version.tag("Envelope"), nsmap={version.prefix: version.namespace})
    etree.SubElement(envelope, version.tag("Body"))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _http_status(status: int | str | None) -> int | None:
    """A pinned status as an HTTP status; None when there is none (or not a number)."""
    if isinstance(status, int):
        return status
    return int(status) if status is not None and status.strip().isdigit() else None


def _action(request: Request) -> str | None:
    """SOAPAction (1.1) or the Content-Type's action parameter (1.2), unquoted."""
    if "soapaction" in request.headers:
        action: object = request.headers["soapaction"]
    else:
        message = Message()
        message["content-type"] = request.headers.get("content-type", "")
        action = message.get_param("action")
    if not isinstance(action, str):
        return None
    return action.strip().strip('"') or None


def _pinned_fault(default_reason: str, pin: Pin, status: int | None = None) -> SoapFault:
    """A Client fault for a 4xx status, else a Server one, answered with the pinned HTTP
    status (500 without one); the pinned body is its string, or its detail when XML."""
    code = FaultCode.CLIENT if status is not None and status < 500 else FaultCode.SERVER
    text = pin.body.strip()
    detail = None
    if text.startswith("<"):
        try:
            detail = etree.fromstring(text.encode("utf-8"), safe_parser())
        except etree.XMLSyntaxError:
            detail = None
    reason = text if text and detail is None else default_reason
    return SoapFault(code, reason, detail=detail, http_status=status or 500)


def _pinned_body(version: SoapVersion, body: str) -> bytes:
    """A pinned body as the response: an Envelope as is, other XML inside a Body."""
    data = body.encode("utf-8")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return data
    if etree.QName(root).localname == "Envelope":
        return data
    return response_envelope(version, root)


def _fault_response(version: SoapVersion, fault: SoapFault) -> Response:
    return Response(
        fault_envelope(version, fault),
        status_code=fault.http_status,
        media_type=version.content_type,
    )


def create_app(
    loaded: LoadedWsdl, services: list[ServiceOperations], fake: FakeData, pins: Pins
) -> Starlette:
    """The HTTP app serving ``services`` of ``loaded``."""
    samples = SampleGenerator(fake, FacetIndex(loaded.documents.values()))
    documents = ServedDocuments(loaded.path, loaded.documents)
    routes = [
        Route(
            f"{FILES_PREFIX}{{path:path}}",
            _files_endpoint(documents),
            methods=["GET"],
        )
    ]
    for service in services:
        routes.append(
            Route(f"/{service.name}", _describe(documents, service.name), methods=["GET"])
        )
        routes.append(
            Route(f"/{service.name}", _Responder(service, samples, pins).handle, methods=["POST"])
        )
    return Starlette(routes=routes)


def _files_endpoint(documents: ServedDocuments) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        content = documents.file(request.path_params["path"], str(request.base_url))
        if content is None:
            return PlainTextResponse("No such file in this contract.", status_code=404)
        return Response(content, media_type=XML)

    return endpoint


def _describe(documents: ServedDocuments, service: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if "wsdl" not in {key.lower() for key in request.query_params}:
            return PlainTextResponse(
                f"SOAP endpoint: POST envelopes here; GET /{service}?wsdl for its description."
            )
        return Response(documents.wsdl(str(request.base_url)), media_type=XML)

    return endpoint


async def start(contract: Path, host: str, port: int, fake: FakeData, pins: Pins) -> StartedMock:
    """Serve ``contract``'s SOAP services on host:port; see the module docstring."""
    loaded = await asyncio.to_thread(load_wsdl, contract)
    services = service_operations(loaded)
    app = create_app(loaded, services, fake, pins)
    server = await serve_asgi(app, name="wsdl", host=host, port=port)
    base_url = f"http://{host}:{server.port}"
    operations = sorted(
        {op.name for s in services for ops in s.by_element.values() for op in ops.values()}
    )
    return StartedMock(
        kind="wsdl",
        url=f"{base_url}/{quote(services[0].name)}?wsdl",
        operations=tuple(operations),
        stop=server.stop,
    )
