"""Cookie jars on disk: every attribute kept, per (collection, environment), 0600."""

from __future__ import annotations

import json
import re
import stat
import threading
import time
from email.message import Message
from http.cookiejar import Cookie
from pathlib import Path
from urllib.request import Request

import pytest

from apiclient.core.cookie_store import (
    PersistentCookieJar,
    cookie_file,
    cookie_to_dict,
    edited_cookie,
    expiry_text,
    is_http_only,
    load_cookies,
    new_cookie,
    parse_expiry,
    save_cookies,
    set_aside,
)
from apiclient.core.errors import StoreError


class _Response:
    """What ``CookieJar.extract_cookies`` reads: ``info().get_all('Set-Cookie')``."""

    def __init__(self, *set_cookies: str) -> None:
        self._message = Message()
        for value in set_cookies:
            self._message["Set-Cookie"] = value

    def info(self) -> Message:
        return self._message


def _from_response(url: str, *set_cookies: str) -> PersistentCookieJar:
    jar = PersistentCookieJar()
    jar.extract_cookies(_Response(*set_cookies), Request(url))  # type: ignore[arg-type]
    return jar


def _by_name(cookies: list[Cookie]) -> dict[str, Cookie]:
    return {c.name: c for c in cookies}


def test_every_attribute_survives_a_round_trip(tmp_path: Path) -> None:
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3600))
    jar = _from_response(
        "https://api.example.com/v1/items",
        "host=1; Path=/v1; Secure; HttpOnly",
        f"wide=2; Domain=example.com; Path=/; Expires={later}; SameSite=Lax",
        "session=3",
    )
    path = tmp_path / "jar.json"
    save_cookies(path, jar.snapshot(), "/collections/demo", "Staging")

    loaded = load_cookies(path)
    assert [cookie_to_dict(c) for c in sorted(loaded, key=lambda c: c.name)] == [
        cookie_to_dict(c) for c in sorted(jar, key=lambda c: c.name)
    ]
    cookies = _by_name(loaded)
    assert not cookies["host"].domain_specified  # host-only: this host alone
    assert cookies["host"].secure and is_http_only(cookies["host"])
    assert cookies["host"].path == "/v1"
    assert cookies["wide"].domain_specified and cookies["wide"].domain == ".example.com"
    assert cookies["wide"].get_nonstandard_attr("SameSite") == "Lax"
    assert cookies["session"].expires is None and cookies["session"].discard
    # ... and they are sent again where they belong.
    again = PersistentCookieJar()
    again.replace_all(loaded)
    request = Request("https://www.example.com/")
    again.add_cookie_header(request)
    assert request.get_header("Cookie") == "wide=2"
    data = json.loads(path.read_text())
    assert (data["collection"], data["environment"]) == ("/collections/demo", "Staging")


def test_the_file_is_private(tmp_path: Path) -> None:
    path = cookie_file("/c", "Dev", base=tmp_path)
    save_cookies(path, [new_cookie(domain="127.0.0.1", name="a", value="1")], "/c", "Dev")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.parent == tmp_path / "cookies"


def test_expired_cookies_are_dropped_on_load(tmp_path: Path) -> None:
    now = time.time()
    soon = new_cookie(domain="127.0.0.1", name="soon", value="1", expires=now + 10)
    kept = new_cookie(domain="127.0.0.1", name="kept", value="2", expires=now + 1000)
    path = tmp_path / "jar.json"
    save_cookies(path, [soon, kept], "", "")
    assert [c.name for c in load_cookies(path, now=now + 100)] == ["kept"]


def test_each_collection_and_environment_has_its_own_file(tmp_path: Path) -> None:
    paths = {
        cookie_file(collection, env, base=tmp_path)
        for collection in ("", "/a", "/b")
        for env in ("", "Dev", "Prod")
    }
    assert len(paths) == 9
    dev, prod = cookie_file("/a", "Dev", tmp_path), cookie_file("/a", "Prod", tmp_path)
    save_cookies(dev, [new_cookie(domain="h.test", name="d", value="1")], "/a", "Dev")
    assert load_cookies(prod) == []
    assert [c.name for c in load_cookies(dev)] == ["d"]


@pytest.mark.parametrize(
    "content", [b"{not json", b'{"version": 99, "cookies": []}', b'{"version": 1}', b"\xff\xfe"]
)
def test_an_unreadable_file_is_reported_and_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "jar.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        load_cookies(path)
    assert str(path) in str(caught.value) and "left as it is" in str(caught.value)
    assert path.read_bytes() == content


def test_a_missing_file_is_an_empty_jar(tmp_path: Path) -> None:
    assert load_cookies(tmp_path / "none.json") == []


def test_the_jar_counts_changes_and_tells_its_listener() -> None:
    jar = PersistentCookieJar()
    heard: list[int] = []
    jar.on_change = lambda: heard.append(jar.changes)
    jar.replace_all([new_cookie(domain="a.test", name="x", value="1")])
    assert jar.changes == 0 and heard == []  # a load is no change
    jar.extract_cookies(_Response("y=2"), Request("http://a.test/"))  # type: ignore[arg-type]
    jar.clear("a.test", "/", "x")
    with pytest.raises(KeyError):
        jar.clear("a.test", "/", "missing")
    assert heard == [1, 2]
    assert [c.name for c in jar] == ["y"]


def test_replace_all_is_safe_while_other_threads_set_cookies() -> None:
    jar = PersistentCookieJar()
    stop = threading.Event()

    def setter() -> None:
        n = 0
        while not stop.is_set():
            jar.set_cookie(new_cookie(domain="t.test", name=f"c{n % 50}", value="v"))
            n += 1

    thread = threading.Thread(target=setter)
    thread.start()
    try:
        for _ in range(200):
            jar.replace_all([new_cookie(domain="u.test", name="u", value="1")])
            jar.snapshot()
    finally:
        stop.set()
        thread.join()
    assert {c.domain for c in jar} <= {"t.test", "u.test"}


def test_a_typed_cookie_is_checked() -> None:
    with pytest.raises(ValueError, match="name"):
        new_cookie(domain="a.test", name=" ", value="1")
    with pytest.raises(ValueError, match="not a host name"):
        new_cookie(domain="bad host", name="x", value="1")
    with pytest.raises(ValueError, match="past"):
        new_cookie(domain="a.test", name="x", value="1", expires=time.time() - 5)
    with pytest.raises(ValueError, match="start with /"):
        new_cookie(domain="a.test", name="x", value="1", path="api")
    with pytest.raises(ValueError, match="not a date"):
        parse_expiry("next tuesday")
    assert parse_expiry("2030-01-01") == 1893456000.0
    assert parse_expiry("") is None
    assert new_cookie(domain="localhost", name="x", value="1").domain == "localhost.local"


def test_an_edit_keeps_what_the_server_set() -> None:
    jar = _from_response("http://api.example.com/", "x=1; Domain=example.com; Priority=High")
    (original,) = jar
    typed = new_cookie(domain=original.domain, name="x", value="2", path="/v2", http_only=True)
    edited = edited_cookie(original, typed)
    assert (edited.value, edited.path, is_http_only(edited)) == ("2", "/v2", True)
    assert edited.domain_initial_dot == original.domain_initial_dot
    assert edited.get_nonstandard_attr("Priority") == "High"


def test_a_far_future_expiry_is_shown() -> None:
    jar = _from_response("http://a.test/", "x=1; Max-Age=99999999999999")
    (cookie,) = jar
    assert expiry_text(cookie) == "9999-12-31 23:59:59 UTC"


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("path", None),
        ("value", 5),
        ("port", 80),
        ("secure", "yes"),
        ("expires", "soon"),
        ("expires", True),
        ("domain_specified", None),
        ("rest", {"HttpOnly": 1}),
    ],
)
def test_a_cookie_attribute_of_the_wrong_type_is_a_damaged_file(
    tmp_path: Path, field: str, bad: object
) -> None:
    """Loaded, such a cookie would make every request to its host fail in http.cookiejar."""
    path = tmp_path / "jar.json"
    save_cookies(path, [new_cookie(domain="a.test", name="x", value="1")], "c", "e")
    data = json.loads(path.read_text())
    data["cookies"][0][field] = bad
    path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="is damaged"):
        load_cookies(path)


def test_a_damaged_file_is_set_aside_with_a_dated_name(tmp_path: Path) -> None:
    path = tmp_path / "abc.json"
    path.write_text("{damaged")
    first = set_aside(path)
    path.write_text("{damaged again")
    second = set_aside(path)
    assert not path.exists() and first != second
    assert re.fullmatch(r"abc\.broken-\d{8}T\d{6}(-2)?\.json", second.name)
    assert {first.read_text(), second.read_text()} == {"{damaged", "{damaged again"}
