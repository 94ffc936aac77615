"""Bad WSDLs (files and locations) through ``load_wsdl`` and bad envelopes through
``check_envelope``, the check a SOAP send makes first: each gives a typed error (a
WsdlError, or an EnvelopeError with its line and column) and a sentence a person can
act on; DTDs and entities are refused unread; nothing hangs or escapes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from clear_errors import params, refused, refused_async
from corpus_paths import WSDL_CORPUS

from apiclient.protocols.soap_request import check_envelope
from apiclient.protocols.soap_wsdl import load_wsdl

_S11 = "http://schemas.xmlsoap.org/soap/envelope/"
_S12 = "http://www.w3.org/2003/05/soap-envelope"
_WSDL = (
    '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"'
    ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:t"'
    ' targetNamespace="urn:t">{}</definitions>'
)
_PORT_TYPE = (
    '<portType name="P"><operation name="O"><input message="tns:Missing"/></operation></portType>'
    '<binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>'
    '<operation name="O"><input><soap:body use="literal"/></input></operation></binding>'
    '<service name="S"><port name="P" binding="tns:B"><soap:address location="http://127.0.0.1:9/"/>'
    "</port></service>"
)


def _envelope(body: str, namespace: str = _S11) -> str:
    return f'<s:Envelope xmlns:s="{namespace}">{body}</s:Envelope>'


# (id, WSDL file content, fragment)
WSDL_FILES: list[tuple[str, str | bytes, str]] = [
    ("empty", "", "is empty"),
    ("not-xml", "hello", "not well-formed XML"),
    ("cut-short", _WSDL.format("")[:60], "not well-formed XML"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed XML"),
    ("html-error-page", "<html><body>404</body></html>", "its root element is <html>"),
    ("xsd-instead", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>', "is an XML Schema"),
    ("wsdl-2.0", '<description xmlns="http://www.w3.org/ns/wsdl"/>', "WSDL 2.0 is not supported"),
    ("no-service", _WSDL.format(""), "defines no service"),
    ("utf-16-no-service", _WSDL.format("").encode("utf-16"), "defines no service"),
    (
        "entity-reading-a-file",
        '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">&e;</definitions>',
        "declares a DTD",
    ),
    (
        "billion-laughs",
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">&b;</definitions>',
        "declares a DTD",
    ),
    (
        "import-of-a-missing-file",
        _WSDL.format('<import namespace="urn:x" location="missing.wsdl"/>'),
        "missing.wsdl, imported by the WSDL",
    ),
    (
        "import-from-a-refused-port",
        _WSDL.format('<import namespace="urn:x" location="http://127.0.0.1:1/x.wsdl"/>'),
        "connection was refused",
    ),
    (
        # zeep itself fails while wording this error (it reads a missing attribute)
        "schema-import-without-namespace",
        _WSDL.format(
            '<types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
            '<xs:import schemaLocation="nope.xsd"/></xs:schema></types>'
        ),
        "could not be read",
    ),
    ("unknown-message", _WSDL.format(_PORT_TYPE), "has no SOAP operation that can be used"),
    (
        "unknown-binding",
        _WSDL.format(
            '<service name="S"><port name="P" binding="tns:Nope">'
            '<soap:address location="http://127.0.0.1:9/"/></port></service>'
        ),
        "its binding Nope is not defined",
    ),
]
# (id, location typed into the WSDL field, fragment)
LOCATIONS: list[tuple[str, str, str]] = [
    ("empty", "", "No WSDL location given"),
    ("blank", "   ", "No WSDL location given"),
    ("missing-file", "/nonexistent/service.wsdl", "does not exist"),
    ("a-folder", "/", "it is a folder"),
    ("ftp", "ftp://127.0.0.1/s.wsdl", "scheme 'ftp'"),
    ("no-host", "http://", "has no host name"),
    ("unclosed-ipv6", "http://[::1", "not a valid URL"),
    ("nul", "\x00", "NUL character"),
    ("missing-file-url", "file:///nonexistent.wsdl", "does not exist"),
    ("refused-port", "http://127.0.0.1:1/s.wsdl", "connection was refused"),
    ("unresolved-variable", "{{wsdl}}", "does not exist"),
]
CORPUS_WSDLS: list[tuple[str, str, str]] = [
    ("corpus-wsdl-2.0", "wsdl-to-postman/validWSDLs20/Axis2WSD20.wsdl", "WSDL 2.0"),
    (
        "corpus-invalid-calculator",
        "wsdl-to-postman/invalidWSDLs11/calculator-invalid.wsdl",
        "<wsdl:definitionsw>",
    ),
]
# (id, envelope text for a SOAP 1.1 request, fragment)
ENVELOPES: list[tuple[str, str, str]] = [
    ("empty", "", "The envelope is empty"),
    ("blank", " \n ", "The envelope is empty"),
    ("lone-angle", "<", "line 1, column 2"),
    ("not-xml", "not xml", "Start tag expected"),
    ("unclosed", "<a>", "Premature end of data"),
    ("mismatched-tags", "<a></b>", "tag mismatch"),
    ("no-namespace", "<Envelope/>", "has no namespace"),
    ("no-body", _envelope(""), "has no Body"),
    ("header-only", _envelope("<s:Header/>"), "has no Body"),
    ("header-after-body", _envelope("<s:Body/><s:Header/>"), "the Header must come first"),
    ("soap-1.2-namespace", _envelope("<s:Body/>", _S12), "uses the SOAP 1.2 namespace"),
    ("content-after-root", _envelope("<s:Body/>") + "<x/>", "Extra content"),
    ("undeclared-prefix", _envelope("<s:Body><x:a/></s:Body>"), "prefix x"),
    ("internal-entity", '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "declares a DTD"),
    (
        "external-dtd",
        f'<!DOCTYPE s:Envelope SYSTEM "file:///etc/passwd">{_envelope("<s:Body/>")}',
        "declares a DTD",
    ),
    ("html-entity", _envelope("<s:Body>&nbsp;</s:Body>"), "Entity 'nbsp' not defined"),
    ("nul", "\x00", "not well-formed XML"),
    ("control-character", _envelope("<s:Body>\x01</s:Body>"), "invalid Char value 1"),
    ("too-deep", "<a>" * 300 + "</a>" * 300, "line 1"),
    ("not-an-envelope", '<?xml-stylesheet href="x"?><a/>', "not a SOAP 1.1 Envelope"),
    ("cdata-only", "<![CDATA[x]]>", "not well-formed XML"),
]
CASES = [*WSDL_FILES, *LOCATIONS, *CORPUS_WSDLS, *ENVELOPES]


async def _load(location: str) -> object:
    return await asyncio.wait_for(load_wsdl(location, timeout_s=5), timeout=30)


@pytest.mark.parametrize(("content", "fragment"), params(WSDL_FILES))
async def test_a_broken_wsdl_file_is_refused_clearly(
    tmp_path: Path, content: str | bytes, fragment: str
) -> None:
    path = tmp_path / "service.wsdl"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    await refused_async(lambda: _load(str(path)), fragment)


@pytest.mark.parametrize(("location", "fragment"), params(LOCATIONS))
async def test_a_bad_wsdl_location_is_refused_clearly(location: str, fragment: str) -> None:
    await refused_async(lambda: _load(location), fragment)


@pytest.mark.parametrize(("relpath", "fragment"), params(CORPUS_WSDLS))
async def test_a_wsdl_broken_on_purpose_in_the_corpus_is_refused_clearly(
    relpath: str, fragment: str
) -> None:
    path = WSDL_CORPUS / relpath
    if not path.exists():
        pytest.skip(f"the shared corpus is not at {WSDL_CORPUS}")
    await refused_async(lambda: _load(str(path)), fragment)


@pytest.mark.parametrize(("envelope", "fragment"), params(ENVELOPES))
def test_a_bad_envelope_is_refused_before_sending(envelope: str, fragment: str) -> None:
    refused(lambda: check_envelope(envelope, "1.1"), fragment)
