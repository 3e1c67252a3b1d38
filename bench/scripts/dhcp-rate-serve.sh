#!/usr/bin/env bash
# vmaddr as users start it (`./vmaddr serve`: the launcher's own JVM defaults and the AOT cache the
# build made) against Kea 2.2 memfile under the same perfdhcp load, in one run of the shared harness
# ../shared/bench/dhcp-rate/compare.sh, with the harness's own warm-up (2 s at 3,000/s). Run as root:
#   bench/scripts/dhcp-rate-serve.sh [RATE ...]     # default rates: the harness's
# The config has only what the harness's Kea has besides the network: log.level warn, probes off
# (dhcp-bench-config.sh). Last line: "sustained: kea=K other=O ratio=R".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harness=${HARNESS:-$root/../shared/bench/dhcp-rate}
source "$root/scripts/java-env.sh"
# Build (and train the AOT cache) before the run when the sources are newer than the jar, not inside
# the first measured start (the launcher's own check; `./mvnw package` would train again every time).
"$root/vmaddr" --version > /dev/null
export VMADDR_ROOT=$root VMADDR_BENCH_CONFIG=$root/bench/scripts/dhcp-bench-config.sh
export SERVER_SETUP='"$VMADDR_BENCH_CONFIG" "$BENCH_STATE" "$BENCH_IFACE"'
export SERVER_CMD='exec "$VMADDR_ROOT/vmaddr" serve --config "$BENCH_STATE/cfg.yaml"'
"$harness/compare.sh" "$@"
