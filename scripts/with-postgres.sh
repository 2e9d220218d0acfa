#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server on 127.0.0.1, exported as KBASE_TEST_PG_URL.
set -euo pipefail
bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
[ -n "$bindir" ] || bindir="$(dirname "$(command -v initdb)")"
data="$(mktemp -d /tmp/kbase-pg.XXXXXX)"
port="${KBASE_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$data"
  as_pg=(runuser -u postgres --)   # initdb refuses to run as root
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$data/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$data/db" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
export KBASE_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
export KBASE_TEST_PG_DATA="$data/db" KBASE_TEST_PG_BIN="$bindir" KBASE_REQUIRE_PG=1
echo "PostgreSQL test server on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
