"""XML from outside is never trusted: a WSDL or a response that declares a DTD or
entities (a billion-laughs bomb, an external entity naming a local file) is refused
within a second with a message that says why, nothing is expanded and no file is read;
the response pretty-printer expands and reads nothing either."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from apiclient.core.formatting import pretty_xml, render_body
from apiclient.core.models import RequestSettings, SoapRequest
from apiclient.protocols.errors import UnsafeXmlError
from apiclient.protocols.soap import SoapEngine
from apiclient.protocols.soap_response import DTD_PROBLEM
from apiclient.protocols.soap_wsdl import load_wsdl

QUICK_S = 1.0
_LOLS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + _LOLS + "]><lolz>&lol9;</lolz>"
)
ENVELOPE = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'


@pytest.fixture
def soap_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["soap"]


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("top-secret-content", encoding="utf-8")
    return path


def _xxe(path: Path, root: str = "a") -> str:
    return f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY x SYSTEM "file://{path}">]><{root}>&x;</{root}>'


@pytest.mark.parametrize("what", ["bomb", "xxe"])
async def test_a_wsdl_with_a_dtd_is_refused_quickly_and_says_why(
    tmp_path: Path, secret_file: Path, what: str
) -> None:
    text = BILLION_LAUGHS if what == "bomb" else _xxe(secret_file, "definitions")
    path = tmp_path / f"{what}.wsdl"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError) as caught:
        await load_wsdl(str(path))
    assert time.perf_counter() - started < QUICK_S
    assert "DTD" in str(caught.value) and "Nothing was read or expanded" in str(caught.value)
    assert "top-secret-content" not in str(caught.value)


@pytest.mark.parametrize("path", ["/bad/dtd?wsdl", "/bad/xxe?wsdl"])
async def test_a_served_wsdl_with_a_dtd_is_refused_quickly(soap_url: str, path: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match="DTD"):
        await load_wsdl(soap_url + path)
    assert time.perf_counter() - started < QUICK_S


@pytest.mark.parametrize("what", ["entities", "xxe"])
async def test_a_soap_response_with_a_dtd_is_refused_quickly(
    soap: SoapEngine, soap_url: str, what: str
) -> None:
    request = SoapRequest(
        endpoint=f"{soap_url}/broken/{what}",
        envelope=ENVELOPE,
        settings=RequestSettings(timeout_s=5),
    )
    started = time.perf_counter()
    response = await soap.send(request)
    assert time.perf_counter() - started < QUICK_S
    assert response.problem == DTD_PROBLEM and response.fault is None


def test_the_pretty_printer_expands_no_bomb_quickly() -> None:
    started = time.perf_counter()
    pretty = pretty_xml(BILLION_LAUGHS)
    assert time.perf_counter() - started < QUICK_S
    assert "lollollol" not in pretty.text and pretty.problem


def test_the_pretty_printer_reads_no_file(secret_file: Path) -> None:
    started = time.perf_counter()
    rendered = render_body("application/xml", "utf-8", _xxe(secret_file).encode())
    assert time.perf_counter() - started < QUICK_S
    assert "top-secret-content" not in rendered.pretty + rendered.raw + rendered.problem


def test_the_pretty_printer_says_why_it_left_a_dtd_alone(secret_file: Path) -> None:
    body = _xxe(secret_file)
    pretty = pretty_xml(body)
    assert pretty.text == body
    assert "declares a DTD" in pretty.problem
