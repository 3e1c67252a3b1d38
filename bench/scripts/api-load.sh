#!/usr/bin/env bash
# The API bar (PRODUCT.md): 10,000 allocations over 64 connections, 0 duplicates, p99 < 20 ms.
#   bench/scripts/api-load.sh [RUNS] [UNREPORTED_RUNS]      # defaults: 3 and 3
# VMADDR_JAVA_OPTS: extra JVM flags for the server, as for ./vmaddr.
# Builds, starts `vmaddr serve` as shipped (default JVM flags, log level info, embedded store in a
# throw-away directory, API on 127.0.0.1:18068), runs ApiAllocationLoad UNREPORTED_RUNS times
# without printing (the server's JIT compiles its hot code then, as in a server that has been up a
# while), then RUNS times, each printing p50/p90/p99/max, throughput and duplicates, then stops the
# server. Every run is 5,000 unmeasured allocations then the 10,000 measured ones, in a network of
# its own that is deleted afterwards. The load tool runs with C1 only (-XX:TieredStopAtLevel=1): it
# shares the two cores with the server, and C2 compiling the short-lived client cost more CPU than
# it saved.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-3}
unreported=${2:-3}
source "$root/scripts/java-env.sh"
(cd "$root" && ./mvnw -q -B -o package -DskipTests)
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)
state=$(mktemp -d /tmp/vmaddr-api-load.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$state"
}
trap cleanup EXIT
printf 'dataDir: %s/data\napi:\n  listen: 127.0.0.1:18068\n' "$state" > "$state/vmaddr.yaml"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    ${VMADDR_JAVA_OPTS:-} -jar "$jar" serve --config "$state/vmaddr.yaml" 2> "$state/serve.log" &
server=$!
for _ in $(seq 150); do
    curl -sf http://127.0.0.1:18068/readyz > /dev/null && break
    sleep 0.2
done
load() {
    "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -cp "$root/bench/target/benchmarks.jar" dev.vmaddr.bench.ApiAllocationLoad \
        --api http://127.0.0.1:18068 --token-file "$state/data/api-token" --requests 10000 --connections 64 --warmup 5000
}
for _ in $(seq "$unreported"); do
    load > /dev/null
done
for i in $(seq "$runs"); do
    echo "run $i: $(load | grep -v '^warmup' | tr '\n' ' ')"
done
