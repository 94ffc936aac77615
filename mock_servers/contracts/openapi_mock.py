"""A mock served from an OpenAPI 3 file: one route per path, answering each of its
operations by method, under the base path of the contract's first server.

Each operation checks the request (parameters 400, body 422), then answers with its
pinned response if the user pinned one, else the contract's example, else data made
from the response schema. The data depends on the seed, the operation, the status and
the URL path (so /pets/1 and /pets/2 differ, and each is the same every time).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_servers.contracts.base import Pins, StartedMock
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.openapi_model import Contract, Operation, load_contract
from mock_servers.contracts.openapi_render import Rendered, render, render_pinned
from mock_servers.contracts.openapi_validate import RequestValidator
from mock_servers.serving import serve_asgi

KIND = "openapi"


async def start(contract: Path, host: str, port: int, fake: FakeData, pins: Pins) -> StartedMock:
    """Serve ``contract`` on host:port until the returned mock is stopped.

    Raises ContractError (or UnsupportedContractError) for a file that cannot be served
    and PortInUseError for a taken port; reading the file happens on the caller's loop.
    """
    loaded = load_contract(contract)
    app = create_app(loaded, fake, pins)
    server = await serve_asgi(app, name=contract.stem, host=host, port=port)
    shown = f"[{host}]" if ":" in host else host
    return StartedMock(
        kind=KIND,
        url=f"http://{shown}:{server.port}{loaded.base_path}",
        operations=tuple(op.name for op in loaded.operations),
        stop=server.stop,
    )


def create_app(contract: Contract, fake: FakeData, pins: Pins) -> Starlette:
    """The ASGI app answering every operation of ``contract``."""
    validator = RequestValidator(contract.request_defs)
    by_path: dict[str, dict[str, Operation]] = {}
    for op in contract.operations:
        by_path.setdefault(op.path, {})[op.method] = op
    # Fixed paths before templated ones: /pets/mine must not be taken as /pets/{id}.
    routes = [
        Route(
            contract.base_path + route_path,
            _endpoint(operations, names, contract, fake, pins, validator),
            methods=list(operations),
        )
        for path, operations in sorted(by_path.items(), key=lambda item: item[0].count("{"))
        for route_path, names in [_route_path(path)]
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        listing = [f"{op.method} {contract.base_path}{op.path}" for op in contract.operations]
        if status == 405:
            error = f"{request.url.path} has no {request.method} operation in the contract"
        else:
            error = f"No operation answers {request.method} {request.url.path} in the contract"
        return JSONResponse(
            {
                "error": f"{error} '{contract.title}'; call one of its operations.",
                "operations": listing,
            },
            status_code=status,
            headers=getattr(exc, "headers", None),
        )

    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


def _route_path(template: str) -> tuple[str, dict[str, str]]:
    """Starlette's path for an OpenAPI template, and its parameter names back: Starlette
    wants identifiers, OpenAPI allows ``{pet-id}``."""
    names: dict[str, str] = {}
    parts = []
    for i, piece in enumerate(template.split("{")):
        if i == 0:
            parts.append(piece)
            continue
        name, _, rest = piece.partition("}")
        safe = f"p{len(names)}"
        names[safe] = name
        parts.append("{" + safe + "}" + rest)
    return "".join(parts), names


def _endpoint(
    operations: dict[str, Operation],
    names: dict[str, str],
    contract: Contract,
    fake: FakeData,
    pins: Pins,
    validator: RequestValidator,
) -> Any:
    """The endpoint of one path, answering each of its operations by method (HEAD as GET,
    which Starlette adds)."""

    async def answer(request: Request) -> Response:
        operation = operations.get(request.method) or operations["GET"]
        path = {names[k]: v for k, v in request.path_params.items()}
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        problem = validator.check_parameters(
            operation, path, query, request.headers, request.cookies
        )
        if problem is None:
            raw = await request.body()
            problem = validator.check_body(operation, request.headers.get("content-type"), raw)
        if problem is not None:
            return JSONResponse(problem.body(), status_code=problem.status)
        where = f"{operation.name}|{request.url.path}"
        pin = pins.get(operation.name)
        accept = request.headers.get("accept")
        defs = contract.response_defs
        if pin is not None:
            if pin.delay_s > 0:
                await asyncio.sleep(pin.delay_s)
            rendered = render_pinned(operation, pin, defs, fake, where, path, accept)
        else:
            rendered = render(operation, operation.status, defs, fake, where, path, accept)
        return _response(rendered)

    return answer


def _response(rendered: Rendered) -> Response:
    headers = dict(rendered.headers)
    if rendered.body is None or rendered.status in (204, 304) or rendered.status < 200:
        return Response(status_code=rendered.status, headers=headers)
    body = rendered.body.encode() if isinstance(rendered.body, str) else rendered.body
    return Response(body, status_code=rendered.status, headers=headers, media_type=rendered.media)
