#!/usr/bin/env bash
# Vendor Swagger UI's released dist files (npm swagger-ui-dist, Apache-2.0) for the API's /docs
# page, so the interactive documentation works without reaching a CDN. Pinned and checked.
set -euo pipefail
VERSION=5.35.0
DEST="$(dirname "$0")/../src/highnorth/api/static/swagger-ui"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
source "$(dirname "$0")/npm_fetch.sh"
npm_fetch "swagger-ui-dist@$VERSION" "$TMP"
mkdir -p "$DEST"
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
  cp "$TMP/swagger-ui-dist/package/$f" "$DEST/$f"
done
strip_source_maps "$DEST/swagger-ui-bundle.js" "$DEST/swagger-ui.css"
echo "swagger-ui-dist $VERSION ($INTEGRITY)" > "$DEST/VERSION"
echo "vendored Swagger UI $VERSION into $DEST"
