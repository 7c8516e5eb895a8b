#!/usr/bin/env bash
# Vendor axe-core (npm axe-core, MPL-2.0) for the browser accessibility test (tests/test_web_a11y.py).
# A test asset only: the application never serves it; the test injects it into the page under test
# with Playwright's add_init_script, which the page's CSP does not govern. Pinned and checked
# against the registry's integrity.
set -euo pipefail
VERSION=4.11.1
INTEGRITY=$(npm view "axe-core@$VERSION" dist.integrity)
DEST="$(dirname "$0")/../tests/vendor/axe-core"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "axe-core@$VERSION" >/dev/null)
GOT="sha512-$(openssl dgst -sha512 -binary "$TMP/axe-core-$VERSION.tgz" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "integrity mismatch: $GOT != $INTEGRITY" >&2; exit 1; }
tar xzf "$TMP/axe-core-$VERSION.tgz" -C "$TMP"
rm -rf "$DEST"; mkdir -p "$DEST"
cp "$TMP/package/axe.min.js" "$TMP/package/LICENSE" "$DEST/"
echo "axe-core $VERSION ($INTEGRITY)" > "$DEST/VERSION"
echo "vendored axe-core $VERSION into $DEST"
