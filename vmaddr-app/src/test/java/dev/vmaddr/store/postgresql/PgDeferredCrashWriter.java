package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.StoreException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Semaphore;

/**
 * Child process of {@link PostgresDeferredCrashTest}: one thread writes leases the way the DHCP
 * receiver does (each in its own {@link DeferredDurability} scope, never waiting) and prints each one
 * from the store's callback once it is durable, as the server sends its ACK, until it is killed.
 *
 * <p>Output lines: {@code ACK <ip> <mac>}. Arguments: JDBC URL, user, password, round number (1-200).
 */
public final class PgDeferredCrashWriter {
    static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");
    static final String NETWORK = "crash";

    public static void main(String[] args) throws Exception {
        int round = Integer.parseInt(args[3]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        PostgresStore store = PostgresStore.open(args[0], args[1], args[2], Clock.systemUTC(), PostgresStore.Options.defaults());
        out.println("READY");
        Semaphore inFlight = new Semaphore(2000); // as a server's clients would: a bounded number waiting for ACKs
        Instant now = Instant.now();
        for (int i = 0; i < 65536; i++) {
            Ipv4Address ip = new Ipv4Address((10 << 24) | (round << 16) | i);
            MacAddress mac = new MacAddress(0x525400000000L + ((long) round << 16) + i);
            Lease lease = new Lease(NETWORK, ip, mac, null, null, LeaseState.BOUND, FAR, now);
            inFlight.acquire();
            DeferredDurability scope = new DeferredDurability();
            try {
                scope.run(() -> store.leases().put(lease, now));
            } catch (StoreException e) {
                inFlight.release();
                continue;
            }
            scope.whenDurable(durable -> {
                inFlight.release();
                if (durable) {
                    out.println("ACK " + ip + " " + mac);
                }
            });
        }
        store.close();
        out.println("DONE");
    }
}
