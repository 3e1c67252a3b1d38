package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static dev.vmaddr.store.postgresql.Leases.bound;
import static dev.vmaddr.store.postgresql.Leases.boundById;
import static dev.vmaddr.store.postgresql.Leases.ip;
import static dev.vmaddr.store.postgresql.Leases.mac;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Semantics of the PostgreSQL store that the database enforces (conditional lease put, MAC claim,
 * history triggers), and what one server sees of another's writes.
 */
@ExtendWith(PostgresExtension.class)
class PostgresStoreTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private final PostgresDatabase db;
    private String net;
    private PostgresStore store;

    PostgresStoreTest(PostgresDatabase db) {
        this.db = db;
    }

    private static int nets;

    @BeforeEach
    void open() {
        net = "net" + (++nets); // one database per class: each test uses its own network
        store = open(PostgresStore.Options.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private PostgresStore open(PostgresStore.Options options) {
        return PostgresStore.open(db.url(), db.user(), db.password(), Clock.fixed(T0, ZoneOffset.UTC), options);
    }

    @Test
    void putsIntoAFreeAddressAndReadsItBack() {
        Lease l = bound(net, ip("198.18.0.10"), mac(1), T0, HOUR);
        assertThat(store.leases().put(l, T0)).isEqualTo(WriteResult.APPLIED);
        assertThat(store.leases().get(net, l.ip())).contains(l);
        assertThat(store.leases().findByHolder(net, l.holder())).contains(l);
        assertThat(store.leases().list(net)).containsExactly(l);
    }

    @Test
    void refusesAnotherHolderWhileTheAddressIsOccupiedAndNamesTheHolder() {
        Lease first = bound(net, ip("198.18.0.11"), mac(1), T0, HOUR);
        store.leases().put(first, T0);
        Lease second = bound(net, first.ip(), mac(2), T0.plusSeconds(10), HOUR);

        WriteResult r = store.leases().put(second, T0.plusSeconds(10));

        assertThat(r.applied()).isFalse();
        assertThat(r.current()).isEqualTo(first);
        assertThat(store.leases().get(net, first.ip())).contains(first);
    }

    @Test
    void theSameHolderRenewsAndAnotherTakesOverOnceExpiredOrReleased() {
        Ipv4Address a = ip("198.18.0.12");
        Lease first = bound(net, a, mac(1), T0, HOUR);
        store.leases().put(first, T0);
        Lease renewed = bound(net, a, mac(1), T0.plusSeconds(600), HOUR);
        assertThat(store.leases().put(renewed, T0.plusSeconds(600)).applied()).isTrue();

        // expired by time: at expiresAt the address is free (occupiesAt is strict)
        Instant end = renewed.expiresAt();
        Lease other = bound(net, a, mac(2), end, HOUR);
        assertThat(store.leases().put(other, end.minusNanos(1000)).applied()).isFalse();
        assertThat(store.leases().put(other, end).applied()).isTrue();

        Lease released = other.withState(LeaseState.RELEASED, end.plusSeconds(1), end.plusSeconds(1));
        assertThat(store.leases().put(released, end.plusSeconds(1)).applied()).isTrue();
        Lease third = bound(net, a, mac(3), end.plusSeconds(2), HOUR);
        assertThat(store.leases().put(third, end.plusSeconds(2)).applied()).isTrue();
        assertThat(store.leases().get(net, a)).contains(third);
    }

    /**
     * putAll is one transaction: when one of its leases is refused by the database as a whole (the
     * holder's second bound lease, unique index leases_one_bound_per_holder), none of the others is
     * written either, and neither this server nor another one sees any of them.
     */
    @Test
    void putAllIsOneTransactionThatWritesNothingWhenTheDatabaseRefusesOneLease() {
        Lease held = bound(net, ip("198.18.0.20"), mac(1), T0, HOUR);
        store.leases().put(held, T0);
        List<Lease> batch = List.of(bound(net, ip("198.18.0.21"), mac(2), T0, HOUR), bound(net, ip("198.18.0.22"), mac(1), T0, HOUR));

        assertThatThrownBy(() -> store.leases().putAll(batch, T0)).isInstanceOf(dev.vmaddr.store.StoreException.class);

        assertThat(store.leases().get(net, ip("198.18.0.21"))).isEmpty();
        assertThat(store.leases().list(net)).containsExactly(held);
        try (PostgresStore other = open(PostgresStore.Options.defaults())) {
            assertThat(other.leases().list(net)).containsExactly(held);
        }
        // without the clash the same call writes both others at once
        List<WriteResult> ok = store.leases().putAll(List.of(batch.getFirst(), bound(net, ip("198.18.0.23"), mac(3), T0, HOUR)), T0);
        assertThat(ok).containsExactly(WriteResult.APPLIED, WriteResult.APPLIED);
        assertThat(store.leases().list(net)).hasSize(3);
    }

    @Test
    void aClientIdIsTheHolderWhateverItsMac() {
        Ipv4Address a = ip("198.18.0.13");
        store.leases().put(boundById(net, a, mac(1), "01aabb", T0, HOUR), T0);
        Lease sameIdNewMac = boundById(net, a, mac(9), "01aabb", T0.plusSeconds(1), HOUR);
        assertThat(store.leases().put(sameIdNewMac, T0.plusSeconds(1)).applied()).isTrue();
        // the same MAC without the client-id is another holder
        Lease macOnly = bound(net, a, mac(9), T0.plusSeconds(2), HOUR);
        assertThat(store.leases().put(macOnly, T0.plusSeconds(2)).current()).isEqualTo(sameIdNewMac);
        assertThat(store.leases().findByHolder(net, sameIdNewMac.holder())).contains(sameIdNewMac);
    }

    @Test
    void findByHolderGivesTheMostRecentlyWrittenLeaseAndForgetsOverwrittenOnes() {
        Lease old = bound(net, ip("198.18.0.20"), mac(1), T0, Duration.ZERO).withState(LeaseState.EXPIRED, T0, T0);
        Lease current = bound(net, ip("198.18.0.21"), mac(1), T0.plusSeconds(5), HOUR);
        store.leases().put(old, T0);
        store.leases().put(current, T0.plusSeconds(5));
        assertThat(store.leases().findByHolder(net, current.holder())).contains(current);

        Lease taker = bound(net, ip("198.18.0.21"), mac(2), current.expiresAt(), HOUR);
        store.leases().put(taker, current.expiresAt());
        assertThat(store.leases().findByHolder(net, current.holder())).contains(old);
    }

    @Test
    void keepsLeasesAcrossReopenAndShowsOtherServersWrites() {
        Lease l = bound(net, ip("198.18.0.30"), mac(1), T0, HOUR);
        try (PostgresStore other = open(PostgresStore.Options.defaults().withPollInterval(Duration.ofMillis(20)))) {
            store.leases().put(l, T0);
            await(() -> other.leases().get(net, l.ip()), Optional.of(l));
            assertThat(other.leases().findByHolder(net, l.holder())).contains(l);

            assertThat(store.leases().remove(net, l.ip())).isTrue();
            assertThat(store.leases().get(net, l.ip())).isEmpty();
            await(() -> other.leases().get(net, l.ip()), Optional.empty());
            assertThat(other.leases().findByHolder(net, l.holder())).isEmpty();
            assertThat(store.leases().remove(net, l.ip())).isFalse();
        }
        Lease again = bound(net, ip("198.18.0.31"), mac(2), T0, HOUR);
        store.leases().put(again, T0);
        store.close();
        store = open(PostgresStore.Options.defaults());
        assertThat(store.leases().list(net)).containsExactly(again);
    }

    @Test
    void timesAreKeptToTheMicrosecond() {
        Instant now = T0.plusNanos(123_456_789);
        Lease l = bound(net, ip("198.18.0.40"), mac(1), now, HOUR);
        store.leases().put(l, now);
        Lease stored = store.leases().get(net, l.ip()).orElseThrow();
        assertThat(stored.updatedAt()).isEqualTo(T0.plusNanos(123_456_000));
        store.close();
        store = open(PostgresStore.Options.defaults());
        assertThat(store.leases().get(net, l.ip())).contains(stored);
    }

    @Test
    void aBatchWithABadRowStillWritesItsNeighbours() throws Exception {
        Lease bad = new Lease(net, ip("198.18.0.50"), mac(1), null, "nul\u0000byte", LeaseState.BOUND, T0.plus(HOUR), T0);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Object>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    try {
                        return n == 0 ? store.leases().put(bad, T0)
                                : store.leases().put(bound(net, ip("198.18.0." + (50 + n)), mac(n + 1), T0, HOUR), T0);
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            assertThat(results.get(0).get()).isInstanceOf(dev.vmaddr.store.StoreException.class);
            for (int i = 1; i < 8; i++) {
                assertThat(results.get(i).get()).isEqualTo(WriteResult.APPLIED);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.leases().get(net, bad.ip())).isEmpty();
        assertThat(store.writable()).isTrue();
    }

    @Test
    void historyOfAnAddressIsWrittenByTheDatabase() {
        Ipv4Address a = ip("198.18.0.60");
        Lease l = bound(net, a, mac(1), T0, HOUR);
        store.leases().put(l, T0);
        store.leases().put(bound(net, a, mac(1), T0.plusSeconds(60), HOUR), T0.plusSeconds(60)); // renewal: no event
        store.leases().put(l.withState(LeaseState.RELEASED, T0.plusSeconds(90), T0.plusSeconds(90)), T0.plusSeconds(90));
        store.history().append(new HistoryEvent(T0.plusSeconds(100), net, a, mac(1), "vm/web1/nic0", "nic-moved"));

        List<HistoryEvent> events = store.history().query(a, null, null, null, null, 10);
        assertThat(events).extracting(HistoryEvent::action).containsExactly("bound", "released", "nic-moved");
        assertThat(events.get(0)).isEqualTo(new HistoryEvent(T0, net, a, mac(1), "mac:" + mac(1), "bound"));
        assertThat(store.history().query(null, null, "web1", null, null, 10)).hasSize(1);
        assertThat(store.history().query(a, null, null, T0.plusSeconds(1), T0.plusSeconds(100), 10))
                .extracting(HistoryEvent::action).containsExactly("released");
    }

    @Test
    void aMacIsClaimedOnceUntilItsQuarantineEnds() {
        var m = mac(0x77);
        assertThat(store.macs().claim(new MacRecord(m, MacState.ALLOCATED, "vm/a/nic0", null, T0), T0)).isTrue();
        assertThat(store.macs().claim(new MacRecord(m, MacState.ALLOCATED, "vm/a/nic0", null, T0), T0)).isTrue();
        assertThat(store.macs().claim(new MacRecord(m, MacState.ALLOCATED, "vm/b/nic0", null, T0), T0)).isFalse();

        Instant until = T0.plus(HOUR);
        store.macs().put(new MacRecord(m, MacState.QUARANTINED, null, until, T0.plusSeconds(1)));
        assertThat(store.macs().claim(new MacRecord(m, MacState.ALLOCATED, "vm/b/nic0", null, T0), until.minusSeconds(1))).isFalse();
        assertThat(store.macs().claim(new MacRecord(m, MacState.ALLOCATED, "vm/b/nic0", null, until), until)).isTrue();
        assertThat(store.macs().get(m)).contains(new MacRecord(m, MacState.ALLOCATED, "vm/b/nic0", null, until));
        assertThat(store.history().query(null, m, null, null, null, 10)).extracting(HistoryEvent::action)
                .containsExactly("mac-allocated", "mac-released", "mac-allocated");
        assertThat(store.macs().remove(m)).isTrue();
        assertThat(store.macs().get(m)).isEmpty();
    }

    @Test
    void networksAndDocumentsRoundTripAndDeletingANetworkDropsItsLeases() throws Exception {
        NetworkSpec spec = NetworkSpec.of(net, Ipv4Prefix.parse("198.18.0.0/24"), ip("198.18.0.1"),
                List.of(Ipv4Range.parse("198.18.0.100-198.18.0.199")));
        store.networks().put(spec);
        assertThat(store.networks().get(net)).contains(spec);
        assertThat(store.networks().list()).contains(spec);
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT spec->>'cidr' FROM networks WHERE name = '" + net + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("198.18.0.0/24"); // readable in SQL
        }
        store.leases().put(bound(net, ip("198.18.0.100"), mac(1), T0, HOUR), T0);
        assertThat(store.networks().delete(net)).isTrue();
        assertThat(store.networks().get(net)).isEmpty();
        assertThat(store.leases().list(net)).isEmpty();
        assertThat(store.networks().delete(net)).isFalse();

        store.documents().put("vm", net + "-b", "{\"name\": \"b\"}");
        store.documents().put("vm", net + "-a", "{\"name\":\"a\"}");
        assertThat(store.documents().get("vm", net + "-b")).contains("{\"name\": \"b\"}");
        assertThat(store.documents().list("vm").keySet()).containsSubsequence(net + "-a", net + "-b");
        assertThat(store.documents().delete("vm", net + "-a")).isTrue();
        assertThat(store.documents().get("vm", net + "-a")).isEmpty();
    }

    @Test
    void openRefusesAUrlThatIsNotPostgresql() {
        assertThatThrownBy(() -> PostgresStore.open("jdbc:mysql://x/y", "u", "p", Clock.systemUTC(),
                PostgresStore.Options.defaults())).hasMessageContaining("postgresql.url");
    }

    @Test
    void heldAddressesAreCounted() {
        long before = store.leases().count();
        store.leases().put(bound(net, ip("198.18.0.70"), mac(1), T0, HOUR), T0);
        store.leases().put(bound(net, ip("198.18.0.71"), mac(2), T0, HOUR), T0);
        assertThat(store.leases().count()).isEqualTo(before + 2);
        List<Lease> all = new java.util.ArrayList<>();
        store.leases().forEach(all::add);
        assertThat(all).hasSize((int) before + 2);
        assertThat(store.leases().findByHolder(net, HolderKey.of(null, mac(99)))).isEmpty();
    }

    /** Waits (bounded) for another server's poll to show a change. */
    // ------------------------------------------------------------------ one bound lease per holder (issue 8)

    @Test
    void aHolderBoundThroughOneServerIsRefusedASecondAddressByTheOtherBeforeItPolled() throws Exception {
        try (PostgresStore other = open(PostgresStore.Options.defaults().withPollInterval(Duration.ofHours(1)))) {
            Lease first = bound(net, ip("198.18.5.1"), mac(51), T0, HOUR);
            assertThat(store.leases().put(first, T0).applied()).isTrue();
            assertThat(other.leases().findByHolder(net, first.holder())).isEmpty(); // it has not polled

            WriteResult second = other.leases().put(bound(net, ip("198.18.5.2"), mac(51), T0.plusSeconds(1), HOUR),
                    T0.plusSeconds(1));
            assertThat(second.applied()).isFalse();
            assertThat(second.current()).isEqualTo(first);
            assertThat(other.leases().findByHolder(net, first.holder())).contains(first); // learned from the refusal
            assertThat(other.leases().get(net, ip("198.18.5.2"))).isEmpty();
            assertThat(boundRowsOf(mac(51))).isEqualTo(1);

            // the same holder renewing its address through the other server is fine
            Lease renewed = bound(net, ip("198.18.5.1"), mac(51), T0.plusSeconds(2), HOUR);
            assertThat(other.leases().put(renewed, T0.plusSeconds(2)).applied()).isTrue();
        }
    }

    @Test
    void aBoundLeaseThatRanOutIsExpiredWhenItsHolderBindsAnotherAddress() throws Exception {
        Lease old = bound(net, ip("198.18.5.10"), mac(52), T0, Duration.ofSeconds(60));
        assertThat(store.leases().put(old, T0).applied()).isTrue();

        Instant later = T0.plusSeconds(120);
        Lease next = bound(net, ip("198.18.5.11"), mac(52), later, HOUR);
        assertThat(store.leases().put(next, later).applied()).isTrue();
        assertThat(store.leases().get(net, old.ip()).orElseThrow().state()).isEqualTo(LeaseState.EXPIRED);
        assertThat(store.leases().findByHolder(net, next.holder())).contains(next);
        assertThat(boundRowsOf(mac(52))).isEqualTo(1);
    }

    @Test
    void twoServersBindingOneHolderAtOnceLeaveItOneBoundLease() throws Exception {
        try (PostgresStore other = open(PostgresStore.Options.defaults().withPollInterval(Duration.ofHours(1)));
             var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < 20; round++) {
                MacAddress holder = mac(600 + round);
                Lease viaA = bound(net, ip("198.18.6." + round), holder, T0, HOUR);
                Lease viaB = bound(net, ip("198.18.7." + round), holder, T0, HOUR);
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                var a = pool.submit(() -> {
                    go.await();
                    return store.leases().put(viaA, T0);
                });
                var b = pool.submit(() -> {
                    go.await();
                    return other.leases().put(viaB, T0);
                });
                go.countDown();
                WriteResult ra = a.get(30, java.util.concurrent.TimeUnit.SECONDS);
                WriteResult rb = b.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(ra.applied() ^ rb.applied()).as("round %d: exactly one applied (%s, %s)", round, ra, rb).isTrue();
                Lease winner = ra.applied() ? viaA : viaB;
                assertThat(ra.applied() ? rb.current() : ra.current()).isEqualTo(winner);
                assertThat(boundRowsOf(holder)).isEqualTo(1);
            }
        }
    }

    // ------------------------------------------------------------------ removal retention (issue 8)

    @Test
    void removalsArePrunedAfterTheRetentionAndAServerAwayLongerReloads() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (PostgresStore other = PostgresStore.open(db.url(), db.user(), db.password(), clock,
                PostgresStore.Options.defaults().withPollInterval(Duration.ofHours(24)))) {
            Lease gone = bound(net, ip("198.18.8.1"), mac(81), T0, HOUR);
            Lease recent = bound(net, ip("198.18.8.2"), mac(82), T0, HOUR);
            store.leases().put(gone, T0);
            store.leases().put(recent, T0);
            other.refreshLeases();
            assertThat(other.leases().get(net, gone.ip())).contains(gone);

            // "other" is away; the removal of one lease is older than the retention when it comes back
            store.leases().remove(net, gone.ip());
            sql("UPDATE lease_removals SET removed_at = now() - interval '2 hours' WHERE ip = '198.18.8.1'");
            store.leases().remove(net, recent.ip());
            clock.advance(ChangePoller.REMOVAL_RETENTION.dividedBy(2).plusSeconds(1));
            other.refreshLeases();

            assertThat(removalsOf("198.18.8.1")).as("pruned").isZero();
            assertThat(removalsOf("198.18.8.2")).as("kept: within the retention").isEqualTo(1);
            // the pruned removal was not there to poll: the server reloaded and forgot the lease anyway
            assertThat(other.leases().get(net, gone.ip())).isEmpty();
            assertThat(other.leases().get(net, recent.ip())).isEmpty();
            assertThat(other.leases().findByHolder(net, gone.holder())).isEmpty();
        }
    }

    private long boundRowsOf(MacAddress mac) throws Exception {
        return count("SELECT count(*) FROM leases WHERE network = '" + net + "' AND mac = '" + mac + "' AND state = 'bound'");
    }

    private long removalsOf(String ip) throws Exception {
        return count("SELECT count(*) FROM lease_removals WHERE network = '" + net + "' AND ip = '" + ip + "'");
    }

    private long count(String query) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void sql(String update) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate(update);
        }
    }

    private static <T> void await(Supplier<T> actual, T expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!expected.equals(actual.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(actual.get()).isEqualTo(expected);
    }
}
