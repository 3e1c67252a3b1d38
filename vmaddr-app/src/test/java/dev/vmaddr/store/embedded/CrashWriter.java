package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child process of {@link CrashRecoveryTest}: writes leases from several threads as fast as it can
 * and prints each one after the store acknowledged it, until it is killed.
 *
 * <p>Output lines: {@code ACK-OWN <ip> <mac>} for a lease on an address only this thread uses,
 * {@code ACK-SHARED <ip> <mac>} for a won lease on one of 64 addresses all threads of all rounds
 * compete for (expiring far in the future, so at most one holder may ever win each).
 *
 * <p>Arguments: data directory, round number (1-15), number of threads.
 */
public final class CrashWriter {
    static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        EmbeddedStore store = EmbeddedStore.open(dir, Clock.systemUTC(),
                EmbeddedStore.Options.defaults().withSnapshotEveryRecords(3000));
        out.println("READY");
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(round * 1000L + thread);
                long mac = 0x525400000000L + round * 256L + thread;
                Instant now = Instant.parse("2030-01-01T00:00:00Z");
                for (int i = 0; i < 65536; i++) {
                    Ipv4Address own = new Ipv4Address((10 << 24) | (round << 20) | (thread << 16) | i);
                    store.leases().put(new Lease("lan", own, new MacAddress(mac), null, null, LeaseState.BOUND, FAR, now), now);
                    out.println("ACK-OWN " + own + " " + new MacAddress(mac));
                    if (i % 4 == 0) {
                        Ipv4Address shared = new Ipv4Address(0xC6120000 + random.nextInt(64));
                        Lease l = new Lease("shared", shared, new MacAddress(mac), null, null, LeaseState.BOUND, FAR, now);
                        if (store.leases().put(l, now).applied()) {
                            out.println("ACK-SHARED " + shared + " " + new MacAddress(mac));
                        }
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        store.close();
        out.println("DONE");
    }
}
