#!/usr/bin/env bash
# Vendor Terra Draw and its MapLibre adapter (npm terra-draw, terra-draw-maplibre-gl-adapter, MIT)
# for the screen view's drawing tools: the released ES modules, pinned and checked against the
# registry's integrity. The adapter imports the bare specifier "terra-draw"; a page under
# `script-src 'self'` cannot use an inline import map, so the import is rewritten to the file
# next to it.
set -euo pipefail
DEST="$(dirname "$0")/../src/highnorth/web/static/vendor/terra-draw"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
source "$(dirname "$0")/npm_fetch.sh"
rm -rf "$DEST"; mkdir -p "$DEST"
: > "$DEST/VERSION"
for spec in terra-draw@1.35.0:terra-draw.modern.js terra-draw-maplibre-gl-adapter@1.4.1:terra-draw-maplibre-gl-adapter.modern.js; do
  pkg=${spec%%:*}; file=${spec#*:}; name=${pkg%@*}; version=${pkg#*@}
  npm_fetch "$pkg" "$TMP"
  cp "$TMP/$name/package/dist/$file" "$DEST/$name.js"
  echo "$name $version ($INTEGRITY) MIT" >> "$DEST/VERSION"
done
sed -i -e 's#from"terra-draw"#from"./terra-draw.js"#' "$DEST/terra-draw-maplibre-gl-adapter.js"
strip_source_maps "$DEST"/*.js
grep -q 'from"./terra-draw.js"' "$DEST/terra-draw-maplibre-gl-adapter.js" || { echo "the adapter's import was not rewritten" >&2; exit 1; }
printf 'MIT License\n\nCopyright (c) James Milner and the Terra Draw contributors\n(see the packages README: License MIT; https://github.com/JamesLMilner/terra-draw/blob/main/LICENSE)\n' > "$DEST/LICENSE.txt"
echo "vendored Terra Draw into $DEST"
