"""The app's connection defaults, and a request's settings with them filled in.

A request's Settings tab may leave the read and connect timeouts, TLS verification and
the proxy at "App default" (``None``, or ``"default"`` for the proxy). Resolving a
request (``core.variables``) fills them from the scope's :class:`ConnectionDefaults`:
the app's preferences in the window, :data:`BUILTIN` in a headless run, so a CI run
never depends on one person's preferences file. An engine handed a request that was not
resolved treats them as :data:`BUILTIN`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the preferences import this module while the window starts: no pydantic
    from apiclient.core.models import RequestSettings


@dataclass(frozen=True)
class ConnectionDefaults:
    """What "App default" stands for, per field of ``RequestSettings``. ``proxy`` is
    ``system``, ``none`` or ``custom``; a custom one is ``proxy_url`` except for the
    hosts of ``no_proxy`` (its user and password are each request's)."""

    timeout_s: float = 30.0
    connect_timeout_s: float = 30.0
    verify_tls: bool = True
    proxy: str = "system"
    proxy_url: str = ""
    no_proxy: str = ""


BUILTIN = ConnectionDefaults()
"""The defaults of a fresh install, and of every headless run."""


def effective_settings(
    settings: RequestSettings, defaults: ConnectionDefaults = BUILTIN
) -> RequestSettings:
    """``settings`` with every field left to the app filled from ``defaults``; the same
    object when none is (the usual case in a run: it costs a few attribute reads)."""
    update: dict[str, object] = {}
    if settings.timeout_s is None:
        update["timeout_s"] = defaults.timeout_s
    if settings.connect_timeout_s is None:
        update["connect_timeout_s"] = defaults.connect_timeout_s
    if settings.verify_tls is None:
        update["verify_tls"] = defaults.verify_tls
    if settings.proxy == "default":
        update["proxy"] = defaults.proxy
        if defaults.proxy == "custom":
            update["proxy_url"] = defaults.proxy_url
            update["no_proxy"] = defaults.no_proxy
    return settings.model_copy(update=update) if update else settings


def verifies(settings: RequestSettings) -> bool:
    """Whether ``settings`` check the server's certificate: as set, else the built-in
    default (a resolved request's setting is always set)."""
    return BUILTIN.verify_tls if settings.verify_tls is None else settings.verify_tls


def read_timeout(settings: RequestSettings) -> float:
    """The read timeout of ``settings`` in seconds: as set, else the built-in default."""
    return BUILTIN.timeout_s if settings.timeout_s is None else settings.timeout_s


def connect_timeout(settings: RequestSettings) -> float:
    """The connect timeout of ``settings`` in seconds: as set, else the built-in default."""
    given = settings.connect_timeout_s
    return BUILTIN.connect_timeout_s if given is None else given
