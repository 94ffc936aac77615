"""Mocks served from a user's own contract: an OpenAPI 3 file, a WSDL, a GraphQL SDL or
a .proto file. Each answers every operation with data generated from the contract's
types (``fake_data``), or with a response the user pinned for that operation."""
