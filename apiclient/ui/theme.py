"""Light and dark themes; by default the system's."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from apiclient.core.preferences import Theme
from apiclient.ui.app_preferences import AppPreferences
from apiclient.ui.tasks import start_task


class ThemeController:
    """Applies the preferences' theme to the application and keeps the View > Theme
    actions checked accordingly."""

    def __init__(self, preferences: AppPreferences, window: QWidget) -> None:
        self._preferences = preferences
        self._window = window
        self._actions: dict[str, QAction] = {}
        preferences.changed.connect(lambda _prefs: self._sync_actions())

    def track_action(self, theme: Theme, action: QAction) -> None:
        self._actions[theme] = action
        self._sync_actions()

    def choose(self, theme: Theme) -> None:
        prefs = self._preferences.current.updated(theme=theme)
        start_task(self._preferences.save(prefs))

    def _sync_actions(self) -> None:
        for theme, action in self._actions.items():
            action.setChecked(theme == self._preferences.current.theme)
