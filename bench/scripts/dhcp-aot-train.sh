#!/usr/bin/env bash
# Trains a JDK 25 AOT cache (JEP 483/514/515: classes loaded and linked, and the JIT's method
# profiles) for `vmaddr serve` as a DHCP server, with perfdhcp traffic in the shared harness's
# namespaces. Run as root:
#   bench/scripts/dhcp-aot-train.sh OUTPUT.aot [JVM FLAGS...]
# Use the cache with the same jar, JDK and JVM flags: java -XX:AOTCache=OUTPUT.aot ... serve.
#
# Why: the JIT compiles what it has seen. A server warmed by new clients only has its store lookups
# compiled without the "found" branch; the first returning client then deoptimizes the whole request
# path, and the recompilation costs about a second of CPU while traffic is at its peak (measured: the
# C2 thread took a third of the server's CPU in the first seconds of a 12,000/s run, and perfdhcp,
# starved, dropped replies). The training traffic is the mix a real server sees: new clients, the
# same clients returning, and two short bursts at high rates, whose batches are the largest.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUTPUT.aot [JVM FLAGS...]" >&2; exit 2; }
out=$(realpath -m "$1"); shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harness=${HARNESS:-$root/../shared/bench/dhcp-rate}
source "$root/scripts/java-env.sh"
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)
export TOPO=veth WORKDIR
WORKDIR=$(mktemp -d /tmp/vmaddr-aot-train.XXXXXX)
cd "$harness"
source ./lib.sh
SPID=
trap 'stop_pid "$SPID"; netns_down; rm -rf "$WORKDIR"' EXIT
netns_up
"$root/bench/scripts/dhcp-bench-config.sh" "$WORKDIR" "$SERVER_IFACE"
rm -f "$out"
ip netns exec "$SRV_NS" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "$@" \
    -XX:AOTCacheOutput="$out" -jar "$jar" serve --config "$WORKDIR/cfg.yaml" > "$WORKDIR/server.log" 2>&1 &
SPID=$!
wait_listen
sleep 2
# perfdhcp draws its clients from the same sequence every run, so the second run's clients return
# (perfdhcp exits non-zero when it counted drops; training does not care)
run_perfdhcp 3000 10 "$SPID" train-new $PERFDHCP_ARGS > /dev/null || true
run_perfdhcp 3000 10 "$SPID" train-returning $PERFDHCP_ARGS > /dev/null || true
run_perfdhcp 12000 3 "$SPID" train-burst $PERFDHCP_ARGS > /dev/null || true
run_perfdhcp 18000 3 "$SPID" train-peak $PERFDHCP_ARGS > /dev/null || true
# The JVM writes the cache as it exits (SIGTERM is a clean stop), which takes several seconds.
kill -TERM "$SPID"
for _ in $(seq 120); do kill -0 "$SPID" 2> /dev/null || break; sleep 1; done
wait "$SPID" 2> /dev/null || true
SPID=
[ -s "$out" ] || { echo "no AOT cache written; server log:" >&2; tail -20 "$WORKDIR/server.log" >&2; exit 1; }
echo "AOT cache: $out ($(du -h "$out" | cut -f1))"
