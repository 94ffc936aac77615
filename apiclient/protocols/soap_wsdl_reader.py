"""Read a WSDL with zeep (synchronously) and turn it into services, ports and operations.

This is the worker-thread half of :func:`apiclient.protocols.soap_wsdl.load_wsdl`.
zeep does the WSDL and XSD reading; :mod:`soap_wsdl_transport` fetches and vets every
document on the way; this module turns zeep's objects into plain frozen dataclasses
(:class:`SoapService`, :class:`SoapPort`, :class:`SoapOperation`, re-exported by
:mod:`soap_wsdl`), with notes about what could not be shown and why, and words zeep's
failures for a person.

Loading is lenient where the WSDL is sloppy but still usable (an undeclared prefix, an
operation that refers to nothing, HTTP bindings next to SOAP ones: each gets a note),
and strict where it would be unsafe (DTDs and entities are refused) or useless (no
SOAP operation at all is an error).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import zeep
from urllib3.exceptions import InsecureRequestWarning
from zeep import Settings
from zeep import exceptions as zeep_errors
from zeep.wsdl import Document

from apiclient.protocols.errors import WsdlError, WsdlParseError
from apiclient.protocols.soap_wsdl_bindings import LenientBinding, LenientSoap12Binding
from apiclient.protocols.soap_wsdl_index import WsdlIndex
from apiclient.protocols.soap_wsdl_transport import Fetch, LoadCancelled, WsdlTransport
from apiclient.protocols.soap_wsdl_types import EnumerationIndex

_CLARK_RE = re.compile(r"\{([^}]*)\}([\w.\-]+)")


@dataclass(frozen=True)
class SoapOperation:
    """One operation as offered on one port: what the UI lists and a request copies."""

    service: str
    port: str
    name: str
    soap_version: str  # "1.1" or "1.2"
    style: str  # "document/literal", "rpc/literal", "rpc/encoded", "document/encoded"
    endpoint: str  # the port's soap:address location
    soap_action: str  # "" when none
    documentation: str  # portType operation's wsdl:documentation, else the binding's; or ""


@dataclass(frozen=True)
class SoapPort:
    name: str
    binding: str
    soap_version: str
    endpoint: str
    operations: tuple[SoapOperation, ...]


@dataclass(frozen=True)
class SoapService:
    name: str
    documentation: str
    ports: tuple[SoapPort, ...]


@dataclass(frozen=True)
class ReadWsdl:
    """Everything :class:`LoadedWsdl` is made of."""

    location: str
    services: tuple[SoapService, ...]
    documents: tuple[str, ...]
    skipped: tuple[str, ...]
    warnings: tuple[str, ...]
    operations: dict[tuple[str, str, str], Any]  # (service, port, name) -> zeep operation
    enumerations: EnumerationIndex


def read_wsdl(
    location: str,
    *,
    timeout_s: float,
    verify_tls: bool,
    cancelled: threading.Event,
    report: Callable[[str], None],
    fetch: Fetch | None = None,
) -> ReadWsdl:
    """Load ``location`` (an absolute path or a URL). Raises WsdlError or LoadCancelled.

    ``fetch`` reads the http(s) documents (see :class:`WsdlTransport`)."""
    transport = WsdlTransport(
        location,
        timeout_s=timeout_s,
        verify_tls=verify_tls,
        cancelled=cancelled,
        on_fetch=report,
        fetch=fetch,
    )
    # strict=False only lets libxml2 recover from the namespace slips vet_document
    # already vetted; everything else zeep would refuse was refused before zeep saw it.
    settings = Settings(
        strict=False,
        force_https=False,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=False,
    )
    # zeep reports an ignored message or operation with warnings.warn; they become notes.
    with _ZEEP_WARNINGS.captured() as caught:
        try:
            # zeep annotates the transport as a class; it takes an instance.
            document = Document(location, transport, settings=settings)  # type: ignore[arg-type]
        except (WsdlError, LoadCancelled):
            raise
        except Exception as exc:
            raise _zeep_failure(exc, location) from None
        finally:
            transport.session.close()
    return _summarize(document, transport, [_readable(text) for text in caught])


class _ThreadWarnings:
    """zeep's warnings, collected for the loading thread that caused them.

    ``warnings.catch_warnings`` cannot do this: it is process-wide, so it would also
    swallow the warnings of every other thread, and two loads that overlap (a cancelled
    one still waiting on the network, and the next) would restore each other's state
    out of order, leaving the process's warning hooks broken for good. Here one hook,
    installed while any load runs, routes zeep's warnings (and urllib3's warning about
    unverified TLS, which the user asked for) of loading threads to them, and hands
    everything else to whatever hook was there before.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loads: dict[int, list[str]] = {}
        self._filters: list[Any] = []
        self._previous: Callable[..., None] = warnings.showwarning
        self._zeep_dir = os.path.dirname(zeep.__file__) + os.sep

    @contextlib.contextmanager
    def captured(self) -> Iterator[list[str]]:
        notes: list[str] = []
        thread = threading.get_ident()
        with self._lock:
            if not self._loads:
                self._install()
            self._loads[thread] = notes
        try:
            yield notes
        finally:
            with self._lock:
                del self._loads[thread]
                if not self._loads:
                    self._uninstall()

    def _install(self) -> None:
        # "always": a warning seen once must still become a note on the next load.
        warnings.filterwarnings("always", category=UserWarning, module=r"zeep\.")
        warnings.filterwarnings("always", category=InsecureRequestWarning)
        self._filters = list(warnings.filters[:2])
        self._previous = warnings.showwarning
        warnings.showwarning = self._show

    def _uninstall(self) -> None:
        filters = cast(list[Any], warnings.filters)  # typeshed says Sequence; it is the list
        for entry in self._filters:
            with contextlib.suppress(ValueError):
                filters.remove(entry)
        if warnings.showwarning == self._show:  # else someone replaced it since: theirs
            warnings.showwarning = self._previous

    def _show(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        notes = self._loads.get(threading.get_ident())
        if notes is None:
            self._previous(message, category, filename, lineno, file, line)
        elif issubclass(category, UserWarning) and filename.startswith(self._zeep_dir):
            notes.append(str(message))
        elif not issubclass(category, InsecureRequestWarning):
            self._previous(message, category, filename, lineno, file, line)


_ZEEP_WARNINGS = _ThreadWarnings()


def _summarize(document: Document, transport: WsdlTransport, zeep_notes: list[str]) -> ReadWsdl:
    """zeep's services as dataclasses, with a note for every port or operation left out."""
    index = WsdlIndex(transport.documents)
    skipped: list[str] = list(zeep_notes)
    operations: dict[tuple[str, str, str], Any] = {}
    bindings: list[LenientBinding] = []
    services: list[SoapService] = []
    for service in document.services.values():
        ports: list[SoapPort] = []
        for port in service.ports.values():
            binding = port.binding
            if not isinstance(binding, LenientBinding):
                continue
            if binding not in bindings:
                bindings.append(binding)
            if binding.unusable:
                skipped.append(
                    f"Port {port.name} of {service.name} is not shown: {binding.unusable}."
                )
                continue
            soap_port = _port(service.name, port, binding, index)
            ports.append(soap_port)
            for operation in soap_port.operations:
                key = (service.name, port.name, operation.name)
                operations[key] = binding.all()[operation.name]
        for port_name, binding_name in index.ports(service.name):
            if port_name not in service.ports:
                reason = index.why_not_soap(binding_name)
                skipped.append(f"Port {port_name} of {service.name} is not shown: {reason}.")
        if ports:
            documentation = index.service_documentation(service.name)
            services.append(SoapService(service.name, documentation, tuple(ports)))
    lenient: list[str] = list(transport.notes)
    for binding in bindings:
        skipped.extend(binding.notes)
        lenient.extend(_dropped_header_notes(binding))
    if not operations:
        raise _nothing_usable(transport.location, document, skipped, bool(bindings))
    return ReadWsdl(
        location=transport.location,
        services=tuple(services),
        documents=tuple(doc.location for doc in transport.documents),
        skipped=tuple(dict.fromkeys(skipped)),
        warnings=tuple(dict.fromkeys(lenient)),
        operations=operations,
        enumerations=EnumerationIndex(transport.documents),
    )


def _port(service: str, port: Any, binding: LenientBinding, index: WsdlIndex) -> SoapPort:
    version = "1.2" if isinstance(binding, LenientSoap12Binding) else "1.1"
    endpoint = str((port.binding_options or {}).get("address") or "")
    operations = tuple(
        SoapOperation(
            service=service,
            port=port.name,
            name=name,
            soap_version=version,
            style=f"{operation.style}/{binding.uses.get(name, 'literal')}",
            endpoint=endpoint,
            soap_action=operation.soapaction or "",
            documentation=index.operation_documentation(binding.port_type.name, binding.name, name),
        )
        for name, operation in binding.all().items()
    )
    return SoapPort(port.name, binding.name.localname, version, endpoint, operations)


def _dropped_header_notes(binding: LenientBinding) -> list[str]:
    return [
        f"The header message {message} is not defined in the WSDL, so the envelopes of "
        f"{len(operations)} operation(s) of binding {binding.name.localname} leave that "
        f"header out (first: {operations[0]})."
        for message, operations in binding.dropped_headers.items()
    ]


def _nothing_usable(
    location: str, document: Document, skipped: list[str], has_soap_port: bool
) -> WsdlParseError:
    if not document.services:
        return WsdlParseError(
            f"The WSDL {location} defines no service (wsdl:service), so there is no "
            "endpoint to call. It may be the abstract part of a WSDL: load the WSDL that "
            "imports it and defines the service."
        )
    reasons = " ".join(skipped[:3])
    more = f" (and {len(skipped) - 3} more problems)" if len(skipped) > 3 else ""
    what = "SOAP operation that can be used" if has_soap_port else "SOAP port"
    return WsdlParseError(f"The WSDL {location} has no {what}. {reasons}{more}".strip())


def _readable(text: str) -> str:
    """zeep writes names as {namespace}local; show them as local (namespace)."""
    return _CLARK_RE.sub(lambda m: f"{m.group(2)} (namespace {m.group(1)})", text).strip()


def _zeep_failure(exc: Exception, location: str) -> WsdlParseError:
    """zeep gave up on the WSDL: say why in its words (first line only) and what to do."""
    name = Path(urlsplit(location).path).name or location
    text = _readable(str(exc)).rstrip(".")
    first_line = text.splitlines()[0] if text else ""
    if isinstance(exc, zeep_errors.LookupError | zeep_errors.NamespaceError | IndexError):
        return WsdlParseError(
            f"The WSDL {location} is incomplete: {first_line}. Something it uses is defined "
            f"in none of its documents; ask the publisher of {name} for the complete WSDL "
            "with all its XSDs."
        )
    if isinstance(exc, zeep_errors.XMLParseError | zeep_errors.WsdlSyntaxError):
        return WsdlParseError(f"The WSDL {location} is not valid: {first_line}.")
    detail = f": {first_line[:200]}" if first_line else ""
    return WsdlParseError(
        f"The WSDL {location} could not be read: it uses something the WSDL reader does not "
        f"support ({type(exc).__name__}{detail})."
    )
