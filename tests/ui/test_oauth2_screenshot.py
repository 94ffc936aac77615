"""The REST tab's Auth tab with an OAuth 2.0 token obtained from the mock, as a picture.

Run as a script to write it where a person looks at it::

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/test_oauth2_screenshot.py [out.png]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from apiclient.core.models import Auth

SCREENSHOT_ENV = "APICLIENT_OAUTH2_SCREENSHOT"


def test_oauth2_panel_with_a_token_renders(qtbot, window, rest_url, tmp_path):
    window.resize(1280, 960)
    tab = window.rest
    tab.editor.url.setText(f"{rest_url}/oauth2/protected")
    tab.editor.set_name("Protected resource")
    auth = tab.editor.auth
    tab.editor.tabs.setCurrentWidget(auth)
    auth.set_auth(
        Auth(
            kind="oauth2",
            grant_type="password",
            token_url=f"{rest_url}/oauth2/token",
            client_id="apiclient-demo",
            client_secret="demo-secret",
            username="demo",
            password="demo-password",
            scope="read",
        )
    )
    panel = auth.oauth2
    qtbot.mouseClick(panel.get_token, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.token is not None or panel.error.isVisible(), timeout=10_000)
    assert panel.token is not None, panel.error.text()
    qtbot.wait(50)  # one paint with the token shown
    out = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "oauth2_panel.png")
    assert window.grab().save(str(out))
    assert out.stat().st_size > 0


if __name__ == "__main__":
    import pytest

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ[SCREENSHOT_ENV] = sys.argv[1] if len(sys.argv) > 1 else "/tmp/h15/oauth2_panel.png"
    here = Path(__file__).resolve()
    sys.exit(
        pytest.main([str(here), "-q", "-p", "no:cacheprovider", "--rootdir", str(here.parents[2])])
    )
