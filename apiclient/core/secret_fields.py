"""Secret fields of a request, kept out of the collection file the way secret variables are.

The secret fields are the auth fields that hold secrets (password, token, API-key
value, client and consumer secrets...: ``auth_fields.SECRET_AUTH_FIELDS``), a custom
proxy's password, the SOAP WS-Security password and the webhook receiver's signing
secret. On save, a secret field's value goes to the ``SecretStore``
under the request's scope and the file gets an empty field; on load it is put back. A
value made only of ``{{variable}}`` references is no secret itself (the variable may
be), so it stays in the file, where a shared collection needs it.

Every field is kept whatever the auth kind, so switching a request's auth to "none" and
back loses nothing.

A folder's and the collection's auth, and the passphrases of the collection's client
certificates, are kept the same way (``split_auth``/``fill_auth``,
``split_certificates``/``fill_certificates``), under the same ``"@auth.<field>"`` keys
and ``"@cert.<n>.passphrase"`` in the scope of the folder or of the collection's auth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from apiclient.core.auth_fields import SECRET_AUTH_FIELDS
from apiclient.core.models import AnyRequest, Auth, ClientCertificate
from apiclient.core.variables import VARIABLE_PATTERN

# Variable names cannot hold "@", so these keys never meet a secret variable's value.
AUTH_PASSWORD_KEY = "@auth.password"
AUTH_TOKEN_KEY = "@auth.token"
AUTH_KEY_VALUE_KEY = "@auth.key_value"
WSSE_PASSWORD_KEY = "@wsse.password"
WEBHOOK_SECRET_KEY = "@signature.secret"

SECRET_FIELDS: tuple[tuple[str, str], ...] = (
    *(("auth", name) for name in SECRET_AUTH_FIELDS),
    ("settings", "proxy_password"),
    ("wsse", "password"),
    ("signature", "secret"),
)
"""(section, field) of every secret field; a request kind has those whose section it has.
The store key of one is ``"@<section>.<field>"``."""

_SPACE = re.compile(r"\s*")


def field_key(section: str, name: str) -> str:
    """The key a secret field's value is stored under in the request's scope."""
    return f"@{section}.{name}"


def only_references(text: str) -> bool:
    """True when ``text`` is nothing but ``{{variable}}`` references (and spaces)."""
    return bool(text.strip()) and _SPACE.fullmatch(VARIABLE_PATTERN.sub("", text)) is not None


def _sections(request: AnyRequest) -> dict[str, BaseModel]:
    """The request's sections that hold secret fields, by name."""
    names = dict.fromkeys(section for section, _ in SECRET_FIELDS)
    return {
        name: section
        for name in names
        if isinstance(section := getattr(request, name, None), BaseModel)
    }


def _fields(section_name: str) -> list[str]:
    return [name for owner, name in SECRET_FIELDS if owner == section_name]


def split_secret_fields(request: AnyRequest) -> tuple[AnyRequest, dict[str, str]]:
    """``request`` as written to its file, and the secret values to store beside it."""
    stored: dict[str, str] = {}
    update: dict[str, Any] = {}
    for section_name, section in _sections(request).items():
        secret = {
            name: value
            for name in _fields(section_name)
            if (value := getattr(section, name)) and not only_references(value)
        }
        if secret:
            stored.update({field_key(section_name, n): v for n, v in secret.items()})
            update[section_name] = section.model_copy(update=dict.fromkeys(secret, ""))
    if not update:
        return request, {}
    return request.model_copy(update=update), stored


def needs_secret_fields(request: AnyRequest) -> bool:
    """True when ``request`` (as read from its file) has a blank secret field, which the
    secret store may fill."""
    return any(
        not getattr(section, name)
        for section_name, section in _sections(request).items()
        for name in _fields(section_name)
    )


def fill_secret_fields(request: AnyRequest, stored: Mapping[str, str]) -> AnyRequest:
    """``request`` (as read from its file) with its stored secret fields put back."""
    update: dict[str, Any] = {}
    for section_name, section in _sections(request).items():
        values = {
            name: stored[key]
            for name in _fields(section_name)
            if not getattr(section, name) and (key := field_key(section_name, name)) in stored
        }
        if values:
            update[section_name] = section.model_copy(update=values)
    return request.model_copy(update=update) if update else request


def split_auth(auth: Auth) -> tuple[Auth, dict[str, str]]:
    """A folder's or the collection's ``auth`` as written to its file, and the secret
    values to store beside it (``"@auth.<field>"`` keys, as a request's)."""
    secret = {
        name: value
        for name in _fields("auth")
        if (value := getattr(auth, name)) and not only_references(value)
    }
    if not secret:
        return auth, {}
    stored = {field_key("auth", name): value for name, value in secret.items()}
    return auth.model_copy(update=dict.fromkeys(secret, "")), stored


def fill_auth(auth: Auth, stored: Mapping[str, str]) -> Auth:
    """``auth`` (as read from its file) with its stored secret fields put back."""
    values = {
        name: stored[key]
        for name in _fields("auth")
        if not getattr(auth, name) and (key := field_key("auth", name)) in stored
    }
    return auth.model_copy(update=values) if values else auth


def _passphrase_key(index: int) -> str:
    return f"@cert.{index}.passphrase"


def split_certificates(
    certs: list[ClientCertificate],
) -> tuple[list[ClientCertificate], dict[str, str]]:
    """Client certificates as written to the collection file (no passphrase), and the
    passphrases to store, keyed by position."""
    stored: dict[str, str] = {}
    on_disk: list[ClientCertificate] = []
    for index, cert in enumerate(certs):
        if cert.passphrase and not only_references(cert.passphrase):
            stored[_passphrase_key(index)] = cert.passphrase
            cert = cert.model_copy(update={"passphrase": ""})
        on_disk.append(cert)
    return on_disk, stored


def fill_certificates(
    certs: list[ClientCertificate], stored: Mapping[str, str]
) -> list[ClientCertificate]:
    """Client certificates (as read from the file) with their stored passphrases."""
    return [
        cert.model_copy(update={"passphrase": stored[key]})
        if not cert.passphrase and (key := _passphrase_key(index)) in stored
        else cert
        for index, cert in enumerate(certs)
    ]
