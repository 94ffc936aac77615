"""The WSDL contract mock, called by zeep as a real client against the served ?wsdl."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import corpus_paths
import httpx
import pytest
import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.wsdl.bindings.soap import SoapBinding

from mock_servers.contracts import wsdl_mock
from mock_servers.contracts.base import (
    ContractError,
    Pin,
    Pins,
    StartedMock,
    UnsupportedContractError,
)
from mock_servers.contracts.fake_data import FakeData
from mock_servers.contracts.wsdl_facets import FacetIndex
from mock_servers.contracts.wsdl_samples import SampleGenerator
from mock_servers.errors import PortInUseError

HERE = Path(__file__).parent / "contract_files" / "wsdl"
LIBRARY = HERE / "library.wsdl"
CORPUS = corpus_paths.CORPUS / "wsdl"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TYPES = "urn:example:library:types"
FIND_BOOKS = (
    f'<s:Envelope xmlns:s="{SOAP11}"><s:Body>'
    f'<t:FindBooks xmlns:t="{TYPES}"><t:Query>dune</t:Query></t:FindBooks>'
    "</s:Body></s:Envelope>"
)
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")


@asynccontextmanager
async def serving(
    contract: Path, seed: int = 1, pins: Pins | None = None
) -> AsyncIterator[StartedMock]:
    mock = await wsdl_mock.start(contract, "127.0.0.1", 0, FakeData(seed), pins or Pins())
    try:
        yield mock
    finally:
        await mock.stop()


def _client(url: str, plugins: list[Any] | None = None) -> zeep.Client:
    return zeep.Client(url, plugins=plugins or [])


def _call_every_operation(url: str, limit: int = 6) -> dict[str, Any]:
    """Call up to ``limit`` operations of every SOAP port with generated requests."""
    client = _client(url)
    requests = SampleGenerator(FakeData(7), FacetIndex([]))
    results: dict[str, Any] = {}
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            if not isinstance(port.binding, SoapBinding):
                continue  # HTTP GET/POST ports are not served
            operations = port.binding._operations
            proxy = client.bind(service.name, port.name)
            for name in list(operations)[:limit]:
                body = operations[name].input.body
                value = requests.type(body.type, name, body.name, 0) if body is not None else {}
                method = getattr(proxy, name)
                result = method(**value) if isinstance(value, dict) else method(value)
                results[f"{port.name}.{name}"] = result
    return results


async def test_library_answers_in_soap_11_and_12_with_values_the_schema_allows() -> None:
    history = HistoryPlugin()
    async with serving(LIBRARY) as mock:
        assert mock.kind == "wsdl"
        assert mock.operations == ("FindBooks", "GetBook")

        def call() -> tuple[Any, Any, etree._Element]:
            client = _client(mock.url, [history])
            soap12 = client.bind("Library", "LibrarySoap12Port")
            found = client.service.FindBooks(Query="dune")
            received = history.last_received["envelope"]
            return found, soap12.GetBook(Isbn="123"), received

        found, book, envelope = await asyncio.to_thread(call)
    assert 2 <= len(found.Book) <= 4
    assert isinstance(found.Total, int)
    for item in [*found.Book, book]:
        assert item.Genre in {"fiction", "history", "science"}
        assert len(item.Isbn) <= 13
        assert item.Pages >= 1
        assert item.Author and all(isinstance(a.id, int) for a in item.Author)
        assert "@example.com" in item.Author[0].Email
        assert item.ShelfCode is not None
        assert item.Rating is None or 1 <= item.Rating <= 5
    payload = envelope.find(f"{{{SOAP11}}}Body")[0]
    schema = etree.XMLSchema(etree.parse(str(HERE / "library_types.xsd")))
    assert schema.validate(payload), schema.error_log


async def test_the_served_wsdl_points_at_the_mock_and_serves_its_imports() -> None:
    async with serving(LIBRARY) as mock, httpx.AsyncClient() as http:
        wsdl = etree.fromstring((await http.get(mock.url)).content)
        base = mock.url.split("/Library")[0]
        addresses = {a.get("location") for a in wsdl.iter("{*}address")}
        assert addresses == {f"{base}/Library"}
        imported = next(wsdl.iter("{http://www.w3.org/2001/XMLSchema}import"))
        assert imported.get("schemaLocation") == f"{base}/_contract/library_types.xsd"
        assert (await http.get(imported.get("schemaLocation"))).status_code == 200
        escape = await http.get(f"{base}/_contract/..%2F..%2Fconftest.py")
        assert escape.status_code == 404


async def test_same_seed_same_answer_another_seed_another() -> None:
    async def answer(seed: int) -> bytes:
        async with serving(LIBRARY, seed) as mock, httpx.AsyncClient() as http:
            url = mock.url.removesuffix("?wsdl")
            response = await http.post(url, content=FIND_BOOKS, headers={"SOAPAction": ""})
            assert response.status_code == 200
            return response.content

    first, again, other = await answer(3), await answer(3), await answer(4)
    assert first == again
    assert first != other


CORPUS_WSDLS = [
    "wsdl-to-postman/InProgress/amazonQueue.wsdl",
    "wsdl-to-postman/validWSDLs11/TexasGeocoderService_V04_01.wsdl",
    "wsdl-to-postman/validWSDLs11/numberConvertion.wsdl",
    "wsdl-to-postman/validWSDLs11/temperatureConverter.wsdl",
    "node-soap/strict/CyberSourceTransaction_1.26.wsdl",
    "node-soap/list_parameter.wsdl",
    "node-soap/request-response-samples/"
    "GetItemInformation__should_ignore_default_namespace_from_schema/soap.wsdl",
    "zeep/benchmark/benchmark.wsdl",
]


@needs_corpus
@pytest.mark.parametrize("name", CORPUS_WSDLS)
async def test_corpus_wsdls_answer_every_operation(name: str) -> None:
    async with serving(CORPUS / name) as mock:
        results = await asyncio.to_thread(_call_every_operation, mock.url)
    assert results
    assert all(result is not None for result in results.values())


async def test_a_pinned_body_is_the_response() -> None:
    pins = Pins()
    pins.set("GetBook", Pin(body=f'<t:GetBookResponse xmlns:t="{TYPES}"/>'))
    async with serving(LIBRARY, pins=pins) as mock, httpx.AsyncClient() as http:
        url = mock.url.removesuffix("?wsdl")
        get_book = FIND_BOOKS.replace("FindBooks", "GetBook").replace("Query", "Isbn")
        response = await http.post(url, content=get_book, headers={"SOAPAction": ""})
    assert response.status_code == 200
    body = etree.fromstring(response.content).find(f"{{{SOAP11}}}Body")
    assert body[0].tag == f"{{{TYPES}}}GetBookResponse"
    assert len(body[0]) == 0


async def test_pinned_statuses_and_the_fault_header_answer_soap_faults() -> None:
    pins = Pins()
    async with serving(LIBRARY, pins=pins) as mock:

        def call(port: str = "LibrarySoap11Port") -> Fault:
            service = _client(mock.url).bind("Library", port)
            with pytest.raises(Fault) as caught:
                service.FindBooks(Query="dune")
            return caught.value

        pins.set("FindBooks", Pin(status=503, body="The catalogue is being rebuilt."))
        async with httpx.AsyncClient() as http:  # the pinned status, not always 500
            pinned = await http.post(mock.url.removesuffix("?wsdl"), content=FIND_BOOKS)
        assert pinned.status_code == 503
        assert b"The catalogue is being rebuilt." in pinned.content
        fault = await asyncio.to_thread(call)
        assert fault.message == "The catalogue is being rebuilt."
        assert fault.code.endswith("Server")
        pins.set("FindBooks", Pin(status=404))
        fault = await asyncio.to_thread(call, "LibrarySoap12Port")
        assert fault.code.endswith("Sender")
        assert "FindBooks" in fault.message
        pins.set("FindBooks", Pin(delay_s=0.3))
        started = time.monotonic()
        async with httpx.AsyncClient() as http:
            url = mock.url.removesuffix("?wsdl")
            response = await http.post(
                url, content=FIND_BOOKS, headers={"SOAPAction": "", "X-Mock-Fault": "true"}
            )
        assert time.monotonic() - started >= 0.3
    assert response.status_code == 500
    fault = etree.fromstring(response.content)
    assert fault.findtext(".//faultcode") == "soap:Server"
    assert "X-Mock-Fault" in fault.findtext(".//faultstring")


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"not xml", 400, "not well-formed"),
        (f'<s:Envelope xmlns:s="{SOAP11}"/>'.encode(), 400, "no Body"),
        (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body/></s:Envelope>'.encode(), 500, "Body is empty"),
        (
            FIND_BOOKS.replace("t:FindBooks", "t:Nope").encode(),
            500,
            "No operation of Library takes {urn:example:library:types}Nope",
        ),
        (b'<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>', 400, "DTD"),
        (b"<Envelope/>", 400, "must be a SOAP 1.1 or 1.2 Envelope"),
    ],
)
async def test_malformed_requests_get_a_client_fault_saying_what_is_wrong(
    body: bytes, status: int, words: str
) -> None:
    async with serving(LIBRARY) as mock, httpx.AsyncClient() as http:
        response = await http.post(mock.url.removesuffix("?wsdl"), content=body)
    assert response.status_code == status
    fault = etree.fromstring(response.content)
    assert fault.findtext(".//faultcode") == "soap:Client"
    assert words in fault.findtext(".//faultstring")


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("wsdl-to-postman/invalidWSDLs11/calculator-invalid.wsdl", ContractError, "port_types"),
        ("wsdl-to-postman/validWSDLs20/Axis2WSD20.wsdl", UnsupportedContractError, "WSDL 2.0"),
        ("wsdl-to-postman/validWSDLs11/temperatureConverterHTTP.wsdl", ContractError, "SOAP"),
        ("wsdl-to-postman/validWSDLs11/manyfaults.wsdl", ContractError, "not a valid URI"),
        ("node-soap/strict/stockquote.wsdl", ContractError, "invalid part"),
        ("node-soap/strict/EVacSyncService_SPClient.wsdl", ContractError, "network"),
        (
            "node-soap/request-response-samples/"
            "login__error_returned_should_contain_root_Json_on_fault/soap.wsdl",
            ContractError,
            "outside the WSDL's folder",
        ),
    ],
)
@needs_corpus
async def test_broken_or_unsupported_corpus_wsdls_are_refused_by_name(
    name: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as caught:
        await wsdl_mock.start(CORPUS / name, "127.0.0.1", 0, FakeData(), Pins())
    assert words in str(caught.value)
    assert Path(name).name in str(caught.value)


async def test_an_import_outside_the_folder_is_not_read() -> None:
    with pytest.raises(ContractError, match="outside the WSDL's folder"):
        await wsdl_mock.start(HERE / "outside_import.wsdl", "127.0.0.1", 0, FakeData(), Pins())


async def test_a_billion_laughs_wsdl_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(ContractError, match="DTD"):
        await wsdl_mock.start(HERE / "billion_laughs.wsdl", "127.0.0.1", 0, FakeData(), Pins())
    assert time.monotonic() - started < 2


async def test_a_port_in_use_is_reported(occupied_port: int) -> None:
    with pytest.raises(PortInUseError):
        await wsdl_mock.start(LIBRARY, "127.0.0.1", occupied_port, FakeData(), Pins())
