#!/usr/bin/env bash
# vmaddr import of a dnsmasq lease file of N lines (default 1,000,000), end to end: the CLI reads
# and parses the file, sends it to a running `vmaddr serve` (embedded store, throw-away data dir,
# http on loopback), which checks every lease and writes them as one group-committed batch.
# Prints wall time and CPU seconds of the CLI and of the server, and the load (uptime).
# The network's CIDR (10.0.0.0/12, a million addresses) is data only: no interface, route or
# namespace is touched.
#   bench/scripts/import-rate.sh
#   N=200000 bench/scripts/import-rate.sh
#   WARM=1 bench/scripts/import-rate.sh   # then the same again into a second network: a server whose JIT has seen an import
set -euo pipefail
N=${N:-1000000}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init import-rate
{
    bench_api_yaml
    cat <<YAML
networks:
  - name: big
    cidr: 10.0.0.0/12
    gateway: 10.0.0.1
    pools: ["10.0.0.10-10.15.255.250"]
  - name: big2
    cidr: 10.16.0.0/12
    gateway: 10.16.0.1
    pools: ["10.16.0.10-10.31.255.250"]
YAML
} > "$work/vmaddr.yaml"
gen() { # $1: first octet-2 value (0 or 16)
awk -v n="$N" -v base="$1" -v until="$(( $(date +%s) + 86400 ))" 'BEGIN {
    for (i = 0; i < n; i++) {
        a = i + 256
        printf "%d 52:54:%02x:%02x:%02x:%02x 10.%d.%d.%d host%d *\n", until, int(i / 16777216) % 256, int(i / 65536) % 256,
            int(i / 256) % 256, i % 256, base + int(a / 65536), int(a / 256) % 256, a % 256, i
    }
}'
}
gen 0 > "$work/dnsmasq.leases"
echo "lease file: $(wc -l < "$work/dnsmasq.leases") lines, $(du -m "$work/dnsmasq.leases" | cut -f1) MB"
VMADDR_JAVA_OPTS="${SERVER_JAVA_OPTS:-}" bench_serve
cpu() { bench_cpu_ticks; }
tick=$bench_hz
before=$(cpu)
uptime
/usr/bin/time -f "cli: %e s wall, %U s user, %S s sys, %M KB max RSS" \
    "$root/vmaddr" import --from dnsmasq "$work/dnsmasq.leases" --network big --output json \
    --api "$api" --token-file "$work/data/api-token" > "$work/answer.json"
after=$(cpu)
echo "server: $(awk -v a="$after" -v b="$before" -v t="$tick" 'BEGIN { printf "%.2f", (a - b) / t }') s CPU during the import"
python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print('answer: imported', a['imported'], 'unchanged', a['unchanged'], 'conflicts', len(a['conflicts']))" "$work/answer.json"
grep -h -e "event=import.done" -e "event=import.request" "$work/server.log" | tail -2
uptime
if [ -n "${WARM:-}" ]; then
    gen 16 > "$work/dnsmasq2.leases"
    before=$(cpu)
    /usr/bin/time -f "cli (warm server): %e s wall, %U s user, %S s sys" \
        "$root/vmaddr" import --from dnsmasq "$work/dnsmasq2.leases" --network big2 --output json \
        --api "$api" --token-file "$work/data/api-token" > "$work/answer2.json"
    after=$(cpu)
    echo "server (warm): $(awk -v a="$after" -v b="$before" -v t="$tick" 'BEGIN { printf "%.2f", (a - b) / t }') s CPU during the import"
    grep -h -e "event=import.request" "$work/server.log" | tail -1
    uptime
fi
