"""``apiclient run`` against the mock servers: progress, reports, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sample_copy import copy_sample

from apiclient.cli import main as apiclient_main
from apiclient.cli_run import main
from apiclient.core.models import Capture, Check, RestRequest, WebhookRequest
from apiclient.core.store import CollectionStore
from mock_servers.host import MockHost

REPO = Path(__file__).resolve().parents[2]
V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _add_checks(root: Path, relpath: str, *checks: Check) -> None:
    store = CollectionStore.open(root)
    node = store.find(relpath)
    request = node.request  # type: ignore[union-attr]
    store.save_request(request.model_copy(update={"checks": list(checks)}), relpath)


def _postman(tmp_path: Path, items: list[dict[str, Any]], **top: Any) -> Path:
    path = tmp_path / "shop.postman_collection.json"
    doc = {"info": {"name": "Shop", "schema": V21}, "item": items, **top}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _echo_item(name: str, query: str = "", status: int = 200) -> dict[str, Any]:
    return {
        "name": name,
        "request": {"method": "GET", "url": f"{{{{base}}}}/echo?{query}"},
        "event": [
            {"listen": "test", "script": {"exec": [f"pm.response.to.have.status({status});"]}}
        ],
    }


def test_a_sample_folder_passes_and_prints_progress_and_summary(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "run.json"

    code = main(
        [
            str(sample),
            "--env",
            "Local mocks",
            "--folder",
            "calculator-soap-rpc",
            "--reporter",
            f"json:{report}",
        ]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "Running Calculator (SOAP rpc): 2 requests" in out
    assert "1/2  SOAP Add  200 OK" in out
    assert "2/2  SOAP Divide  500 Internal Server Error" in out
    assert "2 passed, 0 failed, 0 errors, 0 skipped" in out
    assert "Result    PASSED" in out
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["name"] == "Calculator (SOAP rpc)"
    assert [r["path"] for r in doc["results"]] == ["Add", "Divide by zero (Fault)"]
    assert doc["summary"]["ok"] is True


def test_a_failed_check_exits_1_and_the_junit_report_says_why(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_checks(
        sample,
        "calculator-soap-rpc/divide-by-zero-fault.yaml",
        Check(source="status", op="equals", expected="200"),
    )
    _add_checks(
        sample,
        "calculator-soap-rpc/add.yaml",
        Check(source="status", op="equals", expected="200"),
    )
    junit = tmp_path / "junit.xml"

    code = main(
        [
            str(sample),
            "--env",
            "local MOCKS",
            "--folder",
            "Calculator (SOAP rpc)",
            "--reporter",
            f"junit:{junit}",
            "--iterations",
            "2",
        ]
    )

    out = capsys.readouterr().out
    assert code == 1
    assert "status equals 200: " in out
    assert "Checks    2 passed, 2 failed" in out
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "Calculator (SOAP rpc) · iteration 1",
        "Calculator (SOAP rpc) · iteration 2",
    ]
    failure = suites[0].find("testcase[@name='Divide by zero (Fault)']/failure")
    assert failure is not None
    assert failure.get("message", "").startswith("status equals 200")


def test_a_postman_file_runs_with_its_status_tests(
    rest_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {"name": "Items", "item": [_echo_item("Echo", "q=1")]},
        {"name": "Plain", "request": {"url": "{{base}}/echo"}},
    ]
    collection = _postman(tmp_path, items, variable=[{"key": "base", "value": rest_url}])
    report = tmp_path / "run.json"

    code = main([str(collection), "--reporter", f"json:{report}", "--concurrency", "2"])

    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "warning: Request 'Items / Echo': the test" in captured.out
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["name"] == "Shop"
    assert [r["path"] for r in doc["results"]] == ["Items / Echo", "Plain"]
    assert doc["results"][0]["checks"][0]["description"] == "status equals 200"
    assert doc["summary"]["checks_passed"] == 1


def test_data_rows_give_one_iteration_each(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = CollectionStore.open(sample)
    folder = store.new_folder("", "Data")
    echo = RestRequest(
        name="Echo name",
        url="{{base_url}}/echo?name={{name}}",
        checks=[
            Check(source="jsonpath", expression="$.query.name[0]", op="equals", expected="{{name}}")
        ],
    )
    store.save_request(echo, folder=folder)
    data = tmp_path / "people.csv"
    data.write_text("name\nAda\nGrace\nKatherine\n", encoding="utf-8")
    report = tmp_path / "run.json"

    code = main(
        [
            str(sample),
            "--env",
            "Local mocks",
            "--folder",
            "Data",
            "--data",
            str(data),
            "--reporter",
            f"json:{report}",
        ]
    )

    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["options"]["data_rows"] == 3
    assert doc["summary"]["executed"] == 3
    assert [r["checks"][0]["actual"] for r in doc["results"]] == ["Ada", "Grace", "Katherine"]


def test_a_postman_environment_file_feeds_the_run(
    rest_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collection = _postman(tmp_path, [_echo_item("Missing", status=404)])
    env = tmp_path / "local.postman_environment.json"
    env.write_text(
        json.dumps({"name": "Local", "values": [{"key": "base", "value": rest_url}]}),
        encoding="utf-8",
    )

    code = main([str(collection), "--env", str(env), "--quiet"])

    out = capsys.readouterr().out
    assert code == 1
    assert "1/1" not in out  # --quiet: no line per request
    assert "0 passed, 1 failed, 0 errors" in out


def test_bail_stops_after_an_erring_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {"name": "Unknown", "request": {"url": "{{nowhere}}/a"}},
        {"name": "Never", "request": {"url": "{{nowhere}}/b"}},
    ]
    collection = _postman(tmp_path, items)

    code = main([str(collection), "--bail"])

    out = capsys.readouterr().out
    assert code == 1
    assert "Unknown variable {{nowhere}}" in out
    assert "1 skipped" in out
    assert "STOPPED by --bail" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "Production"], "There is no environment 'Production' in "),
        (["--folder", "nope"], "There is no folder 'nope' in the collection; its folders: items"),
        (["--concurrency", "0"], "Concurrency must be between 1 and 100"),
        (["--reporter", "html:x.html"], "--reporter 'html:x.html' is not FORMAT:FILE"),
        (["--reporter", "json:/no/such/dir/r.json"], "/no/such/dir does not exist"),
        (["--iterations", "many"], "argument --iterations: invalid int value: 'many'"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(
    sample: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(sample), *args])

    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.err.rstrip("\n").splitlines()[-1].startswith("apiclient run: error: ")


def test_unknown_env_lists_the_known_ones(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(sample), "--env", "Staging"]) == 2
    assert "it has 'Local mocks'." in capsys.readouterr().err


def test_a_malformed_csv_names_its_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    collection = _postman(tmp_path, [_echo_item("Echo")])
    data = tmp_path / "bad.csv"
    data.write_text('name,age\nAda,36\nGrace,"85\n', encoding="utf-8")

    assert main([str(collection), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("apiclient run: error: bad.csv: row 3")


def test_a_data_row_with_too_many_cells_names_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collection = _postman(tmp_path, [_echo_item("Echo")])
    data = tmp_path / "wide.csv"
    data.write_text("name\nAda\nGrace,85\n", encoding="utf-8")

    assert main([str(collection), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err
    assert "column" in err


def test_missing_path_and_broken_collections_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "collection.yaml").write_text("schema_version: [", encoding="utf-8")
    insomnia = tmp_path / "insomnia.json"
    insomnia.write_text('{"_type": "export", "__export_format": 4}', encoding="utf-8")

    assert main([str(tmp_path / "absent")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([str(broken)]) == 2
    assert "Cannot open the collection" in capsys.readouterr().err
    assert main([str(insomnia)]) == 2
    assert "looks like an Insomnia export" in capsys.readouterr().err


def test_apiclient_dispatches_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert apiclient_main(["run", str(tmp_path / "absent")]) == 2
    assert capsys.readouterr().err.startswith("apiclient run: error: ")


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["APICLIENT_DATA_DIR"] = str(tmp_path / "data")
    env["APICLIENT_CONFIG_DIR"] = str(tmp_path / "config")
    env["PYTHONIOENCODING"] = "ascii"
    env.pop("QT_QPA_PLATFORM", None)
    return env


_NO_QT = (
    "import sys\n"
    "from apiclient.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6')"
    " or m.startswith('apiclient.ui'))\n"
    "print('QT-MODULES:', qt)\n"
    "sys.exit(code)\n"
)


def test_the_command_imports_no_qt_and_exits_with_the_real_code(
    rest_url: str, tmp_path: Path
) -> None:
    collection = _postman(
        tmp_path,
        [_echo_item("Fine"), _echo_item("Wrong", status=201)],
        variable=[{"key": "base", "value": rest_url}],
    )

    done = subprocess.run(
        [sys.executable, "-c", _NO_QT, "run", str(collection)],
        cwd=REPO,
        env=_subprocess_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1, done.stderr
    assert "QT-MODULES: []" in done.stdout
    assert "  ok 1/2  GET " in done.stdout  # stdout is ASCII: no check marks
    assert "  FAIL 2/2  GET " in done.stdout
    assert "status equals 201: " in done.stdout


def test_ctrl_c_cancels_writes_the_report_and_exits_130(rest_url: str, tmp_path: Path) -> None:
    items = [
        {"name": "Quick", "request": {"url": "{{base}}/echo"}},
        {"name": "Slow", "request": {"url": "{{base}}/delay/30"}},
    ]
    collection = _postman(tmp_path, items, variable=[{"key": "base", "value": rest_url}])
    report = tmp_path / "run.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "apiclient", "run", str(collection), "--reporter", f"json:{report}"],
        cwd=REPO,
        env=_subprocess_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell starting the tests in the background ignores SIGINT, and so would the
        # child: give it the default, as a terminal's Ctrl+C finds it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if " 1/2 " in line:
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "CANCELLED" in out
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["summary"]["cancelled"] is True
    assert [r["path"] for r in doc["results"]] == ["Quick"]
    assert doc["summary"]["skipped"] == 1


def test_webhook_receivers_are_listed_as_not_run(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = CollectionStore.open(sample)
    folder = store.new_folder("", "CI checks")
    echo = RestRequest(
        name="Echo",
        url="{{base_url}}/echo",
        checks=[Check(source="jsonpath", expression="$.method", op="equals", expected="GET")],
    )
    store.save_request(echo, folder=folder)
    store.save_request(WebhookRequest(name="Receiver"), folder=folder)

    code = main([str(sample), "--env", "Local mocks", "--folder", "ci checks"])

    out = capsys.readouterr().out
    assert code == 0
    assert "Running CI checks: 1 request" in out
    assert "Checks    1 passed, 0 failed" in out
    assert "Not run (1):" in out
    assert "Receiver: a webhook receiver listens for calls" in out


def test_the_runner_demo_and_a_batch_data_file_run_from_any_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = MockHost(ephemeral=True)  # its batch calls change contacts: not the shared mocks
    try:
        sample = copy_sample(tmp_path / "sample", host.start(timeout=15.0))
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        monkeypatch.chdir(elsewhere)  # relative data files are read from the collection
        data = str(sample / "data" / "items.csv")
        env = ["--env", "Local mocks"]
        demo = main([str(sample), *env, "--folder", "runner-demo", "--data", data])
        batch = main([str(sample), *env, "--folder", "contacts-batch"])
    finally:
        host.stop()

    out = capsys.readouterr().out
    assert demo == 0, out
    assert "30 passed, 0 failed, 0 errors" in out
    assert batch == 0, out  # "Upsert from CSV file" reads data/contacts.csv


def _data_folder(sample: Path, *requests: RestRequest) -> None:
    store = CollectionStore.open(sample)
    folder = store.new_folder("", "Data")
    for request in requests:
        store.save_request(request, folder=folder)


def test_a_capture_that_finds_nothing_is_printed_under_its_step(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    login = RestRequest(
        name="Log in",
        url="{{base_url}}/echo",
        captures=[Capture(variable="session", expression="$.no.session")],
    )
    use = RestRequest(name="Use", url="{{base_url}}/echo?s={{session}}")
    _data_folder(sample, login, use)

    code = main([str(sample), "--env", "Local mocks", "--folder", "Data"])

    out = capsys.readouterr().out
    assert code == 1, out
    lines = out.splitlines()
    passed = next(i for i, line in enumerate(lines) if " 1/2 " in line)
    assert lines[passed + 1].startswith("      capture session: not set (")
    assert "{{session}} was to be captured by 'Log in', which found nothing: " in out


def test_data_that_is_a_folder_says_so(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(sample), "--data", str(tmp_path)])

    err = capsys.readouterr().err
    assert code == 2
    assert f"--data {tmp_path} is a folder; give a CSV or JSON file" in err


@pytest.mark.parametrize("iterations", ["1", "3"])
def test_iterations_with_data_are_said_to_be_ignored_once(
    sample: Path, tmp_path: Path, iterations: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _data_folder(sample, RestRequest(name="Echo", url="{{base_url}}/echo?name={{name}}"))
    data = tmp_path / "people.csv"
    data.write_text("name\nAda\nGrace\n", encoding="utf-8")

    where = [str(sample), "--env", "Local mocks", "--folder", "Data"]
    code = main([*where, "--data", str(data), "--iterations", iterations])

    out = capsys.readouterr().out
    assert code == 0
    assert out.count("--iterations is ignored: people.csv gives one per row.") == 1
    assert "2 executed of 2 planned" in out


@pytest.mark.parametrize(("status", "code"), [(200, 2), (201, 2)])
def test_a_report_that_cannot_be_written_leaves_the_others_and_exits_2(
    rest_url: str, tmp_path: Path, status: int, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    collection = _postman(
        tmp_path, [_echo_item("Echo", status=status)], variable=[{"key": "base", "value": rest_url}]
    )
    # A name the file system takes, but its temporary sibling (longer) is too long.
    unwritable = tmp_path / ("r" * 250)
    report = tmp_path / "run.json"

    result = main(
        [str(collection), "--reporter", f"junit:{unwritable}", "--reporter", f"json:{report}"]
    )

    captured = capsys.readouterr()
    assert result == code
    assert captured.err.count("apiclient run: error: ") == 1
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["executed"] == 1
    assert f"Wrote the json report to {report}" in captured.out


def test_a_closed_pipe_stops_the_output_quietly(rest_url: str, tmp_path: Path) -> None:
    # Enough lines to fill the pipe, so the command writes after its reader has gone.
    collection = _postman(
        tmp_path, [_echo_item("Echo")], variable=[{"key": "base", "value": rest_url}]
    )
    report = tmp_path / "run.json"
    command = [sys.executable, "-m", "apiclient", "run", str(collection)]
    process = subprocess.Popen(
        [*command, "--iterations", "3000", "--reporter", f"json:{report}"],
        cwd=REPO,
        env=_subprocess_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read().decode("utf-8", "replace")
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0, err
    assert err == ""
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["executed"] == 3000
