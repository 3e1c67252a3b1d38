#!/bin/sh
# Issue 15's bar, "the real-client lab passes 20 of 20": runs every scenario of RealClientLab
# (dhclient, udhcpc, dhcpcd against one `vmaddr serve` in network namespaces: reservation with and
# without client-id, one MAC with three clients and client-ids, renew, release) ROUNDS times (default
# 20) and prints each scenario's passes. Root, Debian 12 with the test peers (scripts/install-test-deps).
#   bench/scripts/real-client-lab.sh              # 20 rounds, all scenarios
#   ROUNDS=5 ONLY=release bench/scripts/real-client-lab.sh
# Exit status: 0 when every scenario passed every round. The suite runs the same test with one round.
set -eu
cd "$(dirname "$0")/../.."
. scripts/java-env.sh
ROUNDS=${ROUNDS:-20}
set -- -Dvmaddr.lab.rounds="$ROUNDS"
[ -n "${ONLY:-}" ] && set -- "$@" -Dvmaddr.lab.only="$ONLY"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "load before: $(uptime)"
status=0
./mvnw -B -q -o -pl vmaddr-app test -Dtest=RealClientLabNetnsTest -Dsurefire.failIfNoSpecifiedTests=false "$@" \
    >"$out" 2>&1 || status=$?
# the tally the test printed (its own stdout is in the surefire report when -q hides it)
report=vmaddr-app/target/surefire-reports/dev.vmaddr.dhcp.it.RealClientLabNetnsTest-output.txt
if [ -f "$report" ]; then
    grep -A40 '^real-client lab' "$report" | grep -E '^(real-client lab|  )' || true
else
    grep -A40 '^real-client lab' "$out" | grep -E '^(real-client lab|  )' || tail -40 "$out"
fi
echo "load after: $(uptime)"
exit "$status"
