#!/usr/bin/env bash
# Two vmaddr servers on one PostgreSQL against Kea 2.2 on PostgreSQL, perfdhcp, in one run. Root only.
#
#   PERIOD=5 bench/scripts/dhcp-rate-pgsql.sh                  # default rates below
#   KEA_RATES="600 800" VMADDR_RATES="2000 4000" PERIOD=5 bench/scripts/dhcp-rate-pgsql.sh
#   KEA_RATES=skip ...                                          # vmaddr only
#
# Kea: the shared harness's kea-pgsql.sh (TOPO=veth, single-threaded, PostgreSQL 15 with fsync on), run
# from a private copy with its own namespaces (vmt-k-srv, vmt-k-cli) and work directory.
#
# vmaddr: two `vmaddr serve` processes, A and B, each in its own namespace (vmt-b-srv1, vmt-b-srv2)
# with the harness's addressing (veth-srv 198.18.0.1/15), each with its own perfdhcp namespace
# (vmt-b-cli1, vmt-b-cli2: relay 198.19.255.254, giaddr inside the served /15). perfdhcp talks to one
# server address only (it is a relay: unicast to the server), so the load is SPLIT: for a total
# RATE, two perfdhcp runs at RATE/2 each, at the same time, one per server, with different client
# MAC prefixes (-b mac=...) so no simulated client asks both servers. The figure is the sum of both
# runs' ACKs/s; a rate holds when both runs hold (drops <= 0.1 %, ACKs/s >= 97 % of the offered rate,
# the criterion of the harness's compare.sh).
# PostgreSQL 15 (fsync=on, synchronous_commit=on) runs in namespace vmt-b-db, reachable from the
# servers over one veth each (198.18.250.1/30 <-> .2, 198.18.250.5/30 <-> .6; the /30 beats the /15),
# in a throw-away cluster under $WORKDIR/vmaddr-pg (trust auth on those links only).
# Both servers share one database and one pool (198.18.0.10-198.19.255.250). The database is wiped
# before each rate. After each rate the leases table is checked in SQL: no address twice, no MAC with
# two bound leases, rows = ACKs.
# Servers start as users start them, `./vmaddr serve` (the JVM options of vmaddr-app/src/main/jvm/serve.options
# and the AOT cache the build trains; do not edit vmaddr-app/src/main during a run, or ./vmaddr rebuilds);
# LAUNCH=jar starts them as measurements before issue 24's last stop did: java -Xms512m -Xmx1g
# -XX:+UseParallelGC -jar, no AOT cache.
# PG_STATS=1: load pg_stat_statements in the throw-away cluster and print, after each measured rate, the
# statements of that run (calls, rows, total and mean execution time), to see where PostgreSQL's time goes.
# Last line: "sustained: kea-pgsql=K vmaddr-pgsql-2x=V ratio=V/K".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
harness=${HARNESS:-/work/shared/bench/dhcp-rate}
[ -f "$harness/lib.sh" ] || harness=$root/../shared/bench/dhcp-rate
PERIOD=${PERIOD:-5}
VMADDR_JAVA_OPTS=${VMADDR_JAVA_OPTS:-}
KEA_RATES=${KEA_RATES:-"700 1000 1400 2000 2800"}
VMADDR_RATES=${VMADDR_RATES:-"2000 3000 4000 6000 8000"}
export TOPO=veth PERIOD
# Own work directory and namespace names, so a harness run of another session (dhcpbench-*, /tmp/dhcp-bench)
# at the same time is not disturbed; the Kea config's paths are rewritten in a private copy of the harness.
export WORKDIR=${WORKDIR:-/tmp/dhcp-bench-pgsql}
mkdir -p "$WORKDIR"
private=$WORKDIR/harness
rm -rf "$private"; cp -r "$harness" "$private"
sed -i "s#/tmp/dhcp-bench/#$WORKDIR/#g" "$private"/*.json
# the harness waits for an idle machine before each perfdhcp run (up to 120 s); on a shared box keep it short
export QUIET_MAX=${QUIET_MAX:-10}
source "$root/scripts/java-env.sh"
(cd "$root" && ./mvnw -q -B -o -pl vmaddr-app -am package -DskipTests) || exit 1
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)
JAVA=$JAVA_HOME/bin/java

holds() {   # summary line, rate -> exit 0 when it held
    echo "$1" | awk -v rate="$2" '
    { n = split($0, p, "|");
      match(p[1], /DISCOVER sent=[0-9]+/); ds = substr(p[1], RSTART + 14, RLENGTH - 14)
      match(p[1], /drops=[0-9]+/);         dd = substr(p[1], RSTART + 6, RLENGTH - 6)
      match(p[2], /REQUEST sent=[0-9]+/);  rs = substr(p[2], RSTART + 13, RLENGTH - 13)
      match(p[2], /drops=[0-9]+/);         rd = substr(p[2], RSTART + 6, RLENGTH - 6)
      match(p[3], /leases\/s=[0-9]+/);     ls = substr(p[3], RSTART + 9, RLENGTH - 9)
      # +0: substr gives strings, and a string compared with a number is compared as a string ("100" <= 4.9)
      ds += 0; dd += 0; rs += 0; rd += 0; ls += 0
      ok = (ds > 0 && rs > 0 && dd <= 0.001 * ds && rd <= 0.001 * rs && ls >= 0.97 * rate)
      exit ok ? 0 : 1 }'
}
acks() { echo "$1" | sed -n 's/.*ACK rcvd=\([0-9]*\).*/\1/p'; }
# CPU µs per lease of summary lines (one, or a pair whose first carries postgres): (servers + postgres,
# % of one core) x 10,000 / leases per second; the issue-24 figure, comparable across loads and rates
us_per_lease() {
    printf '%s\n' "$@" | awk '{ if (match($0, /server=[0-9]+/)) cpu += substr($0, RSTART + 7, RLENGTH - 7)
        if (match($0, /postgres=[0-9]+/)) cpu += substr($0, RSTART + 9, RLENGTH - 9)
        if (match($0, /leases\/s=[0-9]+/)) ls += substr($0, RSTART + 9, RLENGTH - 9) }
        END { if (ls > 0) printf "%.0f", cpu * 10000 / ls; else printf "n/a" }'
}

# ------------------------------------------------------------------ Kea 2.2 + PostgreSQL
echo "== kea-pgsql (harness kea-pgsql.sh, TOPO=veth, PERIOD=$PERIOD): $KEA_RATES"
kea_best=0
while IFS= read -r line; do
    echo "$line"
    case "$line" in
    kea-pgsql*) rate=$(echo "$line" | sed -n 's/.*offered=\([0-9]*\)\/s.*/\1/p')
                echo "    CPU per lease: kea+postgres=$(us_per_lease "$line") µs"
                if holds "$line" "$rate" && [ "$rate" -gt "$kea_best" ]; then kea_best=$rate; fi ;;
    esac
done < <([ "$KEA_RATES" = skip ] || SRV_NS=vmt-k-srv CLI_NS=vmt-k-cli "$private/kea-pgsql.sh" $KEA_RATES 2>&1)

# ------------------------------------------------------------------ two vmaddr + PostgreSQL
source "$harness/lib.sh"     # run_perfdhcp, stop_pid, wait_quiet (namespaces are ours below)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PGDIR=$WORKDIR/vmaddr-pg
DB=vmt-b-db
NS=("$DB" vmt-b-srv1 vmt-b-cli1 vmt-b-srv2 vmt-b-cli2)
PGPID= SPIDS=()
stop_servers() {
    local i
    for i in "${!SPIDS[@]}"; do SRV_NS=vmt-b-srv$((i + 1)) stop_pid "${SPIDS[$i]}"; done
    SPIDS=()
}
psql_db() { ip netns exec "$DB" psql -X -q -At -h 198.18.250.1 -U postgres "$@"; }
vm_cleanup() {
    local p
    stop_servers
    if [ -n "$PGPID" ]; then
        kill -INT "$PGPID" 2>/dev/null
        for i in $(seq 1 100); do kill -0 "$PGPID" 2>/dev/null || break; sleep 0.1; done
    fi
    for p in "${NS[@]}"; do ip netns del "$p" 2>/dev/null; done
    rm -rf "$PGDIR"
}
trap vm_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORKDIR"
for n in "${NS[@]}"; do ip netns add "$n"; ip netns exec "$n" ip link set lo up; done
for i in 1 2; do
    ip link add veth-srv netns vmt-b-srv$i type veth peer name veth-cli netns vmt-b-cli$i
    ip -n vmt-b-srv$i addr add 198.18.0.1/15 dev veth-srv; ip -n vmt-b-srv$i link set veth-srv up
    ip -n vmt-b-cli$i addr add 198.19.255.254/15 dev veth-cli; ip -n vmt-b-cli$i link set veth-cli up
    db_ip=198.18.250.$((i * 4 - 3)); srv_ip=198.18.250.$((i * 4 - 2))
    ip link add db$i netns "$DB" type veth peer name db netns vmt-b-srv$i
    ip -n "$DB" addr add "$db_ip/30" dev db$i; ip -n "$DB" link set db$i up
    ip -n vmt-b-srv$i addr add "$srv_ip/30" dev db; ip -n vmt-b-srv$i link set db up
done
rm -rf "$PGDIR"; mkdir -p "$PGDIR/data" "$PGDIR/sock"; chown -R postgres:postgres "$PGDIR"
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$PGDIR/data" -U postgres \
    --auth=trust -E UTF8 --no-locale > "$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log"; exit 1; }
echo "host all all 198.18.250.0/24 trust" >> "$PGDIR/data/pg_hba.conf"
ip netns exec "$DB" setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -D "$PGDIR/data" \
    -c listen_addresses='198.18.250.1,198.18.250.5' -c unix_socket_directories="$PGDIR/sock" \
    -c max_connections=100 ${PG_STATS:+-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on} \
    ${PG_OPTS:-} > "$PGDIR/postgres.log" 2>&1 &
PGPID=$!
for i in $(seq 1 100); do ip netns exec "$DB" "$PGBIN/pg_isready" -q -h 198.18.250.1 && break; sleep 0.1; done
psql_db -c "CREATE USER vmaddr" -c "CREATE DATABASE vmaddr OWNER vmaddr" || exit 1
[ -n "${PG_STATS:-}" ] && psql_db -c "CREATE EXTENSION pg_stat_statements"
pg_stats() {   # statements since the last reset, all databases, busiest first
    psql_db -F ' | ' -c "SELECT calls, rows, round(total_exec_time) AS ms, round(mean_exec_time::numeric, 3) AS mean_ms,
        round(total_plan_time) AS plan_ms, regexp_replace(left(query, 110), '\\s+', ' ', 'g')
        FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 15" \
        | sed 's/^/    pg: /'
    # whether autovacuum had analyzed the tables (plans of a table never analyzed are guesses) or ran in the run
    psql_db vmaddr -c "SELECT string_agg(relname || ': analyzed=' || autoanalyze_count || ' vacuumed=' || autovacuum_count
        || ' last=' || coalesce(to_char(greatest(last_autoanalyze, last_autovacuum), 'HH24:MI:SS'), '-'), ', ')
        FROM pg_stat_user_tables WHERE relname IN ('leases', 'history')" | sed 's/^/    pg autovacuum: /'
}
echo "postgres pid $PGPID ($("$PGBIN/postgres" -V)), settings: $(psql_db -c "select string_agg(name||'='||setting, ' ') from pg_settings where name in ('fsync','synchronous_commit','shared_buffers','wal_sync_method')")"

start_vmaddr() {   # $1 = 1|2
    local i=$1 state=$WORKDIR/vmaddr-pg-srv$1
    rm -rf "$state"; mkdir -p "$state"
    cat > "$state/cfg.yaml" <<CFG
dataDir: $state/data
store: postgresql
postgresql:
  url: jdbc:postgresql://198.18.250.$((i * 4 - 3)):5432/vmaddr
  user: vmaddr
api: { listen: 127.0.0.1:18067 }
log: { level: warn }   # like the harness's Kea config (severity WARN): no line per lease
dhcp:
  interfaces: [veth-srv]
  probe: { method: none }
  authoritative: true
networks:
  - name: bench
    cidr: 198.18.0.0/15
    gateway: 198.18.0.1
    leaseTime: 2h
    pools: ["198.18.0.10-198.19.255.250"]
CFG
    # VMADDR_JAVA_OPTS: extra JVM options, e.g. a JFR recording (the string %i becomes the server number)
    if [ "${LAUNCH:-vmaddr}" = jar ]; then
        ip netns exec vmt-b-srv$i "$JAVA" --enable-native-access=ALL-UNNAMED -Xms512m -Xmx1g -XX:+UseParallelGC \
            ${VMADDR_JAVA_OPTS//%i/$i} -jar "$jar" serve --config "$state/cfg.yaml" > "$state/stdout.log" 2>&1 &
    else
        # as users run it: ./vmaddr serve (serve.options and the build's AOT cache); it execs java, so $! is the JVM
        VMADDR_JAVA_OPTS="${VMADDR_JAVA_OPTS//%i/$i}" ip netns exec vmt-b-srv$i "$root/vmaddr" serve \
            --config "$state/cfg.yaml" > "$state/stdout.log" 2>&1 &
    fi
    SPIDS+=($!)
    SRV_NS=vmt-b-srv$i wait_listen || { tail -20 "$state/stdout.log" >&2; return 1; }
}

# both perfdhcp at once, rate/2 each; prints both summary lines; exit 0 when both held
measure_pair() {   # $1 = total rate, $2 = label, $3 = period
    local half=$(( $1 / 2 )) o1=$WORKDIR/pair1.txt o2=$WORKDIR/pair2.txt p1 p2
    # postgres's CPU is reported on A's line only (it serves both)
    (CLI_NS=vmt-b-cli1 AUX_PID=$PGPID run_perfdhcp "$half" "$3" "${SPIDS[0]}" "$2-A" -g single -b mac=00:0c:01:00:00:00 > "$o1") &
    p1=$!
    (CLI_NS=vmt-b-cli2 run_perfdhcp "$half" "$3" "${SPIDS[1]}" "$2-B" -g single -b mac=00:0c:02:00:00:00 > "$o2") &
    p2=$!
    wait "$p1" "$p2"
    local l1 l2; l1=$(head -1 "$o1"); l2=$(head -1 "$o2")
    echo "$l1"; echo "$l2"
    echo "    CPU per lease: vmaddr-2x+postgres=$(us_per_lease "$l1" "$l2") µs"
    LAST_ACKS=$(( $(acks "$l1") + $(acks "$l2") ))
    holds "$l1" "$half" && holds "$l2" "$half"
}

# UDP datagrams dropped because a socket's receive buffer was full, per namespace (/proc/net/snmp is
# per network namespace); with an argument (an earlier output), the difference since then
udp_rcvbuf_errors() {
    local ns now=() i=0 before=(${1:-})
    for ns in vmt-b-srv1 vmt-b-srv2 vmt-b-cli1 vmt-b-cli2; do
        now+=($(ip netns exec "$ns" awk '/^Udp:/ { if (h) { print $6; exit } ; h = 1 }' /proc/net/snmp))
    done
    for i in "${!now[@]}"; do printf '%s ' $(( ${now[$i]} - ${before[$i]:-0} )); done
}

sql_check() {
    psql_db vmaddr -c "SELECT 'leases=' || count(*) || ' distinct_ip=' || count(DISTINCT ip) || ' distinct_mac=' || count(DISTINCT mac)
        || ' ip_dups=' || (SELECT count(*) FROM (SELECT ip FROM leases GROUP BY ip HAVING count(*) > 1) d)
        || ' mac_with_2_bound=' || (SELECT count(*) FROM (SELECT network, mac FROM leases WHERE state = 'bound'
              AND expires_at > now() GROUP BY 1, 2 HAVING count(*) > 1) d) FROM leases"
}

echo "== vmaddr-pgsql-2x (two servers, split load, PERIOD=$PERIOD): $VMADDR_RATES"
vm_best=0 dup_total=0
for RATE in $VMADDR_RATES; do
    stop_servers
    psql_db -c "DROP DATABASE IF EXISTS vmaddr" -c "CREATE DATABASE vmaddr OWNER vmaddr" || exit 1
    start_vmaddr 1 || exit 1
    start_vmaddr 2 || exit 1
    sleep "${START_WAIT:-3}"
    # JIT warm-up, not measured: a JFR recording showed the C2 compiler taking most of the servers' CPU for
    # the first ~10 s of load (JVM ~40 % of the machine at 1000/s, ~10 % once compiled); with two JVMs,
    # two perfdhcp and postgres on 2 cores compilation takes longer: 30 s at 2000/s (60k of the 131k addresses)
    measure_pair "${WARMUP_RATE:-2000}" warmup "${WARMUP_PERIOD:-30}" > /dev/null
    [ -n "${PG_STATS:-}" ] && psql_db -c "SELECT pg_stat_statements_reset()" > /dev/null
    rcvbuf0=$(udp_rcvbuf_errors)
    if measure_pair "$RATE" "vmaddr-pgsql-2x-r$RATE" "$PERIOD"; then ok=1; else ok=0; fi
    echo "    udp receive-buffer drops in the measured run (srv1 srv2 cli1 cli2): $(udp_rcvbuf_errors "$rcvbuf0")"
    [ -n "${PG_STATS:-}" ] && pg_stats
    check=$(sql_check); echo "    sql: $check (ACKs in the measured runs: $LAST_ACKS, plus the warm-up's)"
    dups=$(echo "$check" | sed -n 's/.*ip_dups=\([0-9]*\) mac_with_2_bound=\([0-9]*\).*/\1 \2/p')
    dup_total=$(( dup_total + ${dups% *} + ${dups#* } ))
    if [ "$ok" = 1 ]; then vm_best=$RATE; else break; fi
done
awk -v k="$kea_best" -v o="$vm_best" -v d="$dup_total" 'BEGIN {
    printf "sustained: kea-pgsql=%d vmaddr-pgsql-2x=%d ratio=%s duplicates=%d\n", k, o, (k > 0 ? sprintf("%.2f", o / k) : "n/a"), d }'
