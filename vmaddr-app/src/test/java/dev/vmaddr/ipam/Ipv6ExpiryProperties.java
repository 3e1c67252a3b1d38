package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * DHCPv6 expiry against any sequence of binds, offers, releases, declines, clock moves and reclaim
 * rounds (8 clients, 6 addresses, lease one hour): after every round the pool's free count is
 * exactly the pool minus the addresses some lease occupies now, no listed lease is bound past its
 * end, and the store holds what memory holds (a restart from it has the same free addresses, but
 * for the offers, which are never durable). A client that declined its address and got another used
 * to free the declined one at once: this property found it.
 */
class Ipv6ExpiryProperties {
    private static final NetworkSpec NET = NetworkSpec.builder("p6", Ipv4Prefix.parse("198.18.0.0/24"))
            .ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64")).ipv6Mode(Ipv6Mode.STATEFUL).leaseTime(Duration.ofHours(1))
            .ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::10-2001:db8:0:1::15"))).build();
    private static final int POOL = 6;

    /** One step: kind (0 bind, 1 offer, 2 release, 3 decline, 4 clock, 5 reclaim), client 0-7, seconds. */
    record Step(int kind, int client, int seconds) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(1, 4000)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    private static Duid duid(int c) {
        return Duid.parse(String.format("00:03:00:01:02:18:00:00:0a:%02x", c));
    }

    @Property(tries = 300)
    void afterEveryRoundTheFreeCountAndTheStoreMatchWhatIsOccupied(@ForAll("steps") List<Step> steps) {
        MemoryStore store = new MemoryStore();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T20:00:00Z"));
        Ipv6Leases leases = new Ipv6Leases(store.leases6(), clock, new SplittableRandom(1));
        Map<Integer, Ipv6Address> held = new HashMap<>();
        for (Step s : steps) {
            switch (s.kind()) {
                case 0 -> leases.bind(NET, duid(s.client()), 1, null, null, null).ifPresent(l -> held.put(s.client(), l.ip()));
                case 1 -> leases.offer(NET, duid(s.client()), 1, null, null);
                case 2 -> {
                    if (held.containsKey(s.client())) {
                        leases.release("p6", duid(s.client()), 1, held.get(s.client()));
                    }
                }
                case 3 -> {
                    if (held.containsKey(s.client())) {
                        leases.decline("p6", duid(s.client()), 1, held.get(s.client()));
                    }
                }
                case 4 -> clock.advance(Duration.ofSeconds(s.seconds()));
                default -> {
                    leases.reclaimExpired();
                    check(leases, store, clock);
                }
            }
        }
        leases.reclaimExpired();
        check(leases, store, clock);
    }

    private static void check(Ipv6Leases leases, MemoryStore store, MutableClock clock) {
        Instant now = clock.instant();
        List<Lease6> listed = leases.leases("p6");
        long occupied = listed.stream().filter(l -> l.occupiesAt(now)).count();
        assertThat(leases.freeAddresses(NET)).isEqualTo(POOL - occupied);
        assertThat(listed).noneMatch(l -> l.state() == LeaseState.BOUND && !l.expiresAt().isAfter(now));
        assertThat(listed).noneMatch(l -> l.state() == LeaseState.OFFERED && !l.occupiesAt(now));
        Map<Ipv6Address, Lease6> durable = new HashMap<>();
        store.leases6().list().forEach(l -> durable.put(l.ip(), l));
        for (Lease6 l : listed) {
            if (l.state() != LeaseState.OFFERED) {
                assertThat(durable.get(l.ip())).as("stored lease of %s", l.ip()).isEqualTo(l);
            }
        }
        Ipv6Leases restarted = new Ipv6Leases(store.leases6(), clock, new SplittableRandom(2));
        restarted.load();
        long offers = listed.stream().filter(l -> l.state() == LeaseState.OFFERED).count(); // never durable
        assertThat(restarted.freeAddresses(NET)).isEqualTo(leases.freeAddresses(NET) + offers);
    }
}
