#!/usr/bin/env bash
# Vendor Swagger UI's released dist files (npm swagger-ui-dist, Apache-2.0) for the API's /docs
# page, so the interactive documentation works without reaching a CDN. Pinned and checked.
set -euo pipefail
VERSION=5.35.0
INTEGRITY=$(npm view "swagger-ui-dist@$VERSION" dist.integrity)
DEST="$(dirname "$0")/../src/highnorth/api/static/swagger-ui"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null)
GOT="sha512-$(openssl dgst -sha512 -binary "$TMP/swagger-ui-dist-$VERSION.tgz" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "integrity mismatch: $GOT != $INTEGRITY" >&2; exit 1; }
tar xzf "$TMP/swagger-ui-dist-$VERSION.tgz" -C "$TMP"
mkdir -p "$DEST"
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
  cp "$TMP/package/$f" "$DEST/$f"
done
sed -i -E -e 's#//\# sourceMappingURL=[^ ]*##' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$DEST/swagger-ui-bundle.js" "$DEST/swagger-ui.css"
echo "swagger-ui-dist $VERSION ($INTEGRITY)" > "$DEST/VERSION"
echo "vendored Swagger UI $VERSION into $DEST"
