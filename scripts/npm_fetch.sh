# Sourced by the vendor_*.sh scripts: fetch one npm package at a pinned version, check it against
# the registry's sha512 integrity and unpack it.
#   npm_fetch NAME@VERSION DIR   unpacks into DIR/NAME/package and sets INTEGRITY
npm_fetch() {
  local spec=$1 dir=$2 name=${1%@*} version=${1##*@}
  INTEGRITY=$(npm view "$spec" dist.integrity)
  (cd "$dir" && npm pack --silent "$spec" >/dev/null)
  local got="sha512-$(openssl dgst -sha512 -binary "$dir/$name-$version.tgz" | base64 -w0)"
  [ "$got" = "$INTEGRITY" ] || { echo "integrity mismatch for $spec: $got != $INTEGRITY" >&2; exit 1; }
  mkdir -p "$dir/$name" && tar xzf "$dir/$name-$version.tgz" -C "$dir/$name"
}

# Remove source-map comments (the maps are not vendored) from the given files.
strip_source_maps() {
  sed -i -E -e 's#//\# sourceMappingURL=[^ ]*##' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$@"
}
