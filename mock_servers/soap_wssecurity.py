"""WS-Security UsernameToken checks (OASIS Username Token Profile 1.0).

Both password kinds are accepted: PasswordText, and PasswordDigest =
Base64(SHA-1(nonce + Created + password)) with the nonce Base64-decoded first.
Created is not checked for freshness and nonces are not remembered, so a hand-written
envelope can be sent again while trying things out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence

from lxml import etree

from mock_servers.soap_envelope import FaultCode, SoapFault, Subcode

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{_PROFILE}#PasswordDigest"

SECURITY = f"{{{WSSE_NS}}}Security"
_USERNAME_TOKEN = f"{{{WSSE_NS}}}UsernameToken"
_USERNAME = f"{{{WSSE_NS}}}Username"
_PASSWORD = f"{{{WSSE_NS}}}Password"
_NONCE = f"{{{WSSE_NS}}}Nonce"
_CREATED = f"{{{WSU_NS}}}Created"

FAILED_AUTHENTICATION = Subcode("wsse", WSSE_NS, "FailedAuthentication")
INVALID_SECURITY = Subcode("wsse", WSSE_NS, "InvalidSecurity")


def token_required() -> SoapFault:
    """The fault for an operation called without the UsernameToken it needs."""
    return SoapFault(
        FaultCode.CLIENT, "WS-Security UsernameToken required", subcode=INVALID_SECURITY
    )


def _failed() -> SoapFault:
    # The same words whatever was wrong, so the fault does not tell which users exist.
    return SoapFault(
        FaultCode.CLIENT, "WS-Security authentication failed", subcode=FAILED_AUTHENTICATION
    )


def _text(element: etree._Element, tag: str) -> str | None:
    found = element.find(tag)
    return None if found is None else (found.text or "").strip()


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def _password_ok(token: etree._Element, password: etree._Element, expected: str) -> bool:
    given = (password.text or "").strip()
    kind = password.get("Type", PASSWORD_TEXT)
    if kind == PASSWORD_TEXT:
        return _same(given, expected)
    if kind != PASSWORD_DIGEST:
        return False
    nonce, created = _text(token, _NONCE), _text(token, _CREATED)
    if not nonce or not created:
        return False
    try:
        raw_nonce = base64.b64decode(nonce, validate=True)
    except binascii.Error:
        return False
    digest = hashlib.sha1(raw_nonce + created.encode() + expected.encode()).digest()
    return _same(base64.b64encode(digest).decode("ascii"), given)


def authenticate(headers: Sequence[etree._Element], accounts: Mapping[str, str]) -> str | None:
    """The user a UsernameToken in the header blocks proves, or None without a token.

    A token that does not check out is a fault even where no token is needed, as a
    real WS-Security stack verifies every token it is given.
    """
    token = next(
        (
            found
            for block in headers
            if block.tag == SECURITY
            for found in block.iterchildren(_USERNAME_TOKEN)
        ),
        None,
    )
    if token is None:
        return None
    username = _text(token, _USERNAME)
    password = token.find(_PASSWORD)
    expected = accounts.get(username or "")
    if password is None or expected is None or not _password_ok(token, password, expected):
        raise _failed()
    return username
