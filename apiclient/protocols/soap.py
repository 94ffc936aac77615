"""The SOAP engine: send one resolved :class:`SoapRequest`, get a :class:`SoapResponse`.

SOAP over HTTP is a POST of an envelope, so the exchange itself is the REST engine's
(TLS, timeouts, redirects, timings, cookies and the error mapping all come from it).
This module adds what is SOAP's own: the envelope checked before any traffic, with
WS-Security and the SOAP headers (:mod:`.soap_request`), and the answer read safely
with its Fault (:mod:`.soap_response`). Failures of the exchange propagate as the REST
engine raises them; a response that is not a normal SOAP answer is not an error but a
``problem`` sentence next to what the server sent, so the user always sees it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from apiclient.core.models import SoapRequest
from apiclient.protocols.errors import EnvelopeError
from apiclient.protocols.rest import RestEngine, RestResponse
from apiclient.protocols.soap_request import build_rest_request, check_envelope, prepare_envelope
from apiclient.protocols.soap_response import SoapFault, read_response

__all__ = ["EnvelopeError", "SoapEngine", "SoapFault", "SoapResponse", "check_envelope"]


@dataclass(frozen=True)
class SoapResponse:
    """Everything the SOAP response panel shows; plain data, safe to hand to any thread."""

    http: RestResponse  # status, headers, timings and body exactly as the REST engine read them
    sent_envelope: str  # the envelope as sent, WS-Security included
    fault: SoapFault | None
    problem: str  # "" when fine, else a sentence saying what looks wrong and what to try


class SoapEngine:
    """Sends SOAP requests through a REST engine.

    Pass the app's REST engine to share its warm connections and cookie jar; it then
    stays open after :meth:`aclose`, which only closes an engine made here.
    """

    def __init__(self, rest: RestEngine | None = None) -> None:
        self._owns_rest = rest is None
        self._rest = rest if rest is not None else RestEngine()

    async def send(self, request: SoapRequest) -> SoapResponse:
        """Send a resolved request and read the answer.

        Raises :class:`EnvelopeError` (or another ``RequestBuildError``) before any
        traffic when the request cannot be built, and the REST engine's
        :class:`~apiclient.protocols.errors.ProtocolError`s when the exchange fails.
        """
        # Parsing, signing and reading are CPU work on possibly large XML: keep them
        # off the event loop, which is the GUI's.
        envelope = await asyncio.to_thread(
            prepare_envelope, request.envelope, request.soap_version, request.wsse
        )
        http = await self._rest.send(build_rest_request(request, envelope))
        reading = await asyncio.to_thread(read_response, http)
        return SoapResponse(
            http=http,
            sent_envelope=envelope,
            fault=reading.fault,
            problem=reading.problem,
        )

    async def aclose(self) -> None:
        if self._owns_rest:
            await self._rest.aclose()
