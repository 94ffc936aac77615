"""Faults of both SOAP versions read into one shape, and responses read safely.

These use literal documents, so every corner (nested subcodes, several languages,
qualified 1.1 children, a Fault that is not the Body's first element) is pinned down
without a server.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from apiclient.protocols.http import Timings
from apiclient.protocols.rest import RestResponse
from apiclient.protocols.soap_response import DTD_PROBLEM, SoapFault, find_fault, read_response
from apiclient.protocols.soap_xml import parse_untrusted

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


def test_read_response_pretty_prints_with_two_spaces_and_keeps_the_fault() -> None:
    reading = read_response(_http(FAULT_11, status=500))

    assert reading.fault is not None and reading.fault.code == "soap:Client"
    assert reading.problem == ""
    assert "\n  <soap:Body>\n    <soap:Fault>\n      <faultcode>" in reading.pretty


def test_read_response_fault_with_http_200_is_still_a_fault() -> None:
    reading = read_response(_http(FAULT_12, status=200, content_type="application/soap+xml"))

    assert reading.fault is not None and reading.fault.subcodes[0] == "m:MessageTimeout"
    assert reading.problem == ""


@pytest.mark.parametrize("status", [200, 202])
def test_read_response_empty_body_of_a_one_way_call_is_fine(status: int) -> None:
    reading = read_response(_http(b"", status=status, content_type=""))

    assert (reading.pretty, reading.fault, reading.problem) == ("", None, "")


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
    assert reading.pretty == bomb.decode()
    assert reading.fault is None
    assert elapsed < 0.5


def test_read_response_not_well_formed_xml_says_where() -> None:
    reading = read_response(_http(b"<a>\n  <b></a>", content_type="application/soap+xml"))

    assert reading.problem.startswith(
        "The response is not well-formed XML (application/soap+xml) at line 2, column"
    )
    assert reading.pretty == "<a>\n  <b></a>"


def test_read_response_xml_that_is_not_an_envelope() -> None:
    reading = read_response(_http(b"<status>ok</status>", content_type="application/xml"))

    assert reading.problem == (
        "The response is XML but not a SOAP envelope: its root is <status>."
        " Check that the endpoint URL is the SOAP service."
    )
    assert reading.pretty == "<status>ok</status>"


def test_read_response_redirect_not_followed_names_the_location() -> None:
    http = replace(_http(b"", status=302), headers=(("location", "http://new/svc"),))

    assert read_response(http).problem == (
        "HTTP 302 is a redirect that was not followed (http://new/svc). Turn on following"
        " redirects, or send to the new address."
    )


def test_read_response_decodes_as_the_http_charset_says() -> None:
    body = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b"<r>Zo\xeb</r></s:Body></s:Envelope>"
    )

    reading = read_response(_http(body, content_type="text/xml; charset=ISO-8859-1"))

    assert reading.problem == ""
    assert "<r>Zoë</r>" in reading.pretty


def test_read_response_with_an_unknown_charset_lets_the_document_say() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><r>Zoë</r>'.encode()

    reading = read_response(_http(body, content_type="text/xml; charset=x-nonsense"))

    assert "<r>Zoë</r>" in reading.pretty
