package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllocationEngineTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:00:0c");
    static final Duration HOLD = Duration.ofSeconds(30);

    final MemoryStore store = new MemoryStore();
    final MutableClock clock = new MutableClock();
    final AllocationEngine engine = new AllocationEngine(store, clock, new Random(7), Duration.ofMinutes(10));

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    /** 198.18.0.0/24, gateway .1, pool .0-.255 whole span (so network/broadcast/gateway are in it), .10-.19 excluded. */
    NetworkSpec lab(List<Reservation> reservations) {
        return NetworkSpec.builder("lab", Ipv4Prefix.parse("198.18.0.0/24")).gateway(ip("198.18.0.1"))
                .bridge("br-lab").leaseTime(Duration.ofHours(1)).pools(List.of(Ipv4Range.parse("198.18.0.0/24")))
                .exclude(List.of(Ipv4Range.parse("198.18.0.10-198.18.0.19"))).reservations(reservations).build();
    }

    @Test
    void neverHandsOutGatewayNetworkBroadcastOrExcluded() {
        engine.putNetwork(lab(List.of()));
        assertThat(engine.stats("lab")).isEqualTo(new PoolStats(256 - 3 - 10, 0, 243));
        Set<Ipv4Address> given = new HashSet<>();
        for (int i = 0; i < 243; i++) {
            Lease l = engine.allocate("lab", AllocationRequest.of(new MacAddress(0x525400100000L + i)));
            assertThat(l.state()).isEqualTo(LeaseState.BOUND);
            assertThat(given.add(l.ip())).isTrue();
        }
        assertThat(given).doesNotContain(ip("198.18.0.0"), ip("198.18.0.1"), ip("198.18.0.255"));
        assertThat(given).noneMatch(a -> a.compareTo(ip("198.18.0.10")) >= 0 && a.compareTo(ip("198.18.0.19")) <= 0);
        assertThat(engine.stats("lab")).isEqualTo(new PoolStats(243, 243, 0));
        assertThatThrownBy(() -> engine.allocate("lab", AllocationRequest.of(A)))
                .isInstanceOf(AllocationException.class).extracting("reason").isEqualTo(Reason.EXHAUSTED);
        assertThatThrownBy(() -> engine.offer("lab", AllocationRequest.of(A), HOLD))
                .extracting("reason").isEqualTo(Reason.EXHAUSTED);
        for (String bad : List.of("198.18.0.0", "198.18.0.1", "198.18.0.255", "198.18.0.12")) {
            assertThatThrownBy(() -> engine.bind("lab", AllocationRequest.of(A), ip(bad)))
                    .as(bad).extracting("reason").isEqualTo(Reason.NOT_ALLOWED);
        }
        assertThatThrownBy(() -> engine.bind("lab", AllocationRequest.of(A), ip("198.18.1.5")))
                .extracting("reason").isEqualTo(Reason.NOT_IN_NETWORK);
        assertThatThrownBy(() -> engine.bind("nope", AllocationRequest.of(A), ip("198.18.1.5")))
                .extracting("reason").isEqualTo(Reason.UNKNOWN_NETWORK);
    }

    @Test
    void discoverRequestFlowAndRequestedAddress() {
        engine.putNetwork(lab(List.of()));
        Lease offer = engine.offer("lab", AllocationRequest.of(A).withRequestedIp(ip("198.18.0.77")), HOLD);
        assertThat(offer.ip()).isEqualTo(ip("198.18.0.77"));
        assertThat(offer.state()).isEqualTo(LeaseState.OFFERED);
        assertThat(store.leases().get("lab", offer.ip())).isEmpty(); // offers are not durable
        // another client asking for the offered address gets something else, and cannot bind it
        assertThat(engine.offer("lab", AllocationRequest.of(B).withRequestedIp(ip("198.18.0.77")), HOLD).ip())
                .isNotEqualTo(ip("198.18.0.77"));
        assertThatThrownBy(() -> engine.bind("lab", AllocationRequest.of(B), ip("198.18.0.77")))
                .extracting("reason").isEqualTo(Reason.ADDRESS_TAKEN);
        // a repeated DISCOVER gets the same offer
        assertThat(engine.offer("lab", AllocationRequest.of(A), HOLD).ip()).isEqualTo(ip("198.18.0.77"));
        Lease bound = engine.bind("lab", AllocationRequest.of(A), ip("198.18.0.77"));
        assertThat(bound.state()).isEqualTo(LeaseState.BOUND);
        assertThat(bound.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        assertThat(store.leases().get("lab", ip("198.18.0.77"))).contains(bound);
        assertThat(engine.leaseOf("lab", HolderKey.of(null, A))).contains(bound);
        // renewing keeps the address; a later DISCOVER offers the current lease
        clock.advance(Duration.ofMinutes(30));
        assertThat(engine.bind("lab", AllocationRequest.of(A), ip("198.18.0.77")).expiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        assertThat(engine.offer("lab", AllocationRequest.of(A).withRequestedIp(ip("198.18.0.90")), HOLD).ip())
                .isEqualTo(ip("198.18.0.77"));
        // API allocation of a taken address is refused
        assertThatThrownBy(() -> engine.allocate("lab", AllocationRequest.of(C).withRequestedIp(ip("198.18.0.77"))))
                .extracting("reason").isEqualTo(Reason.ADDRESS_TAKEN);
    }

    @Test
    void reservationsInsideAndOutsidePools() {
        NetworkSpec spec = NetworkSpec.builder("res", Ipv4Prefix.parse("198.18.0.0/24")).gateway(ip("198.18.0.1"))
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.110")))
                .reservations(List.of(new Reservation(A, null, ip("198.18.0.105"), "a"),
                        new Reservation(null, ClientId.parse("ff:01"), ip("198.18.0.50"), "b")))
                .build();
        engine.putNetwork(spec);
        assertThat(engine.stats("res").size()).isEqualTo(10);
        assertThat(engine.offer("res", AllocationRequest.of(A), HOLD).ip()).isEqualTo(ip("198.18.0.105"));
        AllocationRequest byId = new AllocationRequest(B, ClientId.parse("ff01"), null, null, null);
        assertThat(engine.allocate("res", byId).ip()).isEqualTo(ip("198.18.0.50"));
        assertThatThrownBy(() -> engine.bind("res", AllocationRequest.of(C), ip("198.18.0.105")))
                .extracting("reason").isEqualTo(Reason.RESERVED_FOR_OTHER);
        assertThatThrownBy(() -> engine.allocate("res", AllocationRequest.of(C).withRequestedIp(ip("198.18.0.50"))))
                .extracting("reason").isEqualTo(Reason.RESERVED_FOR_OTHER);
        // B without its client-id is another holder, not matched by the client-id reservation
        assertThat(engine.allocate("res", AllocationRequest.of(B)).ip()).isNotIn(ip("198.18.0.50"), ip("198.18.0.105"));
        for (int i = 0; i < 9; i++) {
            assertThat(engine.allocate("res", AllocationRequest.of(new MacAddress(0x525400200000L + i))).ip())
                    .isNotIn(ip("198.18.0.50"), ip("198.18.0.105"));
        }
        assertThatThrownBy(() -> engine.allocate("res", AllocationRequest.of(C))).extracting("reason").isEqualTo(Reason.EXHAUSTED);
    }

    @Test
    void releasingAnOfferWithdrawsItAndSaysSo() {
        engine.putNetwork(lab(List.of()));
        Lease offer = engine.offer("lab", AllocationRequest.of(A).withRequestedIp(ip("198.18.0.77")), HOLD);
        assertThat(engine.release("lab", HolderKey.of(null, B), offer.ip())).isEmpty(); // not B's offer
        Lease withdrawn = engine.release("lab", HolderKey.of(null, A), offer.ip()).orElseThrow();
        assertThat(withdrawn.ip()).isEqualTo(offer.ip());
        assertThat(withdrawn.state()).isEqualTo(LeaseState.RELEASED);
        assertThat(store.leases().get("lab", offer.ip())).as("offers are never stored, nor their withdrawal").isEmpty();
        assertThat(engine.leaseOf("lab", HolderKey.of(null, A))).isEmpty();
        assertThat(engine.stats("lab").used()).isZero();
        assertThat(engine.release("lab", HolderKey.of(null, A), offer.ip())).as("nothing left to withdraw").isEmpty();
        // free at once for another client
        assertThat(engine.offer("lab", AllocationRequest.of(B).withRequestedIp(offer.ip()), HOLD).ip()).isEqualTo(offer.ip());
    }

    @Test
    void stickyAfterReleaseAndExpiry() {
        engine.putNetwork(lab(List.of()));
        Lease first = engine.allocate("lab", AllocationRequest.of(A));
        assertThat(engine.release("lab", HolderKey.of(null, B), first.ip())).isEmpty(); // not B's
        Lease released = engine.release("lab", HolderKey.of(null, A), first.ip()).orElseThrow();
        assertThat(released.state()).isEqualTo(LeaseState.RELEASED);
        assertThat(engine.stats("lab").used()).isZero();
        assertThat(engine.offer("lab", AllocationRequest.of(A), HOLD).ip()).isEqualTo(first.ip());
        assertThat(engine.bind("lab", AllocationRequest.of(A), first.ip()).ip()).isEqualTo(first.ip());
        clock.advance(Duration.ofHours(2));
        assertThat(engine.reclaimExpired()).isEqualTo(1);
        assertThat(store.leases().get("lab", first.ip()).orElseThrow().state()).isEqualTo(LeaseState.EXPIRED);
        assertThat(engine.allocate("lab", AllocationRequest.of(A)).ip()).isEqualTo(first.ip());
        // releaseAddress (API) frees whoever holds it
        assertThat(engine.releaseAddress("lab", first.ip()).orElseThrow().state()).isEqualTo(LeaseState.RELEASED);
        assertThat(engine.releaseAddress("lab", first.ip())).isEmpty();
    }

    @Test
    void declineAndConflictQuarantine() {
        engine.putNetwork(lab(List.of()));
        Lease a = engine.allocate("lab", AllocationRequest.of(A));
        assertThatThrownBy(() -> engine.decline("lab", HolderKey.of(null, B), a.ip())).extracting("reason").isEqualTo(Reason.NO_LEASE);
        Lease declined = engine.decline("lab", HolderKey.of(null, A), a.ip());
        assertThat(declined.state()).isEqualTo(LeaseState.DECLINED);
        assertThat(declined.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        // never given during quarantine, not even to its last holder
        assertThatThrownBy(() -> engine.bind("lab", AllocationRequest.of(A), a.ip())).extracting("reason").isEqualTo(Reason.ADDRESS_TAKEN);
        assertThat(engine.offer("lab", AllocationRequest.of(A).withRequestedIp(a.ip()), HOLD).ip()).isNotEqualTo(a.ip());
        Lease conflict = engine.markConflict("lab", ip("198.18.0.200"), "arp reply from 52:54:00:99:99:99");
        assertThat(conflict.state()).isEqualTo(LeaseState.DECLINED);
        assertThatThrownBy(() -> engine.allocate("lab", AllocationRequest.of(C).withRequestedIp(ip("198.18.0.200"))))
                .extracting("reason").isEqualTo(Reason.ADDRESS_TAKEN);
        long usedBefore = engine.stats("lab").used();
        clock.advance(Duration.ofMinutes(9));
        engine.reclaimExpired();
        // the 30 s offer to A is gone; both quarantined addresses are still out
        assertThat(engine.stats("lab").used()).isEqualTo(usedBefore - 1);
        clock.advance(Duration.ofMinutes(2));
        engine.reclaimExpired();
        assertThat(engine.allocate("lab", AllocationRequest.of(C).withRequestedIp(ip("198.18.0.200"))).ip())
                .isEqualTo(ip("198.18.0.200"));
        assertThat(engine.bind("lab", AllocationRequest.of(B), a.ip()).ip()).isEqualTo(a.ip());
    }

    /** Every lease of the network as clients see it, address by address (the offer where one is in flight). */
    List<Lease> everyLease(String network) {
        List<Lease> out = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            engine.lease(network, ip("198.18.0.0").plus(i)).ifPresent(out::add);
        }
        return out;
    }

    List<Lease> walk(String network, int limit, Predicate<Lease> filter) {
        List<Lease> all = new ArrayList<>();
        Ipv4Address after = null;
        while (true) {
            List<Lease> page = engine.leases(network, after, limit, filter);
            assertThat(page).hasSizeLessThanOrEqualTo(limit);
            all.addAll(page);
            if (page.size() < limit) {
                return all;
            }
            after = page.getLast().ip();
        }
    }

    @Test
    void pagesMergeOffersInFlightInAddressOrder() {
        engine.putNetwork(lab(List.of()));
        List<Lease> bound = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            bound.add(engine.allocate("lab", AllocationRequest.of(new MacAddress(0x525400200000L + i))));
        }
        for (int i = 0; i < 5; i++) {
            Lease b = bound.get(i);
            engine.release("lab", b.holder(), b.ip());
        }
        // an offer on a released address stands in for the released lease (to its former client: another
        // client's hint for it is not honoured while never-used addresses are free, issue 20's reuse cooldown)
        Lease onReleased = engine.offer("lab", AllocationRequest.of(bound.get(0).mac()).withRequestedIp(bound.get(0).ip()), HOLD);
        assertThat(onReleased.ip()).isEqualTo(bound.get(0).ip());
        for (int i = 0; i < 9; i++) {
            engine.offer("lab", AllocationRequest.of(new MacAddress(0x525400300000L + i)), HOLD);
        }
        List<Lease> all = everyLease("lab");
        assertThat(all).hasSize(29).extracting(Lease::state).containsOnly(LeaseState.BOUND, LeaseState.RELEASED,
                LeaseState.OFFERED);
        assertThat(all).filteredOn(l -> l.state() == LeaseState.OFFERED).hasSize(10);
        List<Predicate<Lease>> filters = List.of(l -> true, l -> l.state() == LeaseState.OFFERED,
                l -> l.state() == LeaseState.RELEASED, l -> l.state() == LeaseState.BOUND, l -> l.mac().equals(A));
        for (Predicate<Lease> filter : filters) {
            List<Lease> expected = all.stream().filter(filter).toList();
            for (int limit = 1; limit <= 11; limit++) {
                assertThat(walk("lab", limit, filter)).as("limit %d", limit)
                        .usingElementComparatorIgnoringFields("updatedAt").containsExactlyElementsOf(expected);
            }
        }
        // once the offers run out, the stored leases show again
        clock.advance(HOLD.plusSeconds(1));
        assertThat(walk("lab", 4, l -> true)).usingElementComparatorIgnoringFields("updatedAt")
                .containsExactlyElementsOf(everyLease("lab")).hasSize(20);
    }

    @Test
    void offersRunOutAndAreDroppedByReclaim() {
        engine.putNetwork(lab(List.of()));
        Lease o = engine.offer("lab", AllocationRequest.of(A), HOLD);
        assertThat(engine.leases("lab", null, Integer.MAX_VALUE, l -> true)).extracting(Lease::state).containsExactly(LeaseState.OFFERED);
        assertThat(engine.stats("lab").used()).isEqualTo(1);
        clock.advance(HOLD.plusSeconds(1));
        assertThat(engine.reclaimExpired()).isEqualTo(1);
        assertThat(engine.stats("lab").used()).isZero();
        assertThat(engine.bind("lab", AllocationRequest.of(B), o.ip()).ip()).isEqualTo(o.ip());
    }

    @Test
    void storeFailureGrantsNothing() {
        engine.putNetwork(lab(List.of()));
        store.failWrites(true);
        assertThatThrownBy(() -> engine.allocate("lab", AllocationRequest.of(A))).extracting("reason").isEqualTo(Reason.STORE_UNAVAILABLE);
        assertThat(engine.stats("lab").used()).isZero();
        store.failWrites(false);
        assertThat(engine.allocate("lab", AllocationRequest.of(A)).state()).isEqualTo(LeaseState.BOUND);
    }

    @Test
    void syncNetworksPicksUpNetworksAnotherServerAddedChangedOrRemoved() {
        AllocationEngine other = new AllocationEngine(store, clock, new Random(8)); // a second server on the same store
        engine.putNetwork(lab(List.of()));
        assertThat(other.network("lab")).isEmpty();
        assertThat(other.syncNetworks()).isEqualTo(1);
        assertThat(other.network("lab")).contains(lab(List.of()));
        assertThat(other.syncNetworks()).as("nothing changed").isZero();
        assertThat(engine.syncNetworks()).as("its own network").isZero();

        Reservation r = new Reservation(new MacAddress(0x0218aa000050L), null, ip("198.18.0.50"), "db1");
        engine.putNetwork(lab(List.of(r)));
        assertThat(other.syncNetworks()).isEqualTo(1);
        assertThat(other.allocate("lab", AllocationRequest.of(new MacAddress(0x0218aa000050L))).ip()).isEqualTo(ip("198.18.0.50"));

        engine.removeNetwork("lab");
        assertThat(other.syncNetworks()).isEqualTo(1);
        assertThat(other.networks()).isEmpty();
    }

    @Test
    void anAddressAnotherServerReleasedBecomesFreeHereOnceItsLeaseRunsOut() {
        NetworkSpec one = NetworkSpec.builder("one", Ipv4Prefix.parse("198.18.0.0/29")).gateway(ip("198.18.0.1"))
                .leaseTime(Duration.ofHours(1)).pools(List.of(Ipv4Range.parse("198.18.0.2-198.18.0.2"))).build();
        engine.putNetwork(one);
        Ipv4Address x = engine.allocate("one", AllocationRequest.of(new MacAddress(0x525400300001L))).ip();
        AllocationEngine other = new AllocationEngine(store, clock, new Random(8)); // starts with x taken
        engine.releaseAddress("one", x);
        // other's index still has x taken; its stored lease now says released
        clock.advance(Duration.ofHours(1).plusSeconds(1));
        other.reclaimExpired();
        assertThat(other.allocate("one", AllocationRequest.of(new MacAddress(0x525400300002L))).ip()).isEqualTo(x);
    }

    @Test
    void anAddressAnotherServerRenewedIsWatchedUntilItsNewEnd() {
        NetworkSpec one = NetworkSpec.builder("one", Ipv4Prefix.parse("198.18.0.0/29")).gateway(ip("198.18.0.1"))
                .leaseTime(Duration.ofHours(1)).pools(List.of(Ipv4Range.parse("198.18.0.2-198.18.0.2"))).build();
        engine.putNetwork(one);
        MacAddress mac = new MacAddress(0x525400300001L);
        Ipv4Address x = engine.allocate("one", AllocationRequest.of(mac)).ip();
        AllocationEngine other = new AllocationEngine(store, clock, new Random(8)); // x taken until +1 h
        clock.advance(Duration.ofMinutes(30));
        assertThat(engine.allocate("one", AllocationRequest.of(mac)).ip()).isEqualTo(x); // renewed: until +1 h 30 min
        clock.advance(Duration.ofMinutes(31));
        other.reclaimExpired(); // still held: must look again at the new end
        clock.advance(Duration.ofMinutes(30));
        engine.reclaimExpired(); // expired by the server that granted it
        other.reclaimExpired();
        assertThat(other.allocate("one", AllocationRequest.of(new MacAddress(0x525400300002L))).ip()).isEqualTo(x);
    }

    @Test
    void anotherServerSharingTheStoreIsNeverDoubleBooked() {
        NetworkSpec small = NetworkSpec.builder("s", Ipv4Prefix.parse("198.18.0.0/29")).gateway(ip("198.18.0.1"))
                .pools(List.of(Ipv4Range.parse("198.18.0.2-198.18.0.6"))).build();
        engine.putNetwork(small);
        AllocationEngine other = new AllocationEngine(store, clock, new Random(8)); // same store, own stale index
        Set<Ipv4Address> got = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            AllocationEngine e = i % 2 == 0 ? engine : other;
            got.add(e.allocate("s", AllocationRequest.of(new MacAddress(0x525400300000L + i))).ip());
        }
        assertThat(got).hasSize(5);
        assertThatThrownBy(() -> other.allocate("s", AllocationRequest.of(A))).extracting("reason").isEqualTo(Reason.EXHAUSTED);
    }

    @Test
    void indexesAreRebuiltFromTheStore() {
        engine.putNetwork(lab(List.of()));
        Lease a = engine.allocate("lab", AllocationRequest.of(A));
        AllocationEngine restarted = new AllocationEngine(store, clock, new Random(1));
        assertThat(restarted.networks()).extracting(NetworkSpec::name).containsExactly("lab");
        assertThat(restarted.stats("lab").used()).isEqualTo(1);
        assertThat(restarted.leaseOf("lab", HolderKey.of(null, A))).contains(a);
        assertThat(restarted.networkForInterface("br-lab")).isPresent();
        assertThat(restarted.networkContaining(ip("198.18.0.9"))).isPresent();
        assertThat(restarted.networkForRelay(ip("198.18.0.1"))).isPresent();
        assertThat(restarted.networkForRelay(ip("198.19.0.1"))).isEmpty();
        assertThat(restarted.removeNetwork("lab")).isTrue();
        assertThat(restarted.network("lab")).isEmpty();
    }

    @Test
    void invalidNetworksAreRefusedWithFieldProblems() {
        // overlap between networks is the catalog's rule: NetworkCatalogTest
        NetworkSpec bad = NetworkSpec.of("Bad", Ipv4Prefix.parse("198.19.0.0/24"), ip("198.20.0.1"), List.of());
        assertThatThrownBy(() -> engine.putNetwork(bad)).isInstanceOf(NetworkValidationException.class)
                .hasMessageContaining("name").hasMessageContaining("gateway");
    }
}
