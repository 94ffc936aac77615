"""Sample envelopes built from a WSDL, and responses checked against its output schema."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from apiclient.protocols.soap_wsdl import LoadedWsdl, SoapOperation, WsdlError, load_wsdl

FILES = Path(__file__).parent / "wsdl_files"
CORPUS = Path(__file__).parents[3] / "shared/corpus/wsdl"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

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


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """Anything not local goes to a proxy that refuses: no test may reach the internet."""
    proxy = f"http://127.0.0.1:{closed_port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
async def hospital() -> LoadedWsdl:
    return await load_wsdl(str(FILES / "hospital.wsdl"))


def _operation(wsdl: LoadedWsdl, port: str, name: str) -> SoapOperation:
    operation = wsdl.find(wsdl.services[0].name, port, name)
    assert operation is not None
    return operation


def _parse(envelope: str) -> etree._Element:
    """Parse a sample the way a SOAP stack reads a message: comments dropped."""
    return etree.fromstring(envelope, etree.XMLParser(remove_comments=True))


# -- samples ---------------------------------------------------------------------------

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
    sample = hospital.sample_envelope(_operation(hospital, "HospitalSoap", "RegisterPatient"))
    assert sample == REGISTER_PATIENT


async def test_soap12_sample_and_an_empty_header(hospital: LoadedWsdl) -> None:
    sample = hospital.sample_envelope(_operation(hospital, "HospitalSoap12", "GetPatient"))
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


async def test_rpc_encoded_samples_carry_types_and_encoding() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared WSDL corpus is not at {CORPUS}")
    wsdl = await load_wsdl(str(CORPUS / "node-soap/rpcexample.wsdl"))
    operation = _operation(wsdl, "RpcExample", "pullFile")
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
            CORPUS
            / "node-soap/request-response-samples/multiCall__rpc_stype_request_xsi_attributes"
            / "soap.wsdl"
        )
    )
    sample = magento.sample_envelope(magento.operations()[0])
    assert 'soapenc:arrayType="xsd:anyType[1]"' in sample
    assert "href=" not in sample  # multi-ref plumbing is not something to fill in


RPC_AND_PARTS = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
  <types>
    <xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
      <xs:element name="First" type="xs:int"/>
      <xs:element name="Second" type="xs:date"/>
      <xs:simpleType name="Country"><xs:restriction base="xs:string">{countries}
      </xs:restriction></xs:simpleType>
      <xs:complexType name="Wide"><xs:sequence>{wide}</xs:sequence></xs:complexType>
      <xs:complexType name="Row"><xs:sequence>{row}</xs:sequence></xs:complexType>
      <xs:element name="Big" type="tns:Wide"/>
    </xs:schema>
  </types>
  <message name="AddIn"><part name="a" type="xs:int"/><part name="country" type="tns:Country"/>
  </message>
  <message name="AddOut"><part name="sum" type="xs:int"/></message>
  <message name="TwoIn"><part name="one" element="tns:First"/>
    <part name="two" element="tns:Second"/></message>
  <message name="BigIn"><part name="big" element="tns:Big"/></message>
  <portType name="P">
    <operation name="Add"><input message="tns:AddIn"/><output message="tns:AddOut"/></operation>
    <operation name="Two"><input message="tns:TwoIn"/></operation>
    <operation name="Huge"><input message="tns:BigIn"/></operation>
  </portType>
  <binding name="B" type="tns:P">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Add"><soap:operation style="rpc"/>
      <input><soap:body use="literal" namespace="urn:t:calc"/></input>
      <output><soap:body use="literal" namespace="urn:t:calc"/></output></operation>
    <operation name="Two"><input><soap:body use="literal"/></input></operation>
    <operation name="Huge"><input><soap:body use="literal"/></input></operation>
  </binding>
  <service name="S"><port name="P" binding="tns:B">
    <soap:address location="http://127.0.0.1:9/t"/></port></service>
</definitions>
"""


@pytest.fixture
async def assorted(tmp_path: Path) -> LoadedWsdl:
    """rpc/literal, a document message with two parts, a huge message, 30 enum values."""
    countries = "".join(f'<xs:enumeration value="C{i:02}"/>' for i in range(30))
    wide = "".join(f'<xs:element name="R{i}" type="tns:Row"/>' for i in range(60))
    row = "".join(f'<xs:element name="V{i}" type="xs:string"/>' for i in range(60))
    path = tmp_path / "assorted.wsdl"
    path.write_text(RPC_AND_PARTS.format(countries=countries, wide=wide, row=row))
    return await load_wsdl(str(path))


async def test_rpc_literal_wraps_parts_in_the_operation(assorted: LoadedWsdl) -> None:
    operation = _operation(assorted, "P", "Add")
    assert operation.style == "rpc/literal"
    sample = assorted.sample_envelope(operation)
    [wrapper] = _parse(sample).find(f"{{{SOAP11}}}Body")
    assert wrapper.tag == "{urn:t:calc}Add"
    assert [(child.tag, child.text) for child in wrapper] == [("a", "0"), ("country", "C00")]
    assert "xsi:type" not in sample
    assert "<!-- one of: C00, C01," in sample
    assert "C19, … (30 values) -->" in sample


async def test_document_parts_sit_side_by_side_in_the_body(assorted: LoadedWsdl) -> None:
    sample = assorted.sample_envelope(_operation(assorted, "P", "Two"))
    body = _parse(sample).find(f"{{{SOAP11}}}Body")
    assert [(child.tag, child.text) for child in body] == [
        ("{urn:t}First", "0"),
        ("{urn:t}Second", "2026-01-31"),
    ]


async def test_a_huge_message_is_cut_short_quickly(assorted: LoadedWsdl) -> None:
    started = time.perf_counter()
    sample = assorted.sample_envelope(_operation(assorted, "P", "Huge"))
    assert time.perf_counter() - started < 2
    assert "sample cut short here: it has more than 2000 elements" in sample
    assert len(_parse(sample).xpath("//*")) < 2100


# -- checking responses ----------------------------------------------------------------

RESPONSE = """\
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:h="urn:example:hospital:types">
  <soapenv:Body>
    <h:GetPatientResponse>
      <h:Patient id="p1">
        <h:Name><h:Given>Ada</h:Given><h:Family>Lovelace</h:Family></h:Name>
        <h:Gender>{gender}</h:Gender>
        <h:Status>active</h:Status>
        <h:BirthDate>1815-12-10</h:BirthDate>
        <h:Weight unit="kg">60.5</h:Weight>
        <h:Age>{age}</h:Age>
        <h:Insured>true</h:Insured>
        <h:Priority>low</h:Priority>
        {contact}
        <h:Visit><h:At>2026-01-01T10:00:00Z</h:At><h:Status>{visit}</h:Status></h:Visit>
        <h:Visit><h:At>2026-01-02T10:00:00Z</h:At><h:Status>done</h:Status></h:Visit>
      </h:Patient>
    </h:GetPatientResponse>
  </soapenv:Body>
</soapenv:Envelope>
"""


def _response(**changes: str) -> bytes:
    values = {"gender": "female", "age": "36", "visit": "scheduled"}
    values["contact"] = "<h:Email>ada@example.org</h:Email>"
    values.update(changes)
    return RESPONSE.format(**values).encode()


async def test_a_matching_response_has_no_mismatches(hospital: LoadedWsdl) -> None:
    operation = _operation(hospital, "HospitalSoap", "GetPatient")
    assert hospital.validate_response(operation, _response()) == []


async def test_wrong_values_are_reported_with_their_path(hospital: LoadedWsdl) -> None:
    operation = _operation(hospital, "HospitalSoap", "GetPatient")
    assert hospital.validate_response(
        operation, _response(gender="robot", age="old", visit="active")
    ) == [
        "GetPatientResponse/Patient/Gender: 'robot' is not one of male, female, other, unknown.",
        "GetPatientResponse/Patient/Age: 'old' is not a valid int.",
        "GetPatientResponse/Patient/Visit[1]/Status: 'active' is not one of scheduled, done, "
        "cancelled.",
    ]


async def test_missing_and_unexpected_content_is_reported(hospital: LoadedWsdl) -> None:
    operation = _operation(hospital, "HospitalSoap", "GetPatient")
    body = (
        _response(contact="<h:Fax>1</h:Fax>")
        .replace(b' id="p1"', b"")
        .replace(b"<h:BirthDate>1815-12-10</h:BirthDate>", b"")
    )
    assert hospital.validate_response(operation, body) == [
        "GetPatientResponse/Patient: the required attribute 'id' is missing.",
        "GetPatientResponse/Patient: the required element <BirthDate> is missing "
        "(found <Weight> instead).",
        "GetPatientResponse/Patient: one of <Phone>, <Email> is required (found <Fax>).",
        "GetPatientResponse/Patient: unexpected element <Fax>; 2 more element(s) after it "
        "were not checked.",
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<oops", "The response is not well-formed XML"),
        (b"<html/>", "The response is not a SOAP envelope: its root element is <html>."),
        (
            b'<!DOCTYPE e [<!ENTITY x "y">]><e:Envelope xmlns:e="' + SOAP11.encode() + b'"/>',
            "The response declares a DTD with entity declarations",
        ),
        (
            b'<e:Envelope xmlns:e="%s"><e:Body><Other/></e:Body></e:Envelope>' % SOAP11.encode(),
            "The response Body contains <Other> where <GetPatientResponse> "
            "(namespace urn:example:hospital:types) was expected.",
        ),
    ],
)
async def test_unusable_responses_give_one_line(
    hospital: LoadedWsdl, body: bytes, expected: str
) -> None:
    operation = _operation(hospital, "HospitalSoap", "GetPatient")
    [line] = hospital.validate_response(operation, body)
    assert line.startswith(expected)


async def test_a_fault_is_not_a_mismatch(hospital: LoadedWsdl) -> None:
    fault = (
        b'<e:Envelope xmlns:e="' + SOAP12.encode() + b'"><e:Body><e:Fault><e:Code><e:Value>'
        b"e:Receiver</e:Value></e:Code></e:Fault></e:Body></e:Envelope>"
    )
    operation = _operation(hospital, "HospitalSoap12", "GetPatient")
    assert hospital.validate_response(operation, fault) == []


async def test_rpc_responses_are_checked_by_part(assorted: LoadedWsdl) -> None:
    operation = _operation(assorted, "P", "Add")
    good = b'<e:Envelope xmlns:e="%s"><e:Body><c:AddResponse xmlns:c="urn:t:calc"><sum>%s</sum>'
    good += b"</c:AddResponse></e:Body></e:Envelope>"
    assert assorted.validate_response(operation, good % (SOAP11.encode(), b"5")) == []
    assert assorted.validate_response(operation, good % (SOAP11.encode(), b"five")) == [
        "AddResponse/sum: 'five' is not a valid int."
    ]
    no_output = _operation(assorted, "P", "Two")
    assert assorted.validate_response(no_output, good % (SOAP11.encode(), b"5")) == [
        "The operation declares no output, but the response Body contains <AddResponse>."
    ]


async def test_corpus_sample_responses() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared WSDL corpus is not at {CORPUS}")
    samples = CORPUS / "node-soap/request-response-samples"
    encoded = samples / "multiCall__rpc_stype_request_xsi_attributes"
    wsdl = await load_wsdl(str(encoded / "soap.wsdl"))
    operation = wsdl.operations()[0]
    assert wsdl.validate_response(operation, (encoded / "response.xml").read_bytes()) == []

    dated = samples / "RetrieveCustomerDetails__returning_a_date_should_parse_the_date"
    wsdl = await load_wsdl(str(dated / "soap.wsdl"))
    operation = wsdl.operations()[0]
    assert wsdl.validate_response(operation, (dated / "response.xml").read_bytes()) == []

    # This sample answers <Items> where the schema wants <GetItemInformationResult>.
    items = samples / "GetItemInformation__should_ignore_default_namespace_from_schema"
    wsdl = await load_wsdl(str(items / "soap.wsdl"))
    operation = wsdl.operations()[0]
    assert wsdl.validate_response(operation, (items / "response.xml").read_bytes()) == [
        "GetItemInformationResponse: unexpected element <Items>."
    ]
