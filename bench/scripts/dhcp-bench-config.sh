#!/usr/bin/env bash
# Writes the vmaddr config the DHCP rate benchmarks serve with (the harness's contract: 198.18.0.0/15,
# pool 198.18.0.10-198.19.255.250, relayed requests on one interface, leases >= 1 h), embedded store:
#   bench/scripts/dhcp-bench-config.sh STATE_DIR INTERFACE       # writes STATE_DIR/cfg.yaml
# Conflict probes are off: perfdhcp's simulated clients cannot answer a ping, so every first offer
# would wait the probe timeout; the probe path is covered by the integration tests.
set -euo pipefail
cat > "$1/cfg.yaml" <<CFG
dataDir: $1/data
api: { listen: 127.0.0.1:18067 }
log: { level: warn }
dhcp:
  interfaces: [$2]
  probe: { method: none }
  authoritative: true
networks:
  - name: bench
    cidr: 198.18.0.0/15
    gateway: 198.18.0.1
    leaseTime: 2h
    pools: ["198.18.0.10-198.19.255.250"]
CFG
