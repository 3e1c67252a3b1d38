package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static dev.vmaddr.store.postgresql.Leases.boundById;
import static dev.vmaddr.store.postgresql.Leases.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15: one MAC with two client-ids (PXE firmware without one, then the OS with one; or two
 * guests' clients) against two servers sharing PostgreSQL never ends with two bound leases for the
 * MAC: unique index {@code leases_one_bound_per_mac} (migration V4), the writer told which lease of
 * the MAC is bound, and the engine then taking that lease over.
 */
@ExtendWith(PostgresExtension.class)
class PostgresOneBoundPerMacTest {
    // one database per test class (PostgresExtension): each test its own network
    private static final String NET = "shared";
    private static final String RUN_OUT = "runout";
    private static final String ENGINES = "engines";
    private static final int MACS = 40;

    /** The two servers race, each writing the MAC's lease under its own client-id at its own address. */
    @Test
    void twoServersTwoClientIdsOneMacOneBoundLease(PostgresDatabase db) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try (PostgresStore a = open(db, Clock.fixed(T0, ZoneOffset.UTC)); PostgresStore b = open(db, Clock.fixed(T0, ZoneOffset.UTC))) {
            List<Future<WriteResult>> fromA = new ArrayList<>();
            List<Future<WriteResult>> fromB = new ArrayList<>();
            for (int i = 0; i < MACS; i++) {
                Lease onA = boundById(NET, Ipv4Address.parse("198.18.0.10").plus(i), mac(i), "ff01" + hex(i), T0, Duration.ofHours(1));
                Lease onB = boundById(NET, Ipv4Address.parse("198.18.0.100").plus(i), mac(i), "ff02" + hex(i), T0, Duration.ofHours(1));
                fromA.add(pool.submit(() -> { go.await(); return a.leases().put(onA, T0); }));
                fromB.add(pool.submit(() -> { go.await(); return b.leases().put(onB, T0); }));
            }
            go.countDown();
            for (int i = 0; i < MACS; i++) {
                WriteResult ra = fromA.get(i).get(60, TimeUnit.SECONDS);
                WriteResult rb = fromB.get(i).get(60, TimeUnit.SECONDS);
                assertThat(ra.applied() ^ rb.applied()).as("exactly one of the two writes of MAC %d applied", i).isTrue();
                WriteResult loser = ra.applied() ? rb : ra;
                assertThat(loser.current().mac()).isEqualTo(mac(i));
                assertThat(loser.current().clientId().hex()).isEqualTo((ra.applied() ? "ff01" : "ff02") + hex(i));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(macsBoundTwice(db)).isZero();
        assertThat(count(db, "SELECT count(*) FROM leases WHERE state = 'bound' AND network = '" + NET + "'")).isEqualTo(MACS);
    }

    /** The MAC's other bound lease has run out but is not marked yet: it is marked expired, the write goes in. */
    @Test
    void aRunOutLeaseOfTheMacGivesWay(PostgresDatabase db) throws SQLException {
        try (PostgresStore a = open(db, Clock.fixed(T0, ZoneOffset.UTC)); PostgresStore b = open(db, Clock.fixed(T0, ZoneOffset.UTC))) {
            assertThat(a.leases().put(boundById(RUN_OUT, Leases.ip("198.18.0.10"), mac(1), "ff01", T0, Duration.ofMinutes(1)), T0).applied()).isTrue();
            var later = T0.plus(Duration.ofMinutes(2));
            assertThat(b.leases().put(boundById(RUN_OUT, Leases.ip("198.18.0.11"), mac(1), "ff02", later, Duration.ofHours(1)), later).applied()).isTrue();
            assertThat(b.leases().get(RUN_OUT, Leases.ip("198.18.0.10")).orElseThrow().state().wireName()).isEqualTo("expired");
        }
        assertThat(macsBoundTwice(db)).isZero();
    }

    /**
     * Two allocation engines ("servers") on one database, neither polling the other: the machine asks
     * A without a client-id and B with one (or with two client-ids), at once, many times over. Each
     * MAC ends with one bound lease, and whichever server answered last gave the MAC's address.
     */
    @Test
    void twoEnginesTakeTheMacsLeaseOverInsteadOfBindingASecond(PostgresDatabase db) throws Exception {
        Clock clock = Clock.systemUTC();
        NetworkSpec net = NetworkSpec.builder(ENGINES, Ipv4Prefix.parse("198.18.0.0/24")).gateway(Ipv4Address.parse("198.18.0.1"))
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.250"))).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (PostgresStore sa = open(db, clock); PostgresStore sb = open(db, clock)) {
            AllocationEngine a = new AllocationEngine(sa, clock, new Random(1));
            a.putNetwork(net);
            AllocationEngine b = new AllocationEngine(sb, clock, new Random(2));
            b.putNetwork(net);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Lease>> done = new ArrayList<>();
            for (int i = 0; i < MACS; i++) {
                MacAddress m = mac(0x100 + i);
                ClientId first = i % 2 == 0 ? null : new ClientId("ff01" + hex(i)); // even: firmware without one
                ClientId second = new ClientId("ff02" + hex(i));
                done.add(pool.submit(() -> { go.await(); return a.allocate(ENGINES, new AllocationRequest(m, first, null, null, null)); }));
                done.add(pool.submit(() -> { go.await(); return b.allocate(ENGINES, new AllocationRequest(m, second, null, null, null)); }));
            }
            go.countDown();
            for (Future<Lease> f : done) {
                f.get(120, TimeUnit.SECONDS); // every allocation answered, none refused
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(macsBoundTwice(db)).isZero();
        assertThat(count(db, "SELECT count(DISTINCT mac) FROM leases WHERE state = 'bound' AND network = '" + ENGINES + "'"))
                .isEqualTo(MACS);
    }

    /** Migration V3 on a database written before it: each MAC keeps its most recent bound lease. */
    @Test
    void migrationReleasesOlderDuplicatesOfAMac(PostgresDatabase classDb) throws Exception {
        PostgresDatabase db = new PostgresDatabase(classDb.cluster(), classDb.cluster().createDatabase("OneBoundPerMacV3"),
                classDb.user(), classDb.password()); // a database of its own, migrated to V2 only
        Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration")
                .target("2").load().migrate();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < 2; i++) {
                s.executeUpdate("INSERT INTO leases (network, ip, mac, client_id, state, expires_at, updated_at, written_at,"
                        + " seq, txid) VALUES ('" + NET + "', '198.18.0." + (10 + i) + "', '52:54:00:00:00:01', 'ff0" + i
                        + "', 'bound', now() + interval '1 hour', now(), now(), nextval('change_seq'), pg_current_xact_id())");
            }
        }
        assertThat(macsBoundTwice(db)).isEqualTo(1);
        try (PostgresStore s = open(db, Clock.systemUTC())) {
            assertThat(s.leases().get(NET, Leases.ip("198.18.0.11")).orElseThrow().state().wireName()).isEqualTo("bound");
            assertThat(s.leases().get(NET, Leases.ip("198.18.0.10")).orElseThrow().state().wireName()).isEqualTo("released");
        }
        assertThat(macsBoundTwice(db)).isZero();
    }

    private static String hex(int i) {
        return String.format("%04x", i);
    }

    private static long macsBoundTwice(PostgresDatabase db) throws SQLException {
        return count(db, "SELECT count(*) FROM (SELECT network, mac FROM leases WHERE state = 'bound'"
                + " GROUP BY network, mac HAVING count(*) > 1) d");
    }

    private static long count(PostgresDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static PostgresStore open(PostgresDatabase db, Clock clock) {
        return PostgresStore.open(db.url(), db.user(), db.password(), clock, PostgresStore.Options.defaults());
    }
}
