"""A resolved REST request as a curl command, to copy and run in a POSIX shell.

One flag per line, joined with `` \\`` continuations, every value quoted with
:func:`shlex.quote`. The command sends what the app sends: the same URL encoding, headers
(with the Auth tab's and the default Content-Type) and body bytes. ``-X`` is written only
when curl would not infer the method itself (curl keeps an explicit ``-X POST`` on a
redirect, where the app switches to GET as browsers do). ``--compressed`` is not added:
it would add an Accept-Encoding header the app does not send. NTLM and AWS Signature v4
use curl's own ``--ntlm`` and ``--aws-sigv4``; OAuth 1.0 and Hawk, which curl cannot
sign, are said in a comment line above the command.
"""

from __future__ import annotations

import shlex

from apiclient.core.connection_defaults import BUILTIN, effective_settings
from apiclient.core.exporters import sent_request, unsigned_note
from apiclient.core.http_parts import enabled_rows, urlencoded_body
from apiclient.core.models import Auth, FormField, RequestSettings, RestRequest


def to_curl(request: RestRequest) -> str:
    """The curl command for a resolved request (no ``{{variables}}`` left)."""
    sent = sent_request(request)
    body = request.body
    has_body = body.mode != "none"
    flags: list[str] = []
    if sent.method == "HEAD":
        flags.append("--head")
    elif not (sent.method == "GET" and not has_body) and not (sent.method == "POST" and has_body):
        flags.append(f"-X {shlex.quote(sent.method)}")
    for name, value in sent.headers:
        # "Name:" with no value tells curl to leave the header out; "Name;" sends it empty.
        header = f"{name}: {value}" if value else f"{name};"
        flags.append(f"-H {shlex.quote(header)}")
    flags += _auth_flags(sent.auth)
    if body.mode == "raw":
        flags.append(f"--data-raw {shlex.quote(body.raw)}")
    elif body.mode == "urlencoded":
        flags.append(f"--data-raw {shlex.quote(urlencoded_body(body.urlencoded))}")
    elif body.mode == "binary":
        flags.append(f"--data-binary {shlex.quote('@' + body.binary_path)}")
    elif body.mode == "multipart":
        flags += [_form_flag(row) for row in enabled_rows(body.multipart)]
    flags += _setting_flags(request.settings)
    lines = [f"curl {shlex.quote(sent.url)}", *flags]
    note = unsigned_note(sent.auth, "curl", ("oauth1", "hawk"))
    return (f"# {note}\n" if note else "") + " \\\n  ".join(lines)


def _auth_flags(auth: Auth) -> list[str]:
    """The flags that make curl send ``auth`` (bearer, API key, OAuth 2.0 are headers)."""
    if auth.kind in ("basic", "digest", "ntlm"):
        user = (
            f"{auth.domain}\\{auth.username}"
            if auth.kind == "ntlm" and auth.domain
            else auth.username
        )
        extra = {"digest": ["--digest"], "ntlm": ["--ntlm"]}.get(auth.kind, [])
        return [*extra, f"-u {shlex.quote(f'{user}:{auth.password}')}"]
    if auth.kind == "awsv4":
        flags = [
            f"--aws-sigv4 {shlex.quote(f'aws:amz:{auth.region}:{auth.service}')}",
            f"-u {shlex.quote(f'{auth.access_key}:{auth.secret_key}')}",
        ]
        if auth.session_token:
            flags.append(f"-H {shlex.quote(f'x-amz-security-token: {auth.session_token}')}")
        return flags
    return []


def _form_flag(row: FormField) -> str:
    """``-F`` for a file or a plain text field; ``--form-string`` for text curl would read
    as a file (``@``, ``<``) or as parameters (``;``)."""
    suffix = f";type={row.content_type.strip()}" if row.content_type.strip() else ""
    if row.type == "file":
        return "-F " + shlex.quote(f"{row.name}=@{_double_quoted(row.value)}{suffix}")
    literal = row.value.startswith(("@", "<")) or ";" in row.value or '"' in row.value
    if literal and not suffix:
        return "--form-string " + shlex.quote(f"{row.name}={row.value}")
    value = _double_quoted(row.value) if literal else row.value
    return "-F " + shlex.quote(f"{row.name}={value}{suffix}")


def _double_quoted(text: str) -> str:
    """A -F value in curl's double quotes, so ``;`` and ``,`` inside it are kept."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _setting_flags(settings: RequestSettings) -> list[str]:
    """curl's flags for what differs from curl's own behaviour; an "App default" the
    request was not resolved with is the built-in one, what it does in a fresh install."""
    settings = effective_settings(settings)
    flags = []
    if settings.follow_redirects:
        flags.append("-L")
        flags.append(f"--max-redirs {settings.max_redirects}")
    if not settings.verify_tls:
        flags.append("-k")
    if settings.timeout_s != BUILTIN.timeout_s:
        flags.append(f"--max-time {settings.timeout_s:g}")
    return flags
