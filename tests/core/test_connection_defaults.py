"""A request's "App default" connection settings: what they are filled with, how they
are stored (a file that omits them inherits; an explicit value stays an override), and
the exporters, which know no app preferences."""

from __future__ import annotations

import pytest

from apiclient.core.connection_defaults import BUILTIN, ConnectionDefaults, effective_settings
from apiclient.core.exporters.code import to_fetch, to_httpx
from apiclient.core.exporters.curl import to_curl
from apiclient.core.models import RequestSettings, RestRequest
from apiclient.core.preferences import Preferences
from apiclient.core.store_format import dump_yaml, parse_request, request_doc

APP = ConnectionDefaults(
    timeout_s=0.5,
    connect_timeout_s=2.0,
    verify_tls=False,
    proxy="custom",
    proxy_url="http://proxy.local:3128",
    no_proxy="localhost",
)

# Written before "App default": the settings equal to the old built-ins were left out.
OLD_FILE = """\
kind: rest
name: Get an item
url: http://127.0.0.1:8710/api/items/1
settings:
  follow_redirects: false
"""


def test_the_built_ins_are_a_fresh_installs_preferences() -> None:
    assert Preferences().connection_defaults() == BUILTIN
    assert (BUILTIN.timeout_s, BUILTIN.connect_timeout_s) == (30.0, 30.0)
    assert BUILTIN.verify_tls is True and BUILTIN.proxy == "system"


def test_a_new_request_inherits_every_connection_setting() -> None:
    settings = RequestSettings()
    assert settings.timeout_s is None and settings.connect_timeout_s is None
    assert settings.verify_tls is None and settings.proxy == "default"


def test_every_app_default_is_filled_from_the_defaults() -> None:
    settings = RequestSettings(proxy_username="me", proxy_password="pw", proxy_url="typed")
    filled = effective_settings(settings, APP)
    assert (filled.timeout_s, filled.connect_timeout_s, filled.verify_tls) == (0.5, 2.0, False)
    assert (filled.proxy, filled.proxy_url, filled.no_proxy) == (
        "custom",
        "http://proxy.local:3128",
        "localhost",
    )
    # The app's custom proxy has no user: this request's own are used with it.
    assert (filled.proxy_username, filled.proxy_password) == ("me", "pw")
    assert settings.proxy_url == "typed"  # the request itself keeps what was typed


def test_overrides_are_kept_and_a_concrete_request_is_not_copied() -> None:
    own = RequestSettings(
        timeout_s=5, connect_timeout_s=1, verify_tls=True, proxy="none", proxy_url="kept"
    )
    assert effective_settings(own, APP) is own
    partly = effective_settings(RequestSettings(timeout_s=5, proxy="system"), APP)
    assert (partly.timeout_s, partly.connect_timeout_s, partly.verify_tls) == (5, 2.0, False)
    assert partly.proxy == "system" and partly.proxy_url == ""


def test_a_default_proxy_that_is_not_custom_leaves_the_typed_url_alone() -> None:
    defaults = ConnectionDefaults(proxy="none", proxy_url="ignored")
    filled = effective_settings(RequestSettings(proxy_url="http://mine:1"), defaults)
    assert filled.proxy == "none" and filled.proxy_url == "http://mine:1"


def test_an_old_file_without_the_keys_inherits_and_is_written_back_byte_identical() -> None:
    request = parse_request(OLD_FILE)
    assert request.settings == RequestSettings(follow_redirects=False)
    assert effective_settings(request.settings, APP).timeout_s == 0.5
    assert dump_yaml(request_doc(request)) == OLD_FILE


@pytest.mark.parametrize(
    ("override", "line"),
    [
        ({"timeout_s": 30.0}, "timeout_s: 30.0"),  # equal to the built-in: still its own
        ({"connect_timeout_s": 4.5}, "connect_timeout_s: 4.5"),
        ({"verify_tls": True}, "verify_tls: true"),
        ({"verify_tls": False}, "verify_tls: false"),
        ({"proxy": "system"}, "proxy: system"),
        ({"proxy": "none"}, "proxy: none"),
    ],
)
def test_an_explicit_override_round_trips(override: dict[str, object], line: str) -> None:
    request = RestRequest(name="r", url="http://x", settings=RequestSettings(**override))
    text = dump_yaml(request_doc(request))
    assert line in text
    again = parse_request(text)
    assert again == request
    assert effective_settings(again.settings, APP) == again.settings.model_copy(
        update=_filled_except(override)
    )


def _filled_except(override: dict[str, object]) -> dict[str, object]:
    filled: dict[str, object] = {
        "timeout_s": APP.timeout_s,
        "connect_timeout_s": APP.connect_timeout_s,
        "verify_tls": APP.verify_tls,
    }
    if "proxy" not in override:
        filled.update(proxy=APP.proxy, proxy_url=APP.proxy_url, no_proxy=APP.no_proxy)
    return {key: value for key, value in filled.items() if key not in override}


def test_a_timeout_of_zero_is_refused_not_taken_for_app_default() -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        RequestSettings(timeout_s=0)


def test_exporters_write_an_inherited_setting_as_the_built_in_one() -> None:
    inherited = RestRequest(url="https://api.example.com/x")
    curl = to_curl(inherited)
    assert "-k" not in curl.split() and "--max-time" not in curl
    assert "verify=False" not in to_httpx(inherited) and "timeout=30.0" in to_httpx(inherited)
    assert "AbortSignal.timeout(30000)" in to_fetch(inherited)

    own = inherited.model_copy(
        update={"settings": RequestSettings(verify_tls=False, timeout_s=2.5)}
    )
    assert "-k" in to_curl(own).split() and "--max-time 2.5" in to_curl(own)
    assert "verify=False" in to_httpx(own) and "timeout=2.5" in to_httpx(own)
    assert "AbortSignal.timeout(2500)" in to_fetch(own)
