package dev.vmaddr.store.postgresql;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static dev.vmaddr.store.postgresql.Leases.bound;
import static dev.vmaddr.store.postgresql.Leases.ip;
import static dev.vmaddr.store.postgresql.Leases.mac;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.testing.postgres.PostgresCluster;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lease writes of the DHCP receiver ({@link DeferredDurability} scope) on PostgreSQL: they return at
 * once, share statements, report their own row's commit, and a row another server's lease refuses
 * (or a database outage fails) is reported as not durable for exactly the requests it belongs to.
 */
@ExtendWith(PostgresExtension.class)
class PostgresDeferredDurabilityTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final AtomicInteger NETS = new AtomicInteger();
    private final PostgresDatabase db;

    PostgresDeferredDurabilityTest(PostgresDatabase db) {
        this.db = db;
    }

    private static PostgresStore open(PostgresDatabase db, PostgresStore.Options options) {
        return PostgresStore.open(db.url(), db.user(), db.password(), Clock.fixed(T0, ZoneOffset.UTC), options);
    }

    /** One deferred scope: the put's result, and a future of whenDurable's answer. */
    record Deferred(WriteResult result, CompletableFuture<Boolean> durable) {}

    static Deferred putDeferred(PostgresStore store, Lease lease) {
        DeferredDurability scope = new DeferredDurability();
        WriteResult r = scope.run(() -> store.leases().put(lease, lease.updatedAt()));
        CompletableFuture<Boolean> durable = new CompletableFuture<>();
        scope.whenDurable(durable::complete);
        return new Deferred(r, durable);
    }

    @Test
    void manyRequestsShareOneStatementAndEachIsToldWhenItsRowCommitted() throws Exception {
        String net = "net" + NETS.incrementAndGet();
        AtomicInteger commits = new AtomicInteger();
        AtomicLong written = new AtomicLong();
        try (PostgresStore store = open(db, PostgresStore.Options.defaults())) {
            assertThat(store.defersDurability()).isTrue();
            store.reportCommitsTo((nanos, writes) -> {
                commits.incrementAndGet();
                written.addAndGet(writes);
            });
            List<Deferred> scopes = new ArrayList<>();
            Ipv4Address first = ip("198.18.1.0");
            for (int i = 0; i < 1000; i++) { // one thread, like the receiver: nothing here waits for the database
                scopes.add(putDeferred(store, bound(net, first.plus(i), mac(i + 1), T0, HOUR)));
            }
            for (Deferred d : scopes) {
                assertThat(d.result()).isEqualTo(WriteResult.APPLIED);
                assertThat(d.durable().get(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(rows(db, net)).isEqualTo(1000);
            assertThat(store.leases().get(net, first.plus(999))).isPresent();
            // one statement and one commit per batch, not per lease
            assertThat(written.get()).isEqualTo(1000);
            assertThat(commits.get()).isLessThanOrEqualTo(100);
            System.out.printf("deferred lease writes: %d in %d statements (%.1f per statement)%n", written.get(),
                    commits.get(), written.get() / (double) commits.get());
        }
    }

    @Test
    void aRowAnotherServerTookFailsOnlyItsOwnRequestAndTheNextTryIsRefusedAtOnce() throws Exception {
        String net = "net" + NETS.incrementAndGet();
        // A polls rarely: it has not seen B's lease when its own client asks for the same address
        PostgresStore.Options slowPoll = PostgresStore.Options.defaults().withPollInterval(Duration.ofMinutes(10));
        try (PostgresStore a = open(db, slowPoll); PostgresStore b = open(db, slowPoll)) {
            Ipv4Address taken = ip("198.18.2.10");
            Ipv4Address free = ip("198.18.2.11");
            Lease bs = bound(net, taken, mac(2), T0, HOUR);
            assertThat(b.leases().put(bs, T0)).isEqualTo(WriteResult.APPLIED);

            Deferred lost = putDeferred(a, bound(net, taken, mac(1), T0, HOUR));
            Deferred won = putDeferred(a, bound(net, free, mac(3), T0, HOUR));

            assertThat(lost.result()).isEqualTo(WriteResult.APPLIED); // A could not know yet
            assertThat(lost.durable().get(30, TimeUnit.SECONDS)).isFalse(); // so no ACK
            assertThat(won.durable().get(30, TimeUnit.SECONDS)).isTrue();
            // the refusal brought B's lease into A's cache: the client's retry is refused at once, naming it
            assertThat(a.leases().get(net, taken)).contains(bs);
            Deferred retry = putDeferred(a, bound(net, taken, mac(1), T0.plusSeconds(1), HOUR));
            assertThat(retry.result().applied()).isFalse();
            assertThat(retry.result().current()).isEqualTo(bs);
            assertThat(retry.durable().get(1, TimeUnit.SECONDS)).isTrue(); // nothing was written: nothing to wait for
            assertThat(macAt(db, net, taken)).isEqualTo(bs.mac().toString());
            assertThat(rows(db, net)).isEqualTo(2);
        }
    }

    @Test
    void aClientMovingReleasesAndBindsInOneRequestWithoutFailingTheBatch() throws Exception {
        String net = "net" + NETS.incrementAndGet();
        AtomicInteger commits = new AtomicInteger();
        try (PostgresStore store = open(db, PostgresStore.Options.defaults())) {
            Ipv4Address old = ip("198.18.4.200");
            Ipv4Address next = ip("198.18.4.10"); // sorts before the old one: a shared statement would bind first
            Lease was = bound(net, old, mac(7), T0, HOUR);
            // the committer reports a batch after completing its writes: count from before the first
            // one, and wait for its report, so it is neither counted late nor missed
            store.reportCommitsTo((nanos, writes) -> commits.incrementAndGet());
            assertThat(store.leases().put(was, T0)).isEqualTo(WriteResult.APPLIED);
            awaitAtLeast(commits, 1);
            int before = commits.get();

            DeferredDurability scope = new DeferredDurability();
            List<WriteResult> results = scope.run(() -> List.of(
                    store.leases().put(was.withState(dev.vmaddr.model.LeaseState.RELEASED, T0.plusSeconds(1),
                            T0.plusSeconds(1)), T0.plusSeconds(1)),
                    store.leases().put(bound(net, next, mac(7), T0.plusSeconds(1), HOUR), T0.plusSeconds(1))));
            CompletableFuture<Boolean> durable = new CompletableFuture<>();
            scope.whenDurable(durable::complete);

            assertThat(results).containsOnly(WriteResult.APPLIED);
            assertThat(durable.get(30, TimeUnit.SECONDS)).isTrue();
            awaitAtLeast(commits, before + 2);
            Thread.sleep(200); // a third, late report would be a row-by-row retry
            assertThat(commits.get() - before).as("release and bind in two statements, none retried row by row").isEqualTo(2);
            assertThat(macAt(db, net, next)).isEqualTo(mac(7).toString());
            assertThat(store.leases().findByHolder(net, was.holder()).orElseThrow().ip()).isEqualTo(next);
        }
    }

    @Test
    void whileTheDatabaseIsDownNothingIsDurableAndWritesSucceedAgainOnceItIsBack() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.create()) {
            PostgresDatabase own = new PostgresDatabase(cluster, cluster.createDatabase("deferred"), cluster.user(),
                    cluster.password());
            PostgresStore.Options options = PostgresStore.Options.defaults().withPollInterval(Duration.ofMillis(100));
            try (PostgresStore store = open(own, options)) {
                Deferred before = putDeferred(store, bound("lan", ip("198.18.3.1"), mac(1), T0, HOUR));
                assertThat(before.durable().get(30, TimeUnit.SECONDS)).isTrue();

                cluster.stop();
                boolean sawRefusal = false;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 2; !sawRefusal && System.nanoTime() < deadline; i++) {
                    try {
                        Deferred during = putDeferred(store, bound("lan", ip("198.18.3.0").plus(i), mac(i), T0, HOUR));
                        assertThat(during.durable().get(60, TimeUnit.SECONDS)).as("written while the database is down").isFalse();
                    } catch (StoreException e) {
                        sawRefusal = true; // the store knows the database is away: refused at once
                        assertThat(store.writable()).isFalse();
                    }
                }
                assertThat(sawRefusal).as("deferred writes refused at once while the database is down").isTrue();

                cluster.start();
                Deferred after = null;
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (after == null && System.nanoTime() < deadline) {
                    try {
                        after = putDeferred(store, bound("lan", ip("198.18.3.200"), mac(200), T0, HOUR));
                    } catch (StoreException e) {
                        Thread.sleep(50); // not noticed the database is back yet
                    }
                }
                assertThat(after).isNotNull();
                assertThat(after.durable().get(30, TimeUnit.SECONDS)).isTrue();
                assertThat(macAt(own, "lan", ip("198.18.3.200"))).isEqualTo(mac(200).toString());
                assertThat(macAt(own, "lan", ip("198.18.3.1"))).isEqualTo(mac(1).toString());
            }
        }
    }

    static int rows(PostgresDatabase db, String net) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM leases WHERE network = ?")) {
            ps.setString(1, net);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static String macAt(PostgresDatabase db, String net, Ipv4Address ip) throws Exception {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT mac::text FROM leases WHERE network = ? AND ip = ?::inet")) {
            ps.setString(1, net);
            ps.setString(2, ip.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void awaitAtLeast(AtomicInteger counter, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
