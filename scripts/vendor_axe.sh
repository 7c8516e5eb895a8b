#!/usr/bin/env bash
# Vendor axe-core (npm axe-core, MPL-2.0) for the browser accessibility test (tests/test_web_a11y.py).
# A test asset only: the application never serves it; the test injects it into the page under test
# with Playwright's add_init_script, which the page's CSP does not govern. Pinned and checked
# against the registry's integrity.
set -euo pipefail
VERSION=4.11.1
DEST="$(dirname "$0")/../tests/vendor/axe-core"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
source "$(dirname "$0")/npm_fetch.sh"
npm_fetch "axe-core@$VERSION" "$TMP"
rm -rf "$DEST"; mkdir -p "$DEST"
cp "$TMP/axe-core/package/axe.min.js" "$TMP/axe-core/package/LICENSE" "$DEST/"
echo "axe-core $VERSION ($INTEGRITY)" > "$DEST/VERSION"
echo "vendored axe-core $VERSION into $DEST"
