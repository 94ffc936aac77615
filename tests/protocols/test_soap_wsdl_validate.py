"""Responses checked against the output schema of their operation."""

from __future__ import annotations

from pathlib import Path

import pytest
from wsdl_helpers import SOAP11, SOAP12, find_operation

from apiclient.protocols.soap_wsdl import LoadedWsdl, load_wsdl

pytestmark = pytest.mark.usefixtures("no_internet")

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
    operation = find_operation(hospital, "HospitalSoap", "GetPatient")
    assert hospital.validate_response(operation, _response()) == []


async def test_wrong_values_are_reported_with_their_path(hospital: LoadedWsdl) -> None:
    operation = find_operation(hospital, "HospitalSoap", "GetPatient")
    assert hospital.validate_response(
        operation, _response(gender="robot", age="old", visit="active")
    ) == [
        "GetPatientResponse/Patient/Gender: 'robot' is not one of male, female, other, unknown.",
        "GetPatientResponse/Patient/Age: 'old' is not a valid int.",
        "GetPatientResponse/Patient/Visit[1]/Status: 'active' is not one of scheduled, done, "
        "cancelled.",
    ]


async def test_missing_and_unexpected_content_is_reported(hospital: LoadedWsdl) -> None:
    operation = find_operation(hospital, "HospitalSoap", "GetPatient")
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
    operation = find_operation(hospital, "HospitalSoap", "GetPatient")
    [line] = hospital.validate_response(operation, body)
    assert line.startswith(expected)


async def test_a_fault_is_not_a_mismatch(hospital: LoadedWsdl) -> None:
    fault = (
        b'<e:Envelope xmlns:e="' + SOAP12.encode() + b'"><e:Body><e:Fault><e:Code><e:Value>'
        b"e:Receiver</e:Value></e:Code></e:Fault></e:Body></e:Envelope>"
    )
    operation = find_operation(hospital, "HospitalSoap12", "GetPatient")
    assert hospital.validate_response(operation, fault) == []


async def test_rpc_responses_are_checked_by_part(assorted: LoadedWsdl) -> None:
    operation = find_operation(assorted, "P", "Add")
    good = b'<e:Envelope xmlns:e="%s"><e:Body><c:AddResponse xmlns:c="urn:t:calc"><sum>%s</sum>'
    good += b"</c:AddResponse></e:Body></e:Envelope>"
    assert assorted.validate_response(operation, good % (SOAP11.encode(), b"5")) == []
    assert assorted.validate_response(operation, good % (SOAP11.encode(), b"five")) == [
        "AddResponse/sum: 'five' is not a valid int."
    ]
    no_output = find_operation(assorted, "P", "Two")
    assert assorted.validate_response(no_output, good % (SOAP11.encode(), b"5")) == [
        "The operation declares no output, but the response Body contains <AddResponse>."
    ]


async def test_corpus_sample_responses(corpus: Path) -> None:
    samples = corpus / "node-soap/request-response-samples"
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
