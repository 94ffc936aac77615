"""The bad-input corpus stays big enough: at least 200 distinct malformed inputs across
the tables of every entry point (issue 12)."""

from __future__ import annotations

import importlib

TABLES = [
    "test_bad_rest_requests",
    "test_bad_variables",
    "test_bad_curl_commands",
    "test_bad_import_files",
    "test_bad_collection_folders",
    "test_bad_soap_inputs",
    "test_bad_graphql_inputs",
    "test_bad_grpc_messages",
    "test_bad_websocket_inputs",
    "test_bad_batch_rows",
]


def test_the_tables_hold_at_least_200_distinct_bad_inputs() -> None:
    counts = {
        name: len({repr(case[1]) for case in importlib.import_module(name).CASES})
        for name in TABLES
    }
    assert all(counts.values()), counts
    assert sum(counts.values()) >= 200, counts
