"""The HAR importer: a capture made here with every feature, and every HAR in the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus_paths import CORPUS

from apiclient.core.importers.har import HarImportError, import_har
from apiclient.core.models import Folder, RestRequest, WebsocketRequest

FILES = Path(__file__).parent / "import_files" / "har"
HAR_CORPUS = CORPUS / "har"


@pytest.fixture(scope="module")
def shop() -> Any:
    return import_har(FILES / "shop.har")


def _write(tmp_path: Path, doc: Any, name: str = "capture.har") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _entry(method: str, url: str, **request: Any) -> dict[str, Any]:
    return {"request": {"method": method, "url": url, "headers": [], **request}}


def test_entries_grouped_by_page_then_host(shop: Any) -> None:
    collection = shop.collection
    assert shop.source == "HAR capture"
    assert collection.name == "shop"
    assert [f.name for f in collection.items] == ["Shop home", "cdn.example:8443"]
    page, cdn = collection.items
    assert isinstance(page, Folder)
    # the duplicate GET is kept, the data: URL is not
    assert [r.name for r in page.items] == [
        "GET /api/items",
        "POST /api/items",
        "POST /login",
        "POST /api/upload",
        "GET /api/items",
        "GET /live",
    ]
    assert [r.name for r in cdn.items] == ["PUT /assets/logo.txt"]
    assert any("1 data URLs" in w for w in shop.warnings)


def test_url_keeps_the_query_as_sent_and_headers_are_cleaned(shop: Any) -> None:
    listing = shop.collection.items[0].items[0]
    assert isinstance(listing, RestRequest)
    assert (listing.method, listing.url) == ("GET", "https://shop.example/api/items")
    assert [(p.name, p.value) for p in listing.params] == [("page", "2"), ("q", "red%20shoes")]
    assert [(h.name, h.value) for h in listing.headers] == [("accept", "application/json")]

    create = shop.collection.items[0].items[1]
    assert [h.name for h in create.headers] == ["Content-Type"]
    assert (create.body.mode, create.body.raw, create.body.language) == (
        "raw",
        '{"name": "cap"}',
        "json",
    )


def test_cookies_are_left_out_with_one_warning(shop: Any) -> None:
    listing = shop.collection.items[0].items[0]
    assert all(h.name.lower() != "cookie" for h in listing.headers)
    cookie_warnings = [w for w in shop.warnings if "cookies" in w]
    assert cookie_warnings == [
        "1 of 8 requests sent cookies ('GET /api/items (entry 1)'); captured cookies are a "
        "live session and were not imported. Log in again, or add a Cookie header by hand "
        "where a request needs one."
    ]


def test_form_bodies(shop: Any) -> None:
    login = shop.collection.items[0].items[2]
    assert login.body.mode == "urlencoded"
    # read from the text as sent, so the values are decoded exactly once
    assert [(r.name, r.value) for r in login.body.urlencoded] == [
        ("user", "ann"),
        ("note", "a b&c"),
        ("empty", ""),
    ]
    upload = shop.collection.items[0].items[3]
    assert upload.body.mode == "multipart"
    assert [(f.name, f.value, f.type, f.content_type) for f in upload.body.multipart] == [
        ("title", "Report", "text", ""),
        ("file", "report.csv", "file", "text/csv"),
    ]
    # the captured boundary would not match the body httpx builds
    assert all(h.name.lower() != "content-type" for h in upload.headers)


def test_websocket_entry_becomes_a_websocket_request(shop: Any) -> None:
    live = shop.collection.items[0].items[5]
    assert isinstance(live, WebsocketRequest)
    assert live.url == "wss://shop.example/live?room=1"
    assert [h.name for h in live.headers] == ["Origin"]


def test_body_without_a_type_is_kept_and_warned(shop: Any) -> None:
    logo = shop.collection.items[1].items[0]
    assert (logo.body.mode, logo.body.raw, logo.headers) == ("raw", "logo", [])
    assert any("PUT /assets/logo.txt (entry 8)" in w and "Content-Type" in w for w in shop.warnings)


def test_query_only_in_query_string_and_single_request(tmp_path: Path) -> None:
    request = {
        "method": "POST",
        "url": "https://api.example/search",
        "queryString": [{"name": "q", "value": "a b"}],
        "headers": [{"name": "Content-Type", "value": "text/xml"}],
        "postData": {"mimeType": "text/xml", "text": "<q/>"},
    }
    result = import_har(_write(tmp_path, request))
    (folder,) = result.collection.items
    (search,) = folder.items
    assert [(p.name, p.value) for p in search.params] == [("q", "a b")]
    assert (search.body.raw, search.body.language) == ("<q/>", "xml")
    assert any("single HAR request" in w for w in result.warnings)


def test_single_entry_and_params_without_a_type(tmp_path: Path) -> None:
    entry = _entry(
        "POST",
        "http://127.0.0.1:1/up",
        postData={"params": [{"name": "f", "fileName": "/tmp/a.txt"}, {"name": "k", "value": "v"}]},
    )
    result = import_har(_write(tmp_path, entry))
    (up,) = result.collection.items[0].items
    assert [(f.name, f.type) for f in up.body.multipart] == [("f", "file"), ("k", "text")]
    assert any("single HAR entry" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.1", None),
        ("1.2", None),
        ("1.3", "says it is HAR 1.3; apiclient reads HAR 1.1 and 1.2"),
        (None, "does not say which HAR version"),
    ],
)
def test_har_version_is_checked(tmp_path: Path, version: Any, expected: str | None) -> None:
    log: dict[str, Any] = {"entries": [_entry("GET", "http://127.0.0.1:1/a")]}
    if version is not None:
        log["version"] = version
    result = import_har(_write(tmp_path, {"log": log}))
    if expected is None:
        assert result.warnings == ()
    else:
        (warning,) = result.warnings
        assert expected in warning


def test_a_postman_collection_is_not_a_har(tmp_path: Path) -> None:
    path = _write(tmp_path, {"info": {"name": "P"}, "item": []})
    with pytest.raises(HarImportError, match="not a HAR capture: it looks like a Postman"):
        import_har(path)


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    text = (FILES / "shop.har").read_text(encoding="utf-8")
    with pytest.raises(HarImportError, match=r"is not valid JSON \(line \d+, column \d+"):
        import_har(_write(tmp_path, text[:900]))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"log": {"version": "1.2"}}, 'without an "entries" list'),
        ({"log": {"version": "1.2", "entries": []}}, r"no HTTP requests .*\(0 entries\)"),
        (
            {"log": {"entries": [{"request": {"method": "GET", "url": "data:,x"}}]}},
            r"no HTTP requests .*1 data URLs",
        ),
    ],
)
def test_captures_without_requests_are_refused(tmp_path: Path, doc: Any, message: str) -> None:
    with pytest.raises(HarImportError, match=message):
        import_har(_write(tmp_path, doc))


def _corpus_files() -> list[Path]:
    if not HAR_CORPUS.is_dir():
        return []
    return sorted(p for p in HAR_CORPUS.rglob("*") if p.is_file())


@pytest.mark.skipif(not HAR_CORPUS.is_dir(), reason=f"no corpus at {HAR_CORPUS}")
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_capture_imports_or_says_why(path: Path) -> None:
    try:
        result = import_har(path)
    except HarImportError as exc:
        assert str(path) in str(exc)
        assert "invalid" in path.parts  # only the broken-on-purpose files are refused
        return
    assert sum(len(folder.items) for folder in result.collection.items) >= 1


@pytest.mark.skipif(not HAR_CORPUS.is_dir(), reason=f"no corpus at {HAR_CORPUS}")
def test_real_chrome_capture_drops_pseudo_headers() -> None:
    result = import_har(HAR_CORPUS / "har-to-postman" / "valid" / "ipv6File.har")
    requests = [r for folder in result.collection.items for r in folder.items]
    assert len(requests) == 88
    assert all(not h.name.startswith(":") for r in requests for h in r.headers)
    assert all(h.name.lower() != "cookie" for r in requests for h in r.headers)


@pytest.mark.skipif(not HAR_CORPUS.is_dir(), reason=f"no corpus at {HAR_CORPUS}")
def test_real_safari_multipart_text_is_sent_as_captured() -> None:
    result = import_har(HAR_CORPUS / "har-to-postman" / "valid" / "formdataParamsSafari.har")
    (post,) = result.collection.items[0].items
    content_type = next(h.value for h in post.headers if h.name == "Content-Type")
    boundary = content_type.partition("boundary=")[2]
    assert post.body.mode == "raw"
    assert post.body.raw.startswith("--" + boundary)
