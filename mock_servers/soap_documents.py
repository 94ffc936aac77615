"""The hand-written WSDL, XSD and XML files in soap_wsdl/, with their addresses filled in.

The files write `{base}` where this server's URL belongs. It is replaced per request
with the request's own base URL, so the addresses are right on any port (ephemeral
ones included) and behind any host name the client used.
"""

from __future__ import annotations

import html
from pathlib import Path

from lxml import etree

from mock_servers.soap_envelope import safe_parser

# Next to this module rather than importlib.resources.files("mock_servers"): that looks
# the package up by name, and pytest's import of tests/mock_servers/ shadows the name.
FOLDER = Path(__file__).with_name("soap_wsdl")
PLACEHOLDER = "{base}"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"


def read(name: str) -> str:
    """The text of soap_wsdl/`name`, as stored."""
    return (FOLDER / name).read_text(encoding="utf-8")


def render(name: str, base_url: str) -> bytes:
    """soap_wsdl/`name` with `{base}` replaced by `base_url` (escaped: it comes from
    the request's Host header and lands in XML attributes)."""
    base = html.escape(base_url.rstrip("/"), quote=True)
    return read(name).replace(PLACEHOLDER, base).encode("utf-8")


def load_schema(name: str) -> etree.XMLSchema:
    """An XSD from soap_wsdl/ as a validator; one per app, as validators hold state."""
    return etree.XMLSchema(etree.fromstring(read(name).encode("utf-8"), safe_parser()))
