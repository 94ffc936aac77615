"""The SOAP mock: a hospital records service (document/literal, SOAP 1.1 and 1.2, a
SOAP header, faults, WS-Security) and a calculator (rpc/literal), each described by a
hand-written WSDL, plus deliberately broken endpoints.

Each call of `create_app` has its own in-memory state, so tests and app sessions never
see each other's admissions.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mock_servers.soap_broken import broken_routes
from mock_servers.soap_calculator import create_calculator_service
from mock_servers.soap_documents import XML_CONTENT_TYPE, load_schema, render
from mock_servers.soap_endpoint import soap_endpoint
from mock_servers.soap_envelope import SOAP11, SOAP12
from mock_servers.soap_hospital import NURSE_PASSWORD, NURSE_USERNAME, create_hospital_service

__all__ = ["ENDPOINTS", "create_app"]

# What the index page lists: path and what it is for.
ENDPOINTS: list[tuple[str, str]] = [
    ("/hospital?wsdl", "Hospital WSDL (document/literal; imports /hospital?xsd=types)"),
    ("/hospital", "HospitalSoap11 port: POST SOAP 1.1 (text/xml + SOAPAction)"),
    ("/hospital12", "HospitalSoap12 port: POST SOAP 1.2 (application/soap+xml)"),
    ("/calculator?wsdl", "Calculator WSDL (rpc/literal)"),
    ("/calculator", "CalculatorSoap port: POST SOAP 1.1"),
    ("/broken/html", "POST: 200 with an HTML page"),
    ("/broken/500", "POST: 500 text/plain, no fault"),
    ("/broken/entities", "POST: 200 XML with an entity-expansion bomb in a DTD"),
    ("/broken/xxe", "POST: 200 XML with an external entity (file:///etc/hostname)"),
    ("/bad/not-wsdl?wsdl", "XML that is not a WSDL"),
    ("/bad/missing-import?wsdl", "WSDL importing a schema that is 404"),
    ("/bad/dtd?wsdl", "WSDL with an entity-expansion bomb in a DTD"),
    ("/bad/xxe?wsdl", "WSDL with an external entity"),
]


def _wsdl_route(path: str, wsdl: str, schemas: Mapping[str, str] | None = None) -> Route:
    """GET `path`?wsdl (any case) serves the file `wsdl`; ?xsd=NAME serves schemas[NAME].
    A plain GET says how to use the endpoint."""

    async def describe(request: Request) -> Response:
        query = {key.lower(): value for key, value in request.query_params.items()}
        name = wsdl
        if "xsd" in query and "wsdl" not in query:
            found = (schemas or {}).get(query["xsd"])
            if found is None:
                return PlainTextResponse(f"No schema {query['xsd']!r} here.", status_code=404)
            name = found
        elif "wsdl" not in query:
            return PlainTextResponse(
                f"SOAP endpoint: POST envelopes here; GET {path}?wsdl for its description."
            )
        return Response(render(name, str(request.base_url)), media_type=XML_CONTENT_TYPE)

    return Route(path, describe, methods=["GET"])


def create_app() -> Starlette:
    """Build a fresh SOAP mock app."""
    hospital = create_hospital_service(load_schema("hospital_types.xsd"))
    calculator = create_calculator_service()

    async def index(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "name": "apiclient SOAP mock",
                "ws_security": {"username": NURSE_USERNAME, "password": NURSE_PASSWORD},
                "endpoints": [{"path": path, "description": text} for path, text in ENDPOINTS],
            }
        )

    return Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            _wsdl_route("/hospital", "hospital.wsdl", {"types": "hospital_types.xsd"}),
            Route("/hospital", soap_endpoint(hospital, SOAP11), methods=["POST"]),
            Route("/hospital12", soap_endpoint(hospital, SOAP12), methods=["POST"]),
            _wsdl_route("/calculator", "calculator.wsdl"),
            Route("/calculator", soap_endpoint(calculator, SOAP11), methods=["POST"]),
            *broken_routes(),
        ]
    )
