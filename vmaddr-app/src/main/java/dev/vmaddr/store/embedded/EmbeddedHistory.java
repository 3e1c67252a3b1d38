package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryCursor;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryPage;
import dev.vmaddr.store.HistoryQuery;
import dev.vmaddr.store.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** History queries over the in-memory, capped event list. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedHistory implements HistoryStore {
    private final GroupCommitLog log;
    private final StoreState state;

    EmbeddedHistory(GroupCommitLog log, StoreState state) {
        this.log = log;
        this.state = state;
    }

    @Override
    public void append(HistoryEvent event) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.at(), "at");
        EmbeddedStore.require(event.action(), "action");
        log.await(log.appendIf(new Op.HistoryAppend(event), Precondition.ALWAYS));
    }

    @Override
    public List<HistoryEvent> query(Ipv4Address ip, MacAddress mac, String holderContains, Instant from, Instant to,
                                    int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        List<StoredEvent> found = log.read(() -> {
            List<StoredEvent> out = new ArrayList<>();
            for (StoredEvent e : state.history.oldestFirst()) {
                if (e.matches(ip, mac, holderContains, from, to)) {
                    out.add(e);
                }
            }
            return out;
        });
        List<HistoryEvent> matches = new ArrayList<>(found.size());
        for (StoredEvent e : found) {
            matches.add(e.toEvent());
        }
        matches.sort(Comparator.comparing(HistoryEvent::at)); // stable: ties stay in log order
        return matches.size() > limit ? List.copyOf(matches.subList(0, limit)) : matches;
    }

    @Override
    public HistoryPage page(HistoryQuery query) {
        Objects.requireNonNull(query, "query");
        // Materialized under the log's lock: the chains change under writers.
        List<HistoryEvent> items = new ArrayList<>(query.limit());
        HistoryCursor next = log.read(() -> {
            items.clear(); // a read is repeated when the batch it saw is rolled back
            List<StoredEvent> found = state.history.page(query);
            for (int i = 0; i < found.size() && i < query.limit(); i++) {
                items.add(found.get(i).toEvent());
            }
            if (found.size() <= query.limit()) {
                return null;
            }
            StoredEvent last = found.get(query.limit() - 1);
            return new HistoryCursor(last.at(), last.seq);
        });
        return new HistoryPage(items, next);
    }

    /**
     * Drops old events: a log record, so that replaying the log at start (which derives lease and MAC
     * events again) drops them again; snapshots are written from the pruned state. The count is the
     * difference in size, which writers in between may blur (it is for a log line).
     */
    @Override
    public long prune(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        long before = log.underLock(() -> (long) state.history.size());
        log.await(log.appendIf(new Op.HistoryPrune(cutoff), Precondition.ALWAYS));
        long after = log.underLock(() -> (long) state.history.size());
        return Math.max(0, before - after);
    }
}
