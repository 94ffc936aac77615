"""Deliberately wrong answers, for testing how a SOAP client copes.

POST /broken/... imitate services that misbehave when called; GET /bad/... serve
WSDLs a client must refuse or report. The XML bodies are files in soap_wsdl/; the mock
only ever sends them, it never parses them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from mock_servers.soap_documents import XML_CONTENT_TYPE, render

# GET /bad/{name}: what each serves. Anything else under /bad/, such as the schema
# bad_missing_import.wsdl imports (/bad/nothing-here.xsd), is a 404.
BAD_DOCUMENTS = {
    "not-wsdl": "bad_not_wsdl.xml",
    "missing-import": "bad_missing_import.wsdl",
    "dtd": "bad_dtd.wsdl",
    "xxe": "bad_xxe.wsdl",
}

_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Service unavailable</title></head>
<body><h1>Maintenance</h1><p>The hospital records service is down for maintenance.</p></body>
</html>
"""


async def _html_page(request: Request) -> Response:
    return Response(_HTML, media_type="text/html; charset=utf-8")


async def _plain_500(request: Request) -> Response:
    return PlainTextResponse("Internal Server Error", status_code=500)


async def _entity_bomb(request: Request) -> Response:
    return Response(
        render("broken_entities.xml", str(request.base_url)), media_type=XML_CONTENT_TYPE
    )


async def _external_entity(request: Request) -> Response:
    return Response(render("broken_xxe.xml", str(request.base_url)), media_type=XML_CONTENT_TYPE)


async def _bad_document(request: Request) -> Response:
    name = BAD_DOCUMENTS.get(request.path_params["name"])
    if name is None:
        return PlainTextResponse("Not Found", status_code=404)
    return Response(render(name, str(request.base_url)), media_type=XML_CONTENT_TYPE)


def broken_routes() -> list[Route]:
    return [
        Route("/broken/html", _html_page, methods=["POST"]),
        Route("/broken/500", _plain_500, methods=["POST"]),
        Route("/broken/entities", _entity_bomb, methods=["POST"]),
        Route("/broken/xxe", _external_entity, methods=["POST"]),
        Route("/bad/{name}", _bad_document, methods=["GET"]),
    ]
