"""OpenAPI security requirements turned into our auth, with ``{{variables}}`` for secrets.

An operation's ``security`` (or the document's, when the operation has none) lists
alternatives; the first one is used. Its first scheme we can express becomes the request's
auth: HTTP basic, bearer and digest, API keys in a header or the query (Swagger 2.0's
``basic`` too), and OAuth 2.0 with its first flow we run (client credentials, password,
then authorization code with PKCE; the token and authorization URLs from the flow, the
operation's scopes). Further API keys required together with it become header or query
rows. Secrets are never invented: the auth refers to variables named after the scheme
(``{{petstore_auth_token}}``, ``{{api_key}}``), which the importer adds to the collection
as empty secret variables for the person to fill in.

OAuth 2 with only the implicit flow, OpenID Connect and mutual TLS have no counterpart
here; each gives one warning naming the scheme and how many operations use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from apiclient.core.importers.openapi_refs import Documents, Node
from apiclient.core.models import Auth, KeyValue, OAuth2Grant, Variable

_UNSAFE = re.compile(r"[\s{}]+")
_OPENAPI_FLOWS: tuple[tuple[str, OAuth2Grant], ...] = (
    ("clientCredentials", "client_credentials"),
    ("password", "password"),
    ("authorizationCode", "authorization_code"),
)
_SWAGGER_FLOWS: tuple[tuple[str, OAuth2Grant], ...] = (
    ("application", "client_credentials"),
    ("password", "password"),
    ("accessCode", "authorization_code"),
)


@dataclass
class SecurityResult:
    """What one operation's security adds to its request."""

    auth: Auth = field(default_factory=lambda: Auth(kind="none"))
    headers: list[KeyValue] = field(default_factory=list)
    params: list[KeyValue] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)


class Security:
    """Turns security requirements into auth; remembers the variables and the schemes it
    could not express, for the collection and its warnings."""

    def __init__(self, documents: Documents, root: Node, swagger: bool) -> None:
        self._documents = documents
        doc = root.value
        if swagger:
            schemes = doc.get("securityDefinitions")
        else:
            components = doc.get("components")
            schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        self._schemes: dict[str, Any] = schemes if isinstance(schemes, dict) else {}
        self._file = root.file
        self._default = doc.get("security")
        self.variables: dict[str, Variable] = {}
        self._unsupported: dict[str, tuple[str, list[str]]] = {}

    def for_operation(self, operation: dict[str, Any], where: str) -> SecurityResult:
        """The auth and extra rows for ``operation`` (``where`` is "GET /pets")."""
        requirements = operation.get("security", self._default)
        result = SecurityResult()
        if not isinstance(requirements, list) or not requirements:
            return result
        first = requirements[0]
        if not isinstance(first, dict):
            return result
        for name, scopes in first.items():
            self._add(str(name), result, where, scopes)
        return result

    def warnings(self) -> Iterable[str]:
        """One sentence per scheme that could not be expressed."""
        for name, (kind, users) in self._unsupported.items():
            count = f"{len(users)} operation" + ("s" if len(users) != 1 else "")
            yield (
                f"The security scheme {name!r} ({kind}, used by {count}, e.g. {users[0]}) is "
                "not supported by apiclient; those requests were imported without it. Get a "
                "token by hand and set it as a bearer token or header."
            )

    def _add(self, name: str, result: SecurityResult, where: str, scopes: Any = ()) -> None:
        raw = self._schemes.get(name)
        if raw is None:
            self._unsupported.setdefault(name, ("not defined in the document", []))[1].append(where)
            return
        scheme = self._documents.resolve(Node(raw, self._file), f"the security scheme {name!r}")
        spec = scheme.value if isinstance(scheme.value, dict) else {}
        kind = str(spec.get("type", ""))
        http = str(spec.get("scheme", "")).lower()
        if kind == "basic" or (kind == "http" and http == "basic"):
            self._set_auth(result, name, where, "basic")
        elif kind == "http" and http in ("bearer", "digest"):
            self._set_auth(result, name, where, http)
        elif kind == "apiKey" and spec.get("in") in ("header", "query", "cookie"):
            self._api_key(result, name, str(spec.get("name", name)), str(spec["in"]))
        elif kind == "oauth2" and (oauth2 := self._oauth2(spec, name, scopes)) is not None:
            if result.auth.kind != "none":
                self._unsupported.setdefault(
                    name, ("oauth2, required together with another scheme", [])
                )[1].append(where)
            else:
                result.auth = oauth2
        else:
            label = f"{kind} {http}".strip() or "no type"
            self._unsupported.setdefault(name, (label, []))[1].append(where)

    def _set_auth(self, result: SecurityResult, name: str, where: str, kind: str) -> None:
        if result.auth.kind != "none":
            self._unsupported.setdefault(
                name, (f"{kind}, required together with another scheme", [])
            )[1].append(where)
            return
        if kind == "bearer":
            result.auth = Auth(kind="bearer", token=self._var(f"{name}_token"))
        else:
            result.auth = Auth(
                kind="basic" if kind == "basic" else "digest",
                username=self._var(f"{name}_username"),
                password=self._var(f"{name}_password"),
            )

    def _api_key(self, result: SecurityResult, name: str, key: str, where_in: str) -> None:
        value = self._var(name)
        if where_in == "cookie":
            result.cookies.append(f"{key}={value}")
        elif result.auth.kind == "none":
            key_in: Literal["header", "query"] = "query" if where_in == "query" else "header"
            result.auth = Auth(kind="apikey", key_name=key, key_value=value, key_in=key_in)
        elif where_in == "header":
            result.headers.append(KeyValue(name=key, value=value))
        else:
            result.params.append(KeyValue(name=key, value=value))

    def _oauth2(self, spec: dict[str, Any], name: str, scopes: Any) -> Auth | None:
        """OAuth 2.0 with the first flow we can run (client credentials, password,
        authorization code with PKCE); None when the scheme has only the implicit flow."""
        flows = spec.get("flows")
        if isinstance(flows, dict):  # OpenAPI 3
            found = [
                (grant, flow)
                for key, grant in _OPENAPI_FLOWS
                if isinstance(flow := flows.get(key), dict)
            ]
        else:  # Swagger 2.0: one flow per scheme
            grant = dict(_SWAGGER_FLOWS).get(str(spec.get("flow", "")))
            found = [(grant, spec)] if grant is not None else []
        if not found:
            return None
        grant, flow = found[0]
        wanted = [str(s) for s in scopes] if isinstance(scopes, list) else []
        return Auth(
            kind="oauth2",
            grant_type=grant,
            token_url=str(flow.get("tokenUrl", "")),
            auth_url=str(flow.get("authorizationUrl", "")),
            client_id=self._var(f"{name}_client_id"),
            client_secret=self._var(f"{name}_client_secret"),
            scope=" ".join(wanted),
        )

    def _var(self, name: str) -> str:
        clean = _UNSAFE.sub("_", name).strip("_") or "secret"
        self.variables.setdefault(clean, Variable(name=clean, value="", secret=True))
        return "{{" + clean + "}}"
