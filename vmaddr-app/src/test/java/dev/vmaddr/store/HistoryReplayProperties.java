package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationException;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolException;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.postgres.PostgresCluster;
import dev.vmaddr.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20: random operations through the allocation engine and the MAC pool on the real embedded
 * store; after each, the history replayed oldest first (through the API's own paging, newest first,
 * then reversed) must give who holds each address and each MAC now. Pages of 3 make every replay
 * cross many cursors.
 *
 * <p>Network 198.18.0.0/28, pool .2-.9; four MACs doing DORA, allocate, release, decline; the MAC
 * pool allocating and releasing; time advancing with expiry reclaimed (or not yet).
 */
class HistoryReplayProperties {
    static final Duration LEASE = Duration.ofSeconds(60);
    static final String NET = "h";

    static MacAddress mac(int i) {
        return new MacAddress(0x0218bb000010L + i);
    }

    static final class World implements AutoCloseable {
        final Path dir;
        final MutableClock clock = new MutableClock();
        final Store store;
        final AllocationEngine engine;
        final MacPool macs;
        final List<MacAddress> pooled = new ArrayList<>();

        /** On the embedded store in a temporary directory. */
        World() {
            try {
                dir = Files.createTempDirectory("vmaddr-history-replay");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            store = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults());
            engine = new AllocationEngine(store, clock, new Random(3), Duration.ofSeconds(20));
            engine.putNetwork(network());
            macs = macPool();
        }

        /** On a store that {@code open} makes with this world's clock (PostgreSQL). */
        World(java.util.function.Function<java.time.Clock, Store> open) {
            dir = null;
            store = open.apply(clock);
            engine = new AllocationEngine(store, clock, new Random(3), Duration.ofSeconds(20));
            engine.putNetwork(network());
            macs = macPool();
        }

        private MacPool macPool() {
            return new MacPool(new MacPoolSpec(MacPoolSpec.KVM_PREFIX, List.of(), Duration.ofSeconds(30)), store.macs(), clock,
                    new Random(4));
        }

        private static NetworkSpec network() {
            return NetworkSpec.builder(NET, Ipv4Prefix.parse("198.18.0.0/28"))
                    .gateway(Ipv4Address.parse("198.18.0.1")).leaseTime(LEASE)
                    .pools(List.of(Ipv4Range.parse("198.18.0.2-198.18.0.9"))).build();
        }

        AllocationRequest req(int m) {
            return new AllocationRequest(mac(m), null, null, null, null);
        }

        void dora(int m) {
            try {
                Lease offered = engine.offer(NET, req(m), Duration.ofSeconds(5));
                engine.bind(NET, req(m), offered.ip());
            } catch (AllocationException e) {
                assertThat(e.reason()).isEqualTo(AllocationException.Reason.EXHAUSTED);
            }
        }

        void offerOnly(int m) {
            try {
                engine.offer(NET, req(m), Duration.ofSeconds(5));
            } catch (AllocationException e) {
                assertThat(e.reason()).isEqualTo(AllocationException.Reason.EXHAUSTED);
            }
        }

        void allocate(int m) {
            try {
                engine.allocate(NET, req(m));
            } catch (AllocationException e) {
                assertThat(e.reason()).isEqualTo(AllocationException.Reason.EXHAUSTED);
            }
        }

        void release(int m) {
            engine.leaseOf(NET, req(m).holder()).ifPresent(l -> engine.release(NET, req(m).holder(), l.ip()));
        }

        /** A DECLINE of the client's last address; refused (NO_LEASE) when that lease has ended already. */
        void decline(int m) {
            engine.leaseOf(NET, req(m).holder()).ifPresent(l -> {
                try {
                    engine.decline(NET, req(m).holder(), l.ip());
                } catch (AllocationException e) {
                    assertThat(e.reason()).isEqualTo(AllocationException.Reason.NO_LEASE);
                }
            });
        }

        void macAllocate(int owner) {
            try {
                pooled.add(macs.allocate("vm/o" + owner + "/nic0"));
            } catch (MacPoolException e) {
                assertThat(e.reason()).isEqualTo(MacPoolException.Reason.EXHAUSTED);
            }
        }

        void macRelease(int which) {
            if (!pooled.isEmpty()) {
                macs.release(pooled.remove(which % pooled.size()));
            }
        }

        void advance(int seconds, boolean reclaim) {
            clock.advance(Duration.ofSeconds(seconds));
            if (reclaim) {
                engine.reclaimExpired();
                macs.reclaimQuarantined();
            }
        }

        /** Every event, oldest first, read through pages of 3 newest first. */
        List<HistoryEvent> replayOrder() {
            List<HistoryEvent> all = new ArrayList<>();
            HistoryQuery q = HistoryQuery.all(3);
            while (true) {
                HistoryPage p = store.history().page(q);
                all.addAll(p.items());
                if (p.next() == null) {
                    break;
                }
                q = q.after(p.next());
            }
            Collections.reverse(all);
            return all;
        }

        void check() {
            Map<Ipv4Address, MacAddress> ipHolders = new HashMap<>();
            Map<MacAddress, String> macOwners = new HashMap<>();
            for (HistoryEvent e : replayOrder()) {
                String kind = HistoryKinds.kind(e.action());
                switch (kind) {
                    case HistoryKinds.LEASE_BOUND -> ipHolders.put(e.ip(), e.mac());
                    case HistoryKinds.LEASE_RELEASED, HistoryKinds.LEASE_EXPIRED, HistoryKinds.LEASE_DECLINED ->
                            ipHolders.remove(e.ip());
                    case HistoryKinds.MAC_ALLOCATED -> macOwners.put(e.mac(), e.holder());
                    case HistoryKinds.MAC_RELEASED -> macOwners.remove(e.mac());
                    default -> { }
                }
            }
            Map<Ipv4Address, MacAddress> boundNow = new HashMap<>();
            for (Lease l : store.leases().list(NET)) {
                if (l.state() == LeaseState.BOUND) {
                    boundNow.put(l.ip(), l.mac());
                }
            }
            Map<MacAddress, String> allocatedNow = new HashMap<>();
            for (MacRecord r : store.macs().list()) {
                if (r.state() == MacState.ALLOCATED) {
                    allocatedNow.put(r.mac(), r.owner());
                }
            }
            assertThat(ipHolders).as("address holders replayed from history vs bound leases").isEqualTo(boundNow);
            assertThat(macOwners).as("MAC owners replayed from history vs allocated MACs").isEqualTo(allocatedNow);
        }

        @Override
        public void close() {
            store.close();
            if (dir == null) {
                return;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Property(tries = 60)
    void replayingTheHistoryGivesTheCurrentHolders(@ForAll("chains") ActionChain<World> chain) {
        World[] last = new World[1];
        try {
            chain.withInvariant("history replays to the current state", w -> {
                last[0] = w;
                w.check();
            }).run();
        } finally {
            if (last[0] != null) {
                last[0].close();
            }
        }
    }

    static PostgresCluster cluster;

    @BeforeContainer
    static void startPostgres() {
        cluster = PostgresCluster.create();
    }

    @AfterContainer
    static void stopPostgres() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The same on PostgreSQL (history written by the triggers of V1, read through V3's indexes): a fresh database a try. */
    @Property(tries = 12)
    void onPostgresqlToo(@ForAll("postgresChains") ActionChain<World> chain) {
        replayingTheHistoryGivesTheCurrentHolders(chain);
    }

    @Provide
    Arbitrary<ActionChain<World>> postgresChains() {
        return actions(ActionChain.startWith(() -> new World(clock -> PostgresStore.open(cluster.createDatabase("replay"),
                cluster.user(), cluster.password(), clock, PostgresStore.Options.defaults()))));
    }

    @Provide
    Arbitrary<ActionChain<World>> chains() {
        return actions(ActionChain.startWith(World::new));
    }

    private static ActionChainArbitrary<World> actions(ActionChainArbitrary<World> start) {
        Arbitrary<Integer> m = Arbitraries.integers().between(0, 3);
        return start
                .withAction(4, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("dora " + i, w -> w.dora(i))))
                .withAction(1, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("offer " + i, w -> w.offerOnly(i))))
                .withAction(2, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("allocate " + i, w -> w.allocate(i))))
                .withAction(2, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("release " + i, w -> w.release(i))))
                .withAction(1, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("decline " + i, w -> w.decline(i))))
                .withAction(2, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("mac allocate " + i, w -> w.macAllocate(i))))
                .withAction(1, (Action.Independent<World>) () -> m.map(i -> Transformer.mutate("mac release " + i, w -> w.macRelease(i))))
                .withAction(2, (Action.Independent<World>) () -> Arbitraries.integers().between(0, 90).flatMap(s ->
                        Arbitraries.of(true, false).map(r -> Transformer.mutate("advance " + s + "s reclaim=" + r,
                                w -> w.advance(s, r)))))
                .withMaxTransformations(25);
    }
}
