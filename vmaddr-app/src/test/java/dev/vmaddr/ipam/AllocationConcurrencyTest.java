package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolException;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several threads run random allocate/offer/renew/release/decline/expire sequences against one
 * engine (and one MAC pool) on a small pool, so they collide constantly. Each thread owns its
 * holders and remembers what the engine granted them; afterwards no address is believed held by
 * two holders (and the store agrees), and no MAC by two owners. Bounded: 4 threads × 150 ops.
 */
class AllocationConcurrencyTest {
    static final int THREADS = 4;
    static final int OPS = 150;

    record Belief(Ipv4Address ip, Instant until, boolean offer) {}

    @Property(tries = 25)
    void noAddressIsEverHeldByTwoHolders(@ForAll long seed) throws Exception {
        MemoryStore store = new MemoryStore();
        MutableClock clock = new MutableClock();
        AllocationEngine engine = new AllocationEngine(store, clock, new Random(seed), Duration.ofSeconds(20));
        engine.putNetwork(new NetworkSpec("c", Ipv4Prefix.parse("198.18.0.0/27"), Ipv4Address.parse("198.18.0.1"), List.of(),
                null, null, null, null, null, null, Duration.ofSeconds(60), null, null,
                List.of(Ipv4Range.parse("198.18.0.2-198.18.0.21")), List.of(Ipv4Range.parse("198.18.0.7")),
                List.of(new Reservation(new MacAddress(0x525400000000L), null, Ipv4Address.parse("198.18.0.25"), null)),
                null, List.of(), List.of()));
        Map<HolderKey, Belief> beliefs = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> run(engine, clock, beliefs, new Random(seed * 31 + thread), thread)));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Instant now = clock.instant();
        Map<Ipv4Address, HolderKey> holders = new HashMap<>();
        for (Map.Entry<HolderKey, Belief> e : beliefs.entrySet()) {
            Belief b = e.getValue();
            if (b != null && b.until().isAfter(now)) {
                HolderKey other = holders.put(b.ip(), e.getKey());
                assertThat(other).as("%s believed held by %s and %s", b.ip(), other, e.getKey()).isNull();
                if (!b.offer()) {
                    assertThat(store.leases().get("c", b.ip()).orElseThrow().holder()).isEqualTo(e.getKey());
                }
            }
        }
        for (Lease l : engine.leases("c", null, Integer.MAX_VALUE, x -> true)) {
            if (l.occupiesAt(now) && l.state() != LeaseState.DECLINED) {
                assertThat(holders.get(l.ip())).as("lease %s", l).isIn(l.holder(), null);
            }
        }
        engine.reclaimExpired();
        PoolStats stats = engine.stats("c");
        assertThat(stats.used() + stats.free()).isEqualTo(stats.size());
    }

    private static void run(AllocationEngine engine, MutableClock clock, Map<HolderKey, Belief> beliefs, Random r, int thread) {
        List<AllocationRequest> mine = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            mine.add(AllocationRequest.of(new MacAddress(0x525400000000L + (thread == 0 && i == 0 ? 0 : thread * 16 + i + 1))));
        }
        for (int op = 0; op < OPS; op++) {
            AllocationRequest req = mine.get(r.nextInt(mine.size()));
            HolderKey h = req.holder();
            Ipv4Address someIp = Ipv4Address.parse("198.18.0.0").plus(r.nextInt(32));
            try {
                switch (r.nextInt(8)) {
                    case 0 -> {
                        Lease l = engine.offer("c", req.withRequestedIp(r.nextBoolean() ? someIp : null), Duration.ofSeconds(5));
                        Belief b = beliefs.get(h);
                        // an offer replaces the belief only when the holder holds nothing bound
                        if (b == null || b.offer() || !b.until().isAfter(clock.instant()) || b.ip().equals(l.ip())) {
                            if (b == null || b.offer() || !b.ip().equals(l.ip())) {
                                beliefs.put(h, new Belief(l.ip(), l.expiresAt(), true));
                            }
                        }
                    }
                    case 1, 2 -> {
                        Belief b = beliefs.get(h);
                        Ipv4Address target = b != null && r.nextInt(4) > 0 ? b.ip() : someIp;
                        Lease l = engine.bind("c", req, target);
                        beliefs.put(h, new Belief(l.ip(), l.expiresAt(), false));
                    }
                    case 3 -> {
                        Lease l = engine.allocate("c", req);
                        beliefs.put(h, new Belief(l.ip(), l.expiresAt(), false));
                    }
                    case 4 -> {
                        Belief b = beliefs.get(h);
                        // a release also withdraws the holder's offer of that address
                        if (b != null && (engine.release("c", h, b.ip()).isPresent() || b.offer())) {
                            beliefs.remove(h);
                        }
                    }
                    case 5 -> {
                        Belief b = beliefs.get(h);
                        if (b != null) {
                            engine.decline("c", h, b.ip());
                            beliefs.remove(h);
                        }
                    }
                    case 6 -> clock.advance(Duration.ofSeconds(r.nextInt(8)));
                    default -> engine.reclaimExpired();
                }
            } catch (AllocationException expected) {
                // refusals are fine; double grants are what we look for
            }
        }
    }

    @Property(tries = 25)
    void noMacIsEverOwnedTwice(@ForAll long seed) throws Exception {
        MemoryStore store = new MemoryStore();
        MutableClock clock = new MutableClock();
        MacPoolSpec spec = new MacPoolSpec(MacPoolSpec.KVM_PREFIX, List.of(new MacPoolSpec.Range(
                MacAddress.parse("52:54:00:00:00:00"), MacAddress.parse("52:54:00:00:00:1f"))), Duration.ofSeconds(10));
        MacPool macs = new MacPool(spec, store.macs(), clock, new Random(seed));
        Map<String, MacAddress> owned = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    Random r = new Random(seed * 17 + thread);
                    for (int op = 0; op < OPS; op++) {
                        String owner = "vm/t" + thread + "-" + r.nextInt(12) + "/nic0";
                        try {
                            switch (r.nextInt(5)) {
                                case 0, 1 -> {
                                    if (!owned.containsKey(owner)) {
                                        owned.put(owner, macs.allocate(owner));
                                    }
                                }
                                case 2 -> {
                                    MacAddress m = new MacAddress(0x525400000000L + r.nextInt(40));
                                    if (!owned.containsKey(owner)) {
                                        macs.claim(m, owner);
                                        owned.put(owner, m);
                                    }
                                }
                                case 3 -> {
                                    MacAddress m = owned.remove(owner);
                                    if (m != null) {
                                        macs.release(m);
                                    }
                                }
                                default -> clock.advance(Duration.ofSeconds(r.nextInt(4)));
                            }
                        } catch (MacPoolException expected) {
                            // exhausted or taken
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<MacAddress, String> byMac = new HashMap<>();
        for (Map.Entry<String, MacAddress> e : owned.entrySet()) {
            String other = byMac.put(e.getValue(), e.getKey());
            assertThat(other).as("%s owned by %s and %s", e.getValue(), other, e.getKey()).isNull();
            assertThat(store.macs().get(e.getValue()).orElseThrow().owner()).isEqualTo(e.getKey());
        }
    }
}
