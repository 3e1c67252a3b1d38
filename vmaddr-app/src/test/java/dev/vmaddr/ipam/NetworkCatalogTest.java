package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.ipam.NetworkCatalog.LeaseClash;
import dev.vmaddr.ipam.NetworkEditException.Kind;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every rule of {@link NetworkCatalog}, the kind of each refusal, its listeners, and concurrent edits. */
class NetworkCatalogTest {
    static final MacAddress A = MacAddress.parse("02:18:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:18:00:00:00:0b");

    final MemoryStore store = new MemoryStore();
    final MutableClock clock = new MutableClock();
    final AllocationEngine engine = new AllocationEngine(store, clock, new Random(7), Duration.ofMinutes(10));
    final NetworkCatalog catalog = new NetworkCatalog(engine, clock);
    final List<String> heard = new ArrayList<>();

    NetworkCatalogTest() {
        catalog.addListener(new NetworkCatalog.Listener() {
            @Override
            public void networkChanged(NetworkSpec spec) {
                heard.add("changed " + spec.name() + " pools=" + spec.pools().size() + " reservations=" + spec.reservations().size());
            }

            @Override
            public void networkRemoved(String name) {
                heard.add("removed " + name);
            }
        });
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    /** 198.18.0.0/24, gateway .1, pool .100-.199. */
    static NetworkSpec lab() {
        return NetworkSpec.builder("lab", Ipv4Prefix.parse("198.18.0.0/24")).gateway(ip("198.18.0.1"))
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.199"))).build();
    }

    static NetworkEditException refusal(ThrowingCallable call, Kind kind) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(NetworkEditException.class);
        NetworkEditException e = (NetworkEditException) t;
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
        return e;
    }

    @Test
    void createStoresIndexesAndTellsListeners() {
        NetworkSpec created = catalog.create(lab());
        assertThat(catalog.get("lab")).contains(created);
        assertThat(store.networks().list()).containsExactly(created);
        assertThat(engine.stats("lab").size()).isEqualTo(100);
        assertThat(heard).containsExactly("changed lab pools=1 reservations=0");
    }

    @Test
    void createOfAnExistingNameIsAConflict() {
        catalog.create(lab());
        NetworkEditException e = refusal(() -> catalog.create(lab().withPools(List.of())), Kind.CONFLICT);
        assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("name");
        assertThat(catalog.get("lab").orElseThrow().pools()).hasSize(1);
    }

    @Test
    void brokenRulesAreInvalidWithEveryProblemNamed() {
        NetworkSpec bad = NetworkSpec.builder("Bad", Ipv4Prefix.parse("198.19.0.0/24")).gateway(ip("198.20.0.1")).build();
        NetworkEditException e = refusal(() -> catalog.create(bad), Kind.INVALID);
        assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("name", "gateway");
        assertThat(catalog.list()).isEmpty();
        assertThat(heard).isEmpty();
    }

    @Test
    void overlapWithAnotherNetworkIsAConflict() {
        catalog.create(lab());
        NetworkSpec wide = NetworkSpec.builder("wide", Ipv4Prefix.parse("198.18.0.0/16")).build();
        NetworkEditException e = refusal(() -> catalog.create(wide), Kind.CONFLICT);
        assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("cidr");
        assertThat(e.getMessage()).contains("lab");
        // a network may be replaced by a definition overlapping its own old one
        catalog.replace(lab().toBuilder().cidr(Ipv4Prefix.parse("198.18.0.0/23")).build());
        assertThat(catalog.get("lab").orElseThrow().cidr()).isEqualTo(Ipv4Prefix.parse("198.18.0.0/23"));
    }

    @Test
    void editsOfAMissingNetworkAreNotFound() {
        refusal(() -> catalog.replace(lab()), Kind.NOT_FOUND);
        refusal(() -> catalog.edit("lab", n -> n), Kind.NOT_FOUND);
        refusal(() -> catalog.addPool("lab", Ipv4Range.parse("198.18.0.10-198.18.0.20")), Kind.NOT_FOUND);
        refusal(() -> catalog.addReservation("lab", new Reservation(A, null, ip("198.18.0.50"), null), LeaseClash.REFUSE),
                Kind.NOT_FOUND);
        refusal(() -> catalog.delete("lab"), Kind.NOT_FOUND);
        assertThat(heard).isEmpty();
    }

    @Test
    void anEditThatRenamesIsInvalid() {
        catalog.create(lab());
        refusal(() -> catalog.edit("lab", n -> n.toBuilder().name("other").build()), Kind.INVALID);
    }

    @Test
    void anEditThatChangesNothingWritesNothing() {
        catalog.create(lab());
        heard.clear();
        catalog.edit("lab", n -> n);
        catalog.put(lab());
        assertThat(heard).isEmpty();
    }

    @Test
    void poolsAddAndRemoveByTheValidatorsRules() {
        catalog.create(lab());
        catalog.addPool("lab", Ipv4Range.parse("198.18.0.20-198.18.0.29"));
        assertThat(catalog.get("lab").orElseThrow().pools()).hasSize(2);
        assertThat(engine.stats("lab").size()).isEqualTo(110);

        NetworkEditException overlap = refusal(() -> catalog.addPool("lab", Ipv4Range.parse("198.18.0.150-198.18.0.160")), Kind.INVALID);
        assertThat(overlap.problems()).extracting(FieldProblem::field).containsExactly("pools[2]");
        refusal(() -> catalog.addPool("lab", Ipv4Range.parse("198.18.1.10-198.18.1.20")), Kind.INVALID);

        refusal(() -> catalog.removePool("lab", Ipv4Range.parse("198.18.0.30-198.18.0.39")), Kind.NOT_FOUND);
        catalog.removePool("lab", Ipv4Range.parse("198.18.0.20-198.18.0.29"));
        assertThat(catalog.get("lab").orElseThrow().pools()).containsExactly(Ipv4Range.parse("198.18.0.100-198.18.0.199"));
    }

    @Test
    void reservationUniquenessIsAConflict() {
        catalog.create(lab());
        Reservation a = new Reservation(A, null, ip("198.18.0.50"), "a");
        catalog.addReservation("lab", a, LeaseClash.REFUSE);

        NetworkEditException sameIp = refusal(() -> catalog.addReservation("lab",
                new Reservation(B, null, ip("198.18.0.50"), null), LeaseClash.REFUSE), Kind.CONFLICT);
        assertThat(sameIp.getMessage()).contains("mac " + A);
        NetworkEditException sameMac = refusal(() -> catalog.addReservation("lab",
                new Reservation(A, null, ip("198.18.0.51"), null), LeaseClash.REFUSE), Kind.CONFLICT);
        assertThat(sameMac.problems()).extracting(FieldProblem::field).containsExactly("mac");
        ClientId id = ClientId.parse("01:02:18:00:00:00:0c");
        catalog.addReservation("lab", new Reservation(null, id, ip("198.18.0.52"), null), LeaseClash.REFUSE);
        NetworkEditException sameId = refusal(() -> catalog.addReservation("lab",
                new Reservation(null, id, ip("198.18.0.53"), null), LeaseClash.REFUSE), Kind.CONFLICT);
        assertThat(sameId.problems()).extracting(FieldProblem::field).containsExactly("clientId");

        // the same reservation again is refused too, and nothing is written
        heard.clear();
        refusal(() -> catalog.addReservation("lab", a, LeaseClash.REFUSE), Kind.CONFLICT);
        assertThat(heard).isEmpty();
        assertThat(catalog.get("lab").orElseThrow().reservations()).hasSize(2);
    }

    @Test
    void aReservationBreakingTheNetworksRulesIsInvalid() {
        catalog.create(lab());
        refusal(() -> catalog.addReservation("lab", new Reservation(A, null, ip("198.18.7.5"), null), LeaseClash.REFUSE),
                Kind.INVALID);
        refusal(() -> catalog.addReservation("lab", new Reservation(A, null, ip("198.18.0.1"), null), LeaseClash.REFUSE),
                Kind.INVALID);
    }

    @Test
    void removingAReservation() {
        catalog.create(lab());
        catalog.addReservation("lab", new Reservation(A, null, ip("198.18.0.50"), null), LeaseClash.REFUSE);
        refusal(() -> catalog.removeReservation("lab", ip("198.18.0.51")), Kind.NOT_FOUND);
        catalog.removeReservation("lab", ip("198.18.0.50"));
        assertThat(catalog.get("lab").orElseThrow().reservations()).isEmpty();
    }

    @Test
    void aReservationOverAnotherClientsLiveLeaseIsAConflictNamingTheHolder() {
        catalog.create(lab());
        Lease held = engine.allocate("lab", AllocationRequest.of(B).withRequestedIp(ip("198.18.0.150")));

        NetworkEditException e = refusal(() -> catalog.addReservation("lab",
                new Reservation(A, null, held.ip(), null), LeaseClash.REFUSE), Kind.CONFLICT);
        assertThat(e.getMessage()).contains(held.holder().toString()).contains(B.toString()).contains("takeOver");
        assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("ip");
        assertThat(catalog.get("lab").orElseThrow().reservations()).isEmpty();

        // the lease's own client may have its address reserved
        catalog.addReservation("lab", new Reservation(B, null, held.ip(), null), LeaseClash.REFUSE);
        assertThat(catalog.get("lab").orElseThrow().reservations()).hasSize(1);
    }

    @Test
    void aLeaseThatNoLongerOccupiesItsAddressIsNoClash() {
        catalog.create(lab());
        Lease held = engine.allocate("lab", AllocationRequest.of(B).withRequestedIp(ip("198.18.0.150")));
        clock.advance(Duration.ofHours(2)); // past the one-hour lease
        catalog.addReservation("lab", new Reservation(A, null, held.ip(), null), LeaseClash.REFUSE);
        assertThat(catalog.get("lab").orElseThrow().reservations()).extracting(Reservation::mac).containsExactly(A);
    }

    @Test
    void takeOverReservesAndTheHolderIsRefusedAtItsNextRenewalThenMovesOn() {
        catalog.create(lab());
        Ipv4Address addr = ip("198.18.0.150");
        engine.allocate("lab", AllocationRequest.of(B).withRequestedIp(addr));

        catalog.addReservation("lab", new Reservation(A, null, addr, "a"), LeaseClash.TAKE_OVER);

        assertThat(catalog.get("lab").orElseThrow().reservations()).extracting(Reservation::ip).containsExactly(addr);
        assertThatThrownBy(() -> engine.bind("lab", AllocationRequest.of(B), addr)) // the renewal: the server NAKs
                .isInstanceOf(AllocationException.class).extracting("reason").isEqualTo(Reason.RESERVED_FOR_OTHER);
        // the reserved client waits while the old lease still holds the address
        assertThatThrownBy(() -> engine.bind("lab", AllocationRequest.of(A), addr))
                .extracting("reason").isEqualTo(Reason.ADDRESS_TAKEN);
        // the holder starts over: another address, which gives up the old one
        Lease offered = engine.offer("lab", AllocationRequest.of(B), Duration.ofSeconds(30));
        assertThat(offered.ip()).isNotEqualTo(addr);
        engine.bind("lab", AllocationRequest.of(B), offered.ip());
        assertThat(engine.bind("lab", AllocationRequest.of(A), addr).mac()).isEqualTo(A);
    }

    @Test
    void deleteRemovesTheNetworkAndTellsListeners() {
        catalog.create(lab());
        catalog.delete("lab");
        assertThat(catalog.get("lab")).isEmpty();
        assertThat(store.networks().list()).isEmpty();
        assertThat(heard).containsExactly("changed lab pools=1 reservations=0", "removed lab");
    }

    @Test
    void concurrentEditsOfOneNetworkLoseNothing() throws Exception {
        catalog.create(lab());
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        int n = thread * perThread + i;
                        if (i % 5 == 0) {
                            // pools of 1 address each in .2-.99, disjoint from the reservations below
                            catalog.addPool("lab", Ipv4Range.parse("198.18.0." + (2 + n) + "-198.18.0." + (2 + n)));
                        } else {
                            catalog.addReservation("lab", new Reservation(new MacAddress(0x021800100000L + n), null,
                                    ip("198.18.0." + (100 + n)), null), LeaseClash.REFUSE);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        NetworkSpec result = catalog.get("lab").orElseThrow();
        int pools = threads * perThread / 5;
        assertThat(result.pools()).hasSize(1 + pools);
        assertThat(result.reservations()).hasSize(threads * perThread - pools);
        assertThat(store.networks().list()).containsExactly(result);
    }
}
