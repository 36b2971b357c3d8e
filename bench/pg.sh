#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on loopback for side-by-side benchmarks.
#   pg.sh start DIR PORT   initdb (if needed) and start; the server runs as user postgres
#   pg.sh stop DIR
# Durability stays at PostgreSQL's defaults (fsync on, synchronous_commit on), as in production.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -n "$PGBIN" ] || { echo "pg.sh: PostgreSQL 15 is not installed (make bench installs it)" >&2; exit 1; }
cmd=$1 dir=$2
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port=$3
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$PGBIN/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_wal_size=4GB" start >/dev/null
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: pg.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
