"""Every tab against the fault servers of ``tests/faults``: each fault ends, within a
bounded time, in a clear message in the tab (what failed, where, what to try), no
exception reaches Qt or the event loop, and a following request to a healthy mock
succeeds in the same window.

The cases are listed in ``CASES`` and ``WEBHOOK_CASES``; the last test keeps the count
per tab that ``SECURITY.md`` gives.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from faults.http_clients import MISBEHAVIOURS
from faults.tls_faults import BadCertificates
from faults.ui_drivers import Driver
from pytestqt.qtbot import QtBot
from qasync import QEventLoop

from apiclient.protocols import http as http_plumbing
from apiclient.ui.main_window import MainWindow

MAX_SECONDS = 5.0  # every fault is told within this (the timeouts are 0.5 s)


@dataclass(frozen=True)
class Case:
    tab: str  # the tab's driver method: rest, batch, soap, wsdl, graphql, schema...
    fault: str  # fixture giving the server, and the path or what it does
    path: str  # appended to the fixture's URL
    expect: tuple[str, ...]  # all of these appear in the tab's message
    healthy: str = ""  # the driver method of the healthy follow-up (default: tab + _healthy)


_HTTP_EXPECT = {
    "mid-headers": ("closed the connection without sending a response", "try again"),
    "mid-body": ("closed the connection before the response was complete", "100 bytes"),
    "malformed": ("sent invalid HTTP", "127.0.0.1"),
    "drip": ("sent nothing for 0.5 s", "raise the timeout"),
}
_TLS_EXPECT = {
    "self-signed": ("self-signed certificate", "turn off certificate verification"),
    "expired": ("certificate has expired", "turn off certificate verification"),
}


def _http_cases() -> list[Case]:
    cases = []
    for tab in ("rest", "batch", "soap", "graphql", "schema"):
        for fault, expect in _HTTP_EXPECT.items():
            cases.append(Case(tab, "http_faults", f"/{fault}", expect))
        for fault, expect in _TLS_EXPECT.items():
            cases.append(Case(tab, f"https_{fault.replace('-', '_')}", "/x", expect))
    # The WSDL is fetched through the REST engine (the request's auth and connection
    # settings), so its faults read as Send's, under the panel's "WSDL not loaded".
    for fault, expect in _HTTP_EXPECT.items():
        cases.append(Case("wsdl", "http_faults", f"/{fault}", ("WSDL not loaded", *expect)))
    for fault, expect in _TLS_EXPECT.items():
        cases.append(Case("wsdl", f"https_{fault.replace('-', '_')}", "/x", expect))
    return cases


CASES: list[Case] = [
    *_http_cases(),
    Case("grpc_stream", "grpc_reset", "", ("CANCELLED", "reset the call after 2 messages"), "grpc"),
    Case("grpc_unary", "grpc_reset", "", ("CANCELLED", "reset the call after 0 messages"), "grpc"),
    Case("grpc_tls", "grpc_tls_self_signed", "", ("self signed certificate", "CA file"), "grpc"),
    Case("grpc_tls", "grpc_tls_expired", "", ("certificate has expired", "CA file"), "grpc"),
    Case("websocket", "dropping_ws", "", ("without a close frame", "1006", "connect again")),
    Case("websocket", "wss_self_signed", "", ("self-signed certificate", "CA file")),
    Case("websocket", "wss_expired", "", ("certificate has expired", "CA file")),
    Case("websocket", "http_faults", "/malformed", ("did not answer the WebSocket handshake",)),
    Case("websocket", "http_faults", "/mid-headers", ("did not answer the WebSocket handshake",)),
    Case("websocket", "http_faults", "/drip", ("timed out after 0.5 s", "connect timeout")),
]

# What each tab's healthy follow-up shows.
_HEALTHY_EXPECT = {
    "rest": "200",
    # The sample batch creates contacts on the session's mock: 207 the first time, 422
    # (every email taken) after; either way the tab sent it and showed the answer.
    "batch": "· HTTP/1.1",
    "soap": "200",
    "wsdl": "operation(s)",
    "graphql": "200",
    "schema": "types",
    "grpc": "OK",
    "websocket": "Open",
}


@pytest.fixture
def loop_errors(qt_loop: QEventLoop) -> Iterator[list[dict[str, object]]]:
    """What reached the event loop's exception handler during the test."""
    seen: list[dict[str, object]] = []
    qt_loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    qt_loop.set_exception_handler(None)


@pytest.fixture
def trusting_the_test_ca(
    bad_certs: BadCertificates, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """HTTP clients trust the CA of the expired certificate (``SSL_CERT_FILE``, and
    ``REQUESTS_CA_BUNDLE`` for the WSDL loader, as a person would set them), so only its
    dates are wrong; the engines' contexts are cached per process."""
    monkeypatch.setenv("SSL_CERT_FILE", bad_certs.ca_file)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bad_certs.ca_file)  # the WSDL loader's
    http_plumbing._ssl_context.cache_clear()
    yield
    monkeypatch.undo()
    http_plumbing._ssl_context.cache_clear()


def _fire(driver: Driver, case: Case, where: str, bad_certs: BadCertificates) -> str:
    if case.tab == "grpc_stream":
        return driver.grpc_call(where, "ListTracks", "{}")
    if case.tab == "grpc_unary":
        return driver.grpc_call(where, "GetTrack", '{"id": "t1"}')
    if case.tab == "grpc_tls":
        ca_file = bad_certs.ca_file if "expired" in case.fault else ""
        return driver.reflect(where, tls=True, ca_file=ca_file)
    if case.tab == "websocket":
        ca_file = bad_certs.ca_file if "expired" in case.fault else ""
        return driver.connect(where, ca_file=ca_file)
    fire: Callable[[str], str] = getattr(driver, case.tab)
    return fire(where)


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.tab}-{case.fault}{case.path}")
def test_a_fault_is_told_and_the_tab_stays_usable(
    qtbot: QtBot,
    window: MainWindow,
    mock_urls: dict[str, str],
    bad_certs: BadCertificates,
    loop_errors: list[dict[str, object]],
    request: pytest.FixtureRequest,
    case: Case,
) -> None:
    if case.fault.endswith("expired") and case.fault.startswith("https"):
        request.getfixturevalue("trusting_the_test_ca")
    server = request.getfixturevalue(case.fault)
    base = server if isinstance(server, str) else server.url
    if case.tab == "websocket" and case.fault == "http_faults":
        base = base.replace("http://", "ws://")
    driver = Driver(qtbot, window, mock_urls)
    with qtbot.captureExceptions() as exceptions:
        started = time.monotonic()
        message = _fire(driver, case, base + case.path, bad_certs)
        elapsed = time.monotonic() - started
        for fragment in case.expect:
            assert fragment in message, message
        assert elapsed < MAX_SECONDS, f"{elapsed:.1f} s to tell: {message}"
        healthy = case.healthy or case.tab
        shown = getattr(driver, f"{healthy}_healthy")()
        assert _HEALTHY_EXPECT[healthy] in shown, shown
    assert not exceptions
    assert not loop_errors


WEBHOOK_CASES = tuple(MISBEHAVIOURS)


@pytest.mark.parametrize("misbehaviour", WEBHOOK_CASES)
def test_the_webhook_receiver_keeps_serving_after_a_misbehaving_client(
    qtbot: QtBot,
    window: MainWindow,
    mock_urls: dict[str, str],
    loop_errors: list[dict[str, object]],
    caplog: pytest.LogCaptureFixture,
    misbehaviour: str,
) -> None:
    driver = Driver(qtbot, window, mock_urls)
    url = driver.webhook_start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with qtbot.captureExceptions() as exceptions:
        answer = MISBEHAVIOURS[misbehaviour](port)
        assert not answer or answer.startswith(b"HTTP/1.1 4"), answer[:200]
        qtbot.wait(50)  # let the receiver's loop take in the hang-up
        before = driver.webhook_events()
        started = time.monotonic()
        reply = httpx.post(f"{url}/after", json={"ok": True}, timeout=5)
        assert reply.status_code == 200 and time.monotonic() - started < MAX_SECONDS
        qtbot.waitUntil(lambda: driver.webhook_events() == before + 1, timeout=5_000)
        assert "listening" in driver.webhook_state().lower()
    assert not exceptions
    assert not loop_errors
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_every_tab_meets_the_faults_counted_in_security_md() -> None:
    """The table of fault cases per tab in SECURITY.md; the WSDL load counts for SOAP,
    the schema fetch for GraphQL."""
    tab_of = {"wsdl": "soap", "schema": "graphql"}
    counts = Counter(tab_of.get(case.tab, case.tab.partition("_")[0]) for case in CASES)
    counts["webhook"] = len(WEBHOOK_CASES)
    assert counts == {
        "rest": 6,
        "batch": 6,
        "soap": 12,
        "graphql": 12,
        "grpc": 4,
        "websocket": 6,
        "webhook": 5,
    }
