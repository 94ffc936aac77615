"""Which fields of :class:`~apiclient.core.models.Auth` each auth kind reads, what a
person calls them, and which of them are secrets.

One table serves the variable resolver (only the active kind's fields are resolved), the
secret store (secret fields never reach a collection file), the Auth editor (the rows a
kind shows) and the history's redaction, so adding a field to a kind is one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from apiclient.core.models import Auth


@dataclass(frozen=True)
class AuthField:
    """One text field of a kind: its ``Auth`` attribute and its label in messages."""

    name: str
    label: str


_USER = AuthField("username", "auth username")
_PASSWORD = AuthField("password", "auth password")

AUTH_TEXT_FIELDS: Mapping[str, tuple[AuthField, ...]] = MappingProxyType(
    {
        "inherit": (),
        "none": (),
        "basic": (_USER, _PASSWORD),
        "digest": (_USER, _PASSWORD),
        "ntlm": (_USER, _PASSWORD, AuthField("domain", "NTLM domain")),
        "bearer": (AuthField("token", "auth token"), AuthField("token_prefix", "token prefix")),
        "apikey": (
            AuthField("key_name", "API key name"),
            AuthField("key_value", "API key value"),
        ),
        "oauth2": (
            AuthField("token_url", "OAuth 2.0 token URL"),
            AuthField("auth_url", "OAuth 2.0 authorization URL"),
            AuthField("client_id", "OAuth 2.0 client ID"),
            AuthField("client_secret", "OAuth 2.0 client secret"),
            AuthField("scope", "OAuth 2.0 scope"),
            AuthField("redirect_uri", "OAuth 2.0 redirect URI"),
            _USER,
            _PASSWORD,
            AuthField("token_prefix", "token prefix"),
        ),
        "oauth1": (
            AuthField("consumer_key", "OAuth 1.0 consumer key"),
            AuthField("consumer_secret", "OAuth 1.0 consumer secret"),
            AuthField("token", "OAuth 1.0 access token"),
            AuthField("token_secret", "OAuth 1.0 token secret"),
            AuthField("realm", "OAuth 1.0 realm"),
        ),
        "awsv4": (
            AuthField("access_key", "AWS access key"),
            AuthField("secret_key", "AWS secret key"),
            AuthField("session_token", "AWS session token"),
            AuthField("region", "AWS region"),
            AuthField("service", "AWS service"),
        ),
        "hawk": (
            AuthField("hawk_id", "Hawk ID"),
            AuthField("hawk_key", "Hawk key"),
            AuthField("hawk_ext", "Hawk ext"),
        ),
    }
)
"""The text fields each kind sends, in the order the editor shows them."""

SECRET_AUTH_FIELDS: tuple[str, ...] = (
    "password",
    "token",
    "key_value",
    "client_secret",
    "consumer_secret",
    "token_secret",
    "secret_key",
    "session_token",
    "hawk_key",
)
"""The ``Auth`` fields whose values are secrets, whatever the kind."""


def auth_credentials(auth: Auth) -> set[str]:
    """The secret values ``auth`` would send (its active kind's secret fields, non-empty):
    what must be masked where a response or exported code may echo them."""
    names = {f.name for f in AUTH_TEXT_FIELDS.get(auth.kind, ())}
    return {
        value for name in SECRET_AUTH_FIELDS if name in names and (value := getattr(auth, name))
    }
