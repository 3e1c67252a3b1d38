package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU cost of the embedded store's lease operations on the DHCP fast path, on a network of 131,072
 * leases (a /15): writes run in a {@link DeferredDurability} scope as the DHCP receiver runs them, so
 * the figure is the in-memory work (encode, lock, append, apply), not the fsync. GroupCommitBenchmark
 * measures the durable rate; this one shows what an index kept on every write would cost.
 *
 * <ul>
 *   <li>{@code renew}: rewrite one of the existing leases (the steady state);</li>
 *   <li>{@code newThenRemove}: bind an address never seen before, then remove it (an address entering
 *   and leaving the table, so the size stays constant);</li>
 *   <li>{@code get}, {@code findByHolder}: the reads of every DHCP exchange;</li>
 *   <li>{@code page500}: one API page of 500 leases from a random place in the network.</li>
 * </ul>
 *
 * <pre>java -jar bench/target/benchmarks.jar EmbeddedLeaseOpsBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class EmbeddedLeaseOpsBenchmark {
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    static final int LEASES = 1 << 17;
    static final int BASE = Ipv4Address.parse("10.20.0.0").value();
    /** Addresses outside the network's leases for {@code newThenRemove}. */
    static final int FRESH = Ipv4Address.parse("10.128.0.0").value();

    private Path dir;
    private EmbeddedStore store;
    private long n;

    @Setup(Level.Trial)
    public void open() throws IOException {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path base = Path.of(System.getProperty("vmaddr.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(base, "vmaddr-leaseops");
        store = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults());
        for (int i = 0; i < LEASES; i++) {
            Lease l = lease(BASE + i, i, NOW);
            new DeferredDurability().run(() -> store.leases().put(l, NOW));
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Lease lease(int ip, long holder, Instant updated) {
        return new Lease("bench", new Ipv4Address(ip), new MacAddress(0x525400000000L | holder), null, "vm-" + holder,
                LeaseState.BOUND, updated.plusSeconds(3600), updated);
    }

    private int slot() {
        long x = (n++) * 0x9E3779B97F4A7C15L; // scattered, reproducible
        return (int) ((x >>> 40) & (LEASES - 1));
    }

    @Benchmark
    public boolean renew() {
        int i = slot();
        Instant t = NOW.plusMillis(n);
        return new DeferredDurability().run(() -> store.leases().put(lease(BASE + i, i, t), t)).applied();
    }

    @Benchmark
    public boolean newThenRemove() {
        int i = (int) (n++ & 0xFFFFF);
        int ip = FRESH + i;
        return new DeferredDurability().run(() -> {
            store.leases().put(lease(ip, 1_000_000 + i, NOW), NOW);
            return store.leases().remove("bench", new Ipv4Address(ip));
        });
    }

    /** Writes per invocation of {@link #newThenRemoveAsDhcp}: the actor is bound once for them, as the DHCP receiver binds it once for its life. */
    static final int AS_DHCP_BATCH = 64;

    /**
     * {@link #newThenRemove} with the history actor {@code dhcp} bound (issue 20): each bind writes a
     * history event naming its actor. Compare its allocations per op ({@code -prof gc}) with
     * {@link #newThenRemove}'s: the actor must cost nothing per write (a constant string, a one-byte
     * code in the log record).
     */
    @Benchmark
    @OperationsPerInvocation(AS_DHCP_BATCH)
    public int newThenRemoveAsDhcp() {
        return HistoryActor.as(HistoryActor.DHCP, () -> {
            int removed = 0;
            for (int k = 0; k < AS_DHCP_BATCH; k++) {
                removed += newThenRemove() ? 1 : 0;
            }
            return removed;
        });
    }

    @Benchmark
    public Optional<Lease> get() {
        return store.leases().get("bench", new Ipv4Address(BASE + slot()));
    }

    @Benchmark
    public Optional<Lease> findByHolder() {
        return store.leases().findByHolder("bench", HolderKey.of(null, new MacAddress(0x525400000000L | slot())));
    }

    @Benchmark
    public List<Lease> page500() {
        Ipv4Address after = new Ipv4Address(BASE + slot());
        // before issue 5 a page was the whole sorted network (list(network)), then a skip to the cursor: 66 ms
        return store.leases().list("bench", after, 500, l -> true);
    }
}
