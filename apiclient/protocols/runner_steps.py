"""One runner step per request kind: resolve it, send it, and turn the answer into facts.

:class:`StepEngines` holds one engine of each kind for a whole run, so the REST cookie
jar carries cookies from one request to the next (like Postman) and connections stay
warm; SOAP and GraphQL go through that same REST engine. What each kind needs before
it can send (a WSDL to validate a SOAP answer, a GraphQL SDL file, a gRPC service
description by reflection or .proto files) is loaded on first use and kept for the
run, shared by concurrent steps that ask at the same time.

What each kind reports as :class:`Answer`:

* REST: status "200 OK", the headers and body as received.
* Batch: the batch call's HTTP answer (checks read the per-item report in its body).
* SOAP: the HTTP exchange; a Fault (HTTP 500) is an answer to check, not an error.
  With ``validate_response``, the WSDL is loaded (once per run) and the answer checked
  against the operation's schema, reported as one more check.
* GraphQL: a query or mutation is its HTTP exchange. A subscription collects events
  until the server completes it, for at most the request's ``timeout_s`` or
  :data:`MAX_SUBSCRIPTION_EVENTS` events; its facts are status 101 and a body that is
  the JSON array of the event payloads, so checks use ``$[0].data...``.
* gRPC: status is the status code number (0 for OK) and reads "OK" or "NOT_FOUND:
  details"; headers are the initial then trailing metadata; body is the response
  message JSON (unary, client stream) or a JSON array of messages (server and bidi
  streams). A status other than OK is an answer to check, not an error.
* WebSocket: see :mod:`.runner_ws`.

OAuth 2.0: before a request whose (effective, resolved) auth is OAuth 2.0 goes out, its
``auth.token`` is filled with the access token :func:`~.oauth2.ensure_token` gives: the
cached one while valid, else refreshed, else fetched (client credentials and password);
an authorization code grant without a usable token fails the step saying what to click.
Steps needing the same token wait for one fetch rather than each fetching their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from apiclient.core.connection_defaults import (
    BUILTIN,
    ConnectionDefaults,
    effective_settings,
    read_timeout,
    verifies,
)
from apiclient.core.errors import CoreError
from apiclient.core.models import (
    AnyRequest,
    Auth,
    BatchRequest,
    Check,
    ClientCertificate,
    GraphqlRequest,
    GrpcRequest,
    RequestSettings,
    RestRequest,
    SoapRequest,
    WebhookRequest,
    WebsocketRequest,
)
from apiclient.core.oauth2_tokens import TokenCache
from apiclient.core.variables import (
    Scope,
    resolve_batch_request,
    resolve_graphql_request,
    resolve_grpc_request,
    resolve_request,
    resolve_soap_request,
    resolve_text,
    resolve_websocket_request,
)
from apiclient.protocols.batch import BatchEngine
from apiclient.protocols.checks import CheckResult, ResponseFacts
from apiclient.protocols.errors import ProtocolError, RequestBuildError
from apiclient.protocols.graphql import GraphqlEngine
from apiclient.protocols.graphql_document import check_document
from apiclient.protocols.graphql_schema import LoadedSchema, schema_from_sdl_file
from apiclient.protocols.grpc import GrpcCatalog, GrpcEngine, load_proto_files, reflect
from apiclient.protocols.oauth2 import OAuth2Context, ensure_token
from apiclient.protocols.rest import RestResponse
from apiclient.protocols.rest_threaded import ThreadedRestEngine
from apiclient.protocols.runner_ws import run_ws_script
from apiclient.protocols.soap import SoapEngine, SoapResponse
from apiclient.protocols.soap_wsdl import LoadedWsdl, load_wsdl
from apiclient.protocols.soap_wsdl_http import WsdlHttp

MAX_SUBSCRIPTION_EVENTS = 100
"""A subscription step stops after this many events (or its timeout), whichever first."""

_STOP_S = 2.0  # how long telling a subscription's server to stop may take
_STOP_WHEN_CANCELLED_S = 0.05


@dataclass(frozen=True)
class Answer:
    """What came back from one step, before checks and captures.

    ``facts`` is None when the kind has no checks (WebSocket); ``checks`` are results
    the step itself produced (WebSocket expectations, SOAP schema validation). A
    WebSocket script, having no facts, gives what it received instead: ``messages``
    (the text messages in order) and ``headers`` (the handshake response's).
    """

    label: str
    status: str
    elapsed_ms: float
    size: int
    facts: ResponseFacts | None
    checks: tuple[CheckResult, ...] = ()
    messages: tuple[str, ...] | None = None
    headers: tuple[tuple[str, str], ...] = ()


def label_of(request: AnyRequest) -> str:
    """What a step calls, for reports: "GET http://...", "SOAP GetPatientRecord"..."""
    if isinstance(request, RestRequest | BatchRequest):
        return f"{request.method.upper()} {request.url.strip()}"
    if isinstance(request, SoapRequest):
        return f"SOAP {request.operation or request.soap_action or request.endpoint.strip()}"
    if isinstance(request, GraphqlRequest):
        return f"GraphQL {request.operation_name or request.method} {request.url.strip()}"
    if isinstance(request, GrpcRequest):
        return f"gRPC {request.method.strip()}"
    if isinstance(request, WebsocketRequest):
        return f"WS {request.url.strip()}"
    return f"Webhook receiver {request.host}:{request.port}"


def resolve_any(request: AnyRequest, scope: Scope) -> AnyRequest:
    """``request`` with its ``{{variables}}`` resolved by the function of its kind.

    Raises the variable errors of :mod:`apiclient.core.variables`, and
    ``RequestBuildError`` for a kind the runner does not send.
    """
    if isinstance(request, RestRequest):
        return resolve_request(request, scope)
    if isinstance(request, SoapRequest):
        return resolve_soap_request(request, scope)
    if isinstance(request, GraphqlRequest):
        return resolve_graphql_request(request, scope)
    if isinstance(request, GrpcRequest):
        return resolve_grpc_request(request, scope)
    if isinstance(request, WebsocketRequest):
        return resolve_websocket_request(request, scope)
    if isinstance(request, BatchRequest):
        return resolve_batch_request(request, scope)
    raise RequestBuildError(f"A {request.kind} request cannot be run by the collection runner.")


class _Loads:
    """Loads shared by a run's steps: the first step asking for a key starts the load,
    others asking meanwhile wait for the same one. A failed load is forgotten, so a
    later step tries again (the server may be up by then)."""

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[Any]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(load())
        try:
            return await asyncio.shield(task)
        except Exception:  # forgotten, then raised to this step as it is
            if task.done() and self._tasks.get(key) is task:
                del self._tasks[key]
            raise

    async def aclose(self) -> None:
        tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class StepEngines:
    """One engine of each kind for a run; :meth:`aclose` them at its end. ``base_dir``
    is where a batch call's relative data file is read from (the collection's root).

    HTTP exchanges (REST, batch, SOAP, GraphQL) run on up to ``workers`` threads
    (:mod:`.rest_threaded`): a run's loop is its own, and sync httpx costs less CPU
    per request, which is what bounds a run's rate.

    ``oauth2`` is where OAuth 2.0 tokens are cached (the window's cache for the
    environment in use); without one, tokens fetched are kept for this run only.
    ``client_certificates`` (resolved) are presented to the HTTPS hosts they name."""

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        workers: int = 1,
        oauth2: OAuth2Context | None = None,
        client_certificates: Sequence[ClientCertificate] = (),
    ) -> None:
        self.base_dir = base_dir
        self.oauth2 = oauth2 if oauth2 is not None else OAuth2Context(TokenCache(None))
        self._token_locks: dict[str, asyncio.Lock] = {}
        self.rest = ThreadedRestEngine(workers)
        self.rest.set_client_certificates(list(client_certificates))
        self.batch = BatchEngine(self.rest)
        self.soap = SoapEngine(self.rest)
        self.graphql = GraphqlEngine(self.rest)
        self._grpc: GrpcEngine | None = None
        self._loads = _Loads()

    async def send(self, request: AnyRequest, scope: Scope) -> Answer:
        """Send a resolved ``request``; ``scope`` resolves WebSocket script steps as
        they run. Raises the engines' ``ProtocolError``s when nothing usable came back."""
        request = await self.with_oauth2_token(request, scope.connection)
        if isinstance(request, RestRequest):
            return _rest_answer(label_of(request), await self.rest.send(request))
        if isinstance(request, SoapRequest):
            return await self._soap(request, scope)
        if isinstance(request, GraphqlRequest):
            return await self._graphql(request)
        if isinstance(request, GrpcRequest):
            return await self._grpc_call(request)
        if isinstance(request, WebsocketRequest):
            outcome = await run_ws_script(request, scope)
            return Answer(
                label_of(request),
                "101 Switching Protocols",
                outcome.elapsed_ms,
                outcome.bytes_in,
                None,
                outcome.expectations,
                outcome.messages,
                outcome.headers,
            )
        if isinstance(request, BatchRequest):
            sent = await self.batch.send(request, base_dir=self.base_dir)
            return _rest_answer(label_of(request), sent.response)
        if isinstance(request, WebhookRequest):
            raise RequestBuildError(f"A {request.kind} request cannot be sent by the runner.")
        raise RequestBuildError(f"Unknown request kind {request.kind!r}.")

    async def with_oauth2_token(
        self, request: AnyRequest, connection: ConnectionDefaults = BUILTIN
    ) -> AnyRequest:
        """``request`` with its OAuth 2.0 access token filled in (itself when its auth is
        not OAuth 2.0). The token request travels with the request's settings, or, for a
        kind without (gRPC, WebSocket), with ``connection``, the run's "App default"
        ones. Raises the errors of :func:`~.oauth2.ensure_token`."""
        auth: Auth | None = getattr(request, "auth", None)
        if auth is None or auth.kind != "oauth2":
            return request
        key = self.oauth2.key(auth)
        lock = self._token_locks.setdefault(key, asyncio.Lock())
        async with lock:
            settings = getattr(request, "settings", None)
            if settings is None:
                settings = effective_settings(RequestSettings(), connection)
            token = await ensure_token(auth, self.oauth2.cache, key, self.rest, settings=settings)
        filled = auth.model_copy(update={"token": token.access_token})
        return request.model_copy(update={"auth": filled})

    async def aclose(self) -> None:
        await self._loads.aclose()
        if self._grpc is not None:
            await self._grpc.aclose()
        await self.graphql.aclose()
        await self.soap.aclose()
        await self.rest.aclose()

    # -- SOAP ----------------------------------------------------------------------------

    async def _soap(self, request: SoapRequest, scope: Scope) -> Answer:
        response = await self.soap.send(request)
        answer = _rest_answer(label_of(request), response.http)
        if not request.validate_response or response.fault is not None or response.problem:
            return answer
        validation = await self._validate(request, response, scope)
        return Answer(
            answer.label, answer.status, answer.elapsed_ms, answer.size, answer.facts, (validation,)
        )

    async def _validate(
        self, request: SoapRequest, response: SoapResponse, scope: Scope
    ) -> CheckResult:
        check = Check(source="body", op="matches", expression="WSDL schema", expected="")
        try:
            location = resolve_text(
                request.wsdl, scope.with_layer("request", request.variables), "WSDL"
            ).strip()
        except CoreError as exc:
            return CheckResult(check, False, "", f"The response was not validated: {exc}")
        if not location:
            return CheckResult(
                check, False, "", "The response was not validated: the request names no WSDL."
            )
        settings = request.settings

        async def load() -> LoadedWsdl:
            # Fetched as the request was sent: its (effective) auth, token and connection.
            return await load_wsdl(
                location,
                timeout_s=read_timeout(settings),
                verify_tls=verifies(settings),
                http=WsdlHttp(self.rest, request.auth, settings),
            )

        try:
            wsdl: LoadedWsdl = await self._loads.get(("wsdl", location), load)
        except ProtocolError as exc:
            return CheckResult(check, False, "", f"The response was not validated: {exc}")
        operation = wsdl.find(request.service, request.port, request.operation)
        if operation is None:
            return CheckResult(
                check,
                False,
                "",
                f"The response was not validated: the WSDL {location} has no operation "
                f"{request.operation!r} in {request.service} / {request.port}.",
            )
        mismatches = await asyncio.to_thread(wsdl.validate_response, operation, response.http.body)
        if mismatches:
            shown = "; ".join(mismatches[:3]) + (" …" if len(mismatches) > 3 else "")
            return CheckResult(
                check, False, "", f"The response does not match the WSDL's schema: {shown}"
            )
        return CheckResult(check, True, "", "The response matches the WSDL's schema.")

    # -- GraphQL -------------------------------------------------------------------------

    async def _graphql(self, request: GraphqlRequest) -> Answer:
        schema = await self._schema(request)
        info = await asyncio.to_thread(
            check_document, request.query, schema, request.operation_name
        )
        if info.kind == "subscription":
            return await self._subscription(request, schema)
        response = await self.graphql.send(request, schema)
        return _rest_answer(label_of(request), response.http)

    def _local(self, path: str) -> str:
        """``path`` (from a saved request) read from the collection's root when relative,
        like a batch call's data file, wherever the run was started from."""
        if self.base_dir is None or not path:
            return path
        return str(self.base_dir / Path(path).expanduser())

    async def _schema(self, request: GraphqlRequest) -> LoadedSchema | None:
        path = self._local(request.schema_file.strip())
        if not path:
            return None  # checked for syntax only; the server validates the rest

        async def load() -> LoadedSchema:
            return await asyncio.to_thread(schema_from_sdl_file, path)

        schema: LoadedSchema = await self._loads.get(("graphql-sdl", path), load)
        return schema

    async def _subscription(self, request: GraphqlRequest, schema: LoadedSchema | None) -> Answer:
        subscription = self.graphql.subscribe(request, schema)
        started = time.perf_counter()
        payloads: list[str] = []
        ending = "completed"
        try:
            try:
                async with asyncio.timeout(request.settings.timeout_s):
                    async for event in subscription:
                        payloads.append(event.raw)
                        if len(payloads) >= MAX_SUBSCRIPTION_EVENTS:
                            ending = f"stopped at {MAX_SUBSCRIPTION_EVENTS} events"
                            break
            except TimeoutError:
                ending = f"stopped after {request.settings.timeout_s:g} s"
            elapsed_ms = (time.perf_counter() - started) * 1000
        finally:
            # A cancelled run must end at once: then the goodbye gets only a moment.
            task = asyncio.current_task()
            cancelled = task is not None and task.cancelling() > 0
            with contextlib.suppress(TimeoutError, ProtocolError):
                async with asyncio.timeout(_STOP_WHEN_CANCELLED_S if cancelled else _STOP_S):
                    await subscription.stop()
        body = ("[" + ",".join(payloads) + "]").encode()
        count = f"{len(payloads)} event{'' if len(payloads) == 1 else 's'}"
        facts = ResponseFacts(101, (), body, "application/json", elapsed_ms)
        label = f"GraphQL subscription {request.subscription_url or request.url}".strip()
        return Answer(
            label, f"101 Switching Protocols ({count}, {ending})", elapsed_ms, len(body), facts
        )

    # -- gRPC ----------------------------------------------------------------------------

    async def _grpc_call(self, request: GrpcRequest) -> Answer:
        catalog = await self._catalog(request)
        if self._grpc is None:
            self._grpc = GrpcEngine()
        result = await self._grpc.call(request, catalog)
        method = catalog.method(request.method.strip())
        if method is not None and method.server_streams:
            body_text = "[" + ",".join(result.messages) + "]"
        else:
            body_text = result.messages[0] if result.messages else ""
        body = body_text.encode()
        number = grpc.StatusCode[result.code].value[0] if result.code in _CODES else 2
        status = result.code + (f": {result.details}" if result.details else "")
        elapsed_ms = result.elapsed_s * 1000
        headers = result.initial_metadata + result.trailing_metadata
        facts = ResponseFacts(number, headers, body, "application/json", elapsed_ms)
        return Answer(label_of(request), status, elapsed_ms, len(body), facts)

    async def _catalog(self, request: GrpcRequest) -> GrpcCatalog:
        if request.proto_files:
            files = [self._local(file.strip()) for file in request.proto_files]
            paths = [self._local(folder.strip()) for folder in request.import_paths]

            async def compile_files() -> GrpcCatalog:
                return await asyncio.to_thread(load_proto_files, files, paths)

            key: Hashable = ("protos", tuple(files), tuple(paths))
            catalog: GrpcCatalog = await self._loads.get(key, compile_files)
            return catalog

        async def reflect_server() -> GrpcCatalog:
            return await reflect(request)

        key = (
            "reflection",
            request.target.strip(),
            request.security,
            request.tls.model_dump_json(),
        )
        catalog = await self._loads.get(key, reflect_server)
        return catalog


_CODES = frozenset(code.name for code in grpc.StatusCode)


def _rest_answer(label: str, response: RestResponse) -> Answer:
    elapsed_ms = response.elapsed_s * 1000
    facts = ResponseFacts(
        response.status_code,
        response.headers,
        response.body,
        response.header("content-type") or "",
        elapsed_ms,
    )
    status = f"{response.status_code} {response.reason}".strip()
    return Answer(label, status, elapsed_ms, len(response.body), facts)
