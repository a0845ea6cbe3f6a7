#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: start DIR | restart DIR | stop DIR.
#
# The cluster lives in DIR (data, log, socket; as root in a folder under /tmp named in DIR/location),
# listens on a Unix socket there only (no TCP port, so parallel runs never collide), trusts local
# connections as user "vikno", and has a database "vikno". `start` writes the libpq connection string to DIR/conninfo. As root it runs the server as
# the "postgres" user (PostgreSQL refuses to run as root); otherwise as the caller.
# VIKNO_PG_SERVER_OPTIONS adds server settings ("-c shared_preload_libraries=pg_stat_statements" for
# the load benchmark's count of round trips).
set -euo pipefail

action=${1:?usage: pg_test_cluster.sh start|restart|stop DIR}
dir=$(realpath -m "${2:?usage: pg_test_cluster.sh start|restart|stop DIR}")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bin" || ! -x "$bin/pg_ctl" ]]; then
  echo "pg_test_cluster: no PostgreSQL server found under /usr/lib/postgresql; install postgresql-15 (make deps does)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the server's files go: DIR itself, or (as root) a folder under /tmp that the postgres user can
# reach whatever DIR's parents allow (a clone under /root, say); DIR/location says which.
home_of() { if [[ -f "$dir/location" ]]; then cat "$dir/location"; else echo "$dir"; fi; }

case "$action" in
  start)
    if [[ -d "$dir" ]]; then
      old=$(home_of)
      if [[ -f "$old/data/postmaster.pid" ]]; then
        as_owner "$bin/pg_ctl" -D "$old/data" stop -m immediate >/dev/null 2>&1 || true
      fi
      [[ "$old" != "$dir" ]] && rm -rf "$old"
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    home=$dir
    if [[ $(id -u) -eq 0 ]]; then
      home=$(mktemp -d /tmp/vikno-pg.XXXXXX)
      chmod 0755 "$home"
      echo "$home" >"$dir/location"
    fi
    mkdir -p "$home/sock"
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$home"; fi
    as_owner "$bin/initdb" -D "$home/data" -U vikno -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync stays on: the tests check durability claims against this server.
    as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$home/sock' -c max_connections=300 ${VIKNO_PG_SERVER_OPTIONS:-}" >/dev/null ||
      { cat "$home/server.log" >&2; exit 1; }
    psql -h "$home/sock" -U vikno -d postgres -qAt -c "CREATE DATABASE vikno" >/dev/null
    echo "host=$home/sock dbname=vikno user=vikno" >"$dir/conninfo"
    echo "pg_test_cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $home ($(cat "$dir/conninfo"))"
    ;;
  restart)
    # A restart of the server under the gateways (fault runs): every connection breaks.
    home=$(home_of)
    as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 restart -m fast \
      -o "-c listen_addresses='' -c unix_socket_directories='$home/sock' -c max_connections=300 ${VIKNO_PG_SERVER_OPTIONS:-}" >/dev/null
    ;;
  stop)
    home=$(home_of)
    if [[ -d "$home/data" ]]; then
      as_owner "$bin/pg_ctl" -D "$home/data" stop -m fast -w >/dev/null 2>&1 || true
    fi
    rm -f "$dir/conninfo"
    if [[ "$home" != "$dir" ]]; then rm -rf "$home" "$dir/location"; fi
    ;;
  *)
    echo "usage: pg_test_cluster.sh start|restart|stop DIR" >&2
    exit 2
    ;;
esac
