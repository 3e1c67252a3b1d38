#!/usr/bin/env bash
# The API bar (PRODUCT.md): 10,000 allocations over 64 connections, 0 duplicates, p99 < 20 ms.
#   bench/scripts/api-load.sh [RUNS] [UNREPORTED_RUNS]      # defaults: 3 and 3
# VMADDR_JAVA_OPTS: extra JVM flags for the server, as for ./vmaddr.
# CLIENT=wrk (default) | java: the load generator.
# Builds, starts `vmaddr serve` as shipped (./vmaddr: its JVM options and AOT cache, log level info,
# embedded store in a throw-away directory, API on a random loopback port), runs the load UNREPORTED_RUNS times without
# printing (the server's JIT compiles its hot code then, as in a server that has been up a while),
# then RUNS times, each printing p50/p90/p99/max, throughput and duplicates, then stops the server.
# Every run is 5,000 unmeasured allocations then the 10,000 measured ones, in a network of its own
# that is deleted afterwards.
# The client shares the two cores with the server, so its CPU per request is the server's latency
# (bench/README.md). wrk (C, epoll, one thread for the 64 connections; bench/scripts/api-alloc.lua
# makes a new MAC per request and checks every answer) costs a fraction of the JVM client's
# ~115 us per request. CLIENT=java runs ApiAllocationLoad (JDK HttpURLConnection on virtual threads,
# C1 only) as a cross-check from a second, independent client.
set -euo pipefail
[ "${CLIENT:-wrk}" != wrk ] || command -v wrk > /dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
runs=${1:-3}
unreported=${2:-3}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "${CLIENT:-wrk}" != java ] || (cd "$root" && ./mvnw -q -B -o package -DskipTests)   # the bench module's jar
bench_init api-load
bench_api_yaml > "$work/vmaddr.yaml"
bench_serve
load_wrk() {
    local net=wrk$RANDOM
    curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"name\":\"$net\",\"cidr\":\"198.18.0.0/18\",\"pools\":[\"198.18.0.10-198.18.63.250\"]}" \
        "$api/api/v1/networks" > /dev/null
    wrk -t1 -c64 -d120s -s "$root/bench/scripts/api-alloc.lua" "$api" -- "$net" "$token" 5000 02:01 > /dev/null
    echo "network=$net cidr=198.18.0.0/18 connections=64 $(wrk -t1 -c64 -d120s -s "$root/bench/scripts/api-alloc.lua" "$api" -- "$net" "$token" 10000 02:02 | tail -1)"
    curl -sf -X DELETE -H "Authorization: Bearer $token" "$api/api/v1/networks/$net" > /dev/null
}
load_java() {
    "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -cp "$root/bench/target/benchmarks.jar" dev.vmaddr.bench.ApiAllocationLoad \
        --api "$api" --token-file "$work/data/api-token" --requests 10000 --connections 64 --warmup 5000
}
load() {   # prints one line; runs in a subshell ($(load)), so nothing it sets survives
    case "${CLIENT:-wrk}" in
        wrk) load_wrk ;;
        java) load_java ;;
        *) echo "CLIENT must be wrk or java" >&2; exit 2 ;;
    esac
}
for _ in $(seq "$unreported"); do
    load > /dev/null
done
for i in $(seq "$runs"); do
    echo "run $i: $(load | grep -v '^warmup' | tr '\n' ' ')"
done
