package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.postgres.PostgresCluster;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable lease writes per second through {@link PostgresStore} with 64 concurrent writers (group
 * commit), against a real PostgreSQL server (fsync=on) that the benchmark starts in a throw-away
 * cluster and deletes afterwards (Debian's postgresql package must be installed).
 *
 * <ul>
 *   <li>{@code newLease}: each write binds a new address (INSERT path, one history row each);</li>
 *   <li>{@code renew}: each write renews one of the writer's 256 bound leases (UPDATE path, the
 *   DHCP steady state).</li>
 * </ul>
 * Every op returns only once its lease is committed.
 *
 * <pre>./mvnw -B -q -o -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar PostgresLeasePutBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Threads(64)
public class PostgresLeasePutBench {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int RENEW_SET = 256;

    /** Committer threads: how many batches may be in flight at once. */
    @Param({"1"})
    public int committers;

    /** Milliseconds a committer that found few writes queued waits for more. */
    @Param({"1"})
    public int linger;

    private PostgresCluster cluster;
    private PostgresStore store;
    private final AtomicInteger writers = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
        cluster = PostgresCluster.create();
        String url = cluster.createDatabase("bench");
        store = PostgresStore.open(url, cluster.user(), cluster.password(), Clock.systemUTC(),
                PostgresStore.Options.defaults().withCommitters(committers, Duration.ofMillis(linger)));
        store.reportCommitsTo((nanos, writes) -> {
            commits.incrementAndGet();
            written.addAndGet(writes);
        });
        cpuAtStart = processCpuNanos();
    }

    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    private long cpuAtStart;

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @TearDown(Level.Trial)
    public void stop() {
        long cpu = processCpuNanos() - cpuAtStart;
        System.out.printf("%nleases written %d in %d statements (%.1f per statement); JVM CPU %.1f µs per lease "
                + "(trial, set-up and warm-up included)%n", written.get(), commits.get(),
                written.get() / (double) Math.max(1, commits.get()), cpu / 1000.0 / Math.max(1, written.get()));
        store.close();
        cluster.close();
    }

    @State(Scope.Thread)
    public static class Writer {
        int id;
        long next;
        Ipv4Address base;
        MacAddress mac;

        @Setup(Level.Trial)
        public void setUp(PostgresLeasePutBench bench) {
            id = bench.writers.getAndIncrement();
            // each writer its own /12 of 10.0.0.0/8: never a conflict, the cost measured is the write
            base = Ipv4Address.parse("10.0.0.0").plus((long) id << 18);
            mac = new MacAddress(0x0252_0000_0000L | ((long) id << 24));
            for (int i = 0; i < RENEW_SET; i++) {
                bench.put(lease("renew", base.plus(i), i, T0));
            }
        }

        Lease lease(String network, Ipv4Address ip, long n, Instant now) {
            return new Lease(network, ip, new MacAddress(mac.value() | (n & 0xFFFFFF)), null, null,
                    LeaseState.BOUND, now.plus(Duration.ofHours(1)), now);
        }
    }

    @Benchmark
    public WriteResult newLease(Writer w) {
        long n = w.next++;
        return put(w.lease("new", w.base.plus(n), n, T0));
    }

    @Benchmark
    public WriteResult renew(Writer w) {
        long n = w.next++;
        int slot = (int) (n % RENEW_SET);
        return put(w.lease("renew", w.base.plus(slot), slot, T0.plusMillis(n)));
    }

    WriteResult put(Lease l) {
        WriteResult r = store.leases().put(l, l.updatedAt());
        if (!r.applied()) {
            throw new IllegalStateException("unexpected conflict at " + l.ip() + ": " + r.current());
        }
        return r;
    }
}
