"""The custom proxy's URL: a password typed into it is pointed to the Password field,
since the URL is saved in clear text (the request file, the history)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from apiclient.ui.widgets.settings_editor import SettingsEditor


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://ann:s3cret@127.0.0.1:3128", True),
        ("socks5://ann:s3cret@{{proxy_host}}:1080", True),
        ("http://ann@127.0.0.1:3128", False),  # a user alone is no secret
        ("http://ann:{{proxy_password}}@127.0.0.1:3128", False),  # a variable may be secret
        ("http://127.0.0.1:3128/a@b:c", False),  # an @ past the host is no password
    ],
)
def test_a_password_in_the_proxy_url_is_pointed_to_the_password_field(
    qtbot: QtBot, url: str, warned: bool
) -> None:
    editor = SettingsEditor("rest")
    qtbot.addWidget(editor)
    editor.show()
    editor.proxy.setCurrentIndex(editor.proxy.findData("custom"))
    editor.proxy_url.setFocus()
    editor.proxy_url.clear()
    qtbot.keyClicks(editor.proxy_url, url)
    problem = editor.findChild(QLabel, "rest.settings.proxy_problem")
    assert problem.isVisible() is warned
    if warned:
        assert problem.text().startswith("Put the password in the Password field")
        assert "clear text" in problem.text()
    assert "clear text" in editor.proxy_url.toolTip()
