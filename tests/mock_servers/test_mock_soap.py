"""The SOAP mock, driven by zeep as a real client and by raw HTTP for what zeep hides."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.wsse.username import UsernameToken

from mock_servers.host import DEFAULT_PORTS

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TYPES = "urn:apiclient:mock:hospital:types"
CALC = "urn:apiclient:mock:calculator"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
    "soap12": "http://schemas.xmlsoap.org/wsdl/soap12/",
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "s11": SOAP11,
    "s12": SOAP12,
    "t": TYPES,
}
SOAP11_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
ADMISSION = {
    "PatientID": "P001",
    "Ward": "Radiology",
    "Reason": "Chest X-ray follow-up",
    "AdmittedAt": "2024-05-01T10:30:00Z",
    "Priority": "emergency",
    "Contacts": {"Contact": [{"Name": "Charles Babbage", "Phone": "+44 20 7946 0000"}]},
}


@pytest.fixture(scope="module")
def soap_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["soap"]


@pytest.fixture(scope="module")
def hospital(soap_url: str) -> zeep.Client:
    return zeep.Client(f"{soap_url}/hospital?wsdl")


@pytest.fixture(scope="module")
def calculator(soap_url: str) -> zeep.Client:
    return zeep.Client(f"{soap_url}/calculator?wsdl")


@pytest.fixture
def http(soap_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=soap_url, timeout=10) as client:
        yield client


def safe_parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(data, parser)


def envelope(body: str, header: str = "", ns: str = SOAP11) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<e:Envelope xmlns:e="{ns}">'
        f"<e:Header>{header}</e:Header><e:Body>{body}</e:Body></e:Envelope>"
    ).encode()


def get_record(patient_id: str = "P001") -> str:
    return (
        f'<GetPatientRecord xmlns="{TYPES}"><PatientID>{patient_id}</PatientID></GetPatientRecord>'
    )


def post11(http: httpx.Client, body: bytes, operation: str = "GetPatientRecord") -> httpx.Response:
    headers = {**SOAP11_HEADERS, "SOAPAction": f'"urn:apiclient:mock:hospital/{operation}"'}
    return http.post("/hospital", content=body, headers=headers)


def fault11(response: httpx.Response) -> tuple[str, str]:
    """faultcode and faultstring of a SOAP 1.1 fault reply."""
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    fault = safe_parse(response.content).find("s11:Body/s11:Fault", NS)
    assert fault is not None, response.text
    return fault.findtext("faultcode"), fault.findtext("faultstring")


def fault12(response: httpx.Response) -> tuple[list[str], str, etree._Element]:
    """Code and Subcode values, English reason and the Fault of a SOAP 1.2 reply."""
    assert response.headers["content-type"] == "application/soap+xml; charset=utf-8"
    fault = safe_parse(response.content).find("s12:Body/s12:Fault", NS)
    assert fault is not None, response.text
    codes = [value.text for value in fault.iterfind(".//s12:Value", NS)]
    text = fault.find("s12:Reason/s12:Text", NS)
    assert text.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    return codes, text.text, fault


# --- registration and WSDL documents ----------------------------------------------


def test_registered_on_port_8711(mock_urls: dict[str, str]) -> None:
    assert DEFAULT_PORTS["soap"] == 8711
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", mock_urls["soap"])
    assert mock_urls["soap"] != mock_urls["rest"]


def test_hospital_wsdl_contract(http: httpx.Client, soap_url: str) -> None:
    response = http.get("/hospital?wsdl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert http.get("/hospital?WSDL").content == response.content
    wsdl = safe_parse(response.content)
    assert wsdl.get("targetNamespace") == "urn:apiclient:mock:hospital"
    imported = wsdl.find("wsdl:types/xsd:schema/xsd:import", NS)
    assert imported.get("namespace") == TYPES
    assert imported.get("schemaLocation") == f"{soap_url}/hospital?xsd=types"
    service = wsdl.find("wsdl:service[@name='HospitalService']", NS)
    assert service.findtext("wsdl:documentation", namespaces=NS)
    assert service.find("wsdl:port[@name='HospitalSoap11']/soap:address", NS).get("location") == (
        f"{soap_url}/hospital"
    )
    assert service.find("wsdl:port[@name='HospitalSoap12']/soap12:address", NS).get("location") == (
        f"{soap_url}/hospital12"
    )
    operations = wsdl.findall("wsdl:portType/wsdl:operation", NS)
    assert [op.get("name") for op in operations] == [
        "GetPatientRecord",
        "AdmitPatient",
        "ListWardPatients",
    ]
    assert all(op.findtext("wsdl:documentation", namespaces=NS) for op in operations)
    for prefix in ("soap", "soap12"):
        binding = wsdl.find(f"wsdl:binding/{prefix}:binding/..", NS)
        actions = [
            op.find(f"{prefix}:operation", NS).get("soapAction")
            for op in binding.iterfind("wsdl:operation", NS)
        ]
        assert actions == [f"urn:apiclient:mock:hospital/{op.get('name')}" for op in operations]
        header = binding.find(
            f"wsdl:operation[@name='GetPatientRecord']/wsdl:input/{prefix}:header", NS
        )
        assert (header.get("part"), header.get("use")) == ("context", "literal")
    fault_message = wsdl.find("wsdl:message[@name='PatientNotFoundFault']/wsdl:part", NS)
    assert fault_message.get("element") == "t:PatientNotFound"


def test_addresses_follow_the_host_the_client_used(http: httpx.Client) -> None:
    wsdl = http.get("/hospital?wsdl", headers={"Host": "soap.example:9999"}).text
    assert 'location="http://soap.example:9999/hospital"' in wsdl
    assert "{base}" not in wsdl


def test_types_schema_is_served_and_valid(http: httpx.Client) -> None:
    response = http.get("/hospital?xsd=types")
    assert response.status_code == 200
    schema = safe_parse(response.content)
    assert schema.get("targetNamespace") == TYPES
    assert schema.get("elementFormDefault") == "qualified"
    etree.XMLSchema(schema)  # compiles
    assert http.get("/hospital?xsd=nope").status_code == 404
    plain = http.get("/hospital")
    assert plain.status_code == 200
    assert "?wsdl" in plain.text


def test_calculator_wsdl_is_rpc_literal(http: httpx.Client, soap_url: str) -> None:
    wsdl = safe_parse(http.get("/calculator?wsdl").content)
    assert wsdl.get("targetNamespace") == CALC
    assert wsdl.find("wsdl:binding/soap:binding", NS).get("style") == "rpc"
    bodies = wsdl.findall("wsdl:binding/wsdl:operation/*/soap:body", NS)
    assert len(bodies) == 4
    assert {(b.get("use"), b.get("namespace")) for b in bodies} == {("literal", CALC)}
    port = wsdl.find("wsdl:service[@name='CalculatorService']/wsdl:port", NS)
    assert port.get("name") == "CalculatorSoap"
    assert port.find("soap:address", NS).get("location") == f"{soap_url}/calculator"
    assert all(
        op.findtext("wsdl:documentation", namespaces=NS)
        for op in wsdl.iterfind("wsdl:portType/wsdl:operation", NS)
    )


# --- hospital through zeep --------------------------------------------------------


def test_patient_record_with_medications(hospital: zeep.Client) -> None:
    patient = hospital.service.GetPatientRecord(PatientID="P001", IncludeMedications=True)
    assert patient.PatientID == "P001"
    assert (patient.Name.Given, patient.Name.Family) == (["Ada"], "Lovelace")
    assert patient.BirthDate == date(1815, 12, 10)
    assert patient.Gender == "female"
    assert patient.Address.City == "London"
    assert patient.Address.Line == ["12 St James's Square", "St James's"]
    medications = patient.Medications.Medication
    assert [(m.Name, m.Dose, m.Unit, m.Active) for m in medications] == [
        ("Paracetamol", Decimal("500"), "mg", True),
        ("Colecalciferol", Decimal("1000"), "IU", False),
    ]


def test_medications_only_when_asked(hospital: zeep.Client) -> None:
    assert hospital.service.GetPatientRecord(PatientID="P001").Medications is None
    asked_not = hospital.service.GetPatientRecord(PatientID="P001", IncludeMedications=False)
    assert asked_not.Medications is None


def test_soap12_port(soap_url: str) -> None:
    history = HistoryPlugin()
    client = zeep.Client(f"{soap_url}/hospital?wsdl", plugins=[history])
    service = client.bind("HospitalService", "HospitalSoap12")
    patient = service.GetPatientRecord(PatientID="P002", IncludeMedications=True)
    assert patient.Name.Given == ["Alan", "Mathison"]
    assert patient.Address is None
    assert patient.Medications.Medication[0].Dose == Decimal("12.5")
    assert etree.QName(history.last_sent["envelope"]).namespace == SOAP12
    assert history.last_received["http_headers"]["Content-Type"] == (
        "application/soap+xml; charset=utf-8"
    )


def test_request_context_header_is_accepted(hospital: zeep.Client) -> None:
    patient = hospital.service.GetPatientRecord(
        PatientID="P002", _soapheaders={"context": {"CorrelationID": "c-42", "Locale": "en-GB"}}
    )
    assert patient.PatientID == "P002"


@pytest.mark.parametrize("port", ["HospitalSoap11", "HospitalSoap12"])
def test_unknown_patient_fault(hospital: zeep.Client, port: str) -> None:
    with pytest.raises(Fault) as caught:
        hospital.bind("HospitalService", port).GetPatientRecord(PatientID="P999")
    fault = caught.value
    assert fault.message == "No patient with ID 'P999'"
    assert fault.code == ("soap:Client" if port == "HospitalSoap11" else "env:Sender")
    assert fault.detail.findtext("t:PatientNotFound/t:PatientID", namespaces=NS) == "P999"


def test_empty_patient_id_fault(hospital: zeep.Client) -> None:
    with pytest.raises(Fault) as caught:
        hospital.service.GetPatientRecord(PatientID="")
    assert caught.value.message == "PatientID is required"
    assert caught.value.code == "soap:Client"


def test_admit_patient(hospital: zeep.Client) -> None:
    first = hospital.service.AdmitPatient(Admission=ADMISSION)
    assert first.Status == "admitted"
    assert first.Bed and first.Bed.startswith("RADI-")
    number = int(re.fullmatch(r"ADM-(\d{4})", first.AdmissionID).group(1))
    routine = hospital.service.AdmitPatient(Admission={**ADMISSION, "Priority": "routine"})
    assert (routine.AdmissionID, routine.Bed, routine.Status) == (
        f"ADM-{number + 1:04d}",
        None,
        "waitlisted",
    )
    with pytest.raises(Fault) as caught:
        hospital.service.AdmitPatient(Admission={**ADMISSION, "PatientID": "P404"})
    assert caught.value.message == "No patient with ID 'P404'"
    assert caught.value.detail.findtext("t:PatientNotFound/t:PatientID", namespaces=NS) == "P404"


def test_schema_violation_is_a_client_fault(hospital: zeep.Client) -> None:
    # zeep does not check enumerations itself, so the server's schema catches it.
    with pytest.raises(Fault, match=r"Priority.*'asap'") as caught:
        hospital.service.AdmitPatient(Admission={**ADMISSION, "Priority": "asap"})
    assert caught.value.code == "soap:Client"


# --- WS-Security ------------------------------------------------------------------


@pytest.mark.parametrize("use_digest", [False, True])
def test_ward_list_with_username_token(soap_url: str, use_digest: bool) -> None:
    token = UsernameToken("nurse", "s3cret", use_digest=use_digest)
    client = zeep.Client(f"{soap_url}/hospital?wsdl", wsse=token)
    assert client.service.ListWardPatients(Ward="Neurology") == ["P002"]
    assert client.service.ListWardPatients(Ward="No such ward") == []
    ward = f"Ward {uuid.uuid4().hex[:8]}"  # the mock's state is shared by the session
    admitted = client.service.AdmitPatient(
        Admission={**ADMISSION, "Ward": ward, "Priority": "urgent"}
    )
    assert (admitted.Bed, admitted.Status) == ("WARD-01", "admitted")
    assert client.service.ListWardPatients(Ward=ward) == ["P001"]


def test_ward_list_without_token(hospital: zeep.Client) -> None:
    with pytest.raises(Fault) as caught:
        hospital.service.ListWardPatients(Ward="Cardiology")
    assert caught.value.message == "WS-Security UsernameToken required"
    assert caught.value.code == "wsse:InvalidSecurity"


@pytest.mark.parametrize(
    ("username", "password", "use_digest"),
    [("nurse", "wrong", False), ("nurse", "wrong", True), ("doctor", "s3cret", False)],
)
def test_ward_list_with_wrong_token(
    soap_url: str, username: str, password: str, use_digest: bool
) -> None:
    token = UsernameToken(username, password, use_digest=use_digest)
    client = zeep.Client(f"{soap_url}/hospital?wsdl", wsse=token)
    with pytest.raises(Fault) as caught:
        client.service.ListWardPatients(Ward="Cardiology")
    assert caught.value.message == "WS-Security authentication failed"
    assert caught.value.code == "wsse:FailedAuthentication"
    # A token is checked wherever it is sent, not only where it is required.
    with pytest.raises(Fault, match="authentication failed"):
        client.service.GetPatientRecord(PatientID="P001")


def test_wrong_token_over_soap12(soap_url: str) -> None:
    client = zeep.Client(f"{soap_url}/hospital?wsdl", wsse=UsernameToken("nurse", "nope"))
    with pytest.raises(Fault) as caught:
        client.bind("HospitalService", "HospitalSoap12").ListWardPatients(Ward="Cardiology")
    assert caught.value.code == "env:Sender"
    assert caught.value.subcodes == [etree.QName(WSSE, "FailedAuthentication")]


def _digest_token(created: str, password: str, nonce: bytes = b"0123456789abcdef") -> str:
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
        "<wsse:Username>nurse</wsse:Username>"
        f'<wsse:Password Type="{DIGEST}">{digest.decode()}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created>"
        "</wsse:UsernameToken></wsse:Security>"
    )


def test_password_digest_formula(http: httpx.Client) -> None:
    """The digest as the profile defines it, computed here rather than by zeep."""
    body = f'<ListWardPatients xmlns="{TYPES}"><Ward>Cardiology</Ward></ListWardPatients>'
    good = post11(
        http, envelope(body, _digest_token("2024-01-01T00:00:00Z", "s3cret")), "ListWardPatients"
    )
    assert good.status_code == 200, good.text
    ids = safe_parse(good.content).findall(".//t:PatientID", NS)
    assert "P001" in [element.text for element in ids]
    bad = post11(
        http, envelope(body, _digest_token("2024-01-01T00:00:00Z", "S3CRET")), "ListWardPatients"
    )
    assert fault11(bad) == ("wsse:FailedAuthentication", "WS-Security authentication failed")


# --- calculator (rpc/literal) -----------------------------------------------------


def test_calculator(calculator: zeep.Client) -> None:
    assert calculator.service.Add(a=2, b=40) == 42
    assert calculator.service.Add(a=-5, b=3) == -2
    assert calculator.service.Divide(a=7, b=2) == Decimal("3.5")
    assert calculator.service.Divide(a=1, b=2147483647) == Decimal(1) / Decimal(2147483647)


def test_divide_by_zero_fault(calculator: zeep.Client) -> None:
    with pytest.raises(Fault) as caught:
        calculator.service.Divide(a=7, b=0)
    assert caught.value.message == "Division by zero"
    assert caught.value.code == "soap:Client"
    detail = caught.value.detail
    assert detail.findtext(f"{{{CALC}}}DivideByZero/{{{CALC}}}Dividend") == "7"


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        ("<a>x</a><b>1</b>", "Part 'a' must be an xsd:int (32-bit integer), not 'x'."),
        ("<a>2147483648</a><b>1</b>", "Part 'a' must be an xsd:int"),
        ("<a>1</a>", "Add needs the part 'b'."),
        ("<a>2147483647</a><b>1</b>", "The sum 2147483648 does not fit in an xsd:int."),
    ],
)
def test_calculator_rejects_bad_parts(http: httpx.Client, parts: str, reason: str) -> None:
    response = http.post(
        "/calculator",
        content=envelope(f'<c:Add xmlns:c="{CALC}">{parts}</c:Add>'),
        headers={**SOAP11_HEADERS, "SOAPAction": "urn:apiclient:mock:calculator/Add"},
    )
    assert response.status_code == 500
    code, text = fault11(response)
    assert code == "soap:Client"
    assert text.startswith(reason)


# --- raw HTTP: the envelope layer -------------------------------------------------


def test_response_is_utf8_with_declaration_and_matches_the_schema(http: httpx.Client) -> None:
    response = post11(http, envelope(get_record("P001")))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    schema = etree.XMLSchema(safe_parse(http.get("/hospital?xsd=types").content))
    payload = safe_parse(response.content).find("s11:Body/t:GetPatientRecordResponse", NS)
    assert schema.validate(payload), schema.error_log


def test_soap12_envelope_at_the_soap11_endpoint(http: httpx.Client) -> None:
    response = http.post(
        "/hospital",
        content=envelope(get_record(), ns=SOAP12),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
    )
    assert response.status_code == 500
    code, reason = fault11(response)
    assert code == "soap:VersionMismatch"
    assert "SOAP 1.1" in reason and "SOAP 1.2" in reason


def test_soap11_envelope_at_the_soap12_endpoint(http: httpx.Client) -> None:
    response = http.post("/hospital12", content=envelope(get_record()), headers=SOAP11_HEADERS)
    assert response.status_code == 500
    assert fault11(response)[0] == "soap:VersionMismatch"
    upgrade = safe_parse(response.content).find("s11:Header/s12:Upgrade/s12:SupportedEnvelope", NS)
    assert upgrade is not None
    prefix, _, local = upgrade.get("qname").partition(":")
    assert (upgrade.nsmap[prefix], local) == (SOAP12, "Envelope")


def test_malformed_xml(http: httpx.Client) -> None:
    broken = (
        b'<?xml version="1.0"?>\n<e:Envelope xmlns:e="'
        + SOAP11.encode()
        + b'">\n<e:Body></e:Envelop>'
    )
    response = post11(http, broken)
    assert response.status_code == 400
    code, reason = fault11(response)
    assert code == "soap:Client"
    assert "not well-formed" in reason and "line 3, column" in reason
    response12 = http.post(
        "/hospital12", content=b"<oops", headers={"Content-Type": "application/soap+xml"}
    )
    assert response12.status_code == 400
    codes, reason12, _ = fault12(response12)
    assert codes == ["env:Sender"]
    assert "line 1, column" in reason12


@pytest.mark.parametrize("name", ["plain", "entities", "xxe"])
def test_dtd_is_refused(http: httpx.Client, name: str) -> None:
    dtd = {
        "plain": "<!DOCTYPE e:Envelope>",
        "entities": (
            '<!DOCTYPE e:Envelope [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
            '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;">]>'
        ),
        "xxe": '<!DOCTYPE e:Envelope [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    }[name]
    use = {"plain": "P001", "entities": "&d;", "xxe": "&x;"}[name]
    body = envelope(get_record(use)).replace(b"<e:Envelope", dtd.encode() + b"<e:Envelope", 1)
    response = post11(http, body)
    assert response.status_code == 400
    code, reason = fault11(response)
    assert code == "soap:Client"
    assert "must not contain a DTD" in reason
    assert "aaaaaaaaaa" not in response.text


def test_soap11_needs_soapaction_and_text_xml(http: httpx.Client) -> None:
    body = envelope(get_record())
    missing = http.post("/hospital", content=body, headers=SOAP11_HEADERS)
    assert fault11(missing) == ("soap:Client", "SOAP 1.1 requests need a SOAPAction header.")
    empty = http.post("/hospital", content=body, headers={**SOAP11_HEADERS, "SOAPAction": '""'})
    assert empty.status_code == 200
    wrong = post11(http, body, "AdmitPatient")
    assert wrong.status_code == 500
    assert "does not match" in fault11(wrong)[1]
    json_type = http.post(
        "/hospital", content=body, headers={"Content-Type": "application/json", "SOAPAction": '""'}
    )
    assert json_type.status_code == 415
    assert "text/xml" in fault11(json_type)[1]


def test_soap12_action_parameter(http: httpx.Client) -> None:
    action = "urn:apiclient:mock:hospital/GetPatientRecord"
    body = envelope(get_record("P002"), ns=SOAP12)
    ok = http.post(
        "/hospital12",
        content=body,
        headers={"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'},
    )
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "application/soap+xml; charset=utf-8"
    assert safe_parse(ok.content).findtext(".//t:Family", namespaces=NS) == "Turing"
    wrong = http.post(
        "/hospital12",
        content=body,
        headers={"Content-Type": 'application/soap+xml; action="urn:nope"'},
    )
    codes, reason, _ = fault12(wrong)
    assert codes == ["env:Sender"]
    assert "does not match" in reason


def test_unknown_operation(http: httpx.Client) -> None:
    response = post11(http, envelope(f'<DischargePatient xmlns="{TYPES}"/>'))
    assert response.status_code == 500
    code, reason = fault11(response)
    assert code == "soap:Client"
    assert f"{{{TYPES}}}DischargePatient" in reason


def test_soap12_fault_shape(http: httpx.Client) -> None:
    response = http.post(
        "/hospital12",
        content=envelope(get_record("P777"), ns=SOAP12),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
    )
    assert response.status_code == 500
    codes, reason, fault = fault12(response)
    assert codes == ["env:Sender"]
    assert reason == "No patient with ID 'P777'"
    assert fault.findtext("s12:Detail/t:PatientNotFound/t:PatientID", namespaces=NS) == "P777"


def test_ws_security_faults_raw(http: httpx.Client) -> None:
    body = f'<ListWardPatients xmlns="{TYPES}"><Ward>Cardiology</Ward></ListWardPatients>'
    missing = http.post(
        "/hospital12",
        content=envelope(body, ns=SOAP12),
        headers={"Content-Type": "application/soap+xml"},
    )
    codes, reason, fault = fault12(missing)
    assert codes == ["env:Sender", "wsse:InvalidSecurity"]
    assert reason == "WS-Security UsernameToken required"
    subcode = fault.find("s12:Code/s12:Subcode/s12:Value", NS)
    assert subcode.nsmap["wsse"] == WSSE


def test_must_understand(http: httpx.Client) -> None:
    header = '<x:Trace xmlns:x="urn:example:trace" e:mustUnderstand="1">on</x:Trace>'
    optional = '<x:Trace xmlns:x="urn:example:trace">on</x:Trace>'
    assert post11(http, envelope(get_record(), optional)).status_code == 200
    response = post11(http, envelope(get_record(), header))
    assert response.status_code == 500
    assert fault11(response)[0] == "soap:MustUnderstand"
    response12 = http.post(
        "/hospital12",
        content=envelope(get_record(), header, ns=SOAP12),
        headers={"Content-Type": "application/soap+xml"},
    )
    assert fault12(response12)[0] == ["env:MustUnderstand"]
    not_understood = safe_parse(response12.content).find("s12:Header/s12:NotUnderstood", NS)
    prefix, _, local = not_understood.get("qname").partition(":")
    assert (not_understood.nsmap[prefix], local) == ("urn:example:trace", "Trace")


def test_invalid_request_context_header(http: httpx.Client) -> None:
    header = f'<RequestContext xmlns="{TYPES}"><Locale>en</Locale></RequestContext>'
    response = post11(http, envelope(get_record(), header))
    code, reason = fault11(response)
    assert code == "soap:Client"
    assert "CorrelationID" in reason


# --- deliberately broken endpoints ------------------------------------------------


def _entities(data: bytes) -> dict[str, tuple[str | None, str | None]]:
    dtd = safe_parse(data).getroottree().docinfo.internalDTD
    assert dtd is not None
    return {entity.name: (entity.content, entity.system_url) for entity in dtd.iterentities()}


def test_broken_html_and_500(http: httpx.Client) -> None:
    html = http.post("/broken/html", content=envelope(get_record()), headers=SOAP11_HEADERS)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    with pytest.raises(etree.XMLSyntaxError):
        safe_parse(html.content)
    plain = http.post("/broken/500", content=envelope(get_record()), headers=SOAP11_HEADERS)
    assert plain.status_code == 500
    assert plain.headers["content-type"].startswith("text/plain")
    assert plain.text == "Internal Server Error"


def _assert_billion_laughs(data: bytes) -> None:
    # libxml2 refuses to even parse the nested declarations, which is the point.
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        safe_parse(data)
    text = data.decode()
    assert text.count("<!ENTITY") == 10
    assert '<!ENTITY lol9 "' + "&lol8;" * 10 + '">' in text
    assert "&lol9;" in text.split("]>", 1)[1]


def test_broken_entities_and_xxe(http: httpx.Client) -> None:
    bomb = http.post("/broken/entities", content=b"", headers=SOAP11_HEADERS)
    assert bomb.status_code == 200
    assert bomb.headers["content-type"] == "text/xml; charset=utf-8"
    assert len(bomb.content) < 2048
    _assert_billion_laughs(bomb.content)
    xxe = http.post("/broken/xxe", content=b"", headers=SOAP11_HEADERS)
    assert xxe.status_code == 200
    assert _entities(xxe.content) == {"x": (None, "file:///etc/hostname")}
    assert etree.QName(safe_parse(xxe.content)).namespace == SOAP11


def test_bad_wsdls(http: httpx.Client, soap_url: str) -> None:
    not_wsdl = http.get("/bad/not-wsdl?wsdl")
    assert not_wsdl.status_code == 200
    assert safe_parse(not_wsdl.content).tag == "rss"

    missing = safe_parse(http.get("/bad/missing-import?wsdl").content)
    location = missing.find("wsdl:types/xsd:schema/xsd:import", NS).get("schemaLocation")
    assert location == f"{soap_url}/bad/nothing-here.xsd"
    assert http.get(location).status_code == 404

    _assert_billion_laughs(http.get("/bad/dtd?wsdl").content)
    xxe = http.get("/bad/xxe?wsdl").content
    assert _entities(xxe) == {"x": (None, "file:///etc/hostname")}
    assert etree.QName(safe_parse(xxe)).localname == "definitions"


def test_index_lists_the_endpoints(http: httpx.Client) -> None:
    index = http.get("/").json()
    paths = {endpoint["path"] for endpoint in index["endpoints"]}
    assert {"/hospital?wsdl", "/calculator?wsdl", "/broken/xxe", "/bad/dtd?wsdl"} <= paths
    assert index["ws_security"] == {"username": "nurse", "password": "s3cret"}
