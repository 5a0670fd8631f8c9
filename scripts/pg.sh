#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests (Debian's `postgresql` package).
#
#   eval "$(bash scripts/pg.sh start)"
#       Starts a server in a new temporary directory, listening on 127.0.0.1 on a free port, and
#       prints the variables to export (only they go to stdout; diagnostics go to stderr):
#         CONCERTO_PG_DIR             the temporary directory (data, socket, log)
#         CONCERTO_PG_PORT            the TCP port
#         CONCERTO_PG_BIN             the directory of initdb / pg_ctl / psql used
#         CONCERTO_TEST_DATABASE_URL  postgres://postgres@127.0.0.1:PORT/postgres
#
#   bash scripts/pg.sh stop "$CONCERTO_PG_DIR"
#       Stops that server (immediate shutdown) and removes the directory.
#
# The server trusts every local connection (no password) and runs with fsync, synchronous_commit
# and full_page_writes off: it is for tests only, its data is thrown away.
#
# Run as root, initdb and the server run as the `postgres` system user (PostgreSQL refuses to run
# as root), and `apt-get install postgresql` is run when no initdb is found. Run as another user,
# they run as that user, and PostgreSQL must already be installed.
#
# Environment (optional): CONCERTO_PG_BIN to force the directory of initdb and pg_ctl;
# CONCERTO_PG_TMP for the parent of the temporary directory (default /tmp; keep it short, the
# Unix socket path is limited to about 100 characters).
set -euo pipefail

MARKER=.concerto-pg

log() {
    echo "pg.sh: $*" >&2
}

die() {
    log "$*"
    exit 1
}

# The directory holding initdb and pg_ctl. Debian's /usr/lib/postgresql/<version>/bin is preferred
# (newest version first) over whatever PATH has (e.g. links in /usr/local/bin).
find_bin_dir() {
    if [[ -n ${CONCERTO_PG_BIN:-} ]]; then
        [[ -x $CONCERTO_PG_BIN/initdb && -x $CONCERTO_PG_BIN/pg_ctl ]] ||
            die "CONCERTO_PG_BIN=$CONCERTO_PG_BIN has no initdb and pg_ctl"
        echo "$CONCERTO_PG_BIN"
        return 0
    fi
    local dir
    while read -r dir; do
        if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
    local initdb pg_ctl
    if initdb=$(command -v initdb) && pg_ctl=$(command -v pg_ctl); then
        initdb=$(readlink -f "$initdb")
        pg_ctl=$(readlink -f "$pg_ctl")
        if [[ $(dirname "$initdb") == $(dirname "$pg_ctl") ]]; then
            dirname "$initdb"
            return 0
        fi
    fi
    return 1
}

install_postgresql() {
    [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed (no initdb); install the Debian package 'postgresql' (as root: apt-get install -y postgresql)"
    command -v apt-get >/dev/null || die "no initdb and no apt-get: install PostgreSQL by hand"
    log "no initdb found: installing the Debian package postgresql"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >&2; then
        apt-get update >&2
        apt-get install -y --no-install-recommends postgresql >&2
    fi
}

# Runs a command as the owner of the cluster: `postgres` when we are root, else ourselves. The
# working directory is the cluster's (the postgres user may not be able to read the caller's).
as_owner() {
    local dir=$1
    shift
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

start() {
    local bin
    if ! bin=$(find_bin_dir); then
        install_postgresql
        bin=$(find_bin_dir) || die "initdb still not found after installing postgresql"
    fi
    log "using $bin ($("$bin/pg_ctl" --version))"

    if [[ $(id -u) -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        log "creating the system user postgres"
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash postgres
    fi

    local dir
    dir=$(mktemp -d "${CONCERTO_PG_TMP:-/tmp}/concerto-pg.XXXXXX")
    touch "$dir/$MARKER"
    echo "$bin" >"$dir/bin"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: "$dir"
    fi
    # From here on, a failure removes the directory (and stops the server if it started).
    trap 'log "failed; see above"; [[ -f $dir/log ]] && tail -n 30 "$dir/log" >&2; stop "$dir" >&2 || true' ERR

    log "initdb in $dir/data"
    as_owner "$dir" "$bin/initdb" -D "$dir/data" --auth=trust -U postgres -E UTF8 --locale=C \
        --no-sync >&2

    # The settings live in concerto.conf, included at the end of postgresql.conf.
    echo "include 'concerto.conf'" >>"$dir/data/postgresql.conf"
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        cat >"$dir/data/concerto.conf" <<EOF
# Throw-away test server (scripts/pg.sh).
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
        if [[ $(id -u) -eq 0 ]]; then
            chown postgres: "$dir/data/concerto.conf"
        fi
        log "starting the server on 127.0.0.1:$port"
        if as_owner "$dir" "$bin/pg_ctl" start -D "$dir/data" -l "$dir/log" -w -t 60 \
            </dev/null >&2; then
            break
        fi
        # Most likely the port was taken in between: try another one.
        (( attempt < 5 )) || false
        log "start failed (attempt $attempt); retrying on another port"
        tail -n 5 "$dir/log" >&2 2>/dev/null || true
    done

    local ready=
    for _ in $(seq 1 100); do
        if [[ -x $bin/pg_isready ]]; then
            if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
                ready=1
                break
            fi
        elif "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc 'SELECT 1' \
            >/dev/null 2>&1; then
            ready=1
            break
        fi
        sleep 0.1
    done
    [[ -n $ready ]] || false
    trap - ERR
    log "ready: postgres://postgres@127.0.0.1:$port/postgres (stop: bash scripts/pg.sh stop $dir)"

    echo "export CONCERTO_PG_DIR='$dir';"
    echo "export CONCERTO_PG_PORT=$port;"
    echo "export CONCERTO_PG_BIN='$bin';"
    echo "export CONCERTO_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$port/postgres';"
}

stop() {
    local dir=${1:-${CONCERTO_PG_DIR:-}}
    [[ -n $dir ]] || die "usage: pg.sh stop DIR (or set CONCERTO_PG_DIR)"
    [[ -d $dir ]] || die "$dir: no such directory"
    # Refuse to delete a directory this script did not create.
    [[ -f $dir/$MARKER ]] || die "$dir was not created by pg.sh start: not removing it"
    if [[ -f $dir/data/postmaster.pid ]]; then
        local bin
        bin=$(cat "$dir/bin" 2>/dev/null || true)
        [[ -n $bin && -x $bin/pg_ctl ]] || bin=$(find_bin_dir) || die "pg_ctl not found"
        log "stopping the server in $dir"
        as_owner "$dir" "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w >&2 ||
            log "pg_ctl stop failed (server already gone?)"
    fi
    rm -rf -- "$dir"
    log "removed $dir"
}

case ${1:-} in
    start)
        [[ $# -eq 1 ]] || die "usage: pg.sh start"
        start
        ;;
    stop)
        [[ $# -le 2 ]] || die "usage: pg.sh stop DIR"
        stop "${2:-}"
        ;;
    *)
        die "usage: eval \"\$(bash scripts/pg.sh start)\" | bash scripts/pg.sh stop DIR"
        ;;
esac
