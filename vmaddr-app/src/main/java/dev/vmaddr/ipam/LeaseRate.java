package dev.vmaddr.ipam;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Leases granted per minute, per network: the engine reports every BOUND lease it stored (a new
 * binding or a renewal, DHCP and API alike) and the UI and {@code GET /networks/{n}/stats} read the
 * last minutes.
 *
 * <p><b>Why this shape.</b> {@link #bound} runs on the DHCP hot path, from many threads at once, so
 * it allocates nothing and takes no lock: each network has a fixed ring of {@link #MINUTES} one-minute
 * buckets, each split into {@link #STRIPES} slots picked by the calling thread, and a slot is one
 * {@code long} holding its minute (upper bits) and its count (lower {@link #COUNT_BITS} bits). A CAS
 * either adds one to a slot of the current minute or restarts a slot still holding an older minute
 * at 1, so a bucket never needs a separate reset that an increment could race with, and a count is
 * never credited to the wrong minute. A reader sums the slots whose minute is the one it asks for;
 * slots of older minutes count as zero. Time comes from the injected clock, so tests step it.
 *
 * <p>Counts are this server's own grants (several servers sharing a store count each their own) and
 * live in memory only: after a restart the rate starts from zero.
 */
public final class LeaseRate {
    /** Complete minutes kept besides the current one. */
    public static final int HISTORY = 15;
    static final int MINUTES = HISTORY + 1;
    static final int STRIPES = 8;
    static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    /** Grants in the current (partial) minute, in the last complete one, and the last {@link #HISTORY} complete ones, oldest first. */
    public record Snapshot(long thisMinute, long lastMinute, List<Long> perMinute) {}

    private final Clock clock;
    private final ConcurrentHashMap<String, AtomicLongArray> networks = new ConcurrentHashMap<>();

    public LeaseRate(Clock clock) {
        this.clock = clock;
    }

    /** One BOUND lease stored in {@code network} at {@code at}. No allocation once the network has been seen. */
    void bound(String network, Instant at) {
        AtomicLongArray slots = networks.get(network);
        if (slots == null) {
            slots = networks.computeIfAbsent(network, n -> new AtomicLongArray(MINUTES * STRIPES));
        }
        long minute = Math.floorDiv(at.getEpochSecond(), 60);
        int i = (int) Math.floorMod(minute, MINUTES) * STRIPES + (int) (Thread.currentThread().threadId() & (STRIPES - 1));
        while (true) {
            long v = slots.get(i);
            long slotMinute = v >>> COUNT_BITS;
            long next;
            if (slotMinute == minute) {
                if ((v & COUNT_MASK) == COUNT_MASK) {
                    return; // 16 million grants in one minute on one stripe: saturate rather than wrap
                }
                next = v + 1;
            } else if (slotMinute < minute) {
                next = minute << COUNT_BITS | 1;
            } else {
                return; // a grant stamped before a newer minute already took the slot (clock stepped back): dropped
            }
            if (slots.compareAndSet(i, v, next)) {
                return;
            }
        }
    }

    /** The network is gone: a network of the same name made later starts from zero. */
    void forget(String network) {
        networks.remove(network);
    }

    /** The rate now (by the clock); zeros for a network with no grants yet. */
    public Snapshot snapshot(String network) {
        AtomicLongArray slots = networks.get(network);
        long now = Math.floorDiv(clock.instant().getEpochSecond(), 60);
        List<Long> history = new ArrayList<>(HISTORY);
        for (long m = now - HISTORY; m < now; m++) {
            history.add(count(slots, m));
        }
        return new Snapshot(count(slots, now), history.getLast(), List.copyOf(history));
    }

    private static long count(AtomicLongArray slots, long minute) {
        if (slots == null) {
            return 0;
        }
        int base = (int) Math.floorMod(minute, MINUTES) * STRIPES;
        long sum = 0;
        for (int s = 0; s < STRIPES; s++) {
            long v = slots.get(base + s);
            if (v >>> COUNT_BITS == minute) {
                sum += v & COUNT_MASK;
            }
        }
        return sum;
    }
}
