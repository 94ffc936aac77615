"""The collection's client certificates, one row per host: the host, a PEM certificate
and key or a PKCS#12 file, the passphrase that unlocks them (masked), and whether the
row is in use.

Rows are plain widgets in a table (a collection has a handful), each named
``certificates.<row>.<field>``; :meth:`ClientCertificatesEditor.problem` says what would
stop the list from being saved, in a sentence, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.models import ClientCertificate
from apiclient.ui import dialogs
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.secret_line_edit import SecretLineEdit

PEM_FILTER = "PEM files (*.pem *.crt *.cer *.key);;All files (*)"
PFX_FILTER = "PKCS#12 files (*.p12 *.pfx);;All files (*)"
COLUMNS = ("Host", "CRT file", "KEY file", "PFX file", "Passphrase", "Enabled", "")
_FILES = (
    ("cert_file", "Choose the certificate (PEM)", PEM_FILTER),
    ("key_file", "Choose its private key (PEM)", PEM_FILTER),
    ("pfx_file", "Choose the PKCS#12 file", PFX_FILTER),
)


def certificate_problem(row: int, cert: ClientCertificate) -> str:
    """What is wrong with the certificate of (1-based) ``row``; ``""`` when nothing is."""
    where = f"Certificate {row}"
    if not cert.host.strip():
        return f"{where}: type the host it is for, e.g. api.example.com or *.example.com:8443."
    where = f"Certificate for {cert.host.strip()}"
    pem = bool(cert.cert_file.strip() or cert.key_file.strip())
    pfx = bool(cert.pfx_file.strip())
    if pem and pfx:
        return f"{where}: give either a CRT and KEY file or a PFX file, not both."
    if pfx:
        return ""
    if not cert.cert_file.strip():
        return f"{where}: choose its CRT file and KEY file (PEM), or a PFX file."
    if not cert.key_file.strip():
        return f"{where}: choose the KEY file that goes with its CRT file."
    return ""


class _Row:
    """The widgets of one certificate."""

    def __init__(self, index: int, browse: Callable[[QLineEdit, str, str], object]) -> None:
        name = f"certificates.{index}"
        self.host = QLineEdit(objectName=f"{name}.host", placeholderText="host[:port]")
        self.host.setToolTip(
            "The host this certificate is shown to: a name, *.domain for its subdomains,"
            " and :port for one port only"
        )
        self.files: dict[str, QLineEdit] = {}
        self.cells: dict[str, QWidget] = {}
        for field, title, name_filter in _FILES:
            line = QLineEdit(objectName=f"{name}.{field}")
            line.setToolTip(title.replace("Choose", "The file of"))
            button = QToolButton(text="…", objectName=f"{name}.{field}.browse")
            button.setToolTip(f"{title}…")
            button.clicked.connect(
                lambda _c=False, ln=line, t=title, f=name_filter: browse(ln, t, f)
            )
            cell = QWidget()
            box = QHBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(line, 1)
            box.addWidget(button)
            self.files[field] = line
            self.cells[field] = cell
        self.passphrase = SecretLineEdit(f"{name}.passphrase")
        self.passphrase.setToolTip(
            "Unlocks the key or the PFX file; kept in the secret store, never in the"
            " collection's files"
        )
        self.enabled = QCheckBox(objectName=f"{name}.enabled")
        self.enabled.setToolTip("Present this certificate (off: keep it, but do not use it)")
        self.remove = QToolButton(text="Remove", objectName=f"{name}.remove")
        self.remove.setToolTip("Remove this certificate from the list")

    def set_certificate(self, cert: ClientCertificate) -> None:
        self.host.setText(cert.host)
        for field, line in self.files.items():
            line.setText(getattr(cert, field))
        self.passphrase.set_secret(cert.passphrase)
        self.enabled.setChecked(cert.enabled)

    def certificate(self) -> ClientCertificate:
        files = {field: line.text().strip() for field, line in self.files.items()}
        return ClientCertificate(
            host=self.host.text().strip(),
            passphrase=self.passphrase.text(),
            enabled=self.enabled.isChecked(),
            **files,
        )

    def retire(self) -> None:
        """Give up the row's names: Qt deletes its widgets later, and a search by name
        must find the row that replaces it, not these."""
        for widget in self.widgets():
            for named in (widget, *widget.findChildren(QObject)):
                named.setObjectName("")

    def widgets(self) -> list[QWidget]:
        return [
            self.host,
            *self.cells.values(),
            self.passphrase,
            self.enabled,
            self.remove,
        ]


class ClientCertificatesEditor(QWidget):
    """Edits a list of ``ClientCertificate``.

    Signals:
        edited: the user changed, added or removed a certificate.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self.table = QTableWidget(0, len(COLUMNS), objectName="certificates.table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        for column in range(1, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column in (0, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, 200 if column == 0 else 120)
        for column in (5, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.add = QPushButton("Add certificate", objectName="certificates.add")
        self.add.setToolTip("Add a row for another host")
        self.note = QLabel(
            "Shown to the servers that ask for one, by host. Give a PEM certificate and"
            " its key, or a PKCS#12 (.pfx/.p12) file.",
            wordWrap=True,
        )
        self.note.setStyleSheet("color: palette(mid)")
        self.problem_label = QLabel(objectName="certificates.problem", wordWrap=True)
        themed_style(self.problem_label, "color: $error")
        self.problem_label.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.problem_label)
        self.add.clicked.connect(self._on_add_clicked)

    def set_certificates(self, certs: list[ClientCertificate]) -> None:
        """Show ``certs``; does not emit ``edited``."""
        for row in self._rows:
            row.retire()
        self.table.setRowCount(0)
        self._rows = []
        for cert in certs:
            self._append(cert)
        self._place_rows()
        self.show_problem("")

    def certificates(self) -> list[ClientCertificate]:
        return [row.certificate() for row in self._rows]

    def problem(self) -> str:
        """The first thing that stops the list from being saved; ``""`` when none."""
        for index, cert in enumerate(self.certificates(), start=1):
            text = certificate_problem(index, cert)
            if text:
                return text
        return ""

    def show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def _append(self, cert: ClientCertificate) -> _Row:
        row = _Row(len(self._rows), self._browse)
        row.set_certificate(cert)
        position = self.table.rowCount()
        self.table.insertRow(position)
        for column, widget in enumerate(row.widgets()):
            if column == 5:  # centre the check box in its cell
                cell = QWidget()
                box = QHBoxLayout(cell)
                box.setContentsMargins(0, 0, 0, 0)
                box.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
                widget = cell
            self.table.setCellWidget(position, column, widget)
        for line in (row.host, *row.files.values(), row.passphrase):
            line.textEdited.connect(self.edited)
        row.enabled.toggled.connect(self.edited)
        row.remove.clicked.connect(lambda _c=False, r=row: self._remove(r))
        self._rows.append(row)
        return row

    def _place_rows(self) -> None:
        """Put the rows' widgets in their cells now rather than at the next layout pass,
        so none is drawn (or clicked) at the table's corner meanwhile."""
        self.table.doItemsLayout()
        self.table.updateEditorGeometries()

    def _on_add_clicked(self) -> None:
        row = self._append(ClientCertificate(host=""))
        self._place_rows()
        row.host.setFocus()
        self.edited.emit()

    def _remove(self, row: _Row) -> None:
        kept = [r.certificate() for r in self._rows if r is not row]
        self.set_certificates(kept)  # rows are renamed by position
        self.edited.emit()

    @asyncSlot()
    async def _browse(self, line: QLineEdit, title: str, name_filter: str) -> None:
        path = await dialogs.open_file(self, title, line.text(), name_filter)
        if path:
            line.setText(path)
            self.edited.emit()
