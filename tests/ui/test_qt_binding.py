"""Guards against a broken Qt binding: PySide6 6.12.0 on Python 3.11 loses a reference to
``None`` on every call of a method returning void, until the interpreter aborts."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_keep_the_reference_count_of_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(10_000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 100
