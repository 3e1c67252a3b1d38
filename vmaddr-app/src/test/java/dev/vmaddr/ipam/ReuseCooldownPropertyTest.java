package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.Store;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.testing.EveryStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20 item 2 (whereabouts#288): for any sequence of API allocations, DHCP exchanges (with and
 * without a requested address, offers left to lapse), releases, expiries and engine restarts, a
 * client never gets an address another client used while a never-used one, or one freed longer
 * ago, is free; and a client whose own former address is free gets it back (sticky).
 *
 * <p>Checked against a model of the pool on every store: memory, embedded and PostgreSQL (its own
 * throw-away server, since jqwik runs no JUnit extensions). Each try has a network of its own on
 * the shared stores; the clock moves a whole second before every step, so every free time is
 * exact in each store and ties happen only inside an expiry pass.
 */
class ReuseCooldownPropertyTest {
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration HOLD = Duration.ofSeconds(5);
    static final int CLIENTS = 10;
    /** Pool 198.18.0.2-.9 of a /28: eight addresses for ten clients, so the pool runs out and reuse is forced. */
    static final List<Ipv4Address> POOL = IntStream.rangeClosed(2, 9).mapToObj(i -> Ipv4Address.parse("198.18.0." + i)).toList();
    static final AtomicInteger NETWORKS = new AtomicInteger();

    static EveryStore every;
    static Map<String, Store> stores;

    @BeforeContainer
    static void open() throws IOException {
        every = EveryStore.open("cooldown");
        stores = every.byName();
    }

    @AfterContainer
    static void close() throws IOException {
        if (every != null) {
            every.close();
        }
    }

    enum Kind { ALLOCATE, DORA, DORA_WITH_HINT, OFFER_LAPSES, RELEASE, EXPIRE, RESTART }

    record Op(Kind kind, int client, int hint, int seconds) {}

    static MacAddress mac(int client) {
        return new MacAddress(0x0218cc000000L + client);
    }

    /** What the test knows of every pool address: its current holder, its last holder, when it was freed. */
    static final class Model {
        final Map<Ipv4Address, Integer> holder = new HashMap<>();
        final Map<Ipv4Address, Integer> lastHolder = new HashMap<>();
        final Map<Ipv4Address, Instant> freedAt = new HashMap<>();
        final Map<Ipv4Address, Instant> expiresAt = new HashMap<>();

        Ipv4Address heldBy(int client) {
            return holder.entrySet().stream().filter(e -> e.getValue() == client).map(Map.Entry::getKey).findFirst().orElse(null);
        }

        List<Ipv4Address> free() {
            return POOL.stream().filter(ip -> !holder.containsKey(ip)).toList();
        }

        boolean freeFor(Ipv4Address ip, int client) {
            return !holder.containsKey(ip) && (!lastHolder.containsKey(ip) || lastHolder.get(ip) == client);
        }

        /** Checks that {@code got}, given to {@code client} (which holds nothing), is one the rules allow. */
        void checkChoice(int client, Ipv4Address got, Ipv4Address hint, String what) {
            List<Ipv4Address> free = free();
            assertThat(free).as("%s: %s is free", what, got).contains(got);
            if (hint != null && freeFor(hint, client)) {
                assertThat(got).as("%s: the hint, never used or the client's own", what).isEqualTo(hint);
                return;
            }
            // a client that held several addresses in turn gets back the one it held last
            Ipv4Address own = free.stream().filter(ip -> Integer.valueOf(client).equals(lastHolder.get(ip)))
                    .max(Comparator.comparing(freedAt::get)).orElse(null);
            if (own != null) {
                assertThat(got).as("%s: sticky, its own former address (the last it held)", what).isEqualTo(own);
                return;
            }
            List<Ipv4Address> neverUsed = free.stream().filter(ip -> !lastHolder.containsKey(ip)).toList();
            if (!neverUsed.isEmpty()) {
                assertThat(neverUsed).as("%s: a never-used address while there are some (got %s, last held by %s)", what, got,
                        lastHolder.get(got)).contains(got);
                return;
            }
            Instant oldest = free.stream().map(freedAt::get).min(Comparator.naturalOrder()).orElseThrow();
            assertThat(freedAt.get(got)).as("%s: %s freed at %s, the longest free was freed at %s", what, got, freedAt.get(got), oldest)
                    .isEqualTo(oldest);
        }

        void bound(int client, Ipv4Address ip, Instant expires) {
            holder.put(ip, client);
            lastHolder.put(ip, client);
            freedAt.remove(ip);
            expiresAt.put(ip, expires);
        }

        void freed(Ipv4Address ip, Instant at) {
            holder.remove(ip);
            expiresAt.remove(ip);
            freedAt.put(ip, at);
        }
    }

    @Property(tries = 60)
    void aFreedAddressGoesToAnotherClientOnlyInItsTurn(@ForAll("ops") List<Op> ops) {
        for (Map.Entry<String, Store> e : stores.entrySet()) {
            run(e.getKey(), e.getValue(), ops);
        }
    }

    private static void run(String storeName, Store store, List<Op> ops) {
        String network = "c" + NETWORKS.incrementAndGet();
        MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(NETWORKS.get())));
        AllocationEngine engine = new AllocationEngine(store, clock, new Random(3));
        engine.putNetwork(NetworkSpec.builder(network, Ipv4Prefix.parse("198.18.0.0/28")).gateway(Ipv4Address.parse("198.18.0.1"))
                .leaseTime(LEASE).pools(List.of(Ipv4Range.parse("198.18.0.2-198.18.0.9"))).build());
        Model model = new Model();
        int step = 0;
        for (Op op : ops) {
            step++;
            clock.advance(Duration.ofSeconds(1));
            // as the server's reclaim job does (every 5 s there): a lease past its end is free whether or not
            // it was reclaimed (the engine hands a client back its own former address over another's run-out
            // lease), so the model frees it at the reclaim's time and the engine's records say the same
            expire(engine, clock, model);
            String what = storeName + " step " + step + " " + op;
            int c = op.client();
            Ipv4Address held = model.heldBy(c);
            switch (op.kind()) {
                case ALLOCATE, DORA, DORA_WITH_HINT -> {
                    Ipv4Address hint = op.kind() == Kind.DORA_WITH_HINT ? POOL.get(op.hint()) : null;
                    AllocationRequest req = new AllocationRequest(mac(c), null, null, null, null);
                    if (held == null && model.free().isEmpty()) {
                        try {
                            Lease l = allocate(engine, network, op.kind(), req, hint);
                            throw new AssertionError(what + ": the pool is full (" + model.holder + ") but " + l.ip() + " was given");
                        } catch (AllocationException expected) {
                            // refused: no address is free
                        }
                        continue;
                    }
                    Lease l = allocate(engine, network, op.kind(), req, hint);
                    if (held != null) {
                        assertThat(l.ip()).as("%s: renews its own", what).isEqualTo(held);
                    } else {
                        model.checkChoice(c, l.ip(), hint, what);
                    }
                    model.bound(c, l.ip(), l.expiresAt());
                }
                case OFFER_LAPSES -> {
                    if (held == null && !model.free().isEmpty()) {
                        Lease offered = engine.offer(network, AllocationRequest.of(mac(c)), HOLD);
                        model.checkChoice(c, offered.ip(), null, what);
                        clock.advance(HOLD.plusSeconds(1));
                        expire(engine, clock, model);
                    }
                }
                case RELEASE -> {
                    if (held != null) {
                        assertThat(engine.release(network, HolderKey.of(null, mac(c)), held)).as(what).isPresent();
                        model.freed(held, clock.instant());
                    }
                }
                case EXPIRE -> {
                    clock.advance(Duration.ofSeconds(op.seconds()));
                    expire(engine, clock, model);
                }
                case RESTART -> engine = new AllocationEngine(store, clock, new Random(op.seconds()));
            }
        }
    }

    private static Lease allocate(AllocationEngine engine, String network, Kind kind, AllocationRequest req, Ipv4Address hint) {
        if (kind == Kind.ALLOCATE) {
            return engine.allocate(network, req);
        }
        AllocationRequest discover = hint == null ? req : req.withRequestedIp(hint);
        Lease offered = engine.offer(network, discover, HOLD);
        return engine.bind(network, req, offered.ip());
    }

    /** Runs the reclaimer; the model frees every lease past its end at this moment (the reclaim's time). */
    private static void expire(AllocationEngine engine, MutableClock clock, Model model) {
        engine.reclaimExpired();
        Instant now = clock.instant();
        for (Ipv4Address ip : new ArrayList<>(model.expiresAt.keySet())) {
            if (!model.expiresAt.get(ip).isAfter(now)) {
                model.freed(ip, now);
            }
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> client = Arbitraries.integers().between(0, CLIENTS - 1);
        Arbitrary<Integer> hint = Arbitraries.integers().between(0, POOL.size() - 1);
        Arbitrary<Integer> seconds = Arbitraries.integers().between(1, 90);
        Arbitrary<Op> any = Combinators.combine(Arbitraries.frequency(Tuple.of(4, Kind.ALLOCATE), Tuple.of(3, Kind.DORA),
                Tuple.of(2, Kind.DORA_WITH_HINT), Tuple.of(1, Kind.OFFER_LAPSES), Tuple.of(5, Kind.RELEASE),
                Tuple.of(1, Kind.EXPIRE), Tuple.of(1, Kind.RESTART)), client, hint, seconds).as(Op::new);
        return any.list().ofMinSize(5).ofMaxSize(60);
    }
}
