package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.testing.postgres.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static dev.vmaddr.store.postgresql.Leases.bound;
import static dev.vmaddr.store.postgresql.Leases.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database server dies (immediate shutdown, like a crash) while 16 clients write leases, and
 * comes back: writes fail with StoreException while it is away, {@code writable()} says so, the
 * store recovers without being reopened, and every lease it acknowledged is in the database.
 * Uses its own PostgreSQL server so the shared one is not disturbed.
 */
class PostgresRestartTest {
    private static final int WRITERS = 16;
    private static final String NET = "load";

    @Test
    void noAcknowledgedLeaseIsLostWhenTheDatabaseRestartsMidLoad() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.create()) {
            String url = cluster.createDatabase("restart");
            PostgresStore.Options options = new PostgresStore.Options(WRITERS + 4, 2, 1000, Duration.ofSeconds(1),
                    Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(1));
            Set<Lease> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger ackedAfterRestart = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();

            try (PostgresStore store = PostgresStore.open(url, cluster.user(), cluster.password(),
                    Clock.fixed(T0, ZoneOffset.UTC), options)) {
                ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        Ipv4Address base = Ipv4Address.parse("198.18.0.0").plus(writer * 4096L);
                        for (int i = 0; i < 4000 && !stop.get() && System.nanoTime() < deadline; i++) {
                            Lease l = bound(NET, base.plus(i), mac(writer * 4096 + i + 1), T0, Duration.ofHours(1));
                            try {
                                WriteResult r = store.leases().put(l, T0);
                                assertThat(r.applied()).isTrue(); // every address is written once
                                acknowledged.add(l);
                                if (restarted.get()) {
                                    ackedAfterRestart.incrementAndGet();
                                }
                            } catch (StoreException e) {
                                failures.incrementAndGet();
                                Thread.sleep(20);
                            }
                        }
                        return null;
                    }));
                }
                try {
                    awaitTrue(() -> acknowledged.size() >= 300, "writes before the crash");
                    cluster.crash();
                    awaitTrue(() -> !store.writable(), "writable() turning false");
                    int ackedWhileDown = acknowledged.size();
                    awaitTrue(() -> failures.get() >= WRITERS, "writes failing while the server is down");
                    // nothing can be acknowledged while there is no server
                    assertThat(acknowledged).hasSize(ackedWhileDown);
                    restarted.set(true);
                    cluster.start();
                    awaitTrue(store::writable, "writable() recovering");
                    awaitTrue(() -> ackedAfterRestart.get() >= 300, "writes after the restart");
                } finally {
                    stop.set(true);
                    pool.shutdown();
                    for (Future<?> f : writers) {
                        f.get(60, TimeUnit.SECONDS); // surfaces assertion failures of the writers
                    }
                }
                assertThat(store.leases().list(NET)).containsAll(acknowledged);
            }

            Set<String> inDb = new HashSet<>();
            try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT host(ip), mac::text FROM leases WHERE network = 'load'")) {
                while (rs.next()) {
                    inDb.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
            for (Lease l : acknowledged) {
                assertThat(inDb).as("acknowledged lease in the database").contains(l.ip() + " " + l.mac());
            }
            assertThat(failures.get()).isPositive();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
