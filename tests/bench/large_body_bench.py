"""Large JSON bodies in the REST tab: time to the first view and the longest GUI stall
while the body loads, while scrolling through it and while searching in it.

Two bodies from the REST mock's ``/json/large`` (one line of JSON as sent): 50 MB shown
pretty, and 5 MB shown raw, i.e. as one 5 MB line. The headline figures
``large_body_first_view_s`` and ``large_body_max_stall_ms`` are the worst case.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench_common import fresh_app_dirs, stall_meter, start_mocks, stop_mocks, window_on_loop

if TYPE_CHECKING:
    from apiclient.ui.main_window import MainWindow
    from apiclient.ui.widgets.body_view import BodyView

# Occurs in every record, and once only, at the very end of the body.
MANY_TERM = "customer"
END_TERM = '"count"'


@dataclass(frozen=True)
class Scenario:
    label: str  # e.g. "50mb"
    mb: float
    raw: bool  # show the body as received (one line) instead of pretty

    @property
    def what(self) -> str:
        return f"{self.mb} MB {'single line, raw' if self.raw else 'pretty'}"


async def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the body view did not get there in time")
        await asyncio.sleep(0.005)


async def settle(seconds: float = 0.1) -> None:
    await asyncio.sleep(seconds)


def loaded(view: BodyView) -> bool:
    return bool(view.text.toPlainText()) and view.shown_text() is not None


def selection(view: BodyView) -> str:
    """The selected text, lower-cased: search ignores case, as a person expects."""
    return view.text.textCursor().selectedText().lower()


async def scroll(view: BodyView) -> None:
    """Drag both scroll bars through the part in steps, page down, then turn parts."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for bar in (view.text.verticalScrollBar(), view.text.horizontalScrollBar()):
        for step in range(41):
            bar.setValue(bar.maximum() * step // 40)
            await asyncio.sleep(0.01)
        bar.setValue(0)
    view.text.setFocus()
    for _ in range(30):
        QTest.keyClick(view.text, Qt.Key.Key_PageDown)
        await asyncio.sleep(0.01)
    for _ in range(3):
        if view.next_page.isVisible() and view.next_page.isEnabled():
            view.next_page.click()
            await settle(0.05)
            view.text.verticalScrollBar().setValue(view.text.verticalScrollBar().maximum())
            await asyncio.sleep(0.01)


async def search(view: BodyView) -> None:
    """Type a term found everywhere, step next and previous, then one found at the end."""
    from PySide6.QtTest import QTest

    query = view.find.query
    query.clear()
    QTest.keyClicks(query, MANY_TERM)
    await wait_until(lambda: selection(view) == MANY_TERM)
    for step in (view.find.find_next,) * 10 + (view.find.find_previous,) * 10:
        step()
        await asyncio.sleep(0.01)
    await wait_until(lambda: selection(view) == MANY_TERM)
    query.clear()
    QTest.keyClicks(query, END_TERM)
    try:
        await wait_until(lambda: selection(view) == END_TERM, timeout=20)
    except TimeoutError:
        print("END TERM NOT FOUND")
    view.find.find_previous()
    query.clear()


async def run_scenario(window: MainWindow, url: str, scenario: Scenario) -> dict[str, float]:
    gaps, last, ticker = stall_meter()
    tab = window.rest
    view = tab.response.body
    (view.raw if scenario.raw else view.pretty).setChecked(True)
    address = f"{url}/json/large?mb={scenario.mb}"
    tab.editor.url.setText(address)
    tab.editor.url.textEdited.emit(address)  # as typing does: the params table follows
    tab.response.show_idle()
    await settle(0.3)

    async def phase(work: Awaitable[None]) -> float:
        gaps.clear()
        last[0] = time.perf_counter()
        ticker.start()
        await work
        await settle(0.2)
        ticker.stop()
        return max(gaps) * 1000

    views: dict[str, float] = {}

    async def load() -> None:
        start = time.perf_counter()
        tab.editor.send.click()
        await wait_until(lambda: bool(view.text.toPlainText()))
        views["first_view_s"] = time.perf_counter() - start
        await wait_until(lambda: loaded(view))
        views["formatted_view_s"] = time.perf_counter() - start

    figures = {"first_view_s": 0.0}
    figures["load_stall_ms"] = await phase(load())
    figures.update(views)
    figures["scroll_stall_ms"] = await phase(scroll(view))
    figures["search_stall_ms"] = await phase(search(view))
    return figures


def bench_large_bodies(scenarios: list[Scenario]) -> None:

    from apiclient.ui.workers import shutdown_workers

    tmp = fresh_app_dirs()
    server, urls = start_mocks(tmp)
    loop, window = window_on_loop(1200, 900)

    async def measure() -> dict[Scenario, dict[str, float]]:
        await window.startup()
        await window.rest.warm_up()  # as after the first half second of a session
        # One small send first, so that the figures are the large body's, not the first
        # send's of the session (imports, history database, worker process start).
        await run_scenario(window, urls["rest"], Scenario("warm-up", 1, raw=False))
        return {s: await run_scenario(window, urls["rest"], s) for s in scenarios}

    try:
        with loop:
            results = loop.run_until_complete(measure())
            loop.run_until_complete(window.shutdown())
    finally:
        stop_mocks(server)
        shutdown_workers()

    for scenario, figures in results.items():
        for name, value in figures.items():
            line = "line_" if scenario.raw else ""
            key = f"large_body_{scenario.label}_{line}{name}"
            unit = "s" if name.endswith("_s") else "ms"
            print(f"{key}: {value:.2f} {unit}" if unit == "s" else f"{key}: {value:.0f} {unit}")
    worst_view = max(results.items(), key=lambda item: item[1]["first_view_s"])
    print(
        f"large_body_first_view_s: {worst_view[1]['first_view_s']:.2f} s "
        f"({worst_view[0].what}; "
        + ", ".join(f"{s.what} {f['first_view_s']:.2f} s" for s, f in results.items())
        + ")"
    )
    stalls = [
        (value, scenario, name.removesuffix("_stall_ms"))
        for scenario, figures in results.items()
        for name, value in figures.items()
        if name.endswith("_stall_ms")
    ]
    worst, scenario, phase_name = max(stalls, key=lambda item: item[0])
    print(f"large_body_max_stall_ms: {worst:.0f} ms ({scenario.what}, while {phase_name})")


def run(quick: bool) -> None:
    if quick:
        bench_large_bodies([Scenario("5mb", 5, raw=False), Scenario("5mb", 5, raw=True)])
    else:
        bench_large_bodies([Scenario("50mb", 50, raw=False), Scenario("5mb", 5, raw=True)])
