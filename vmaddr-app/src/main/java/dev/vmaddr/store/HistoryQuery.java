package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;

/**
 * A page of history: events matching every non-null criterion, newest first.
 *
 * @param vm     the VM name of holders {@code vm/NAME/NIC}
 * @param since  inclusive
 * @param until  exclusive
 * @param after  the previous page's cursor, null for the first page
 * @param limit  at most this many events (≥ 1)
 */
public record HistoryQuery(Ipv4Address ip, MacAddress mac, String vm, Instant since, Instant until, HistoryCursor after,
                           int limit) {
    public HistoryQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }

    public static HistoryQuery all(int limit) {
        return new HistoryQuery(null, null, null, null, null, null, limit);
    }

    public HistoryQuery after(HistoryCursor cursor) {
        return new HistoryQuery(ip, mac, vm, since, until, cursor, limit);
    }

    /** Whether an event matches the criteria other than the cursor. */
    public boolean matches(HistoryEvent e) {
        return (ip == null || ip.equals(e.ip())) && (mac == null || mac.equals(e.mac()))
                && (vm == null || vm.equals(e.vm()))
                && (since == null || !e.at().isBefore(since)) && (until == null || e.at().isBefore(until));
    }
}
