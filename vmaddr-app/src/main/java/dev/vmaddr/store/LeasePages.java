package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.Lease;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What every {@link LeaseStore#list(String, Ipv4Address, int, Predicate)} shares: its argument
 * checks, and, for stores that read an address range at a time, paging in rounds.
 */
public final class LeasePages {
    private LeasePages() {
    }

    /** Up to {@code max} leases at or above the unsigned address {@code from}, in address order. */
    @FunctionalInterface
    public interface RangeReader {
        List<Lease> read(long from, int max);
    }

    /** @throws IllegalArgumentException when {@code network} is missing or {@code limit} is below 1 */
    public static void checkArguments(String network, int limit, Predicate<Lease> filter) {
        if (network == null || network.isEmpty()) {
            throw new IllegalArgumentException("network is missing");
        }
        Objects.requireNonNull(filter, "filter");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
    }

    /**
     * One page read in rounds of {@code minRound} to {@code maxRound} leases: as many as the page
     * still needs, but not so few that a selective filter means many rounds. Each round starts above
     * the last address the one before looked at; a short round is the last.
     */
    public static List<Lease> inRounds(Ipv4Address after, int limit, Predicate<Lease> filter, int minRound, int maxRound,
            RangeReader reader) {
        List<Lease> out = new ArrayList<>(Math.min(limit, maxRound));
        long from = after == null ? 0 : after.unsigned() + 1;
        while (out.size() < limit && from <= 0xFFFF_FFFFL) {
            int want = Math.clamp(limit - out.size(), minRound, maxRound);
            List<Lease> round = reader.read(from, want);
            for (int i = 0; i < round.size() && out.size() < limit; i++) {
                Lease l = round.get(i);
                if (filter.test(l)) {
                    out.add(l);
                }
            }
            if (round.size() < want) {
                break;
            }
            from = round.getLast().ip().unsigned() + 1;
        }
        return out;
    }
}
