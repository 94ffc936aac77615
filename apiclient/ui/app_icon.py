"""The application icon, for the window and the task bar.

Built from the PNG sizes rendered from ``icons/apiclient.svg`` (packaging/render_icons.sh):
PNG is read by QtGui itself, while an SVG would need the QtSvg module and its image
plugin, which the PyInstaller bundle leaves out.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from apiclient.core.paths import resources_dir

# The sizes packaging/render_icons.sh renders and install.sh installs into the icon theme.
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The icon in every rendered size; Qt picks the nearest one for each use."""
    icon = QIcon()
    folder = resources_dir() / "icons"
    for size in ICON_SIZES:
        icon.addFile(str(folder / f"apiclient-{size}.png"), QSize(size, size))
    return icon
