#!/usr/bin/env bash
# CNI IPAM ADD+DEL pairs per second and ADD latency: vmaddr's plugin (through `vmaddr serve` on a
# throw-away data dir, http on loopback) and Debian's host-local, one after the other in one run.
# Each plugin is exec'd as the main plugin would exec it (config on stdin, CNI_* environment), one
# call at a time, as a runtime does for one pod; no namespace is touched (IPAM only).
#   bench/scripts/cni-rate.sh            # N=300 pairs per plugin, after 20 unreported
#   N=1000 bench/scripts/cni-rate.sh
set -euo pipefail
N=${N:-300}
WARMUP=${WARMUP:-20}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
hostlocal=/usr/lib/cni/host-local
[ -x "$hostlocal" ] || { echo "cni-rate: $hostlocal missing (apt-get install containernetworking-plugins)" >&2; exit 1; }
bench_init cni-rate
{
    bench_api_yaml
    cat <<YAML
networks:
  - name: bench0
    cidr: 198.18.0.0/16
    gateway: 198.18.0.1
    pools: ["198.18.1.0-198.18.255.254"]
YAML
} > "$work/vmaddr.yaml"
"$root/vmaddr" cni install --dir "$work/bin" >/dev/null
bench_serve

python3 - "$work" "$port" "$N" "$WARMUP" "$hostlocal" <<'PY'
import json, os, subprocess, sys, time
work, port, n, warmup, hostlocal = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
plugins = {
    "host-local": (hostlocal, {"type": "host-local", "ranges": [[{"subnet": "198.18.0.0/16", "gateway": "198.18.0.1"}]],
                               "dataDir": work + "/host-local"}),
    "vmaddr": (work + "/bin/vmaddr", {"type": "vmaddr", "network": "bench0", "server": "http://127.0.0.1:" + port,
                                      "tokenFile": work + "/data/api-token"}),
}
def call(binary, ipam, command, cid):
    conf = json.dumps({"cniVersion": "1.0.0", "name": "bench0", "type": "macvlan", "ipam": ipam}).encode()
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_NETNS": "/proc/1/ns/net",
           "CNI_IFNAME": "net1", "CNI_PATH": "/usr/lib/cni", "CNI_ARGS": "IgnoreUnknown=1;MAC=52:54:00:%02x:%02x:%02x" % (
               (hash(cid) >> 16) & 0xff, (hash(cid) >> 8) & 0xff, hash(cid) & 0xff)}
    t0 = time.perf_counter()
    r = subprocess.run([binary], input=conf, env=env, capture_output=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit("%s %s %s failed: %s %s" % (binary, command, cid, r.stdout.decode(), r.stderr.decode()))
    return dt, r.stdout
results = {}
for name, (binary, ipam) in plugins.items():
    for i in range(warmup):
        call(binary, ipam, "ADD", "warm%d" % i); call(binary, ipam, "DEL", "warm%d" % i)
    adds, dels, seen = [], [], set()
    t0 = time.perf_counter()
    for i in range(n):
        dt, out = call(binary, ipam, "ADD", "c%d" % i)
        adds.append(dt)
        seen.add(json.loads(out)["ips"][0]["address"])
        dels.append(call(binary, ipam, "DEL", "c%d" % i)[0])
    total = time.perf_counter() - t0
    adds.sort(); dels.sort()
    pct = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))] * 1000
    results[name] = n / total
    print("%-10s %4d pairs  %6.1f pairs/s  ADD p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  DEL p50 %6.1f ms  p99 %6.1f ms" % (
        name, n, n / total, pct(adds, .5), pct(adds, .99), adds[-1] * 1000, pct(dels, .5), pct(dels, .99)))
print("vmaddr / host-local pairs/s: %.2f" % (results["vmaddr"] / results["host-local"]))
PY
held=$(curl -fsS -H "Authorization: Bearer $token" "$api/api/v1/networks/bench0/stats")
echo "vmaddr pool after the run (expect used 0): $held"
