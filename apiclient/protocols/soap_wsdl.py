"""Load a WSDL 1.1 into services, ports and operations; build samples; check responses.

:func:`load_wsdl` is what the SOAP tab awaits. zeep is synchronous, so the reading
(:mod:`soap_wsdl_reader`) runs in a worker thread; progress comes back to the event
loop's thread and cancelling returns at once. :class:`LoadedWsdl` then answers the
tab's questions: which operations, a sample envelope for one
(:mod:`soap_wsdl_samples`), and whether a response matches its schema
(:mod:`soap_wsdl_validate`). The last two are CPU work for a worker thread too.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from apiclient.protocols import soap_wsdl_transport as transport
from apiclient.protocols.errors import UnsafeXmlError, WsdlError, WsdlFetchError, WsdlParseError
from apiclient.protocols.soap_wsdl_reader import (
    ReadWsdl,
    SoapOperation,
    SoapPort,
    SoapService,
    read_wsdl,
)
from apiclient.protocols.soap_wsdl_samples import build_sample_envelope
from apiclient.protocols.soap_wsdl_transport import LoadCancelled, is_remote, local_path
from apiclient.protocols.soap_wsdl_validate import check_response

if TYPE_CHECKING:
    from apiclient.protocols.rest import RestResponse
    from apiclient.protocols.soap_wsdl_http import WsdlHttp

__all__ = [
    "LoadedWsdl",
    "SoapOperation",
    "SoapPort",
    "SoapService",
    "UnsafeXmlError",
    "WsdlError",
    "WsdlFetchError",
    "WsdlParseError",
    "load_wsdl",
]


class LoadedWsdl:
    """A loaded WSDL: its services, where it came from, and what was left out.

    ``skipped`` says which ports and operations are not shown and why; ``warnings``
    (beyond the documented API) lists what was read leniently, such as an undeclared
    prefix or a header that names an undefined message.
    """

    def __init__(self, read: ReadWsdl) -> None:
        self.location = read.location
        self.services = read.services
        self.documents = read.documents
        self.skipped = read.skipped
        self.warnings = read.warnings
        self._operations = read.operations
        self._enumerations = read.enumerations

    def __repr__(self) -> str:
        return f"<LoadedWsdl {self.location} ({len(self.operations())} operations)>"

    def operations(self) -> list[SoapOperation]:
        return [op for service in self.services for port in service.ports for op in port.operations]

    def find(self, service: str, port: str, operation: str) -> SoapOperation | None:
        for candidate in self.operations():
            if (candidate.service, candidate.port, candidate.name) == (service, port, operation):
                return candidate
        return None

    def _zeep_operation(self, operation: SoapOperation) -> Any:
        found = self._operations.get((operation.service, operation.port, operation.name))
        if found is None:
            raise WsdlError(
                f"The operation {operation.name} ({operation.service} / {operation.port}) is "
                f"not in the WSDL {self.location}. Load the WSDL again and choose it there."
            )
        return found

    def sample_envelope(self, operation: SoapOperation) -> str:
        """A pretty-printed sample request for ``operation`` (CPU work: call it in a worker)."""
        zeep_operation = self._zeep_operation(operation)
        try:
            return build_sample_envelope(
                zeep_operation.input,
                soap_version=operation.soap_version,
                encoded=operation.style.endswith("/encoded"),
                enumerations=self._enumerations,
            )
        except Exception as exc:  # a schema construct the builder does not know
            raise WsdlError(
                f"No sample envelope could be built for {operation.name}: its schema uses "
                f"something the sample builder does not handle ({type(exc).__name__}). "
                "Write the envelope by hand."
            ) from exc

    def validate_response(self, operation: SoapOperation, body: bytes) -> list[str]:
        """Mismatches between a response and the operation's output schema ([] when it
        matches, or when it is a Fault). CPU work: call it in a worker."""
        zeep_operation = self._zeep_operation(operation)
        try:
            return check_response(
                zeep_operation.output,
                body,
                encoded=operation.style.endswith("/encoded"),
                enumerations=self._enumerations,
            )
        except Exception as exc:  # a schema construct the checker does not know
            return [
                f"The response could not be checked against the schema: it uses something "
                f"the checker does not handle ({type(exc).__name__})."
            ]


async def load_wsdl(
    location: str,
    *,
    timeout_s: float = 30.0,
    verify_tls: bool = True,
    on_progress: Callable[[str], None] | None = None,
    http: WsdlHttp | None = None,
) -> LoadedWsdl:
    """Read the WSDL at ``location`` (http(s) URL, file:// URL or path) and its imports.

    Runs zeep in a daemon thread; ``on_progress`` is called on this event loop's thread.
    Cancelling returns at once; the thread stops at its next fetch (a daemon thread, not
    the default executor, so a fetch stuck on a slow server never delays loop shutdown).
    With ``http``, the http(s) documents are fetched on this event loop the way the
    request is sent (its auth, to the WSDL's origin only, and its connection settings;
    ``timeout_s`` and ``verify_tls`` are then unused); without it, with requests.
    """
    target = _normalize_location(location)
    loop = asyncio.get_running_loop()
    result: asyncio.Future[LoadedWsdl] = loop.create_future()
    cancelled = threading.Event()
    fetches = _LoopFetches(loop, http, target, cancelled) if http is not None else None

    def progress(text: str) -> None:
        if on_progress is not None and not cancelled.is_set():
            on_progress(text)

    def succeed(loaded: LoadedWsdl) -> None:
        if not result.done():
            result.set_result(loaded)

    def fail(error: BaseException) -> None:
        if not result.done():
            result.set_exception(error)

    def work() -> None:
        try:
            read = read_wsdl(
                target,
                timeout_s=timeout_s,
                verify_tls=verify_tls,
                cancelled=cancelled,
                report=lambda text: _call_soon(loop, progress, text),
                fetch=fetches.fetch if fetches is not None else None,
            )
            loaded = LoadedWsdl(read)
        except LoadCancelled:
            return
        except BaseException as exc:  # handed to the awaiting task, raised there
            _call_soon(loop, fail, exc)
        else:
            _call_soon(loop, succeed, loaded)

    threading.Thread(target=work, name="wsdl-load", daemon=True).start()
    try:
        return await result
    finally:
        cancelled.set()
        if fetches is not None:
            fetches.cancel_all()


class _LoopFetches:
    """Runs the loading thread's fetches on the event loop (where the engine lives),
    and cancels the ones in flight when the load ends."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        http: WsdlHttp,
        home: str,
        cancelled: threading.Event,
    ) -> None:
        self._loop = loop
        self._http = http
        self._home = home
        self._cancelled = cancelled
        self._lock = threading.Lock()
        self._running: set[concurrent.futures.Future[RestResponse]] = set()

    def fetch(self, url: str) -> RestResponse:
        """Called in the loading thread: wait for the GET of ``url`` on the loop."""
        with self._lock:
            if self._cancelled.is_set():
                raise LoadCancelled
            fetching = self._http.get(url, self._home, limit=transport.MAX_DOCUMENT_BYTES)
            try:
                future = asyncio.run_coroutine_threadsafe(fetching, self._loop)
            except RuntimeError:  # the loop closed: nobody waits for this load
                fetching.close()
                raise LoadCancelled from None
            self._running.add(future)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise LoadCancelled from None
        finally:
            with self._lock:
                self._running.discard(future)

    def cancel_all(self) -> None:
        with self._lock:
            for future in self._running:
                future.cancel()


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any) -> None:
    # RuntimeError: the loop closed while the worker ran, so nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback, *args)


def _normalize_location(location: str) -> str:
    """An absolute path for a local WSDL, the URL as typed otherwise."""
    text = location.strip()
    if not text:
        raise WsdlFetchError(
            "No WSDL location given. Type a URL such as http://host/service?wsdl, or choose a file."
        )
    if "\x00" in text:
        raise WsdlFetchError(
            f"The WSDL location {text!r} holds a NUL character, which no address or file name"
            " has. Type it again, or choose the file."
        )
    try:
        urlsplit(text)
    except ValueError as exc:  # "http://[::1": a bracket never closed
        raise WsdlFetchError(
            f"The WSDL address {text!r} is not a valid URL ({exc}). Check it, or choose a file."
        ) from None
    if is_remote(text):
        if not urlsplit(text).hostname:
            raise WsdlFetchError(f"The WSDL address {text!r} has no host name.")
        return text
    scheme = urlsplit(text).scheme.lower()
    if scheme == "file" or len(scheme) <= 1:
        return str(local_path(text).absolute())
    raise WsdlFetchError(
        f"The WSDL location {text!r} uses the scheme '{scheme}', which is not supported. "
        "Use an http://, https:// or file:// address, or a path."
    )
