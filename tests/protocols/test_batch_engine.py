"""The batch engine against the REST mock: JSON batches from rows and data files,
multipart batches, and answers that are not batch results."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from apiclient.core.errors import UndefinedVariableError
from apiclient.core.models import Auth, BatchPart, BatchRequest, KeyValue, Variable
from apiclient.core.variables import Scope, resolve_batch_request
from apiclient.protocols.batch import BatchEngine, build_batch_body
from apiclient.protocols.errors import BatchDataError, RequestBuildError
from apiclient.protocols.rest import RestEngine

COLUMNS = ["email", "first_name", "company"]


def _email() -> str:
    return f"batch.{uuid.uuid4().hex[:10]}@example.com"


def _json_batch(rest_url: str, rows: list[list[str]], **fields: object) -> BatchRequest:
    return BatchRequest(
        url=f"{rest_url}/api/v1/contacts/batch", columns=COLUMNS, rows=rows, **fields
    )


async def test_json_create_all_created(engine: RestEngine, rest_url: str) -> None:
    first, second = _email(), _email()
    request = _json_batch(rest_url, [[first, "Ada", "Acme"], [second, "Alan", ""]])
    answer = await BatchEngine(engine).send(request)
    assert answer.response.status_code == 200 and answer.result_error == ""
    assert answer.sent_items == 2 and answer.parts == ()
    result = answer.result
    assert result is not None
    assert (result.processed, result.created, result.failed) == (2, 2, 0)
    assert [item.key for item in result.items] == [first, second]
    sent = {name.lower(): value for name, value in answer.response.request_headers}
    assert sent["content-type"] == "application/json"


async def test_partial_batch_has_per_item_errors(engine: RestEngine, rest_url: str) -> None:
    request = _json_batch(
        rest_url,
        [[_email(), "Grace", ""], ["ada.lovelace@example.com", "Ada", ""], ["nope", "B", ""]],
        options_json='{"skip_duplicates": true}',
    )
    answer = await BatchEngine(engine).send(request)
    assert answer.response.status_code == 207
    result = answer.result
    assert result is not None and result.outcome == "partial"
    assert [item.status for item in result.items] == ["created", "skipped", "failed"]
    assert result.items[2].errors[0].startswith("email: 'nope' is not a valid email")


async def test_all_failed_is_422_with_every_item(engine: RestEngine, rest_url: str) -> None:
    answer = await BatchEngine(engine).send(_json_batch(rest_url, [["x", "A", ""], ["y", "", ""]]))
    assert answer.response.status_code == 422
    assert answer.result is not None and answer.result.outcome == "failed"
    assert answer.result.failed == 2


async def test_mapping_renames_and_types_columns(engine: RestEngine, rest_url: str) -> None:
    email = _email()
    request = BatchRequest(
        url=f"{rest_url}/api/v1/contacts/batch",
        columns=["E-mail", "Name", "Tags", "Ignored"],
        rows=[[email, "Lin", "vip; beta", "x"]],
        mapping=[
            KeyValue(name="E-mail", value="email"),
            KeyValue(name="Name", value="first_name"),
            KeyValue(name="Tags", value="tags:list"),
            KeyValue(name="Ignored", value="nothing", enabled=False),
        ],
    )
    _type, body, count = build_batch_body(request)
    assert count == 1
    assert json.loads(body) == {
        "operation": "create",
        "contacts": [{"email": email, "first_name": "Lin", "tags": ["vip", "beta"]}],
    }
    answer = await BatchEngine(engine).send(request)
    assert answer.result is not None and answer.result.created == 1


async def test_csv_data_file_relative_to_base_dir(
    engine: RestEngine, rest_url: str, tmp_path: Path
) -> None:
    emails = [_email(), _email()]
    (tmp_path / "data").mkdir()
    lines = ["email,first_name", *(f"{email},Csv" for email in emails)]
    (tmp_path / "data" / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    request = BatchRequest(
        url=f"{rest_url}/api/v1/contacts/batch", data_file="data/people.csv", operation="upsert"
    )
    answer = await BatchEngine(engine).send(request, base_dir=tmp_path)
    assert answer.sent_items == 2
    assert answer.result is not None
    assert [item.key for item in answer.result.items] == emails


async def test_json_data_file(engine: RestEngine, rest_url: str, tmp_path: Path) -> None:
    email = _email()
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"contacts": [{"email": email, "first_name": "J"}]}), "utf-8")
    request = BatchRequest(url=f"{rest_url}/api/v1/contacts/batch", data_file=str(path))
    answer = await BatchEngine(engine).send(request)
    assert answer.result is not None and answer.result.items[0].key == email


async def test_malformed_data_file_names_row_and_column(engine: RestEngine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("email,first_name\na@x.io,A\nb@x.io,B,extra\n", encoding="utf-8")
    request = BatchRequest(url="http://127.0.0.1:9/batch", data_file=str(path))
    with pytest.raises(BatchDataError, match="row 3 has 3 cells") as caught:
        await BatchEngine(engine).send(request)
    assert (caught.value.row, caught.value.column) == (3, 3)


async def test_malformed_options_json_names_line_and_column(engine: RestEngine) -> None:
    request = BatchRequest(
        url="http://127.0.0.1:9/batch",
        columns=["email"],
        rows=[["a@x.io"]],
        options_json='{\n  "dry_run": tru\n}',
    )
    with pytest.raises(RequestBuildError, match="line 2, column 14"):
        await BatchEngine(engine).send(request)
    with pytest.raises(RequestBuildError, match="must be a JSON object"):
        build_batch_body(request.model_copy(update={"options_json": "[1]"}))


def test_no_rows_and_unknown_mapped_column_are_refused() -> None:
    empty = BatchRequest(url="http://h/batch", columns=["email"], rows=[["  "]])
    with pytest.raises(BatchDataError, match="no rows to send"):
        build_batch_body(empty)
    mapped = BatchRequest(
        url="http://h/batch",
        columns=["email"],
        rows=[["a@x.io"]],
        mapping=[KeyValue(name="Email", value="email")],
    )
    with pytest.raises(BatchDataError, match="names the column 'Email', which no row has"):
        build_batch_body(mapped)


async def test_answer_that_is_not_a_batch_result(engine: RestEngine, rest_url: str) -> None:
    request = _json_batch(rest_url, [[_email(), "A", ""]]).model_copy(
        update={"url": f"{rest_url}/echo"}
    )
    answer = await BatchEngine(engine).send(request)
    assert answer.response.status_code == 200 and answer.result is None
    assert "is not a per-item report" in answer.result_error
    assert answer.response.body


async def test_multipart_get_post_delete(engine: RestEngine, rest_url: str) -> None:
    email = _email()
    create = json.dumps({"email": email, "first_name": "Multi"})
    request = BatchRequest(
        style="multipart",
        url=f"{rest_url}/api/v1/$batch",
        parts=[
            BatchPart(method="GET", path="/api/v1/contacts/1"),
            BatchPart(
                method="POST",
                path="/api/v1/contacts",
                headers=[KeyValue(name="Content-Type", value="application/json")],
                body=create,
            ),
            BatchPart(method="DELETE", path="/api/v1/contacts/999999"),
            BatchPart(method="GET", path="/not/sent", enabled=False),
        ],
    )
    answer = await BatchEngine(engine).send(request)
    assert answer.response.status_code == 200 and answer.result_error == ""
    assert answer.sent_items == 3
    assert [part.status for part in answer.parts] == [200, 201, 404]
    assert [part.content_id for part in answer.parts] == ["<part-1>", "<part-2>", "<part-3>"]
    assert json.loads(answer.parts[1].body)["email"] == email


async def test_multipart_refused_as_a_whole_is_result_error(
    engine: RestEngine, rest_url: str
) -> None:
    request = BatchRequest(
        style="multipart",
        url=f"{rest_url}/api/v1/$batch",
        parts=[BatchPart(method="GET", path="/elsewhere")],
    )
    answer = await BatchEngine(engine).send(request)
    assert answer.response.status_code == 400 and answer.parts == ()
    assert "not multipart/mixed" in answer.result_error


def test_resolve_batch_request_resolves_what_is_sent() -> None:
    scope = Scope.layered(environment=[Variable(name="base", value="http://h")])
    request = BatchRequest(
        url="{{base}}/batch",
        headers=[KeyValue(name="X-Run", value="{{run}}")],
        auth=Auth(kind="bearer", token="{{token}}"),
        options_json='{"dry_run": {{dry}}}',
        columns=["email", "note"],
        rows=[["{{user}}@x.io", "{{$uuid}}"]],
        data_file="{{base_dir}}/x.csv",
        mapping=[KeyValue(name="{{kept}}", value="email")],
        parts=[
            BatchPart(path="/a/{{id}}", body="{{payload}}"),
            BatchPart(path="/b/{{ignored}}", enabled=False),
        ],
        variables=[
            Variable(name=name, value=value)
            for name, value in [
                ("run", "7"),
                ("token", "t"),
                ("dry", "true"),
                ("user", "ada"),
                ("base_dir", "/data"),
                ("id", "3"),
                ("payload", "{}"),
            ]
        ],
    )
    resolved = resolve_batch_request(request, scope)
    assert resolved.url == "http://h/batch"
    assert resolved.headers[0].value == "7" and resolved.auth.token == "t"
    assert resolved.options_json == '{"dry_run": true}'
    assert resolved.rows[0][0] == "ada@x.io" and "{{" not in resolved.rows[0][1]
    assert resolved.data_file == "/data/x.csv"
    assert resolved.mapping[0].name == "{{kept}}"
    assert (resolved.parts[0].path, resolved.parts[0].body) == ("/a/3", "{}")
    assert resolved.parts[1].path == "/b/{{ignored}}"
    assert request.url == "{{base}}/batch"


def test_resolve_batch_request_reports_every_unknown_name() -> None:
    request = BatchRequest(
        url="{{host}}/batch",
        columns=["email"],
        rows=[["{{who}}"]],
        parts=[BatchPart(path="/p/{{pid}}")],
    )
    with pytest.raises(UndefinedVariableError) as caught:
        resolve_batch_request(request, Scope())
    text = str(caught.value)
    assert all(name in text for name in ("host", "who", "pid"))
    assert "row 1, column 'email'" in text
