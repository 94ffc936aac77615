#!/usr/bin/env bash
# Put apiclient in the desktop's application menu, for this user.
#
#   ./install.sh              from the bundle folder (dist/apiclient, or the unpacked tarball):
#                             also links ~/.local/bin/apiclient to this bundle's executable
#   install.sh                anywhere else (a checkout's packaging/install.sh, or this file
#                             on its own): for the `apiclient` on PATH, installed by pip or pipx
#   ... --uninstall           removes what it installed
#
# Copies the desktop file and the icons, which the installed package carries in its
# resources folder (`apiclient --resources-dir`), into ~/.local/share (or $XDG_DATA_HOME);
# the menu entry runs the executable by its full path, so ~/.local/bin need not be on PATH.
set -euo pipefail

uninstall=0
for arg in "$@"; do
    case $arg in
        --uninstall) uninstall=1 ;;
        *) echo "usage: install.sh [--uninstall]" >&2; exit 2 ;;
    esac
done

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
link=$HOME/.local/bin/apiclient
bundle_exe=""
if [ -x "$here/apiclient" ] && [ -d "$here/_internal" ]; then
    bundle_exe=$here/apiclient
fi

if [ "$uninstall" = 1 ]; then
    rm -f "$data/applications/apiclient.desktop" "$data"/icons/hicolor/*/apps/apiclient.{png,svg}
    if [ -n "$bundle_exe" ] && [ -L "$link" ] && [ "$(readlink "$link")" = "$bundle_exe" ]; then
        rm -f "$link"
    fi
    echo "Removed apiclient's menu entry and icons."
    exit 0
fi

exe=${bundle_exe:-$(command -v apiclient || true)}
[ -n "$exe" ] || { echo "No apiclient command on PATH; pip install or pipx install it first." >&2; exit 1; }
# The desktop entry spec would need these escaped twice over inside Exec; refuse them instead.
case $exe in
    *[\"\`\$\\%]* | *$'\n'*)
        echo "Cannot write $exe into a desktop file: move it to a path without \", \`, \$, \\, % or line breaks." >&2
        exit 1 ;;
esac
resources=$("$exe" --resources-dir)

mkdir -p "$data/applications"
while IFS= read -r line; do
    [ "$line" = "Exec=apiclient" ] && line="Exec=\"$exe\""
    printf '%s\n' "$line"
done <"$resources/apiclient.desktop" >"$data/applications/apiclient.desktop"
install -D -m 644 "$resources/icons/apiclient.svg" "$data/icons/hicolor/scalable/apps/apiclient.svg"
for png in "$resources"/icons/apiclient-*.png; do
    size=${png##*-}
    size=${size%.png}
    install -D -m 644 "$png" "$data/icons/hicolor/${size}x${size}/apps/apiclient.png"
done

# The link is this bundle's to make or replace only where nothing else put an apiclient
# (pipx and pip --user put theirs there): nothing there, or a link into a bundle.
if [ -n "$bundle_exe" ]; then
    if [ ! -e "$link" ] || { [ -L "$link" ] && [ -d "$(dirname "$(readlink -f "$link")")/_internal/apiclient" ]; }; then
        mkdir -p "$(dirname "$link")"
        ln -sfn "$exe" "$link"
    else
        echo "~/.local/bin/apiclient already exists; left as it is."
    fi
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Installed the menu entry ($data/applications/apiclient.desktop) running $exe."
