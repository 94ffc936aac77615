#!/usr/bin/env bash
# Render the PNG sizes of the application icon from its SVG. Run after editing
# apiclient/resources/icons/apiclient.svg and commit the PNGs: builds and the window use
# the PNGs, so neither needs an SVG renderer (nor Qt's SVG module, left out of the bundle).
# Needs rsvg-convert (Debian: apt-get install librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../apiclient/resources/icons"
for size in 16 32 48 64 128 256 512; do
    rsvg-convert --width "$size" --height "$size" apiclient.svg --output "apiclient-$size.png"
done
