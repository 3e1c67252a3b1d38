package dev.vmaddr.store.compact;

import java.util.Arrays;

/**
 * A set of IPv4 addresses that answers "the first member at or above x" in address order (unsigned),
 * so a lease page starts where it should without sorting the table.
 *
 * <p>Layout: a sparse bitmap. The address space is cut into blocks of {@link #BLOCK_BITS} addresses
 * (a /20 each); a block holding at least one member is a {@code long[64]} (512 bytes) kept in
 * {@code blocks}, in the order of its number ({@code address >>> 12}) in the sorted {@code keys}.
 * Adding or removing an address is a binary search over the blocks (about 5 steps for a /15) and
 * one bit — no allocation unless a block appears, a copy of the directory only when a block appears
 * or empties. Memory for a dense network is one bit per address of its ranges (16 KiB for a /15);
 * a lone member costs its whole block, so a million scattered ones could cost 512 MB, but a
 * network's leases lie in its prefix.
 *
 * <p>A search touches the directory once (binary search) and then at most the 64 words of each
 * block it passes. Not thread-safe: its owner guards it (the embedded store's StoreState with the
 * lease table; PostgreSQL's LeaseCache with the network's monitor, for the addresses a reload saw).
 */
public final class AddressSet {
    static final int BLOCK_SHIFT = 12;
    static final int BLOCK_BITS = 1 << BLOCK_SHIFT;
    private static final int WORDS = BLOCK_BITS / 64;

    private int[] keys = new int[4]; // block numbers (address >>> 12, below 2^20), ascending
    private long[][] blocks = new long[4][];
    private int[] counts = new int[4]; // members per block, never 0 for a block in use
    private int used;

    /** Adds {@code ip} (nothing changes when it is a member already). */
    public void add(int ip) {
        int key = ip >>> BLOCK_SHIFT;
        int b = Arrays.binarySearch(keys, 0, used, key);
        if (b < 0) {
            b = insertBlock(-b - 1, key);
        }
        long[] words = blocks[b];
        int bit = ip & (BLOCK_BITS - 1);
        long mask = 1L << bit;
        if ((words[bit >>> 6] & mask) == 0) {
            words[bit >>> 6] |= mask;
            counts[b]++;
        }
    }

    public boolean contains(int ip) {
        int b = Arrays.binarySearch(keys, 0, used, ip >>> BLOCK_SHIFT);
        int bit = ip & (BLOCK_BITS - 1);
        return b >= 0 && (blocks[b][bit >>> 6] & (1L << bit)) != 0;
    }

    /** Removes {@code ip} (nothing changes when it is not a member). */
    public void remove(int ip) {
        int b = Arrays.binarySearch(keys, 0, used, ip >>> BLOCK_SHIFT);
        int bit = ip & (BLOCK_BITS - 1);
        long mask = 1L << bit;
        if (b < 0 || (blocks[b][bit >>> 6] & mask) == 0) {
            return;
        }
        blocks[b][bit >>> 6] &= ~mask;
        if (--counts[b] == 0) {
            removeBlock(b);
        }
    }

    /**
     * Puts the members at or above {@code from} (an unsigned address, 0 to 2^32) into {@code out}, in
     * order, as many as fit; returns how many. One binary search, then a walk along the bits.
     */
    public int ascendingFrom(long from, int[] out) {
        if (from > 0xFFFF_FFFFL || out.length == 0) {
            return 0;
        }
        int b = Arrays.binarySearch(keys, 0, used, (int) (from >>> BLOCK_SHIFT));
        int bit = (int) (from & (BLOCK_BITS - 1));
        if (b < 0) {
            b = -b - 1; // the next block up, walked from its start
            bit = 0;
        }
        int n = 0;
        for (; b < used; b++, bit = 0) {
            long[] words = blocks[b];
            int base = keys[b] << BLOCK_SHIFT;
            for (int w = bit >>> 6; w < WORDS; w++) {
                long word = words[w];
                if (w == bit >>> 6) {
                    word &= -1L << (bit & 63);
                }
                while (word != 0) {
                    out[n++] = base | (w << 6) | Long.numberOfTrailingZeros(word);
                    if (n == out.length) {
                        return n;
                    }
                    word &= word - 1;
                }
            }
        }
        return n;
    }

    private int insertBlock(int at, int key) {
        if (used == keys.length) {
            keys = Arrays.copyOf(keys, used * 2);
            blocks = Arrays.copyOf(blocks, used * 2);
            counts = Arrays.copyOf(counts, used * 2);
        }
        System.arraycopy(keys, at, keys, at + 1, used - at);
        System.arraycopy(blocks, at, blocks, at + 1, used - at);
        System.arraycopy(counts, at, counts, at + 1, used - at);
        keys[at] = key;
        blocks[at] = new long[WORDS];
        counts[at] = 0;
        used++;
        return at;
    }

    private void removeBlock(int b) {
        System.arraycopy(keys, b + 1, keys, b, used - b - 1);
        System.arraycopy(blocks, b + 1, blocks, b, used - b - 1);
        System.arraycopy(counts, b + 1, counts, b, used - b - 1);
        used--;
        blocks[used] = null;
    }
}
