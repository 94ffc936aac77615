"""The main window with several open requests, in the light and in the dark theme.

As a test it checks that the dark theme really darkens the whole window (the mean
lightness of the picture drops) and that every open request has its sub-tab. Run as a
script to write the pictures where a person looks at them, one per protocol tab too::

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/test_workspace_screenshots.py [dir]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from apiclient.ui.request_tabs import RequestTabs

SCREENSHOT_DIR_ENV = "APICLIENT_WORKSPACE_SCREENSHOTS"
REST_REQUESTS = (
    "playlists/list-playlists.yaml",
    "playlists/create-playlist.yaml",
    "items/get-item.yaml",
    "http-basics/echo-post-json.yaml",
)
# One request per other tab, for the pictures of each tab's layout.
OTHER_REQUESTS = {
    "batch": "contacts-batch/create-contacts-207.yaml",
    "soap": "hospital-soap/get-patient-record.yaml",
    "graphql": "events-graphql/events-in-a-city.yaml",
    "grpc": "tracks-grpc/get-a-track.yaml",
    "websocket": "live-websocket/echo.yaml",
    "webhook": "live-webhook/payments-receiver.yaml",
}


def _lightness(image: QImage) -> float:
    """Mean lightness (0-255) of a grid of pixels across the picture."""
    step = 12
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    ]
    return sum(values) / len(values)


def test_light_and_dark_windows_with_several_open_requests(qtbot, window, tmp_path):
    out = Path(os.environ.get(SCREENSHOT_DIR_ENV) or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    window.resize(1400, 900)
    for relpath in REST_REQUESTS:
        window.open_saved_request(relpath)
    window.new_request("rest")  # an unsaved draft, in italics
    window.open_saved_request(REST_REQUESTS[0])
    rest = window.rest
    rest.editor.url.setFocus()
    rest.editor.url.end(False)
    qtbot.keyClicks(rest.editor.url, "?per_page=5")  # typed: unsaved, " ●"
    qtbot.waitUntil(lambda: rest.dirty)
    with qtbot.waitSignal(rest.send_finished, timeout=15_000):
        window.send_action.trigger()
    qtbot.waitUntil(lambda: rest.response.status.text() != "", timeout=5_000)
    group = window.open_requests("rest")
    assert len(group.tabs()) == len(REST_REQUESTS) + 1
    assert group.bar.tabText(group.bar.currentIndex()).endswith(" ●")

    window.findChild(type(window.send_action), "action.theme.light").trigger()
    qtbot.waitUntil(lambda: not window.theme.dark)
    qtbot.wait(50)
    light = window.grab()
    assert light.save(str(out / "window-light.png"))
    window.findChild(type(window.send_action), "action.theme.dark").trigger()
    qtbot.waitUntil(lambda: window.theme.dark)
    qtbot.wait(50)
    dark = window.grab()
    assert dark.save(str(out / "window-dark.png"))
    assert _lightness(dark.toImage()) < _lightness(light.toImage()) - 60

    if os.environ.get(SCREENSHOT_DIR_ENV):  # the script: every tab, in both themes
        _grab_each_tab(qtbot, window, out)


def _grab_each_tab(qtbot, window, out: Path) -> None:
    for kind, relpath in OTHER_REQUESTS.items():
        window.open_saved_request(relpath)
        qtbot.wait(1500)  # a WSDL, a schema or reflection loads meanwhile
        for theme in ("light", "dark"):
            window.findChild(type(window.send_action), f"action.theme.{theme}").trigger()
            QApplication.processEvents()
            qtbot.wait(50)
            assert window.grab().save(str(out / f"tab-{kind}-{theme}.png"))
    assert {kind for kind, _label in RequestTabs.kinds()} == {"rest", *OTHER_REQUESTS}


if __name__ == "__main__":
    import pytest

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ[SCREENSHOT_DIR_ENV] = sys.argv[1] if len(sys.argv) > 1 else "/tmp/16/shots"
    here = Path(__file__).resolve()
    sys.exit(
        pytest.main([str(here), "-q", "-p", "no:cacheprovider", "--rootdir", str(here.parents[2])])
    )
