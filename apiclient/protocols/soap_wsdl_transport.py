"""How zeep reads a WSDL and its imports: one place that fetches, checks and records.

zeep asks its transport for every document (the WSDL, each wsdl:import, xsd:import and
xsd:include). Overriding ``load`` lets this module, for each document:

* stop when the caller cancelled (checked before each fetch and between chunks);
* tell the caller what is being read (progress);
* answer the well-known schemas from :mod:`soap_wsdl_builtin` without the internet;
* refuse local files imported by any document that came from the network;
* vet it with :func:`~apiclient.protocols.soap_wsdl_documents.vet_document` (safe XML,
  the right root) and keep it for the documentation lookup and the enumeration index;
* turn every failure into a WsdlError that names the document and, for an import,
  the document that imported it.

zeep's own ``forbid_external`` setting is not used: it refuses every http(s) import,
including the ``?xsd=1`` documents that JAX-WS and WCF services publish next to their
WSDL, so most real services would not load.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

import requests
from lxml import etree
from zeep.loader import absolute_location
from zeep.transports import Transport

from apiclient.protocols.errors import ProtocolError, WsdlError, WsdlFetchError, WsdlParseError
from apiclient.protocols.http import USER_AGENT
from apiclient.protocols.soap_wsdl_bindings import LenientSoap11Binding, LenientSoap12Binding
from apiclient.protocols.soap_wsdl_builtin import BUILTIN_DOCUMENTS, LOCATION_BY_NAMESPACE
from apiclient.protocols.soap_wsdl_documents import ADDRESS_HINT, ReadDocument, vet_document
from apiclient.protocols.soap_wsdl_http import DocumentTooLarge, same_origin
from apiclient.protocols.soap_xml import XSD_NS

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestResponse

Fetch = Callable[[str], "RestResponse"]
"""Fetches one http(s) document the request's way (see :mod:`soap_wsdl_http`); called
in the loading thread, it raises LoadCancelled or the engine's ProtocolError."""

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


class LoadCancelled(Exception):
    """The caller gave up; raised at the next fetch so the worker thread ends."""


class _ReadFailed(Exception):
    """Why a document could not be read, and what to try (for the WSDL itself, and for
    an import when that advice differs); worded by the caller."""

    def __init__(self, reason: str, hint: str, import_hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
        self.import_hint = import_hint or hint


def is_remote(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


def _is_local(location: str) -> bool:
    scheme = urlsplit(location).scheme.lower()
    # One letter is a Windows drive (C:\...), not a scheme.
    return scheme in ("", "file") or len(scheme) == 1


def local_path(location: str) -> Path:
    """The file a local location (path or file:// URL) names."""
    if urlsplit(location).scheme.lower() == "file":
        return Path(url2pathname(urlsplit(location).path))
    return Path(location).expanduser()


class WsdlTransport(Transport):
    """A zeep Transport for loading only (it never posts); see the module docstring."""

    binding_classes = (LenientSoap11Binding, LenientSoap12Binding)

    def __init__(
        self,
        location: str,
        *,
        timeout_s: float,
        verify_tls: bool,
        cancelled: threading.Event,
        on_fetch: Callable[[str], None],
        fetch: Fetch | None = None,
    ) -> None:
        """``fetch``: how http(s) documents are read (the request's auth and connection
        settings); without it, requests reads them with ``timeout_s`` and ``verify_tls``."""
        super().__init__(timeout=timeout_s)
        self.session.headers["User-Agent"] = USER_AGENT
        self.location = location
        self.documents: list[ReadDocument] = []
        self.notes: list[str] = []
        self._timeout_s = timeout_s
        # Passed on each get: a session-wide verify=False loses to REQUESTS_CA_BUNDLE.
        self._verify_tls = verify_tls
        self._cancelled = cancelled
        self._on_fetch = on_fetch
        self._fetch = fetch

    # zeep calls this for every document it needs.
    def load(self, url: str) -> bytes:
        if self._cancelled.is_set():
            raise LoadCancelled
        builtin = BUILTIN_DOCUMENTS.get(url)
        if builtin is not None:
            return builtin
        is_main = not self.documents and url == self.location
        if not is_main and _is_local(url) and self._imported_from_the_network(url):
            raise WsdlParseError(
                f"{url} is a file on this computer, {self._importer_of(url)}. A document "
                "read from the network may not read local files, so it was not opened."
            )
        self._on_fetch(f"Reading {url}")
        try:
            parsed = vet_document(self._read(url), url, is_main=is_main)
        except _ReadFailed as failed:
            if is_main:
                raise WsdlFetchError(
                    f"Could not read the WSDL {url}: {failed.reason}. {failed.hint}"
                ) from None
            raise WsdlParseError(
                f"Could not load {url}, {self._importer_of(url)}: {failed.reason}. "
                f"{failed.import_hint}"
            ) from None
        except WsdlError as exc:
            if is_main:
                raise
            raise type(exc)(f"{exc} (It is {self._importer_of(url)}.)") from None
        self.notes.extend(parsed.notes)
        content = parsed.content
        if _point_imports_at_builtins(parsed.root):
            content = etree.tostring(parsed.root, encoding="utf-8", xml_declaration=True)
        if all(doc.location != url for doc in self.documents):
            self.documents.append(ReadDocument(url, parsed.root))
        return content

    def _importers(self, url: str) -> list[str]:
        """The documents read so far whose import/include points at ``url``."""
        found = []
        for doc in self.documents:
            for element in doc.root.iter(etree.Element):
                if etree.QName(element).localname not in ("import", "include", "redefine"):
                    continue
                reference = element.get("schemaLocation") or element.get("location")
                if reference and _same(absolute_location(reference, doc.location), url):
                    found.append(doc.location)
                    break
        return found

    def _imported_from_the_network(self, url: str) -> bool:
        """Whether a remote document (may have) asked for ``url``: when no importer is
        found, any remote document read so far counts, to be safe."""
        importers = self._importers(url) or [self.location, *(d.location for d in self.documents)]
        return any(is_remote(location) for location in importers)

    def _importer_of(self, url: str) -> str:
        """Name the document whose import/include points at ``url``, for messages."""
        importer = next(iter(self._importers(url)), self.location)
        if importer == self.location:
            return f"imported by the WSDL {importer}"
        return f"imported by {importer} (part of the WSDL {self.location})"

    def _read(self, url: str) -> bytes:
        if is_remote(url):
            return self._read_http(url)
        if _is_local(url):
            return _read_file(local_path(url))
        raise _ReadFailed(
            f"the scheme '{urlsplit(url).scheme}' is not supported",
            "Use an http://, https:// or file:// address, or a path.",
        )

    def _read_http(self, url: str) -> bytes:
        if self._fetch is not None:
            return self._read_fetched(url, self._fetch)
        try:
            with self.session.get(
                url, timeout=self._timeout_s, stream=True, verify=self._verify_tls
            ) as response:
                if response.status_code >= 400:
                    raise _ReadFailed(*_status_reason(response.status_code, response.reason))
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_content(_CHUNK):
                    if self._cancelled.is_set():
                        raise LoadCancelled
                    size += len(chunk)
                    if size > MAX_DOCUMENT_BYTES:
                        raise _too_large("check the address")
                    chunks.append(chunk)
                return b"".join(chunks)
        except requests.exceptions.RequestException as exc:
            raise _ReadFailed(*_network_reason(exc, self._timeout_s)) from None

    def _read_fetched(self, url: str, fetch: Fetch) -> bytes:
        try:
            response = fetch(url)
        except ProtocolError as exc:
            raise _ReadFailed("the request failed", str(exc)) from None
        except DocumentTooLarge:
            raise _too_large("check the address") from None
        if response.status_code >= 400:
            reason, hint, import_hint = _status_reason(response.status_code, response.reason)
            if response.status_code in (401, 403):
                hint = import_hint = _CREDENTIALS_HINT
                if not same_origin(url, self.location):
                    import_hint = _OTHER_ORIGIN_HINT
            raise _ReadFailed(reason, hint, import_hint)
        return response.body


_CREDENTIALS_HINT = (
    "The WSDL is read with the request's auth (Auth tab, or the one it inherits): check "
    "the credentials there, or save the WSDL from a browser and load the saved file."
)


_OTHER_ORIGIN_HINT = (
    "It is on another server than the WSDL, so the request's credentials were not sent "
    "to it: save the WSDL and its schemas as files and load the saved WSDL."
)


def _too_large(what_to_check: str) -> _ReadFailed:
    return _ReadFailed(
        f"it is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB",
        f"This is not a plausible WSDL or schema; {what_to_check}.",
    )


def _same(first: str, second: str) -> bool:
    if is_remote(first) or is_remote(second):
        return first == second
    return os.path.normpath(first) == os.path.normpath(second)


def _read_file(path: Path) -> bytes:
    too_large = _too_large("check the file")
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise _ReadFailed("it is a folder, not a file", "Choose the .wsdl file inside it.")
        if not stat.S_ISREG(mode):
            # A device or a pipe (/dev/zero, a FIFO) would never end or never answer.
            raise _ReadFailed("it is not a regular file", "Choose a .wsdl or .xsd file.")
        with path.open("rb") as file:
            content = file.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise _ReadFailed("the file does not exist", "Check the path and the file name.") from None
    except PermissionError:
        raise _ReadFailed(
            "permission to read it was denied", "Check the file's permissions."
        ) from None
    except OSError as exc:
        raise _ReadFailed(exc.strerror or "it could not be read", "Check the path.") from None
    if len(content) > MAX_DOCUMENT_BYTES:
        raise too_large
    return content


def _status_reason(status_code: int, reason: str | None) -> tuple[str, str, str | None]:
    status = f"the server answered {status_code} {reason or ''}".strip()
    if status_code == 404:
        return (
            status,
            ADDRESS_HINT,
            "The WSDL points at a document its server does not have: tell the publisher, or "
            "save the WSDL and its schemas as files and fix the location.",
        )
    if status_code in (401, 403):
        hint = (
            "The server wants credentials: open the address in a browser, save the WSDL "
            "and load the saved file."
        )
    elif status_code >= 500:
        hint = "The server failed; try again later or ask its owner."
    else:
        hint = "Check the address."
    return status, hint, None


def _network_reason(exc: requests.exceptions.RequestException, timeout_s: float) -> tuple[str, str]:
    if isinstance(exc, requests.exceptions.Timeout):
        return (
            f"no answer within {timeout_s:g} s",
            "Check that the server is up, or raise the timeout in the request settings.",
        )
    if isinstance(exc, requests.exceptions.SSLError):
        refusal = next(
            (c for c in _causes(exc) if isinstance(c, ssl.SSLCertVerificationError)), None
        )
        why = f" ({refusal.verify_message})" if refusal and refusal.verify_message else ""
        return (
            f"the server's TLS certificate could not be verified{why}",
            "If the server's certificate comes from a private CA, set that CA file in the "
            "request settings; if you trust this server, turn off certificate verification "
            "there.",
        )
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "the address is not a valid URL", "Check the address."
    causes = _causes(exc)
    if any(isinstance(c, socket.gaierror) for c in causes) or any(
        type(c).__name__ == "NameResolutionError" for c in causes
    ):
        return "the host name does not resolve", "Check the host name and your network."
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        port = urlsplit(exc.request.url if exc.request is not None else "").port
        where = f" (nothing listens on port {port})" if port else ""
        return (
            f"the connection was refused{where}",
            "Check the address and that the service is running.",
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or any(
        isinstance(c, http.client.IncompleteRead) for c in causes
    ):
        return (
            "the server closed the connection before the document was complete",
            "It may have crashed or hit a limit; try again.",
        )
    if any(isinstance(c, http.client.BadStatusLine | http.client.LineTooLong) for c in causes):
        return (
            "the server did not answer with valid HTTP",
            "Check the port; if the server expects TLS, use https://.",
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "the connection failed or was closed", "Check the address and your network."
    return "the request failed", "Check the address."


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, its causes and the reasons urllib3 wraps inside its arguments."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                todo.append(linked)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return seen


def _point_imports_at_builtins(root: etree._Element) -> bool:
    """Give imports of a well-known namespace without a location the built-in copy."""
    changed = False
    for element in root.iter(f"{{{XSD_NS}}}import"):
        location = LOCATION_BY_NAMESPACE.get(element.get("namespace", ""))
        if location and not element.get("schemaLocation"):
            element.set("schemaLocation", location)
            changed = True
    return changed
