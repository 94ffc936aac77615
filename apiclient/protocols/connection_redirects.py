"""Following redirects one hop at a time, as both REST engines do: httpx follows with
``follow_redirects=False`` and ``response.next_request``, so each hop can be checked.

* Credentials stay with their origin. httpx drops only ``Authorization`` on a hop to
  another origin (scheme, host, port); the engines drop every header the request's auth
  added (an API key header, AWS's ``X-Amz-*`` headers...), never run the auth flow
  again, and send through a client made for the new origin (its own client
  certificate, or none). Hops within the origin keep everything.
* "Keep method": httpx, like browsers, turns a POST answered by 301 or 302 into a GET
  without a body; with the setting on, the next hop keeps the method and body of the
  first.
"""

from __future__ import annotations

import httpx

# Statuses after which httpx changes the method (303 always becomes GET, as it should).
_METHOD_KEPT_ON = (301, 302)
_BODY_HEADERS = ("Content-Type", "Content-Length", "Transfer-Encoding")


def same_origin(first: httpx.URL, other: httpx.URL) -> bool:
    """Whether two URLs share scheme, host and port (httpx leaves out default ports)."""
    return (first.scheme, first.host, first.port) == (other.scheme, other.host, other.port)


def next_hop(
    response: httpx.Response,
    followed: int,
    max_redirects: int,
    *,
    keep_method: bool = False,
    home: httpx.URL | None = None,
    auth_headers: tuple[str, ...] = (),
) -> httpx.Request | None:
    """The request that follows ``response``, or None when it is no redirect; raises
    httpx.TooManyRedirects once ``followed`` redirects reached ``max_redirects`` (as
    httpx's own following does). With ``keep_method``, it has the method and body of
    the request that got ``response``; when it goes to another origin than ``home``
    (the first request's URL), it has none of ``auth_headers``."""
    following = response.next_request
    if following is None:
        return None
    if followed >= max_redirects:
        raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=following)
    sent = response.request
    keep = (
        keep_method and response.status_code in _METHOD_KEPT_ON and following.method != sent.method
    )
    foreign = bool(auth_headers) and home is not None and not same_origin(home, following.url)
    if not (keep or foreign):
        return following
    # httpx has set Host, dropped Authorization off-origin and taken Cookie from the jar.
    headers = httpx.Headers(following.headers)
    if foreign:
        for name in auth_headers:
            headers.pop(name, None)
    source = following
    if keep:
        for name in _BODY_HEADERS:
            if name in sent.headers:
                headers[name] = sent.headers[name]
        source = sent
    return httpx.Request(
        source.method,
        following.url,
        headers=headers,
        stream=source.stream,
        extensions=sent.extensions,
    )
