#!/usr/bin/env bash
# Vendor MapLibre GL JS's released ESM dist files (npm maplibre-gl, BSD-3-Clause) for the web
# application, so the map works with no network and under a CSP without blob: workers (6.x starts
# its worker from maplibre-gl-worker.mjs). Pinned and checked against the registry's integrity.
set -euo pipefail
VERSION=6.20.0
INTEGRITY=$(npm view "maplibre-gl@$VERSION" dist.integrity)
DEST="$(dirname "$0")/../src/highnorth/web/static/vendor/maplibre-gl"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "maplibre-gl@$VERSION" >/dev/null)
GOT="sha512-$(openssl dgst -sha512 -binary "$TMP/maplibre-gl-$VERSION.tgz" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "integrity mismatch: $GOT != $INTEGRITY" >&2; exit 1; }
tar xzf "$TMP/maplibre-gl-$VERSION.tgz" -C "$TMP"
rm -rf "$DEST"; mkdir -p "$DEST"
for f in dist/maplibre-gl.mjs dist/maplibre-gl-worker.mjs dist/maplibre-gl.css LICENSE.txt; do
  cp "$TMP/package/$f" "$DEST/$(basename "$f")"
done
sed -i -E -e 's#//\# sourceMappingURL=[^ ]*##' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$DEST"/*.mjs "$DEST"/*.css
echo "maplibre-gl $VERSION ($INTEGRITY)" > "$DEST/VERSION"
echo "vendored MapLibre GL JS $VERSION into $DEST"
