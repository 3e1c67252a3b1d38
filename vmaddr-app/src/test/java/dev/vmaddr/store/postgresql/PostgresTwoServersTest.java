package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static dev.vmaddr.store.postgresql.Leases.bound;
import static dev.vmaddr.store.postgresql.Leases.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two PostgresStore instances ("servers") on one database, many clients at once racing for a pool
 * smaller than the number of clients, each client trying the addresses in its own order through
 * {@code LeaseStore.put}. The database must give every address to at most one client, tell the
 * losers who won, and leave the surplus clients with nothing (exhaustion).
 */
@ExtendWith(PostgresExtension.class)
class PostgresTwoServersTest {
    private static final int ADDRESSES = 24;
    private static final int CLIENTS = 64;
    private static final String NET = "shared";

    @Test
    void twoServersNeverGiveOneAddressToTwoClients(PostgresDatabase db) throws Exception {
        List<Ipv4Address> pool = new ArrayList<>();
        for (int i = 0; i < ADDRESSES; i++) {
            pool.add(Ipv4Address.parse("198.18.0.100").plus(i));
        }
        Map<Ipv4Address, Lease> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        AtomicInteger exhausted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (PostgresStore a = open(db); PostgresStore b = open(db)) {
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    PostgresStore server = client % 2 == 0 ? a : b;
                    done.add(clients.submit(() -> {
                        go.await();
                        for (int k = 0; k < ADDRESSES; k++) {
                            // each client walks the pool from its own starting point, like a random allocator
                            Ipv4Address ip = pool.get((client * 7 + k) % ADDRESSES);
                            Lease want = bound(NET, ip, mac(client + 1), T0, Duration.ofHours(1));
                            WriteResult r = server.leases().put(want, T0);
                            if (r.applied()) {
                                Lease previous = acknowledged.putIfAbsent(ip, want);
                                assertThat(previous).as("address %s acknowledged twice", ip).isNull();
                                return null;
                            }
                            assertThat(r.current().holder()).isNotEqualTo(want.holder());
                            assertThat(r.current().ip()).isEqualTo(ip);
                            conflicts.incrementAndGet();
                        }
                        exhausted.incrementAndGet();
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
        }

        assertThat(acknowledged).hasSize(ADDRESSES);
        assertThat(exhausted).hasValue(CLIENTS - ADDRESSES);
        assertThat(conflicts.get()).isPositive();
        assertThat(acknowledged.values().stream().map(Lease::holder).distinct()).hasSize(ADDRESSES);

        // the database's own view: one row per address, one address per client, exactly the acknowledged ones
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("""
                    SELECT count(*), count(DISTINCT ip), count(DISTINCT mac) FROM leases
                    WHERE network = 'shared' AND state = 'bound'""")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(ADDRESSES);
                assertThat(rs.getLong(2)).isEqualTo(ADDRESSES);
                assertThat(rs.getLong(3)).isEqualTo(ADDRESSES);
            }
            Map<Ipv4Address, String> rows = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT host(ip), mac::text FROM leases WHERE network = 'shared'")) {
                while (rs.next()) {
                    rows.put(Ipv4Address.parse(rs.getString(1)), rs.getString(2));
                }
            }
            Map<Ipv4Address, String> expected = new HashMap<>();
            acknowledged.forEach((ip, l) -> expected.put(ip, l.mac().toString()));
            assertThat(rows).isEqualTo(expected);
            try (ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM history WHERE network = 'shared' AND action = 'bound'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(ADDRESSES);
            }
        }
    }

    private static PostgresStore open(PostgresDatabase db) {
        return PostgresStore.open(db.url(), db.user(), db.password(), Clock.fixed(T0, ZoneOffset.UTC),
                PostgresStore.Options.defaults());
    }
}
