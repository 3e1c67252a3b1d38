package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.postgres.PostgresCluster;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lease writes the DHCP receiver's way on PostgreSQL (issue 24): one thread, each write in its own
 * {@link DeferredDurability} scope, never waiting; an op ends when its write is queued, and at most
 * 4,096 are waiting for their commit at once (as clients waiting for ACKs), so the throughput is the
 * committed rate. Compare with {@link PostgresLeasePutBench#newLease} (64 threads, each waiting for
 * its commit, as the DHCP path did before with a virtual thread per request): bytes per op with
 * {@code -prof gc}; the tear-down prints leases per statement and the JVM's CPU µs per lease
 * (process CPU time over the trial, warm-up included, so an upper bound).
 *
 * <pre>java -jar bench/target/benchmarks.jar 'PostgresDeferredPutBench|PostgresLeasePutBench.newLease' -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Threads(1)
public class PostgresDeferredPutBench {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private PostgresCluster cluster;
    private PostgresStore store;
    private final Semaphore waiting = new Semaphore(4096);
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private long next;
    private long cpuAtStart;

    @Setup(Level.Trial)
    public void start() {
        cluster = PostgresCluster.create();
        String url = cluster.createDatabase("bench");
        store = PostgresStore.open(url, cluster.user(), cluster.password(), Clock.systemUTC(), PostgresStore.Options.defaults());
        store.reportCommitsTo((nanos, writes) -> {
            commits.incrementAndGet();
            written.addAndGet(writes);
        });
        cpuAtStart = processCpuNanos();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        waiting.acquire(4096);
        long cpu = processCpuNanos() - cpuAtStart;
        System.out.printf("%nleases written %d in %d statements (%.1f per statement), %d not durable; "
                        + "JVM CPU %.1f µs per lease (trial, warm-up included)%n", written.get(), commits.get(),
                written.get() / (double) Math.max(1, commits.get()), lost.get(), cpu / 1000.0 / Math.max(1, written.get()));
        store.close();
        cluster.close();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @Benchmark
    public WriteResult newLeaseDeferred() throws InterruptedException {
        long n = next++;
        Ipv4Address ip = Ipv4Address.parse("10.0.0.0").plus(n);
        Lease l = new Lease("new", ip, new MacAddress(0x0252_0000_0000L | n), null, null, LeaseState.BOUND,
                T0.plus(Duration.ofHours(1)), T0);
        waiting.acquire();
        DeferredDurability scope = new DeferredDurability();
        WriteResult r = scope.run(() -> store.leases().put(l, T0));
        scope.whenDurable(durable -> {
            if (!durable) {
                lost.incrementAndGet();
            }
            waiting.release();
        });
        return r;
    }
}
