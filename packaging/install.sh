#!/usr/bin/env bash
# Put apiclient in the desktop's application menu, for this user.
#
#   ./install.sh              from the bundle folder (dist/apiclient, or the unpacked tarball):
#                             links ~/.local/bin/apiclient to this bundle's executable
#   packaging/install.sh      from a checkout, for an `apiclient` installed by pip or pipx
#   ... --uninstall           removes what it installed
#
# Copies the desktop file and the icons into ~/.local/share (or $XDG_DATA_HOME); the menu
# entry runs the executable by its full path, so ~/.local/bin need not be on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin

if [ -x "$here/apiclient" ] && [ -d "$here/share" ]; then
    exe=$here/apiclient
    desktop=$here/share/applications/apiclient.desktop
    icons=$here/share/icons/hicolor
else
    exe=$(command -v apiclient || true)
    desktop=$here/apiclient.desktop
    icons=""
    [ -n "$exe" ] || { echo "No apiclient command on PATH; pip install or pipx install it first." >&2; exit 1; }
fi

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$data/applications/apiclient.desktop" "$data"/icons/hicolor/*/apps/apiclient.{png,svg}
    [ -L "$bin/apiclient" ] && [ "$(readlink "$bin/apiclient")" = "$exe" ] && rm -f "$bin/apiclient"
    echo "Removed apiclient's menu entry and icons."
    exit 0
fi

mkdir -p "$data/applications"
sed "s|^Exec=apiclient|Exec=\"$exe\"|" "$desktop" >"$data/applications/apiclient.desktop"
if [ -n "$icons" ]; then
    (cd "$icons" && find . -name 'apiclient.*' -exec install -D -m 644 {} "$data/icons/hicolor/{}" \;)
else
    icon_dir=$here/../apiclient/resources/icons
    install -D -m 644 "$icon_dir/apiclient.svg" "$data/icons/hicolor/scalable/apps/apiclient.svg"
    for png in "$icon_dir"/apiclient-*.png; do
        size=${png##*-}
        size=${size%.png}
        install -D -m 644 "$png" "$data/icons/hicolor/${size}x${size}/apps/apiclient.png"
    done
fi
if [ "$exe" = "$here/apiclient" ]; then
    mkdir -p "$bin"
    ln -sfn "$exe" "$bin/apiclient"
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Installed the menu entry ($data/applications/apiclient.desktop) running $exe."
