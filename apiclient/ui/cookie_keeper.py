"""Keeps the one shared cookie jar on the chosen (collection, environment) and on disk.

The engines hold a single :class:`PersistentCookieJar` for the window's whole life; when
another collection opens or another environment is chosen, the jar's content is swapped
(the old one saved first), so no engine needs a new jar. Changes are saved shortly after
they happen, all of a burst in one write, in a worker thread, and at shutdown.

Which jar a response's cookies belong to: the jar cannot tell which environment a
request was sent under, so the rule is by time. Cookies go to the environment whose
cookies the jar holds when they arrive. From a switch until the new environment's file
is loaded (a file read: a few milliseconds), what arrives comes from requests sent
before the switch, so it goes to the environment held before (merged into its file,
never into the new jar). A file is written whole only once it was loaded into the jar;
before that (a switch again during the load), what the jar holds is merged into it, so
its cookies are never lost. A file that did not load is never written by a response;
when the user edits cookies over it, it is first moved aside
(``<hash>.broken-<time>.json``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from apiclient.core.cookie_store import (
    PersistentCookieJar,
    cookie_file,
    load_cookies,
    merged,
    save_cookies,
    set_aside,
)
from apiclient.core.errors import StoreError
from apiclient.ui.tasks import start_task

if TYPE_CHECKING:
    from http.cookiejar import Cookie

    from apiclient.ui.workspace import Workspace

SAVE_DELAY_MS = 300
"""How long after a change the jar is written: a burst of responses makes one write."""

JarKey = tuple[str, str]  # (collection folder or "", environment name or "")


class CookieKeeper(QObject):
    """Signals:
    jar_changed: the jar's cookies changed (a response, an edit), from any thread.
    switched: the jar now holds the cookies of another collection or environment.
    saved: the jar was written to disk.
    problem_reported(str): a cookie file could not be read or written.
    """

    jar_changed = Signal()
    switched = Signal()
    saved = Signal()
    problem_reported = Signal(str)

    def __init__(self, workspace: Workspace, jar: PersistentCookieJar) -> None:
        super().__init__(workspace)
        self.jar = jar
        self._workspace = workspace
        self._key: JarKey | None = None  # None until the first collection or environment
        # Whether the jar holds the file of ``_key`` (its load completed), and the key
        # whose cookies it holds: until the load completes, the one held before.
        self._loaded = False
        self._home: JarKey | None = None
        self._switches = 0  # counts switches, so a load knows it is still wanted
        self._saved_changes = jar.changes  # the jar's change count when it matched its file
        # Keys whose file could not be read: not overwritten until the user edits cookies.
        self._broken: set[JarKey] = set()
        self._set_aside: set[JarKey] = set()  # broken ones to move aside before a write
        self._io_lock = asyncio.Lock()  # one file read or write at a time, in order
        self._writes: set[asyncio.Task[None]] = set()
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._timer.timeout.connect(lambda: self._track(start_task(self.save())))
        jar.on_change = self._on_jar_change
        self.jar_changed.connect(self._on_jar_changed)
        workspace.collection_opened.connect(self.follow)
        workspace.environment_selected.connect(self.follow)

    @property
    def environment(self) -> str:
        """The environment whose cookies the jar holds ("" for none)."""
        return self._key[1] if self._key is not None else ""

    @property
    def collection_name(self) -> str:
        """The name of the collection whose cookies the jar holds."""
        store = self._workspace.store
        return store.name if store is not None and self._key and self._key[0] else "no collection"

    @property
    def unreadable(self) -> bool:
        """Whether the current jar's file could not be read (and is left as it is)."""
        return self._key in self._broken

    def follow(self, *_args: object) -> None:
        """Make the jar hold the cookies of the chosen collection and environment: the
        old ones are saved, the new ones loaded (what arrives meanwhile goes to the old ones,
        as the module docstring says)."""
        store = self._workspace.store
        key = (str(store.root) if store is not None else "", self._workspace.environment_name)
        if key == self._key:
            return
        old = self._key
        if old is not None and self._renamed(old, key):
            self._take_over(old, key)
            return
        home = self._home if self._home is not None else old  # the first jar: its own
        if home is not None and self._dirty():
            # Before the load completed the jar holds only what arrived since: merge it.
            whole = self._loaded
            self._track(start_task(self._write(home, self.jar.snapshot(), merge=not whole)))
        self._key = key
        self._loaded = False
        self._switches += 1
        self.jar.replace_all([])
        self._saved_changes = self.jar.changes
        self._track(start_task(self._load(key, self._switches)))

    def _renamed(self, old: JarKey, new: JarKey) -> bool:
        """Whether the environment held was renamed: it is gone and the workspace names
        another one in the same collection (a deleted one leaves no environment chosen)."""
        names = {env.name for env in self._workspace.environments()}
        return old[0] == new[0] and bool(old[1]) and bool(new[1]) and old[1] not in names

    def _take_over(self, old: JarKey, new: JarKey) -> None:
        """Keep the jar's cookies under the environment's new name (its file moves)."""
        self._key = new
        if self._home == old:
            self._home = new
        if old in self._broken:  # a damaged file stays where it is, for the user to see
            self._broken.add(new)
            return
        self._saved_changes = self.jar.changes - 1  # written under the new name shortly
        self._track(start_task(self._move(old)))

    async def _move(self, old: JarKey) -> None:
        await self.save()
        async with self._io_lock:
            if not self._dirty():  # written under the new name: the old file may go
                with contextlib.suppress(OSError):  # if it stays, it is never read again
                    await asyncio.to_thread(cookie_file(*old).unlink, missing_ok=True)

    def user_changed(self) -> None:
        """The user edited cookies by hand: the current file may now be replaced even if
        it could not be read, and the change is saved shortly."""
        if self._key is not None and self._key in self._broken:
            self._broken.discard(self._key)
            self._set_aside.add(self._key)
        self._timer.start()

    async def save(self) -> None:
        """Write the jar now if it changed since it was loaded or last written."""
        async with self._io_lock:
            key = self._key
            if key is None or not self._loaded or key in self._broken or not self._dirty():
                return  # before the load completes, the load takes care of what arrived
            changes = self.jar.changes
            if await self._save_file(key, self.jar.snapshot()) and key == self._key:
                self._saved_changes = changes

    async def flush(self) -> None:
        """Finish every pending read and write, and write any unsaved change (at quit;
        the window, and this object's Qt half, may already be gone)."""
        if isValid(self):
            self._timer.stop()
        while pending := [task for task in self._writes if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)
        await self.save()

    def detach(self) -> None:
        """Stop hearing from the jar (the window is going; batch threads may still run)."""
        self.jar.on_change = None
        if isValid(self):
            self._timer.stop()

    def _dirty(self) -> bool:
        return self.jar.changes != self._saved_changes

    def _on_jar_change(self) -> None:
        """Called by the jar from whichever thread changed it; Qt queues the signal to
        this object's thread."""
        if isValid(self):
            self.jar_changed.emit()

    def _on_jar_changed(self) -> None:
        if not self._timer.isActive():  # not restarted: a steady stream still saves
            self._timer.start()

    def _track(self, task: asyncio.Task[None]) -> None:
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _load(self, key: JarKey, switch: int) -> None:
        """Load the file of ``key`` into the jar, unless another switch came since
        (``switch`` counts them); an environment renamed meanwhile keeps it under its
        new name (written there shortly)."""
        async with self._io_lock:
            try:
                cookies = await asyncio.to_thread(load_cookies, cookie_file(*key))
                failed: StoreError | None = None
            except StoreError as exc:
                cookies, failed = [], exc
            wanted, current = switch == self._switches, self._key
            if failed is not None:
                self._broken.add(key)
                if wanted and current is not None:
                    self._broken.add(current)  # renamed meanwhile: the file is this one's
                if isValid(self):
                    self.problem_reported.emit(str(failed))
            if not wanted or current is None:
                return  # switched again meanwhile: that switch merged what arrived
            arrived = self.jar.snapshot()  # since the switch: sent before it (see above)
            home = self._home
            if home is None:  # the first jar: nothing held before, they are this one's
                self.jar.replace_all(merged(cookies, arrived))
            else:
                self.jar.replace_all(cookies)
                # Renamed meanwhile: not yet written under the new name.
                self._saved_changes = self.jar.changes - (current != key)
                if arrived:
                    await self._merge_into(home, arrived)
            self._home, self._loaded = current, True
        if isValid(self):
            if self._dirty():
                self._timer.start()
            self.switched.emit()

    async def _write(self, key: JarKey, cookies: list[Cookie], *, merge: bool) -> None:
        async with self._io_lock:
            if merge:
                await self._merge_into(key, cookies)
            elif key not in self._broken:
                await self._save_file(key, cookies)

    async def _merge_into(self, key: JarKey, cookies: list[Cookie]) -> None:
        """Add ``cookies`` to the file of ``key`` (with the I/O lock held); a file that
        does not load is left as it is, and these cookies dropped."""
        if key in self._broken:
            return
        try:
            held = await asyncio.to_thread(load_cookies, cookie_file(*key))
        except StoreError as exc:
            if isValid(self):
                self.problem_reported.emit(f"Cookies not saved: {exc}")
            return
        await self._save_file(key, merged(held, cookies))

    async def _save_file(self, key: JarKey, cookies: list[Cookie]) -> bool:
        path = cookie_file(*key)
        try:
            if key in self._set_aside:
                await asyncio.to_thread(set_aside, path)
                self._set_aside.discard(key)
            await asyncio.to_thread(save_cookies, path, cookies, *key)
        except StoreError as exc:
            if isValid(self):
                self.problem_reported.emit(f"Cookies not saved: {exc}")
            return False
        if isValid(self):
            self.saved.emit()
        return True
