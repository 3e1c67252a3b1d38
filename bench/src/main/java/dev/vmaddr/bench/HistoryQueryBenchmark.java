package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryPage;
import dev.vmaddr.store.HistoryQuery;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.postgres.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * A page of history (100 events, newest first) by IP, by MAC, by VM and with no key, from 1,000,000
 * events, on the embedded store (per-key chains in memory) and on PostgreSQL (V3 indexes; a throw-away
 * cluster the benchmark starts and deletes). Bar (issue 20): ≤ 50 ms per query.
 *
 * <p>The events: 1,000,000 over 4,096 addresses (~244 each: a long-lived, busy address), 100,000
 * MACs (10 each) and, for a quarter of them, 10,000 VMs (25 each); one second apart. The
 * embedded store gets them through {@code history().append} from 64 writers (group commit), the
 * PostgreSQL one in one {@code INSERT ... SELECT generate_series} (the write path is not what is
 * measured here).
 *
 * <pre>./mvnw -B -q -o -pl bench -am package -DskipTests &amp;&amp; java -jar bench/target/benchmarks.jar HistoryQueryBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class HistoryQueryBenchmark {
    static final int EVENTS = 1_000_000;
    static final int IPS = 4096;
    static final int MACS = 100_000;
    static final int VMS = 10_000;
    static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    static final long MAC0 = 0x525400000000L;

    @Param({"embedded", "postgresql"})
    public String store;

    private Path dir;
    private PostgresCluster cluster;
    private Store s;
    private final SplittableRandom random = new SplittableRandom(7);

    static Ipv4Address ip(int i) {
        return Ipv4Address.parse("10.0.0.0").plus(i % IPS);
    }

    @Setup(Level.Trial)
    public void fill() throws Exception {
        if (store.equals("embedded")) {
            dir = Files.createTempDirectory("vmaddr-history-bench");
            s = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults()
                    .withHistoryMaxEvents(EVENTS + 1000).withHistoryRetention(java.time.Duration.ofDays(36500)));
            int writers = 64;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?>[] done = new Future<?>[writers];
                for (int w = 0; w < writers; w++) {
                    int first = w;
                    done[w] = pool.submit(() -> {
                        for (int i = first; i < EVENTS; i += writers) {
                            s.history().append(event(i));
                        }
                    });
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
        } else {
            cluster = PostgresCluster.create();
            String url = cluster.createDatabase("hbench");
            s = PostgresStore.open(url, cluster.user(), cluster.password(), Clock.systemUTC(), PostgresStore.Options.defaults());
            String db = url.substring(url.lastIndexOf('/') + 1);
            try (Connection c = cluster.superuserConnection(db); Statement st = c.createStatement()) {
                st.execute("""
                        INSERT INTO history (at, network, ip, mac, holder, action)
                        SELECT timestamptz '%s' + make_interval(secs => i), 'lan',
                               '10.0.0.0'::inet + (i %% %d),
                               ('52:54:00:' || lpad(to_hex((i %% %d) >> 16), 2, '0') || ':'
                                 || lpad(to_hex(((i %% %d) >> 8) & 255), 2, '0') || ':' || lpad(to_hex((i %% %d) & 255), 2, '0'))::macaddr,
                               CASE WHEN i %% 4 = 0 THEN 'vm/vm' || ((i / 4) %% %d) || '/nic0' ELSE 'mac:x' END,
                               CASE WHEN i %% 2 = 0 THEN 'bound' ELSE 'released' END
                        FROM generate_series(0, %d) AS i""".formatted(T0, IPS, MACS, MACS, MACS, VMS, EVENTS - 1));
                st.execute("ANALYZE history");
            }
        }
        HistoryPage check = s.history().page(new HistoryQuery(ip(7), null, null, null, null, null, 100));
        if (check.items().size() != 100 || check.next() == null) {
            throw new IllegalStateException("fill failed: " + check.items().size());
        }
    }

    static HistoryEvent event(int i) {
        String holder = i % 4 == 0 ? "vm/vm" + ((i / 4) % VMS) + "/nic0" : "mac:x";
        return new HistoryEvent(T0.plusSeconds(i), "lan", ip(i), new MacAddress(MAC0 + i % MACS), holder,
                i % 2 == 0 ? "bound" : "released");
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        s.close();
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public HistoryPage byIp() {
        return s.history().page(new HistoryQuery(ip(random.nextInt(IPS)), null, null, null, null, null, 100));
    }

    @Benchmark
    public HistoryPage byMac() {
        return s.history().page(new HistoryQuery(null, new MacAddress(MAC0 + random.nextInt(MACS)), null, null, null, null, 100));
    }

    @Benchmark
    public HistoryPage byVm() {
        return s.history().page(new HistoryQuery(null, null, "vm" + random.nextInt(VMS), null, null, null, 100));
    }

    /** The second page of an address: the cursor's range scan. */
    @Benchmark
    public HistoryPage byIpSecondPage() {
        HistoryQuery q = new HistoryQuery(ip(random.nextInt(IPS)), null, null, null, null, null, 100);
        return s.history().page(q.after(s.history().page(q).next()));
    }

    /** No key: the newest 100 of everything (the embedded store scans all events with a bounded heap). */
    @Benchmark
    public HistoryPage everything() {
        return s.history().page(HistoryQuery.all(100));
    }
}
