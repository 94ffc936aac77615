"""The line beside Send that says certificate checks are off for the request in view.

The Settings (or TLS) page already warns where the switch is; this line keeps the risk in
sight where a person sends, whatever page is in front."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from apiclient.ui.theme import themed_style

REQUEST_TEXT = "⚠ TLS certificate verification is off for this request"
CONNECTION_TEXT = "⚠ TLS certificate verification is off for this connection (wss://)"


class TlsOffWarning(QLabel):
    """A red line named ``<prefix>.tls_warning``, shown only while verification is off."""

    def __init__(self, prefix: str, text: str = REQUEST_TEXT, parent: QWidget | None = None):
        super().__init__(text, parent, objectName=f"{prefix}.tls_warning", wordWrap=True)
        themed_style(self, "color: $error")
        self.setToolTip(
            "Anyone on the network path could read or change the traffic. Turn "
            "verification back on in Settings, or trust the server's CA with a CA file."
        )
        self.setVisible(False)

    def show_verified(self, verified: bool) -> None:
        """Hide the line while certificates are checked, show it while they are not."""
        self.setVisible(not verified)
