package dev.vmaddr.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.compact.LeaseEntry;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaseCache} against a plain model (a map of address to the newest version, tombstones
 * included; holders found by scanning it), and its lock-free reads under a writer. No database:
 * the cache is memory only; the store tests drive it through PostgreSQL.
 */
class LeaseCacheTest {
    static final String NET = "net";
    static final Instant T = Instant.parse("2026-12-07T00:00:00.123456Z");

    /** One step: kind 0 prunes tombstones, 1-2 remove address {@code ip}, 3-9 apply a row of it; {@code seq} scaled in the property. */
    record Op(int kind, int ip, int holder, long seq, LeaseState state) {}

    static HolderKey holder(int h) {
        // holders 0-5 by MAC, 6-8 by client-id (whatever MAC they come with)
        return h < 6 ? HolderKey.of(null, new MacAddress(0x525400000000L + h))
                : HolderKey.of(new ClientId("01ff" + String.format("%02x", h)), null);
    }

    static Lease lease(int ip, int h, long seq, LeaseState state) {
        HolderKey k = holder(h);
        MacAddress mac = k.mac() != null ? k.mac() : new MacAddress(0x0200_0000_0000L + seq);
        return new Lease(NET, new Ipv4Address(0x0A00_0000 + ip), mac, k.clientId(), seq % 3 == 0 ? null : "vm-" + seq, state,
                T.plusSeconds(seq), T.plusNanos(seq * 1000));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 8), Arbitraries.longs().between(1, 60), Arbitraries.of(LeaseState.class))
                .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(200);
    }

    /** After every step, every read agrees with the model: by address, by holder (newest seq), the count and a full walk. */
    @Property(tries = 300)
    void readsAgreeWithTheModel(@ForAll("ops") List<Op> ops) {
        LeaseCache cache = new LeaseCache();
        Map<Integer, Versioned> rows = new HashMap<>(); // address -> newest version; lease null = tombstone
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            long seq = op.seq() * 1000 + i; // in random order, as polls deliver them, but never equal (seq is a sequence)
            Versioned there = rows.get(op.ip());
            boolean newer = there == null || there.seq() < seq;
            if (op.kind() == 0) {
                cache.pruneTombstones(); // no writer under way: every tombstone goes
                rows.values().removeIf(v -> v.lease() == null);
            } else if (op.kind() <= 2) {
                cache.remove(NET, new Ipv4Address(0x0A00_0000 + op.ip()), seq);
                if (newer) {
                    rows.put(op.ip(), new Versioned(null, seq));
                }
            } else {
                Versioned v = new Versioned(lease(op.ip(), op.holder(), seq, op.state()), seq);
                cache.apply(v);
                if (newer) {
                    rows.put(op.ip(), v);
                }
            }
            check(cache, rows);
        }
    }

    private static void check(LeaseCache cache, Map<Integer, Versioned> rows) {
        List<Lease> live = rows.values().stream().filter(v -> v.lease() != null).map(Versioned::lease).toList();
        for (int ip = 0; ip <= 40; ip++) {
            Versioned v = rows.get(ip);
            assertThat(cache.get(NET, new Ipv4Address(0x0A00_0000 + ip)))
                    .isEqualTo(Optional.ofNullable(v == null ? null : v.lease()));
        }
        for (int h = 0; h <= 8; h++) {
            HolderKey k = holder(h);
            Optional<Lease> newest = rows.values().stream().filter(v -> v.lease() != null && v.lease().holder().equals(k))
                    .max(Comparator.comparingLong(Versioned::seq)).map(Versioned::lease);
            assertThat(cache.findByHolder(NET, k)).as("holder %s", k).isEqualTo(newest);
        }
        assertThat(cache.count()).isEqualTo(live.size());
        List<Lease> walked = new ArrayList<>();
        cache.forEach(walked::add);
        assertThat(walked).containsExactlyInAnyOrderElementsOf(live);
        List<String> occupancy = new ArrayList<>();
        cache.forEachOccupancyIn(NET, (ip, mac, hasClientId, state, expSecond, expNano) ->
                occupancy.add(ip + "/" + mac + "/" + hasClientId + "/" + state + "/" + Instant.ofEpochSecond(expSecond, expNano)));
        assertThat(occupancy).containsExactlyInAnyOrderElementsOf(live.stream().map(l -> l.ip().value() + "/" + l.mac().value()
                + "/" + (l.clientId() != null) + "/" + l.state() + "/" + l.expiresAt()).toList());
        assertThat(cache.get("other", new Ipv4Address(0x0A00_0000))).isEmpty();
    }

    @Test
    void aTombstoneOutlivesTheWritersThatBeganBeforeIt() {
        LeaseCache cache = new LeaseCache();
        Ipv4Address ip = new Ipv4Address(0x0A00_0001);
        cache.apply(new Versioned(lease(1, 0, 5, LeaseState.BOUND), 5));
        long slowPoll = cache.enter();
        cache.remove(NET, ip, 7);
        assertThat(cache.pruneTombstones()).isZero(); // the poll that began before may still apply seq 5
        cache.apply(new Versioned(lease(1, 0, 5, LeaseState.BOUND), 5));
        assertThat(cache.get(NET, ip)).isEmpty();
        cache.exit(slowPoll);
        assertThat(cache.pruneTombstones()).isEqualTo(1);
        assertThat(cache.count()).isZero();
    }

    @Test
    void aReloadForgetsWhatItDidNotSeeAndKeepsWhatWasWrittenMeanwhile() {
        LeaseCache cache = new LeaseCache();
        for (int ip = 0; ip < 30; ip++) {
            cache.apply(new Versioned(lease(ip, ip % 9, ip + 1, LeaseState.BOUND), ip + 1));
        }
        cache.beginReload();
        for (int ip = 0; ip < 10; ip++) { // rows 0-9 still in the table, some older than what is cached
            Lease l = lease(ip, ip % 9, ip + 1, LeaseState.BOUND);
            cache.loadSeen(NET, LeaseEntry.of(l, ip % 2 == 0 ? ip + 1 : 0));
        }
        cache.apply(new Versioned(lease(20, 3, 100, LeaseState.BOUND), 100)); // this server's commit during the reload
        cache.apply(new Versioned(new Lease("new-net", new Ipv4Address(1), new MacAddress(1), null, null, LeaseState.BOUND,
                T, T), 101)); // a network first met during the reload
        assertThat(cache.dropUnseen()).isEqualTo(19); // 10-29 but 20
        Set<Integer> left = new HashSet<>();
        cache.forEachOccupancyIn(NET, (ip, mac, hasClientId, state, expSecond, expNano) -> left.add(ip - 0x0A00_0000));
        assertThat(left).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20);
        assertThat(cache.get("new-net", new Ipv4Address(1))).isPresent();
        assertThat(cache.count()).isEqualTo(12);
        // holder 3 had 3 and 12 (dropped); the commit gave it 20 too, the newest
        assertThat(cache.findByHolder(NET, holder(3))).map(l -> l.ip().value() - 0x0A00_0000).contains(20);
    }

    /**
     * Readers take no lock: while one writer rewrites, removes and prunes addresses (growing and
     * rehashing the tables), readers must only ever see a lease of the address and holder they asked
     * for, never a torn or unrelated one, and never fail. Bounded: 200,000 writes, 20 s.
     */
    @Test
    void lockFreeReadersSeeOnlyWholeEntriesOfWhatTheyAskedFor() throws Exception {
        LeaseCache cache = new LeaseCache();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int seed = r;
            readers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    while (!done.get()) {
                        int ip = rnd.nextInt(5000);
                        cache.get(NET, new Ipv4Address(0x0A00_0000 + ip)).ifPresent(l -> {
                            if (l.ip().value() != 0x0A00_0000 + ip || !l.network().equals(NET)
                                    || l.mac().value() != 0x525400000000L + ip % 50) {
                                throw new AssertionError("asked for " + ip + ", got " + l);
                            }
                        });
                        int h = rnd.nextInt(50);
                        HolderKey k = HolderKey.of(null, new MacAddress(0x525400000000L + h));
                        cache.findByHolder(NET, k).ifPresent(l -> {
                            if (!l.holder().equals(k) || (l.ip().value() - 0x0A00_0000) % 50 != h) {
                                throw new AssertionError("asked for holder " + k + ", got " + l);
                            }
                        });
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        SplittableRandom rnd = new SplittableRandom(42);
        long seq = 0;
        for (int i = 0; i < 200_000 && System.nanoTime() < deadline && failure.get() == null; i++) {
            int ip = rnd.nextInt(5000);
            Ipv4Address addr = new Ipv4Address(0x0A00_0000 + ip);
            if (rnd.nextInt(4) == 0) {
                cache.remove(NET, addr, ++seq);
            } else {
                cache.apply(new Versioned(new Lease(NET, addr, new MacAddress(0x525400000000L + ip % 50), null, "h" + i,
                        LeaseState.BOUND, T, T), ++seq));
            }
            if (i % 1000 == 0) {
                cache.pruneTombstones();
            }
        }
        done.set(true);
        for (Thread t : readers) {
            t.join(10_000);
        }
        assertThat(failure.get()).isNull();
        long live = 0;
        for (int ip = 0; ip < 5000; ip++) {
            live += cache.get(NET, new Ipv4Address(0x0A00_0000 + ip)).isPresent() ? 1 : 0;
        }
        assertThat(cache.count()).isEqualTo(live);
    }
}
