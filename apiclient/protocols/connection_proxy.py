"""Which proxy a request goes through: the system's, none, or one set in the request
settings (HTTP, HTTPS or SOCKS5, with credentials and a list of hosts that bypass it).

:func:`proxy_key` checks the settings (before any traffic) and gives a hashable
:class:`ProxyKey`; :func:`proxy_options` turns one into httpx client options. The
system's proxies are what ``urllib.request.getproxies()`` finds (the environment's
``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, and the settings of
Windows and macOS), which is what httpx reads when it trusts the environment.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import ssl
import sys
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import httpx

from apiclient.core.models import RequestSettings
from apiclient.protocols.errors import RequestBuildError

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


@dataclass(frozen=True)
class ProxyKey:
    """A proxy choice: ``mode`` system, none or custom (with the URL, credentials and
    the httpx mount patterns of the hosts that bypass it)."""

    mode: str
    url: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    bypass: tuple[str, ...] = ()


SYSTEM = ProxyKey("system")
DIRECT = ProxyKey("none")


# Where the OS keeps its own list of hosts that bypass the proxy (httpx reads NO_PROXY
# itself, but not these lists).
_OS_BYPASS_LISTS = sys.platform in ("win32", "darwin")


def system_bypass(host: str) -> bool:
    """Whether the system's settings send ``host`` direct though httpx would not: on
    Windows and macOS, by their own exception lists (``urllib.request.proxy_bypass``).
    Remembered per host and ``NO_PROXY`` value; always False elsewhere, at no cost."""
    if not _OS_BYPASS_LISTS:
        return False
    environ = os.environ
    return _system_bypass(host, environ.get("no_proxy"), environ.get("NO_PROXY"))


@functools.lru_cache(maxsize=256)
def _system_bypass(host: str, _no_proxy: str | None, _no_proxy_upper: str | None) -> bool:
    return bool(host) and bool(urllib.request.proxy_bypass(host))


def proxy_key(settings: RequestSettings, host: str = "") -> ProxyKey:
    """The proxy choice of ``settings`` for a request to ``host``; raises
    RequestBuildError naming the setting that cannot be used as typed."""
    if settings.proxy == "system":
        return DIRECT if system_bypass(host) else SYSTEM
    if settings.proxy == "none":
        return DIRECT
    bypass = _bypass_patterns(settings.no_proxy)
    if bypass is None:  # "*": every host bypasses the proxy
        return DIRECT
    return ProxyKey(
        "custom",
        _check_proxy_url(settings.proxy_url),
        settings.proxy_username,
        settings.proxy_password,
        bypass,
    )


def shown_url(url: str) -> str:
    """``url`` as a message may show it: without the ``user:password@`` of a proxy URL
    that carries its credentials."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{tail}"


@functools.lru_cache(maxsize=64)
def _check_proxy_url(text: str) -> str:
    url = text.strip()
    shown = shown_url(url)
    if not url:
        raise RequestBuildError(
            "A custom proxy is chosen but the Proxy URL (request settings) is empty: enter"
            " one such as http://127.0.0.1:3128 or socks5://127.0.0.1:1080, or choose the"
            " system proxy."
        )
    scheme, sep, _ = url.partition("://")
    if not sep:
        url = f"http://{url}"
        shown = f"http://{shown}"
    elif scheme.lower() not in PROXY_SCHEMES:
        raise RequestBuildError(
            f"The Proxy URL {shown!r} (request settings) uses the scheme '{scheme}': use"
            " http://, https://, socks5:// or socks5h://."
        )
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        reason = str(exc).replace(url, shown)
        raise RequestBuildError(
            f"The Proxy URL {shown!r} (request settings) is not valid: {reason}."
        ) from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RequestBuildError(
            f"The Proxy URL {shown!r} (request settings) is not valid: the port must be a"
            " number from 1 to 65535."
        )
    if not parsed.host:
        raise RequestBuildError(
            f"The Proxy URL {shown!r} (request settings) has no host: enter one such as"
            " http://127.0.0.1:3128."
        )
    return url


@functools.lru_cache(maxsize=64)
def _bypass_patterns(no_proxy: str) -> tuple[str, ...] | None:
    """httpx mount patterns for the hosts of ``no_proxy`` (None when it holds ``*``), read
    as curl, requests and httpx read ``NO_PROXY``: a name (``example.com``, with or
    without a leading ``.`` or ``*.``) bypasses that domain and its subdomains, an IPv4
    or IPv6 address only itself; ``:port`` narrows an entry to that port. A name with
    letters outside ASCII matches only itself (httpx cannot match its subdomains)."""
    patterns: list[str] = []
    for entry in no_proxy.replace(";", ",").split(","):
        text = entry.strip().lower()
        if not text:
            continue
        if text == "*":
            return None
        pattern = _bypass_pattern(text)
        try:
            httpx.URL(pattern)  # what httpx does with a mount pattern
        except httpx.InvalidURL:
            pattern = ""
        if not pattern:
            raise RequestBuildError(
                f"The No proxy entry {entry.strip()!r} (request settings) is not a host: use"
                " names (example.com, which covers its subdomains too), host:port (a port"
                " from 1 to 65535) or IP addresses, separated by commas."
            )
        patterns.append(pattern)
    return tuple(patterns)


def _bypass_pattern(entry: str) -> str:
    """The mount pattern of one lower-case entry, "" when it is not a host[:port]."""
    if "/" in entry or any(ch.isspace() for ch in entry):
        return ""
    if _is_ipv6(entry):
        return f"all://[{entry.strip('[]')}]"
    host, colon, port = entry.partition(":")
    if entry.startswith("["):  # [v6]:port
        address, _, rest = entry[1:].partition("]")
        colon, port = rest[:1], rest[1:]
        if not _is_ipv6(address) or colon != ":":
            return ""
        host = f"[{address}]"
    if colon and not (port.isdigit() and 0 < int(port) < 65536):
        return ""
    host = host.lstrip("*").lstrip(".")
    if not host:
        return ""
    suffix = f":{port}" if port else ""
    if host.startswith("[") or _is_ipv4(host) or not host.isascii():
        return f"all://{host}{suffix}"
    return f"all://*{host}{suffix}"


def _is_ipv4(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv4Address)
    except ValueError:
        return False


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host.strip("[]")), ipaddress.IPv6Address)
    except ValueError:
        return False


def proxy_options(key: ProxyKey, tls: ssl.SSLContext | None = None) -> dict[str, Any]:
    """httpx client options (sync or async alike) for ``key``: the system's proxies are
    httpx's own reading of the environment (``trust_env``). ``tls`` is the SSL context
    of the connection to an https:// proxy (HTTP/1.1 only: httpcore offers no more to a
    proxy), so the request's CA file and verification apply to the proxy's certificate."""
    if key.mode == "system":
        return {"trust_env": True}
    if key.mode == "none":
        return {"trust_env": False}
    auth = (key.username, key.password) if key.username else None
    context = tls if is_https(key) else None
    return {
        "trust_env": False,
        "proxy": httpx.Proxy(key.url, auth=auth, ssl_context=context),
        "mounts": dict.fromkeys(key.bypass),  # None: the direct transport
    }


def is_https(key: ProxyKey) -> bool:
    """Whether the connection to the proxy of ``key`` is itself TLS."""
    return key.url[:8].lower() == "https://"
