"""Colours that carry a meaning (a sent or received message, a failure, a signature's
verdict, a chart's bars) follow a live switch of theme: after View > Theme > Dark each is
drawn in its dark shade, and back in its light one after View > Theme > Light.

The switch goes through the window's real ``ThemeController`` (its View menu actions),
as a person makes it; every colour is read the way the views read it: from the model's
data, from the label's text, or from the painted pixels.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from test_batch_runner import MIXED_FOLDER, _run, _write_folder
from test_webhook_tab import open_receiver, receiver_url, standard_headers, start, wait_rows
from test_websocket_tab import connect, log_rows, show_tab, type_url, write_message

import apiclient.ui
from apiclient.protocols.batch_results import BatchItem
from apiclient.ui.main_window import MainWindow
from apiclient.ui.tabs.batch_runner_model import OUTCOME_COLUMN
from apiclient.ui.theme import apply_palette, semantic_hex, series_color
from apiclient.ui.variable_hint import variable_hint_html
from apiclient.ui.widgets.timing_chart import TimingChart

_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole


@pytest.fixture(autouse=True)
def light_after() -> Iterator[None]:
    """The palette is the application's: the next test starts light again."""
    yield
    apply_palette(False)


def switch(qtbot: QtBot, window: MainWindow, theme: str) -> None:
    """View > Theme > ``theme``, as a person chooses it."""
    window.findChild(QAction, f"action.theme.{theme}").trigger()
    qtbot.waitUntil(lambda: window.theme.dark == (theme == "dark"))


def color_of(index: QModelIndex, role: int) -> str:
    """The colour a view paints a cell with for ``role`` (a QColor or a QBrush), as #rrggbb."""
    value = index.data(role)
    color = value if isinstance(value, QColor) else value.color()
    return color.name()


def shades(name: str) -> tuple[str, str]:
    light, dark = semantic_hex(name, dark=False), semantic_hex(name, dark=True)
    assert light != dark
    return light, dark


def test_websocket_log_rows_take_the_themes_shades(
    qtbot: QtBot, window: MainWindow, websocket_url: str
) -> None:
    tab = show_tab(qtbot, window)
    type_url(qtbot, window, f"{websocket_url}/reject")  # refused: an error status in the log
    connect(qtbot, window, phase="closed")
    type_url(qtbot, window, f"{websocket_url}/echo")
    connect(qtbot, window)
    write_message(window, "hello")
    with qtbot.waitSignal(tab.message_sent):
        send = window.findChild(QPushButton, "websocket.send")
        qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("↓", "text", "hello") in log_rows(window))
    model = tab.log.model
    rows = log_rows(window)
    sent = model.index(rows.index(("↑", "text", "hello")), 2)
    received = model.index(rows.index(("↓", "text", "hello")), 2)
    refused = model.index(next(i for i, row in enumerate(rows) if "403" in row[2]), 5)
    state = window.findChild(QLabel, "websocket.state")  # its dot: green while open

    for theme, shade in (("dark", 1), ("light", 0), ("dark", 1)):
        switch(qtbot, window, theme)
        assert color_of(sent, _FOREGROUND) == shades("success")[shade]
        assert color_of(received, _FOREGROUND) == shades("info")[shade]
        assert color_of(refused, _FOREGROUND) == shades("error")[shade]
        assert shades("success")[shade] in state.text()
        assert shades("success")[1 - shade] not in state.text()


@pytest.fixture
def runner_window(make_window: Callable[..., MainWindow], sample: Path) -> MainWindow:
    _write_folder(sample, "runner-mixed", MIXED_FOLDER)
    window = make_window(sample)
    window.resize(1300, 850)
    window.tabs.setCurrentWidget(window.batch)
    return window


def test_batch_failures_and_the_histogram_take_the_themes_shades(
    qtbot: QtBot, runner_window: MainWindow
) -> None:
    window = runner_window
    runner = window.batch.runner
    window.batch.pages.setCurrentWidget(runner)
    _run(qtbot, runner, "runner-mixed")  # passed, failed (a check), error (unknown variable)
    results = runner.model
    row_of = {results.item(r, OUTCOME_COLUMN).text(): r for r in range(results.rowCount())}
    assert set(row_of) == {"passed", "failed", "error"}
    items = window.batch.response.items_model
    items.set_items(
        (
            BatchItem(index=0, status="created", id="1", key="a", errors=()),
            BatchItem(index=1, status="failed", id="2", key="b", errors=("bad email",)),
        )
    )

    for theme, shade in (("dark", 1), ("light", 0)):
        switch(qtbot, window, theme)
        for outcome, tone in (("passed", "success"), ("failed", "error"), ("error", "warning")):
            index = results.index(row_of[outcome], OUTCOME_COLUMN)
            assert color_of(index, _FOREGROUND) == shades(tone)[shade], outcome
        assert color_of(items.index(1, 0), _BACKGROUND) == shades("failed_row")[shade]
        assert items.index(0, 0).data(_BACKGROUND) is None
        assert items.index(1, 0).data(_FOREGROUND) is None  # the palette's text on the tint
        bars = painted(runner.histogram)  # the run's latencies, as drawn
        assert bars[series_color(2, dark=bool(shade)).name()] > 50
        assert series_color(2, dark=not shade).name() not in bars


def test_webhook_inbox_verdicts_take_the_themes_shades(qtbot: QtBot, window: MainWindow) -> None:
    tab = open_receiver(qtbot, window)
    start(qtbot, window)
    url = receiver_url(window)
    good = json.dumps({"event_type": "payment.completed"}).encode()
    httpx.post(f"{url}/webhooks/payments", content=good, headers=standard_headers(good))
    bad = b'{"event_type": "payment.failed"}'
    wrong = "whsec_" + base64.b64encode(b"another secret").decode()
    httpx.post(f"{url}/webhooks/payments", content=bad, headers=standard_headers(bad, wrong))
    rows = wait_rows(qtbot, tab, 2)
    assert [row[6] for row in rows] == ["✗ invalid", "✓ valid"]
    model = tab.inbox.model
    tab.inbox.table.selectRow(0)
    verdict = window.findChild(QLabel, "webhook.detail.verdict")
    qtbot.waitUntil(lambda: "does not match" in verdict.text(), timeout=10_000)

    for theme, shade in (("dark", 1), ("light", 0)):
        switch(qtbot, window, theme)
        assert color_of(model.index(0, 6), _FOREGROUND) == shades("error")[shade]
        assert color_of(model.index(1, 6), _FOREGROUND) == shades("success")[shade]
        assert shades("error")[shade] in verdict.text()
        assert shades("error")[1 - shade] not in verdict.text()


def test_the_unknown_variable_hint_and_the_timing_chart_take_the_themes_shades(
    qtbot: QtBot, window: MainWindow
) -> None:
    scope = window.workspace.scope()
    window.tabs.setCurrentWidget(window.rest)
    url_field = window.findChild(QLineEdit, "rest.url")
    url_field.clear()
    qtbot.keyClicks(url_field, "{{no_such_variable}}/items")
    shown = window.findChild(QLabel, "rest.url.hint")  # under the URL, as typed
    qtbot.waitUntil(lambda: "Unknown variable" in shown.text())
    chart = TimingChart("test.timing")
    qtbot.addWidget(chart)
    chart.resize(600, 200)
    chart.set_phases([("DNS + connect", 0.01), ("Waiting", 0.03), ("Download", 0.02)])

    for theme, shade in (("dark", 1), ("light", 0)):
        switch(qtbot, window, theme)
        hint = variable_hint_html("{{no_such_variable}}/items", scope, "URL")
        assert "Unknown variable" in hint
        assert shades("error")[shade] in hint and shades("error")[1 - shade] not in hint
        assert shown.text() == hint  # the tab's hint is written again in the new shades
        bars = painted(chart)
        for phase in range(3):
            assert bars[series_color(phase, dark=bool(shade)).name()] > 50
            assert series_color(phase, dark=not shade).name() not in bars


def painted(widget) -> dict[str, int]:
    """How many pixels of each colour ``widget`` paints now (#rrggbb -> count)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: dict[str, int] = {}
    for y in range(image.height()):
        for x in range(image.width()):
            name = image.pixelColor(x, y).name()
            counts[name] = counts.get(name, 0) + 1
    return counts


# Files that may still spell colours: the theme itself, and modules whose colours are
# (light, dark) pairs chosen with ``is_dark`` when they are applied.
_ALLOWED = {
    "theme.py": "the semantic colours and palettes, each a (light, dark) pair",
    "method_style.py": "the HTTP method badges' (light, dark) pairs",
    "focus_style.py": "the focus ring, drawn from the palette's highlight",
    "widgets/code_editor.py": "syntax colours as (light, dark) pairs, chosen with is_dark",
    "widgets/find_overlay.py": "match highlights as (light, dark) pairs, chosen with is_dark",
}
_COLOUR = re.compile(
    r"#[0-9a-fA-F]{6}\b|QColor\(\s*\"|Qt\.(?:GlobalColor\.)?(?:red|green|blue|gray|darkRed|darkGreen)\b"
)


def test_no_colour_is_spelled_out_in_the_ui_outside_the_theme() -> None:
    root = Path(apiclient.ui.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.relative_to(root).as_posix() not in _ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _COLOUR.search(line)
    ]
    assert not found, "Use apiclient.ui.theme's semantic colours:\n" + "\n".join(found)
