package dev.vmaddr.index;

import java.util.Arrays;

/**
 * A min-heap of (second, slot) pairs packed in longs — 8 bytes per entry instead of an object per
 * lease, so a million leases cost 8 MB here. Entries are hints: the owner re-checks the record of
 * truth when one comes due, and stale entries (a lease renewed since) are simply skipped.
 *
 * <p>Packing: {@code second << 24 | slot}, slot below 2^24, second below 2^39 (year 19,000).
 * Not thread-safe; guarded by its owner's lock.
 */
public final class ExpiryQueue {
    public static final int SLOT_BITS = 24;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    private long[] heap = new long[16];
    private int size;

    public void add(long epochSecond, long slot) {
        if (slot < 0 || slot > SLOT_MASK) {
            throw new IllegalArgumentException("slot " + slot + " outside 0-" + SLOT_MASK);
        }
        long key = (Math.max(0, epochSecond) << SLOT_BITS) | slot;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    public int size() {
        return size;
    }

    /** The slot of the earliest entry due at or before {@code epochSecond} (removed), or -1. */
    public long pollDue(long epochSecond) {
        if (size == 0 || (heap[0] >>> SLOT_BITS) > epochSecond) {
            return -1;
        }
        long top = heap[0];
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = last;
        }
        if (heap.length > 64 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
        }
        return top & SLOT_MASK;
    }
}
