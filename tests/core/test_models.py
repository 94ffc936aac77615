"""The models round-trip through their own dumps, as the store relies on."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from apiclient.core.models import (
    Auth,
    Body,
    Collection,
    Environment,
    FormField,
    KeyValue,
    RestRequest,
    Variable,
)


def _full_request() -> RestRequest:
    return RestRequest(
        name="Create item",
        description="Line one\nline two",
        method="POST",
        url="{{base_url}}/api/items",
        params=[KeyValue(name="a", value="1"), KeyValue(name="off", enabled=False)],
        headers=[KeyValue(name="X-Key", value="{{key}}", description="why")],
        body=Body(
            mode="multipart",
            multipart=[FormField(name="f", value="/tmp/x", type="file", content_type="text/plain")],
        ),
        auth=Auth(kind="bearer", token="{{token}}"),
        variables=[Variable(name="key", value="k", secret=True)],
    )


def test_request_round_trips_through_a_dump_without_defaults() -> None:
    request = _full_request()
    doc = request.model_dump(mode="json", exclude_defaults=True)
    assert "settings" not in doc
    assert RestRequest.model_validate(doc) == request


def test_collection_round_trips_through_a_full_dump() -> None:
    collection = Collection(
        name="C",
        variables=[Variable(name="v", value="1")],
        environments=[Environment(name="E", variables=[Variable(name="x")])],
        items=[_full_request()],
    )
    assert Collection.model_validate(collection.model_dump(mode="json")) == collection


def test_unknown_keys_are_an_error() -> None:
    with pytest.raises(ValidationError):
        RestRequest.model_validate({"kind": "rest", "nmae": "typo"})
