"""Size limits on what a server sends: a WSDL or schema document, or a REST response
body, over the limit is refused while it is read, with the limit in the message (the
WebSocket frame and the webhook body limits have their own tests; see SECURITY.md)."""

from __future__ import annotations

import time

import pytest

from apiclient.core.models import RestRequest
from apiclient.protocols import http, soap_wsdl_transport
from apiclient.protocols.errors import ResponseTooLargeError, WsdlFetchError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.rest_threaded import ThreadedRestEngine
from apiclient.protocols.soap_wsdl import load_wsdl

MB = 1024 * 1024


async def test_a_wsdl_over_the_size_limit_is_refused_while_read(
    rest_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real limit is 64 MB; 1 MB keeps the test quick and the path the same.
    monkeypatch.setattr(soap_wsdl_transport, "MAX_DOCUMENT_BYTES", MB)
    url = f"{rest_url}/bytes/{3 * MB}"
    started = time.perf_counter()
    with pytest.raises(WsdlFetchError) as caught:
        await load_wsdl(url)
    assert time.perf_counter() - started < 2.0
    assert str(caught.value) == (
        f"Could not read the WSDL {url}: it is larger than 1 MB."
        " This is not a plausible WSDL or schema; check the address."
    )


def test_the_real_wsdl_limit_is_64_mb() -> None:
    assert soap_wsdl_transport.MAX_DOCUMENT_BYTES == 64 * MB


@pytest.mark.parametrize("engine_kind", ["async", "threaded"])
async def test_a_rest_response_over_the_limit_is_cut_off_with_a_clear_error(
    rest_url: str, monkeypatch: pytest.MonkeyPatch, engine_kind: str
) -> None:
    """The REST engine (and the runner's threaded one) stop reading a body at the limit
    instead of filling memory; 1 MB stands in for the real 1 GB."""
    monkeypatch.setattr(http, "MAX_RESPONSE_BYTES", MB)
    url = f"{rest_url}/bytes/{3 * MB}"
    engine = RestEngine() if engine_kind == "async" else ThreadedRestEngine(workers=1)
    try:
        with pytest.raises(ResponseTooLargeError) as caught:
            await engine.send(RestRequest(url=url))
    finally:
        await engine.aclose()
    assert str(caught.value) == (
        f"The response from {url} passed 1 MB, the most apiclient keeps of one body, and was"
        " cut off there. Ask the server for less (a page, a range)."
    )


def test_the_real_response_limit_is_1_gb() -> None:
    assert http.MAX_RESPONSE_BYTES == 1024 * MB
