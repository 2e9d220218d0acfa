#!/usr/bin/env bash
# Runs a command with throw-away PostgreSQL servers on 127.0.0.1, the first exported as KBASE_TEST_PG_URL.
# KBASE_TEST_PG_SERVERS=N (default 2) starts N servers, one per pytest-xdist worker: server i is
# KBASE_TEST_PG_URL_i / KBASE_TEST_PG_DATA_i, and tests/conftest.py gives worker gw<i> its own, because
# roles are per server and a test restarts its server.
set -euo pipefail
bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
[ -n "$bindir" ] || bindir="$(dirname "$(command -v initdb)")"
servers="${KBASE_TEST_PG_SERVERS:-2}"  # two cores here: `pytest -n 2` works as it is
[ "$servers" -ge 1 ] || servers=1
# in memory when there is room: every test database is a copy of a template (hundreds of files), and
# creating files next to ones just deleted costs ext4 a lot of kernel time (a third of the suite's CPU here)
parent=/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt $((6 * 1024 * 1024)) ]; then
  parent=/dev/shm
fi
data="$(mktemp -d "$parent/kbase-pg.XXXXXX")"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$data"
  as_pg=(runuser -u postgres --)   # initdb refuses to run as root
fi
cleanup() {
  for ((i = 0; i < servers; i++)); do
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$data/$i/db" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$data"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# one initdb, then copies: a second initdb costs as much again
"${as_pg[@]}" mkdir "$data/0"
"${as_pg[@]}" "$bindir/initdb" -D "$data/0/db" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
for ((i = 1; i < servers; i++)); do "${as_pg[@]}" mkdir "$data/$i"; "${as_pg[@]}" cp -a "$data/0/db" "$data/$i/db"; done
for ((i = 0; i < servers; i++)); do
  if [ "$i" -eq 0 ] && [ -n "${KBASE_TEST_PG_PORT:-}" ]; then port="$KBASE_TEST_PG_PORT"; else port="$(free_port)"; fi
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$data/$i/db" -l "$data/$i/log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  export "KBASE_TEST_PG_URL_$i=postgresql+psycopg://postgres@127.0.0.1:$port/postgres" "KBASE_TEST_PG_DATA_$i=$data/$i/db"
  echo "PostgreSQL test server on 127.0.0.1:$port"
done
export KBASE_TEST_PG_URL="$KBASE_TEST_PG_URL_0" KBASE_TEST_PG_DATA="$KBASE_TEST_PG_DATA_0"
export KBASE_TEST_PG_BIN="$bindir" KBASE_REQUIRE_PG=1
# the command's temporary files (pytest's tmp_path) go beside the servers' data, for the same reason
mkdir "$data/t"
export TMPDIR="$data/t"
# compiled modules are kept (__pycache__, gitignored) even where PYTHONDONTWRITEBYTECODE is set: without them
# each pytest-xdist worker rewrites the asserts of every test file again when it collects (~6 CPU-s of its
# ~10), and each interpreter a test starts (the kbase command, import and index children) compiles kbase again
unset PYTHONDONTWRITEBYTECODE
set +e
"$@"
status=$?
set -e
exit $status
