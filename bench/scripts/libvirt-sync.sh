#!/usr/bin/env bash
# Cost of one libvirt sync pass with N domains: `vmaddr serve` on a throw-away data dir, libvirt's
# test driver with a node file of N shut-off domains (one bridge interface each), real virsh. The
# first pass creates N VMs (claims N MACs, reserves N addresses); then P passes that change nothing,
# the steady state of the background loop. Prints wall time per pass and the server's CPU (user+sys
# from /proc, the JVM's own threads; virsh children are counted separately from /proc/PID/stat cutime).
#   bench/scripts/libvirt-sync.sh            # N=50 domains, P=10 passes
#   N=200 P=5 bench/scripts/libvirt-sync.sh
set -euo pipefail
N=${N:-50}
P=${P:-10}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init libvirt-sync
{
    echo "<node>"
    for i in $(seq 1 "$N"); do
        printf "<domain type='test'><name>d%d</name><memory>8192</memory><os><type>hvm</type></os><devices>" "$i"
        printf "<interface type='bridge'><mac address='52:54:00:77:%02x:%02x'/><source bridge='br-bench'/></interface>" $((i / 256)) $((i % 256))
        echo "</devices></domain>"
    done
    echo "</node>"
} > "$work/node.xml"
uri="test://$work/node.xml"
{
    bench_api_yaml
    cat <<YAML
networks:
  - name: bench0
    cidr: 198.18.0.0/16
    gateway: 198.18.0.1
    bridge: br-bench
    pools: ["198.18.1.0-198.18.255.254"]
YAML
} > "$work/vmaddr.yaml"
bench_serve
cpu() { awk '{print $14 + $15, $16 + $17}' "/proc/$server_pid/stat"; }   # own, children (ticks)
hz=$bench_hz
pass() {
    curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data "{\"uri\":\"$uri\"}" "$api/api/v1/libvirt/sync"
}
read -r own0 kids0 < <(cpu)
t0=$(date +%s.%N)
first=$(pass)
t1=$(date +%s.%N)
read -r own1 kids1 < <(cpu)
echo "$first" | python3 -c 'import json,sys; r=json.load(sys.stdin); import collections; print("first pass:", collections.Counter(v["action"] for v in r["vms"]), "conflicts", len(r["conflicts"]), "errors", len(r["errors"]))'
awk -v n="$N" -v w="$(echo "$t1 - $t0" | bc)" -v o="$((own1 - own0))" -v k="$((kids1 - kids0))" -v hz="$hz" \
    'BEGIN { printf "first pass (creates %d VMs): %.2f s wall, server %.0f ms CPU, virsh %.0f ms CPU\n", n, w, o*1000/hz, k*1000/hz }'
read -r own0 kids0 < <(cpu)
t0=$(date +%s.%N)
for _ in $(seq 1 "$P"); do pass > "$work/last.json"; done
t1=$(date +%s.%N)
read -r own1 kids1 < <(cpu)
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert all(v["action"]=="unchanged" for v in r["vms"]), r' "$work/last.json"
awk -v n="$N" -v p="$P" -v w="$(echo "$t1 - $t0" | bc)" -v o="$((own1 - own0))" -v k="$((kids1 - kids0))" -v hz="$hz" \
    'BEGIN { printf "steady pass (%d domains, nothing changes), mean of %d: %.0f ms wall, server %.1f ms CPU, virsh %.0f ms CPU (%.1f ms per domain)\n", n, p, w*1000/p, o*1000/hz/p, k*1000/hz/p, (w*1000/p)/n }'
echo "load: $(uptime)"
