"""Read an HTTP response as SOAP: pretty XML, the Fault if any, and what looks wrong.

Nothing here raises: whatever the server sent, the user gets to see it, with a sentence
(``problem``) when it is not a normal SOAP answer. A response that declares a DTD is
shown as received and never parsed into a tree, so entity tricks (billion laughs, XXE)
expand nothing and read no file.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from apiclient.protocols.rest import RestResponse
from apiclient.protocols.soap_fault import SoapFault, find_fault, soap_version_of
from apiclient.protocols.soap_xml import (
    declares_dtd,
    local_name,
    parse_xml,
    pretty_xml,
    syntax_error_text,
)

DTD_PROBLEM = "The response declares a DTD/entities; it was not parsed, for safety."
_CHECK_ENDPOINT = "Check that the endpoint URL is the SOAP service."


@dataclass(frozen=True)
class ResponseReading:
    """What the response panel shows besides the HTTP facts."""

    pretty: str
    fault: SoapFault | None
    problem: str


def _is_xml_type(content_type: str) -> bool:
    return content_type in ("text/xml", "application/xml") or content_type.endswith("+xml")


def _status_problem(http: RestResponse) -> str:
    """Why the status alone is worth a word when no Fault explains it."""
    code = http.status_code
    if code >= 500:
        return (
            f"HTTP {code} without a SOAP Fault: the server failed without saying why in SOAP terms."
        )
    if code >= 400:
        return (
            f"HTTP {code} without a SOAP Fault: the server refused the request before SOAP"
            f" ({http.reason or 'no reason given'}). Check the endpoint URL, HTTP auth and"
            " headers."
        )
    if code >= 300:
        where = http.header("location") or "no Location given"
        return (
            f"HTTP {code} is a redirect that was not followed ({where}). Turn on following"
            " redirects, or send to the new address."
        )
    return ""


def _joined(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _not_xml(http: RestResponse, error: etree.XMLSyntaxError | None, status_problem: str) -> str:
    """The sentence for a body that did not parse (``error``) or was not even tried."""
    content_type = http.content_type or "no Content-Type"
    if error is not None and _is_xml_type(http.content_type):
        line, column = error.position
        body_problem = (
            f"The response is not well-formed XML ({content_type}) at line {line}, column"
            f" {column}: {syntax_error_text(error)}."
        )
    else:
        body_problem = f"The response is not XML ({content_type}); it is shown as received."
    return _joined(status_problem, body_problem, "" if status_problem else _CHECK_ENDPOINT)


def read_response(http: RestResponse) -> ResponseReading:
    """Parse the body safely; CPU-bound on large bodies, so call it from a worker."""
    status_problem = _status_problem(http)
    if not http.body.strip():
        # One-way operations answer 202 (or 200) with no body: that is success.
        return ResponseReading(pretty="", fault=None, problem=status_problem)
    if declares_dtd(http.body):
        # An HTML page starts with <!DOCTYPE html>: that is a web page, not an attack.
        labelled_other = bool(http.content_type) and not _is_xml_type(http.content_type)
        problem = _not_xml(http, None, status_problem) if labelled_other else DTD_PROBLEM
        return ResponseReading(pretty=http.text(), fault=None, problem=problem)
    try:
        root = parse_xml(http.body)
    except etree.XMLSyntaxError as exc:
        return ResponseReading(
            pretty=http.text(), fault=None, problem=_not_xml(http, exc, status_problem)
        )
    fault = find_fault(root)
    problem = ""
    if fault is None:
        not_soap = ""
        if soap_version_of(root) is None:
            not_soap = (
                f"The response is XML but not a SOAP envelope: its root is <{local_name(root)}>."
            )
        problem = _joined(
            status_problem, not_soap, _CHECK_ENDPOINT if not_soap and not status_problem else ""
        )
    return ResponseReading(pretty=pretty_xml(root), fault=fault, problem=problem)
