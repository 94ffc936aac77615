#!/usr/bin/env bash
# Build apiclient for Linux, then check what was built.
#
#   packaging/build.sh            build everything below, run the packaging test, time start-up
#   packaging/build.sh --no-test  build only (the packaging test calls this when run alone)
#
# Output, under dist/ (never committed):
#   dist/apiclient/                     the one-folder PyInstaller bundle; run dist/apiclient/apiclient
#   dist/apiclient/install.sh           installs its menu entry and icons (from its resources)
#   dist/apiclient-VERSION-linux-ARCH.tar.gz   the bundle as a tarball
#   dist/apiclient-VERSION-py3-none-any.whl    the wheel (pip install / pipx install)
#   dist/apiclient-VERSION.tar.gz       the sdist
#   dist/BUILD-INFO                     the checkout built (packaging/build_stamp.py)
#
# Needs the checkout's .venv (./dev test or ./dev run makes it); installs the packaging
# extra (PyInstaller, build) into it when missing. The wheel is built in an isolated
# environment, so pip must reach the package index once.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
RUN_TEST=1
case "${1:-}" in
    --no-test) RUN_TEST=0 ;;
    "") ;;
    *) echo "usage: packaging/build.sh [--no-test]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ ! -x "$PY" ]; then
    echo "No .venv in $(pwd); run ./dev test (or ./dev run) once to make it." >&2
    exit 1
fi
if ! "$PY" -c 'import PyInstaller, build' 2>/dev/null; then
    say "Installing the packaging extra (PyInstaller, build) into .venv"
    "$PY" -m pip install -q -e '.[packaging]'
fi

VERSION=$("$PY" -c 'import apiclient; print(apiclient.__version__)')
TARBALL="dist/apiclient-$VERSION-linux-$(uname -m).tar.gz"
started=$SECONDS

say "Building the wheel and the sdist"
rm -f dist/apiclient-*.whl dist/apiclient-*.tar.gz dist/BUILD-INFO
mkdir -p build dist
# Taken before building, so an edit made meanwhile makes the stamp (and the tests) disagree.
stamp=$("$PY" packaging/build_stamp.py)
"$PY" -m build --outdir dist . >build/wheel.log 2>&1 || { cat build/wheel.log >&2; exit 1; }

say "Building the PyInstaller bundle (about a minute)"
rm -rf dist/apiclient build/pyinstaller
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/apiclient.spec
# The menu-entry installer; the desktop file and icons it installs are in the resources.
install -m 755 packaging/install.sh dist/apiclient/install.sh

say "Packing $TARBALL"
tar -C dist -czf "$TARBALL" apiclient
echo "$stamp" >dist/BUILD-INFO

say "Built in $((SECONDS - started)) s"
du -sh dist/apiclient "$TARBALL" dist/apiclient-"$VERSION"-py3-none-any.whl \
    dist/apiclient-"$VERSION".tar.gz

if [ "$RUN_TEST" = 1 ]; then
    say "Checking the wheel and the bundle (tests/packaging)"
    APICLIENT_PACKAGING_TESTS=1 APICLIENT_PACKAGING_BUILT=1 \
        "$PY" -m pytest tests/packaging -m packaging -q -p no:cacheprovider
    say "Start-up: the bundle next to the checkout"
    "$PY" packaging/startup_compare.py
fi
