"""A generated Postman Collection v2.1 export of a chosen size, for the big-import test and
benchmark: nested folders of realistic requests (JSON bodies, headers, auth, scripts,
variables), the same bytes for the same arguments."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_RESOURCES = (
    "users",
    "orders",
    "invoices",
    "products",
    "carts",
    "payments",
    "shipments",
    "reviews",
    "coupons",
    "webhooks",
)
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def write_big_postman(
    path: Path, requests: int = 5000, folders: int = 200, body_bytes: int = 650
) -> Path:
    """Write a collection of ``requests`` requests spread over ``folders`` folders (two
    levels: groups of ten sub-folders) to ``path``; returns ``path``. The defaults give
    a file of about 10 MB."""
    rng = random.Random(f"{requests}/{folders}/{body_bytes}")
    base, extra = divmod(requests, folders)
    per_folder = [base + (1 if i < extra else 0) for i in range(folders)]
    groups: list[dict[str, Any]] = []
    number = 0
    for index, count in enumerate(per_folder):
        resource = _RESOURCES[index % len(_RESOURCES)]
        if index % 10 == 0:
            groups.append(_group(index // 10, resource))
        folder = _folder(index, resource)
        for _ in range(count):
            number += 1
            folder["item"].append(_request(rng, number, resource, body_bytes))
        groups[-1]["item"].append(folder)
    doc = {
        "info": {
            "_postman_id": "7f3c9a0e-0000-4000-8000-000000000000",
            "name": f"Big shop API ({requests} requests)",
            "description": "A generated collection for measuring imports.",
            "schema": V21,
        },
        "item": groups,
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{access_token}}"}]},
        "event": [
            {
                "listen": "prerequest",
                "script": {"type": "text/javascript", "exec": ["pm.variables.get('base');"]},
            }
        ],
        "variable": [
            {"key": "base", "value": "https://api.example.com/v2"},
            {"key": "access_token", "value": ""},
            {"key": "tenant", "value": "acme"},
        ],
    }
    path.write_text(json.dumps(doc, indent="\t", ensure_ascii=False), encoding="utf-8")
    return path


def _group(number: int, resource: str) -> dict[str, Any]:
    return {
        "name": f"Area {number + 1}",
        "description": f"Endpoints of area {number + 1}, starting with {resource}.",
        "item": [],
    }


def _folder(index: int, resource: str) -> dict[str, Any]:
    folder: dict[str, Any] = {
        "name": f"{resource.title()} {index + 1}",
        "description": f"Everything about {resource} (set {index + 1}).",
        "item": [],
    }
    if index % 7 == 3:
        folder["auth"] = {
            "type": "apikey",
            "apikey": [
                {"key": "key", "value": "X-Api-Key"},
                {"key": "value", "value": "{{api_key}}"},
                {"key": "in", "value": "header"},
            ],
        }
    if index % 5 == 2:
        folder["variable"] = [{"key": "page_size", "value": str(10 + index % 40)}]
    return folder


def _request(rng: random.Random, number: int, resource: str, body_bytes: int) -> dict[str, Any]:
    method = ("GET", "POST", "PUT", "PATCH", "DELETE")[number % 5]
    item_id = 1000 + number
    url = f"{{{{base}}}}/{resource}/{item_id}?expand=details&tenant={{{{tenant}}}}"
    request: dict[str, Any] = {
        "method": method,
        "header": [
            {"key": "Accept", "value": "application/json"},
            {"key": "X-Request-Id", "value": "{{$guid}}"},
            {"key": "X-Trace", "value": f"trace-{number}", "disabled": number % 3 == 0},
        ],
        "url": {
            "raw": url,
            "host": ["{{base}}"],
            "path": [resource, str(item_id)],
            "query": [
                {"key": "expand", "value": "details"},
                {"key": "tenant", "value": "{{tenant}}"},
            ],
        },
        "description": f"{method} one of the {resource} (number {number}).",
    }
    if method in ("POST", "PUT", "PATCH"):
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(_payload(rng, number, body_bytes), indent=2),
            "options": {"raw": {"language": "json"}},
        }
    if number % 97 == 0:
        request["auth"] = {
            "type": "basic",
            "basic": [
                {"key": "username", "value": f"user{number}"},
                {"key": "password", "value": "{{password}}"},
            ],
        }
    status = {"GET": 200, "POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}[method]
    return {
        "name": f"{method.title()} {resource[:-1]} {number}",
        "event": [
            {
                "listen": "test",
                "script": {
                    "type": "text/javascript",
                    "exec": [
                        f'pm.test("status is {status}", function () {{',
                        f"    pm.response.to.have.status({status});",
                        "});",
                        "const body = pm.response.json();",
                        'pm.environment.set("last_id", body.id);',
                    ],
                },
            }
        ],
        "request": request,
        "response": [],
    }


def _payload(rng: random.Random, number: int, size: int) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": number, "tags": [], "lines": []}
    while len(json.dumps(payload)) < size:
        payload["lines"].append(
            {
                "sku": f"SKU-{rng.randrange(10**6):06d}",
                "quantity": rng.randrange(1, 9),
                "price": round(rng.uniform(1, 500), 2),
                "note": " ".join(rng.choice(_WORDS) for _ in range(6)),
            }
        )
    return payload
