package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryEvent;
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
            for (StoredEvent e : state.history) {
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
}
