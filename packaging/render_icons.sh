#!/usr/bin/env bash
# Render the PNG sizes of the application icon from its SVG. Run after editing
# apiclient/resources/icons/apiclient.svg and commit the PNGs: builds and the window use
# the PNGs, so neither needs an SVG renderer (nor Qt's SVG module, left out of the bundle).
# The sizes are apiclient/ui/app_icon.py's ICON_SIZES. Needs the checkout's .venv and
# rsvg-convert (Debian: apt-get install librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=$(.venv/bin/python -c 'from apiclient.ui.app_icon import ICON_SIZES; print(*ICON_SIZES)')
cd apiclient/resources/icons
for size in $sizes; do
    rsvg-convert --width "$size" --height "$size" apiclient.svg --output "apiclient-$size.png"
done
