package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.model.RouteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link Store} must have. A back end's test extends this class and provides a
 * fresh, empty store ({@link #openStore()}) and a way to close and open the same data again
 * ({@link #reopen(Store)}).
 *
 * <p>Times are whole milliseconds so that back ends with coarser timestamps (PostgreSQL keeps
 * microseconds) round-trip them exactly. History time windows are {@code [from, to)}.
 */
public abstract class StoreContract extends StoreFixture {
    // ------------------------------------------------------------------ leases

    @Test
    void putThenGetRoundTripsEveryField() {
        Lease lease = new Lease(NET, ip("198.18.0.7"), mac(7), ClientId.parse("01:52:54:00:00:00:07"), "web1",
                LeaseState.BOUND, T0.plusSeconds(3600).plusMillis(123), T0.plusMillis(5));
        assertThat(store.leases().put(lease, T0)).isEqualTo(WriteResult.APPLIED);
        assertThat(store.leases().get(NET, ip("198.18.0.7"))).contains(lease);
        assertThat(store.leases().get(NET, ip("198.18.0.8"))).isEmpty();
        assertThat(store.leases().get("other", ip("198.18.0.7"))).isEmpty();

        Lease anonymous = new Lease(NET, ip("198.18.0.9"), mac(9), null, null, LeaseState.OFFERED, T0.plusSeconds(30), T0);
        store.leases().put(anonymous, T0);
        assertThat(store.leases().get(NET, ip("198.18.0.9"))).contains(anonymous);
    }

    @Test
    void putAllDecidesEachLeaseLikePutAndAllWrittenOnesSurviveReopen() {
        Lease first = bound(NET, "198.18.0.10", 1, T0.plusSeconds(600));
        store.leases().put(first, T0);
        Lease stale = bound(NET, "198.18.0.12", 3, T0.minusSeconds(5));
        store.leases().put(stale, T0.minusSeconds(60));

        List<Lease> distinct = List.of(
                bound(NET, "198.18.0.10", 2, T0.plusSeconds(600)),   // another holder's address: refused
                bound(NET, "198.18.0.11", 2, T0.plusSeconds(700)),   // free: written
                bound(NET, "198.18.0.12", 4, T0.plusSeconds(800)));  // run out: written over
        List<WriteResult> results = store.leases().putAll(distinct, T0);
        assertThat(results).hasSize(3);
        assertThat(results.get(0).applied()).isFalse();
        assertThat(results.get(0).current()).isEqualTo(first);
        assertThat(results.get(1)).isEqualTo(WriteResult.APPLIED);
        assertThat(results.get(2)).isEqualTo(WriteResult.APPLIED);

        store = reopen(store);
        assertThat(store.leases().get(NET, ip("198.18.0.10"))).contains(first);
        assertThat(store.leases().get(NET, ip("198.18.0.11"))).contains(distinct.get(1));
        assertThat(store.leases().get(NET, ip("198.18.0.12"))).contains(distinct.get(2));
        assertThat(store.leases().findByHolder(NET, HolderKey.of(null, mac(4)))).contains(distinct.get(2));
    }

    @Test
    void putAllOfManyLeasesIsOneUnitThatReadsBackWhole() {
        List<Lease> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(new Lease(NET, ip("198.18.0.0").plus(256 + i), mac(10_000 + i), i % 2 == 0 ? null
                    : ClientId.ofHardware(mac(10_000 + i)), "h" + i, LeaseState.BOUND, T0.plusSeconds(3600 + i), T0));
        }
        List<WriteResult> results = store.leases().putAll(many, T0);
        assertThat(results).hasSize(many.size()).allMatch(WriteResult::applied);
        assertThat(store.leases().count()).isEqualTo(many.size());

        store = reopen(store);
        assertThat(store.leases().count()).isEqualTo(many.size());
        assertThat(store.leases().list(NET)).containsExactlyElementsOf(many);
        // the same leases again: the same holders, so each is written again (what an identical re-import must not do; the engine skips them)
        assertThat(store.leases().putAll(many.subList(0, 10), T0.plusSeconds(1))).allMatch(WriteResult::applied);
    }

    @Test
    void putAllRefusesOneAddressTwiceAndWritesNothing() {
        List<Lease> twice = List.of(bound(NET, "198.18.0.20", 1, T0.plusSeconds(60)), bound(NET, "198.18.0.20", 2, T0.plusSeconds(60)));
        assertThatThrownBy(() -> store.leases().putAll(twice, T0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("198.18.0.20");
        assertThat(store.leases().count()).isZero();
        assertThat(store.leases().putAll(List.of(), T0)).isEmpty();
    }

    @Test
    void putRefusesAnAddressOccupiedByAnotherHolderAndNamesIt() {
        Lease first = bound(NET, "198.18.0.10", 1, T0.plusSeconds(600));
        store.leases().put(first, T0);

        WriteResult r = store.leases().put(bound(NET, "198.18.0.10", 2, T0.plusSeconds(600)), T0);
        assertThat(r.applied()).isFalse();
        assertThat(r.current()).isEqualTo(first);
        assertThat(store.leases().get(NET, ip("198.18.0.10"))).contains(first);

        // Same holder renews.
        Lease renewed = first.withState(LeaseState.BOUND, T0.plusSeconds(1200), T0.plusSeconds(1));
        assertThat(store.leases().put(renewed, T0.plusSeconds(1)).applied()).isTrue();
        assertThat(store.leases().get(NET, ip("198.18.0.10"))).contains(renewed);

        // Once the binding has run out, another holder may take the address.
        Lease other = bound(NET, "198.18.0.10", 2, T0.plusSeconds(5000));
        assertThat(store.leases().put(other, T0.plusSeconds(1200)).applied()).isTrue();
        assertThat(store.leases().get(NET, ip("198.18.0.10"))).contains(other);
    }

    @Test
    void releasedAndExpiredAddressesAreFreeForOthersButDeclinedOnesAreNot() {
        store.leases().put(new Lease(NET, ip("198.18.0.20"), mac(1), null, null, LeaseState.RELEASED, T0.plusSeconds(999), T0), T0);
        store.leases().put(new Lease(NET, ip("198.18.0.21"), mac(1), null, null, LeaseState.EXPIRED, T0.plusSeconds(999), T0), T0);
        store.leases().put(new Lease(NET, ip("198.18.0.22"), mac(1), null, null, LeaseState.DECLINED, T0.plusSeconds(999), T0), T0);

        // three other clients (one client holds one bound lease at a time)
        assertThat(store.leases().put(bound(NET, "198.18.0.20", 2, T0.plusSeconds(60)), T0).applied()).isTrue();
        assertThat(store.leases().put(bound(NET, "198.18.0.21", 3, T0.plusSeconds(60)), T0).applied()).isTrue();
        assertThat(store.leases().put(bound(NET, "198.18.0.22", 4, T0.plusSeconds(60)), T0).applied()).isFalse();
    }

    @Test
    void theHolderIsTheClientIdWhenThereIsOne() {
        ClientId id = ClientId.parse("ff00112233");
        Lease withId = new Lease(NET, ip("198.18.0.30"), mac(1), id, null, LeaseState.BOUND, T0.plusSeconds(60), T0);
        store.leases().put(withId, T0);
        // Same MAC without the client-id is someone else.
        assertThat(store.leases().put(bound(NET, "198.18.0.30", 1, T0.plusSeconds(60)), T0).applied()).isFalse();
        // Same client-id from another MAC is the same holder.
        Lease moved = new Lease(NET, ip("198.18.0.30"), mac(2), id, null, LeaseState.BOUND, T0.plusSeconds(90), T0);
        assertThat(store.leases().put(moved, T0).applied()).isTrue();
        assertThat(store.leases().findByHolder(NET, HolderKey.of(id, mac(2)))).contains(moved);
        assertThat(store.leases().findByHolder(NET, HolderKey.of(null, mac(2)))).isEmpty();
    }

    @Test
    void removeForgetsTheAddress() {
        store.leases().put(bound(NET, "198.18.0.40", 1, T0.plusSeconds(60)), T0);
        assertThat(store.leases().remove(NET, ip("198.18.0.40"))).isTrue();
        assertThat(store.leases().remove(NET, ip("198.18.0.40"))).isFalse();
        assertThat(store.leases().get(NET, ip("198.18.0.40"))).isEmpty();
        assertThat(store.leases().count()).isZero();
        assertThat(store.leases().put(bound(NET, "198.18.0.40", 2, T0.plusSeconds(60)), T0).applied()).isTrue();
    }

    @Test
    void findByHolderReturnsTheMostRecentlyWrittenLeaseOfThatHolder() {
        HolderKey h = HolderKey.of(null, mac(1));
        assertThat(store.leases().findByHolder(NET, h)).isEmpty();
        Lease old = new Lease(NET, ip("198.18.0.50"), mac(1), null, null, LeaseState.RELEASED, T0, T0);
        store.leases().put(old, T0);
        Lease newer = new Lease(NET, ip("198.18.0.51"), mac(1), null, null, LeaseState.BOUND, T0.plusSeconds(60), T0.plusSeconds(1));
        store.leases().put(newer, T0.plusSeconds(1));
        assertThat(store.leases().findByHolder(NET, h)).contains(newer);
        assertThat(store.leases().findByHolder("other", h)).isEmpty();

        // Someone else takes the newer address once it has run out: the holder's remaining record is the old one.
        store.leases().put(bound(NET, "198.18.0.51", 2, T0.plusSeconds(999)), T0.plusSeconds(61));
        assertThat(store.leases().findByHolder(NET, h)).contains(old);
        store.leases().remove(NET, ip("198.18.0.50"));
        assertThat(store.leases().findByHolder(NET, h)).isEmpty();
        assertThat(store.leases().findByHolder(NET, HolderKey.of(null, mac(2)))).isPresent();
    }

    @Test
    void listIsOrderedByAddressAsUnsignedNumbers() {
        for (String a : List.of("200.1.1.1", "10.0.0.5", "198.18.0.10", "198.18.0.2", "127.0.0.1")) {
            store.leases().put(bound(NET, a, a.hashCode() & 0xFFFF, T0.plusSeconds(60)), T0);
        }
        store.leases().put(bound("other", "198.18.0.3", 99, T0.plusSeconds(60)), T0);
        assertThat(store.leases().list(NET)).extracting(l -> l.ip().toString())
                .containsExactly("10.0.0.5", "127.0.0.1", "198.18.0.2", "198.18.0.10", "200.1.1.1");
        assertThat(store.leases().list("nothing")).isEmpty();
    }

    @Test
    void forEachAndCountSeeEveryNetwork() {
        store.leases().put(bound("a", "198.18.0.1", 1, T0.plusSeconds(60)), T0);
        store.leases().put(bound("a", "198.18.0.2", 2, T0.plusSeconds(60)), T0);
        store.leases().put(bound("b", "198.18.0.1", 3, T0.plusSeconds(60)), T0);
        List<Lease> seen = new ArrayList<>();
        store.leases().forEach(seen::add);
        assertThat(seen).hasSize(3).extracting(Lease::network).containsOnly("a", "b");
        assertThat(store.leases().count()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ MACs

    @Test
    void claimRefusesABlockedMacAndAcceptsTheSameOwner() {
        MacRecord web = new MacRecord(mac(1), MacState.ALLOCATED, "vm/web1/nic0", null, T0);
        assertThat(store.macs().claim(web, T0)).isTrue();
        assertThat(store.macs().claim(new MacRecord(mac(1), MacState.ALLOCATED, "vm/db/nic0", null, T0), T0)).isFalse();
        assertThat(store.macs().get(mac(1))).contains(web);
        assertThat(store.macs().claim(new MacRecord(mac(1), MacState.ALLOCATED, "vm/web1/nic0", null, T0.plusSeconds(1)), T0)).isTrue();

        // Released into quarantine: blocked until the end of the quarantine, free after.
        store.macs().put(new MacRecord(mac(1), MacState.QUARANTINED, "vm/web1/nic0", T0.plusSeconds(300), T0.plusSeconds(2)));
        MacRecord db = new MacRecord(mac(1), MacState.ALLOCATED, "vm/db/nic0", null, T0.plusSeconds(400));
        assertThat(store.macs().claim(db, T0.plusSeconds(299))).isFalse();
        assertThat(store.macs().claim(db, T0.plusSeconds(300))).isTrue();

        MacRecord reserved = new MacRecord(mac(2), MacState.RESERVED, null, null, T0);
        store.macs().put(reserved);
        assertThat(store.macs().claim(new MacRecord(mac(2), MacState.ALLOCATED, "vm/x/nic0", null, T0), T0)).isFalse();
        assertThat(store.macs().list()).extracting(MacRecord::mac).containsExactly(mac(1), mac(2));
        assertThat(store.macs().remove(mac(2))).isTrue();
        assertThat(store.macs().remove(mac(2))).isFalse();
        assertThat(store.macs().get(mac(2))).isEmpty();
    }

    // ------------------------------------------------------------------ documents and networks

    @Test
    void documentsAreKeptByKindAndKey() {
        store.documents().put("vm", "web2", "{\"name\":\"web2\"}");
        store.documents().put("vm", "web1", "{\"name\":\"web1\"}");
        store.documents().put("status", "web1", "{\"active\":true}");
        assertThat(store.documents().list("vm")).containsExactly(
                Map.entry("web1", "{\"name\":\"web1\"}"), Map.entry("web2", "{\"name\":\"web2\"}"));
        store.documents().put("vm", "web1", "{\"name\":\"web1\",\"v\":2}");
        assertThat(store.documents().get("vm", "web1")).contains("{\"name\":\"web1\",\"v\":2}");
        assertThat(store.documents().delete("vm", "web1")).isTrue();
        assertThat(store.documents().delete("vm", "web1")).isFalse();
        assertThat(store.documents().get("vm", "web1")).isEmpty();
        assertThat(store.documents().get("status", "web1")).isPresent();
        assertThat(store.documents().list("nothing")).isEmpty();
        assertThatThrownBy(() -> store.documents().put(null, "k", "{}")).hasMessageContaining("kind");
    }

    /** A network with every field set, for round-trip checks. */
    public static NetworkSpec fullNetwork(String name) {
        return NetworkSpec.builder(name, Ipv4Prefix.parse("198.18.0.0/24")).gateway(ip("198.18.0.1"))
                .dns(List.of(ip("198.18.0.2"), ip("198.18.0.3"))).domain("lab.example").mtu(9000).bridge("br0")
                .vlan(42).ipv6Prefix(Ipv6Prefix.parse("fd00:1::/64")).release(ReleasePolicy.ON_STOP)
                .leaseTime(Duration.ofMinutes(30)).renewTime(Duration.ofMinutes(10))
                .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.200")))
                .exclude(List.of(Ipv4Range.parse("198.18.0.150-198.18.0.150")))
                .reservations(List.of(new Reservation(mac(5), null, ip("198.18.0.5"), "db"),
                        new Reservation(null, ClientId.parse("01aabb"), ip("198.18.0.6"), null)))
                .route(new RouteSpec(RouteSpec.Mode.MANUAL, Ipv4Prefix.parse("198.18.0.0/24"), ip("198.18.0.1")))
                .relays(List.of(ip("198.18.0.254"))).dhcpServers(List.of(ip("198.18.0.1")))
                .clients(dev.vmaddr.model.ClientAccess.KNOWN).build();
    }

    @Test
    void networksRoundTripAndDeletingOneRemovesItsLeases() {
        NetworkSpec full = fullNetwork("lab");
        NetworkSpec plain = NetworkSpec.of("aaa", Ipv4Prefix.parse("198.19.0.0/16"), null, List.of());
        store.networks().put(full);
        store.networks().put(plain);
        assertThat(store.networks().get("lab")).contains(full);
        assertThat(store.networks().list()).extracting(NetworkSpec::name).containsExactly("aaa", "lab");

        store.leases().put(bound("lab", "198.18.0.100", 1, T0.plusSeconds(60)), T0);
        store.leases().put(bound("aaa", "198.19.0.100", 1, T0.plusSeconds(60)), T0);
        assertThat(store.networks().delete("lab")).isTrue();
        assertThat(store.networks().delete("lab")).isFalse();
        assertThat(store.networks().get("lab")).isEmpty();
        assertThat(store.leases().list("lab")).isEmpty();
        assertThat(store.leases().count()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ history

    @Test
    void leaseWritesThatChangeHolderOrStateAreHistory() {
        Lease b = bound(NET, "198.18.0.7", 1, T0.plusSeconds(60));
        store.leases().put(b, T0);
        Lease renewed = new Lease(NET, ip("198.18.0.7"), mac(1), null, null, LeaseState.BOUND, T0.plusSeconds(120), T0.plusSeconds(30));
        store.leases().put(renewed, T0.plusSeconds(30));
        Lease released = renewed.withState(LeaseState.RELEASED, T0.plusSeconds(40), T0.plusSeconds(40));
        store.leases().put(released, T0.plusSeconds(40));
        Lease taken = new Lease(NET, ip("198.18.0.7"), mac(2), null, null, LeaseState.BOUND, T0.plusSeconds(999), T0.plusSeconds(50));
        store.leases().put(taken, T0.plusSeconds(50));

        List<HistoryEvent> events = store.history().query(ip("198.18.0.7"), null, null, null, null, 100);
        assertThat(events).extracting(HistoryEvent::action).containsExactly("bound", "released", "bound");
        assertThat(events).extracting(HistoryEvent::at).containsExactly(T0, T0.plusSeconds(40), T0.plusSeconds(50));
        assertThat(events.get(0).network()).isEqualTo(NET);
        assertThat(events.get(0).mac()).isEqualTo(mac(1));
        assertThat(events.get(0).holder()).contains(mac(1).toString());
        assertThat(events.get(2).mac()).isEqualTo(mac(2));

        assertThat(store.history().query(null, mac(2), null, null, null, 100)).hasSize(1);
        assertThat(store.history().query(ip("198.18.0.7"), null, null, T0.plusSeconds(40), T0.plusSeconds(50), 100))
                .extracting(HistoryEvent::action).containsExactly("released");
        assertThat(store.history().query(null, null, null, null, null, 2)).extracting(HistoryEvent::at)
                .containsExactly(T0, T0.plusSeconds(40));
    }

    @Test
    void macClaimsAndExplicitEventsAreHistory() {
        store.macs().claim(new MacRecord(mac(3), MacState.ALLOCATED, "vm/web1/nic0", null, T0), T0);
        store.macs().put(new MacRecord(mac(3), MacState.QUARANTINED, "vm/web1/nic0", T0.plusSeconds(60), T0.plusSeconds(10)));
        store.history().append(new HistoryEvent(T0.plusSeconds(20), NET, ip("198.18.0.9"), mac(3), "vm/web1/nic1", "nic-moved"));

        assertThat(store.history().query(null, mac(3), null, null, null, 10)).extracting(HistoryEvent::action)
                .containsExactly("mac-allocated", "mac-released", "nic-moved");
        assertThat(store.history().query(null, null, "vm/web1/", null, null, 10)).hasSize(3);
        assertThat(store.history().query(null, null, "vm/db/", null, null, 10)).isEmpty();
        assertThat(store.history().query(ip("198.18.0.9"), null, "web1", T0, T0.plusSeconds(21), 10))
                .extracting(HistoryEvent::holder).containsExactly("vm/web1/nic1");
    }

    // ------------------------------------------------------------------ durability

    @Test
    void everythingSurvivesCloseAndReopen() {
        Lease lease = new Lease(NET, ip("198.18.0.7"), mac(7), ClientId.parse("01525400000007"), "web1",
                LeaseState.BOUND, T0.plusSeconds(3600), T0);
        store.leases().put(lease, T0);
        store.leases().put(bound(NET, "198.18.0.8", 8, T0.plusSeconds(60)), T0);
        store.leases().remove(NET, ip("198.18.0.8"));
        MacRecord m = new MacRecord(mac(7), MacState.ALLOCATED, "vm/web1/nic0", null, T0);
        store.macs().claim(m, T0);
        store.networks().put(fullNetwork("lab"));
        store.documents().put("vm", "web1", "{\"a\":1}");
        store.history().append(new HistoryEvent(T0.plusSeconds(5), null, null, null, "vm/web1/nic0", "nic-created"));
        List<HistoryEvent> history = store.history().query(null, null, null, null, null, 1000);

        store = reopen(store);

        assertThat(store.leases().get(NET, ip("198.18.0.7"))).contains(lease);
        assertThat(store.leases().get(NET, ip("198.18.0.8"))).isEmpty();
        assertThat(store.leases().count()).isEqualTo(1);
        assertThat(store.leases().findByHolder(NET, lease.holder())).contains(lease);
        assertThat(store.macs().get(mac(7))).contains(m);
        assertThat(store.networks().get("lab")).contains(fullNetwork("lab"));
        assertThat(store.documents().get("vm", "web1")).contains("{\"a\":1}");
        assertThat(store.history().query(null, null, null, null, null, 1000)).isEqualTo(history);
        // And the reopened store still enforces what it loaded.
        assertThat(store.leases().put(bound(NET, "198.18.0.7", 9, T0.plusSeconds(60)), T0).applied()).isFalse();
        assertThat(store.writable()).isTrue();
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    @Timeout(120)
    void concurrentWritersNeverGiveOneAddressToTwoHolders() throws Exception {
        int threads = 16;
        int addresses = 64;
        int attemptsPerThread = 200;
        Map<Integer, Set<Integer>> winners = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int holder = t;
            futures.add(pool.submit(() -> {
                start.await();
                java.util.Random random = new java.util.Random(holder);
                for (int i = 0; i < attemptsPerThread; i++) {
                    int a = random.nextInt(addresses);
                    // Contended addresses plus one private address per thread and attempt.
                    Lease contended = bound(NET, "198.18.1." + a, holder, T0.plusSeconds(3600));
                    if (store.leases().put(contended, T0).applied()) {
                        winners.computeIfAbsent(a, k -> ConcurrentHashMap.newKeySet()).add(holder);
                    }
                    // its own client (one client holds one bound lease at a time)
                    Lease own = bound(NET, "198.19." + holder + "." + (i % 250), 10_000 + holder * 1000 + i,
                            T0.plusSeconds(3600));
                    if (!store.leases().put(own, T0).applied()) {
                        throw new AssertionError("own address refused: " + own);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        for (Map.Entry<Integer, Set<Integer>> e : winners.entrySet()) {
            assertThat(e.getValue()).as("holders granted 198.18.1.%d", e.getKey()).hasSize(1);
            int holder = e.getValue().iterator().next();
            assertThat(store.leases().get(NET, ip("198.18.1." + e.getKey()))).get()
                    .extracting(Lease::mac).isEqualTo(mac(holder));
        }
        assertThat(store.leases().count()).isEqualTo(winners.size() + threads * Math.min(attemptsPerThread, 250));
    }

    @Test
    @Timeout(60)
    void concurrentMacClaimsHaveOneWinnerEach() throws Exception {
        int threads = 8;
        int macs = 32;
        Map<Integer, Set<String>> winners = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String owner = "vm/v" + t + "/nic0";
            futures.add(pool.submit(() -> {
                for (int m = 0; m < macs; m++) {
                    if (store.macs().claim(new MacRecord(mac(1000 + m), MacState.ALLOCATED, owner, null, T0), T0)) {
                        winners.computeIfAbsent(m, k -> ConcurrentHashMap.newKeySet()).add(owner);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertThat(winners).hasSize(macs);
        Map<Integer, String> owners = new HashMap<>();
        winners.forEach((m, w) -> {
            assertThat(w).hasSize(1);
            owners.put(m, w.iterator().next());
        });
        Set<String> stored = new HashSet<>();
        for (MacRecord r : store.macs().list()) {
            stored.add(r.mac() + "=" + r.owner());
        }
        owners.forEach((m, o) -> assertThat(stored).contains(mac(1000 + m) + "=" + o));
    }
}
