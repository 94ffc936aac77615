"""The SOAP tab as a user drives it: load the mock's WSDL, pick an operation, send, read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus_paths import WSDL_CORPUS
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
)
from pytestqt.qtbot import QtBot

from apiclient.ui.main_window import MainWindow


def _find(window: MainWindow, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, name
    return widget


def _click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_soap_tab(qtbot: QtBot, window: MainWindow) -> None:
    tabs = window.tabs
    bar = tabs.tabBar()
    index = tabs.indexOf(window.soap)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentWidget() is window.soap


def load(qtbot: QtBot, window: MainWindow, location: str) -> None:
    field = _find(window, QLineEdit, "soap.wsdl")
    field.clear()
    qtbot.keyClicks(field, location)
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "soap.load"))


def operation_item(window: MainWindow, port: str, name: str) -> QTreeWidgetItem:
    tree = _find(window, QTreeWidget, "soap.operations")
    for item in tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive):
        if item.parent() is not None and item.parent().text(0).startswith(port):
            return item
    raise AssertionError(f"{port}/{name} not in the tree")


def click_operation(qtbot: QtBot, window: MainWindow, port: str, name: str) -> None:
    tree = _find(window, QTreeWidget, "soap.operations")
    item = operation_item(window, port, name)
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def choose(qtbot: QtBot, window: MainWindow, port: str, name: str) -> None:
    with qtbot.waitSignal(window.soap.envelope_filled, timeout=10_000):
        click_operation(qtbot, window, port, name)


def envelope(window: MainWindow) -> QPlainTextEdit:
    return _find(window, QPlainTextEdit, "soap.envelope")


def set_element(window: MainWindow, element: str, value: str) -> None:
    """Type ``value`` into the first ``<…:element>`` of the envelope, as a user edits it."""
    editor = envelope(window)
    text, count = re.subn(
        rf"(<(?:\w+:)?{element}>)[^<]*(</(?:\w+:)?{element}>)",
        rf"\g<1>{value}\g<2>",
        editor.toPlainText(),
        count=1,
    )
    assert count == 1, f"no <{element}> in the envelope"
    editor.setPlainText(text)


def send(qtbot: QtBot, window: MainWindow) -> str:
    with qtbot.waitSignal(window.soap.send_finished, timeout=20_000):
        _click(qtbot, _find(window, QPushButton, "soap.send"))
    return _find(window, QLabel, "soap.response.status").text()


def response_body(window: MainWindow) -> str:
    return _find(window, QPlainTextEdit, "soap.response.body").toPlainText()


@pytest.fixture
def soap_url(mock_urls: dict[str, str]) -> str:
    return mock_urls["soap"]


def test_load_pick_send_and_see_the_patient(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    status = _find(window, QLabel, "soap.wsdl_status").text()
    assert "operation(s)" in status and "2 file(s)" in status
    names = [item.text(0) for item in window.soap.wsdl_panel.operation_items()]
    assert {"GetPatientRecord", "AdmitPatient", "ListWardPatients"} <= set(names)

    choose(qtbot, window, "HospitalSoap11", "GetPatientRecord")
    info = _find(window, QLabel, "soap.operation_info").text()
    assert "document/literal" in info and "1.1" in info
    assert _find(window, QLineEdit, "soap.endpoint").text() == f"{soap_url}/hospital"
    assert _find(window, QComboBox, "soap.version").currentData() == "1.1"
    text = envelope(window).toPlainText()
    assert "http://schemas.xmlsoap.org/soap/envelope/" in text
    assert "IncludeMedications" in text and "<!-- optional -->" in text

    set_element(window, "PatientID", "P001")
    set_element(window, "IncludeMedications", "true")
    status = send(qtbot, window)
    assert "200" in status
    qtbot.waitUntil(lambda: "Lovelace" in response_body(window))
    assert not _find(window, QGroupBox, "soap.fault").isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(window.soap)) == "SOAP ●"


def test_a_fault_is_shown_as_code_reason_and_detail(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    choose(qtbot, window, "HospitalSoap11", "GetPatientRecord")
    set_element(window, "PatientID", "P404")
    status = send(qtbot, window)
    assert "500" in status
    fault = _find(window, QGroupBox, "soap.fault")
    qtbot.waitUntil(fault.isVisible)
    assert "Client" in _find(window, QLabel, "soap.fault.code").text()
    assert "No patient with ID 'P404'" in _find(window, QLabel, "soap.fault.reason").text()
    assert "PatientNotFound" in _find(window, QPlainTextEdit, "soap.fault.detail").toPlainText()


def test_soap_12_port_sets_the_version_and_its_envelope(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    choose(qtbot, window, "HospitalSoap12", "GetPatientRecord")
    assert _find(window, QComboBox, "soap.version").currentData() == "1.2"
    assert "http://www.w3.org/2003/05/soap-envelope" in envelope(window).toPlainText()
    set_element(window, "PatientID", "P002")
    assert "200" in send(qtbot, window)
    qtbot.waitUntil(lambda: "Turing" in response_body(window))


def test_ws_security_digest_and_schema_validation(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    choose(qtbot, window, "HospitalSoap11", "ListWardPatients")
    set_element(window, "Ward", "Cardiology")
    mode = _find(window, QComboBox, "soap.wsse.mode")
    mode.setCurrentIndex(mode.findData("digest"))
    qtbot.keyClicks(_find(window, QLineEdit, "soap.wsse.username"), "nurse")
    qtbot.keyClicks(_find(window, QLineEdit, "soap.wsse.password"), "s3cret")
    _find(window, QCheckBox, "soap.validate").setChecked(True)
    assert "200" in send(qtbot, window)
    notes = _find(window, QLabel, "soap.response.notes")
    qtbot.waitUntil(lambda: "matches" in notes.text())

    _find(window, QLineEdit, "soap.wsse.password").setText("wrong")
    window.soap.editor.wsse.edited.emit()
    assert "500" in send(qtbot, window)
    reason = _find(window, QLabel, "soap.fault.reason")
    qtbot.waitUntil(lambda: "authentication failed" in reason.text())


def test_a_broken_envelope_is_caught_before_sending_with_its_position(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    _find(window, QLineEdit, "soap.endpoint").setText(f"{soap_url}/hospital")
    envelope(window).setPlainText(
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n'
        "  <soapenv:Body>\n"
        "    <Open>\n"
        "  </soapenv:Body>\n"
        "</soapenv:Envelope>\n"
    )
    status = send(qtbot, window)
    assert "Request not sent" in status and "line 4" in status
    assert envelope(window).textCursor().blockNumber() == 3


def test_wsdl_problems_are_told_in_place(qtbot, window, soap_url, rest_url, tmp_path: Path):
    open_soap_tab(qtbot, window)
    status = _find(window, QLabel, "soap.wsdl_status")
    load(qtbot, window, f"{rest_url}/status/404")
    assert "WSDL not loaded" in status.text() and "404" in status.text()
    load(qtbot, window, f"{soap_url}/bad/not-wsdl?wsdl")
    assert "WSDL not loaded" in status.text() and "&lt;rss&gt;" in status.text()
    load(qtbot, window, f"{soap_url}/bad/missing-import?wsdl")
    assert "nothing-here.xsd" in status.text() and "imported by" in status.text()
    load(qtbot, window, f"{soap_url}/bad/xxe?wsdl")
    assert "DTD" in status.text() and "Nothing was read" in status.text()
    not_xml = tmp_path / "notes.wsdl"
    not_xml.write_text("this is not XML\n", encoding="utf-8")
    load(qtbot, window, str(not_xml))
    assert "line 1" in status.text()
    load(qtbot, window, "{{nowhere}}/service?wsdl")
    assert "nowhere" in status.text()
    assert _find(window, QTreeWidget, "soap.operations").topLevelItemCount() == 0


def test_a_slow_load_can_be_cancelled(qtbot, window, rest_url):
    open_soap_tab(qtbot, window)
    field = _find(window, QLineEdit, "soap.wsdl")
    qtbot.keyClicks(field, f"{rest_url}/delay/5")
    _click(qtbot, _find(window, QPushButton, "soap.load"))
    cancel = _find(window, QPushButton, "soap.load_cancel")
    qtbot.waitUntil(cancel.isVisible)
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=3_000):
        _click(qtbot, cancel)
    assert "cancelled" in _find(window, QLabel, "soap.wsdl_status").text()
    assert _find(window, QPushButton, "soap.load").isVisible()


def test_edited_envelope_is_not_replaced_without_asking(qtbot, window, soap_url, dialogs):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    choose(qtbot, window, "HospitalSoap11", "GetPatientRecord")
    set_element(window, "PatientID", "P001")
    mine = envelope(window).toPlainText()
    dialogs.answers.append(QMessageBox.StandardButton.No)
    click_operation(qtbot, window, "HospitalSoap11", "AdmitPatient")
    qtbot.waitUntil(lambda: any("Replace the envelope" in a for a in dialogs.asked))
    assert envelope(window).toPlainText() == mine
    assert window.soap.current_request().operation == "GetPatientRecord"


def test_saved_request_reopens_exactly(qtbot, window, soap_url, dialogs, sample):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/calculator?wsdl")
    choose(qtbot, window, "CalculatorSoap", "Divide")
    set_element(window, "b", "0")
    _find(window, QCheckBox, "soap.validate").setChecked(True)
    dialogs.texts.append("Divide by zero")
    with qtbot.waitSignal(window.soap.dirty_changed, timeout=10_000):
        window.save_action.trigger()
    saved = window.soap.current_request()
    relpath = window.soap.relpath
    assert relpath is not None
    assert saved.name == "Divide by zero" and saved.operation == "Divide"
    files = list((sample / "items").rglob("divide-by-zero.yaml"))
    assert files and "kind: soap" in files[0].read_text(encoding="utf-8")

    window.close_request(window.soap)  # nothing unsaved: closed at once, a blank one left
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        window.sidebar.request_activated.emit(relpath)  # opens in place of the blank one
    assert window.soap.current_request() == saved
    assert not window.soap.dirty
    tree = _find(window, QTreeWidget, "soap.operations")
    assert tree.currentItem() is not None and tree.currentItem().text(0) == "Divide"
    assert "Division by zero" not in envelope(window).toPlainText()
    assert "500" in send(qtbot, window)
    reason = _find(window, QLabel, "soap.fault.reason")
    qtbot.waitUntil(lambda: "Division by zero" in reason.text())


_SIMPLE_ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n'
    "  <soapenv:Body><Ping/></soapenv:Body>\n"
    "</soapenv:Envelope>\n"
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("broken/html", "not XML"),
        ("broken/500", "without a SOAP Fault"),
        ("broken/entities", "DTD"),
        ("broken/xxe", "DTD"),
    ],
)
def test_responses_that_are_not_soap_are_explained(qtbot, window, soap_url, path, expected):
    open_soap_tab(qtbot, window)
    _find(window, QLineEdit, "soap.endpoint").setText(f"{soap_url}/{path}")
    envelope(window).setPlainText(_SIMPLE_ENVELOPE)
    send(qtbot, window)
    notes = _find(window, QLabel, "soap.response.notes")
    qtbot.waitUntil(lambda: expected in notes.text())
    assert not _find(window, QGroupBox, "soap.fault").isVisible()


def test_new_soap_request_from_the_sidebar_menu(qtbot, window):
    actions = {action.text(): action for action in window.sidebar.new_request_actions}
    assert list(actions)[:3] == ["New REST request", "New Batch request", "New SOAP request"]
    actions["New SOAP request"].trigger()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.soap)
    assert window.soap.current_request().kind == "soap"
    assert window.soap.relpath is None


def test_sidebar_shows_soap_requests_with_their_badge(qtbot, window):
    model = window.sidebar.model
    texts = []
    for row in range(model.rowCount()):
        folder = model.index(row, 0)
        texts += [
            model.index(r, 0, folder).data(Qt.ItemDataRole.AccessibleTextRole)
            for r in range(model.rowCount(folder))
        ]
    assert "SOAP Get patient record" in texts
    assert "SOAP Divide by zero (Fault)" in texts


def test_opening_a_sample_request_loads_its_wsdl_and_shows_the_endpoint(qtbot, window, soap_url):
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        window.sidebar.request_activated.emit("hospital-soap/get-patient-record.yaml")
    assert window.tabs.currentWidget() is window.soap
    hint = _find(window, QLabel, "soap.endpoint.hint")
    assert f"→ {soap_url}/hospital" in hint.text()
    tree = _find(window, QTreeWidget, "soap.operations")
    assert tree.currentItem().text(0) == "GetPatientRecord"
    assert not window.soap.dirty
    assert "200" in send(qtbot, window)
    qtbot.waitUntil(lambda: "Lovelace" in response_body(window))


CORPUS = WSDL_CORPUS


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("node-soap/rpcexample.wsdl", "rpc/encoded"),
        ("node-soap/strict/EVacSyncService_SPClient.wsdl", "rpc/encoded"),
        ("wsdl-to-postman/validWSDLs11/temperatureConverter.wsdl", "document/literal"),
        ("wsdl-to-postman/InProgress/amazonQueue.wsdl", "document/literal"),
        ("wsdl-to-postman/validWSDLs20/Axis2WSD20.wsdl", "WSDL 2.0"),
        ("wsdl-to-postman/validWSDLs11/temperatureConverterHTTP.wsdl", "no SOAP"),
    ],
)
def test_real_world_wsdls_in_the_tab(qtbot, window, name, outcome, monkeypatch):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared WSDL corpus is not at {CORPUS}")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    open_soap_tab(qtbot, window)
    load(qtbot, window, str(CORPUS / name))
    status = _find(window, QLabel, "soap.wsdl_status").text()
    items = window.soap.wsdl_panel.operation_items()
    if outcome in ("WSDL 2.0", "no SOAP"):
        assert "WSDL not loaded" in status and outcome in status
        assert not items
        return
    assert items
    first = items[0].data(0, Qt.ItemDataRole.UserRole)
    choose(qtbot, window, first.port, first.name)
    assert outcome in _find(window, QLabel, "soap.operation_info").text()
    assert "Envelope" in envelope(window).toPlainText()


def test_opening_another_request_drops_the_sample_being_written(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    click_operation(qtbot, window, "HospitalSoap11", "AdmitPatient")
    # Before the sample is ready, the user opens a saved request.
    window.sidebar.request_activated.emit("hospital-soap/unknown-patient-fault.yaml")
    qtbot.waitUntil(lambda: window.soap.relpath == "hospital-soap/unknown-patient-fault.yaml")
    qtbot.wait(300)  # long enough for a late sample to arrive, were it not dropped
    request = window.soap.current_request()
    assert request.operation == "GetPatientRecord" and "P404" in request.envelope
    assert not window.soap.dirty


def test_choosing_an_operation_keeps_the_typed_endpoint_and_can_be_undone(
    qtbot, window, soap_url, dialogs
):
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        window.sidebar.request_activated.emit("hospital-soap/get-patient-record.yaml")
    mine = envelope(window).toPlainText()
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    choose(qtbot, window, "HospitalSoap11", "AdmitPatient")
    assert any("Replace the envelope" in asked for asked in dialogs.asked)
    assert _find(window, QLineEdit, "soap.endpoint").text() == "{{soap_url}}/hospital"
    assert "AdmitPatient" in envelope(window).toPlainText()
    envelope(window).setFocus()
    qtbot.keyClick(envelope(window), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert envelope(window).toPlainText() == mine

    asked = len(dialogs.asked)
    click_operation(qtbot, window, "HospitalSoap11", "AdmitPatient")  # the same one again
    qtbot.wait(100)
    assert len(dialogs.asked) == asked  # nothing to ask: nothing to replace


def test_a_changed_location_greys_out_the_old_operations(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    tree = _find(window, QTreeWidget, "soap.operations")
    field = _find(window, QLineEdit, "soap.wsdl")
    qtbot.keyClicks(field, "x")
    assert not tree.isEnabled()
    assert "press Load" in _find(window, QLabel, "soap.wsdl_status").text()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert tree.isEnabled()


def test_escape_cancels_a_wsdl_load(qtbot, window, rest_url):
    open_soap_tab(qtbot, window)
    qtbot.keyClicks(_find(window, QLineEdit, "soap.wsdl"), f"{rest_url}/delay/5")
    _click(qtbot, _find(window, QPushButton, "soap.load"))
    qtbot.waitUntil(window.soap.is_loading)
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=3_000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert "cancelled" in _find(window, QLabel, "soap.wsdl_status").text()


def test_a_new_request_shows_no_operation_as_chosen(qtbot, window, soap_url):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    choose(qtbot, window, "HospitalSoap11", "GetPatientRecord")
    window.soap.open_request(window.soap.new_request(), None)
    tree = _find(window, QTreeWidget, "soap.operations")
    assert tree.currentItem() is None
    assert _find(window, QLabel, "soap.operation_info").text() == ""
    assert tree.topLevelItemCount() == 1  # the same WSDL stays listed for the next choice


def test_the_sent_envelope_shows_the_ws_security_header(qtbot, window, soap_url):
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        window.sidebar.request_activated.emit(
            "hospital-soap/list-ward-patients-ws-security-digest.yaml"
        )
    assert "200" in send(qtbot, window)
    sent = _find(window, QPlainTextEdit, "soap.response.sent").toPlainText()
    assert "UsernameToken" in sent and "PasswordDigest" in sent and "s3cret" not in sent


def test_format_indents_the_envelope_and_tells_why_it_cannot(qtbot, window):
    open_soap_tab(qtbot, window)
    one_line = (
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
        "<Add><a>{{a}}</a><!-- b next --><b>2</b></Add></e:Body></e:Envelope>"
    )
    envelope(window).setPlainText(one_line)
    _click(qtbot, _find(window, QPushButton, "soap.format"))
    qtbot.waitUntil(lambda: "\n" in envelope(window).toPlainText().strip())
    text = envelope(window).toPlainText()
    assert "      <a>{{a}}</a>\n      <!-- b next -->\n" in text
    envelope(window).setFocus()
    qtbot.keyClick(envelope(window), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert envelope(window).toPlainText() == one_line

    envelope(window).setPlainText("<e:Envelope><unclosed></e:Envelope>")
    _click(qtbot, _find(window, QPushButton, "soap.format"))
    notice = _find(window, QLabel, "soap.notice")
    qtbot.waitUntil(notice.isVisible)
    assert "not formatted" in notice.text() and "line 1" in notice.text()
    assert envelope(window).toPlainText() == "<e:Envelope><unclosed></e:Envelope>"


def test_dirty_at_the_first_key_and_clean_again_after_undo(qtbot, window):
    with qtbot.waitSignal(window.soap.wsdl_finished, timeout=20_000):
        window.sidebar.request_activated.emit("calculator-soap-rpc/add.yaml")
    assert not window.soap.dirty
    editor = envelope(window)
    editor.setFocus()
    qtbot.keyClicks(editor, "x")
    assert window.soap.dirty
    assert window.tabs.tabText(window.tabs.indexOf(window.soap)) == "SOAP ●"
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.soap.dirty)
    assert window.tabs.tabText(window.tabs.indexOf(window.soap)) == "SOAP"


def test_a_response_that_does_not_match_the_schema_is_listed(qtbot, window, soap_url, dialogs):
    open_soap_tab(qtbot, window)
    load(qtbot, window, f"{soap_url}/hospital?wsdl")
    choose(qtbot, window, "HospitalSoap11", "AdmitPatient")
    set_element(window, "PatientID", "P001")
    set_element(window, "AdmittedAt", "2026-11-21T10:00:00Z")
    admit = envelope(window).toPlainText()
    dialogs.answers.append(QMessageBox.StandardButton.Yes)
    choose(qtbot, window, "HospitalSoap11", "GetPatientRecord")
    # The AdmitPatient envelope, sent as if it were GetPatientRecord: the answer is an
    # AdmitPatientResponse, which is not what GetPatientRecord's output message allows.
    envelope(window).setPlainText(admit)
    _find(window, QLineEdit, "soap.action").setText('""')
    window.soap.editor.edited.emit()
    _find(window, QCheckBox, "soap.validate").setChecked(True)
    assert "200" in send(qtbot, window)
    notes = _find(window, QLabel, "soap.response.notes")
    qtbot.waitUntil(lambda: "does not match" in notes.text())
    assert "AdmitPatientResponse" in notes.text()
