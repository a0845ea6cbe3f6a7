#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: start DIR | restart DIR | stop DIR.
#
# The cluster lives in DIR (data, log, socket), listens on a Unix socket in DIR only (no TCP port,
# so parallel runs never collide), trusts local connections as user "vikno", and has a database
# "vikno". `start` writes the libpq connection string to DIR/conninfo. As root it runs the server as
# the "postgres" user (PostgreSQL refuses to run as root); otherwise as the caller.
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

case "$action" in
  start)
    if [[ -f "$dir/data/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null
    fi
    rm -rf "$dir"
    mkdir -p "$dir/sock"
    if [[ $(id -u) -eq 0 ]]; then
      chown -R postgres: "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "pg_test_cluster: the postgres user cannot reach $dir (a parent folder is not searchable by others)" >&2
        exit 1
      fi
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U vikno -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync stays on: the tests check durability claims against this server.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c max_connections=300" >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    psql -h "$dir/sock" -U vikno -d postgres -qAt -c "CREATE DATABASE vikno" >/dev/null
    echo "host=$dir/sock dbname=vikno user=vikno" >"$dir/conninfo"
    echo "pg_test_cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $dir ($(cat "$dir/conninfo"))"
    ;;
  restart)
    # A restart of the server under the gateways (fault runs): every connection breaks.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 restart -m fast \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c max_connections=300" >/dev/null
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null 2>&1 || true
    fi
    rm -f "$dir/conninfo"
    ;;
  *)
    echo "usage: pg_test_cluster.sh start|restart|stop DIR" >&2
    exit 2
    ;;
esac
