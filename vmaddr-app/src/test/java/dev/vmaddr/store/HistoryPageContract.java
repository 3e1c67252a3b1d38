package dev.vmaddr.store;

import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages of history ({@link HistoryStore#page}) as the durable stores serve them: newest first, by
 * IP, MAC or VM, in a time window, paged by an opaque cursor that events written meanwhile do not
 * shift; pruning; and both surviving a restart.
 */
public abstract class HistoryPageContract extends StoreFixture {
    /** Every event of {@code q} through pages of {@code q.limit()}. */
    protected List<HistoryEvent> walk(HistoryQuery q) {
        List<HistoryEvent> all = new ArrayList<>();
        while (true) {
            HistoryPage page = store.history().page(q);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(q.limit());
            all.addAll(page.items());
            if (page.next() == null) {
                return all;
            }
            assertThat(page.items()).hasSize(q.limit());
            q = q.after(HistoryCursor.decode(page.next().encode())); // through the client's text, as the API does
        }
    }

    private void event(int second, String ip, int mac, String holder, String action) {
        store.history().append(new HistoryEvent(T0.plusSeconds(second), ip == null ? null : NET, ip == null ? null : ip(ip),
                mac < 0 ? null : mac(mac), holder, action, "api:test", null));
    }

    @Test
    void newestFirstByIpMacAndVmWithTheirOwnChains() {
        event(1, "198.18.0.7", 1, "vm/web1/nic0", HistoryKinds.RESERVATION_ADDED);
        event(2, "198.18.0.8", 2, "vm/db/nic0", HistoryKinds.RESERVATION_ADDED);
        event(3, null, 1, "vm/web1/nic0", HistoryKinds.MAC_CHANGED);
        event(4, "198.18.0.7", 1, "vm/web1/nic0", HistoryKinds.RESERVATION_REMOVED);
        event(5, "198.18.0.7", 3, "vm/db/nic1", HistoryKinds.RESERVATION_ADDED);

        assertThat(walk(new HistoryQuery(ip("198.18.0.7"), null, null, null, null, null, 10)))
                .extracting(e -> e.at().getEpochSecond() - T0.getEpochSecond()).containsExactly(5L, 4L, 1L);
        assertThat(walk(new HistoryQuery(null, mac(1), null, null, null, null, 10)))
                .extracting(HistoryEvent::action)
                .containsExactly(HistoryKinds.RESERVATION_REMOVED, HistoryKinds.MAC_CHANGED, HistoryKinds.RESERVATION_ADDED);
        assertThat(walk(new HistoryQuery(null, null, "db", null, null, null, 10)))
                .extracting(HistoryEvent::nic).containsExactly("nic1", "nic0");
        assertThat(walk(new HistoryQuery(null, null, "web", null, null, null, 10))).as("a VM is a name, not a part").isEmpty();
        assertThat(walk(new HistoryQuery(ip("198.18.0.7"), mac(1), null, null, null, null, 10))).hasSize(2);
        assertThat(walk(new HistoryQuery(null, null, null, T0.plusSeconds(2), T0.plusSeconds(4), null, 10)))
                .extracting(e -> e.at().getEpochSecond() - T0.getEpochSecond()).containsExactly(3L, 2L);
        HistoryEvent first = walk(new HistoryQuery(null, mac(1), null, null, T0.plusSeconds(2), null, 1)).getFirst();
        assertThat(first.actor()).isEqualTo("api:test");
        assertThat(first.vm()).isEqualTo("web1");
        assertThat(walk(new HistoryQuery(ip("10.0.0.1"), null, null, null, null, null, 10))).isEmpty();
    }

    @Test
    void pagesOfEveryLimitGiveEveryEventOnceInOrderEvenForEventsOfOneInstant() {
        for (int i = 0; i < 23; i++) {
            event(i / 4, "198.18.0." + (i % 3 + 1), i % 5, "vm/v" + (i % 2) + "/nic0", "x" + i);
        }
        List<HistoryEvent> all = walk(HistoryQuery.all(100));
        assertThat(all).hasSize(23);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).at()).isBeforeOrEqualTo(all.get(i - 1).at());
        }
        // among events of one instant, the later written comes first
        assertThat(all.getFirst().action()).isEqualTo("x22");
        for (int limit = 1; limit <= 24; limit++) {
            assertThat(walk(HistoryQuery.all(limit))).as("limit %d", limit).containsExactlyElementsOf(all);
        }
        List<HistoryEvent> byIp = walk(new HistoryQuery(ip("198.18.0.2"), null, null, null, null, null, 2));
        assertThat(byIp).containsExactlyElementsOf(all.stream().filter(e -> ip("198.18.0.2").equals(e.ip())).toList());
    }

    @Test
    void eventsWrittenWhilePagingDoNotShiftThePages() {
        for (int i = 0; i < 30; i++) {
            event(i, "198.18.0.9", 1, "vm/web1/nic0", "old" + i);
        }
        HistoryQuery q = new HistoryQuery(ip("198.18.0.9"), null, null, null, null, null, 7);
        List<HistoryEvent> seen = new ArrayList<>();
        int written = 0;
        while (true) {
            HistoryPage page = store.history().page(q);
            seen.addAll(page.items());
            // newer events (and one of the same instant as the newest) arrive between pages
            event(100 + written, "198.18.0.9", 1, "vm/web1/nic0", "new" + written);
            event(29, "198.18.0.9", 1, "vm/web1/nic0", "same-instant" + written);
            written++;
            if (page.next() == null) {
                break;
            }
            q = q.after(page.next());
        }
        assertThat(seen).extracting(HistoryEvent::action)
                .containsExactlyElementsOf(java.util.stream.IntStream.iterate(29, i -> i >= 0, i -> i - 1).mapToObj(i -> "old" + i).toList());
    }

    @Test
    void leaseWritesAreEventsWithKindsAndRenewalsAreCoalesced() {
        Instant t = T0;
        Lease l = new Lease(NET, ip("198.18.0.20"), mac(7), null, null, LeaseState.OFFERED, t.plusSeconds(60), t);
        store.leases().put(l, t);
        store.leases().put(l.withState(LeaseState.BOUND, t.plusSeconds(600), t.plusSeconds(1)), t.plusSeconds(1));
        for (int i = 2; i < 12; i++) { // renewals: same holder, same state
            store.leases().put(l.withState(LeaseState.BOUND, t.plusSeconds(600 + i), t.plusSeconds(i)), t.plusSeconds(i));
        }
        store.leases().put(l.withState(LeaseState.RELEASED, t.plusSeconds(20), t.plusSeconds(20)), t.plusSeconds(20));

        assertThat(walk(new HistoryQuery(ip("198.18.0.20"), null, null, null, null, null, 10)))
                .extracting(e -> HistoryKinds.kind(e.action()))
                .containsExactly(HistoryKinds.LEASE_RELEASED, HistoryKinds.LEASE_BOUND);
    }

    @Test
    void pruneDropsTheOldAndRestartKeepsBothTheRestAndTheGap() {
        for (int i = 0; i < 50; i++) {
            event(i, "198.18.1." + (i % 4 + 1), i % 3, "vm/p" + (i % 2) + "/nic0", "e" + i);
        }
        assertThat(store.history().prune(T0.plusSeconds(20))).isEqualTo(20);
        assertThat(store.history().prune(T0.plusSeconds(20))).isZero();
        List<HistoryEvent> rest = walk(HistoryQuery.all(9));
        assertThat(rest).hasSize(30).allMatch(e -> !e.at().isBefore(T0.plusSeconds(20)));
        List<HistoryEvent> byMac = walk(new HistoryQuery(null, mac(1), null, null, null, null, 4));
        assertThat(byMac).allMatch(e -> !e.at().isBefore(T0.plusSeconds(20))).isNotEmpty();

        store = reopen(store);
        assertThat(walk(HistoryQuery.all(9))).containsExactlyElementsOf(rest);
        assertThat(walk(new HistoryQuery(null, mac(1), null, null, null, null, 4))).containsExactlyElementsOf(byMac);
        Set<String> vms = new HashSet<>();
        walk(new HistoryQuery(null, null, "p1", null, null, null, 3)).forEach(e -> vms.add(e.vm()));
        assertThat(vms).containsExactly("p1");
    }
}
