package dev.vmaddr.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Numbers (IPv4 addresses as unsigned values, MACs) in a few inclusive ranges, numbered densely
 * from 0 so that a {@link FreeBitmap} can cover exactly the ranges: position ↔ value by binary
 * search over the range starts. Overlapping or adjacent ranges are merged. Immutable.
 */
public final class Segments {
    private final long[] firsts;
    private final long[] lasts;
    private final long[] startPositions;
    private final long total;

    /** @param ranges pairs {first, last}, inclusive, in any order */
    public Segments(List<long[]> ranges) {
        List<long[]> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(r -> r[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : sorted) {
            if (r[0] > r[1]) {
                throw new IllegalArgumentException("range ends before it starts: " + r[0] + "-" + r[1]);
            }
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(new long[] {r[0], r[1]});
            }
        }
        firsts = new long[merged.size()];
        lasts = new long[merged.size()];
        startPositions = new long[merged.size()];
        long pos = 0;
        for (int i = 0; i < merged.size(); i++) {
            firsts[i] = merged.get(i)[0];
            lasts[i] = merged.get(i)[1];
            startPositions[i] = pos;
            pos += lasts[i] - firsts[i] + 1;
        }
        total = pos;
    }

    public long size() {
        return total;
    }

    /** The position of {@code value}, or -1 when it lies in no range. */
    public long positionOf(long value) {
        int i = lastAtOrBelow(firsts, value);
        if (i < 0 || value > lasts[i]) {
            return -1;
        }
        return startPositions[i] + (value - firsts[i]);
    }

    public long valueAt(long position) {
        if (position < 0 || position >= total) {
            throw new IndexOutOfBoundsException("position " + position + " outside 0-" + (total - 1));
        }
        int i = lastAtOrBelow(startPositions, position);
        return firsts[i] + (position - startPositions[i]);
    }

    /**
     * The index of the last of the ascending {@code sorted} that is at most {@code v}; -1 when none is.
     * A search of its own and not {@code Arrays.binarySearch}: that one method's profile is shared by
     * every caller in the JVM, and when an index is built at start (every address of a million leases
     * goes through {@link #positionOf}) a branch some other caller never took deoptimized it, and the
     * build ran in the interpreter until it was compiled again.
     */
    private static int lastAtOrBelow(long[] sorted, long v) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }
}
