"""The History panel against the mock servers: send, see, search, reopen, save, delete."""

from __future__ import annotations

import dataclasses
import socket
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPlainTextEdit, QPushButton
from ui_helpers import send, type_url

from apiclient.core.history import HistoryEntry, HistoryStore, default_history_path
from apiclient.core.models import Auth, BatchRequest, GraphqlRequest, RestRequest, SoapRequest
from apiclient.core.store import FolderNode, RequestNode
from apiclient.ui import dialogs as app_dialogs
from apiclient.ui.history_model import ENTRY_ROLE
from apiclient.ui.widgets.body_preview import BodyPreview, preview_note


def shown(window) -> list[tuple[str, str, str]]:
    """(name, url, status) of each entry row in the list, top to bottom."""
    model = window.findChild(QListView, "history.list").model()
    rows = []
    for row in range(model.rowCount()):
        summary = model.index(row, 0).data(ENTRY_ROLE)
        if summary is not None:
            rows.append((summary.name, summary.url, summary.status))
    return rows


def send_and_record(qtbot, window, url: str, expect: str = "") -> int:
    type_url(qtbot, window, url)
    with qtbot.waitSignal(window.history.entry_added, timeout=15_000) as added:
        send(qtbot, window, expect)
    return added.args[0]


def click(qtbot, window, name: str) -> None:
    qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_empty_history_says_what_will_appear(qtbot, window) -> None:
    window.show_history()
    empty = window.findChild(QLabel, "history.empty")
    assert empty.isVisible()
    assert empty.text() == "Requests you send appear here."
    assert not window.findChild(QPushButton, "history.open").isEnabled()


def test_a_sent_request_appears_at_the_top_and_reopens_as_a_draft(qtbot, window, rest_url):
    send_and_record(qtbot, window, f"{rest_url}/api/items?page=1", "200")
    second = send_and_record(qtbot, window, f"{rest_url}/status/404", "404")
    window.show_history()
    panel = window.history
    assert panel.findChild(QListView, "history.list").isVisible()
    assert [(url, status) for _name, url, status in shown(window)] == [
        (f"{rest_url}/status/404", "404 Not Found"),
        (f"{rest_url}/api/items?page=1", "200 OK"),
    ]
    # The file holds the same, written off the GUI thread.
    with HistoryStore(default_history_path()) as store:
        assert store.search()[0].id == second

    # Reopen the older one by double-clicking it, after typing something else.
    type_url(qtbot, window, f"{rest_url}/something/else")
    view = panel.findChild(QListView, "history.list")
    assert panel.select_entry(second - 1)
    rect = view.visualRect(view.currentIndex())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # In a new sub-tab, in front: what was typed meanwhile stays in its own.
    qtbot.waitUntil(
        lambda: window.findChild(QLineEdit, "rest.url").text() == f"{rest_url}/api/items?page=1"
    )
    assert window.rest.relpath is None
    assert window.current_tab() is window.rest
    assert len(window.open_requests("rest").tabs()) == 2


def test_search_as_you_type_filters_the_list(qtbot, window, rest_url):
    send_and_record(qtbot, window, f"{rest_url}/api/items", "200")
    send_and_record(qtbot, window, f"{rest_url}/status/500", "500")
    window.show_history()
    search = window.findChild(QLineEdit, "history.search")
    with qtbot.waitSignal(window.history.entries_shown, timeout=10_000):
        qtbot.keyClicks(search, "STATUS/5")
    assert [url for _n, url, _s in shown(window)] == [f"{rest_url}/status/500"]
    with qtbot.waitSignal(window.history.entries_shown, timeout=10_000):
        search.setText("no such request")
    assert shown(window) == []
    assert window.findChild(QLabel, "history.empty").text() == "No request matches the search."
    with qtbot.waitSignal(window.history.entries_shown, timeout=10_000):
        search.clear()
    assert len(shown(window)) == 2


def test_a_failed_send_is_recorded_with_its_error(qtbot, window):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    send_and_record(qtbot, window, f"http://127.0.0.1:{port}/x", "Could not connect")
    window.show_history()
    ((_name, url, status),) = shown(window)
    assert url == f"http://127.0.0.1:{port}/x"
    assert status  # the error's headline
    summary = window.history.model.entries[0]
    assert "127.0.0.1" in summary.error


def test_save_to_collection_asks_name_and_folder(qtbot, window, rest_url, dialogs):
    entry_id = send_and_record(qtbot, window, f"{rest_url}/api/items/1", "200")
    window.show_history()
    folder = next(c for c in window.workspace.tree.children if isinstance(c, FolderNode))
    dialogs.texts = ["Item one from history", folder.relpath]
    assert window.history.select_entry(entry_id)
    with qtbot.waitSignal(window.history.request_saved, timeout=10_000) as saved:
        click(qtbot, window, "history.save")
    relpath = saved.args[0]
    assert relpath.startswith(folder.relpath + "/")
    node = window.workspace.find(relpath)
    assert isinstance(node, RequestNode)
    assert node.request.name == "Item one from history"
    assert node.request.url == f"{rest_url}/api/items/1"
    assert dialogs.asked[-2:] == [
        "Save to collection: Request name:",
        "Save to collection: Folder in the collection (empty for the top level):",
    ]


def test_save_into_a_missing_folder_is_refused_in_words(qtbot, window, rest_url, dialogs):
    entry_id = send_and_record(qtbot, window, f"{rest_url}/api/items/1", "200")
    dialogs.texts = ["Anything", "no/such/folder"]
    window.history.select_entry(entry_id)
    with qtbot.waitSignal(window.history.problem_reported, timeout=10_000) as problem:
        click(qtbot, window, "history.save")
    assert "no folder 'no/such/folder'" in problem.args[0]


def test_reopening_says_which_secrets_were_not_kept(qtbot, window, rest_url):
    request = RestRequest(
        name="Secret call",
        url=f"{rest_url}/api/items",
        auth=Auth(kind="bearer", token="s3cr3t-token-value"),
    )
    window.rest.open_request(request, None)
    with qtbot.waitSignal(window.history.entry_added, timeout=15_000) as added:
        send(qtbot, window, "200")
    window.history.select_entry(added.args[0])
    click(qtbot, window, "history.open")  # in a new sub-tab, in front
    qtbot.waitUntil(lambda: "auth token" in window.findChild(QLabel, "rest.notice").text())
    assert window.rest.notice.isVisible()
    assert window.rest.current_request().auth.token == ""
    assert b"s3cr3t-token-value" not in default_history_path().read_bytes()


def test_delete_and_clear(qtbot, window, rest_url, dialogs):
    first = send_and_record(qtbot, window, f"{rest_url}/api/items", "200")
    send_and_record(qtbot, window, f"{rest_url}/status/201", "201")
    send_and_record(qtbot, window, f"{rest_url}/status/202", "202")
    window.show_history()
    panel = window.history
    panel.select_entry(first)
    click(qtbot, window, "history.delete")
    qtbot.waitUntil(lambda: len(shown(window)) == 2)
    assert f"{rest_url}/api/items" not in [url for _n, url, _s in shown(window)]

    dialogs.answers = [app_dialogs.Button.Cancel]
    click(qtbot, window, "history.clear")
    qtbot.waitUntil(lambda: bool(dialogs.asked) and dialogs.asked[-1].startswith("Clear"))
    assert len(shown(window)) == 2

    dialogs.answers = [app_dialogs.Button.Yes]
    click(qtbot, window, "history.clear")
    qtbot.waitUntil(lambda: shown(window) == [])
    assert window.findChild(QLabel, "history.empty").isVisible()
    with HistoryStore(default_history_path()) as store:
        assert store.count() == 0


def test_history_survives_a_restart(qtbot, make_window, sample, rest_url):
    first = make_window(sample)
    send_and_record(qtbot, first, f"{rest_url}/api/items", "200")
    second = make_window(sample)
    second.show_history()  # the page is built, and the file read, when first shown
    qtbot.waitUntil(lambda: len(shown(second)) == 1)
    assert shown(second)[0][1] == f"{rest_url}/api/items"


def send_in_tab(qtbot, window, tab, request) -> int:
    """Show ``request`` in ``tab``, press its Send and return the new history id."""
    window.tabs.setCurrentWidget(tab)
    tab.open_request(request, None)
    with qtbot.waitSignal(window.history.entry_added, timeout=20_000) as added:
        click(qtbot, window, f"{tab.kind}.send")
    qtbot.waitUntil(lambda: not tab.is_sending())
    return added.args[0]


def test_graphql_soap_and_batch_sends_are_recorded(qtbot, window, mock_urls, rest_url):
    graphql = GraphqlRequest(
        name="Typename", url=f"{mock_urls['graphql']}/graphql", query="{ __typename }"
    )
    soap = SoapRequest(
        name="Not an operation",
        endpoint=f"{mock_urls['soap']}/hospital",
        envelope=(
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            "<soap:Body><Nothing/></soap:Body></soap:Envelope>"
        ),
    )
    batch = BatchRequest(
        name="Two contacts",
        url=f"{rest_url}/api/v1/contacts/batch",
        columns=["email", "first_name", "last_name"],
        rows=[["ada+{{$timestamp}}@example.com", "Ada", "L"], ["not-an-email", "Bad", "Row"]],
    )
    send_in_tab(qtbot, window, window.graphql, graphql)
    send_in_tab(qtbot, window, window.soap, soap)
    send_in_tab(qtbot, window, window.batch, batch)
    window.show_history()
    rows = [(s.kind, s.method, s.name, s.status) for s in window.history.model.entries]
    assert rows[0][:3] == ("batch", "POST", "Two contacts")
    assert rows[0][3] == "207 Multi-Status"
    assert rows[1] == ("soap", "SOAP", "Not an operation", "Fault")
    assert rows[2] == ("graphql", "POST", "Typename", "200 OK")


def test_a_send_recorded_while_the_list_is_read_stays_in_the_list(
    qtbot, window, rest_url, monkeypatch
):
    # The history page is built, and its list read, while the first send is recorded:
    # the read sees the file before the new entry is written and answers after it was
    # shown. Hold both in their workers to force that order.
    with HistoryStore(default_history_path()) as store:
        store.add(HistoryEntry.now(RestRequest(name="Older", url=f"{rest_url}/older"), "200 OK"))
    read, release = threading.Event(), threading.Event()
    search, add = HistoryStore.search, HistoryStore.add

    def held_search(self, *args, **kwargs):
        found = search(self, *args, **kwargs)
        read.set()
        release.wait(timeout=30)
        return found

    def add_after_the_read(self, entry):
        read.wait(timeout=30)
        return add(self, entry)

    monkeypatch.setattr(HistoryStore, "search", held_search)
    monkeypatch.setattr(HistoryStore, "add", add_after_the_read)
    panel = window.history  # built now: its first read starts
    type_url(qtbot, window, f"{rest_url}/api/items")
    with qtbot.waitSignal(panel.entry_added, timeout=15_000):
        send(qtbot, window, "200")
    with qtbot.waitSignal(panel.entries_shown, timeout=15_000):
        release.set()
    assert [url for _name, url, _status in shown(window)] == [
        f"{rest_url}/api/items",
        f"{rest_url}/older",
    ]


def test_the_selected_entry_shows_a_capped_preview_of_its_response(qtbot, window, rest_url):
    entry_id = send_and_record(qtbot, window, f"{rest_url}/text/large?mb=1", "200")
    window.show_history()
    panel = window.history
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        assert panel.select_entry(entry_id)
    note = window.findChild(QLabel, "history.preview.note").text()
    assert note.startswith("Response body preview: first 64.0 KB of 1.0 MB")
    text = window.findChild(QPlainTextEdit, "history.preview").toPlainText()
    assert text.startswith("line 00000000 the quick brown fox")
    assert len(text) == 64 * 1024

    small = send_and_record(qtbot, window, f"{rest_url}/api/items/1", "200")
    with qtbot.waitSignal(panel.preview_shown, timeout=10_000):
        assert panel.select_entry(small)
    assert window.findChild(QLabel, "history.preview.note").text().startswith("Response body:")
    assert '"id"' in window.findChild(QPlainTextEdit, "history.preview").toPlainText()


def test_a_preview_note_says_when_none_was_kept_or_it_was_masked(qtbot) -> None:
    assert preview_note(b"", 5000) == "Response body: 4.9 KB; no preview kept."
    view = BodyPreview("p")
    qtbot.addWidget(view)
    view.show_preview(b'{"token": "[redacted]"}', 23, "application/json", masked=True)
    assert view.note.text().endswith("Credentials in it are masked ([redacted]).")


def test_a_smaller_history_size_trims_the_list_at_once(qtbot, window, rest_url):
    """Lowering "Keep the last" in Settings prunes the file and the list now, not at the
    next send."""
    for page in range(1, 13):
        send_and_record(qtbot, window, f"{rest_url}/api/items?page={page}", "200")
    window.show_history()
    qtbot.waitUntil(lambda: len(shown(window)) == 12)
    preferences = window.preferences
    preferences.apply(dataclasses.replace(preferences.current, history_size=10))
    qtbot.waitUntil(lambda: len(shown(window)) == 10)
    urls = [url for _name, url, _status in shown(window)]
    assert urls[0].endswith("page=12") and urls[-1].endswith("page=3")  # the newest kept
    with HistoryStore(default_history_path()) as store:
        assert len(store.search()) == 10
