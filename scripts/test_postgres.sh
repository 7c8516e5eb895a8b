#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 for the store and API contract tests, print the URL to export.
#   eval "$(scripts/test_postgres.sh start)"   # sets HIGHNORTH_TEST_POSTGRES_URL
#   scripts/test_postgres.sh stop
# Installs Debian's postgresql when it is missing (needs root, as on CI).
set -euo pipefail
PORT=${HIGHNORTH_TEST_PG_PORT:-54329}
DATA=${HIGHNORTH_TEST_PG_DATA:-/tmp/highnorth-test-pg}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
start)
  if [ -z "$(pgbin)" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  fi
  BIN=$(pgbin)
  if [ -f "$DATA/postmaster.pid" ]; then as_postgres "$BIN/pg_ctl" -D "$DATA" -m immediate stop >&2 || true; fi
  rm -rf "$DATA" && mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres "$DATA"
  as_postgres "$BIN/initdb" -D "$DATA" -A trust -U postgres >/dev/null
  as_postgres "$BIN/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=on" start >&2
  as_postgres "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres highnorth_test
  echo "export HIGHNORTH_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/highnorth_test"
  ;;
stop)
  BIN=$(pgbin)
  [ -n "$BIN" ] && [ -f "$DATA/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2
  rm -rf "$DATA"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
