#!/usr/bin/env bash
# Vendor MapLibre GL JS's released ESM dist files (npm maplibre-gl, BSD-3-Clause) for the web
# application, so the map works with no network and under a CSP without blob: workers (6.x starts
# its worker from maplibre-gl-worker.mjs). Pinned and checked against the registry's integrity.
set -euo pipefail
VERSION=6.20.0
DEST="$(dirname "$0")/../src/highnorth/web/static/vendor/maplibre-gl"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
source "$(dirname "$0")/npm_fetch.sh"
npm_fetch "maplibre-gl@$VERSION" "$TMP"
rm -rf "$DEST"; mkdir -p "$DEST"
for f in dist/maplibre-gl.mjs dist/maplibre-gl-worker.mjs dist/maplibre-gl.css LICENSE.txt; do
  cp "$TMP/maplibre-gl/package/$f" "$DEST/$(basename "$f")"
done
strip_source_maps "$DEST"/*.mjs "$DEST"/*.css
echo "maplibre-gl $VERSION ($INTEGRITY)" > "$DEST/VERSION"
echo "vendored MapLibre GL JS $VERSION into $DEST"
