"""Light and dark themes; by default the system's.

The app draws with Qt's Fusion style and a palette of its own for each theme, so it
looks the same on every platform; "system" picks the light or dark one from the OS's
colour scheme (``QStyleHints.colorScheme``) and follows it when it changes. The OS is
also asked for the chosen scheme (``setColorScheme``), so title bars and native menus
match where the platform supports it.

Widgets take their colours from the palette, which Qt repaints on a switch. Colours the
palette has no role for (an error, a success, a diff's added and removed lines) are the
semantic colours here: :func:`semantic_color` for code that paints (item models and
charts read it as they are drawn, so a switch repaints them right), :func:`themed_style`
for a widget's style sheet and :func:`themed_text` for a label's rich text mixing
colours, both written again on a switch; :func:`series_color` tells a chart's series
apart.
"""

from __future__ import annotations

from collections.abc import Callable
from string import Template

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPalette,
)
from PySide6.QtWidgets import QApplication, QLabel, QToolTip, QWidget

from apiclient.core.errors import StoreError
from apiclient.core.preferences import Preferences, Theme
from apiclient.ui.app_preferences import AppPreferences
from apiclient.ui.focus_style import FocusRingStyle
from apiclient.ui.tasks import start_task

# name -> (shade on a light background, shade on a dark background). "added" and
# "removed" are line backgrounds (a diff), "failed_row" the background of a failed
# item's row (read with the palette's text colour); the others are text colours.
_SEMANTIC: dict[str, tuple[str, str]] = {
    "error": ("#c62828", "#ef8a80"),
    "warning": ("#a35200", "#f0b45a"),
    "success": ("#2e7d32", "#7cc784"),
    "muted": ("#6b6b6b", "#9a9a9a"),
    "info": ("#1565c0", "#7ab8f5"),
    "added": ("#dcf5e2", "#1f3b28"),
    "removed": ("#fde3e1", "#4a2529"),
    "failed_row": ("#fde0dc", "#542226"),
}
SEMANTIC_NAMES: tuple[str, ...] = tuple(_SEMANTIC)

# The bars of a chart's series (a request's timing phases, a histogram), told apart by
# hue: (light, dark) pairs, the dark ones lighter so they stand out on a dark base.
_SERIES: tuple[tuple[str, str], ...] = (
    ("#7e57c2", "#b39ddb"),
    ("#26a69a", "#4db6ac"),
    ("#42a5f5", "#64b5f6"),
    ("#ffa726", "#ffb74d"),
    ("#66bb6a", "#81c784"),
)

Role = QPalette.ColorRole
Group = QPalette.ColorGroup
# role -> (light, dark), for every colour group; then the disabled group's differences.
_PALETTE: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.Window: ("#f3f3f3", "#2b2b2b"),
    Role.WindowText: ("#1f1f1f", "#e4e4e4"),
    Role.Base: ("#ffffff", "#1f1f1f"),
    Role.AlternateBase: ("#f6f6f6", "#272727"),
    Role.ToolTipBase: ("#ffffff", "#3a3a3a"),
    Role.ToolTipText: ("#1f1f1f", "#e4e4e4"),
    Role.PlaceholderText: ("#7a7a7a", "#8e8e8e"),
    Role.Text: ("#1f1f1f", "#e4e4e4"),
    Role.Button: ("#ececec", "#363636"),
    Role.ButtonText: ("#1f1f1f", "#e4e4e4"),
    Role.BrightText: ("#ffffff", "#ffffff"),
    Role.Light: ("#ffffff", "#4a4a4a"),
    Role.Midlight: ("#e2e2e2", "#404040"),
    Role.Mid: ("#8f8f8f", "#8a8a8a"),  # also the hints' text ("palette(mid)"): readable
    Role.Dark: ("#9c9c9c", "#202020"),
    Role.Shadow: ("#707070", "#0c0c0c"),
    Role.Highlight: ("#2f6fd6", "#3d7bd9"),
    Role.HighlightedText: ("#ffffff", "#ffffff"),
    Role.Link: ("#1a5fb4", "#8ab4f8"),
    Role.LinkVisited: ("#6a1b9a", "#c58af9"),
    Role.Accent: ("#2f6fd6", "#3d7bd9"),
}
_DISABLED: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.WindowText: ("#9a9a9a", "#767676"),
    Role.Text: ("#9a9a9a", "#767676"),
    Role.ButtonText: ("#9a9a9a", "#767676"),
    Role.Base: ("#f3f3f3", "#262626"),
    Role.Button: ("#eeeeee", "#303030"),
    Role.Highlight: ("#b9b9b9", "#4a4a4a"),
    Role.HighlightedText: ("#ffffff", "#b0b0b0"),
}


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) draws light text on dark."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(Role.Window).lightness() < 128


def semantic_color(name: str, dark: bool | None = None) -> QColor:
    """The colour for ``name`` (one of :data:`SEMANTIC_NAMES`) in the current theme, or
    in the dark or light one."""
    return QColor(semantic_hex(name, dark))


def semantic_hex(name: str, dark: bool | None = None) -> str:
    """:func:`semantic_color` as ``#rrggbb``, for rich text and style sheets."""
    light_shade, dark_shade = _SEMANTIC[name]
    return dark_shade if (is_dark() if dark is None else dark) else light_shade


def series_color(index: int, dark: bool | None = None) -> QColor:
    """The colour of a chart's series ``index`` (any number: the few colours repeat) in
    the current theme, or in the dark or light one. Read it when painting."""
    light_shade, dark_shade = _SERIES[index % len(_SERIES)]
    return QColor(dark_shade if (is_dark() if dark is None else dark) else light_shade)


def tone_span(html: str, tone: str) -> str:
    """``html`` in a rich text span of the semantic colour ``tone`` (one of
    :data:`SEMANTIC_NAMES`) of the current theme: for text mixing colours, shown with
    :func:`themed_text` so it follows a switch."""
    return f'<span style="color:{semantic_hex(tone)}">{html}</span>'


def build_palette(dark: bool) -> QPalette:
    """The app's palette for the light or the dark theme."""
    palette = QPalette()
    shade = 1 if dark else 0
    for role, colors in _PALETTE.items():
        palette.setColor(role, QColor(colors[shade]))
    for role, colors in _DISABLED.items():
        palette.setColor(Group.Disabled, role, QColor(colors[shade]))
    return palette


class ThemeNotifier(QObject):
    """Signals: ``changed(bool)``: the app switched to the dark (True) or light theme."""

    changed = Signal(bool)


_notifier: ThemeNotifier | None = None


def theme_notifier() -> ThemeNotifier:
    """The process's notifier (made on first use)."""
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier()
    return _notifier


class _ThemedStyle(QObject):
    """Writes a widget's style sheet from a template, again after each switch."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget, objectName="theme.style")
        self._widget = widget
        self.template = Template("")
        theme_notifier().changed.connect(self.refresh)

    def refresh(self, dark: bool | None = None) -> None:
        names = {name: semantic_hex(name, dark) for name in SEMANTIC_NAMES}
        self._widget.setStyleSheet(self.template.substitute(names))


def themed_style(widget: QWidget, template: str) -> None:
    """Give ``widget`` the style sheet ``template``, whose ``$error``, ``$success``...
    stand for the semantic colours of the theme in use (now and after a switch).

    Use it for every style sheet the widget gets, e.g.
    ``themed_style(label, "color: $error" if failed else "")``."""
    keeper = next((c for c in widget.children() if isinstance(c, _ThemedStyle)), None)
    if keeper is None:
        keeper = _ThemedStyle(widget)
    keeper.template = Template(template)
    keeper.refresh()


class _ThemedText(QObject):
    """Writes a label's rich text again after each switch, while the label still shows
    what it last wrote."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label, objectName="theme.text")
        self._label = label
        self.render: Callable[[], str] = str
        self.shown = ""
        theme_notifier().changed.connect(self.refresh)

    def refresh(self, _dark: bool | None = None) -> None:
        if self._label.text() == self.shown:  # not replaced by other text meanwhile
            self.write()

    def write(self) -> None:
        self.shown = self.render()
        self._label.setText(self.shown)


def themed_text(label: QLabel, render: Callable[[], str]) -> None:
    """Show ``render()`` in ``label`` now and again after each theme switch, so rich text
    mixing semantic colours (built with :func:`tone_span` or :func:`semantic_hex` inside
    ``render``) is written in the shades of the theme in use. Text set on the label by
    other means is left alone (the next switch does not bring the old text back)."""
    keeper = next((c for c in label.children() if isinstance(c, _ThemedText)), None)
    if keeper is None:
        keeper = _ThemedText(label)
    keeper.render = render
    keeper.write()


def apply_palette(dark: bool) -> bool:
    """Use the Fusion style with the light or dark palette; True when that changed it
    (every widget then repaints, and ``theme_notifier().changed`` is emitted)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return False
    if not isinstance(app.style(), FocusRingStyle):
        app.setStyle(FocusRingStyle())
    palette = build_palette(dark)
    if app.palette() == palette:
        return False
    app.setPalette(palette)
    QToolTip.setPalette(palette)
    theme_notifier().changed.emit(dark)
    return True


_system_font: QFont | None = None


def apply_font_size(points: int) -> None:
    """The application font at ``points`` (0: the system's own size)."""
    global _system_font
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _system_font is None:
        _system_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    font = QFont(_system_font)
    if points > 0:
        font.setPointSize(points)
    if app.font() != font:
        app.setFont(font)


# The OS's colour scheme is read, and a chosen one asked for, this long after the window
# is built: both touch QtCore.Qt, whose ~90 enum classes cost 20-30 ms to build, which
# start-up does later anyway. Meanwhile "system" goes by the platform's palette.
SETTLE_MS = 300
_platform_dark: bool | None = None


class ThemeController(QObject):
    """Applies the preferences' theme and font size to the application (at once, and
    whenever the preferences change or, for "system", the OS's scheme does) and keeps
    the View > Theme actions checked accordingly."""

    def __init__(self, preferences: AppPreferences, window: QWidget) -> None:
        global _platform_dark
        super().__init__(window)
        self._preferences = preferences
        self._window = window
        self._actions: dict[Theme, QAction] = {}
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._group.triggered.connect(self._on_group_triggered)
        self._requested: Theme | None = None  # the scheme asked of the OS
        if _platform_dark is None:  # before this app's palette replaces the platform's
            _platform_dark = is_dark(QGuiApplication.palette())
        self._system_dark = _platform_dark
        self._settled = False
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_hints_color_scheme_changed)
        preferences.changed.connect(self._on_preferences_changed)
        self._apply(preferences.current)
        QTimer.singleShot(SETTLE_MS, self, self._settle)

    @property
    def dark(self) -> bool:
        """Whether the theme in use is the dark one."""
        return is_dark()

    def track_action(self, theme: Theme, action: QAction) -> None:
        """Make ``action`` choose ``theme`` (through the controller's action group) and
        keep it checked while that is the one."""
        action.setCheckable(True)
        self._actions[theme] = action
        self._group.addAction(action)
        self._sync_actions()

    def choose(self, theme: Theme) -> None:
        """Switch to ``theme`` and save it in the preferences."""
        prefs = self._preferences.current.updated(theme=theme)
        start_task(self._save(prefs))

    def _on_group_triggered(self, action: QAction) -> None:
        theme = next((t for t, a in self._actions.items() if a is action), None)
        if theme is not None:
            self.choose(theme)

    async def _save(self, prefs: Preferences) -> None:
        try:
            await self._preferences.save(prefs)
        except StoreError as exc:
            self._preferences.apply(prefs)  # used until the app quits, even unsaved
            report = getattr(self._window, "report_problem", None)
            if report is not None:
                report(f"The theme is used but could not be saved: {exc}")

    def _settle(self) -> None:
        from PySide6.QtCore import Qt

        self._settled = True
        scheme = QGuiApplication.styleHints().colorScheme()
        if scheme != Qt.ColorScheme.Unknown:
            self._system_dark = scheme == Qt.ColorScheme.Dark
        self._apply(self._preferences.current)

    def _on_preferences_changed(self, prefs: Preferences) -> None:
        self._apply(prefs)

    def _on_hints_color_scheme_changed(self, scheme: object) -> None:
        from PySide6.QtCore import Qt

        # Also emitted when this app asks for a scheme: only the system's is followed.
        if self._preferences.current.theme == "system" and scheme != Qt.ColorScheme.Unknown:
            self._system_dark = scheme == Qt.ColorScheme.Dark
            self._apply(self._preferences.current)

    def _apply(self, prefs: Preferences) -> None:
        if self._settled:
            self._request_scheme(prefs.theme)
        dark = self._system_dark if prefs.theme == "system" else prefs.theme == "dark"
        apply_palette(dark)
        apply_font_size(prefs.font_size)
        self._sync_actions()

    def _request_scheme(self, theme: Theme) -> None:
        """Ask the OS for the chosen scheme (title bars, native dialogs), or for its own."""
        from PySide6.QtCore import Qt

        if theme == self._requested:
            return
        hints = QGuiApplication.styleHints()
        self._requested = theme
        if theme == "system":
            hints.unsetColorScheme()
            scheme = hints.colorScheme()
            if scheme != Qt.ColorScheme.Unknown:
                self._system_dark = scheme == Qt.ColorScheme.Dark
        else:
            hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)

    def _sync_actions(self) -> None:
        for theme, action in self._actions.items():
            action.setChecked(theme == self._preferences.current.theme)


def http_status_tone(code: int) -> str:
    """The semantic colour of an HTTP status: success (2xx), info (3xx), warning (4xx),
    error (5xx)."""
    if code >= 500:
        return "error"
    if code >= 400:
        return "warning"
    return "info" if code >= 300 else "success"


def show_status(label: QLabel, html: str, color: str) -> None:
    """Put ``html`` in a status line in ``color``: one of :data:`SEMANTIC_NAMES` (shown
    in the theme's shade, also after a switch) or any style sheet colour such as
    ``palette(mid)``."""
    label.setText(html)
    themed_style(label, f"color: ${color}" if color in SEMANTIC_NAMES else f"color: {color}")
