package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.List;

/**
 * Who held what, when. Lease writes that change an address's holder or state, and MAC claims and
 * releases, append here automatically inside the store; callers add events for other changes
 * (VM NIC moves). History survives compaction.
 */
public interface HistoryStore {
    void append(HistoryEvent event);

    /**
     * Events matching every non-null criterion, oldest first (ties in write order), at most
     * {@code limit} (the oldest ones). The time window is {@code [from, to)}.
     *
     * @param holderContains substring of the holder (a VM name matches {@code vm/NAME/...})
     */
    List<HistoryEvent> query(Ipv4Address ip, MacAddress mac, String holderContains, Instant from, Instant to, int limit);

    /**
     * A page of events, newest first (ties: the later written first), strictly older than the query's
     * cursor. Cost by IP, MAC or VM: proportional to that key's events, not to the whole history
     * (per-key indexes in both durable stores).
     */
    HistoryPage page(HistoryQuery query);

    /** Drops the events older than {@code cutoff} (retention); returns how many. */
    long prune(Instant cutoff);
}
