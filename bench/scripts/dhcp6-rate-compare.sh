#!/usr/bin/env bash
# DHCPv6: vmaddr against Kea 2.2 kea-dhcp6 (memfile, single-threaded) under the same perfdhcp -6
# load, in one run, on one topology, rates climbed in alternation (like ../shared/bench/dhcp-rate/
# compare.sh does for DHCPv4). Run as root:
#   bench/scripts/dhcp6-rate-compare.sh [RATE ...]        # default 1000 2000 4000 6000 8000
# Topology: netns d6bench-srv (veth6-srv 2001:db8:1::1/64, the server) and d6bench-cli (veth6-cli,
# perfdhcp -6 -l veth6-cli: SOLICIT to ff02::1:2, full SOLICIT-ADVERTISE-REQUEST-REPLY exchanges,
# a new DUID per exchange). vmaddr runs with its embedded store: every REPLY leaves only after the
# binding is fsynced (group commit). Kea's memfile appends to its CSV without fsync, as in the v4 runs.
# A rate holds when both exchanges drop <= 0.1 % and REPLYs/s >= 97 % of the offered rate.
# Each line also gives the server's CPU per exchange (utime+stime of the process over the period
# divided by the REPLYs received; user and sys apart) and the UDPv6 datagrams each side's kernel
# dropped for a full receive buffer in the period (rcvbuf-drops srv/cli).
# Last line: "sustained: kea=K vmaddr=V ratio=V/K". env PERIOD (default 5), CLIENTS, WORKDIR,
# JVM_EXTRA (more JVM options for vmaddr, e.g. -XX:StartFlightRecording=filename=/tmp/v6.jfr),
# WARMUP (vmaddr's unmeasured warm-up, "SECONDS@RATE", default 8@1000: without the AOT cache the C2
# compiler is still busy after it on 2 loaded cores, and its CPU counts in the measured period),
# AOT (1, the default: vmaddr runs as shipped, ./vmaddr serve with serve.options and the AOT cache
# the build trained, DHCPv6 included; 0: plain java -jar with the same heap and GC options, cold JIT).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PERIOD=${PERIOD:-5}
CLIENTS=${CLIENTS:-10000000}
WORKDIR=${WORKDIR:-/tmp/dhcp6-bench}
WARMUP=${WARMUP:-8@1000}
AOT=${AOT:-1}
SRV=d6bench-srv CLI=d6bench-cli
[ $# -gt 0 ] || set -- 1000 2000 4000 6000 8000
command -v kea-dhcp6 >/dev/null && command -v perfdhcp >/dev/null ||
    { echo "needs kea-dhcp6 and perfdhcp: apt-get install kea-dhcp6-server kea-admin" >&2; exit 2; }
source "$root/scripts/java-env.sh"
(cd "$root" && ./mvnw -q -B -o -pl vmaddr-app -am package -DskipTests)
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)
jvm=(-Xms1g -Xmx2g -Xmn96m -XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:MaxTenuringThreshold=1)
rm -rf "$WORKDIR"; mkdir -p "$WORKDIR/raw"
SPID=
cleanup() { [ -n "$SPID" ] && stop_server; ip netns del "$SRV" 2>/dev/null || true; ip netns del "$CLI" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
for ns in "$SRV" "$CLI"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add veth6-srv netns "$SRV" type veth peer name veth6-cli netns "$CLI"
ip -n "$SRV" addr add 2001:db8:1::1/64 dev veth6-srv nodad
ip -n "$CLI" addr add 2001:db8:1::2/64 dev veth6-cli nodad
ip -n "$SRV" link set veth6-srv up; ip -n "$CLI" link set veth6-cli up
for i in $(seq 1 100); do   # link-local addresses out of DAD on both ends
    ip -n "$SRV" -6 addr show dev veth6-srv scope link | grep -q tentative ||
        ip -n "$CLI" -6 addr show dev veth6-cli scope link | grep -q tentative || break
    sleep 0.1
done
cat > "$WORKDIR/kea-dhcp6.json" <<JSON
{ "Dhcp6": {
    "data-directory": "$WORKDIR",
    "server-id": { "type": "LL", "persist": false },
    "interfaces-config": { "interfaces": [ "veth6-srv" ] },
    "lease-database": { "type": "memfile", "persist": true, "name": "$WORKDIR/kea-leases6.csv", "lfc-interval": 0 },
    "preferred-lifetime": 3600, "valid-lifetime": 7200, "renew-timer": 1800, "rebind-timer": 3000,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "veth6-srv",
                   "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::ff:ffff" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "$WORKDIR/kea-dhcp6.log" } ], "severity": "WARN" } ] } }
JSON
ip netns exec "$SRV" kea-dhcp6 -t "$WORKDIR/kea-dhcp6.json" > "$WORKDIR/kea-check.txt" 2>&1 || { cat "$WORKDIR/kea-check.txt"; exit 2; }

cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat" 2>/dev/null || echo 0 0; }   # utime stime
rcvbuf_errors() { ip netns exec "$1" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6; }
listening() { ip netns exec "$SRV" ss -Hlun "sport = :547" | grep -q .; }
stop_server() {
    kill -TERM "$SPID" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=
    for i in $(seq 1 50); do listening || return 0; sleep 0.1; done
}
start_server() {   # $1 = kea | vmaddr
    local state=$WORKDIR/state-$1
    rm -rf "$state" "$WORKDIR"/kea-leases6.csv*; mkdir -p "$state"
    if [ "$1" = kea ]; then
        KEA_PIDFILE_DIR=$WORKDIR KEA_LOCKFILE_DIR=$WORKDIR ip netns exec "$SRV" kea-dhcp6 -c "$WORKDIR/kea-dhcp6.json" \
            > "$state/stdout.log" 2>&1 &
    else
        cat > "$state/cfg.yaml" <<CFG
dataDir: $state/data
api: { listen: 127.0.0.1:18067 }
log: { level: warn }
dhcp: { interfaces: [veth6-srv], probe: { method: none }, authoritative: true }
networks:
  - { name: bench, cidr: 198.18.0.0/15, bridge: veth6-srv, leaseTime: 2h, ipv6Prefix: "2001:db8:1::/64",
      ipv6Mode: stateful, ipv6Pools: ["2001:db8:1::10-2001:db8:1::ff:ffff"] }
CFG
        if [ "$AOT" = 1 ]; then   # as shipped: ./vmaddr serve (serve.options, the build's AOT cache)
            ip netns exec "$SRV" env VMADDR_JAVA_OPTS="${JVM_EXTRA:-}" "$root/vmaddr" serve --config "$state/cfg.yaml" \
                > "$state/stdout.log" 2>&1 &
        else
            ip netns exec "$SRV" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "${jvm[@]}" ${JVM_EXTRA:-} -jar "$jar" serve \
                --config "$state/cfg.yaml" > "$state/stdout.log" 2>&1 &
        fi
    fi
    SPID=$!
    for i in $(seq 1 600); do listening && break; sleep 0.1; done
    listening || { tail -20 "$state/stdout.log" >&2; return 1; }
    sleep 3
}
run_perfdhcp() {   # RATE PERIOD LABEL -> summary line; 0 when the rate held
    local rate=$1 period=$2 label=$3 out="$WORKDIR/raw/perfdhcp6-$3-r$1-$(date +%H%M%S).txt" s0 s1 e0 e1
    s0=$(cpu_ticks "$SPID"); e0="$(rcvbuf_errors "$SRV") $(rcvbuf_errors "$CLI")"
    timeout --signal=INT $((period + 30)) ip netns exec "$CLI" perfdhcp -6 -l veth6-cli -r "$rate" -R "$CLIENTS" \
        -p "$period" -W 1000000 -g single > "$out" 2>&1 || true
    s1=$(cpu_ticks "$SPID"); e1="$(rcvbuf_errors "$SRV") $(rcvbuf_errors "$CLI")"
    awk -v rate="$rate" -v period="$period" -v label="$label" -v s0="$s0" -v s1="$s1" -v e0="$e0" -v e1="$e1" \
        -v tck="$(getconf CLK_TCK)" '
        /Statistics for: SOLICIT-ADVERTISE/ { sec = "SA" }
        /Statistics for: REQUEST-REPLY/     { sec = "RR" }
        /^sent packets:/ { sent[sec] = $3 } /^received packets:/ { rcvd[sec] = $3 } /^drops:/ { drops[sec] = $2 }
        END { split(s0, a, " "); split(s1, b, " "); split(e0, x, " "); split(e1, y, " ")
              user = b[1] - a[1]; sys = b[2] - a[2]; cpu = user + sys; rps = rcvd["RR"] / period
              us = 1e6 / tck / (rcvd["RR"] > 0 ? rcvd["RR"] : 1)
              printf "%-7s offered=%s/s SOLICIT sent=%d ADVERTISE rcvd=%d drops=%d | REQUEST sent=%d REPLY rcvd=%d drops=%d | replies/s=%.0f | server CPU %% of one core=%.0f | CPU us/exchange=%.0f (user %.0f sys %.0f) | rcvbuf-drops srv=%d cli=%d\n",
                  label, rate, sent["SA"], rcvd["SA"], drops["SA"], sent["RR"], rcvd["RR"], drops["RR"], rps, 100 * cpu / tck / period,
                  cpu * us, user * us, sys * us, y[1] - x[1], y[2] - x[2]
              ok = sent["SA"] > 0 && sent["RR"] > 0 && drops["SA"] <= 0.001 * sent["SA"] && drops["RR"] <= 0.001 * sent["RR"] && rps >= 0.97 * rate
              exit ok ? 0 : 1 }' "$out"
}
measure() {   # $1 = kea | vmaddr, $2 = rate
    start_server "$1" || return 2
    [ "$1" = vmaddr ] && run_perfdhcp "${WARMUP#*@}" "${WARMUP%@*}" warmup > /dev/null   # JIT warm-up, not measured
    local rc=0; run_perfdhcp "$2" "$PERIOD" "$1" || rc=$?
    stop_server; return $rc
}
declare -A best=([kea]=0 [vmaddr]=0) stopped=()
echo "# load before: $(uptime)"
for RATE in "$@"; do
    for s in kea vmaddr; do
        [ -n "${stopped[$s]:-}" ] && continue
        if measure "$s" "$RATE" || measure "$s" "$RATE"; then best[$s]=$RATE; else stopped[$s]=1; fi
    done
    [ -n "${stopped[kea]:-}" ] && [ -n "${stopped[vmaddr]:-}" ] && break
done
echo "# load after: $(uptime)"
awk -v k="${best[kea]}" -v o="${best[vmaddr]}" 'BEGIN {
    printf "sustained: kea=%d vmaddr=%d ratio=%s\n", k, o, (k > 0 ? sprintf("%.2f", o / k) : "n/a") }'
