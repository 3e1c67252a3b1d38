package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
 * Durable lease writes per second through the embedded store's group commit, with 64 writer
 * threads (each put returns only after its fsync). Bar: at least 50,000/s on 2 cores.
 *
 * <p>The data directory is a fresh temp directory under {@code -Dvmaddr.bench.dir} (default the
 * system temp dir, which must be on a real disk for the figure to mean anything).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Threads(64)
public class GroupCommitBenchmark {
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @State(Scope.Benchmark)
    public static class StoreState {
        Path dir;
        EmbeddedStore store;
        final AtomicInteger next = new AtomicInteger();

        @Setup(Level.Trial)
        public void open() throws IOException {
            Path base = Path.of(System.getProperty("vmaddr.bench.dir", System.getProperty("java.io.tmpdir")));
            dir = Files.createTempDirectory(base, "vmaddr-groupcommit");
            store = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults());
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @State(Scope.Thread)
    public static class Writer {
        int base;
        int i;

        @Setup(Level.Trial)
        public void setup(StoreState s) {
            base = s.next.getAndIncrement() << 16;
        }
    }

    @Benchmark
    public boolean durableLeasePut(StoreState s, Writer w) {
        int n = w.base | (w.i++ & 0xFFFF);
        Lease lease = new Lease("bench", new Ipv4Address(0x0A000000 | n), new MacAddress(0x525400000000L | n), null,
                "vm-" + n, LeaseState.BOUND, NOW.plusSeconds(3600), NOW);
        return s.store.leases().put(lease, NOW).applied();
    }
}
