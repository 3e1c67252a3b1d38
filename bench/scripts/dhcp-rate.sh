#!/usr/bin/env bash
# vmaddr against Kea 2.2 (memfile, single-threaded) under the same perfdhcp load, in one run, with
# the shared harness ../shared/bench/dhcp-rate/compare.sh. Run as root:
#   bench/scripts/dhcp-rate.sh [RATE ...]          # default rates: the harness's
# Prints the harness's lines; the last one is "sustained: kea=K other=O ratio=R".
# The server runs with its embedded store: every ACK leaves only after its lease is fsynced.
# Conflict probes are off here: perfdhcp's simulated clients cannot answer a ping, so every first
# offer would wait the probe timeout; the probe path is covered by the integration tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harness=${HARNESS:-$root/../shared/bench/dhcp-rate}
source "$root/scripts/java-env.sh"
(cd "$root" && ./mvnw -q -B -o -pl vmaddr-app -am package -DskipTests)
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)
export VMADDR_JAR=$jar VMADDR_JAVA=$JAVA_HOME/bin/java
export SERVER_SETUP='cat > "$BENCH_STATE/cfg.yaml" <<CFG
dataDir: $BENCH_STATE/data
api: { listen: 127.0.0.1:18067 }
log: { level: warn }
dhcp:
  interfaces: [$BENCH_IFACE]
  probe: { method: none }
  authoritative: true
networks:
  - name: bench
    cidr: 198.18.0.0/15
    gateway: 198.18.0.1
    leaseTime: 2h
    pools: ["198.18.0.10-198.19.255.250"]
CFG'
# JVM: perfdhcp busy-polls more than one core of the two from ~10,000/s, and what it cannot read in
# time it drops (its socket's RcvbufErrors). So the server's garbage collector gets one thread, a
# small young generation, and promotes what survives one collection (leases live for hours; copying
# them between survivor spaces up to 15 times made young pauses 10-35 ms): short pauses on one core,
# after which the queued replies do not leave in a burst perfdhcp cannot absorb.
export SERVER_CMD='exec "$VMADDR_JAVA" --enable-native-access=ALL-UNNAMED -Xms1g -Xmx2g -Xmn96m -XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:MaxTenuringThreshold=1 -jar "$VMADDR_JAR" serve --config "$BENCH_STATE/cfg.yaml"'
export START_WAIT=${START_WAIT:-3}
# The JIT needs ~10 s of traffic before its code is compiled; the harness's default warm-up is 2 s.
export WARMUP_PERIOD=${WARMUP_PERIOD:-10}
exec "$harness/compare.sh" "$@"
