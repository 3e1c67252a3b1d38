package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Model-based test: the engine against a small sequential reference model of the rules
 * (reservation > current > sticky previous > any free; gateway, network, broadcast and excluded
 * addresses never granted; reserved addresses only to their client; declines quarantined; bound
 * leases expire). After every action the store's lease of every address equals the model's, and
 * the pool statistics agree.
 *
 * <p>Network 198.18.0.0/28: gateway .1, pool .2-.6, .5 excluded, .3 reserved for holder 0 (in the
 * pool), .14 reserved for holder 1 (outside it). Dynamic addresses: .2, .4, .6 — five holders
 * compete for three, so exhaustion happens.
 */
class AllocationModelTest {
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration QUARANTINE = Duration.ofSeconds(20);
    static final List<MacAddress> MACS = List.of(0, 1, 2, 3, 4).stream()
            .map(i -> new MacAddress(0x525400ab0000L + i)).toList();

    static Ipv4Address ip(int last) {
        return Ipv4Address.parse("198.18.0.0").plus(last);
    }

    record Rec(HolderKey holder, MacAddress mac, LeaseState state, Instant expiresAt) {
        boolean occupies(Instant now) {
            return state.occupies() && expiresAt.isAfter(now);
        }
    }

    /** The system under test and the reference model, side by side. */
    static final class World {
        final MutableClock clock = new MutableClock();
        final MemoryStore store = new MemoryStore();
        final AllocationEngine engine = new AllocationEngine(store, clock, new Random(3), QUARANTINE);
        final Map<Integer, Rec> recs = new HashMap<>();
        final Map<HolderKey, Integer> lastIp = new HashMap<>();

        World() {
            engine.putNetwork(new NetworkSpec("m", Ipv4Prefix.parse("198.18.0.0/28"), ip(1), List.of(), null, null, null, null,
                    null, null, LEASE, null, null, List.of(Ipv4Range.parse("198.18.0.2-198.18.0.6")),
                    List.of(Ipv4Range.parse("198.18.0.5")),
                    List.of(new Reservation(MACS.get(0), null, ip(3), null), new Reservation(MACS.get(1), null, ip(14), null)),
                    null, List.of(), List.of()));
        }

        Instant now() {
            return clock.instant();
        }

        static Integer reservedIp(int holder) {
            return holder == 0 ? Integer.valueOf(3) : holder == 1 ? Integer.valueOf(14) : null;
        }

        static boolean allowed(int holder, int ip) {
            if (ip < 0 || ip > 15 || ip == 0 || ip == 15 || ip == 1) {
                return false;
            }
            if (ip == 3 || ip == 14) {
                return Integer.valueOf(ip).equals(reservedIp(holder));
            }
            return ip >= 2 && ip <= 6 && ip != 5;
        }

        boolean takenForHolder(HolderKey h, int ip) {
            Rec r = recs.get(ip);
            return r != null && r.occupies(now()) && (!r.holder().equals(h) || r.state() == LeaseState.DECLINED);
        }

        boolean available(int holder, int ip) {
            return allowed(holder, ip) && !takenForHolder(key(holder), ip);
        }

        Rec current(HolderKey h) {
            Integer ip = lastIp.get(h);
            Rec r = ip == null ? null : recs.get(ip);
            return r != null && r.holder().equals(h) ? r : null;
        }

        void write(int ip, Rec r) {
            recs.put(ip, r);
            lastIp.put(r.holder(), ip);
        }

        void releaseOther(HolderKey h, int newIp) {
            Integer old = lastIp.get(h);
            Rec cur = current(h);
            if (cur != null && old != newIp && cur.state() == LeaseState.BOUND && cur.occupies(now())) {
                write(old, new Rec(h, cur.mac(), LeaseState.RELEASED, now()));
            }
        }

        static HolderKey key(int holder) {
            return HolderKey.of(null, MACS.get(holder));
        }

        void allocate(int holder) {
            HolderKey h = key(holder);
            List<Integer> expected = new ArrayList<>();
            Integer res = reservedIp(holder);
            Rec cur = current(h);
            Integer curIp = lastIp.get(h);
            if (res != null && available(holder, res)) {
                expected.add(res);
            } else if (cur != null && cur.state() == LeaseState.BOUND && cur.occupies(now()) && available(holder, curIp)) {
                expected.add(curIp);
            } else if (cur != null && cur.state() != LeaseState.DECLINED && available(holder, curIp)) {
                expected.add(curIp);
            } else {
                for (int i : List.of(2, 4, 6)) {
                    if (!takenForHolder(h, i) && (recs.get(i) == null || !recs.get(i).occupies(now()))) {
                        expected.add(i);
                    }
                }
            }
            if (expected.isEmpty()) {
                assertThatThrownBy(() -> engine.allocate("m", AllocationRequest.of(MACS.get(holder))))
                        .extracting("reason").isEqualTo(AllocationException.Reason.EXHAUSTED);
                return;
            }
            Lease l = engine.allocate("m", AllocationRequest.of(MACS.get(holder)));
            int got = (int) (l.ip().unsigned() - ip(0).unsigned());
            assertThat(expected).as("allocate for holder %d", holder).contains(got);
            releaseOther(h, got);
            write(got, new Rec(h, MACS.get(holder), LeaseState.BOUND, now().plus(LEASE)));
        }

        void bind(int holder, int ipLast) {
            HolderKey h = key(holder);
            AllocationRequest req = AllocationRequest.of(MACS.get(holder));
            if (!available(holder, ipLast)) {
                assertThatThrownBy(() -> engine.bind("m", req, ip(ipLast))).isInstanceOf(AllocationException.class);
                return;
            }
            assertThat(engine.bind("m", req, ip(ipLast)).state()).isEqualTo(LeaseState.BOUND);
            releaseOther(h, ipLast);
            write(ipLast, new Rec(h, MACS.get(holder), LeaseState.BOUND, now().plus(LEASE)));
        }

        void release(int holder, int ipLast) {
            HolderKey h = key(holder);
            Rec r = recs.get(ipLast);
            boolean held = r != null && r.holder().equals(h) && r.state() == LeaseState.BOUND && r.occupies(now());
            assertThat(engine.release("m", h, ip(ipLast)).isPresent()).isEqualTo(held);
            if (held) {
                write(ipLast, new Rec(h, r.mac(), LeaseState.RELEASED, now()));
            }
        }

        void decline(int holder, int ipLast) {
            HolderKey h = key(holder);
            Rec r = recs.get(ipLast);
            boolean held = r != null && r.holder().equals(h) && r.state() == LeaseState.BOUND && r.occupies(now());
            if (!held) {
                assertThatThrownBy(() -> engine.decline("m", h, ip(ipLast)))
                        .extracting("reason").isEqualTo(AllocationException.Reason.NO_LEASE);
                return;
            }
            assertThat(engine.decline("m", h, ip(ipLast)).state()).isEqualTo(LeaseState.DECLINED);
            write(ipLast, new Rec(h, r.mac(), LeaseState.DECLINED, now().plus(QUARANTINE)));
        }

        void advance(int seconds) {
            clock.advance(Duration.ofSeconds(seconds));
            engine.reclaimExpired();
            for (Map.Entry<Integer, Rec> e : recs.entrySet()) {
                Rec r = e.getValue();
                if (r.state() == LeaseState.BOUND && !r.occupies(now())) {
                    e.setValue(new Rec(r.holder(), r.mac(), LeaseState.EXPIRED, now()));
                }
            }
        }

        void check() {
            long occupiedDynamic = 0;
            for (int i = 0; i < 16; i++) {
                Rec r = recs.get(i);
                Lease l = store.leases().get("m", ip(i)).orElse(null);
                if (r == null) {
                    assertThat(l).as("lease of .%d", i).isNull();
                    continue;
                }
                assertThat(l).as("lease of .%d", i).isNotNull();
                assertThat(new Rec(l.holder(), l.mac(), l.state(), l.expiresAt())).as("lease of .%d", i).isEqualTo(r);
                if ((i == 2 || i == 4 || i == 6) && r.occupies(now())) {
                    occupiedDynamic++;
                }
            }
            assertThat(engine.stats("m")).isEqualTo(new PoolStats(3, occupiedDynamic, 3 - occupiedDynamic));
            for (int h = 0; h < MACS.size(); h++) {
                Rec r = current(key(h));
                assertThat(store.leases().findByHolder("m", key(h)).map(l -> new Rec(l.holder(), l.mac(), l.state(), l.expiresAt())))
                        .as("findByHolder %d", h).isEqualTo(java.util.Optional.ofNullable(r));
            }
        }
    }

    @Property(tries = 200)
    void engineBehavesLikeTheModel(@ForAll("chains") ActionChain<World> chain) {
        chain.withInvariant("store and stats match the model", World::check).run();
    }

    @Provide
    Arbitrary<ActionChain<World>> chains() {
        Arbitrary<Integer> holder = Arbitraries.integers().between(0, MACS.size() - 1);
        Arbitrary<Integer> address = Arbitraries.integers().between(0, 17);
        return ActionChain.startWith(World::new)
                .withAction(3, (Action.Independent<World>) () -> holder.map(h ->
                        Transformer.mutate("allocate " + h, w -> w.allocate(h))))
                .withAction(3, (Action.Independent<World>) () -> Combinators.combine(holder, address).as((h, a) ->
                        Transformer.mutate("bind " + h + " ." + a, w -> w.bind(h, a))))
                .withAction(2, (Action.Independent<World>) () -> Combinators.combine(holder, address).as((h, a) ->
                        Transformer.mutate("release " + h + " ." + a, w -> w.release(h, lastOr(w, h, a)))))
                .withAction(1, (Action.Independent<World>) () -> Combinators.combine(holder, address).as((h, a) ->
                        Transformer.mutate("decline " + h + " ." + a, w -> w.decline(h, lastOr(w, h, a)))))
                .withAction(2, (Action.Independent<World>) () -> Arbitraries.integers().between(0, 90).map(s ->
                        Transformer.mutate("advance " + s + "s", w -> w.advance(s))))
                .withMaxTransformations(40);
    }

    /** Mostly the holder's own address (so releases and declines hit), sometimes any. */
    private static int lastOr(World w, int holder, int any) {
        Integer mine = w.lastIp.get(World.key(holder));
        return mine != null && any % 4 != 0 ? mine : any;
    }
}
