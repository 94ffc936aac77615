"""The wheel and the PyInstaller bundle, installed and unpacked as a user would, checked
headless: ``--version``; ``apiclient mock --port-file`` with ``apiclient run`` of the
sample's Runner demo folder against it (REST, SOAP, GraphQL, gRPC and WebSocket steps, so
every engine's libraries and data files are there) and of a gRPC request read from the
installed .proto files; the smoke check (the real window opens the sample collection,
starts the mocks and sends a REST request; see apiclient/ui/smoke_check.py); and
install.sh's menu entry and icons.

It takes minutes, so it runs only with ``APICLIENT_PACKAGING_TESTS=1``. packaging/build.sh
runs it after building, with ``APICLIENT_PACKAGING_BUILT=1`` so the fresh dist/ is used;
run alone, it calls ``packaging/build.sh --no-test`` first. Either way dist/BUILD-INFO must
name this checkout (packaging/build_stamp.py). The wheel is built from the sdist
(``python -m build``), so checking the wheel checks the sdist too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import yaml
from sample_copy import copy_sample

from apiclient import __version__
from apiclient.core.paths import resources_dir
from apiclient.ui.app_icon import ICON_SIZES

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(
        os.environ.get("APICLIENT_PACKAGING_TESTS") != "1",
        reason="builds the wheel and the bundle (minutes): run packaging/build.sh, or "
        "APICLIENT_PACKAGING_TESTS=1 pytest tests/packaging",
    ),
    pytest.mark.timeout(1800),
]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
# Qt modules the bundle must leave out (the app uses QtCore, QtGui and QtWidgets).
LEFT_OUT = ("libQt6Svg", "libQt6Network", "libQt6Qml", "libQt6Quick", "libQt6Pdf")


def _one(pattern: str) -> Path:
    (found,) = DIST.glob(pattern)
    return found


@pytest.fixture(scope="module")
def dist() -> Path:
    if os.environ.get("APICLIENT_PACKAGING_BUILT") != "1":
        subprocess.run([str(ROOT / "packaging" / "build.sh"), "--no-test"], check=True)
    info = DIST / "BUILD-INFO"
    built = info.read_text(encoding="utf-8").strip() if info.exists() else "an unknown checkout"
    stamp = [sys.executable, str(ROOT / "packaging" / "build_stamp.py")]
    now = subprocess.run(stamp, capture_output=True, text=True, check=True).stdout.strip()
    if built != now:
        pytest.fail(
            f"dist/ was built from {built}, not this checkout ({now}); run packaging/build.sh.",
            pytrace=False,
        )
    return DIST


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    return _one(f"apiclient-{__version__}-py3-none-any.whl")


@pytest.fixture(scope="module")
def wheel_command(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``apiclient`` of the wheel installed into a new virtual environment."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, str(wheel)], check=True)
    return venv / "bin" / "apiclient"


@pytest.fixture(scope="module")
def bundle_command(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle's executable, unpacked from the tarball somewhere else than dist/."""
    place = tmp_path_factory.mktemp("bundle")
    with tarfile.open(_one(f"apiclient-{__version__}-linux-*.tar.gz")) as tar:
        tar.extractall(place, filter="tar")
    return place / "apiclient" / "apiclient"


@pytest.fixture(scope="module", params=["wheel", "bundle"])
def command(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(f"{request.param}_command")


def _env(tmp_path: Path) -> dict[str, str]:
    """Headless, with data and settings in ``tmp_path``, and nothing of the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
    return {
        **env,
        "QT_QPA_PLATFORM": "offscreen",
        "APICLIENT_DATA_DIR": str(tmp_path / "data"),
        "APICLIENT_CONFIG_DIR": str(tmp_path / "config"),
    }


def _output(command: Path, *args: str, env: dict[str, str]) -> str:
    """What ``command *args`` prints; it must exit 0."""
    done = subprocess.run([str(command), *args], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_version(command: Path, tmp_path: Path) -> None:
    assert _output(command, "--version", env=_env(tmp_path)).strip() == f"apiclient {__version__}"


def _proto_files_folder(sample: Path, resources: Path) -> str:
    """A folder in ``sample`` with a gRPC request read from the installed package's
    tracks.proto (compiled by its grpc_tools, which supplies the well-known types it
    imports) rather than by reflection, as a collection with .proto files does."""
    folder = sample / "items" / "proto-files"
    folder.mkdir()
    request = {
        "kind": "grpc",
        "name": "gRPC from the .proto files",
        "target": "{{grpc_target}}",
        "method": "/mock.tracks.v1.TrackService/GetTrack",
        "message": '{"id": "t1"}',
        "proto_files": [str(resources / "proto" / "tracks" / "v1" / "tracks.proto")],
        "import_paths": [str(resources / "proto")],
        "checks": [
            {"expected": "0"},
            {"source": "jsonpath", "expression": "$.id", "expected": "t1"},
        ],
    }
    (folder / "get-a-track.yaml").write_text(yaml.safe_dump(request), encoding="utf-8")
    return folder.name


def test_mock_servers_answer_and_the_runner_passes(command: Path, tmp_path: Path) -> None:
    port_file = tmp_path / "ports.json"
    mock = subprocess.Popen(
        [str(command), "mock", "--ephemeral", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 90
        while not port_file.exists():
            assert mock.poll() is None, f"apiclient mock exited with {mock.returncode}"
            assert time.monotonic() < deadline, "apiclient mock wrote no port file in 90 s"
            time.sleep(0.1)
        urls = json.loads(port_file.read_text(encoding="utf-8"))
        assert httpx.get(f"{urls['rest']}/api/items").status_code == 200
        # The SOAP and GraphQL mocks serve files shipped as package data.
        wsdl = httpx.get(f"{urls['soap']}/hospital?wsdl")
        assert wsdl.status_code == 200 and "definitions" in wsdl.text
        assert "type Query" in httpx.get(f"{urls['graphql']}/schema.graphql").text
        sample = copy_sample(tmp_path / "sample", urls)
        resources = Path(_output(command, "--resources-dir", env=_env(tmp_path)).strip())
        for folder in ("runner-demo", _proto_files_folder(sample, resources)):
            run = [str(command), "run", str(sample), "--env", "Local mocks", "--folder", folder]
            done = subprocess.run(
                run, capture_output=True, text=True, env=_env(tmp_path), timeout=300
            )
            assert done.returncode == 0, done.stdout + done.stderr
    finally:
        mock.send_signal(signal.SIGTERM)
        code = mock.wait(timeout=30)
    assert code == 0, f"apiclient mock exited with {code} on SIGTERM"


def test_smoke_check(command: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(command), "--smoke-check"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke-check: ok" in done.stdout


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt: xvfb)")
def test_bundle_smoke_check_on_x11(bundle_command: Path, tmp_path: Path) -> None:
    """The bundle's own xcb platform plugin and X11 libraries, on a virtual X server."""
    env = {**_env(tmp_path), "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        ["xvfb-run", "-a", str(bundle_command), "--smoke-check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke-check: ok" in done.stdout


def _resource_files() -> set[str]:
    """Every file of apiclient/resources/, as ``apiclient/resources/...``."""
    top = resources_dir().parent.parent
    return {p.relative_to(top).as_posix() for p in resources_dir().rglob("*") if p.is_file()}


def test_wheel_holds_every_resource(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        assert _resource_files() <= set(archive.namelist())


def test_bundle_holds_every_resource(bundle_command: Path) -> None:
    internal = bundle_command.parent / "_internal"
    assert [name for name in _resource_files() if not (internal / name).is_file()] == []


def test_resources_hold_the_desktop_file_and_every_icon_size() -> None:
    """With the two tests above: the wheel and the bundle carry them too."""
    desktop = (resources_dir() / "apiclient.desktop").read_text(encoding="utf-8")
    assert "Exec=apiclient\n" in desktop and "Icon=apiclient\n" in desktop
    icons = resources_dir() / "icons"
    assert [size for size in ICON_SIZES if not (icons / f"apiclient-{size}.png").is_file()] == []


def test_bundle_has_install_sh_and_no_unused_qt(bundle_command: Path) -> None:
    bundle = bundle_command.parent
    assert (bundle / "install.sh").is_file()
    shipped = {path.name for path in bundle.rglob("*.so*")}
    assert not [name for name in shipped if name.startswith(LEFT_OUT)]


def _install_sh(script: Path, home: Path, *args: str, path: str) -> str:
    """Run ``script`` for a user whose home is ``home``, with ``path`` as PATH; its output."""
    env = {**_env(home), "HOME": str(home), "PATH": path}
    env.pop("XDG_DATA_HOME", None)
    done = subprocess.run([str(script), *args], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_install_sh_adds_and_removes_the_menu_entry(command: Path, tmp_path: Path) -> None:
    """The bundle's install.sh, or packaging/install.sh for the wheel's ``apiclient`` on
    PATH (as after ``pipx install``); uninstalling needs no ``apiclient`` any more."""
    bundled = command.parent / "install.sh"
    script = bundled if bundled.exists() else ROOT / "packaging" / "install.sh"
    _install_sh(script, tmp_path, path=f"{command.parent}{os.pathsep}{os.environ['PATH']}")
    share = tmp_path / ".local" / "share"
    desktop = share / "applications" / "apiclient.desktop"
    assert f'Exec="{command}"\n' in desktop.read_text(encoding="utf-8")
    icons = [
        share / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "apiclient.png" for n in ICON_SIZES
    ]
    icons.append(share / "icons" / "hicolor" / "scalable" / "apps" / "apiclient.svg")
    assert [icon for icon in icons if not icon.is_file()] == []
    link = tmp_path / ".local" / "bin" / "apiclient"
    assert (os.readlink(link) if link.is_symlink() else None) == (
        str(command) if bundled.exists() else None
    )

    _install_sh(script, tmp_path, "--uninstall", path="/usr/bin:/bin")
    assert [p for p in [desktop, link, *icons] if p.exists() or p.is_symlink()] == []


def test_bundle_install_sh_leaves_another_apiclient_alone(
    bundle_command: Path, tmp_path: Path
) -> None:
    link = tmp_path / ".local" / "bin" / "apiclient"
    link.parent.mkdir(parents=True)
    link.write_text("#!/bin/sh\n# pipx's apiclient\n", encoding="utf-8")
    script = bundle_command.parent / "install.sh"
    out = _install_sh(script, tmp_path, path="/usr/bin:/bin")
    assert "~/.local/bin/apiclient already exists; left as it is." in out
    assert link.read_text(encoding="utf-8") == "#!/bin/sh\n# pipx's apiclient\n"
