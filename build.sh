#!/usr/bin/env bash
# The two set-up commands of this repository:
#
#   ./build.sh build            dotnet build HealthDataSpace.sln -c Release
#   ./build.sh test [ARGS...]   throwaway PostgreSQL + dotnet test; ARGS go to dotnet test (e.g. --filter Name~Fhir)
#
# `test` prints as its last line "N passed, N failed" (", N skipped" when tests were skipped) and exits non-zero when
# a test failed, the build failed, or no test ran at all: a green run that tested nothing must not look green.
set -euo pipefail

# Work from the repository root whatever the caller's directory (CI, an IDE, a path with spaces).
ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
readonly ROOT
readonly SOLUTION="HealthDataSpace.sln"
readonly TMP_DIR="$ROOT/.tmp"              # git-ignored (/.tmp/ in .gitignore)
readonly PG_DIR="$TMP_DIR/pg"
readonly AZURITE_DIR="$TMP_DIR/azurite"
readonly RESULTS_DIR="$TMP_DIR/test-results"

# Quiet, non-interactive dotnet: no banner, no telemetry prompt, the same on a developer machine and in CI.
export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild worker nodes left behind after the run: CI runners may wait on them.
export MSBUILDDISABLENODEREUSE=1

log() { printf 'build.sh: %s\n' "$*" >&2; }

usage() {
    cat >&2 <<'EOF'
usage: ./build.sh build
       ./build.sh test [dotnet test arguments, e.g. --filter "FullyQualifiedName~Fhir"]
EOF
    exit 2
}

require_dotnet() {
    if ! command -v dotnet >/dev/null 2>&1; then
        cat >&2 <<'EOF'
build.sh: error: the .NET SDK is not installed (no `dotnet` on PATH).
  This repository needs the .NET 10 SDK (see global.json). Install it, then run this command again:
    Debian/Ubuntu: https://learn.microsoft.com/dotnet/core/install/linux  (package dotnet-sdk-10.0)
    or:            dotnet-install.sh --channel 10.0   (https://learn.microsoft.com/dotnet/core/tools/dotnet-install-script)
EOF
        exit 1
    fi
}

cmd_build() {
    require_dotnet
    cd -- "$ROOT"
    dotnet build "$SOLUTION" -c Release "$@"
}

PG_STARTED=false
stop_postgres() {
    if [[ "$PG_STARTED" == true ]]; then
        PG_STARTED=false
        bash "$ROOT/infra/local/postgres.sh" stop "$PG_DIR" || log "warning: could not stop PostgreSQL in $PG_DIR"
    fi
}

AZURITE_STARTED=false
stop_azurite() {
    if [[ "$AZURITE_STARTED" == true ]]; then
        AZURITE_STARTED=false
        bash "$ROOT/infra/local/azurite.sh" stop "$AZURITE_DIR" || log "warning: could not stop Azurite in $AZURITE_DIR"
    fi
}

# Azurite (the blob emulator the AzureBlob dataset tests use) is an npm package; a fresh Debian machine may lack
# Node.js, so install it from Debian packages like PostgreSQL.
ensure_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "Node.js/npm not found; installing nodejs and npm from Debian packages"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update >&2
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends nodejs npm >&2
    fi
    command -v node >/dev/null 2>&1 || { log "error: Node.js is required for Azurite (apt-get install nodejs npm)"; return 1; }
}

# Sums <Counters .../> over every TRX file and prints "passed failed skipped total" (one line, numbers only).
# Failed counts error, timeout and aborted too, so no bad outcome hides as merely "not passed".
sum_trx() {
    python3 - "$RESULTS_DIR" <<'EOF'
import pathlib, sys, xml.etree.ElementTree as ET

passed = failed = skipped = total = 0
for trx in sorted(pathlib.Path(sys.argv[1]).rglob("*.trx")):
    for el in ET.parse(trx).getroot().iter():
        if el.tag.rsplit("}", 1)[-1] != "Counters":
            continue
        n = lambda name: int(el.get(name, "0"))
        t, p = n("total"), n("passed")
        f = n("failed") + n("error") + n("timeout") + n("aborted")
        total += t
        passed += p
        failed += f
        # xunit's skipped tests count in total but in no outcome counter (notExecuted stays 0), so derive them.
        skipped += max(0, t - p - f)
print(passed, failed, skipped, total)
EOF
}

# Installs a Debian package when its command is missing (root and apt-get needed; a minimal image may lack both).
install_if_missing() {
    local command="$1" package="$2"
    command -v "$command" >/dev/null 2>&1 && return 0
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "$command not found; installing $package from Debian packages"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update >&2
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$package" >&2
    fi
    command -v "$command" >/dev/null 2>&1
}

# python3 reads the TRX results and picks free ports.
ensure_python3() {
    install_if_missing python3 python3-minimal || { log "error: python3 is required (apt-get install python3-minimal)"; return 1; }
}

# The MQTT tests publish with mosquitto_pub (Debian package mosquitto-clients). Without it those tests fail with a
# message saying what to install: they are never skipped.
ensure_mosquitto_clients() {
    install_if_missing mosquitto_pub mosquitto-clients \
        || log "warning: mosquitto_pub is missing (apt-get install mosquitto-clients); the MQTT tests that use it will fail"
}

# A run that fails before any test (no SDK, PostgreSQL would not start) still ends with the closing line CI reads.
SUMMARY_PRINTED=false
on_test_exit() {
    local rc=$?
    stop_postgres
    stop_azurite
    dotnet build-server shutdown >/dev/null 2>&1 || true
    if [[ "$SUMMARY_PRINTED" == false ]]; then
        log "FAILED before the tests could run (exit $rc; see above)"
        printf '0 passed, 1 failed\n'
        (( rc != 0 )) || rc=1
    fi
    exit "$rc"
}

cmd_test() {
    trap on_test_exit EXIT
    require_dotnet
    ensure_python3
    ensure_mosquitto_clients
    cd -- "$ROOT"

    # Stop PostgreSQL however this ends: success, failure, Ctrl-C or a kill. INT/TERM exit explicitly so the EXIT trap
    # runs once, after dotnet has been interrupted too.
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # Every run starts from an empty cluster (a crashed earlier run may even have left its server up). The cluster
    # stays on disk after the run so its server.log can be read when a test fails.
    bash "$ROOT/infra/local/postgres.sh" stop "$PG_DIR" --purge 2>/dev/null
    local conn
    conn="$(bash "$ROOT/infra/local/postgres.sh" start "$PG_DIR")"
    PG_STARTED=true
    export HDS_TEST_POSTGRES="$conn"
    log "PostgreSQL for tests: $conn (data in $PG_DIR)"

    ensure_node
    bash "$ROOT/infra/local/azurite.sh" stop "$AZURITE_DIR" 2>/dev/null || true
    local blob
    blob="$(bash "$ROOT/infra/local/azurite.sh" start "$AZURITE_DIR")"
    AZURITE_STARTED=true
    export HDS_TEST_AZURITE="$blob"
    log "Azurite for tests: blob endpoint on 127.0.0.1 (data in $AZURITE_DIR)"

    # Fresh results every run, so old TRX files are never counted.
    rm -rf -- "$RESULTS_DIR"
    mkdir -p -- "$RESULTS_DIR"

    # One TRX per test project: LogFilePrefix makes the names unique (a fixed LogFileName would let the projects
    # overwrite each other's file). Minimal verbosity still prints every failure with its message and stack trace.
    local rc=0
    dotnet test "$SOLUTION" -c Release --verbosity minimal \
        --results-directory "$RESULTS_DIR" \
        --logger "trx;LogFilePrefix=hds" \
        "$@" || rc=$?

    local counts passed failed skipped total
    counts="$(sum_trx)"
    read -r passed failed skipped total <<<"$counts"

    local status=0
    if (( failed > 0 )); then
        log "FAILED: $failed test(s) failed (details above; TRX files in $RESULTS_DIR)"
        status=1
    elif (( rc != 0 )); then
        log "FAILED: dotnet test exited with $rc without a failing test: the build or the test host failed (see above)"
        status=1
    elif (( total == 0 )); then
        log "FAILED: no test ran. The solution has no tests yet, or the filter matched none."
        status=1
    fi

    stop_postgres
    stop_azurite
    local summary="$passed passed, $failed failed"
    if (( skipped > 0 )); then summary+=", $skipped skipped"; fi
    printf '%s\n' "$summary"
    SUMMARY_PRINTED=true
    return "$status"
}

main() {
    [[ $# -ge 1 ]] || usage
    local cmd="$1"
    shift
    case "$cmd" in
        build) cmd_build "$@" ;;
        test) cmd_test "$@" ;;
        -h | --help | help) usage ;;
        *) usage ;;
    esac
}

main "$@"
