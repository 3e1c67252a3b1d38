package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Restart with 1,000,000 leases: time to reopen the embedded store and heap used after a full GC,
 * once replaying the whole log and once from a snapshot. Bars: &lt; 3 s, &lt; 300 MB.
 *
 * <pre>java -Xmx300m -cp bench/target/benchmarks.jar dev.vmaddr.bench.RecoveryBenchmark [leases] [dir]</pre>
 */
public final class RecoveryBenchmark {
    public static void main(String[] args) throws Exception {
        int leases = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path base = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
        // A directory that already holds a store (from an earlier run with -Dvmaddr.bench.keep=true) is reused.
        boolean reuse = Files.exists(base.resolve("lock"));
        boolean keep = Boolean.getBoolean("vmaddr.bench.keep");
        Path dir = reuse ? base : Files.createTempDirectory(base, "vmaddr-recovery");
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        // No automatic snapshot while filling, so the first reopen replays a log of every lease.
        EmbeddedStore.Options fill = EmbeddedStore.Options.defaults().withSnapshotEveryRecords(Long.MAX_VALUE);
        fill = new EmbeddedStore.Options(Long.MAX_VALUE, Long.MAX_VALUE, fill.historyMaxEvents(), fill.historyRetention(),
                fill.logFiles(), fill.commitDelay());
        long t0 = System.nanoTime();
        if (!reuse) {
        try (EmbeddedStore store = EmbeddedStore.open(dir, Clock.systemUTC(), fill)) {
            AtomicInteger next = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int n; (n = next.getAndIncrement()) < leases; ) {
                        // Spread over 16 networks of up to /16, hostnames like a real VM fleet.
                        String network = "net" + (n & 15);
                        int ip = 0x0A000000 | ((n & 15) << 16) | (n >>> 4);
                        store.leases().put(new Lease(network, new Ipv4Address(ip), new MacAddress(0x525400000000L | n), null,
                                "vm-" + n, LeaseState.BOUND, now.plusSeconds(3600), now), now);
                    }
                }));
            }
            for (Thread w : writers) {
                w.join();
            }
        }
        System.out.printf("filled %,d leases in %.1f s (%,.0f durable writes/s), log %,d bytes%n", leases,
                (System.nanoTime() - t0) / 1e9, leases / ((System.nanoTime() - t0) / 1e9), size(dir));
        }

        long heapBefore = usedHeapAfterGc();
        measure(reuse ? "existing data" : "log replay", dir, heapBefore, !reuse);
        measure("snapshot", dir, heapBefore, false);
        if (keep || reuse) {
            System.out.println("data kept in " + dir);
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void measure(String what, Path dir, long heapBefore, boolean snapshotAfter) throws Exception {
        long start = System.nanoTime();
        EmbeddedStore store = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults());
        double seconds = (System.nanoTime() - start) / 1e9;
        long count = store.leases().count();
        long heap = usedHeapAfterGc() - heapBefore;
        System.out.printf("reopen from %s: %,d leases in %.2f s, heap used by the store after GC %,d MB%n", what, count,
                seconds, heap >> 20);
        if (snapshotAfter) {
            store.snapshot();
        }
        store.close();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long size(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
