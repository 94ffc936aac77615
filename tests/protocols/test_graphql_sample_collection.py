"""Every GraphQL request of the bundled sample collection against the GraphQL mock, as a
user would send it (environment variables resolved): each answers as its name says."""

from __future__ import annotations

import pytest

from apiclient.core.models import GraphqlRequest
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.core.variables import Scope, resolve_graphql_request
from apiclient.protocols.graphql import GraphqlEngine
from apiclient.protocols.graphql_document import check_document

_STORE = CollectionStore.open(resources_dir() / "sample-collection")
_GRAPHQL = [
    node.request
    for node in walk(_STORE.tree)
    if isinstance(node, RequestNode) and isinstance(node.request, GraphqlRequest)
]


def _resolved(request: GraphqlRequest, mock_urls: dict[str, str]) -> GraphqlRequest:
    scope = Scope.layered(collection=_STORE.variables, environment=_STORE.environments[0].variables)
    resolved = resolve_graphql_request(request, scope)
    return resolved.model_copy(
        update={"url": resolved.url.replace("http://127.0.0.1:8712", mock_urls["graphql"])}
    )


@pytest.mark.parametrize("request_", _GRAPHQL, ids=[r.name for r in _GRAPHQL])
async def test_sample_graphql_request_answers_as_named(
    request_: GraphqlRequest, gql: GraphqlEngine, mock_urls: dict[str, str]
) -> None:
    resolved = _resolved(request_, mock_urls)
    schema = await gql.introspect(
        resolved.model_copy(update={"url": resolved.url.replace("-locked", "")})
    )
    operation = check_document(resolved.query, schema, resolved.operation_name)
    if operation.kind == "subscription":
        return  # streamed by the tab; the document is checked against the schema above
    response = await gql.send(resolved, schema)
    assert response.http.status_code == 200 and response.problem == ""
    if "error next to data" in request_.name:
        assert response.errors and response.data is not None
    elif "data null" in request_.name:
        assert response.errors and response.data is None
    else:
        assert not response.errors, response.errors
        assert response.data
