"""Turn a resolved :class:`SoapRequest` into the HTTP request that carries it.

Everything here runs before any traffic, so a bad envelope is reported with its line
and column (:class:`EnvelopeError`) and nothing is sent. The envelope is parsed once,
WS-Security is added with zeep's own UsernameToken (its digest and nonce handling are
the reference ones), and the result is serialized as UTF-8 for the REST engine, which
does the HTTP exchange.
"""

from __future__ import annotations

import re

from lxml import etree
from zeep import ns as zeep_ns
from zeep.wsse.username import UsernameToken

from apiclient.core.models import Body, KeyValue, RestRequest, SoapRequest, WsSecurity
from apiclient.protocols.errors import EnvelopeError, RequestBuildError
from apiclient.protocols.soap_xml import (
    SOAP_NAMESPACES,
    SOAP_VERSIONS,
    DtdDeclared,
    NotWellFormed,
    local_name,
    namespace,
    parse_untrusted,
)

_CONTENT_TYPES = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
_ACCEPT = {
    "1.1": "text/xml, application/xml;q=0.9, */*;q=0.5",
    "1.2": "application/soap+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
}
# What may come before the root element once a DOCTYPE is ruled out.
_PROLOG_RE = re.compile(r"\ufeff?(?:\s+|<\?.*?\?>|<!--.*?-->)*(?=<)", re.DOTALL)
_DECLARATION_RE = re.compile(r"\ufeff?<\?xml\s")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _root_position(text: str) -> tuple[int, int]:
    """Where the root's start tag begins, so structural errors point at it."""
    match = _PROLOG_RE.match(text)
    return _position(text, match.end() if match else 0)


def _parse_envelope(text: str) -> etree._Element:
    if not text.strip():
        raise EnvelopeError(
            "The envelope is empty. Choose an operation to get a sample envelope, or paste one.",
            line=1,
            column=1,
        )
    data = text.encode("utf-8", errors="replace")
    try:
        # The text is Unicode already: its XML declaration must not re-decode it.
        return parse_untrusted(data, encoding="utf-8")
    except DtdDeclared:
        line, column = _position(text, max(text.find("<!DOCTYPE"), 0))
        raise EnvelopeError(
            f"The envelope declares a DTD (<!DOCTYPE …> at line {line}); SOAP does not allow"
            " one, and it is not sent, for safety. Remove the DOCTYPE and send again.",
            line=line,
            column=column,
        ) from None
    except NotWellFormed as exc:
        raise EnvelopeError(
            f"The envelope is not well-formed XML at line {exc.line}, column {exc.column}:"
            f" {exc.reason}. Fix the XML and send again.",
            line=exc.line,
            column=exc.column,
        ) from None


def _check_structure(root: etree._Element, text: str, soap_version: str) -> None:
    expected = SOAP_NAMESPACES[soap_version]
    line, column = _root_position(text)
    found_ns = namespace(root)
    if local_name(root) != "Envelope" or (found_ns and found_ns not in SOAP_VERSIONS):
        shown = f"{{{found_ns}}}{local_name(root)}" if found_ns else local_name(root)
        raise EnvelopeError(
            f"The root element is <{shown}>, not a SOAP {soap_version} Envelope. Wrap the"
            f' message in <soap:Envelope xmlns:soap="{expected}"><soap:Body>…</soap:Body>'
            "</soap:Envelope>.",
            line=line,
            column=column,
        )
    if not found_ns:
        raise EnvelopeError(
            f"The Envelope has no namespace. Declare the SOAP {soap_version} one: <soap:Envelope"
            f' xmlns:soap="{expected}">.',
            line=line,
            column=column,
        )
    if found_ns != expected:
        raise EnvelopeError(
            f"The envelope uses the SOAP {SOAP_VERSIONS[found_ns]} namespace but the request"
            f" is set to SOAP {soap_version}. Change the SOAP version, or the Envelope's"
            f" namespace to {expected}.",
            line=line,
            column=column,
        )
    _check_children(root, text, soap_version)


def _check_children(root: etree._Element, text: str, soap_version: str) -> None:
    """An optional Header, then the Body (SOAP 1.1 §4, SOAP 1.2 part 1 §5.1).

    SOAP 1.1 allows more elements after the Body; SOAP 1.2 allows nothing there.
    """
    soap_ns = SOAP_NAMESPACES[soap_version]
    header, body = f"{{{soap_ns}}}Header", f"{{{soap_ns}}}Body"
    children = [child for child in root if isinstance(child.tag, str)]
    tags = [child.tag for child in children]
    if body not in tags:
        line, column = _root_position(text)
        raise EnvelopeError(
            "The envelope has no Body: add <soap:Body> with the operation's message inside"
            " the Envelope.",
            line=line,
            column=column,
        )
    at = tags.index(body)
    before = [child for index, child in enumerate(children[:at]) if index or child.tag != header]
    if before:
        raise _misplaced(
            text, before[0], "comes before the Body, where only one Header may be. Move it"
        )
    after = children[at + 1 :]
    header_after = next((child for child in after if child.tag == header), None)
    if header_after is not None:
        raise _misplaced(text, header_after, "follows the Body: the Header must come first")
    if after and soap_version == "1.2":
        raise _misplaced(
            text, after[0], "follows the Body, where SOAP 1.2 allows nothing. Move it or remove it"
        )


def _misplaced(text: str, element: etree._Element, what: str) -> EnvelopeError:
    """The error for a child of the Envelope in the wrong place, pointing at its tag."""
    written = f"{element.prefix}:{local_name(element)}" if element.prefix else local_name(element)
    line = element.sourceline or 1
    # lxml knows the line only; the column is the tag's, counting same-named siblings
    # earlier on that line.
    earlier = sum(
        1
        for sibling in element.itersiblings(preceding=True)
        if sibling.tag == element.tag and sibling.sourceline == line
    )
    lines = text.split("\n")
    column = -1
    for _ in range(earlier + 1):
        column = lines[line - 1].find(f"<{written}", column + 1) if line <= len(lines) else -1
        if column < 0:
            break
    return EnvelopeError(f"<{written}> {what}.", line=line, column=max(column, 0) + 1)


def _checked_root(text: str, soap_version: str) -> etree._Element:
    root = _parse_envelope(text)
    _check_structure(root, text, soap_version)
    return root


def check_envelope(text: str, soap_version: str) -> None:
    """Raise :class:`EnvelopeError` unless ``text`` is a SOAP Envelope of that version.

    Not well-formed, a DOCTYPE, a root that is not an Envelope, the other version's
    namespace, a missing Body, and anything but one Header before the Body (or, in
    SOAP 1.2, anything after it) are all refused.
    """
    _checked_root(text, soap_version)


def _add_username_token(root: etree._Element, wsse: WsSecurity) -> None:
    """Add the token from the WS-Security settings, replacing any typed in the envelope."""
    if not wsse.username.strip():
        raise RequestBuildError(
            "WS-Security is on but its username is empty. Type a username, or turn WS-Security off."
        )
    soap_ns = namespace(root)
    security_path = f"{{{soap_ns}}}Header/{{{zeep_ns.WSSE}}}Security"
    for token in root.findall(f"{security_path}/{{{zeep_ns.WSSE}}}UsernameToken"):
        token.getparent().remove(token)
    token = UsernameToken(
        wsse.username, wsse.password, use_digest=wsse.mode == "digest", zulu_timestamp=True
    )
    token.apply(root, {})


def prepare_envelope(text: str, soap_version: str, wsse: WsSecurity) -> str:
    """Check the envelope, add WS-Security, and return the text to send.

    It is always re-serialized (as UTF-8, with a declaration only if one was typed), so
    what is sent matches its declared encoding whatever the typed declaration said.
    """
    root = _checked_root(text, soap_version)
    if wsse.mode in ("text", "digest"):
        _add_username_token(root, wsse)
    declaration = _DECLARATION_RE.match(text) is not None
    serialized = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=declaration)
    return serialized.decode("utf-8")


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def soap_headers(request: SoapRequest) -> list[KeyValue]:
    """The user's headers plus the SOAP ones they did not set themselves (theirs win)."""
    typed = {row.name.strip().lower() for row in request.headers if row.enabled}
    action = request.soap_action.strip().strip('"')
    version = request.soap_version
    content_type = _CONTENT_TYPES[version]
    if version == "1.2" and action:
        content_type += f"; action={_quoted(action)}"
    defaults = [("Content-Type", content_type), ("Accept", _ACCEPT[version])]
    if version == "1.1":
        defaults.append(("SOAPAction", _quoted(action)))
    added = [
        KeyValue(name=name, value=value) for name, value in defaults if name.lower() not in typed
    ]
    return [*added, *request.headers]


def build_rest_request(request: SoapRequest, envelope: str) -> RestRequest:
    """The POST that carries ``envelope``; auth and settings are the SOAP request's own."""
    if not request.endpoint.strip():
        raise RequestBuildError(
            "The endpoint URL is empty: choose an operation or type the endpoint URL."
        )
    return RestRequest(
        name=request.name,
        method="POST",
        url=request.endpoint.strip(),
        headers=soap_headers(request),
        body=Body(mode="raw", raw=envelope, language="xml"),
        auth=request.auth,
        settings=request.settings,
    )
