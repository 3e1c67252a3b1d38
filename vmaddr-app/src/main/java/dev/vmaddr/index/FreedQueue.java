package dev.vmaddr.index;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * Positions that were in use and are free again, longest free first: the reuse cooldown's order
 * (issue 20 item 2, whereabouts#288). A freed address goes to a different client only after every
 * never-used one and every one freed before it, so a stale ARP cache or DNS record pointing at it
 * has had the longest time to run out.
 *
 * <p>Two parts. A min-heap of (freed-at millis, position) entries, and per position the time it
 * was last freed (0: never used), kept in pages of {@value #PAGE} allocated on first use, so a pool
 * costs memory only where addresses were ever used. An entry is a hint: it is good while its
 * position is free (the caller's predicate) and its time is still the position's last-freed time.
 * A stale entry (the position was taken again, or freed again later and queued anew) is dropped
 * when it reaches the head. Costs: O(log n) to queue, amortised O(log n) to find the head; the heap
 * is compacted (stale and duplicate entries dropped) when it outgrows twice the pool, so its size
 * stays bounded whatever the churn.
 *
 * <p>Not thread-safe: the owner (an allocation engine's network index) guards it with its lock.
 */
public final class FreedQueue {
    static final int PAGE = 1024;

    private final long size;
    private final long[][] lastFreed;
    private long[] times = new long[16];
    private int[] positions = new int[16];
    private int count;

    /** A queue over positions {@code 0..size-1}, none used yet. */
    public FreedQueue(long size) {
        if (size < 0 || size > (1L << 31)) {
            throw new IllegalArgumentException("queue size " + size + " is outside 0-2^31");
        }
        this.size = size;
        this.lastFreed = new long[(int) ((size + PAGE - 1) / PAGE)][];
    }

    /** When {@code pos} was last freed, in epoch millis; 0 when it was never used. */
    public long lastFreed(long pos) {
        check(pos);
        long[] page = lastFreed[(int) (pos / PAGE)];
        return page == null ? 0 : page[(int) (pos % PAGE)];
    }

    /** Whether {@code pos} was ever used (freed at least once). */
    public boolean used(long pos) {
        return lastFreed(pos) != 0;
    }

    /** {@code pos} was freed at {@code atMillis} (a release, an expiry, a quarantine's end): queued at that time. */
    public void freed(long pos, long atMillis) {
        check(pos);
        long at = Math.max(1, atMillis); // 0 means "never used"
        long[] page = lastFreed[(int) (pos / PAGE)];
        if (page == null) {
            page = lastFreed[(int) (pos / PAGE)] = new long[PAGE];
        }
        page[(int) (pos % PAGE)] = at;
        push(at, (int) pos);
    }

    /** A used {@code pos} is free again after a claim on it went (an offer dropped): queued at its old time. */
    public void requeue(long pos) {
        long at = lastFreed(pos);
        if (at != 0) {
            push(at, (int) pos);
        }
    }

    /**
     * The position freed longest ago that {@code isFree} still says is free, left at the head (the
     * caller takes it, or marks it taken, and asks again); -1 when none is.
     */
    public long peek(LongPredicate isFree) {
        while (count > 0) {
            int pos = positions[0];
            if (isFree.test(pos) && times[0] == lastFreed(pos)) {
                return pos;
            }
            pop();
        }
        return -1;
    }

    /** Entries held, stale ones included (for tests and the compaction bound). */
    public int entries() {
        return count;
    }

    private void push(long at, int pos) {
        if (count >= 2 * size + 64) {
            compact();
        }
        if (count == times.length) {
            times = Arrays.copyOf(times, count * 2);
            positions = Arrays.copyOf(positions, count * 2);
        }
        int i = count++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(at, pos, times[parent], positions[parent])) {
                break;
            }
            times[i] = times[parent];
            positions[i] = positions[parent];
            i = parent;
        }
        times[i] = at;
        positions[i] = pos;
    }

    private void pop() {
        long lastTime = times[--count];
        int lastPos = positions[count];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= count) {
                break;
            }
            if (child + 1 < count && less(times[child + 1], positions[child + 1], times[child], positions[child])) {
                child++;
            }
            if (!less(times[child], positions[child], lastTime, lastPos)) {
                break;
            }
            times[i] = times[child];
            positions[i] = positions[child];
            i = child;
        }
        if (count > 0) {
            times[i] = lastTime;
            positions[i] = lastPos;
        }
    }

    /**
     * Drops entries whose time is no longer their position's last-freed time, and duplicates
     * (a position queued again at the same time after an offer on it was dropped), then heapifies.
     * Entries of positions taken meanwhile stay: their owner's predicate drops them at the head.
     */
    private void compact() {
        long[] keys = new long[count];
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (times[i] == lastFreed(positions[i])) {
                keys[kept++] = positions[i];
            }
        }
        Arrays.sort(keys, 0, kept);
        int n = 0;
        for (int i = 0; i < kept; i++) {
            if (i == 0 || keys[i] != keys[i - 1]) {
                positions[n] = (int) keys[i];
                times[n] = lastFreed(keys[i]);
                n++;
            }
        }
        count = 0;
        long[] t = Arrays.copyOf(times, n);
        int[] p = Arrays.copyOf(positions, n);
        for (int i = 0; i < n; i++) {
            push(t[i], p[i]);
        }
    }

    private static boolean less(long t1, int p1, long t2, int p2) {
        return t1 < t2 || t1 == t2 && p1 < p2;
    }

    private void check(long pos) {
        if (pos < 0 || pos >= size) {
            throw new IndexOutOfBoundsException("position " + pos + " outside 0-" + (size - 1));
        }
    }
}
