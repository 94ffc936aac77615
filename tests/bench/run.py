"""Benchmarks: one line per figure, ``name: value unit``. Not part of the test suite.

    .venv/bin/python tests/bench/run.py [--quick] [--only SECTION]

Figures so far: start-up against the floor of a bare PySide6 window with seven empty
tabs (measured in the same run), memory at idle, how the window copes with a 20 MB
JSON body (time to the first view, longest stall of the GUI thread while it arrives
and is formatted), and loading a WSDL of 3,000 operations in the SOAP tab (time, and
longest stall of the GUI thread meanwhile), and the WebSocket tab under a ticker of
10,000 messages a second for 10 s (longest stall, messages received, memory growth),
and the collection runner's requests per second against newman's (runner_bench.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Each script prints "ready" once its window is shown and the event loop is idle.
_IDLE = """
from PySide6.QtCore import QTimer
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""
FLOOR_SCRIPT = (
    """
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget
app = QApplication([])
window = QMainWindow()
tabs = QTabWidget()
for name in ("REST", "Batch", "SOAP", "GraphQL", "gRPC", "WebSocket", "Webhook"):
    tabs.addTab(QWidget(), name)
window.setCentralWidget(tabs)
window.show()
"""
    + _IDLE
)
APP_SCRIPT = """
import asyncio
from PySide6.QtWidgets import QApplication
from qasync import QEventLoop
app = QApplication([])
from apiclient.ui.main_window import MainWindow
from apiclient.ui.settings import AppSettings
loop = QEventLoop(app)
asyncio.set_event_loop(loop)
window = MainWindow(AppSettings())
window.show()
async def main():
    await window.startup()
    print("ready", flush=True)
    import resource
    print(f"rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
with loop:
    loop.run_until_complete(main())
"""


def time_to_ready(script: str, env: dict[str, str]) -> tuple[float, dict[str, str]]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    elapsed = 0.0
    extra = {}
    for line in proc.stdout:
        if line.strip() == "ready":
            elapsed = time.perf_counter() - start
        elif " " in line:
            key, value = line.split(None, 1)
            extra[key] = value.strip()
    proc.wait(timeout=60)
    return elapsed, extra


def bench_startup(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "APICLIENT_DATA_DIR": f"{tmp}/data",
            "APICLIENT_CONFIG_DIR": f"{tmp}/config",
        }
        time_to_ready(APP_SCRIPT, env)  # first start copies the sample; not counted
        app_times, floor_times, rss = [], [], []
        for _ in range(runs):
            floor_times.append(time_to_ready(FLOOR_SCRIPT, env)[0])
            elapsed, extra = time_to_ready(APP_SCRIPT, env)
            app_times.append(elapsed)
            rss.append(int(extra.get("rss_kb", "0")) / 1024)
    startup, floor = statistics.median(app_times), statistics.median(floor_times)
    print(f"startup_s: {startup:.3f} s")
    print(f"startup_floor_s: {floor:.3f} s")
    print(f"startup_ratio: {startup / floor:.2f} x")
    print(f"idle_rss_mb: {statistics.median(rss):.1f} MB")


def _stall_meter() -> tuple[list[float], list[float], QTimer]:
    """A 5 ms GUI-thread timer recording the gaps between its ticks: the longest gap is
    the longest time the GUI thread was held. Reset ``last[0]`` and start the timer."""
    from PySide6.QtCore import QTimer

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer(interval=5)
    ticker.timeout.connect(tick)
    return gaps, last, ticker


def _start_mocks(tmp: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """The mock servers in their own process, so their work does not count as the app's
    stall; returns the process and the servers' URLs."""
    port_file = tmp / "ports.json"
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_servers", "--ephemeral", "--port-file", str(port_file)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, json.loads(port_file.read_text())


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=15)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_large_body(mb: int) -> None:
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    tmp = tempfile.mkdtemp()
    os.environ["APICLIENT_DATA_DIR"] = f"{tmp}/data"
    os.environ["APICLIENT_CONFIG_DIR"] = f"{tmp}/config"
    app = QApplication.instance() or QApplication([])
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings
    from apiclient.ui.workers import shutdown_workers

    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    server, urls = _start_mocks(Path(tmp))
    url = urls["rest"]
    window = MainWindow(AppSettings())
    window.show()
    gaps, last, ticker = _stall_meter()

    async def measure() -> tuple[float, float]:
        await window.startup()
        await window.rest.warm_up()  # as after the first half second of a session
        body = window.rest.response.body.text
        window.rest.editor.url.setText(f"{url}/json/large?mb={mb}")
        await asyncio.sleep(0.2)
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        window.rest.send()
        while not body.toPlainText():
            await asyncio.sleep(0.005)
        first_view = time.perf_counter() - start
        await asyncio.sleep(0.3)
        ticker.stop()
        return first_view, max(gaps) * 1000

    with loop:
        first_view, stall = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    _stop(server)
    shutdown_workers()
    print(f"large_body_first_view_s: {first_view:.2f} s")
    print(f"large_body_max_stall_ms: {stall:.0f} ms")


def _big_wsdl(operations: int) -> str:
    """A document/literal WSDL with ``operations`` operations, each with a nested type."""
    types, messages, port_ops, binding_ops = [], [], [], []
    for i in range(operations):
        types.append(
            f'<xs:element name="Op{i}"><xs:complexType><xs:sequence>'
            + "".join(f'<xs:element name="Field{j}" type="xs:string"/>' for j in range(8))
            + '<xs:element name="Child" minOccurs="0"><xs:complexType><xs:sequence>'
            '<xs:element name="Value" type="xs:int" maxOccurs="unbounded"/>'
            "</xs:sequence></xs:complexType></xs:element>"
            "</xs:sequence></xs:complexType></xs:element>"
            f'<xs:element name="Op{i}Response" type="xs:string"/>'
        )
        messages.append(
            f'<message name="Op{i}In"><part name="p" element="tns:Op{i}"/></message>'
            f'<message name="Op{i}Out"><part name="p" element="tns:Op{i}Response"/></message>'
        )
        port_ops.append(
            f'<operation name="Op{i}"><input message="tns:Op{i}In"/>'
            f'<output message="tns:Op{i}Out"/></operation>'
        )
        binding_ops.append(
            f'<operation name="Op{i}"><soap:operation soapAction="urn:big/Op{i}"/>'
            '<input><soap:body use="literal"/></input>'
            '<output><soap:body use="literal"/></output></operation>'
        )
    return (
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:big" targetNamespace="urn:big">'
        '<types><xs:schema targetNamespace="urn:big" elementFormDefault="qualified">'
        + "".join(types)
        + "</xs:schema></types>"
        + "".join(messages)
        + '<portType name="BigPort">'
        + "".join(port_ops)
        + '</portType><binding name="BigBinding" type="tns:BigPort">'
        '<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        + "".join(binding_ops)
        + '</binding><service name="BigService"><port name="BigSoap" binding="tns:BigBinding">'
        '<soap:address location="http://127.0.0.1:9/big"/></port></service></definitions>'
    )


def bench_big_wsdl(operations: int) -> None:
    """Load a WSDL of many operations in the SOAP tab: how long, and the longest stall of
    the GUI thread meanwhile (zeep parses in a worker thread but holds the GIL)."""
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    tmp = Path(tempfile.mkdtemp())
    os.environ["APICLIENT_DATA_DIR"] = f"{tmp}/data"
    os.environ["APICLIENT_CONFIG_DIR"] = f"{tmp}/config"
    wsdl = tmp / "big.wsdl"
    wsdl.write_text(_big_wsdl(operations), encoding="utf-8")
    app = QApplication.instance() or QApplication([])
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings
    from apiclient.ui.workers import import_in_worker

    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(AppSettings())
    window.show()
    gaps, last, ticker = _stall_meter()

    async def measure() -> tuple[float, float]:
        soap = window.soap
        window.tabs.setCurrentWidget(soap)
        soap.wsdl_panel.location.setText(str(wsdl))
        # zeep and lxml are imported by then in a session (first SOAP use); their import
        # is a start-up cost, measured apart from the load.
        await import_in_worker("apiclient.protocols.soap_wsdl", "apiclient.protocols.soap")
        await asyncio.sleep(0.2)
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        soap.load_wsdl()
        while soap.is_loading():
            await asyncio.sleep(0.005)
        loaded = time.perf_counter() - start
        await asyncio.sleep(0.1)
        ticker.stop()
        assert soap.wsdl is not None, soap.wsdl_panel.status.text()
        return loaded, max(gaps) * 1000

    with loop:
        loaded, stall = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    print(f"wsdl_{operations}_ops_load_s: {loaded:.2f} s ({wsdl.stat().st_size // 1024} KB)")
    print(f"wsdl_{operations}_ops_max_stall_ms: {stall:.0f} ms")


def bench_websocket_stream(rate: int, seconds: int) -> None:
    """Drive the WebSocket tab with the ticker mock at ``rate`` messages a second: the
    longest stall of the GUI thread, the messages received and the memory growth."""
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    tmp = Path(tempfile.mkdtemp())
    os.environ["APICLIENT_DATA_DIR"] = f"{tmp}/data"
    os.environ["APICLIENT_CONFIG_DIR"] = f"{tmp}/config"
    app = QApplication.instance() or QApplication([])
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings
    from apiclient.ui.workers import import_in_worker

    server, urls = _start_mocks(tmp)
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(AppSettings())
    window.resize(1280, 860)
    window.show()
    gaps, last, ticker = _stall_meter()
    count = rate * seconds

    async def measure() -> tuple[float, float, int, float, float]:
        tab = window.websocket
        window.tabs.setCurrentWidget(tab)
        tab.editor.url.setText(f"{urls['websocket']}/ticker?rate={rate}&count={count}")
        await import_in_worker("apiclient.protocols.websocket")  # a start-up cost, apart
        await asyncio.sleep(0.2)
        gc.collect()
        rss_before = _rss_mb()
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        tab.toggle_connection()
        while tab.session is None:
            await asyncio.sleep(0.005)
        rss_peak = rss_before
        while tab.session is not None:
            await asyncio.sleep(0.1)
            rss_peak = max(rss_peak, _rss_mb())
        elapsed = time.perf_counter() - start
        await asyncio.sleep(0.2)
        ticker.stop()
        received = tab._counters.messages_in if tab._counters is not None else 0
        gc.collect()
        return elapsed, max(gaps) * 1000, received, rss_peak - rss_before, _rss_mb() - rss_before

    with loop:
        elapsed, stall, received, peak, after = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
    _stop(server)
    print(f"websocket_stream_received: {received:,} of {count:,} messages in {elapsed:.1f} s")
    print(f"websocket_stream_rate: {received / elapsed:,.0f} messages/s (asked {rate:,})")
    print(f"websocket_stream_max_stall_ms: {stall:.0f} ms")
    print(f"websocket_stream_rss_growth_mb: {peak:.1f} MB peak, {after:.1f} MB after")


# Fifty threads, each with one keep-alive connection (http.client): httpx's AsyncClient
# spends ~7 ms of CPU per request at this concurrency and would measure itself.
_BURST_SENDER = """
import http.client, sys, threading, urllib.parse
url, count, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
where = urllib.parse.urlsplit(url)
numbers = iter(range(count))
take = threading.Lock()
answered = []
def sender():
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    ok = 0
    while True:
        with take:
            i = next(numbers, None)
        if i is None:
            break
        body = b'{"event_type": "payment.completed", "n": %d}' % i
        connection.request("POST", f"/hooks/{i}", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        ok += response.status == 200
    connection.close()
    answered.append(ok)
threads = [threading.Thread(target=sender) for _ in range(concurrency)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sum(answered))
"""


def bench_webhook_burst(count: int, concurrency: int) -> None:
    """Send ``count`` POSTs at ``concurrency`` from another process to the Webhook tab's
    receiver: requests per second, events stored and listed, the longest GUI stall."""
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    tmp = Path(tempfile.mkdtemp())
    os.environ["APICLIENT_DATA_DIR"] = f"{tmp}/data"
    os.environ["APICLIENT_CONFIG_DIR"] = f"{tmp}/config"
    app = QApplication.instance() or QApplication([])
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.settings import AppSettings

    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(AppSettings())
    window.resize(1280, 860)
    window.show()
    gaps, last, ticker = _stall_meter()

    async def measure() -> tuple[float, int, int, int, float]:
        tab = window.webhook
        window.tabs.setCurrentWidget(tab)
        tab.editor.port.setValue(0)
        while tab.store is None:
            await asyncio.sleep(0.01)
        tab.toggle_receiver()
        while tab.receiver is None:
            await asyncio.sleep(0.01)
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        sender = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _BURST_SENDER,
            tab.receiver.url,
            str(count),
            str(concurrency),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await sender.communicate()
        elapsed = time.perf_counter() - start
        while tab.inbox.model.rowCount() < min(count, tab.inbox.model.capacity):
            await asyncio.sleep(0.05)
        ticker.stop()
        stored = await asyncio.to_thread(tab.store.count)
        return elapsed, int(out or 0), stored, tab.inbox.model.rowCount(), max(gaps) * 1000

    async def reopen() -> tuple[float, int, float]:
        """A new window over the same inbox (as after a restart): time until the
        events are listed, and the longest stall meanwhile."""
        again = MainWindow(AppSettings())
        again.show()
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        start = time.perf_counter()
        tab = again.webhook
        again.tabs.setCurrentWidget(tab)
        while tab.inbox.model.rowCount() < min(count, tab.inbox.model.capacity):
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - start
        ticker.stop()
        listed = tab.inbox.model.rowCount()
        await again.shutdown()
        return elapsed, listed, max(gaps) * 1000

    with loop:
        elapsed, answered, stored, listed, stall = loop.run_until_complete(measure())
        loop.run_until_complete(window.shutdown())
        reopened, relisted, restall = loop.run_until_complete(reopen())
    print(
        f"webhook_burst: {answered:,} of {count:,} answered 200 in {elapsed:.1f} s "
        f"({count / elapsed:,.0f} requests/s at concurrency {concurrency})"
    )
    print(f"webhook_burst_stored: {stored:,} stored, {listed:,} listed in the inbox")
    print(f"webhook_burst_max_stall_ms: {stall:.0f} ms")
    print(f"webhook_reopen: {relisted:,} events listed {reopened:.2f} s after a new window")
    print(f"webhook_reopen_max_stall_ms: {restall:.0f} ms")


def bench_runner_section(count: int) -> None:
    from runner_bench import bench_runner

    with tempfile.TemporaryDirectory() as tmp:
        server, urls = _start_mocks(Path(tmp))
        try:
            bench_runner(urls["rest"], count)
        finally:
            _stop(server)


_SECTIONS = ("startup", "large_body", "wsdl", "websocket", "webhook", "runner")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, a smaller body")
    parser.add_argument("--only", choices=_SECTIONS, help="run one section")
    args = parser.parse_args()
    quick = args.quick
    sections = {
        "startup": lambda: bench_startup(runs=3 if quick else 7),
        "large_body": lambda: bench_large_body(mb=5 if quick else 20),
        "wsdl": lambda: bench_big_wsdl(operations=500 if quick else 3000),
        "websocket": lambda: bench_websocket_stream(rate=10_000, seconds=3 if quick else 10),
        "webhook": lambda: bench_webhook_burst(count=1_000 if quick else 5_000, concurrency=50),
        "runner": lambda: bench_runner_section(count=200 if quick else 1_000),
    }
    for name in [args.only] if args.only else _SECTIONS:
        sections[name]()
        gc.collect()  # that window's Qt objects die here, not later in some worker thread


if __name__ == "__main__":
    main()
