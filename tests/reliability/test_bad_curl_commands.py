"""Bad curl commands through the parser behind "Paste curl" and ``import``: each is
refused with a CurlParseError, or imported with a warning saying what was left out;
nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from clear_errors import assert_clear, assert_clear_error, params

from apiclient.core.importers.curl import import_curl, parse_curl

# (id, command, fragment of the error or of a warning)
COMMANDS: list[tuple[str, str, str]] = [
    ("empty", "", "The text is empty"),
    ("blank", "  \n\t ", "The text is empty"),
    ("not-curl", "wget http://127.0.0.1/", "starts with 'wget'"),
    ("url-alone", "http://127.0.0.1/", "not a curl command"),
    ("curl-alone", "curl", "names no URL"),
    ("only-flags", "curl -X POST", "names no URL"),
    ("flag-eats-the-url", "curl -u http://127.0.0.1/", "names no URL"),
    ("double-dash-only", "curl -- ", "names no URL"),
    ("unclosed-single-quote", "curl 'http://127.0.0.1/", "unbalanced quotes"),
    ("unclosed-double-quote", 'curl "http://127.0.0.1/', "unbalanced quotes"),
    ("trailing-backslash", "curl http://127.0.0.1/\\", "unbalanced quotes"),
    ("continuation-then-nothing", "curl \\\n", "unbalanced quotes"),
    ("method-without-value", "curl -X", "-X needs a value"),
    ("header-without-value", "curl -H", "-H needs a value"),
    ("data-at-the-end", "curl http://127.0.0.1/ -d", "-d needs a value"),
    ("url-flag-without-value", "curl --url", "--url needs a value"),
    ("upload-without-file", "curl -T", "-T needs a value"),
    ("bearer-without-token", "curl --oauth2-bearer", "needs a value"),
    ("header-without-colon", "curl -H 'NoColon' http://127.0.0.1/", "is not 'Name: value'"),
    ("form-without-equals", "curl -F 'novalue' http://127.0.0.1/", "is not 'name=value'"),
    ("max-time-letters", "curl --max-time abc http://127.0.0.1/", "is not a number"),
    ("max-time-nan", "curl -m nan http://127.0.0.1/", "is not a number"),
    ("max-time-infinite", "curl -m inf http://127.0.0.1/", "is not a number"),
    ("max-time-negative", "curl --max-time -5 http://127.0.0.1/", "is not above zero"),
    ("max-redirs-letters", "curl --max-redirs abc http://127.0.0.1/", "is not a number"),
    ("unknown-flag-value", "curl --connect-timeout x http://127.0.0.1/", "no counterpart"),
    ("proxy", "curl -x http://proxy:3128 http://127.0.0.1/", "no counterpart"),
    ("two-urls", "curl http://127.0.0.1/a http://127.0.0.1/b", "only the first URL"),
    ("escape-past-unicode", "curl $'\\UFFFFFFFF' http://127.0.0.1/", "only the first URL"),
    ("surrogate-escape", "curl $'\\ud800' http://127.0.0.1/", "only the first URL"),
    ("data-without-type", "curl -XPOST -d '{' http://127.0.0.1/", "has no Content-Type"),
    ("form-file-as-text", "curl -F 'f=<' http://127.0.0.1/", "imported as a file upload"),
]
CASES = COMMANDS


@pytest.mark.parametrize(("command", "fragment"), params(COMMANDS))
def test_a_bad_curl_command_is_refused_or_warned_about(command: str, fragment: str) -> None:
    try:
        _, warnings = parse_curl(command)
    except Exception as exc:
        assert_clear_error(exc, fragment)
        return
    assert warnings, "accepted without an error or a warning"
    assert_clear(" ".join(warnings), fragment)


def test_a_file_of_commands_names_the_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "commands.sh"
    path.write_text("curl http://127.0.0.1/a\n\ncurl -H 'X: 1' 'http://127.0.0.1/b\n")
    try:
        import_curl(path)
    except Exception as exc:
        assert_clear_error(exc, "command 2: The curl command has unbalanced quotes")
    else:
        raise AssertionError("a broken second command was imported")
