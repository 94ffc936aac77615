"""Loading WSDLs: real ones from the shared corpus, broken ones, unsafe ones, over HTTP.

The HTTP cases use a small real server on 127.0.0.1. Every test runs with proxies set
to a closed local port (and 127.0.0.1 exempted), so a document that would be fetched
from the internet fails at once instead of reaching out or hanging.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from wsdl_helpers import FILES, minimal_wsdl, write

from apiclient.protocols import errors, soap, soap_wsdl
from apiclient.protocols.errors import ProtocolError
from apiclient.protocols.soap_wsdl import (
    UnsafeXmlError,
    WsdlError,
    WsdlFetchError,
    WsdlParseError,
    load_wsdl,
)

pytestmark = pytest.mark.usefixtures("no_internet")


# -- the test service ----------------------------------------------------------------


async def test_loads_services_ports_and_operations_from_a_file() -> None:
    wsdl = await load_wsdl(str(FILES / "hospital.wsdl"))

    assert wsdl.location == str(FILES / "hospital.wsdl")
    assert wsdl.documents == (str(FILES / "hospital.wsdl"), str(FILES / "hospital_types.xsd"))
    assert wsdl.skipped == ()
    [service] = wsdl.services
    assert service.name == "Hospital"
    assert service.documentation == "Patients and visits."
    assert [(p.name, p.binding, p.soap_version, p.endpoint) for p in service.ports] == [
        ("HospitalSoap", "HospitalSoap", "1.1", "http://127.0.0.1:8088/hospital"),
        ("HospitalSoap12", "HospitalSoap12", "1.2", "http://127.0.0.1:8088/hospital12"),
    ]
    get = wsdl.find("Hospital", "HospitalSoap", "GetPatient")
    assert get is not None
    assert get.style == "document/literal"
    assert get.soap_action == "urn:example:hospital/GetPatient"
    assert get.documentation == "Returns one patient by id."
    register = wsdl.find("Hospital", "HospitalSoap", "RegisterPatient")
    assert register is not None
    # No portType documentation: the binding operation's is used.
    assert register.documentation == "Binding-level note about registering."
    register12 = wsdl.find("Hospital", "HospitalSoap12", "RegisterPatient")
    assert register12 is not None
    assert (register12.soap_action, register12.documentation) == ("", "")
    assert len(wsdl.operations()) == 4
    assert wsdl.find("Hospital", "HospitalSoap", "Nope") is None


async def test_file_urls_and_home_paths_are_local_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("hospital.wsdl", "hospital_types.xsd"):
        shutil.copy(FILES / name, tmp_path / name)
    by_url = await load_wsdl((tmp_path / "hospital.wsdl").as_uri())
    assert by_url.documents[0] == str(tmp_path / "hospital.wsdl")

    monkeypatch.setenv("HOME", str(tmp_path))
    by_home = await load_wsdl("~/hospital.wsdl")
    assert by_home.location == str(tmp_path / "hospital.wsdl")
    assert len(by_home.operations()) == 4


async def test_progress_reports_every_document_on_the_loop_thread() -> None:
    seen: list[tuple[str, int]] = []
    await load_wsdl(
        str(FILES / "hospital.wsdl"),
        on_progress=lambda text: seen.append((text, threading.get_ident())),
    )
    assert [text for text, _ in seen] == [
        f"Reading {FILES / 'hospital.wsdl'}",
        f"Reading {FILES / 'hospital_types.xsd'}",
    ]
    assert {thread for _, thread in seen} == {threading.get_ident()}


# -- the corpus ------------------------------------------------------------------------

# path: (operations, SOAP versions offered)
LOADABLE = {
    "node-soap/strict/CyberSourceTransaction_1.26.wsdl": (1, {"1.1"}),
    "node-soap/rpcexample.wsdl": (13, {"1.2"}),
    "node-soap/strict/EVacSyncService_SPClient.wsdl": (2, {"1.1"}),
    "node-soap/request-response-samples/multiCall__rpc_stype_request_xsi_attributes/soap.wsdl": (
        1,
        {"1.1"},
    ),
    "wsdl-to-postman/validWSDLs11/temperatureConverter.wsdl": (4, {"1.1", "1.2"}),
    "wsdl-to-postman/validWSDLs11/numberConvertion.wsdl": (4, {"1.1", "1.2"}),
    "wsdl-to-postman/validWSDLs11/hrextract.wsdl": (1, {"1.1"}),
    "wsdl-to-postman/validWSDLs11/TexasGeocoderService_V04_01.wsdl": (8, {"1.1", "1.2"}),
    "wsdl-to-postman/InProgress/amazonQueue.wsdl": (22, {"1.1"}),
    "wsdl-to-postman/validWSDLs11/noWSDLNamespace.wsdl": (3, {"1.1"}),
    "wsdl-to-postman/validWSDLs11/soapBodyAuthHeaders.wsdl": (2, {"1.1", "1.2"}),
    "wsdl-to-postman/validWSDLs11/learnwebservices.wsdl": (1, {"1.1"}),
    "node-soap/list_parameter.wsdl": (17, {"1.1"}),
    "node-soap/ws-policy.wsdl": (1, {"1.1"}),
    "node-soap/builtin_types.wsdl": (1, {"1.1"}),
    "node-soap/strict/ip2tele.wsdl": (1, {"1.1"}),
    "node-soap/strict/logincms.wsdl": (1, {"1.1"}),
    "zeep/benchmark/benchmark.wsdl": (1, {"1.1"}),
    "zeep/tests/wsdl_files/soap_transport_err.wsdl": (1, {"1.1"}),
}


@pytest.mark.parametrize("name", sorted(LOADABLE))
async def test_corpus_wsdls_load(corpus: Path, name: str) -> None:
    count, versions = LOADABLE[name]
    wsdl = await load_wsdl(str(corpus / name))
    operations = wsdl.operations()
    assert len(operations) == count
    assert {op.soap_version for op in operations} == versions
    assert all(op.endpoint for op in operations)
    assert all(doc.startswith(str(corpus)) for doc in wsdl.documents)


# path: (error class, fragments the message must contain)
FAILING = {
    "wsdl-to-postman/validWSDLs20/Axis2WSD20.wsdl": (
        WsdlParseError,
        ["WSDL 2.0", "not supported, only WSDL 1.1"],
    ),
    "wsdl-to-postman/invalidWSDLs11/calculator-invalid.wsdl": (
        WsdlParseError,
        ["not a WSDL", "root element is <wsdl:definitionsw>"],
    ),
    "zeep/tests/integration/hello_world_recursive.wsdl": (
        WsdlParseError,
        [
            "hello_world_recursive_import.wsdl",
            "imported by the WSDL",
            "hello_world_recursive.wsdl",
            "does not exist",
        ],
    ),
    "wsdl-to-postman/validWSDLs11/temperatureConverterHTTP.wsdl": (
        WsdlParseError,
        ["no SOAP port", "TempConvertHttpPost", "HTTP POST binding, not SOAP"],
    ),
    "wsdl-to-postman/validWSDLs11/sfMinified.wsdl": (
        WsdlParseError,
        ["incomplete", "User (namespace urn:sobject.enterprise.soap.sforce.com)"],
    ),
    "node-soap/marketo.wsdl": (WsdlParseError, ["incomplete", "StreamPosition"]),
    "node-soap/strict/stockquote.wsdl": (
        WsdlParseError,
        ["no SOAP operation that can be used", "invalid part"],
    ),
    "wsdl-to-postman/validWSDLs11/manyfaults.wsdl": (
        WsdlParseError,
        ["http://{{url}}/", "template"],
    ),
    "node-soap/request-response-samples/login__error_returned_should_contain_root_Json_on_fault/"
    "soap.wsdl": (WsdlParseError, ["not valid", "platform.coreTypes.xsd"]),
}


@pytest.mark.parametrize("name", sorted(FAILING))
async def test_corpus_wsdls_that_cannot_load_say_why(corpus: Path, name: str) -> None:
    kind, fragments = FAILING[name]
    with pytest.raises(kind) as caught:
        await load_wsdl(str(corpus / name))
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in message


async def test_http_bindings_are_skipped_with_a_note(corpus: Path) -> None:
    wsdl = await load_wsdl(str(corpus / "wsdl-to-postman/validWSDLs11/temperatureConverter.wsdl"))
    assert [p.name for s in wsdl.services for p in s.ports] == [
        "TempConvertSoap",
        "TempConvertSoap12",
    ]
    assert wsdl.skipped == (
        "Port TempConvertHttpPost of TempConvert is not shown: it uses the HTTP POST binding, "
        "not SOAP.",
    )
    texas = await load_wsdl(
        str(corpus / "wsdl-to-postman/validWSDLs11/TexasGeocoderService_V04_01.wsdl")
    )
    assert any("HTTP GET binding" in note for note in texas.skipped)


async def test_hrextract_loads_quickly_without_its_undefined_header(corpus: Path) -> None:
    started = time.perf_counter()
    wsdl = await load_wsdl(str(corpus / "wsdl-to-postman/validWSDLs11/hrextract.wsdl"))
    assert time.perf_counter() - started < 5
    [operation] = wsdl.operations()
    assert operation.name == "Put_Location"
    assert "Workday_Common_HeaderMsg is not defined" in wsdl.warnings[0]
    assert "Put_Location" in wsdl.warnings[0]


async def test_undeclared_prefixes_are_read_with_a_warning(corpus: Path) -> None:
    wsdl = await load_wsdl(str(corpus / "wsdl-to-postman/validWSDLs11/noWSDLNamespace.wsdl"))
    assert "uses the prefix 'wsdl:' without declaring it" in wsdl.warnings[0]
    assert wsdl.operations()[0].documentation.startswith("DEPRECATED")


async def test_an_invalid_message_part_skips_only_its_operation(corpus: Path) -> None:
    wsdl = await load_wsdl(str(corpus / "node-soap/builtin_types.wsdl"))
    assert [op.name for op in wsdl.operations()] == ["StringOperation"]
    assert any("Operation Operation" in note for note in wsdl.skipped)


async def test_imports_of_well_known_schemas_never_reach_the_internet(corpus: Path) -> None:
    # rpc/encoded WSDLs use the SOAP encoding schemas, which zeep would fetch online.
    for name in (
        "node-soap/rpcexample.wsdl",
        "node-soap/strict/EVacSyncService_SPClient.wsdl",
    ):
        wsdl = await load_wsdl(str(corpus / name))
        assert {op.style for op in wsdl.operations()} == {"rpc/encoded"}
        assert wsdl.documents == (str(corpus / name),)


async def test_imported_schemas_are_listed_in_order(corpus: Path) -> None:
    wsdl = await load_wsdl(str(corpus / "node-soap/strict/CyberSourceTransaction_1.26.wsdl"))
    assert wsdl.documents == (
        str(corpus / "node-soap/strict/CyberSourceTransaction_1.26.wsdl"),
        str(corpus / "node-soap/strict/CyberSourceTransaction_1.26.xsd"),
    )


# -- bad files -------------------------------------------------------------------------


async def test_a_minimal_rpc_literal_wsdl_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.wsdl", minimal_wsdl(doc="Hi"))
    wsdl = await load_wsdl(str(path))
    [operation] = wsdl.operations()
    assert (operation.style, operation.soap_action, operation.documentation) == (
        "rpc/literal",
        "urn:t/Op",
        "Hi",
    )


async def test_not_xml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.wsdl", "<definitions>\n  <types>\n</definitions>\n")
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(str(path))
    message = str(caught.value)
    assert str(path) in message
    assert "not well-formed XML" in message
    assert "(line 3, column" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("<!DOCTYPE html><html><body><p>Maintenance</body></html>", "HTML page"),
        ('{"wsdl": false}', "JSON"),
    ],
)
async def test_documents_that_are_not_xml_at_all(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, "odd.wsdl", text)
    with pytest.raises(WsdlParseError, match=fragment):
        await load_wsdl(str(path))


async def test_xml_that_is_not_a_wsdl_names_its_root(tmp_path: Path) -> None:
    path = write(tmp_path, "pom.xml", '<project xmlns="http://maven.apache.org/POM/4.0.0"/>')
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(str(path))
    assert "not a WSDL" in str(caught.value)
    assert "<project> (namespace http://maven.apache.org/POM/4.0.0)" in str(caught.value)
    with pytest.raises(WsdlParseError, match="XML Schema"):
        await load_wsdl(str(FILES / "hospital_types.xsd"))


async def test_a_missing_import_names_it_and_its_importer(tmp_path: Path) -> None:
    schema = '<xs:import namespace="urn:gone" schemaLocation="gone/types.xsd"/>'
    path = write(tmp_path, "main.wsdl", minimal_wsdl(schema=schema))
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(str(path))
    message = str(caught.value)
    assert str(tmp_path / "gone" / "types.xsd") in message
    assert f"imported by the WSDL {path}" in message
    assert "does not exist" in message


async def test_a_missing_file_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(WsdlFetchError) as caught:
        await load_wsdl(str(tmp_path / "nothing.wsdl"))
    assert str(tmp_path / "nothing.wsdl") in str(caught.value)
    assert "does not exist" in str(caught.value)
    with pytest.raises(WsdlFetchError, match="folder"):
        await load_wsdl(str(tmp_path))
    with pytest.raises(WsdlFetchError, match="No WSDL location"):
        await load_wsdl("  ")
    with pytest.raises(WsdlFetchError, match="scheme 'ftp'"):
        await load_wsdl("ftp://example.com/x.wsdl")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE definitions [
  <!ENTITY a "ha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>&i;</documentation>
</definitions>
"""


async def test_an_entity_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.wsdl", BILLION_LAUGHS)
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError) as caught:
        await load_wsdl(str(path))
    assert time.perf_counter() - started < 2
    assert "entity declarations" in str(caught.value)
    assert "Nothing was read or expanded" in str(caught.value)


def _atime_is_tracked(folder: Path) -> bool:
    """Whether reading a file here updates its access time (not on noatime mounts)."""
    probe = folder / "probe.txt"
    probe.write_text("probe")
    os.utime(probe, (1_000_000_000, time.time()))
    probe.read_bytes()
    return probe.stat().st_atime > 1_000_000_000


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE definitions [<!ENTITY secret SYSTEM "{url}">]>',
        '<!DOCTYPE definitions [<!ENTITY % secret SYSTEM "{url}"> %secret;]>',
        '<!DOCTYPE definitions SYSTEM "{url}">',
    ],
    ids=["external-entity", "parameter-entity", "external-dtd"],
)
async def test_external_entities_read_no_file(tmp_path: Path, doctype: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    old_atime = 1_000_000_000
    os.utime(secret, (old_atime, time.time()))
    text = (
        '<?xml version="1.0"?>\n'
        + doctype.format(url=secret.as_uri())
        + '\n<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">'
        + "<documentation>&secret;</documentation></definitions>"
    )
    path = write(tmp_path, "xxe.wsdl", text)
    with pytest.raises(UnsafeXmlError) as caught:
        await load_wsdl(str(path))
    assert "TOP-SECRET-42" not in str(caught.value)
    if _atime_is_tracked(tmp_path):
        assert secret.stat().st_atime == old_atime, "the secret file was opened"


# -- over HTTP -------------------------------------------------------------------------


@dataclass
class Site:
    """What the test server answers: path -> (status, body, seconds to wait first)."""

    base: str
    pages: dict[str, tuple[int, bytes, float]] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def add(self, path: str, body: bytes, *, status: int = 200, delay: float = 0.0) -> str:
        self.pages[path] = (status, body, delay)
        return f"{self.base}{path}"


@pytest.fixture
def site() -> Iterator[Site]:
    """A real HTTP server on 127.0.0.1 with an ephemeral port."""
    holder: dict[str, Site] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            current = holder["site"]
            status, body, delay = current.pages.get(self.path, (404, b"Not Found", 0.0))
            if delay:
                current.stopping.wait(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (cancelled or timed out)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["site"] = Site(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield holder["site"]
    finally:
        holder["site"].stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_an_xsd_imported_by_relative_url_is_fetched_and_reported(site: Site) -> None:
    url = site.add("/svc/hospital.wsdl", (FILES / "hospital.wsdl").read_bytes())
    xsd = site.add("/svc/hospital_types.xsd", (FILES / "hospital_types.xsd").read_bytes())
    progress: list[str] = []
    wsdl = await load_wsdl(url, on_progress=progress.append)
    assert progress == [f"Reading {url}", f"Reading {xsd}"]
    assert wsdl.documents == (url, xsd)
    assert len(wsdl.operations()) == 4


async def test_a_404_names_the_url_and_the_status(site: Site) -> None:
    with pytest.raises(WsdlFetchError) as caught:
        await load_wsdl(f"{site.base}/nothing?wsdl")
    message = str(caught.value)
    assert f"{site.base}/nothing?wsdl" in message
    assert "404" in message
    assert "?wsdl" in message  # what to try


async def test_an_import_that_is_404_names_it_and_the_wsdl(site: Site) -> None:
    url = site.add("/svc/hospital.wsdl", (FILES / "hospital.wsdl").read_bytes())
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(url)
    message = str(caught.value)
    assert f"{site.base}/svc/hospital_types.xsd" in message
    assert f"imported by the WSDL {url}" in message
    assert "404" in message


async def test_an_unreachable_port_is_refused_quickly(closed_port: int) -> None:
    started = time.perf_counter()
    with pytest.raises(WsdlFetchError) as caught:
        await load_wsdl(f"http://127.0.0.1:{closed_port}/svc?wsdl", timeout_s=5)
    assert time.perf_counter() - started < 3
    assert "refused" in str(caught.value)
    assert str(closed_port) in str(caught.value)


async def test_a_slow_server_times_out(site: Site) -> None:
    url = site.add("/slow?wsdl", b"<x/>", delay=5)
    with pytest.raises(WsdlFetchError, match=r"no answer within 0\.3 s"):
        await load_wsdl(url, timeout_s=0.3)


async def test_cancelling_returns_at_once(site: Site) -> None:
    url = site.add("/slow?wsdl", (FILES / "hospital.wsdl").read_bytes(), delay=10)
    started = asyncio.Event()
    task = asyncio.create_task(load_wsdl(url, on_progress=lambda _: started.set()))
    await asyncio.wait_for(started.wait(), 5)
    began = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - began < 0.5


async def test_a_remote_wsdl_may_not_read_local_files(site: Site, tmp_path: Path) -> None:
    secret = write(
        tmp_path, "secret.xsd", "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>"
    )
    schema = f'<xs:import namespace="urn:x" schemaLocation="{secret.as_uri()}"/>'
    url = site.add("/evil.wsdl", minimal_wsdl(schema=schema).encode())
    with pytest.raises(WsdlParseError, match="may not read local files"):
        await load_wsdl(url)


async def test_a_remote_import_of_a_local_wsdl_may_not_read_local_files(
    site: Site, tmp_path: Path
) -> None:
    secret = write(
        tmp_path, "secret.xsd", "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>"
    )
    remote = site.add(
        "/remote.xsd",
        b"<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:r'>"
        b"<xs:import namespace='urn:s' schemaLocation='%s'/></xs:schema>"
        % secret.as_uri().encode(),
    )
    schema = f'<xs:import namespace="urn:r" schemaLocation="{remote}"/>'
    path = write(tmp_path, "local.wsdl", minimal_wsdl(schema=schema))
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(str(path))
    message = str(caught.value)
    assert "may not read local files" in message
    assert f"imported by {remote} (part of the WSDL {path})" in message


INVALID_PART = '<message name="Bad"><part name="p" type="tns:Nope"/></message>'


async def test_overlapping_loads_keep_their_own_notes_and_leave_warnings_alone(
    site: Site,
) -> None:
    """A cancelled load can still be running when the next one starts; the loads end
    in any order, and neither may lose notes or leave Python's warning hooks changed."""
    urls = {}
    for name, delay in (("first", 0.5), ("second", 1.5)):
        xsd = site.add(
            f"/{name}.xsd",
            b"<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:x'/>",
            delay=delay,
        )
        schema = f'<xs:import namespace="urn:x" schemaLocation="{xsd}"/>'
        wsdl = minimal_wsdl(schema=schema, messages=INVALID_PART)
        urls[name] = site.add(f"/{name}.wsdl", wsdl.encode())
    before = (warnings.showwarning, list(warnings.filters))
    importing = asyncio.Event()

    def progress(text: str) -> None:
        if text.endswith(".xsd"):
            importing.set()

    first = asyncio.create_task(load_wsdl(urls["first"], on_progress=progress))
    await asyncio.wait_for(importing.wait(), 5)
    second = asyncio.create_task(load_wsdl(urls["second"]))
    loaded = [await first]
    assert not second.done()  # the first ends while the second still reads
    loaded.append(await second)

    for wsdl in loaded:
        assert any("contains an invalid part ('p')" in note for note in wsdl.skipped)
    assert (warnings.showwarning, warnings.filters) == before


async def test_remote_entities_are_refused_too(site: Site) -> None:
    url = site.add("/bomb.wsdl", BILLION_LAUGHS.encode())
    with pytest.raises(UnsafeXmlError):
        await load_wsdl(url)


async def test_an_html_page_instead_of_a_wsdl(site: Site) -> None:
    url = site.add("/login", b"<!DOCTYPE html><html><body>Sign in<br></body></html>")
    with pytest.raises(WsdlParseError, match="HTML page"):
        await load_wsdl(url)


def test_every_load_error_is_a_protocol_error() -> None:
    for kind in (WsdlFetchError, WsdlParseError, UnsafeXmlError):
        assert issubclass(kind, WsdlError)
        assert issubclass(kind, ProtocolError)


def test_the_error_classes_are_importable_without_zeep_or_lxml() -> None:
    """The UI names them at start-up, where importing zeep and lxml (~0.2 s) is too slow;
    the engines re-export the very same classes."""
    code = (
        "import sys\n"
        "from apiclient.protocols.errors import EnvelopeError, UnsafeXmlError, WsdlError\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('zeep', 'lxml'))\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    for name in ("WsdlError", "WsdlFetchError", "WsdlParseError", "UnsafeXmlError"):
        assert getattr(soap_wsdl, name) is getattr(errors, name)
    assert soap.EnvelopeError is errors.EnvelopeError


async def test_a_fifo_is_refused_instead_of_waiting_forever(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.wsdl"
    os.mkfifo(fifo)
    with pytest.raises(WsdlFetchError, match="it is not a regular file"):
        await asyncio.wait_for(load_wsdl(str(fifo)), 5)


async def test_tls_verification_can_be_turned_off(tls_url: str) -> None:
    with pytest.raises(WsdlFetchError, match="certificate could not be verified"):
        await load_wsdl(f"{tls_url}/svc?wsdl")
    # Unverified, the self-signed server is read: it serves text, not a WSDL.
    with pytest.raises(WsdlParseError, match="not well-formed XML"):
        await load_wsdl(f"{tls_url}/svc?wsdl", verify_tls=False)


async def test_an_unverified_certificate_suggests_a_ca_file_first(tls_url: str) -> None:
    with pytest.raises(WsdlFetchError) as caught:
        await load_wsdl(f"{tls_url}/svc?wsdl")
    message = str(caught.value)
    assert message.index("set that CA file") < message.index("turn off certificate verification")


async def test_a_broken_import_names_its_importer(tmp_path: Path) -> None:
    write(tmp_path, "types.xsd", "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n<oops")
    schema = '<xs:import namespace="urn:x" schemaLocation="types.xsd"/>'
    path = write(tmp_path, "main.wsdl", minimal_wsdl(schema=schema))
    with pytest.raises(WsdlParseError) as caught:
        await load_wsdl(str(path))
    message = str(caught.value)
    assert f"The document {tmp_path / 'types.xsd'} is not well-formed XML" in message
    assert "(line 2, column" in message
    assert f"imported by the WSDL {path}" in message
