"""What the GraphQL engine tests share besides fixtures (those are in conftest.py)."""

from __future__ import annotations

from apiclient.core.models import GraphqlRequest


def at(url: str, query: str, **fields: object) -> GraphqlRequest:
    """A GraphQL request to ``url`` running ``query``, other fields as given."""
    return GraphqlRequest.model_validate({"url": url, "query": query, **fields})
