"""The errors of loading a WSDL, in their own module so every WSDL module can raise them.

:mod:`apiclient.protocols.soap_wsdl` re-exports them; code outside the WSDL modules
should import them from there. Each message is for a person: what failed, where, and
what to try.
"""

from __future__ import annotations

from apiclient.protocols.errors import ProtocolError


class WsdlError(ProtocolError):
    """The WSDL (or one of the documents it imports) could not be loaded."""


class WsdlFetchError(WsdlError):
    """The WSDL itself could not be read: missing file, HTTP error, unreachable, timeout."""


class WsdlParseError(WsdlError):
    """A document was read but is not a usable WSDL 1.1 (or an import of one failed)."""


class UnsafeXmlError(WsdlError):
    """A document declares a DTD or entities; refused before anything was read or expanded."""
