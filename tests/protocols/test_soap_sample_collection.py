"""Every SOAP request of the bundled sample collection, sent to the SOAP mock as a user
would send it (environment variables resolved): faults where the name says so, else 200."""

from __future__ import annotations

import pytest

from apiclient.core.models import SoapRequest
from apiclient.core.paths import resources_dir
from apiclient.core.store import CollectionStore, RequestNode
from apiclient.core.store_nodes import walk
from apiclient.core.variables import Scope, resolve_soap_request
from apiclient.protocols.soap import SoapEngine

_STORE = CollectionStore.open(resources_dir() / "sample-collection")
_SOAP = [
    node.request
    for node in walk(_STORE.tree)
    if isinstance(node, RequestNode) and isinstance(node.request, SoapRequest)
]


@pytest.mark.parametrize("request_", _SOAP, ids=[r.name for r in _SOAP])
async def test_sample_soap_request_answers_as_named(
    request_: SoapRequest, soap: SoapEngine, mock_urls: dict[str, str]
) -> None:
    env = _STORE.environments[0].variables
    scope = Scope.layered(collection=_STORE.variables, environment=env)
    resolved = resolve_soap_request(request_, scope)
    resolved = resolved.model_copy(
        update={"endpoint": resolved.endpoint.replace("http://127.0.0.1:8711", mock_urls["soap"])}
    )
    response = await soap.send(resolved)
    assert response.problem == ""
    if "(Fault)" in request_.name:
        assert response.fault is not None
    else:
        assert response.fault is None, response.fault
        assert response.http.status_code == 200
