"""Faults of both SOAP versions read into one shape, and responses read safely.

These use literal documents, so every corner (nested subcodes, several languages,
qualified 1.1 children, a Fault that is not the Body's first element) is pinned down
without a server. The last ones read bodies of many parse chunks, and one of 20 MB
while a thread stands in for the GUI thread, which must never wait long for the GIL.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from apiclient.protocols.http import Timings
from apiclient.protocols.rest import RestResponse
from apiclient.protocols.soap_response import DTD_PROBLEM, SoapFault, find_fault, read_response
from apiclient.protocols.soap_xml import CHUNK_BYTES, parse_untrusted

FAULT_11 = b"""<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:t="urn:apiclient:mock:hospital:types" xmlns:unused="urn:unused">
  <soap:Body>
    <soap:Fault>
      <faultcode>soap:Client</faultcode>
      <faultstring xml:lang="en">  No patient with ID 'P999'  </faultstring>
      <faultactor>urn:apiclient:mock:hospital</faultactor>
      <detail>
        <t:PatientNotFound><t:PatientID>P999</t:PatientID></t:PatientNotFound>
      </detail>
    </soap:Fault>
  </soap:Body>
</soap:Envelope>"""

FAULT_12 = """<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
              xmlns:m="urn:example:errors">
  <env:Header/>
  <env:Body>
    <env:Fault>
      <env:Code>
        <env:Value>env:Sender</env:Value>
        <env:Subcode>
          <env:Value>m:MessageTimeout</env:Value>
          <env:Subcode><env:Value>m:Retry</env:Value></env:Subcode>
        </env:Subcode>
      </env:Code>
      <env:Reason>
        <env:Text xml:lang="fr">Délai dépassé</env:Text>
        <env:Text xml:lang="en-GB">Timed out (GB)</env:Text>
        <env:Text xml:lang="en">Timed out</env:Text>
      </env:Reason>
      <env:Node>http://example.org/node</env:Node>
      <env:Role>http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver</env:Role>
      <env:Detail>
        <m:MaxTime>P5M</m:MaxTime>
        <m:Hint>try later</m:Hint>
      </env:Detail>
    </env:Fault>
  </env:Body>
</env:Envelope>""".encode()


def _http(body: bytes, *, status: int = 200, content_type: str = "text/xml") -> RestResponse:
    headers = (("content-type", content_type),) if content_type else ()
    return RestResponse(
        method="POST",
        url="http://127.0.0.1/x",
        status_code=status,
        reason="",
        http_version="HTTP/1.1",
        headers=headers,
        cookies=(),
        body=body,
        wire_size=len(body),
        headers_size=0,
        elapsed_s=0.0,
        timings=Timings(None, None, 0.0, 0.0, 0.0, 0.0, reused_connection=False),
        redirects=(),
        request_headers=(),
    )


def test_soap_11_fault_reads_every_field() -> None:
    fault = find_fault(parse_untrusted(FAULT_11))

    assert fault == SoapFault(
        soap_version="1.1",
        code="soap:Client",
        subcodes=(),
        reason="No patient with ID 'P999'",
        actor="urn:apiclient:mock:hospital",
        detail=(
            '<t:PatientNotFound xmlns:t="urn:apiclient:mock:hospital:types">\n'
            "  <t:PatientID>P999</t:PatientID>\n"
            "</t:PatientNotFound>"
        ),
    )


def test_soap_12_fault_reads_nested_subcodes_english_reason_role_and_detail() -> None:
    fault = find_fault(parse_untrusted(FAULT_12))

    assert fault is not None
    assert fault.soap_version == "1.2"
    assert fault.code == "env:Sender"
    assert fault.subcodes == ("m:MessageTimeout", "m:Retry")
    assert fault.reason == "Timed out"  # exact "en" beats "en-GB" and the first one
    assert fault.actor == "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
    assert fault.detail == (
        '<m:MaxTime xmlns:m="urn:example:errors">P5M</m:MaxTime>\n'
        '<m:Hint xmlns:m="urn:example:errors">try later</m:Hint>'
    )


def test_soap_12_reason_falls_back_to_a_regional_english_then_to_the_first_text() -> None:
    regional = FAULT_12.replace(b'<env:Text xml:lang="en">Timed out</env:Text>', b"")
    only_french = regional.replace(b'<env:Text xml:lang="en-GB">Timed out (GB)</env:Text>', b"")

    assert find_fault(parse_untrusted(regional)).reason == "Timed out (GB)"  # type: ignore[union-attr]
    assert find_fault(parse_untrusted(only_french)).reason == "Délai dépassé"  # type: ignore[union-attr]


def test_soap_12_minimal_fault_has_empty_optional_fields() -> None:
    doc = b"""<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault>
      <e:Code><e:Value>e:Receiver</e:Value></e:Code>
      <e:Reason><e:Text xml:lang="en">Database down</e:Text></e:Reason>
    </e:Fault></e:Body></e:Envelope>"""

    fault = find_fault(parse_untrusted(doc))

    assert fault == SoapFault("1.2", "e:Receiver", (), "Database down", "", "")


def test_soap_12_actor_falls_back_to_node_without_role() -> None:
    doc = FAULT_12.replace(
        b"<env:Role>http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver</env:Role>",
        b"",
    )

    assert find_fault(parse_untrusted(doc)).actor == "http://example.org/node"  # type: ignore[union-attr]


def test_soap_11_fault_with_qualified_children_and_text_detail() -> None:
    doc = b"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
      <s:faultcode>s:Server</s:faultcode><s:faultstring>Boom</s:faultstring>
      <s:detail>  stack trace withheld  </s:detail>
    </s:Fault></s:Body></s:Envelope>"""

    fault = find_fault(parse_untrusted(doc))

    assert fault == SoapFault("1.1", "s:Server", (), "Boom", "", "stack trace withheld")


@pytest.mark.parametrize(
    "doc",
    [
        # A normal answer.
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b"<r>ok</r></s:Body></s:Envelope>",
        # A Fault element that is data, not the Body's first element.
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b"<r/><s:Fault><faultcode>s:Client</faultcode></s:Fault></s:Body></s:Envelope>",
        # Not an envelope at all.
        b'<Fault xmlns="http://schemas.xmlsoap.org/soap/envelope/"/>',
        # A Fault in the other version's namespace.
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<f:Fault xmlns:f="http://www.w3.org/2003/05/soap-envelope"/></s:Body></s:Envelope>',
    ],
)
def test_no_fault_when_the_body_does_not_start_with_one(doc: bytes) -> None:
    assert find_fault(parse_untrusted(doc)) is None


def test_read_response_reads_the_fault_as_from_the_whole_tree() -> None:
    reading = read_response(_http(FAULT_11, status=500))

    assert reading.fault == find_fault(parse_untrusted(FAULT_11))
    assert reading.fault is not None and reading.fault.code == "soap:Client"
    assert reading.problem == ""


def test_read_response_fault_with_http_200_is_still_a_fault() -> None:
    reading = read_response(_http(FAULT_12, status=200, content_type="application/soap+xml"))

    assert reading.fault is not None and reading.fault.subcodes[0] == "m:MessageTimeout"
    assert reading.problem == ""


@pytest.mark.parametrize("status", [200, 202])
def test_read_response_empty_body_of_a_one_way_call_is_fine(status: int) -> None:
    reading = read_response(_http(b"", status=status, content_type=""))

    assert (reading.fault, reading.problem) == (None, "")


def test_read_response_refuses_a_dtd_and_expands_nothing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
        )
        + b"]><r>&i;</r>"
    )

    started = time.perf_counter()
    reading = read_response(_http(bomb))
    elapsed = time.perf_counter() - started

    assert reading.problem == DTD_PROBLEM
    assert reading.fault is None
    assert elapsed < 0.5


def test_read_response_not_well_formed_xml_says_where() -> None:
    reading = read_response(_http(b"<a>\n  <b></a>", content_type="application/soap+xml"))

    assert reading.problem.startswith(
        "The response is not well-formed XML (application/soap+xml) at line 2, column"
    )
    assert "Opening and ending tag mismatch" in reading.problem
    assert reading.fault is None


def test_read_response_xml_that_is_not_an_envelope() -> None:
    reading = read_response(_http(b"<status>ok</status>", content_type="application/xml"))

    assert reading.problem == (
        "The response is XML but not a SOAP envelope: its root is <status>."
        " Check that the endpoint URL is the SOAP service."
    )
    assert reading.fault is None


def test_read_response_redirect_not_followed_names_the_location() -> None:
    http = replace(_http(b"", status=302), headers=(("location", "http://new/svc"),))

    assert read_response(http).problem == (
        "HTTP 302 is a redirect that was not followed (http://new/svc). Turn on following"
        " redirects, or send to the new address."
    )


def _fault_saying(reason: str) -> str:
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        f"<faultcode>s:Server</faultcode><faultstring>{reason}</faultstring>"
        "</s:Fault></s:Body></s:Envelope>"
    )


def test_read_response_decodes_as_the_http_charset_says() -> None:
    body = _fault_saying("Zoë").encode("iso-8859-1")  # b"Zo\xeb": not UTF-8

    reading = read_response(_http(body, content_type="text/xml; charset=ISO-8859-1"))

    assert reading.problem == ""
    assert reading.fault is not None and reading.fault.reason == "Zoë"


def test_read_response_with_an_unknown_charset_lets_the_document_say() -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?>' + _fault_saying("Zoë")).encode()

    reading = read_response(_http(body, content_type="text/xml; charset=x-nonsense"))

    assert reading.problem == ""
    assert reading.fault is not None and reading.fault.reason == "Zoë"


# --- large bodies, read a chunk at a time -----------------------------------------------

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
_PATIENT = (
    b"<h:Patient><h:PatientID>P%06d</h:PatientID><h:Name>Some Patient Name</h:Name>"
    b"<h:Ward>North</h:Ward><h:Notes>lorem ipsum</h:Notes></h:Patient>\n"
)
_SMALL_FAULT = b"<s:Fault><faultcode>s:Server</faultcode><faultstring>late</faultstring></s:Fault>"


def _patients(count: int) -> bytes:
    return b"".join(_PATIENT % number for number in range(count))


def _envelope(*, header: bytes = b"", body: bytes) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP11}" xmlns:h="urn:h">'.encode()
        + (b"<s:Header>" + header + b"</s:Header>" if header else b"")
        + b"<s:Body>"
        + body
        + b"</s:Body></s:Envelope>"
    )


@pytest.fixture(scope="module")
def ward_list() -> bytes:
    """A 20 MB answer: 150,000 patients in the Body's first element."""
    body = _envelope(body=b"<h:ListResponse>" + _patients(150_000) + b"</h:ListResponse>")
    assert len(body) > 20_000_000
    return body


class _Ticker:
    """A thread that wakes every 2 ms, as the GUI loop would, and notes its longest wait."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(0.002)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    def __enter__(self) -> _Ticker:
        self._thread.start()
        time.sleep(0.02)  # let it tick before the work starts
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_reading_20_mb_never_holds_the_gil_long(ward_list: bytes) -> None:
    broken_late = ward_list.replace(b"P149999</h:PatientID>", b"P149999</h:PatientId>")

    with _Ticker() as ticker:
        started = time.perf_counter()
        fine = read_response(_http(ward_list))
        broken = read_response(_http(broken_late))
        elapsed = time.perf_counter() - started

    assert (fine.fault, fine.problem) == (None, "")
    # Well-formed up to the Body's first element, broken near the end: still told.
    assert broken.problem.startswith("The response is not well-formed XML (text/xml) at line")
    assert "PatientID" in broken.problem
    assert ticker.longest < 0.1, f"the GIL was held for {ticker.longest * 1000:.0f} ms"
    assert elapsed < 2.0


def test_a_fault_at_the_end_of_a_small_body_is_found() -> None:
    body = _envelope(
        header=b"<h:Trace>a</h:Trace><!-- c --><h:Trace>b</h:Trace>",
        body=b"\n  <!-- why it failed -->\n  " + _SMALL_FAULT + b"\n",
    )

    reading = read_response(_http(body, status=500))

    assert reading.problem == ""
    assert reading.fault == SoapFault("1.1", "s:Server", (), "late", "", "")


@pytest.mark.parametrize("offset", [-40, -5, 0, 7])
def test_a_fault_across_a_chunk_boundary_is_found(offset: int) -> None:
    """The Body's start or the Fault lands on the edge of the first parse chunk."""
    head = _envelope(header=b"<h:Pad/>", body=b"").split(b"<s:Body>")[0]
    pad = CHUNK_BYTES + offset - len(head)
    body = _envelope(header=b"<h:Pad>" + b"x" * pad + b"</h:Pad>", body=_SMALL_FAULT)

    reading = read_response(_http(body))

    assert reading.fault is not None and reading.fault.reason == "late"


def test_a_fault_after_a_header_of_many_chunks_is_found() -> None:
    body = _envelope(header=b"<h:List>" + _patients(20_000) + b"</h:List>", body=_SMALL_FAULT)
    assert len(body) > 40 * CHUNK_BYTES

    reading = read_response(_http(body))

    assert reading.fault is not None and reading.fault.reason == "late"
    assert reading.problem == ""


def test_a_large_answer_that_is_no_envelope_says_its_root() -> None:
    body = b"<h:Patients xmlns:h='urn:h'>" + _patients(5_000) + b"</h:Patients>"

    reading = read_response(_http(body, content_type="application/xml"))

    assert reading.problem.startswith(
        "The response is XML but not a SOAP envelope: its root is <Patients>."
    )


def test_a_namespace_slip_before_the_body_is_not_well_formed() -> None:
    body = _envelope(header=b"<x:Trace/>", body=b"<h:Answer/>")

    reading = read_response(_http(body))

    assert reading.problem.startswith("The response is not well-formed XML (text/xml) at line 1")
    assert "Namespace prefix x on Trace is not defined" in reading.problem


def test_a_namespace_slip_deep_in_a_large_body_is_not_well_formed() -> None:
    """Past the first chunks and the Body's first element: the check of the whole body."""
    fine = b"P004000</h:PatientID><h:Name>Some Patient Name</h:Name><h:Ward>North</h:Ward>"
    slip = fine.replace(b"h:Ward>", b"w:Ward>")  # w is declared nowhere
    patients = _patients(5_000).replace(fine, slip)
    body = _envelope(body=b"<h:ListResponse>" + patients + b"</h:ListResponse>")
    assert body.index(slip) > 8 * CHUNK_BYTES
    at_line = 4_001  # the envelope's start and 4,000 patients before, one a line

    reading = read_response(_http(body))

    assert reading.problem.startswith(
        f"The response is not well-formed XML (text/xml) at line {at_line}, column"
    )
    assert "Namespace prefix w on Ward is not defined" in reading.problem


def test_a_large_body_broken_before_the_body_is_not_well_formed() -> None:
    body = _envelope(header=b"<h:List>" + _patients(5_000) + b"</h:Lost>", body=_SMALL_FAULT)

    reading = read_response(_http(body))

    assert reading.fault is None
    assert reading.problem.startswith("The response is not well-formed XML (text/xml) at line")
    assert "Opening and ending tag mismatch: List" in reading.problem
