# Sourced by the bench scripts that run `vmaddr serve` as users start it (./vmaddr: the launcher's
# JVM options and the build's AOT cache) on a throw-away data dir with the API on loopback.
# One way to do it, so every script measures the same product:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_init NAME            # root, JDK 25, $work (removed on exit unless KEEP=1), $port, $api
#   cat > "$work/vmaddr.yaml"  # the script's own config; use bench_api_yaml for the api: block
#   bench_serve                # starts ./vmaddr serve --config $work/vmaddr.yaml, waits for /readyz
#   bench_cpu_ticks            # the server's user+sys in clock ticks ($bench_hz per second)
# VMADDR_JAVA_OPTS reaches the server through ./vmaddr. The server is stopped by its PID.
set -euo pipefail
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
root=$bench_root
source "$bench_root/scripts/java-env.sh"
bench_hz=$(getconf CLK_TCK)
server_pid=

bench_cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}

bench_init() {   # $1: a name for the work directory
    work=$(mktemp -d "/tmp/vmaddr-$1.XXXXXX")
    port=$((20000 + RANDOM % 20000))
    api=http://127.0.0.1:$port
    trap bench_cleanup EXIT
    # builds the jar (and trains the AOT cache) now when the sources are newer, not inside a measurement
    "$bench_root/vmaddr" --version > /dev/null
}

bench_api_yaml() {   # the config lines every script shares: data dir, API on loopback, token file
    printf 'dataDir: %s/data\napi:\n  listen: 127.0.0.1:%s\n  tokenFile: %s/data/api-token\n' "$work" "$port" "$work"
}

bench_serve() {   # starts the server on $work/vmaddr.yaml, log in $work/server.log; exits 1 if not ready in 60 s
    "$bench_root/vmaddr" serve --config "$work/vmaddr.yaml" > "$work/server.log" 2>&1 &
    server_pid=$!   # ./vmaddr execs the JVM: this is the server's own PID
    local _
    for _ in $(seq 1 120); do
        curl -fsS "$api/readyz" > /dev/null 2>&1 && break
        sleep 0.5
    done
    curl -fsS "$api/readyz" > /dev/null || { echo "$0: server did not start" >&2; tail "$work/server.log" >&2; exit 1; }
    token=$(cat "$work/data/api-token")
}

bench_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
