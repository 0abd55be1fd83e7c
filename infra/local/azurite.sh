#!/usr/bin/env bash
# Throwaway Azurite (Azure Blob Storage emulator) for tests and local runs.
#
#   infra/local/azurite.sh start DIR           prints one Azure Storage connection string on stdout
#   infra/local/azurite.sh stop DIR [--purge]  stops it; --purge also deletes DIR
#
# DIR holds the npm install (DIR/node_modules), the blob data (DIR/data), the log, DIR/azurite.pid and DIR/azurite.port.
# Only the blob service runs: the gateway uses no queues or tables. It listens on 127.0.0.1 only. Everything except
# the connection string goes to stderr so callers can capture stdout as-is.
set -euo pipefail

# shellcheck source=service-common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/service-common.sh"

# Azurite 3.36+ declares node >= 21; Debian 12 machines here have Node.js 20, so pin the last release that supports it.
# Override with AZURITE_VERSION=... where a newer Node.js is installed.
readonly AZURITE_VERSION="${AZURITE_VERSION:-3.35.0}"
# The well-known development account key that every Azurite and Azure SDK documents; it protects nothing.
readonly ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

log() { printf 'azurite.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: azurite.sh start DIR
       azurite.sh stop DIR [--purge]
EOF
    exit 2
}

connection_string() {
    printf 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=%s;BlobEndpoint=http://127.0.0.1:%s/devstoreaccount1;\n' \
        "$ACCOUNT_KEY" "$1"
}


port_open() {
    python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)' "$1"
}

# A PID file can outlive its process and the PID be reused; only a live node process running Azurite counts.
running_pid() {
    local dir="$1" pid
    [[ -f "$dir/azurite.pid" ]] || return 1
    pid="$(<"$dir/azurite.pid")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'azurite' || return 1
    printf '%s' "$pid"
}

ensure_installed() {
    local dir="$1"
    command -v node >/dev/null 2>&1 || die "node is not installed (apt-get install -y nodejs npm)"
    [[ -f "$dir/node_modules/azurite/dist/src/blob/main.js" ]] && return 0
    command -v npm >/dev/null 2>&1 || die "npm is not installed (apt-get install -y npm)"
    log "installing azurite@$AZURITE_VERSION into $dir/node_modules"
    # npm's progress and notices go to stderr too; stdout is reserved for the connection string.
    npm install --prefix "$dir" "azurite@$AZURITE_VERSION" --no-audit --no-fund --loglevel=error >&2
    [[ -f "$dir/node_modules/azurite/dist/src/blob/main.js" ]] || die "npm install finished but azurite's blob main.js is missing"
}

cmd_start() {
    local dir="$1" pid
    if pid="$(running_pid "$dir")" && [[ -f "$dir/azurite.port" ]]; then
        # Idempotent: a second start reports the instance that is already there.
        connection_string "$(<"$dir/azurite.port")"
        return 0
    fi
    mkdir -p -- "$dir/data"
    ensure_installed "$dir"

    local attempt port _
    for attempt in 1 2 3; do
        port="$(free_port)"
        # setsid detaches Azurite from the caller's process group, so it outlives this script and a Ctrl-C in the
        # caller's terminal does not kill it behind `stop`'s back.
        setsid node "$dir/node_modules/azurite/dist/src/blob/main.js" \
            --blobHost 127.0.0.1 --blobPort "$port" \
            --location "$dir/data" --skipApiVersionCheck --silent \
            </dev/null >>"$dir/azurite.log" 2>&1 &
        pid=$!
        printf '%s\n' "$pid" >"$dir/azurite.pid"
        printf '%s\n' "$port" >"$dir/azurite.port"
        # Wait up to 30 s for the port; give up early if the process died (port taken, bad install).
        for _ in $(seq 1 150); do
            if port_open "$port"; then
                connection_string "$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        log "start attempt $attempt on port $port failed; last log lines:"
        tail -n 5 "$dir/azurite.log" >&2 || true
        kill -KILL "$pid" 2>/dev/null || true
        rm -f -- "$dir/azurite.pid" "$dir/azurite.port"
    done
    die "Azurite did not start; see $dir/azurite.log"
}

cmd_stop() {
    local dir="$1" purge="$2" pid _
    if pid="$(running_pid "$dir")"; then
        terminate_pid "$pid"
        log "stopped Azurite (PID $pid)"
    else
        log "no Azurite running for $dir"
    fi
    rm -f -- "$dir/azurite.pid" "$dir/azurite.port"
    if [[ "$purge" == true ]]; then
        rm -rf -- "$dir"
        log "removed $dir"
    fi
}

service_main "$@"
