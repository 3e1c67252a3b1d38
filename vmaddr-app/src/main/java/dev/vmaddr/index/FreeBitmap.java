package dev.vmaddr.index;

/**
 * A set of free positions {@code 0..size-1} that finds "the next free position at or after i"
 * in time independent of how full it is.
 *
 * <p>Layout: level 0 holds one bit per position (1 = free) in 64-bit words. Level k+1 holds one bit
 * per word of level k, set while that word is non-zero. The top level is a single word (besides the
 * zero word every level ends with, below). A search
 * looks in the current word, climbs while the rest of the word is empty and descends along the
 * lowest set bit, so it touches at most two words per level: for 2^24 positions that is four
 * levels, at 0 % or 99.99 % full alike. Memory is size/8 bytes plus 1/64 of that for the summaries.
 *
 * <p>Each level ends with one word that is always zero: a search that runs off the end of a level
 * (the rest of the last word taken, nothing free after it) reads that word, finds nothing and climbs
 * like anywhere else, until the top level ends the search. No branch for "past the end" and no loop
 * that depends on the level it climbed to: both were paths the JIT had not seen while a pool was
 * nearly empty, and the first busy seconds of a server took them in its compiled allocation path
 * (a trap and a recompilation each, JFR at 20,000 DORA/s).
 *
 * <p>Not thread-safe: the owner (an allocation engine's network index, the MAC pool) guards it with
 * its own lock.
 */
public final class FreeBitmap {
    private final long size;
    private final long[][] levels;
    private long free;

    /** A bitmap of {@code size} positions, all free. */
    public FreeBitmap(long size) {
        if (size < 0 || size > (1L << 31)) {
            throw new IllegalArgumentException("bitmap size " + size + " is outside 0-2^31");
        }
        this.size = size;
        int depth = 1;
        long words = Math.max(1, (size + 63) >>> 6);
        while (words > 1) {
            depth++;
            words = (words + 63) >>> 6;
        }
        levels = new long[depth][];
        long bits = size;
        for (int l = 0; l < depth; l++) {
            long used = Math.max(1, (bits + 63) >>> 6);
            levels[l] = new long[(int) used + 1]; // + the zero word past the end (see the class comment)
            bits = used;
        }
        for (long i = 0; i < size; i++) {
            // set word-wise for speed
            if ((i & 63) == 0 && i + 64 <= size) {
                levels[0][(int) (i >>> 6)] = -1L;
                i += 63;
            } else {
                levels[0][(int) (i >>> 6)] |= 1L << (i & 63);
            }
        }
        for (int l = 1; l < depth; l++) {
            long[] below = levels[l - 1];
            for (int w = 0; w < below.length; w++) {
                if (below[w] != 0) {
                    levels[l][w >>> 6] |= 1L << (w & 63);
                }
            }
        }
        free = size;
    }

    public long size() {
        return size;
    }

    public long freeCount() {
        return free;
    }

    /** Whether {@code pos} is free. */
    public boolean isFree(long pos) {
        check(pos);
        return (levels[0][(int) (pos >>> 6)] & (1L << (pos & 63))) != 0;
    }

    /** Marks {@code pos} free; returns false when it already was. */
    public boolean setFree(long pos) {
        check(pos);
        long index = pos;
        for (int l = 0; l < levels.length; l++) {
            int w = (int) (index >>> 6);
            long before = levels[l][w];
            long after = before | (1L << (index & 63));
            if (before == after) {
                return l != 0;
            }
            levels[l][w] = after;
            if (l == 0) {
                free++;
            }
            if (before != 0) {
                return true;
            }
            index = w;
        }
        return true;
    }

    /** Marks {@code pos} taken; returns false when it already was. */
    public boolean setTaken(long pos) {
        check(pos);
        long index = pos;
        for (int l = 0; l < levels.length; l++) {
            int w = (int) (index >>> 6);
            long before = levels[l][w];
            long after = before & ~(1L << (index & 63));
            if (before == after) {
                return l != 0;
            }
            levels[l][w] = after;
            if (l == 0) {
                free--;
            }
            if (after != 0) {
                return true;
            }
            index = w;
        }
        return true;
    }

    /** The first free position at or after {@code from}, wrapping around to 0; -1 when none is free. */
    public long nextFreeWrapping(long from) {
        if (free == 0) {
            return -1;
        }
        long p = nextFree(from);
        return p >= 0 ? p : nextFree(0);
    }

    /** The first free position at or after {@code from}, or -1. */
    public long nextFree(long from) {
        if (from >= size) {
            return -1;
        }
        long index = Math.max(0, from);
        for (int l = 0; l < levels.length; l++) {
            // index <= the used words of the level below, so w is at most this level's zero word
            int w = (int) (index >>> 6);
            long masked = levels[l][w] & (-1L << (index & 63));
            if (masked != 0) {
                long found = ((long) w << 6) + Long.numberOfTrailingZeros(masked);
                while (l > 0) {
                    l--;
                    found = (found << 6) + Long.numberOfTrailingZeros(levels[l][(int) found]);
                }
                return found;
            }
            index = w + 1L;
        }
        return -1;
    }

    private void check(long pos) {
        if (pos < 0 || pos >= size) {
            throw new IndexOutOfBoundsException("position " + pos + " outside 0-" + (size - 1));
        }
    }
}
