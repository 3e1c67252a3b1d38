#!/usr/bin/env bash
# Restart at scale (issue 24): `./vmaddr serve` from exec to the first /readyz 200 with N leases and N
# history events (every new binding is one), embedded store or PostgreSQL (cache warm from the database).
#
#   bench/scripts/restart-1m.sh embedded   STATE_DIR [LEASES] [RUNS]
#   bench/scripts/restart-1m.sh postgresql STATE_DIR [LEASES] [RUNS]   # starts its own PostgreSQL in STATE_DIR/pg
#   bench/scripts/restart-1m.sh stop-pg    STATE_DIR
#
# The first run of a STATE_DIR fills it (RestartFill, through the application's own store code: a
# real log and snapshot, real rows and history triggers); later runs reuse it. Each run prints wall
# seconds and CPU seconds (all threads, from /proc) to readiness, the heap used after a full GC
# (jcmd GC.run + GC.heap_info), the store.opened/engine phase lines of the server's log, and the load.
# DHCP is not bound (no interface in the root namespace to give it); readiness waits for every service
# to start, so a bound DHCP socket would answer from the same moment on.
# VMADDR_JAVA_OPTS passes through (e.g. -Xlog:gc or -XX:StartFlightRecording=...); VMADDR_SERVE runs another
# build instead of ./vmaddr (e.g. a script that execs the java command of a baseline jar).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kind=$1
state=$(mkdir -p "$2" && cd "$2" && pwd)
leases=${3:-1000000}
runs=${4:-3}
port=${RESTART_PORT:-18167}   # API port; RESTART_PORT= another, to run beside another run
pgport=18168
source "$root/scripts/java-env.sh"
jar=$(ls "$root"/vmaddr-app/target/vmaddr-*-all.jar | head -n1)

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
pg_start() {
    if [ ! -d "$state/pg/data" ]; then
        mkdir -p "$state/pg/socket"
        chown -R postgres:postgres "$state/pg"
        as_pg "$pg_bin/initdb" -D "$state/pg/data" -U postgres --auth-local=trust --auth-host=trust -E UTF8 --locale=C \
            --no-sync --no-instructions >"$state/pg/initdb.log"
    fi
    if [ -s "$state/pg/pid" ] && kill -0 "$(cat "$state/pg/pid")" 2>/dev/null; then
        return
    fi
    # setpriv itself in the background (not the function: $! would be a subshell, not the server)
    setpriv --reuid=postgres --regid=postgres --init-groups "$pg_bin/postgres" -D "$state/pg/data" -k "$state/pg/socket" -p $pgport -c listen_addresses=127.0.0.1 \
        -c fsync=on -c synchronous_commit=on -c shared_buffers=128MB -c logging_collector=off >>"$state/pg/server.log" 2>&1 &
    echo $! >"$state/pg/pid"
    for _ in $(seq 1 300); do
        if as_pg "$pg_bin/psql" -h "$state/pg/socket" -p $pgport -U postgres -Atc "select 1" >/dev/null 2>&1; then
            break
        fi
        sleep 0.1
    done
    as_pg "$pg_bin/psql" -h "$state/pg/socket" -p $pgport -U postgres -Atc \
        "select 1 from pg_database where datname='vmaddr'" | grep -q 1 \
        || as_pg "$pg_bin/psql" -h "$state/pg/socket" -p $pgport -U postgres -qc "create database vmaddr"
}
pg_stop() {
    if [ -s "$state/pg/pid" ]; then
        kill -INT "$(cat "$state/pg/pid")" 2>/dev/null || true
        while kill -0 "$(cat "$state/pg/pid")" 2>/dev/null; do sleep 0.1; done
        rm -f "$state/pg/pid"
    fi
}

case $kind in
    stop-pg) pg_stop; exit 0 ;;
    embedded) storecfg="store: embedded" ;;
    postgresql)
        pg_start
        storecfg="store: postgresql
postgresql: { url: \"jdbc:postgresql://127.0.0.1:$pgport/vmaddr\", user: postgres }" ;;
    *) echo "usage: $0 embedded|postgresql|stop-pg STATE_DIR [LEASES] [RUNS]" >&2; exit 2 ;;
esac

# 16 networks of a /16 each (a host's worth of VM networks), 65,521 pool addresses each: room for 1,048,336 leases.
{
    echo "dataDir: $state/data-$kind"
    echo "$storecfg"
    echo "api: { listen: 127.0.0.1:$port }"
    echo "log: { level: info }"
    echo "history: { keep: 90d, maxEvents: $((leases * 2)) }"
    echo "networks:"
    for i in $(seq 0 15); do
        echo "  - { name: net$i, cidr: 10.$i.0.0/16, gateway: 10.$i.0.1, leaseTime: 2h, pools: [\"10.$i.0.10-10.$i.255.250\"] }"
    done
} >"$state/cfg-$kind.yaml"

if [ ! -e "$state/filled-$kind" ]; then
    "$JAVA_HOME/bin/java" -Xmx3g -cp "$jar" "$root/bench/src/main/java/dev/vmaddr/bench/RestartFill.java" \
        "$state/cfg-$kind.yaml" "$leases" 2>&1 | grep -v DEBUG | tail -n 3
    touch "$state/filled-$kind"
fi

hz=$(getconf CLK_TCK)
for run in $(seq 1 "$runs"); do
    log=$state/serve-$kind-$run.log
    start=$(date +%s%N)
    ${VMADDR_SERVE:-$root/vmaddr} serve --config "$state/cfg-$kind.yaml" >"$log" 2>&1 &
    pid=$!
    while ! curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
        if ! kill -0 $pid 2>/dev/null; then
            echo "server exited; log:" >&2; tail -n 20 "$log" >&2; exit 1
        fi
        sleep 0.02
    done
    end=$(date +%s%N)
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
    # CPU by thread (name: digits folded, so the pools' threads add up), the largest first
    threads=$(for t in /proc/$pid/task/*; do
        sed -E 's/^[0-9]+ \((.*)\) [A-Z] (([^ ]+ ){10})([0-9]+) ([0-9]+).*/\1 \4 \5/' "$t/stat"
    done 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{n=$0; sub(/ [0-9]+ [0-9]+$/, "", n); gsub(/[0-9]+/, "#", n);
        c[n]+=($(NF-1)+$NF)} END{for (k in c) if (c[k] > 0) printf "%s=%.2fs\n", k, c[k]/hz}' | sort -t= -k2 -rn | head -n 8 | paste -sd' ')
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    jcmd $pid GC.run >/dev/null
    # young + old generation (ParallelGC prints one line each; G1 one "garbage-first heap" line)
    heap=$(jcmd $pid GC.heap_info | grep -E 'PSYoungGen|ParOldGen|garbage-first heap|def new|tenured' \
        | grep -o 'used [0-9]*K' | tr -dc '0-9\n' | paste -sd+ | bc)
    kill -TERM $pid
    wait $pid || true
    printf '%s run %d: %d leases, readyz after %.2f s wall, %.2f s CPU; heap after full GC %d MB; load %s\n' \
        "$kind" "$run" "$leases" "$(echo "($end - $start) / 1000000000" | bc -l)" \
        "$(echo "($utime + $stime) / $hz" | bc -l)" $((heap / 1024)) "$load"
    echo "    CPU by thread: $threads"
    grep -o 'event=\(store\.opened dataDir\|server\.startup\.phase\)[^"]*' "$log" | cut -c1-200 | sed 's/^/    /' || true
done
