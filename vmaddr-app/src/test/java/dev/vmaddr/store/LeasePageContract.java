package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pages of leases ({@link LeaseStore#list(String, Ipv4Address, int, Predicate)}) as every store must
 * serve them; the memory store runs this too (it does not meet all of {@link StoreContract}).
 * {@link LeasePagingProperties} checks the same against random writes.
 */
public abstract class LeasePageContract extends StoreFixture {
    /** Every lease of the network through pages of {@code limit}, each page starting after the last address of the one before. */
    protected List<Lease> walk(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        List<Lease> all = new ArrayList<>();
        while (true) {
            List<Lease> page = store.leases().list(network, after, limit, filter);
            assertThat(page).as("page after %s", after).hasSizeLessThanOrEqualTo(limit);
            all.addAll(page);
            if (page.size() < limit) {
                return all;
            }
            after = page.getLast().ip();
        }
    }

    @Test
    void pagesStartAfterAnAddressInUnsignedOrder() {
        List<String> addresses = List.of("255.255.255.255", "0.0.0.1", "128.0.0.0", "127.255.255.255", "198.18.0.2",
                "10.0.0.5", "198.18.16.1", "255.255.255.254");
        for (int i = 0; i < addresses.size(); i++) {
            store.leases().put(bound(NET, addresses.get(i), i, T0.plusSeconds(60)), T0);
        }
        store.leases().put(bound("other", "128.0.0.1", 99, T0.plusSeconds(60)), T0);
        List<String> sorted = List.of("0.0.0.1", "10.0.0.5", "127.255.255.255", "128.0.0.0", "198.18.0.2",
                "198.18.16.1", "255.255.255.254", "255.255.255.255");

        assertThat(store.leases().list(NET, null, 3, l -> true)).extracting(l -> l.ip().toString())
                .containsExactly("0.0.0.1", "10.0.0.5", "127.255.255.255");
        assertThat(store.leases().list(NET, ip("127.255.255.255"), 2, l -> true)).extracting(l -> l.ip().toString())
                .containsExactly("128.0.0.0", "198.18.0.2");
        // an address that holds no lease is a cursor too
        assertThat(store.leases().list(NET, ip("198.18.0.3"), 100, l -> true)).extracting(l -> l.ip().toString())
                .containsExactly("198.18.16.1", "255.255.255.254", "255.255.255.255");
        assertThat(store.leases().list(NET, ip("255.255.255.255"), 5, l -> true)).isEmpty();
        assertThat(store.leases().list("nothing", null, 5, l -> true)).isEmpty();
        for (int limit = 1; limit <= 9; limit++) {
            assertThat(walk(NET, null, limit, l -> true)).as("limit %d", limit).extracting(l -> l.ip().toString())
                    .containsExactlyElementsOf(sorted);
        }
        assertThat(store.leases().list(NET)).extracting(l -> l.ip().toString()).containsExactlyElementsOf(sorted);
    }

    @Test
    void theFilterAppliesBeforeTheLimit() {
        for (int i = 0; i < 40; i++) {
            LeaseState state = i % 10 == 3 ? LeaseState.RELEASED : LeaseState.BOUND;
            store.leases().put(new Lease(NET, ip("198.18.0." + (i + 1)), mac(i), null, null, state, T0.plusSeconds(60), T0), T0);
        }
        Predicate<Lease> released = l -> l.state() == LeaseState.RELEASED;
        assertThat(store.leases().list(NET, null, 3, released)).extracting(l -> l.ip().toString())
                .containsExactly("198.18.0.4", "198.18.0.14", "198.18.0.24");
        assertThat(store.leases().list(NET, ip("198.18.0.24"), 3, released)).extracting(l -> l.ip().toString())
                .containsExactly("198.18.0.34");
        assertThat(store.leases().list(NET, null, 50, l -> false)).isEmpty();
    }

    @Test
    void pagesOfALargeNetworkWithASelectiveFilter() throws Exception {
        // more leases than one round of reading (the embedded store reads 512 per lock hold, PostgreSQL 1000 a query)
        int n = 1300;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<WriteResult>> writes = new ArrayList<>();
        Ipv4Address base = ip("127.255.254.0"); // the leases cross 128.0.0.0
        for (int i = 0; i < n; i++) {
            Lease l = bound(NET, base.plus(i).toString(), i, T0.plusSeconds(60));
            writes.add(pool.submit(() -> store.leases().put(l, T0)));
        }
        for (Future<WriteResult> w : writes) {
            assertThat(w.get().applied()).isTrue();
        }
        pool.shutdown();
        List<Ipv4Address> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(base.plus(i));
        }
        assertThat(walk(NET, null, 500, l -> true)).extracting(Lease::ip).containsExactlyElementsOf(all);
        // only the last few pass: the store reads on through several rounds to fill the page
        Predicate<Lease> late = l -> l.ip().compareTo(base.plus(n - 4)) >= 0;
        assertThat(store.leases().list(NET, null, 3, late)).extracting(Lease::ip)
                .containsExactly(base.plus(n - 4), base.plus(n - 3), base.plus(n - 2));
        assertThat(walk(NET, base.plus(7), 2, late)).extracting(Lease::ip).containsExactlyElementsOf(all.subList(n - 4, n));
        assertThat(store.leases().list(NET, base.plus(600), 1, l -> true)).extracting(Lease::ip).containsExactly(base.plus(601));

        // removed addresses leave the pages, and come back when written again
        store.leases().remove(NET, base.plus(601));
        store.leases().remove(NET, base.plus(602));
        assertThat(store.leases().list(NET, base.plus(600), 1, l -> true)).extracting(Lease::ip).containsExactly(base.plus(603));
        store.leases().put(bound(NET, base.plus(602).toString(), 602, T0.plusSeconds(60)), T0);
        assertThat(store.leases().list(NET, base.plus(600), 2, l -> true)).extracting(Lease::ip)
                .containsExactly(base.plus(602), base.plus(603));
    }

    @Test
    void pagesAreTheSameAfterReopening() {
        for (String a : List.of("200.1.1.1", "10.0.0.5", "198.18.0.10", "198.18.0.2", "128.0.0.0")) {
            store.leases().put(bound(NET, a, a.hashCode() & 0xFFFF, T0.plusSeconds(60)), T0);
        }
        store.leases().remove(NET, ip("198.18.0.10"));
        List<Lease> before = walk(NET, null, 2, l -> true);
        assertThat(before).hasSize(4);
        store = reopen(store);
        assertThat(walk(NET, null, 2, l -> true)).isEqualTo(before);
        assertThat(store.leases().list(NET, ip("128.0.0.0"), 1, l -> true)).extracting(l -> l.ip().toString())
                .containsExactly("198.18.0.2");
    }

    @Test
    void aPageNamesWhatIsWrongWithItsArguments() {
        assertThatThrownBy(() -> store.leases().list(NET, null, 0, l -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        assertThatThrownBy(() -> store.leases().list("", null, 10, l -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("network");
        assertThatThrownBy(() -> store.leases().list(NET, null, 10, null)).hasMessageContaining("filter");
    }
}
