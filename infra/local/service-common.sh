# shellcheck shell=bash
# Shared by postgres.sh and azurite.sh (sourced, not run): the start/stop command line, free ports, stopping by PID.
# The sourcing script defines log, usage, cmd_start DIR and cmd_stop DIR PURGE before calling service_main "$@".

# Ask the kernel for a free port on the loopback address. Another process could take it before the service binds it;
# callers retry with a new port when that happens.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# SIGTERM, up to 10 s of grace, then SIGKILL: a throwaway test service must never outlive its run.
terminate_pid() {
    local pid="$1" _
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    log "PID $pid still alive after 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# service_main start DIR | stop DIR [--purge]
service_main() {
    [[ $# -ge 2 ]] || usage
    local cmd="$1" dir="$2" purge=false
    shift 2
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --purge) purge=true ;;
            *) usage ;;
        esac
        shift
    done
    # Absolute path: the service runs from elsewhere (pg_ctl and the postgres user from /), where a relative DIR
    # would point to another folder.
    [[ "$dir" == /* ]] || dir="$PWD/$dir"
    dir="${dir%/}"
    case "$cmd" in
        start) [[ "$purge" == false ]] || usage; cmd_start "$dir" ;;
        stop) cmd_stop "$dir" "$purge" ;;
        *) usage ;;
    esac
}
