"""The auth a folder gives the requests inside it, or (relpath ``""``) the collection's
auth and the client certificates it presents per host.

Opened from the sidebar's context menu. Save writes through the workspace (which saves
secrets in the secret store, not in the files) and closes only once everything is
written; a failure is shown in the dialog, which stays open with what was typed. Cancel
writes nothing; what an earlier Save wrote stays. While a save runs, Cancel (and Esc,
and closing the window) wait for it: the dialog is deleted once closed, and a save
finishing on a deleted dialog would crash.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from apiclient.core.errors import CoreError
from apiclient.core.models import AUTH_KINDS, Auth, ClientCertificate, inherit_auth
from apiclient.core.store import FolderNode
from apiclient.ui import dialogs
from apiclient.ui.client_certificates_editor import ClientCertificatesEditor
from apiclient.ui.saving_dialog import SavingDialog
from apiclient.ui.theme import themed_style
from apiclient.ui.widgets.auth_editor import AuthEditor
from apiclient.ui.workspace import NoCollectionError, Workspace

COLLECTION_KINDS = tuple(kind for kind in AUTH_KINDS if kind != "inherit")
"""The collection is the top: it has nothing to inherit from."""
_ERROR_STYLE = (
    "QLabel { background: $removed; color: $error; border: 1px solid $error;"
    " border-radius: 4px; padding: 6px; }"
)


class FolderSettingsDialog(SavingDialog):
    """Edits the auth of the folder at ``relpath`` (``""``: the collection, with its
    client certificates). Named ``folder_settings``; its auth fields ``folder.auth.*``,
    the certificates ``certificates.*``."""

    def __init__(self, workspace: Workspace, relpath: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="folder_settings")
        self._workspace = workspace
        self._relpath = relpath
        self.is_collection = relpath == ""
        name = self._name()
        self.setWindowTitle(
            f"Collection '{name}': auth and certificates"
            if self.is_collection
            else f"Folder '{name}': auth"
        )

        kinds = COLLECTION_KINDS if self.is_collection else AUTH_KINDS
        self.auth = AuthEditor("folder", kinds=kinds)
        # A token is got from a request's Auth tab, for the environment in use there.
        self.auth.oauth2.token_box.hide()
        if self.is_collection:
            intro = (
                "The auth every request of the collection sends when its own auth, and"
                " that of its folders, is 'Inherit from parent'."
            )
        else:
            intro = (
                "The auth the requests in this folder send when their own auth is"
                " 'Inherit from parent'. Left on 'Inherit from parent', the folder passes"
                " on its parent folder's or the collection's."
            )
        self.intro = QLabel(intro, wordWrap=True, objectName="folder_settings.intro")
        self.intro.setStyleSheet("color: palette(mid)")
        auth_page = QWidget()
        auth_layout = QVBoxLayout(auth_page)
        auth_layout.addWidget(self.intro)
        auth_layout.addWidget(self.auth, 1)

        self.certificates: ClientCertificatesEditor | None = None
        self.error = QLabel(objectName="folder_settings.error", wordWrap=True, visible=False)
        themed_style(self.error, _ERROR_STYLE)
        buttons = QDialogButtonBox()
        self.save = dialogs.add_accept_cancel(buttons, "folder_settings", "Save")
        self.cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.save.clicked.connect(self._on_save_clicked)

        layout = QVBoxLayout(self)
        if self.is_collection:
            self.certificates = ClientCertificatesEditor()
            self.tabs = QTabWidget(objectName="folder_settings.tabs")
            self.tabs.addTab(auth_page, "Auth")
            self.tabs.addTab(self.certificates, "Client certificates")
            layout.addWidget(self.tabs, 1)
            self.certificates.edited.connect(lambda: self.certificates.show_problem(""))
            self.resize(980, 520)
        else:
            layout.addWidget(auth_page, 1)
            self.resize(600, 400)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.set_values(
            workspace.folder_auth(relpath),
            workspace.client_certificates() if self.is_collection else [],
        )

    def set_values(self, auth: Auth, certificates: list[ClientCertificate]) -> None:
        """Show ``auth`` and (for the collection) ``certificates``; these count as saved."""
        if self.is_collection and auth.kind == "inherit":
            auth = auth.model_copy(update={"kind": "none"})  # the model's default
        self.auth.set_auth(auth)
        if self.certificates is not None:
            self.certificates.set_certificates(certificates)
        self._saved_auth = self.auth.auth()
        self._saved_certificates = self.client_certificates()
        self._show_effective()

    def values(self) -> tuple[Auth, list[ClientCertificate]]:
        return self.auth.auth(), self.client_certificates()

    def client_certificates(self) -> list[ClientCertificate]:
        return self.certificates.certificates() if self.certificates is not None else []

    def _name(self) -> str:
        if self.is_collection:
            store = self._workspace.store
            return store.name if store is not None else ""
        node = self._workspace.find(self._relpath)
        return node.name if isinstance(node, FolderNode) else self._relpath

    def _show_effective(self) -> None:
        """What 'Inherit from parent' passes on, from the folders above this one."""
        if not self.is_collection:
            self.auth.show_effective(*self._workspace.effective_auth(self._relpath, inherit_auth()))

    @asyncSlot()
    async def _on_save_clicked(self) -> None:
        self.show_error("")
        if self.certificates is not None:
            problem = self.certificates.problem()
            self.certificates.show_problem(problem)
            if problem:
                self.tabs.setCurrentWidget(self.certificates)
                return
        auth, certificates = self.values()
        self._set_saving(True)
        try:
            if auth != self._saved_auth:
                await self._workspace.save_folder_auth(self._relpath, auth)
                if not shiboken6.isValid(self):
                    return
                self._saved_auth = auth
            if self.is_collection and certificates != self._saved_certificates:
                await self._workspace.save_client_certificates(certificates)
                if not shiboken6.isValid(self):
                    return
                self._saved_certificates = certificates
        except (CoreError, NoCollectionError) as exc:
            if shiboken6.isValid(self):
                self.show_error(f"Not saved: {exc}")
            return
        finally:
            if shiboken6.isValid(self):
                self._set_saving(False)
        self.accept()

    def _saving_changed(self, saving: bool) -> None:
        self.save.setEnabled(not saving)
        self.cancel.setEnabled(not saving)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
