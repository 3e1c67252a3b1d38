#!/usr/bin/env bash
# vmaddr against Kea 2.2 (memfile, single-threaded) under the same perfdhcp load, in one run, with
# the shared harness ../shared/bench/dhcp-rate/compare.sh. Run as root:
#   bench/scripts/dhcp-rate.sh [RATE ...]          # default rates: the harness's
# Prints the harness's lines; the last one is "sustained: kea=K other=O ratio=R".
# The server runs with its embedded store: every ACK leaves only after its lease is fsynced.
# Conflict probes are off (see dhcp-bench-config.sh). AOT=0 skips the AOT cache training below.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harness=${HARNESS:-$root/../shared/bench/dhcp-rate}
source "$root/scripts/java-env.sh"
(cd "$root" && ./mvnw -q -B -o -pl vmaddr-app -am package -DskipTests)
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)
export VMADDR_JAR=$jar VMADDR_JAVA=$JAVA_HOME/bin/java
export VMADDR_BENCH_CONFIG=$root/bench/scripts/dhcp-bench-config.sh
export SERVER_SETUP='"$VMADDR_BENCH_CONFIG" "$BENCH_STATE" "$BENCH_IFACE"'
# JVM: perfdhcp busy-polls more than one core of the two from ~10,000/s, and what it cannot read in
# time it drops (its socket's RcvbufErrors). So the server's garbage collector gets one thread, a
# small young generation, and promotes what survives one collection (leases live for hours; copying
# them between survivor spaces up to 15 times made young pauses 10-35 ms): short pauses on one core,
# after which the queued replies do not leave in a burst perfdhcp cannot absorb.
jvm=(-Xms1g -Xmx2g -Xmn96m -XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:MaxTenuringThreshold=1)
# AOT=1 (default): first train a JDK AOT cache on DHCP traffic (dhcp-aot-train.sh says why; ~45 s),
# and start every measured server with it. AOT=0: the JIT starts cold, as in earlier runs.
export VMADDR_AOT=
if [ "${AOT:-1}" = 1 ]; then
    aotdir=$(mktemp -d /tmp/vmaddr-aot.XXXXXX)
    trap 'rm -rf "$aotdir"' EXIT
    "$root/bench/scripts/dhcp-aot-train.sh" "$aotdir/vmaddr.aot" "${jvm[@]}"
    VMADDR_AOT=-XX:AOTCache=$aotdir/vmaddr.aot
fi
export VMADDR_JVM="${jvm[*]}"
export SERVER_CMD='exec "$VMADDR_JAVA" --enable-native-access=ALL-UNNAMED $VMADDR_JVM $VMADDR_AOT -jar "$VMADDR_JAR" serve --config "$BENCH_STATE/cfg.yaml"'
export START_WAIT=${START_WAIT:-3}
# The JIT needs ~10 s of traffic before its code is compiled; the harness's default warm-up is 2 s.
export WARMUP_PERIOD=${WARMUP_PERIOD:-10}
"$harness/compare.sh" "$@"
