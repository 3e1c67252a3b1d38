package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.testing.EveryStore;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Paging ({@link LeaseStore#list(String, Ipv4Address, int, Predicate)}) on every store: after random
 * puts and removals, walking the pages with a random limit, filter and starting address yields
 * exactly the leases the store acknowledged, above the start, that pass the filter, sorted by
 * address as unsigned numbers. Addresses come mostly from a small set (so writes overwrite and
 * removals hit) around the sign bit (127.255.255.255 / 128.0.0.0) and the ends of the space, plus
 * some anywhere.
 *
 * <p>The three stores are opened once (PostgreSQL on its own throw-away server, since jqwik does not
 * run JUnit extensions); each try writes to a network of its own.
 */
class LeasePagingProperties {
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final List<Ipv4Address> NEAR = Stream.of("0.0.0.0", "0.0.0.1", "10.0.0.5", "10.0.0.6", "127.255.255.254",
            "127.255.255.255", "128.0.0.0", "128.0.0.1", "128.0.16.0", "198.18.0.1", "198.18.0.2", "198.18.0.3",
            "198.18.15.255", "198.18.16.0", "223.255.255.255", "255.255.255.254", "255.255.255.255")
            .map(Ipv4Address::parse).toList();
    static final AtomicInteger NETWORKS = new AtomicInteger();

    static EveryStore every;
    static Map<String, Store> stores;

    @BeforeContainer
    static void open() throws IOException {
        every = EveryStore.open("paging");
        stores = every.byName();
    }

    @AfterContainer
    static void close() throws IOException {
        if (every != null) {
            every.close();
        }
    }

    sealed interface Op {}

    record Put(Ipv4Address ip, int holder, boolean withClientId, LeaseState state, int expiresIn) implements Op {
        Lease lease(String network) {
            MacAddress mac = new MacAddress(0x525400000000L + holder);
            ClientId id = withClientId ? ClientId.parse(String.format("ff%02x", holder)) : null;
            return new Lease(network, ip, mac, id, null, state, T0.plusSeconds(expiresIn), T0);
        }
    }

    record Remove(Ipv4Address ip) implements Op {}

    /** A filter the API could be asked for, with a name for the report. */
    record Filter(String name, Predicate<Lease> test) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Property(tries = 60)
    void pagesConcatenateToTheSortedFilteredLeases(@ForAll("ops") List<Op> ops, @ForAll("limits") int limit,
                                                   @ForAll("filters") Filter filter, @ForAll("starts") Ipv4Address start) {
        String network = "p" + NETWORKS.incrementAndGet();
        for (Map.Entry<String, Store> e : stores.entrySet()) {
            LeaseStore leases = e.getValue().leases();
            // the model follows what the store acknowledged (PostgreSQL refuses a holder's second bound lease)
            TreeMap<Ipv4Address, Lease> model = new TreeMap<>();
            for (Op op : ops) {
                switch (op) {
                    case Put p -> {
                        Lease l = p.lease(network);
                        if (leases.put(l, T0).applied()) {
                            model.put(l.ip(), l);
                        }
                    }
                    case Remove r -> {
                        assertThat(leases.remove(network, r.ip())).as("%s: remove %s", e.getKey(), r.ip())
                                .isEqualTo(model.remove(r.ip()) != null);
                    }
                }
            }
            List<Lease> expected = (start == null ? model : model.tailMap(start, false)).values().stream()
                    .filter(filter.test()).toList();
            List<Lease> walked = new ArrayList<>();
            int pages = 0;
            Ipv4Address after = start;
            while (true) {
                List<Lease> page = leases.list(network, after, limit, filter.test());
                assertThat(page.size()).as("%s: page size", e.getKey()).isLessThanOrEqualTo(limit);
                walked.addAll(page);
                assertThat(++pages).as("%s: pages", e.getKey()).isLessThanOrEqualTo(expected.size() / limit + 1);
                if (page.size() < limit) {
                    break;
                }
                after = page.getLast().ip();
            }
            assertThat(walked).as("%s: pages of %d after %s, %s", e.getKey(), limit, start, filter)
                    .containsExactlyElementsOf(expected);
            assertThat(leases.list(network)).as("%s: the whole network", e.getKey())
                    .containsExactlyElementsOf(model.values());
        }
    }

    static Arbitrary<Ipv4Address> addresses() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.of(NEAR)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().map(Ipv4Address::new)));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> put = Combinators.combine(addresses(), Arbitraries.integers().between(0, 5),
                Arbitraries.of(true, false, false), Arbitraries.of(LeaseState.class),
                Arbitraries.integers().between(1, 3600)).as(Put::new);
        Arbitrary<Op> remove = addresses().map(Remove::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, put), net.jqwik.api.Tuple.of(1, remove))
                .list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.integers().between(1, 8);
    }

    @Provide
    Arbitrary<Filter> filters() {
        Arbitrary<Filter> byState = Arbitraries.of(LeaseState.class)
                .map(s -> new Filter("state=" + s.wireName(), l -> l.state() == s));
        Arbitrary<Filter> byMac = Arbitraries.integers().between(0, 5).map(h -> {
            MacAddress mac = new MacAddress(0x525400000000L + h);
            return new Filter("mac=" + mac, l -> l.mac().equals(mac));
        });
        return Arbitraries.oneOf(Arbitraries.just(new Filter("all", l -> true)), byState, byMac,
                Arbitraries.just(new Filter("odd addresses", l -> (l.ip().value() & 1) == 1)));
    }

    @Provide
    Arbitrary<Ipv4Address> starts() {
        return addresses().injectNull(0.4);
    }
}
