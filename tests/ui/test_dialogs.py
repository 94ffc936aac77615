"""Questions awaited by a coroutine leave the asyncio loop running (no nested Qt loop)."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from apiclient.ui import dialogs


def _press_when_shown(button: QMessageBox.StandardButton) -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        box.button(button).click()
    else:
        asyncio.get_running_loop().call_later(0.02, _press_when_shown, button)


def test_a_question_lets_other_tasks_run(qtbot, run, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.undo()  # the real dialogs, not the test answers

    async def scenario() -> tuple[QMessageBox.StandardButton, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        other = asyncio.ensure_future(ticker())
        asyncio.get_running_loop().call_later(0.2, _press_when_shown, dialogs.Button.Yes)
        answer = await dialogs.question(None, "Go on?", "Really?")
        other.cancel()
        return answer, ticks

    answer, ticks = run(scenario())
    assert answer == dialogs.Button.Yes
    assert ticks >= 5  # the other task kept running while the box was open


def test_get_text_returns_the_typed_text(qtbot, run, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.undo()

    def accept() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            asyncio.get_running_loop().call_later(0.02, accept)
            return
        dialog.setTextValue("Staging")
        dialog.accept()

    async def scenario() -> tuple[str, bool]:
        asyncio.get_running_loop().call_later(0.05, accept)
        return await dialogs.get_text(None, "Name", "Environment name:")

    assert run(scenario()) == ("Staging", True)
