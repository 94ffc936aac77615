"""The SOAP engine against the real SOAP mock (and the REST mock's /echo).

What is asserted is what the user would see: the answer, the Fault, the problem
sentence, the headers that went out, and errors raised before any traffic.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from apiclient.core.models import Auth, KeyValue, RequestSettings, SoapRequest, WsSecurity
from apiclient.protocols.errors import ConnectError, RequestBuildError, RequestTimeoutError
from apiclient.protocols.rest import RestEngine
from apiclient.protocols.soap import EnvelopeError, SoapEngine, check_envelope
from apiclient.protocols.soap_response import DTD_PROBLEM

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TYPES = "urn:apiclient:mock:hospital:types"
ACTION = "urn:apiclient:mock:hospital/{}"


def envelope(body: str, *, version: str = "1.1") -> str:
    soap_ns = SOAP11 if version == "1.1" else SOAP12
    return (
        f'<soap:Envelope xmlns:soap="{soap_ns}" xmlns:h="{TYPES}">\n'
        f"  <soap:Body>\n    {body}\n  </soap:Body>\n</soap:Envelope>"
    )


def get_patient(patient_id: str) -> str:
    return f"<h:GetPatientRecord><h:PatientID>{patient_id}</h:PatientID></h:GetPatientRecord>"


LIST_WARD = "<h:ListWardPatients><h:Ward>North</h:Ward></h:ListWardPatients>"


def hospital(
    soap_url: str, body: str, operation: str, *, version: str = "1.1", **fields: object
) -> SoapRequest:
    path = "/hospital" if version == "1.1" else "/hospital12"
    return SoapRequest(
        endpoint=soap_url + path,
        soap_version=version,  # type: ignore[arg-type]
        soap_action=ACTION.format(operation),
        envelope=envelope(body, version=version),
        **fields,  # type: ignore[arg-type]
    )


def headers_of(response_headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {name.lower(): value for name, value in response_headers}


@pytest.fixture(scope="module")
def soap_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["soap"]


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A listening socket that is never served: any connection to it stays queued."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/svc", sock


def assert_nothing_sent(sock: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        sock.accept()


# --- successful calls -----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2"])
async def test_get_patient_record_returns_the_patient(
    soap: SoapEngine, soap_url: str, version: str
) -> None:
    request = hospital(soap_url, get_patient("P001"), "GetPatientRecord", version=version)

    response = await soap.send(request)

    assert response.http.status_code == 200
    assert (response.fault, response.problem) == (None, "")
    assert "GetPatientRecordResponse>" in response.http.text()
    assert "PatientID>P001</" in response.http.text()
    assert response.sent_envelope == request.envelope


async def test_soap_11_headers_carry_the_quoted_action(soap: SoapEngine, soap_url: str) -> None:
    response = await soap.send(hospital(soap_url, get_patient("P001"), "GetPatientRecord"))

    sent = headers_of(response.http.request_headers)
    assert sent["content-type"] == "text/xml; charset=utf-8"
    assert sent["soapaction"] == '"urn:apiclient:mock:hospital/GetPatientRecord"'
    assert "text/xml" in sent["accept"]


async def test_soap_12_puts_the_action_in_the_content_type(soap: SoapEngine, soap_url: str) -> None:
    request = hospital(soap_url, get_patient("P001"), "GetPatientRecord", version="1.2")

    response = await soap.send(request)

    sent = headers_of(response.http.request_headers)
    assert sent["content-type"] == (
        'application/soap+xml; charset=utf-8; action="urn:apiclient:mock:hospital/GetPatientRecord"'
    )
    assert "soapaction" not in sent
    assert "application/soap+xml" in sent["accept"]


def calculator(soap_url: str, operation: str, a: int, b: int) -> SoapRequest:
    """An rpc/literal call of the calculator mock."""
    return SoapRequest(
        endpoint=soap_url + "/calculator",
        soap_action=f"urn:apiclient:mock:calculator/{operation}",
        envelope=(
            f'<soap:Envelope xmlns:soap="{SOAP11}" xmlns:c="urn:apiclient:mock:calculator">'
            f"<soap:Body><c:{operation}><a>{a}</a><b>{b}</b></c:{operation}></soap:Body>"
            "</soap:Envelope>"
        ),
    )


async def test_rpc_literal_calculator_adds(soap: SoapEngine, soap_url: str) -> None:
    response = await soap.send(calculator(soap_url, "Add", 2, 40))

    assert response.fault is None
    assert "42" in response.http.text()


# --- what goes on the wire, seen by the REST mock's /echo -----------------------------------


async def echoed(soap: SoapEngine, rest_url: str, **fields: object) -> dict[str, object]:
    request = SoapRequest(endpoint=rest_url + "/echo", envelope=envelope(get_patient("P1")))
    response = await soap.send(request.model_copy(update=fields))
    assert response.problem.startswith("The response is not XML (application/json)")
    received: dict[str, object] = json.loads(response.http.body)
    assert received["body_text"] == response.sent_envelope
    return received


async def test_soap_11_without_action_sends_an_empty_quoted_soapaction(
    soap: SoapEngine, rest_url: str
) -> None:
    received = await echoed(soap, rest_url, soap_action="")

    assert received["headers"]["soapaction"] == '""'  # type: ignore[index]


async def test_soap_12_without_action_omits_the_action_parameter(
    soap: SoapEngine, rest_url: str
) -> None:
    received = await echoed(
        soap, rest_url, soap_version="1.2", envelope=envelope("", version="1.2")
    )

    headers = received["headers"]
    assert headers["content-type"] == "application/soap+xml; charset=utf-8"  # type: ignore[index]
    assert "soapaction" not in headers  # type: ignore[operator]


async def test_headers_the_user_typed_win_and_disabled_ones_are_not_sent(
    soap: SoapEngine, rest_url: str
) -> None:
    rows = [
        KeyValue(name="content-type", value="application/xml; charset=utf-8"),
        KeyValue(name="SOAPAction", value='"mine"'),
        KeyValue(name="X-Trace", value="abc"),
        KeyValue(name="X-Off", value="no", enabled=False),
    ]

    received = await echoed(soap, rest_url, soap_action="theirs", headers=rows)

    headers = received["headers"]
    assert headers["content-type"] == "application/xml; charset=utf-8"  # type: ignore[index]
    assert headers["soapaction"] == '"mine"'  # type: ignore[index]
    assert headers["x-trace"] == "abc"  # type: ignore[index]
    assert "x-off" not in headers  # type: ignore[operator]


async def test_http_basic_auth_goes_with_the_post(soap: SoapEngine, rest_url: str) -> None:
    received = await echoed(soap, rest_url, auth=Auth(kind="basic", username="u", password="p"))

    assert received["headers"]["authorization"] == "Basic dTpw"  # type: ignore[index]


async def test_non_ascii_envelope_is_sent_as_utf8_whatever_its_declaration_says(
    soap: SoapEngine, rest_url: str
) -> None:
    typed = '<?xml version="1.0" encoding="ISO-8859-1"?>\n' + envelope(get_patient("Zoë"))

    received = await echoed(soap, rest_url, envelope=typed)

    assert str(received["body_text"]).startswith("<?xml version='1.0' encoding='utf-8'?>")
    assert "Zoë" in str(received["body_text"])


# --- faults ---------------------------------------------------------------------------------


async def test_unknown_patient_is_a_soap_11_client_fault(soap: SoapEngine, soap_url: str) -> None:
    response = await soap.send(hospital(soap_url, get_patient("P999"), "GetPatientRecord"))

    fault = response.fault
    assert fault is not None
    assert fault.soap_version == "1.1"
    assert fault.code.endswith("Client")
    assert fault.reason == "No patient with ID 'P999'"
    assert "PatientNotFound" in fault.detail and "P999" in fault.detail
    assert response.problem == ""


async def test_unknown_patient_is_a_soap_12_sender_fault(soap: SoapEngine, soap_url: str) -> None:
    request = hospital(soap_url, get_patient("P999"), "GetPatientRecord", version="1.2")

    response = await soap.send(request)

    fault = response.fault
    assert fault is not None
    assert fault.soap_version == "1.2"
    assert fault.code.endswith("Sender")
    assert fault.reason == "No patient with ID 'P999'"
    assert "PatientNotFound" in fault.detail


async def test_calculator_division_by_zero_is_a_fault(soap: SoapEngine, soap_url: str) -> None:
    response = await soap.send(calculator(soap_url, "Divide", 1, 0))

    assert response.fault is not None
    assert response.fault.reason == "Division by zero"


async def test_soap_12_envelope_to_the_11_endpoint_is_a_version_mismatch(
    soap: SoapEngine, soap_url: str
) -> None:
    request = hospital(soap_url, get_patient("P001"), "GetPatientRecord", version="1.2")

    response = await soap.send(request.model_copy(update={"endpoint": soap_url + "/hospital"}))

    assert response.fault is not None
    assert response.fault.code.endswith("VersionMismatch")


# --- WS-Security ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["text", "digest"])
async def test_ws_security_username_token_is_accepted(
    soap: SoapEngine, soap_url: str, mode: str
) -> None:
    wsse = WsSecurity(mode=mode, username="nurse", password="s3cret")  # type: ignore[arg-type]

    response = await soap.send(hospital(soap_url, LIST_WARD, "ListWardPatients", wsse=wsse))

    assert response.fault is None, response.fault
    assert "ListWardPatientsResponse" in response.http.text()
    assert "<wsse:UsernameToken>" in response.sent_envelope
    password_type = "#PasswordText" if mode == "text" else "#PasswordDigest"
    assert password_type in response.sent_envelope
    assert ("s3cret" in response.sent_envelope) is (mode == "text")


async def test_ws_security_token_replaces_one_typed_in_the_envelope(
    soap: SoapEngine, soap_url: str
) -> None:
    wsse_ns = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    typed = envelope(LIST_WARD).replace(
        "  <soap:Body>",
        f'  <soap:Header><wsse:Security xmlns:wsse="{wsse_ns}"><wsse:UsernameToken>'
        "<wsse:Username>old</wsse:Username></wsse:UsernameToken></wsse:Security>"
        "</soap:Header>\n  <soap:Body>",
    )
    request = hospital(
        soap_url,
        LIST_WARD,
        "ListWardPatients",
        wsse=WsSecurity(mode="digest", username="nurse", password="s3cret"),
    ).model_copy(update={"envelope": typed})

    response = await soap.send(request)

    assert response.fault is None, response.fault
    assert response.sent_envelope.count("<wsse:UsernameToken>") == 1
    assert "old" not in response.sent_envelope


async def test_ws_security_missing_is_a_fault(soap: SoapEngine, soap_url: str) -> None:
    response = await soap.send(hospital(soap_url, LIST_WARD, "ListWardPatients"))

    assert response.fault is not None
    assert response.fault.reason == "WS-Security UsernameToken required"


@pytest.mark.parametrize("mode", ["text", "digest"])
async def test_ws_security_wrong_password_is_a_fault(
    soap: SoapEngine, soap_url: str, mode: str
) -> None:
    wsse = WsSecurity(mode=mode, username="nurse", password="wrong")  # type: ignore[arg-type]

    response = await soap.send(hospital(soap_url, LIST_WARD, "ListWardPatients", wsse=wsse))

    assert response.fault is not None
    assert response.fault.reason == "WS-Security authentication failed"


# --- refused before any traffic -------------------------------------------------------------


async def test_envelope_not_well_formed_points_at_the_line_and_sends_nothing(
    soap: SoapEngine, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    broken = envelope("<h:GetPatientRecord>\n      <h:PatientID>P001\n    </h:GetPatientRecord>")

    with pytest.raises(EnvelopeError) as caught:
        await soap.send(SoapRequest(endpoint=url, envelope=broken))

    error = caught.value
    assert (error.line, error.column) == (5, 26)
    assert str(error) == (
        "The envelope is not well-formed XML at line 5, column 26: Opening and ending tag"
        " mismatch: PatientID line 4 and GetPatientRecord. Fix the XML and send again."
    )
    assert_nothing_sent(sock)


async def test_envelope_in_the_other_versions_namespace_is_refused(
    soap: SoapEngine, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    typed = "<?xml version='1.0'?>\n" + envelope(get_patient("P001"), version="1.2")

    with pytest.raises(EnvelopeError) as caught:
        await soap.send(SoapRequest(endpoint=url, soap_version="1.1", envelope=typed))

    assert str(caught.value).startswith(
        "The envelope uses the SOAP 1.2 namespace but the request is set to SOAP 1.1."
    )
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert_nothing_sent(sock)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "The envelope is empty."),
        ("<h:Get xmlns:h='urn:x'/>", "The root element is <{urn:x}Get>, not a SOAP 1.1 Envelope."),
        ("<Envelope><Body/></Envelope>", "The Envelope has no namespace."),
        (f'<soap:Envelope xmlns:soap="{SOAP11}"/>', "The envelope has no Body"),
    ],
)
def test_check_envelope_refuses_what_is_not_an_envelope(text: str, fragment: str) -> None:
    with pytest.raises(EnvelopeError, match="^" + fragment.replace("{", r"\{").replace(".", r"\.")):
        check_envelope(text, "1.1")


@pytest.mark.parametrize(
    ("version", "children", "message", "position"),
    [
        (
            "1.1",
            "<s:Body/>\n<s:Header/>",
            "<s:Header> follows the Body: the Header must come first.",
            (3, 1),
        ),
        (
            "1.1",
            "<x:Extra xmlns:x='urn:x'/>\n  <s:Body/>",
            "<x:Extra> comes before the Body, where only one Header may be. Move it.",
            (2, 1),
        ),
        (
            "1.2",
            "<s:Header/><s:Header/><s:Body/>",
            "<s:Header> comes before the Body, where only one Header may be. Move it.",
            (2, 12),
        ),
        (
            "1.2",
            "<s:Body/>\n  <x:Extra xmlns:x='urn:x'/>",
            "<x:Extra> follows the Body, where SOAP 1.2 allows nothing. Move it or remove it.",
            (3, 3),
        ),
    ],
)
def test_check_envelope_wants_an_optional_header_then_the_body(
    version: str, children: str, message: str, position: tuple[int, int]
) -> None:
    soap_ns = SOAP11 if version == "1.1" else SOAP12
    text = f'<s:Envelope xmlns:s="{soap_ns}">\n{children}\n</s:Envelope>'

    with pytest.raises(EnvelopeError) as caught:
        check_envelope(text, version)

    assert str(caught.value) == message
    assert (caught.value.line, caught.value.column) == position


def test_soap_11_allows_elements_after_the_body() -> None:
    check_envelope(
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Header/><s:Body/><x:Trailer xmlns:x="urn:x"/>'
        "</s:Envelope>",
        "1.1",
    )


async def test_envelope_with_a_dtd_is_refused_before_sending(
    soap: SoapEngine, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    typed = '<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n' + envelope(
        "<h:X>&x;</h:X>"
    )

    with pytest.raises(EnvelopeError, match="declares a DTD") as caught:
        await soap.send(SoapRequest(endpoint=url, envelope=typed))

    assert (caught.value.line, caught.value.column) == (1, 1)
    assert_nothing_sent(sock)


async def test_the_listener_does_see_a_request_that_is_sent(
    soap: SoapEngine, listener: tuple[str, socket.socket]
) -> None:
    """The control for the tests above: a valid request reaches the listener."""
    url, sock = listener
    request = SoapRequest(
        endpoint=url,
        envelope=envelope(get_patient("P001")),
        settings=RequestSettings(timeout_s=0.2),
    )

    with pytest.raises(RequestTimeoutError):
        await soap.send(request)
    sock.setblocking(True)
    sock.settimeout(2)
    connection, _ = sock.accept()
    connection.close()


async def test_empty_endpoint_asks_for_an_operation_or_url(soap: SoapEngine) -> None:
    request = SoapRequest(endpoint="  ", envelope=envelope(get_patient("P001")))

    with pytest.raises(RequestBuildError, match="choose an operation or type the endpoint URL"):
        await soap.send(request)


async def test_ws_security_without_username_is_refused(
    soap: SoapEngine, listener: tuple[str, socket.socket]
) -> None:
    url, sock = listener
    request = SoapRequest(
        endpoint=url, envelope=envelope(LIST_WARD), wsse=WsSecurity(mode="text", password="x")
    )

    with pytest.raises(RequestBuildError, match="WS-Security is on but its username is empty"):
        await soap.send(request)
    assert_nothing_sent(sock)


# --- broken servers -------------------------------------------------------------------------


def broken(soap_url: str, what: str) -> SoapRequest:
    return SoapRequest(
        endpoint=f"{soap_url}/broken/{what}",
        soap_action="urn:x",
        envelope=envelope(get_patient("P001")),
        settings=RequestSettings(timeout_s=10),
    )


async def test_html_page_is_shown_as_received_with_its_content_type(
    soap: SoapEngine, soap_url: str
) -> None:
    response = await soap.send(broken(soap_url, "html"))

    assert response.problem.startswith("The response is not XML (text/html)")
    assert "<h1>Maintenance</h1>" in response.http.text()
    assert response.fault is None


async def test_http_500_without_fault_says_so(soap: SoapEngine, soap_url: str) -> None:
    response = await soap.send(broken(soap_url, "500"))

    assert response.http.status_code == 500
    assert response.problem.startswith(
        "HTTP 500 without a SOAP Fault: the server failed without saying why in SOAP terms."
    )
    assert "(text/plain)" in response.problem
    assert response.http.text() == "Internal Server Error"
    assert response.fault is None


async def test_billion_laughs_response_is_not_expanded(soap: SoapEngine, soap_url: str) -> None:
    started = time.perf_counter()
    response = await soap.send(broken(soap_url, "entities"))
    elapsed = time.perf_counter() - started

    assert response.problem == DTD_PROBLEM
    assert response.fault is None
    assert "&lol9;" in response.http.text()  # the body is kept as received
    assert "lollollol" not in repr(response)  # and nothing the user sees was expanded
    assert elapsed < 2.0


async def test_xxe_response_reads_no_file(soap: SoapEngine, soap_url: str) -> None:
    hostname = Path("/etc/hostname").read_text().strip()

    started = time.perf_counter()
    response = await soap.send(broken(soap_url, "xxe"))
    elapsed = time.perf_counter() - started

    assert response.problem == DTD_PROBLEM
    assert "&x;" in response.http.text()  # the body is kept as received
    assert f">{hostname}<" not in repr(response)  # and nothing the user sees read the file
    assert response.fault is None
    assert elapsed < 2.0


# --- the exchange itself --------------------------------------------------------------------


async def test_unreachable_endpoint_raises_the_rest_engines_connect_error(
    soap: SoapEngine, closed_port: int
) -> None:
    request = SoapRequest(
        endpoint=f"http://127.0.0.1:{closed_port}/svc", envelope=envelope(get_patient("P001"))
    )

    with pytest.raises(ConnectError):
        await soap.send(request)


async def test_a_shared_rest_engine_stays_open_after_aclose(soap_url: str) -> None:
    rest = RestEngine()
    try:
        engine = SoapEngine(rest)
        await engine.aclose()
        response = await SoapEngine(rest).send(
            hospital(soap_url, get_patient("P002"), "GetPatientRecord")
        )
        assert "P002" in response.http.text()
    finally:
        await rest.aclose()
