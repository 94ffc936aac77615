"""The YAML files of a collection folder: what they hold and how they are (de)serialised.

Files are written for people and for git: keys in model field order, fields at their
default left out (``kind`` and ``name`` are always written), multi-line text as ``|``
block scalars, no ids or timestamps, a trailing newline. The same content always gives
the same bytes, so an unchanged save is no change at all.

Loading never trusts a file: YAML's safe loader, then pydantic validation. Each failure
becomes a ``FormatError`` whose ``reason`` a person can act on ("line 3: ...",
"field 'method': ...").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection as AbstractSet
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apiclient.core.models import (
    SCHEMA_VERSION,
    AnyRequest,
    Auth,
    BatchRequest,
    ClientCertificate,
    ContractMockSettings,
    GraphqlRequest,
    GrpcRequest,
    RestRequest,
    SoapRequest,
    Variable,
    WebhookRequest,
    WebsocketRequest,
    inherit_auth,
)

COLLECTION_FILE = "collection.yaml"
FOLDER_FILE = "folder.yaml"
ITEMS_DIR = "items"
ENVIRONMENTS_DIR = "environments"
SUFFIX = ".yaml"

# Each ``kind:`` a request file may have, and the model that reads it.
REQUEST_MODELS: dict[str, type[AnyRequest]] = {
    "rest": RestRequest,
    "batch": BatchRequest,
    "soap": SoapRequest,
    "graphql": GraphqlRequest,
    "grpc": GrpcRequest,
    "websocket": WebsocketRequest,
    "webhook": WebhookRequest,
}
REQUEST_KINDS: tuple[str, ...] = tuple(REQUEST_MODELS)
_M = TypeVar("_M", bound=BaseModel)


class FormatError(Exception):
    """A file's text is not a valid file of its kind; ``reason`` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use


class CollectionFile(_File):
    """``collection.yaml``: the collection's settings and the order of its top level.
    Secret values (of variables, of ``auth``, certificates' passphrases) are left blank."""

    schema_version: int
    name: str
    description: str = ""
    variables: list[Variable] = Field(default_factory=list)
    auth: Auth = Field(default_factory=Auth)
    client_certificates: list[ClientCertificate] = Field(default_factory=list)
    contract_mocks: list[ContractMockSettings] = Field(default_factory=list)
    order: list[str] = Field(default_factory=list)


class FolderFile(_File):
    """``folder.yaml``: a folder's display name, description, the auth its requests
    inherit (secret values blank) and the order of its entries."""

    name: str
    description: str = ""
    auth: Auth = Field(default_factory=inherit_auth)
    order: list[str] = Field(default_factory=list)


class EnvironmentFile(_File):
    """``environments/<slug>.yaml``: secret values are left out (see ``SecretStore``)."""

    name: str
    variables: list[Variable] = Field(default_factory=list)


# ---- writing -----------------------------------------------------------------------------


def dump_yaml(doc: dict[str, Any]) -> str:
    """``doc`` as YAML text, keys in the given order, ending with a newline."""
    from apiclient.core import yaml_text  # PyYAML loads on first use, not at start-up

    return yaml_text.dump(doc)


def model_doc(model: BaseModel, *, always: tuple[str, ...] = ()) -> dict[str, Any]:
    """``model`` as a plain dict without default fields, except the names in ``always``."""
    doc = model.model_dump(mode="json", exclude_defaults=True)
    if not always:
        return doc
    ordered = {key: getattr(model, key) for key in always}
    ordered.update((key, value) for key, value in doc.items() if key not in ordered)
    return ordered


def request_doc(request: AnyRequest) -> dict[str, Any]:
    """A request file's content: ``kind`` first, then ``name``, then non-default fields."""
    return model_doc(request, always=("kind", "name"))


# ---- reading -----------------------------------------------------------------------------


def load_yaml(text: str) -> dict[str, Any]:
    """Parse a file's text into a mapping, or raise ``FormatError`` with line and problem."""
    from apiclient.core import yaml_text  # PyYAML loads on first use, not at start-up

    try:
        doc = yaml_text.parse(text)
    except yaml_text.YamlSyntaxError as exc:
        raise FormatError(str(exc)) from exc
    if doc is None:
        raise FormatError("the file is empty")
    if not isinstance(doc, dict):
        raise FormatError(f"expected a mapping of fields, found a {type(doc).__name__}")
    return doc


def describe_validation(exc: ValidationError) -> str:
    """Pydantic's errors as "field 'a.b': message; ..." (at most three, then a count)."""
    parts = []
    errors = exc.errors(include_url=False)
    for error in errors[:3]:
        loc = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field (a typo, or a file from a newer apiclient?)"
        parts.append(f"field '{loc}': {message}" if loc else message)
    if len(errors) > 3:
        parts.append(f"and {len(errors) - 3} more problems")
    return "; ".join(parts)


def check_schema_version(doc: dict[str, Any]) -> None:
    """Refuse files written by a newer apiclient, whose meaning this version cannot know."""
    version = doc.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise FormatError(f"field 'schema_version': expected a whole number, found {version!r}")
    if version > SCHEMA_VERSION:
        raise FormatError(
            f"written by a newer apiclient (schema_version {version}; this version reads up "
            f"to {SCHEMA_VERSION}). Update apiclient to open it."
        )


def parse_model(model: type[_M], doc: dict[str, Any]) -> _M:
    """Validate ``doc`` as ``model`` or raise ``FormatError`` naming the bad fields."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise FormatError(describe_validation(exc)) from exc


def parse_request(text: str) -> AnyRequest:
    """A request file's text as a request, or ``FormatError``."""
    doc = load_yaml(text)
    check_schema_version(doc)
    doc.pop("schema_version", None)
    kind = doc.get("kind")
    if kind is None:
        raise FormatError(f"field 'kind' is missing (expected one of: {', '.join(REQUEST_KINDS)})")
    if kind not in REQUEST_KINDS:
        raise FormatError(
            f"unknown request kind {kind!r}; this version of apiclient reads "
            f"{', '.join(REQUEST_KINDS)}. It may come from a newer apiclient."
        )
    return parse_model(REQUEST_MODELS[kind], doc)


# ---- file names --------------------------------------------------------------------------

SLUG_MAX = 60
# Names a request or folder file may not take: the folder file, and Windows device names.
RESERVED_SLUGS = frozenset(
    {"folder", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def slugify(name: str, fallback: str) -> str:
    """A file-name-safe form of ``name``: lowercase ``[a-z0-9-]``, at most ``SLUG_MAX`` chars."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rstrip("-")
    return slug or fallback


def unique_slug(name: str, taken: AbstractSet[str], fallback: str) -> str:
    """``slugify(name)``, with ``-2``, ``-3``... appended until it is not in ``taken``."""
    base = slugify(name, fallback)
    candidate = base
    counter = 2
    while candidate in taken or candidate in RESERVED_SLUGS:
        suffix = f"-{counter}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        counter += 1
    return candidate
