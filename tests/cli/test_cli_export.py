"""``apiclient export``: secrets left out (or included on request), ``--format folder``,
and one line with exit code 2 for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiclient.cli import main
from apiclient.core.collection_writer import write_collection
from apiclient.core.models import Auth, Collection, RestRequest, Variable
from apiclient.core.store import CollectionStore

TOKEN = "s3cret-cli-token"
PASSWORD = "s3cret-cli-password"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    collection = Collection(
        name="Shop",
        variables=[Variable(name="password", value=PASSWORD, secret=True)],
        items=[
            RestRequest(
                name="Orders",
                url="http://127.0.0.1:8000/orders",
                auth=Auth(kind="bearer", token=TOKEN),
            )
        ],
    )
    return write_collection(collection, tmp_path / "shop")


def _secrets_in(data: bytes) -> list[str]:
    return [value for value in (TOKEN, PASSWORD) if value.encode() in data]


def test_postman_export_leaves_secrets_out_and_says_how_to_supply_them(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "shop.json"

    assert main(["export", str(source), "--output", str(output)]) == 0

    assert _secrets_in(output.read_bytes()) == []
    out = capsys.readouterr().out
    assert 'newman run "shop.json" --env-var "password=VALUE" --env-var "orders.token=VALUE"' in out
    doc = json.loads(output.read_bytes())
    assert doc["item"][0]["request"]["auth"]["bearer"][0]["value"] == "{{orders.token}}"


def test_postman_export_with_include_secrets(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "shop.json"

    code = main(["export", str(source), "--output", str(output), "--include-secrets"])

    assert code == 0
    assert _secrets_in(output.read_bytes()) == [TOKEN, PASSWORD]
    assert "holds secret values in clear text" in capsys.readouterr().out


def test_folder_export_writes_a_copy_without_secrets_in_its_files(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy"

    code = main(["export", str(source), "--format", "folder", "--output", str(copy)])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:2] == [
        "Exported 'Shop' as apiclient collection folder: 1 request",
        f"Wrote {copy}",
    ]
    files = b"".join(p.read_bytes() for p in copy.rglob("*") if p.is_file())
    assert _secrets_in(files) == []
    opened = CollectionStore.open(copy)
    assert opened.variables[0].value == PASSWORD  # in this machine's secret store


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--format", "folder", "--include-secrets"], "--include-secrets applies to --format"),
        (["--format", "zip"], "--format 'zip' is not a format"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    expected: str,
) -> None:
    output = tmp_path / "out"
    output.mkdir()  # an empty folder: a place the folder format would write into

    assert main(["export", str(source), "--output", str(output), *extra]) == 2

    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"apiclient export: error: {expected}")
    assert list(output.iterdir()) == []


def test_folder_export_refuses_a_busy_folder_and_the_collection_itself(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")

    assert main(["export", str(source), "--format", "folder", "--output", str(busy)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the folder is not empty" in err
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]

    before = _listing(source)
    for inside in (source / "copy", source):
        assert main(["export", str(source), "--format", "folder", "--output", str(inside)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "inside the collection itself" in err
    assert _listing(source) == before


def _listing(root: Path) -> list[tuple[str, bytes]]:
    return [
        (str(p.relative_to(root)), p.read_bytes() if p.is_file() else b"")
        for p in sorted(root.rglob("*"))
    ]


def test_postman_export_refuses_a_file_inside_the_collection(
    source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _listing(source)
    for inside in (source / "shop.json", source):
        assert main(["export", str(source), "--output", str(inside)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "inside the collection itself" in err
    assert _listing(source) == before


def test_folder_export_refuses_a_file(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.txt"
    taken.write_text("mine", encoding="utf-8")

    assert main(["export", str(source), "--format", "folder", "--output", str(taken)]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "it is a file" in err
    assert taken.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("fmt", ["postman", "folder"])
def test_a_path_the_system_refuses_is_one_line_not_a_traceback(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    too_long = tmp_path / ("x" * 300) / "out"
    there = sorted(tmp_path.iterdir())

    assert main(["export", str(source), "--format", fmt, "--output", str(too_long)]) == 2

    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("apiclient export: error: Could not use ")
    assert "name too long" in err and "Traceback" not in err
    assert sorted(tmp_path.iterdir()) == there
