"""Sample envelopes built from a WSDL: every element of the input, ready to edit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree
from wsdl_helpers import CORPUS, SOAP11, SOAP12, find_operation

from apiclient.protocols.soap_wsdl import LoadedWsdl, SoapOperation, WsdlError, load_wsdl

pytestmark = pytest.mark.usefixtures("no_internet")

# Corpus WSDLs test_soap_wsdl.py shows to fail on purpose; every other one must load.
UNLOADABLE = {
    "wsdl-to-postman/validWSDLs20/Axis2WSD20.wsdl",
    "wsdl-to-postman/invalidWSDLs11/calculator-invalid.wsdl",
    "zeep/tests/integration/hello_world_recursive.wsdl",
    "wsdl-to-postman/validWSDLs11/temperatureConverterHTTP.wsdl",
    "wsdl-to-postman/validWSDLs11/sfMinified.wsdl",
    "node-soap/marketo.wsdl",
    "node-soap/strict/stockquote.wsdl",
    "wsdl-to-postman/validWSDLs11/manyfaults.wsdl",
    "node-soap/request-response-samples/login__error_returned_should_contain_root_Json_on_fault/"
    "soap.wsdl",
}
CORPUS_WSDLS = (
    sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.wsdl")) if CORPUS.is_dir() else []
)


def _parse(envelope: str) -> etree._Element:
    """Parse a sample the way a SOAP stack reads a message: comments dropped."""
    return etree.fromstring(envelope, etree.XMLParser(remove_comments=True))


REGISTER_PATIENT = """\
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:tns="urn:example:hospital:types">
  <soapenv:Header>
    <tns:Auth>
      <tns:Token>string</tns:Token>
      <!-- optional -->
      <tns:Tenant>string</tns:Tenant>
    </tns:Auth>
  </soapenv:Header>
  <soapenv:Body>
    <tns:RegisterPatient>
      <tns:Patient id="string" version="0">
        <tns:Name>
          <!-- repeated: 1 to 3 -->
          <tns:Given>string</tns:Given>
          <tns:Family>string</tns:Family>
        </tns:Name>
        <!-- one of: male, female, other, unknown -->
        <tns:Gender>male</tns:Gender>
        <!-- one of: active, inactive -->
        <tns:Status>active</tns:Status>
        <tns:BirthDate>2026-01-31</tns:BirthDate>
        <!-- optional -->
        <tns:Weight unit="string">0.0</tns:Weight>
        <tns:Age>0</tns:Age>
        <tns:Insured>true</tns:Insured>
        <!-- one of: low, normal, urgent -->
        <tns:Priority>low</tns:Priority>
        <!-- optional -->
        <tns:Tags>string</tns:Tags>
        <!-- choice: fill in one of the following -->
        <tns:Phone>string</tns:Phone>
        <!-- or: <tns:Email>string</tns:Email> -->
        <!-- repeated: 0 or more -->
        <tns:Visit>
          <tns:At>2026-01-31T12:00:00Z</tns:At>
          <!-- one of: scheduled, done, cancelled -->
          <tns:Status>scheduled</tns:Status>
          <!-- optional -->
          <tns:Notes>string</tns:Notes>
        </tns:Visit>
        <!-- optional -->
        <tns:Contact>
          <tns:Name>
            <!-- repeated: 1 to 3 -->
            <tns:Given>string</tns:Given>
            <tns:Family>string</tns:Family>
          </tns:Name>
          <!-- optional -->
          <tns:Guardian>
            <!-- recursive: Person repeats here; not expanded -->
          </tns:Guardian>
        </tns:Contact>
      </tns:Patient>
    </tns:RegisterPatient>
  </soapenv:Body>
</soapenv:Envelope>
"""


async def test_sample_shows_the_whole_input_with_hints(hospital: LoadedWsdl) -> None:
    """Headers, attributes, typed placeholders, enumerations told apart by where they
    are (Patient/Status vs Visit/Status), a choice, repeats and a stopped recursion."""
    sample = hospital.sample_envelope(find_operation(hospital, "HospitalSoap", "RegisterPatient"))
    assert sample == REGISTER_PATIENT


async def test_soap12_sample_and_an_empty_header(hospital: LoadedWsdl) -> None:
    sample = hospital.sample_envelope(find_operation(hospital, "HospitalSoap12", "GetPatient"))
    root = _parse(sample)
    assert root.tag == f"{{{SOAP12}}}Envelope"
    assert root.prefix == "soap"
    assert [child.tag for child in root] == [f"{{{SOAP12}}}Header", f"{{{SOAP12}}}Body"]
    assert len(root[0]) == 0
    assert "<soap:Header/>" in sample
    assert "<!-- optional -->\n      <tns:IncludeVisits>true</tns:IncludeVisits>" in sample


async def test_an_operation_from_elsewhere_is_an_error(hospital: LoadedWsdl) -> None:
    stranger = SoapOperation("X", "Y", "Z", "1.1", "document/literal", "", "", "")
    with pytest.raises(WsdlError, match="Load the WSDL again"):
        hospital.sample_envelope(stranger)


@pytest.mark.parametrize("name", [n for n in CORPUS_WSDLS if n not in UNLOADABLE])
async def test_every_corpus_operation_gets_a_valid_sample(name: str) -> None:
    wsdl = await load_wsdl(str(CORPUS / name))
    for operation in wsdl.operations():
        sample = wsdl.sample_envelope(operation)
        root = _parse(sample)
        namespace = SOAP12 if operation.soap_version == "1.2" else SOAP11
        assert root.tag == f"{{{namespace}}}Envelope"
        assert root.find(f"{{{namespace}}}Body") is not None
        # every namespace is declared once, on the Envelope
        assert all(el.nsmap == root.nsmap for el in root.iter(etree.Element))
        if operation.style == "document/literal":
            zeep_operation = wsdl._operations[(operation.service, operation.port, operation.name)]
            with zeep_operation.input.wsdl.settings(strict=True):
                zeep_operation.input.deserialize(root)


async def test_rpc_encoded_samples_carry_types_and_encoding(corpus: Path) -> None:
    wsdl = await load_wsdl(str(corpus / "node-soap/rpcexample.wsdl"))
    operation = find_operation(wsdl, "RpcExample", "pullFile")
    root = _parse(wsdl.sample_envelope(operation))
    [wrapper] = root.find(f"{{{SOAP12}}}Body")
    assert wrapper.tag == "{urn:RpcExample}pullFile"
    assert wrapper.get(f"{{{SOAP12}}}encodingStyle") == "http://www.w3.org/2003/05/soap-encoding"
    params = wrapper[0]
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    assert (params.tag, params.get(xsi)) == ("params", "tns:pullFileParams")
    assert {child.tag: child.get(xsi) for child in params}["fileMode"] == "xsd:int"

    magento = await load_wsdl(
        str(
            corpus
            / "node-soap/request-response-samples/multiCall__rpc_stype_request_xsi_attributes"
            / "soap.wsdl"
        )
    )
    sample = magento.sample_envelope(magento.operations()[0])
    assert 'soapenc:arrayType="xsd:anyType[1]"' in sample
    assert "href=" not in sample  # multi-ref plumbing is not something to fill in


async def test_rpc_literal_wraps_parts_in_the_operation(assorted: LoadedWsdl) -> None:
    operation = find_operation(assorted, "P", "Add")
    assert operation.style == "rpc/literal"
    sample = assorted.sample_envelope(operation)
    [wrapper] = _parse(sample).find(f"{{{SOAP11}}}Body")
    assert wrapper.tag == "{urn:t:calc}Add"
    assert [(child.tag, child.text) for child in wrapper] == [("a", "0"), ("country", "C00")]
    assert "xsi:type" not in sample
    assert "<!-- one of: C00, C01," in sample
    assert "C19, … (30 values) -->" in sample


async def test_document_parts_sit_side_by_side_in_the_body(assorted: LoadedWsdl) -> None:
    sample = assorted.sample_envelope(find_operation(assorted, "P", "Two"))
    body = _parse(sample).find(f"{{{SOAP11}}}Body")
    assert [(child.tag, child.text) for child in body] == [
        ("{urn:t}First", "0"),
        ("{urn:t}Second", "2026-01-31"),
    ]


async def test_a_huge_message_is_cut_short_quickly(assorted: LoadedWsdl) -> None:
    started = time.perf_counter()
    sample = assorted.sample_envelope(find_operation(assorted, "P", "Huge"))
    assert time.perf_counter() - started < 2
    assert "sample cut short here: it has more than 2000 elements" in sample
    assert len(_parse(sample).xpath("//*")) < 2100
