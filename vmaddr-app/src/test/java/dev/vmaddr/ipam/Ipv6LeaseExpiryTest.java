package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Prefix;
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
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DHCPv6 expiry on a clock the test moves: a binding past its valid lifetime shows as expired, and
 * the reclaim round (the server's job every few seconds, as for IPv4) writes it expired durably and
 * returns its address to the pool, with the pool far from exhausted.
 */
class Ipv6LeaseExpiryTest {
    private static final NetworkSpec NET = NetworkSpec.builder("v6", Ipv4Prefix.parse("198.18.0.0/24"))
            .ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64")).ipv6Mode(Ipv6Mode.STATEFUL).leaseTime(Duration.ofHours(1))
            .ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::1000-2001:db8:0:1::13ff"))).build(); // 1024

    private final MemoryStore store = new MemoryStore();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T20:00:00Z"));
    private final Ipv6Leases leases = new Ipv6Leases(store.leases6(), clock, new SplittableRandom(5));

    private static Duid duid(int i) {
        return Duid.parse(String.format("00:02:00:00:00:09:%08x", i));
    }

    @Test
    void aBindingPastItsValidLifetimeIsExpiredAndItsAddressBackInThePoolAfterOneRound() {
        Lease6 a = leases.bind(NET, duid(1), 1, null, null, "a").orElseThrow();
        Lease6 b = leases.bind(NET, duid(2), 1, null, null, "b").orElseThrow();
        assertThat(leases.freeAddresses(NET)).isEqualTo(1022);
        assertThat(leases.reclaimExpired()).isZero();

        clock.advance(Duration.ofMinutes(30));
        leases.bind(NET, duid(2), 1, null, b.ip(), "b").orElseThrow(); // b renews, a does not
        clock.advance(Duration.ofMinutes(30).plusSeconds(1));

        // Shown expired at once, before any round has run.
        assertThat(leases.leases("v6")).filteredOn(l -> l.ip().equals(a.ip())).singleElement()
                .satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.EXPIRED));
        assertThat(leases.leases("v6")).filteredOn(l -> l.ip().equals(b.ip())).singleElement()
                .satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.BOUND));

        // One round: a's address is free again (1023 of 1024, no allocation needed), durably expired.
        assertThat(leases.reclaimExpired()).isEqualTo(1);
        assertThat(leases.freeAddresses(NET)).isEqualTo(1023);
        assertThat(leases.reclaimExpired()).isZero();
        assertThat(store.leases6().list()).filteredOn(l -> l.ip().equals(a.ip())).singleElement().satisfies(l -> {
            assertThat(l.state()).isEqualTo(LeaseState.EXPIRED);
            assertThat(l.duid()).isEqualTo(duid(1));
            assertThat(l.hostname()).isEqualTo("a");
        });
        Ipv6Leases restarted = new Ipv6Leases(store.leases6(), clock, new SplittableRandom(6));
        restarted.load();
        assertThat(restarted.lease("v6", a.ip()).orElseThrow().state()).isEqualTo(LeaseState.EXPIRED);
        assertThat(restarted.freeAddresses(NET)).isEqualTo(1023);

        // The expired client coming back gets its old address (sticky), bound again.
        Lease6 back = leases.bind(NET, duid(1), 1, null, null, null).orElseThrow();
        assertThat(back.ip()).isEqualTo(a.ip());
        assertThat(back.state()).isEqualTo(LeaseState.BOUND);
        assertThat(leases.freeAddresses(NET)).isEqualTo(1022);
    }

    @Test
    void aClientRenewingAfterItsEndButBeforeTheRoundKeepsItsAddressAndTheRoundLeavesIt() {
        Lease6 a = leases.bind(NET, duid(1), 1, null, null, null).orElseThrow();
        clock.advance(Duration.ofHours(2));
        Lease6 renewed = leases.bind(NET, duid(1), 1, null, a.ip(), null).orElseThrow();
        assertThat(renewed.ip()).isEqualTo(a.ip());
        assertThat(leases.reclaimExpired()).isZero();
        assertThat(store.leases6().list()).singleElement().satisfies(l -> assertThat(l.state()).isEqualTo(LeaseState.BOUND));
        assertThat(leases.freeAddresses(NET)).isEqualTo(1023);
    }

    @Test
    void offersPastTheirHoldAreDroppedAndDeclinedAddressesComeBackAfterTheQuarantine() {
        Lease6 offered = leases.offer(NET, duid(1), 1, null, null).orElseThrow();
        Lease6 declined = leases.bind(NET, duid(2), 1, null, null, null).orElseThrow();
        leases.decline("v6", duid(2), 1, declined.ip()).orElseThrow();
        assertThat(leases.freeAddresses(NET)).isEqualTo(1022);

        clock.advance(Ipv6Leases.OFFER_HOLD.plusSeconds(1));
        assertThat(leases.reclaimExpired()).isEqualTo(1);
        assertThat(leases.lease("v6", offered.ip())).isEmpty();
        assertThat(leases.freeAddresses(NET)).isEqualTo(1023);

        clock.advance(Ipv6Leases.DECLINE_QUARANTINE);
        assertThat(leases.reclaimExpired()).isEqualTo(1);
        assertThat(leases.freeAddresses(NET)).isEqualTo(1024);
        assertThat(leases.lease("v6", declined.ip()).orElseThrow().state()).isEqualTo(LeaseState.DECLINED);
    }
}
