"""Cookie jars that outlive the app: one file per (collection, environment).

Cookies are credentials, so they never go into collection files: each jar is a JSON file
under the data dir (``cookies/<hash>.json``, 0600), named by a hash of the collection's
folder and the environment's name, which are also written inside for a person reading
it. Every attribute http.cookiejar keeps is kept (host-only versus domain cookies,
HttpOnly and other non-standard attributes, session cookies too: like Postman, they last
until cleared); cookies already expired are dropped on load. A file that does not load
is never overwritten: before the user's edits replace it, it is moved aside
(``<hash>.broken-<time>.json``) for a person to look at.

:class:`PersistentCookieJar` is the one jar the engines share: it counts its changes and
tells a listener, and :meth:`PersistentCookieJar.replace_all` swaps its whole content
when another collection or environment is chosen, so engines never need a new jar.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from http.cookiejar import Cookie, CookieJar
from pathlib import Path
from typing import Any

from apiclient.core.atomic import atomic_write_text
from apiclient.core.errors import StoreError
from apiclient.core.paths import data_dir, ensure_dir

FORMAT_VERSION = 1
FILE_MODE = 0o600
HTTP_ONLY = "HttpOnly"
_DOMAIN = re.compile(r"\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_BAD_NAME = re.compile(r"[\s;,=\"\\]|[\x00-\x1f\x7f]")
_BAD_VALUE = re.compile(r"[;\x00-\x1f\x7f]")

_STR = (str,)
_OPT_STR = (str, type(None))
_BOOL = (bool,)
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "version": (int, type(None)),
    "name": _STR,
    "value": _OPT_STR,  # None: a cookie with no "=", as http.cookiejar keeps it
    "port": _OPT_STR,
    "port_specified": _BOOL,
    "domain": _STR,
    "domain_specified": _BOOL,
    "domain_initial_dot": _BOOL,
    "path": _STR,
    "path_specified": _BOOL,
    "secure": _BOOL,
    "expires": (int, float, type(None)),
    "discard": _BOOL,
    "comment": _OPT_STR,
    "comment_url": _OPT_STR,
    "rfc2109": _BOOL,
}
"""The JSON type of each attribute: http.cookiejar fails on a request to the cookie's
host (TypeError) when one is wrong, so a file holding one is damaged."""

_FIELDS = (
    "version",
    "name",
    "value",
    "port",
    "port_specified",
    "domain",
    "domain_specified",
    "domain_initial_dot",
    "path",
    "path_specified",
    "secure",
    "expires",
    "discard",
    "comment",
    "comment_url",
    "rfc2109",
)


class PersistentCookieJar(CookieJar):
    """A thread-safe jar that reports each change (a response's cookie, a deletion).

    ``on_change`` is called after every change, from whichever thread made it (a batch
    run sends from worker threads), with the jar's lock held: it must only note or
    queue the change, never block.
    """

    # http.cookiejar's own lock (an RLock) and store (domain -> path -> name -> cookie),
    # which its methods use too; typeshed leaves them out.
    _cookies_lock: AbstractContextManager[Any]
    _cookies: dict[str, dict[str, dict[str, Cookie]]]

    def __init__(self) -> None:
        super().__init__()
        self.on_change: Callable[[], None] | None = None
        self._changes = 0

    @property
    def changes(self) -> int:
        """How many changes were made since the jar was created (loads do not count)."""
        return self._changes

    def set_cookie(self, cookie: Cookie) -> None:
        # The base class reads ``_cookies`` before it takes the lock: take it first, so a
        # cookie arriving during replace_all lands in the new content, not the old.
        with self._cookies_lock:
            super().set_cookie(cookie)
            self._changed()

    def clear(
        self, domain: str | None = None, path: str | None = None, name: str | None = None
    ) -> None:
        with self._cookies_lock:
            super().clear(domain, path, name)  # KeyError when nothing matches: no change
            self._changed()

    def replace_all(self, cookies: Iterable[Cookie]) -> None:
        """Hold exactly ``cookies`` from now on (a load: not counted as a change)."""
        fresh: dict[str, dict[str, dict[str, Cookie]]] = {}
        for cookie in cookies:
            fresh.setdefault(cookie.domain, {}).setdefault(cookie.path, {})[cookie.name] = cookie
        with self._cookies_lock:
            # A new dict rather than edits, so a thread iterating the old one is unharmed.
            self._cookies = fresh

    def snapshot(self) -> list[Cookie]:
        """The cookies held now; each a copy, so later edits of the jar leave it alone."""
        with self._cookies_lock:
            return [_copy(cookie) for cookie in self]

    def _changed(self) -> None:
        self._changes += 1
        if self.on_change is not None:
            self.on_change()


def cookie_file(collection: str, environment: str, base: Path | None = None) -> Path:
    """The file of the jar of ``environment`` in the collection at ``collection`` ("" for
    no collection); ``base`` defaults to the data dir."""
    digest = hashlib.sha256(f"{collection}\0{environment}".encode()).hexdigest()[:32]
    return (base if base is not None else data_dir()) / "cookies" / f"{digest}.json"


def load_cookies(path: Path, now: float | None = None) -> list[Cookie]:
    """The unexpired cookies in ``path`` (none if it does not exist yet).

    Raises ``StoreError`` (path and reason) when the file cannot be read or is not a
    cookie file; the caller must then leave it as it is."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(
            f"Could not read the cookies in {path}: {exc}. It was left as it is.", path
        ) from exc
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError(f"not a version {FORMAT_VERSION} cookie file")
        cookies = [cookie_from_dict(item) for item in data["cookies"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(
            f"The cookie file {path} is damaged ({exc}). It was left as it is; "
            "cookies set from now on are kept for this session only, until you change "
            "cookies in Request > Cookies…, which replaces it.",
            path,
        ) from exc
    moment = time.time() if now is None else now
    return [cookie for cookie in cookies if not cookie.is_expired(int(moment))]


def save_cookies(path: Path, cookies: Iterable[Cookie], collection: str, environment: str) -> None:
    """Write ``cookies`` to ``path`` atomically, readable by the user alone; raises
    ``StoreError`` worded for a person."""
    data = {
        "version": FORMAT_VERSION,
        "collection": collection,
        "environment": environment,
        "cookies": [cookie_to_dict(cookie) for cookie in cookies],
    }
    ensure_dir(path.parent)
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=FILE_MODE)


def cookie_to_dict(cookie: Cookie) -> dict[str, Any]:
    """Every attribute of ``cookie``, as JSON values."""
    data = {field: getattr(cookie, field) for field in _FIELDS}
    # http.cookiejar offers no public view of the non-standard attributes (HttpOnly...).
    data["rest"] = dict(cookie._rest)  # type: ignore[attr-defined]
    return data


def cookie_from_dict(data: dict[str, Any]) -> Cookie:
    """The cookie :func:`cookie_to_dict` wrote; ``ValueError``/``KeyError``/``TypeError``
    when ``data`` is not one (an attribute missing or of the wrong type)."""
    if not isinstance(data["name"], str) or not isinstance(data["domain"], str):
        raise ValueError("a cookie without a name or domain")
    for field in _FIELDS:
        value = data[field]
        # bool is an int: an expiry of true is as wrong as one of "soon".
        if not isinstance(value, _FIELD_TYPES[field]) or (
            isinstance(value, bool) and bool not in _FIELD_TYPES[field]
        ):
            raise ValueError(f"cookie {data['name']!r} has a bad {field}: {value!r}")
    rest = data.get("rest") or {}
    if not isinstance(rest, dict) or not all(
        isinstance(k, str) and isinstance(v, _OPT_STR) for k, v in rest.items()
    ):
        raise ValueError(f"cookie {data['name']!r} has bad attributes")
    return Cookie(**{field: data[field] for field in _FIELDS}, rest=rest)


def merged(held: Iterable[Cookie], arrived: Iterable[Cookie]) -> list[Cookie]:
    """``held`` with ``arrived`` added, an arrived cookie replacing the held one of the
    same domain, path and name."""
    by_key = {(c.domain, c.path, c.name): c for c in held}
    by_key.update({(c.domain, c.path, c.name): c for c in arrived})
    return list(by_key.values())


def set_aside(path: Path) -> Path:
    """Move the damaged cookie file ``path`` out of the way, to
    ``<name>.broken-<time>.json`` beside it, and return where; raises ``StoreError``
    when it cannot be moved (it must then not be replaced)."""
    stamp = f"{path.stem}.broken-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    target, n = path.with_name(f"{stamp}.json"), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{stamp}-{n}.json")
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return path  # gone already: nothing to keep
    except OSError as exc:
        raise StoreError(
            f"Cookies not saved: the damaged cookie file {path} could not be moved aside "
            f"({exc.strerror or exc}), and it is never overwritten.",
            path,
        ) from exc
    return target


def new_cookie(
    *,
    domain: str,
    name: str,
    value: str,
    path: str = "/",
    expires: float | None = None,
    secure: bool = False,
    http_only: bool = False,
    now: float | None = None,
) -> Cookie:
    """A cookie typed by a person, as http.cookiejar would have stored it from a response.

    ``domain`` with a leading dot (``.example.com``) is a domain cookie, also sent to
    subdomains; without one it is sent to that host alone. ``expires`` None makes a
    session cookie. Raises ``ValueError`` saying what to correct.
    """
    name = name.strip()
    if not name or _BAD_NAME.search(name):
        raise ValueError(
            "A cookie needs a name without spaces, quotes or any of = ; , \\ (e.g. session_id)."
        )
    if _BAD_VALUE.search(value):
        raise ValueError("A cookie's value cannot hold ; or line breaks.")
    domain = domain.strip().lower()
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(
            f"{domain or 'An empty domain'} is not a host name: type one like api.example.com, "
            "127.0.0.1, or .example.com to include its subdomains."
        )
    path = path.strip() or "/"
    if not path.startswith("/"):
        raise ValueError(f"The path {path} must start with / (e.g. / or /api).")
    if expires is not None and expires <= (time.time() if now is None else now):
        raise ValueError(
            "That expiry is in the past, which would delete the cookie at once: choose a "
            "later one, or none for a session cookie."
        )
    rest: dict[str, Any] = {HTTP_ONLY: None} if http_only else {}  # a flag has no value
    host_only = not domain.startswith(".")
    if host_only and "." not in domain:
        domain += ".local"  # how http.cookiejar names a dotless host (localhost)
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=not host_only,
        domain_initial_dot=not host_only,
        path=path,
        path_specified=True,
        secure=secure,
        expires=int(expires) if expires is not None else None,
        discard=expires is None,
        comment=None,
        comment_url=None,
        rest=rest,
    )


def edited_cookie(original: Cookie, edited: Cookie) -> Cookie:
    """``original`` with the value, path, expiry, Secure and HttpOnly of ``edited``; the
    rest (domain kind, port, other attributes) as the server set it."""
    data = cookie_to_dict(original)
    for field in ("value", "path", "path_specified", "expires", "discard", "secure"):
        data[field] = getattr(edited, field)
    rest = {k: v for k, v in data["rest"].items() if k.lower() != HTTP_ONLY.lower()}
    if is_http_only(edited):
        rest[HTTP_ONLY] = None
    data["rest"] = rest
    return cookie_from_dict(data)


def is_http_only(cookie: Cookie) -> bool:
    return cookie.has_nonstandard_attr(HTTP_ONLY) or cookie.has_nonstandard_attr("httponly")


def parse_expiry(text: str) -> float | None:
    """``2026-12-31``, ``2026-12-31 23:59`` or any ISO 8601 date and time (UTC unless it
    says otherwise) as epoch seconds; "" (a session cookie) as None. ``ValueError`` says
    what to type."""
    text = text.strip()
    if not text or text.lower() == "session":
        return None
    try:
        moment = datetime.fromisoformat(text.removesuffix(" UTC"))
    except ValueError:
        raise ValueError(
            f"{text} is not a date: type one like 2030-12-31 or 2030-12-31 23:59 (UTC), "
            "or leave it empty for a session cookie."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def expiry_text(cookie: Cookie) -> str:
    """When ``cookie`` expires, in the form :func:`parse_expiry` reads ("" for a session
    cookie)."""
    if cookie.expires is None:
        return ""
    try:
        moment = datetime.fromtimestamp(cookie.expires, UTC)
    except (OverflowError, ValueError, OSError):  # a Max-Age beyond the year 9999
        moment = datetime.max.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _copy(cookie: Cookie) -> Cookie:
    return cookie_from_dict(cookie_to_dict(cookie))
