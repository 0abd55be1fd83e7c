#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and local runs.
#
#   infra/local/postgres.sh start DIR          prints one Npgsql connection string on stdout
#   infra/local/postgres.sh stop DIR [--purge]  stops the server; --purge also deletes DIR
#
# DIR is the cluster's data directory (PGDATA). Postgres writes the server PID to DIR/postmaster.pid, which is how
# `stop` finds it. The cluster listens on 127.0.0.1 only, on a port that was free at start, with trust auth: it holds
# test data only and must never be reachable from another machine. Everything except the connection string goes to
# stderr so callers can capture stdout as-is.
set -euo pipefail

# shellcheck source=service-common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/service-common.sh"

readonly PG_USER=postgres

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: postgres.sh start DIR
       postgres.sh stop DIR [--purge]
EOF
    exit 2
}

# Debian installs versioned binaries outside PATH, under /usr/lib/postgresql/<major>/bin; take the newest major
# (sort -V, because a plain glob would put 9 after 15).
find_pg_bin() {
    local dir
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"
    if [[ -x "$dir" ]]; then
        dirname -- "$dir"
    elif command -v initdb >/dev/null 2>&1; then
        # Other distributions (or a developer's own build) put initdb on PATH.
        dirname -- "$(command -v initdb)"
    fi
    return 0
}

# A fresh machine has no PostgreSQL; the project must install what it needs from Debian's packages.
ensure_postgres_installed() {
    PG_BIN="$(find_pg_bin)"
    [[ -n "$PG_BIN" ]] && return 0
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root: sudo apt-get install -y postgresql"
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is missing; install PostgreSQL 15 by hand"
    log "PostgreSQL not found; installing it from Debian packages (one-off, ~1 minute)"
    # Stop the package from creating and starting its own 'main' cluster on port 5432: we only want the binaries.
    mkdir -p /etc/postgresql-common
    if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
        printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.conf
    fi
    export DEBIAN_FRONTEND=noninteractive
    # A freshly booted machine's apt-daily may hold the dpkg lock for a while: wait for it rather than fail.
    apt-get -o DPkg::Lock::Timeout=300 update >&2
    apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends postgresql >&2
    PG_BIN="$(find_pg_bin)"
    [[ -n "$PG_BIN" ]] || die "apt-get installed postgresql but no initdb was found under /usr/lib/postgresql/*/bin"
}

# Postgres refuses to run as root, so as root every server-side command runs as the 'postgres' system user.
# cd / first: that user may not be allowed into the caller's current directory, and postgres would warn about it.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        "$@"
    fi
}


# postmaster.pid: line 1 is the PID, line 4 the port (PostgreSQL's documented layout).
pid_of() { sed -n 1p "$1/postmaster.pid" 2>/dev/null || true; }
port_of() { sed -n 4p "$1/postmaster.pid" 2>/dev/null || true; }

is_running() {
    local data="$1" pid
    [[ -f "$data/postmaster.pid" ]] || return 1
    pid="$(pid_of "$data")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

connection_string() {
    printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=postgres;Pooling=true\n' "$1"
}

# The data directory as the server sees it. Normally DIR itself; if the 'postgres' user cannot reach DIR (for example
# a checkout under a 0700 home directory), DIR is a symlink to a private directory under /tmp, created by init_cluster.
data_dir() { readlink -f -- "$1"; }

# postgresql.conf strings are single-quoted with '' as the escape.
conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

init_cluster() {
    local dir="$1" parent
    parent="$(dirname -- "$dir")"
    mkdir -p -- "$parent"
    if [[ $EUID -eq 0 ]] && ! runuser -u "$PG_USER" -- test -x "$parent" 2>/dev/null; then
        local real
        real="$(mktemp -d /tmp/hds-pg.XXXXXX)"
        log "user '$PG_USER' cannot reach $parent; keeping the cluster in $real (linked from $dir)"
        ln -s -- "$real" "$dir"
    else
        mkdir -p -- "$dir"
    fi
    local data
    data="$(data_dir "$dir")"
    if [[ $EUID -eq 0 ]]; then
        chown "$PG_USER:" "$data"
    fi
    chmod 0700 "$data"
    log "creating cluster in $data"
    # Trust auth and no fsync: a disposable test cluster bound to loopback, where speed matters and durability does not.
    # initdb is chatty; keep its output for when it fails.
    local out
    if ! out="$(as_pg "$PG_BIN/initdb" -D "$data" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C --no-sync 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "initdb failed in $data"
    fi
    # Settings live in their own file so restarts can rewrite the port without touching postgresql.conf.
    printf "\ninclude_if_exists = 'hds-local.conf'\n" | as_pg tee -a "$data/postgresql.conf" >/dev/null
}

write_local_conf() {
    local data="$1" port="$2" sockets
    # The socket goes inside the data directory so parallel clusters never collide in /var/run/postgresql. A Unix
    # socket path is limited to 107 bytes; when DIR is too deep for that, go TCP-only (nothing here needs the socket).
    if (( ${#data} + 15 <= 107 )); then  # 15 = length of "/.s.PGSQL.65535"
        sockets="$(conf_quote "\"$data\"")"
    else
        log "data directory path too long for a Unix socket; listening on TCP only"
        sockets="''"
    fi
    as_pg tee "$data/hds-local.conf" >/dev/null <<EOF
# Written by infra/local/postgres.sh at each start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = $sockets
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
}

cmd_start() {
    local dir="$1"
    ensure_postgres_installed
    [[ $EUID -ne 0 ]] || id -u "$PG_USER" >/dev/null 2>&1 || die "system user '$PG_USER' does not exist (reinstall the postgresql package)"

    if [[ -e "$dir" ]] && is_running "$(data_dir "$dir")"; then
        # Idempotent: a second start reports the server that is already there.
        connection_string "$(port_of "$(data_dir "$dir")")"
        return 0
    fi

    if [[ ! -e "$dir/PG_VERSION" ]]; then
        if [[ -e "$dir" ]] && [[ -n "$(ls -A -- "$dir")" ]]; then
            die "$dir exists, is not empty and holds no PostgreSQL cluster; refusing to touch it"
        fi
        if [[ -d "$dir" ]]; then rmdir -- "$dir"; fi
        init_cluster "$dir"
    fi

    local data attempt port
    data="$(data_dir "$dir")"
    for attempt in 1 2 3; do
        port="$(free_port)"
        write_local_conf "$data" "$port"
        # -w waits until the server accepts connections; the log stays in the data directory for post-mortems.
        if as_pg "$PG_BIN/pg_ctl" start -D "$data" -l "$data/server.log" -w -t 60 -s >&2; then
            connection_string "$port"
            return 0
        fi
        log "start attempt $attempt on port $port failed; last log lines:"
        tail -n 5 "$data/server.log" >&2 || true
    done
    die "PostgreSQL did not start; see $data/server.log"
}

cmd_stop() {
    local dir="$1" purge="$2"
    if [[ -e "$dir" ]]; then
        local data pid
        data="$(data_dir "$dir")"
        if is_running "$data"; then
            pid="$(pid_of "$data")"
            PG_BIN="$(find_pg_bin)"
            if [[ -z "$PG_BIN" ]] || ! as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m fast -w -t 30 -s >&2; then
                # pg_ctl can fail (binaries removed, pid file unreadable); the PID is still ours to end.
                log "pg_ctl stop failed; sending SIGTERM to PID $pid"
                terminate_pid "$pid"
            fi
        else
            log "no server running in $dir"
        fi
        if [[ "$purge" == true ]]; then
            # A symlinked DIR (see data_dir) leaves its real directory under /tmp; remove both.
            if [[ -L "$dir" ]]; then rm -rf -- "$data"; fi
            rm -rf -- "$dir"
            log "removed $dir"
        fi
    else
        log "$dir does not exist; nothing to stop"
    fi
}

service_main "$@"
