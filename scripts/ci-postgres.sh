#!/usr/bin/env bash
# Makes sure a PostgreSQL server runs on 127.0.0.1:5432 with a test role and database, for the
# state-store and replica tests (idempotent: install only where missing, start only when stopped).
# Prints the URL the tests read from TEST_STATE_URL.
set -euo pipefail
# Only the URL goes to stdout (callers capture it): everything the tools print goes to stderr, since
# pg_ctlcluster says things like "Removed stale pid file." on stdout. (Not through a saved fd: the
# server would inherit it and hold the caller's $(...) open forever.)
prepare() {
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    as_root apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y postgresql >/dev/null
  fi
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q .; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
    as_root pg_ctlcluster "$version" main start
  fi
  psql_su() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -c \"$1\""; }
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
  if [ -z "$(psql_su "SELECT 1 FROM pg_roles WHERE rolname='fulfillment_test'")" ]; then
    psql_su "CREATE ROLE fulfillment_test LOGIN PASSWORD 'fulfillment_test' CREATEDB"
  fi
  if [ -z "$(psql_su "SELECT 1 FROM pg_database WHERE datname='fulfillment_test'")" ]; then
    psql_su "CREATE DATABASE fulfillment_test OWNER fulfillment_test"
  fi
}
prepare >&2
echo "postgres://fulfillment_test:fulfillment_test@127.0.0.1:5432/fulfillment_test"
