"""A resolved REST request as code to paste into a program: Python with httpx, or
JavaScript with fetch (Node 18+ or a browser).

Each snippet is complete and runnable as it stands: it sends what the app sends (URL,
headers with the Auth tab's and the default Content-Type, body) and prints the status and
the body; an auth kind the snippet cannot sign with (OAuth 1.0, AWS Signature v4, Hawk,
NTLM) is said in a comment line. Literals are written with :func:`repr` (Python) and JSON
(JavaScript), so any text, quotes and newlines included, comes out as a valid literal.
A connection setting still at "App default" (a request not resolved) is the built-in one.
"""

from __future__ import annotations

import base64
import json

from apiclient.core.connection_defaults import effective_settings, read_timeout
from apiclient.core.exporters import sent_request, unsigned_note
from apiclient.core.http_parts import enabled_rows, urlencoded_body
from apiclient.core.models import FormField, RestRequest


def to_httpx(request: RestRequest) -> str:
    """A Python snippet that sends ``request`` with httpx."""
    sent = sent_request(request)
    body = request.body
    settings = effective_settings(request.settings)  # "App default" unresolved: built-in
    needs_path = body.mode == "binary" or any(
        row.type == "file" for row in enabled_rows(body.multipart)
    )
    note = unsigned_note(sent.auth, "this snippet")
    lines = [f"# {note}"] if note else []
    lines.append("import httpx")
    if needs_path:
        lines.append("from pathlib import Path")
    lines.append("")
    args = [repr(sent.method), repr(sent.url)]
    if sent.headers:
        args.append("headers=[" + ", ".join(repr(pair) for pair in sent.headers) + "]")
    if sent.auth.kind == "basic":
        args.append(f"auth=httpx.BasicAuth({sent.auth.username!r}, {sent.auth.password!r})")
    elif sent.auth.kind == "digest":
        args.append(f"auth=httpx.DigestAuth({sent.auth.username!r}, {sent.auth.password!r})")
    if body.mode == "raw":
        args.append(f"content={body.raw!r}.encode()")
    elif body.mode == "urlencoded":
        rows = enabled_rows(body.urlencoded)
        if len({row.name for row in rows}) == len(rows):
            pairs = ", ".join(f"{row.name!r}: {row.value!r}" for row in rows)
            args.append(f"data={{{pairs}}}")
        else:  # a repeated name: a dict would keep only the last value
            args.append(f"content={urlencoded_body(body.urlencoded)!r}")
    elif body.mode == "binary":
        args.append(f"content=Path({body.binary_path!r}).read_bytes()")
    elif body.mode == "multipart":
        fields = "".join(f"            {_httpx_field(row)},\n" for row in _fields(request))
        args.append(f"files=[\n{fields}        ]")
    client = [f"follow_redirects={settings.follow_redirects}"]
    if settings.follow_redirects:
        client.append(f"max_redirects={settings.max_redirects}")
    if not settings.verify_tls:
        client.append("verify=False")
    client.append(f"timeout={settings.timeout_s!r}")
    lines.append(f"with httpx.Client({', '.join(client)}) as client:")
    lines.append("    response = client.request(")
    lines += [f"        {arg}," for arg in args]
    lines.append("    )")
    lines += ["", "print(response.status_code)", "print(response.text)", ""]
    return "\n".join(lines)


def to_fetch(request: RestRequest) -> str:
    """A JavaScript snippet (an ES module, top-level await) that sends ``request``."""
    sent = sent_request(request)
    body = request.body
    settings = effective_settings(request.settings)  # "App default" unresolved: built-in
    headers = list(sent.headers)
    lines: list[str] = []
    if body.mode == "binary" or any(row.type == "file" for row in _fields(request)):
        lines += ['import { readFile } from "node:fs/promises";', ""]
    if sent.auth.kind == "basic":
        token = f"{sent.auth.username}:{sent.auth.password}".encode()
        headers.append(("Authorization", "Basic " + base64.b64encode(token).decode("ascii")))
    elif sent.auth.kind == "digest":
        lines.append("// Digest auth needs a challenge round trip, which fetch cannot do alone.")
    elif note := unsigned_note(sent.auth, "this snippet"):
        lines.append(f"// {note}")
    if not settings.verify_tls:
        lines.append(
            "// TLS verification is off in apiclient; fetch cannot turn it off "
            "(in Node, run with NODE_TLS_REJECT_UNAUTHORIZED=0)."
        )
    options = [f"method: {_js(sent.method)}"]
    if headers:
        rows = ",\n".join(f"    [{_js(name)}, {_js(value)}]" for name, value in headers)
        options.append(f"headers: [\n{rows},\n  ]")
    if body.mode == "raw":
        options.append(f"body: {_js(body.raw)}")
    elif body.mode == "urlencoded":
        pairs = ", ".join(
            f"[{_js(row.name)}, {_js(row.value)}]" for row in enabled_rows(body.urlencoded)
        )
        options.append(f"body: new URLSearchParams([{pairs}])")
    elif body.mode == "binary":
        options.append(f"body: await readFile({_js(body.binary_path)})")
    elif body.mode == "multipart":
        lines.append("const form = new FormData();")
        lines += [_fetch_field(row) for row in _fields(request)]
        options.append("body: form")
    options.append(f"redirect: {_js('follow' if settings.follow_redirects else 'manual')}")
    options.append(f"signal: AbortSignal.timeout({round(read_timeout(settings) * 1000)})")
    if lines and lines[-1]:
        lines.append("")
    lines.append(f"const response = await fetch({_js(sent.url)}, {{")
    lines += [f"  {option}," for option in options]
    lines.append("});")
    lines += ["", "console.log(response.status);", "console.log(await response.text());", ""]
    return "\n".join(lines)


def _fields(request: RestRequest) -> list[FormField]:
    return enabled_rows(request.body.multipart) if request.body.mode == "multipart" else []


def _httpx_field(row: FormField) -> str:
    content_type = row.content_type.strip() or None
    if row.type == "file":
        name = row.value.replace("\\", "/").rsplit("/", 1)[-1]
        content = f"Path({row.value!r}).read_bytes()"
        return f"({row.name!r}, ({name!r}, {content}, {content_type!r}))"
    return f"({row.name!r}, (None, {row.value!r}, {content_type!r}))"


def _fetch_field(row: FormField) -> str:
    if row.type == "file":
        name = row.value.replace("\\", "/").rsplit("/", 1)[-1]
        blob_options = f", {{ type: {_js(row.content_type.strip())} }}" if row.content_type else ""
        blob = f"new Blob([await readFile({_js(row.value)})]{blob_options})"
        return f"form.append({_js(row.name)}, {blob}, {_js(name)});"
    if row.content_type.strip():
        blob = f"new Blob([{_js(row.value)}], {{ type: {_js(row.content_type.strip())} }})"
        return f"form.append({_js(row.name)}, {blob});"
    return f"form.append({_js(row.name)}, {_js(row.value)});"


def _js(text: str) -> str:
    """A JavaScript string literal (JSON's, with the two line separators escaped)."""
    return (
        json.dumps(text, ensure_ascii=False)
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
