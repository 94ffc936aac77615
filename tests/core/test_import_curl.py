"""The curl importer: commands as browsers, Postman and people write them, flag by flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiclient.core.exporters.curl import to_curl
from apiclient.core.importers.curl import (
    PASTED,
    CurlParseError,
    import_curl,
    parse_curl,
    split_commands,
)
from apiclient.core.models import Body, FormField, KeyValue, RestRequest

CHROME_BASH = r"""curl 'https://shop.example.com/api/cart/items?locale=en-GB&currency=EUR' \
  -H 'accept: application/json, text/plain, */*' \
  -H 'accept-language: en-GB,en;q=0.9,de;q=0.8' \
  -H 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' \
  -H 'content-type: application/json' \
  -b '_ga=GA1.1.123; session=s%3Aabc' \
  -H 'origin: https://shop.example.com' \
  -H 'referer: https://shop.example.com/cart' \
  -H 'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124"' \
  -H 'sec-fetch-mode: cors' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0' \
  --data-raw $'{"sku":"A-1","qty":2,"note":"it\'s a gift\\nwrap it"}' \
  --compressed"""

CHROME_CMD = r"""curl ^"https://shop.example.com/api/cart/items^" ^
  -H ^"accept: application/json^" ^
  -H ^"content-type: application/json^" ^
  --data-raw ^"^{^\^"sku^\^":^\^"A-1^\^",^\^"qty^\^":2^}^" ^
  --compressed"""

FIREFOX = """curl 'https://shop.example.com/api/login' -X POST \
-H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' \
-H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br' \
-H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8' \
-H 'Connection: keep-alive' --data-raw 'user=ann%40example.com&password=p%26ss&remember=on'"""

POSTMAN = """curl --location 'http://127.0.0.1:8000/api/upload?folder=inbox' \\
--header 'X-Trace: 42' \\
--header 'Authorization: Basic YW5uOnNlY3JldA==' \\
--form 'title="Quarterly report"' \\
--form 'file=@"/home/ann/reports/q1 2024.pdf"'"""

POWERSHELL = """curl.exe `
  -X DELETE `
  "https://shop.example.com/api/items/7" """


def parse(text: str) -> tuple[RestRequest, tuple[str, ...]]:
    return parse_curl(text)


def header(request: RestRequest, name: str) -> str | None:
    found = [h.value for h in request.headers if h.name.lower() == name.lower()]
    return found[0] if found else None


# --- real copies --------------------------------------------------------------------------


def test_chrome_copy_as_curl_bash() -> None:
    request, warnings = parse(CHROME_BASH)
    assert warnings == ()
    assert request.method == "POST"
    assert request.url == "https://shop.example.com/api/cart/items"
    assert request.params == [
        KeyValue(name="locale", value="en-GB"),
        KeyValue(name="currency", value="EUR"),
    ]
    assert len(request.headers) == 11  # nine -H, the cookie, --compressed
    assert header(request, "sec-ch-ua") == '"Chromium";v="124", "Google Chrome";v="124"'
    assert header(request, "Cookie") == "_ga=GA1.1.123; session=s%3Aabc"
    assert header(request, "Accept-Encoding") == "deflate, gzip"
    assert request.body.mode == "raw"
    assert request.body.language == "json"
    assert request.body.raw == '{"sku":"A-1","qty":2,"note":"it\'s a gift\\nwrap it"}'
    assert request.settings.follow_redirects is False  # curl does not follow without -L
    assert request.name == "POST /api/cart/items"


def test_chrome_copy_as_curl_cmd() -> None:
    request, warnings = parse(CHROME_CMD)
    assert warnings == ()
    assert request.url == "https://shop.example.com/api/cart/items"
    assert header(request, "accept") == "application/json"
    assert request.body.raw == '{"sku":"A-1","qty":2}'
    assert request.body.language == "json"


def test_firefox_copy_as_curl_form_login() -> None:
    request, _ = parse(FIREFOX)
    assert request.method == "POST"
    assert header(request, "Connection") == "keep-alive"
    assert request.body.mode == "urlencoded"
    assert request.body.urlencoded == [
        KeyValue(name="user", value="ann@example.com"),
        KeyValue(name="password", value="p&ss"),
        KeyValue(name="remember", value="on"),
    ]


def test_postman_generated_curl_with_files() -> None:
    request, warnings = parse(POSTMAN)
    assert warnings == ()
    assert request.settings.follow_redirects is True
    assert request.params == [KeyValue(name="folder", value="inbox")]
    assert header(request, "Authorization") == "Basic YW5uOnNlY3JldA=="
    assert request.body.mode == "multipart"
    assert request.body.multipart == [
        FormField(name="title", value="Quarterly report"),
        FormField(name="file", value="/home/ann/reports/q1 2024.pdf", type="file"),
    ]


def test_powershell_backtick_continuations() -> None:
    request, _ = parse(POWERSHELL)
    assert request.method == "DELETE"
    assert request.url == "https://shop.example.com/api/items/7"


# --- flag by flag -------------------------------------------------------------------------


def test_method_is_inferred_as_curl_does() -> None:
    assert parse("curl http://h/a")[0].method == "GET"
    assert parse("curl http://h/a -d x=1")[0].method == "POST"
    assert parse("curl -I http://h/a")[0].method == "HEAD"
    assert parse("curl --head http://h/a")[0].method == "HEAD"
    assert parse("curl -XPATCH http://h/a -d x=1")[0].method == "PATCH"
    assert parse("curl --request=put http://h/a")[0].method == "PUT"
    assert parse("curl -T big.iso http://h/a")[0].method == "PUT"


def test_several_data_flags_join_with_ampersand() -> None:
    request, _ = parse("curl http://h/a -d a=1 --data b=2 --data-ascii c=3 --data-binary d=4")
    assert [(r.name, r.value) for r in request.body.urlencoded] == [
        ("a", "1"),
        ("b", "2"),
        ("c", "3"),
        ("d", "4"),
    ]


def test_data_urlencode_encodes_its_content() -> None:
    request, _ = parse("curl http://h/a --data-urlencode 'q=cats & dogs' --data-urlencode '=x y'")
    assert request.body.mode == "raw"
    assert request.body.raw == "q=cats%20%26%20dogs&x%20y"


def test_data_from_a_file_is_a_binary_body() -> None:
    request, _ = parse("curl http://h/a -H 'Content-Type: image/png' --data-binary @shot.png")
    assert request.body.mode == "binary"
    assert request.body.binary_path == "shot.png"
    raw_at, _ = parse("curl http://h/a --data-raw @not-a-file")
    assert raw_at.body.mode == "raw"
    assert raw_at.body.raw == "@not-a-file"


def test_data_from_stdin_is_a_warning() -> None:
    request, warnings = parse("curl http://h/a --data-binary @-")
    assert request.body.mode == "none"
    assert any("standard input" in w for w in warnings)


def test_json_flag_sets_both_headers() -> None:
    request, _ = parse("""curl http://h/a --json '{"a": 1}'""")
    assert request.method == "POST"
    assert header(request, "Content-Type") == "application/json"
    assert header(request, "Accept") == "application/json"
    assert request.body.raw == '{"a": 1}'
    assert request.body.language == "json"


def test_json_data_without_content_type_warns() -> None:
    request, warnings = parse("""curl http://h/a -d '{"a": 1}'""")
    assert request.body.language == "json"
    assert any("application/x-www-form-urlencoded" in w for w in warnings)


def test_body_language_follows_content_type() -> None:
    xml, _ = parse("curl http://h/a -H 'Content-Type: text/xml' -d '<a/>'")
    assert xml.body.language == "xml"
    text, _ = parse("curl http://h/a -H 'Content-Type: text/plain' -d 'a=1'")
    assert (text.body.mode, text.body.language) == ("raw", "text")


def test_form_fields_with_types_and_literal_strings() -> None:
    request, warnings = parse(
        "curl http://h/a -F 'name=Ann' -F 'photo=@me.jpg;type=image/jpeg' "
        "-F 'meta={\"a\":1};type=application/json' --form-string 'raw=@literal;x' "
        "-F 'notes=<notes.txt'"
    )
    assert request.method == "POST"
    assert request.body.multipart == [
        FormField(name="name", value="Ann"),
        FormField(name="photo", value="me.jpg", type="file", content_type="image/jpeg"),
        FormField(name="meta", value='{"a":1}', content_type="application/json"),
        FormField(name="raw", value="@literal;x"),
        FormField(name="notes", value="notes.txt", type="file"),
    ]
    assert any("notes" in w and "text field" in w for w in warnings)


def test_user_gives_basic_auth_and_digest_switches_it() -> None:
    basic, _ = parse("curl -u ann:s3:cret http://h/a")
    assert (basic.auth.kind, basic.auth.username, basic.auth.password) == (
        "basic",
        "ann",
        "s3:cret",
    )
    digest, _ = parse("curl --digest --user ann:pw http://h/a")
    assert digest.auth.kind == "digest"
    no_password, warnings = parse("curl -u ann http://h/a")
    assert no_password.auth.password == ""
    assert any("no password" in w for w in warnings)


def test_cookies_become_one_header_and_a_jar_file_warns() -> None:
    request, warnings = parse("curl -b 'a=1' --cookie 'b=2; c=3' -b cookies.txt http://h/a")
    assert header(request, "Cookie") == "a=1; b=2; c=3"
    assert any("cookies.txt" in w for w in warnings)


def test_transport_settings() -> None:
    request, _ = parse("curl -k -L --max-redirs 5 -m 2.5 https://h/a")
    assert request.settings.verify_tls is False
    assert request.settings.follow_redirects is True
    assert request.settings.max_redirects == 5
    assert request.settings.timeout_s == 2.5
    plain, _ = parse("curl https://h/a")
    assert plain.settings.verify_tls is None  # no -k: the app's default
    assert plain.settings.follow_redirects is False


def test_combined_short_flags() -> None:
    request, warnings = parse("curl -sSLk -XPOST -H'X-A: 1' http://h/a")
    assert warnings == ()
    assert request.method == "POST"
    assert request.settings.follow_redirects is True
    assert request.settings.verify_tls is False
    assert header(request, "X-A") == "1"


def test_get_moves_data_into_the_query() -> None:
    request, _ = parse("curl -G 'http://h/search?page=1' -d q=cats -d flag")
    assert request.method == "GET"
    assert request.body.mode == "none"
    assert request.params == [
        KeyValue(name="page", value="1"),
        KeyValue(name="q", value="cats"),
        KeyValue(name="flag", bare=True),
    ]


def test_user_agent_referer_and_url_flags() -> None:
    request, _ = parse("curl -A 'bot/1.0' -e https://ref.example/ --url http://h/a")
    assert request.url == "http://h/a"
    assert header(request, "User-Agent") == "bot/1.0"
    assert header(request, "Referer") == "https://ref.example/"


def test_output_flags_are_ignored_quietly() -> None:
    request, warnings = parse(
        "curl -s -v -i -o out.json --silent --fail -w '%{http_code}' --http1.1 http://h/a"
    )
    assert warnings == ()
    assert request.url == "http://h/a"


def test_unknown_flags_are_named_and_the_request_still_built() -> None:
    request, warnings = parse("curl --frobnicate 9 --sparkle http://h/a -H 'X: 1'")
    assert request.url == "http://h/a"
    assert header(request, "X") == "1"
    assert any("--frobnicate '9'" in w for w in warnings)
    assert any("--sparkle" in w for w in warnings)


def test_known_flags_without_a_counterpart_are_named() -> None:
    _, warnings = parse("curl --proxy http://proxy:3128 --cacert ca.pem http://h/a")
    assert any("--proxy" in w for w in warnings)
    assert any("--cacert" in w for w in warnings)


def test_headers_edge_cases() -> None:
    request, warnings = parse("curl -H 'X-Empty;' -H 'Accept:' -H 'nonsense' http://h/a")
    assert request.headers == [KeyValue(name="X-Empty")]
    assert any("nonsense" in w for w in warnings)


def test_second_url_is_named() -> None:
    request, warnings = parse("curl http://h/a http://h/b")
    assert request.url == "http://h/a"
    assert any("http://h/b" in w for w in warnings)


# --- bad input ----------------------------------------------------------------------------


def test_unbalanced_quotes_are_an_error() -> None:
    with pytest.raises(CurlParseError, match="unbalanced quotes") as info:
        parse("curl 'http://h/a -H 'X: 1'")
    assert info.value.path == PASTED


def test_not_a_curl_command() -> None:
    with pytest.raises(CurlParseError, match="starts with 'wget'"):
        parse("wget http://h/a")
    with pytest.raises(CurlParseError, match="not 'curl'"):
        parse("http://h/a")
    with pytest.raises(CurlParseError, match="empty"):
        parse("   ")


def test_no_url_and_missing_value() -> None:
    with pytest.raises(CurlParseError, match="names no URL"):
        parse("curl -H 'X: 1'")
    with pytest.raises(CurlParseError, match="-H needs a value"):
        parse("curl http://h/a -H")


# --- files --------------------------------------------------------------------------------


def test_file_of_several_commands(tmp_path: Path) -> None:
    path = tmp_path / "calls.sh"
    path.write_text(
        "# smoke calls\n"
        "curl http://h/items \\\n  -H 'Accept: application/json'\n\n"
        "curl -X DELETE http://h/items/1 --bogus\n"
        f"{POSTMAN}\n",
        encoding="utf-8",
    )
    result = import_curl(path)
    requests = result.collection.items
    assert [(r.method, r.url) for r in requests] == [  # type: ignore[union-attr]
        ("GET", "http://h/items"),
        ("DELETE", "http://h/items/1"),
        ("POST", "http://127.0.0.1:8000/api/upload"),
    ]
    assert result.collection.name == "calls"
    assert result.source == "curl commands"
    assert result.warnings == (
        "Command 2 (DELETE /items/1): The flag --bogus is not one apiclient knows; it was ignored.",
    )


def test_file_errors_name_the_file_and_command(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(CurlParseError, match="holds no curl command") as info:
        import_curl(empty)
    assert info.value.path == empty
    broken = tmp_path / "broken.txt"
    broken.write_text("curl http://h/a\ncurl 'http://h/b\n", encoding="utf-8")
    with pytest.raises(CurlParseError, match=r"command 2: .*unbalanced"):
        import_curl(broken)
    with pytest.raises(CurlParseError, match="Cannot read"):
        import_curl(tmp_path / "missing.txt")


def test_split_commands_keeps_multiline_commands_together() -> None:
    text = "curl a \\\n -H 'X: 1'\ncurl b\n"
    assert split_commands(text) == ["curl a   -H 'X: 1'", "curl b"]


_TOKEN = st.text(alphabet="ABCXYZabcxyz0123456789-", min_size=1, max_size=12).filter(
    lambda name: name.lower() != "content-type"  # the exporter adds the body's own
)
_VALUE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).map(str.strip)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_with_a_curl_parse_error(text: str) -> None:
    for command in (text, f"curl {text}"):
        try:
            parse_curl(command)
        except CurlParseError as exc:
            assert str(exc).strip()


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "PURGE"]),
    path=st.text(alphabet="abcxyz0123-_.~", max_size=15),
    headers=st.lists(st.tuples(_TOKEN, _VALUE), max_size=4),
    body=_VALUE,
)
def test_copy_as_curl_then_paste_gives_back_the_request(
    method: str, path: str, headers: list[tuple[str, str]], body: str
) -> None:
    """What "Copy as curl" writes, "Paste curl" reads back: method, URL, every header
    (empty values included) and the body."""
    request = RestRequest(
        method=method,
        url=f"http://127.0.0.1:8000/{path}",
        headers=[KeyValue(name=name, value=value) for name, value in headers],
        body=Body(mode="raw", raw=body, language="text") if body else Body(),
    )
    back, _ = parse_curl(to_curl(request))
    assert (back.method, back.url) == (method, request.url)
    sent = [(row.name, row.value) for row in back.headers if row.name != "Content-Type"]
    assert sent == headers
    assert back.body.raw == body
