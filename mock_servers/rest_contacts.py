"""`/api/v1/contacts`: a CRM's contacts, one at a time and in JSON batches.

The batch routes act out a spreadsheet import as CRMs offer it: every item is checked
on its own, duplicates fail or are skipped, and the answer reports each item, so a
client can show which rows of a large upload went wrong and why. Checked by hand rather
than by FastAPI's models so that one bad row never refuses the whole batch.

State lives in the router made by `create_contacts_router`, so each app starts fresh.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

__all__ = [
    "ENDPOINTS",
    "MAX_BATCH_ITEMS",
    "MAX_BODY_BYTES",
    "ContactsRequestError",
    "create_contacts_router",
    "read_body",
]

# What the index page lists: path and what it is for.
ENDPOINTS: list[tuple[str, str]] = [
    (
        "/api/v1/contacts",
        "Contacts: GET (?email=), POST; /api/v1/contacts/{id}: GET PUT PATCH DELETE",
    ),
    ("/api/v1/contacts/batch", "POST create/upsert, PATCH update: up to 1000 contacts, per item"),
]
MAX_BATCH_ITEMS = 1000
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254
FIELDS = ("email", "first_name", "last_name", "company", "phone", "tags")
OPTIONS = ("skip_duplicates", "stop_on_error", "dry_run")
_REQUIRED = ("email", "first_name")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"[0-9 +\-()]*")
_EXAMPLE_CONTACT = '{"email": "ada@example.com", "first_name": "Ada"}'
_EXAMPLE_BATCH = f'{{"operation": "create", "contacts": [{_EXAMPLE_CONTACT}]}}'
_WHOLE_ITEM = ""  # the `field` of a message about an item as a whole (a JSON Pointer's root)


class ContactsRequestError(Exception):
    """A request refused as a whole; `message` is the sentence the client sees."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Contact:
    id: int
    email: str
    first_name: str
    last_name: str = ""
    company: str = ""
    phone: str = ""
    tags: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "phone": self.phone,
            "tags": list(self.tags),
        }


# email, first_name, last_name, company, phone, tags
_SEED = [
    ("ada.lovelace@example.com", "Ada", "Lovelace", "Analytical Engines Ltd", "+44 20 7946 0018"),
    ("grace.hopper@example.com", "Grace", "Hopper", "Navy Computing Labs", "+1 (202) 555-0147"),
    ("alan.turing@example.com", "Alan", "Turing", "Bletchley Park", ""),
    ("katherine.johnson@example.com", "Katherine", "Johnson", "NASA Langley", "+1 757 555 0199"),
]
_SEED_TAGS = [("vip",), ("enterprise",), (), ("premium", "enterprise")]


class ContactStore:
    """Contacts by id, with an index of their emails (case-insensitive, unique)."""

    def __init__(self) -> None:
        self._contacts: dict[int, Contact] = {}
        self._ids_by_email: dict[str, int] = {}
        self._next_id = 1

    def copy(self) -> ContactStore:
        """A store to try changes on (a dry run) without touching this one."""
        other = ContactStore()
        other._contacts = dict(self._contacts)
        other._ids_by_email = dict(self._ids_by_email)
        other._next_id = self._next_id
        return other

    def all(self) -> list[Contact]:
        return sorted(self._contacts.values(), key=lambda contact: contact.id)

    def get(self, contact_id: int) -> Contact | None:
        return self._contacts.get(contact_id)

    def by_email(self, email: str) -> Contact | None:
        contact_id = self._ids_by_email.get(email.lower())
        return None if contact_id is None else self._contacts[contact_id]

    def add(self, fields: dict[str, Any]) -> Contact:
        contact = Contact(id=self._next_id, **fields)
        self._next_id += 1
        self._store(contact)
        return contact

    def update(self, contact_id: int, fields: dict[str, Any]) -> Contact:
        old = self._contacts[contact_id]
        del self._ids_by_email[old.email.lower()]
        contact = replace(old, **fields)
        self._store(contact)
        return contact

    def delete(self, contact_id: int) -> None:
        contact = self._contacts.pop(contact_id)
        del self._ids_by_email[contact.email.lower()]

    def _store(self, contact: Contact) -> None:
        self._contacts[contact.id] = contact
        self._ids_by_email[contact.email.lower()] = contact.id


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _error(name: str, message: str) -> dict[str, str]:
    return {"field": name, "message": message}


def _check_value(name: str, value: object) -> tuple[Any, str | None]:
    """The stored form of one field's value, or why it cannot be stored."""
    if name == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            return None, f'"tags" must be a list of strings, such as ["vip"], not {_kind(value)}.'
        return tuple(value), None
    if not isinstance(value, str):
        return None, f'"{name}" must be a string, not {_kind(value)}.'
    if name == "email":
        email = value.strip()
        if len(email) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(email):
            return (
                None,
                f"{value!r} is not a valid email address; expected one like ada@example.com.",
            )
        return email, None
    if name in ("first_name", "last_name"):
        text = value.strip()
        low = 1 if name == "first_name" else 0
        if not low <= len(text) <= MAX_NAME_CHARS:
            return None, (
                f'"{name}" must be {low} to {MAX_NAME_CHARS} characters long (got {len(text)}).'
            )
        return text, None
    if name == "phone" and not _PHONE.fullmatch(value):
        return None, (
            f"{value!r} is not a phone number: use digits, spaces and + - ( ) only, "
            "such as +44 20 7946 0018."
        )
    return value, None


def check_fields(data: dict[str, Any], *, partial: bool) -> tuple[dict[str, Any], list[dict]]:
    """The contact fields in `data`, ready to store, and what is wrong with the others.

    `partial` (an update) needs no field; otherwise email and first_name are required. A
    null clears an optional field and is refused for a required one."""
    clean: dict[str, Any] = {}
    errors = [
        _error(name, f"Unknown field {name!r}; a contact has {', '.join(FIELDS)}.")
        for name in data
        if name not in FIELDS
    ]
    for name in FIELDS:
        if name not in data:
            if not partial and name in _REQUIRED:
                errors.append(_error(name, f'"{name}" is required, as in {_EXAMPLE_CONTACT}.'))
            continue
        value = data[name]
        if value is None and name not in _REQUIRED:
            clean[name] = () if name == "tags" else ""
            continue
        stored, message = _check_value(name, value)
        if message is None:
            clean[name] = stored
        else:
            errors.append(_error(name, message))
    return clean, errors


@dataclass(frozen=True)
class BatchOptions:
    skip_duplicates: bool = False
    stop_on_error: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class ItemResult:
    index: int
    status: str  # created, updated, skipped, failed
    id: int | None
    email: str | None
    errors: list[dict[str, str]] = field(default_factory=list)
    done: bool = True  # False for an item skipped unseen because of stop_on_error

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "id": self.id,
            "email": self.email,
            "errors": self.errors,
        }


def _email_of(item: object) -> str | None:
    email = item.get("email") if isinstance(item, dict) else None
    return email.strip() if isinstance(email, str) else None


class _Batch:
    """One batch run over a store (a copy of it for a dry run)."""

    def __init__(self, store: ContactStore, operation: str, options: BatchOptions) -> None:
        self.store = store.copy() if options.dry_run else store
        self.operation = operation
        self.options = options
        # Lower-cased email -> the index of the item that created or upserted it.
        self.claimed: dict[str, int] = {}

    def run(self, items: list[Any]) -> list[ItemResult]:
        results: list[ItemResult] = []
        first_failure: int | None = None
        for index, item in enumerate(items):
            if first_failure is not None and self.options.stop_on_error:
                message = f"Not processed: item {first_failure} failed and stop_on_error is set."
                errors = [_error(_WHOLE_ITEM, message)]
                results.append(ItemResult(index, "skipped", None, _email_of(item), errors, False))
                continue
            if not isinstance(item, dict):
                message = f"Each contact must be a JSON object, not {_kind(item)}."
                result = ItemResult(index, "failed", None, None, [_error(_WHOLE_ITEM, message)])
            elif self.operation == "update":
                result = self._update(index, item)
            else:
                result = self._create(index, item)
            if result.status == "failed" and first_failure is None:
                first_failure = index
            results.append(result)
        return results

    def _duplicate(self, index: int, email: str, result_id: int | None, message: str) -> ItemResult:
        return ItemResult(
            index,
            "skipped",
            result_id,
            email,
            [_error("email", f"{message} Skipped, as skip_duplicates asks.")],
        )

    def _create(self, index: int, item: dict[str, Any]) -> ItemResult:
        upsert = self.operation == "upsert"
        errors = []
        if "id" in item:
            how = "finds contacts by email" if upsert else "gives ids itself"
            errors.append(_error("id", f'Leave "id" out: {self.operation} {how}.'))
        fields, field_errors = check_fields(
            {k: v for k, v in item.items() if k != "id"}, partial=False
        )
        errors += field_errors
        email = fields.get("email")
        existing = self.store.by_email(email) if email else None
        duplicate = None
        if email and email.lower() in self.claimed:
            earlier = self.claimed[email.lower()]
            duplicate = f"{email} repeats the email of item {earlier} in this batch."
        elif existing is not None and not upsert:
            duplicate = f"A contact with email {existing.email} already exists (id {existing.id})."
        shown_email = email or _email_of(item)
        if duplicate is not None:
            if self.options.skip_duplicates and not errors:
                found = existing.id if existing else None
                return self._duplicate(index, shown_email or "", found, duplicate)
            errors.append(_error("email", duplicate))
        if errors:
            return ItemResult(index, "failed", None, shown_email, errors)
        assert email is not None  # no errors, so the required email is there
        self.claimed[email.lower()] = index
        if existing is not None:
            contact = self.store.update(existing.id, fields)
            return ItemResult(index, "updated", contact.id, contact.email)
        contact = self.store.add(fields)
        return ItemResult(
            index, "created", None if self.options.dry_run else contact.id, contact.email
        )

    def _find(self, item: dict[str, Any]) -> tuple[Contact | None, str | None, dict | None]:
        """The contact an update names, the field that named it, and why none was found."""
        locator = "id" if "id" in item else "email" if "email" in item else None
        if locator is None:
            message = 'Give "id" or "email" to find the contact, as in {"id": 3, "company": "A"}.'
            return None, None, _error(_WHOLE_ITEM, message)
        key = item[locator]
        if locator == "id" and (not isinstance(key, int) or isinstance(key, bool)):
            return None, locator, _error("id", f'"id" must be a whole number, not {_kind(key)}.')
        if locator == "email" and not isinstance(key, str):
            return None, locator, _error("email", f'"email" must be a string, not {_kind(key)}.')
        contact = self.store.get(key) if locator == "id" else self.store.by_email(key.strip())
        if contact is None:
            shown = key if locator == "id" else key.strip()
            return None, locator, _error(locator, f"No contact with {locator} {shown}.")
        return contact, locator, None

    def _update(self, index: int, item: dict[str, Any]) -> ItemResult:
        contact, locator, not_found = self._find(item)
        changes = {k: v for k, v in item.items() if k != locator}
        fields, errors = check_fields(changes, partial=True)
        if not_found is not None:
            errors.insert(0, not_found)
        if contact is None:
            return ItemResult(index, "failed", None, _email_of(item), errors)
        new_email = fields.get("email")
        owner = self.store.by_email(new_email) if new_email else None
        if owner is not None and owner.id != contact.id:
            duplicate = f"{new_email} is already the email of contact {owner.id}."
            if self.options.skip_duplicates and not errors:
                return self._duplicate(index, contact.email, contact.id, duplicate)
            errors.append(_error("email", duplicate))
        if errors:
            return ItemResult(index, "failed", contact.id, contact.email, errors)
        contact = self.store.update(contact.id, fields)
        return ItemResult(index, "updated", contact.id, contact.email)


def _option(options: dict[str, Any], name: str) -> bool:
    value = options.get(name, False)
    if not isinstance(value, bool):
        raise ContactsRequestError(
            422, f'"options.{name}" must be true or false (default false), not {_kind(value)}.'
        )
    return value


def parse_batch(body: object, *, method: str) -> tuple[str, list[Any], BatchOptions]:
    """Check a batch body's shape (not its items): operation, contacts and options."""
    if not isinstance(body, dict):
        raise ContactsRequestError(
            400, f"The body must be a JSON object, not {_kind(body)}; for example {_EXAMPLE_BATCH}."
        )
    allowed = ("create", "upsert") if method == "POST" else ("update",)
    body = dict(body)
    if method == "PATCH" and "updates" in body and "contacts" not in body:
        body["contacts"] = body.pop("updates")  # the seed story's name for the list
    unknown = sorted(set(body) - {"operation", "contacts", "options"})
    if unknown:
        raise ContactsRequestError(
            422, f"Unknown field {unknown[0]!r}; a batch has operation, contacts and options."
        )
    operation = body.get("operation")
    if not isinstance(operation, str) or operation not in allowed:
        shown = "missing" if "operation" not in body else f"got {_kind(operation)}"
        if isinstance(operation, str):
            shown = f"got {json.dumps(operation[:40])}"
        hint = 'PATCH takes "update"' if method == "POST" else 'POST takes "create" or "upsert"'
        raise ContactsRequestError(
            422,
            f'"operation" must be {" or ".join(json.dumps(a) for a in allowed)} for {method} '
            f"({shown}); {hint}.",
        )
    contacts = body.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        shown = "missing" if "contacts" not in body else f"got {_kind(contacts)}"
        if contacts == []:
            shown = "got an empty list"
        raise ContactsRequestError(
            422, f'"contacts" must be a list of 1 to {MAX_BATCH_ITEMS} contact objects ({shown}).'
        )
    if len(contacts) > MAX_BATCH_ITEMS:
        raise ContactsRequestError(
            413,
            f"The batch holds {len(contacts)} contacts; at most {MAX_BATCH_ITEMS} fit in one "
            "batch, so split it into several requests.",
        )
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise ContactsRequestError(422, f'"options" must be an object, not {_kind(options)}.')
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ContactsRequestError(
            422, f"Unknown option {unknown[0]!r}; the options are {', '.join(OPTIONS)}."
        )
    flags = BatchOptions(*(_option(options, name) for name in OPTIONS))
    return operation, contacts, flags


def run_batch(
    store: ContactStore, operation: str, items: list[Any], options: BatchOptions
) -> tuple[int, dict[str, Any]]:
    """Apply a checked batch; the status (200, 207 or 422) and the per-item report."""
    results = _Batch(store, operation, options).run(items)
    counts = {status: 0 for status in ("created", "updated", "skipped", "failed")}
    for result in results:
        counts[result.status] += 1
    succeeded = sum(r.done and r.status != "failed" for r in results)
    status = 200 if counts["failed"] == 0 else 207 if succeeded else 422
    report = {"operation": operation, "processed": len(results), **counts}
    report |= {"dry_run": options.dry_run, "results": [r.to_json() for r in results]}
    return status, report


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 once it is over `limit` bytes."""
    too_big = ContactsRequestError(
        413, f"The body is over {limit} bytes ({limit // (1024 * 1024)} MB); send less at once."
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise too_big
    return bytes(raw)


async def _json_body(request: Request, example: str) -> object:
    raw = await read_body(request)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ContactsRequestError(
            400, f"The body is not valid JSON ({exc}); send an object, for example {example}."
        ) from None


def _error_response(exc: ContactsRequestError) -> JSONResponse:
    return JSONResponse({"error": exc.message}, status_code=exc.status)


def _invalid(errors: list[dict[str, str]]) -> JSONResponse:
    listing = "; ".join(f"{e['field'] or 'contact'}: {e['message']}" for e in errors)
    return JSONResponse(
        {"error": f"The contact is not valid. {listing}", "errors": errors}, status_code=422
    )


def create_contacts_router() -> APIRouter:
    """Build the contacts routes around a fresh, seeded in-memory store."""
    router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])
    store = ContactStore()
    for values, tags in zip(_SEED, _SEED_TAGS, strict=True):
        store.add(dict(zip(FIELDS, (*values, tags), strict=True)))

    async def batch(request: Request) -> Response:
        try:
            body = await _json_body(request, _EXAMPLE_BATCH)
            operation, items, options = parse_batch(body, method=request.method)
        except ContactsRequestError as exc:
            return _error_response(exc)
        status, report = run_batch(store, operation, items, options)
        return JSONResponse(report, status_code=status)

    router.add_api_route("/batch", batch, methods=["POST"], name="create_contacts_batch")
    router.add_api_route("/batch", batch, methods=["PATCH"], name="update_contacts_batch")

    def found(contact_id: str) -> Contact | JSONResponse:
        contact = store.get(int(contact_id)) if contact_id.isdigit() else None
        if contact is None:
            return JSONResponse({"error": f"No contact with id {contact_id!r}."}, status_code=404)
        return contact

    async def write(
        request: Request, contact: Contact | None, *, partial: bool
    ) -> Contact | JSONResponse:
        try:
            body = await _json_body(request, _EXAMPLE_CONTACT)
        except ContactsRequestError as exc:
            return _error_response(exc)
        if not isinstance(body, dict):
            return JSONResponse(
                {"error": f"The body must be a contact object, not {_kind(body)}."}, status_code=400
            )
        fields, errors = check_fields(body, partial=partial)
        if errors:
            return _invalid(errors)
        if not partial:  # a PUT replaces: fields left out go back to their defaults
            fields = {"last_name": "", "company": "", "phone": "", "tags": ()} | fields
        owner = store.by_email(fields["email"]) if "email" in fields else None
        if owner is not None and (contact is None or owner.id != contact.id):
            message = f"A contact with email {owner.email} already exists (id {owner.id})."
            return JSONResponse({"error": message}, status_code=409)
        return store.add(fields) if contact is None else store.update(contact.id, fields)

    @router.get("")
    async def list_contacts(email: str | None = None) -> dict[str, Any]:
        contacts = store.all()
        if email is not None:
            contacts = [c for c in contacts if c.email.lower() == email.strip().lower()]
        return {"contacts": [c.to_json() for c in contacts], "total": len(contacts)}

    @router.post("", status_code=201)
    async def create_contact(request: Request) -> Response:
        result = await write(request, None, partial=False)
        if isinstance(result, Response):
            return result
        location = str(request.url_for("read_contact", contact_id=str(result.id)))
        return JSONResponse(result.to_json(), status_code=201, headers={"Location": location})

    @router.get("/{contact_id}")
    async def read_contact(contact_id: str) -> Response:
        contact = found(contact_id)
        return contact if isinstance(contact, Response) else JSONResponse(contact.to_json())

    @router.put("/{contact_id}")
    async def replace_contact(contact_id: str, request: Request) -> Response:
        contact = found(contact_id)
        if isinstance(contact, Contact):
            contact = await write(request, contact, partial=False)
        return contact if isinstance(contact, Response) else JSONResponse(contact.to_json())

    @router.patch("/{contact_id}")
    async def update_contact(contact_id: str, request: Request) -> Response:
        contact = found(contact_id)
        if isinstance(contact, Contact):
            contact = await write(request, contact, partial=True)
        return contact if isinstance(contact, Response) else JSONResponse(contact.to_json())

    @router.delete("/{contact_id}", status_code=204)
    async def delete_contact(contact_id: str) -> Response:
        contact = found(contact_id)
        if isinstance(contact, Response):
            return contact
        store.delete(contact.id)
        return Response(status_code=204)

    return router
