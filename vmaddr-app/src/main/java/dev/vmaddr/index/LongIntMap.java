package dev.vmaddr.index;

/**
 * Open-addressing map from long to int (linear probing, backward-shift deletion), 12 bytes a slot
 * and no object per entry (a {@code HashMap<MacAddress, Ipv4Address>} costs ~80 bytes and three
 * objects an entry, each copied by the young collection that finds it): the embedded store's holder
 * → address index, the engine's client-id MAC → bound address hint. Not thread-safe: its owner guards it.
 */
public final class LongIntMap {
    private long[] keys;
    private int[] values;
    private boolean[] used;
    private int size;
    private int mask;

    public LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, (int) (expected / 0.6)) * 2 - 1);
        allocate(cap);
    }

    private void allocate(int cap) {
        keys = new long[cap];
        values = new int[cap];
        used = new boolean[cap];
        mask = cap - 1;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    public static final long ABSENT = Long.MIN_VALUE;

    /** The value, or {@link #ABSENT}. */
    public long get(long key) {
        for (int i = slot(key, mask); used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return ABSENT;
    }

    public void put(long key, int value) {
        int i = slot(key, mask);
        for (; used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        keys[i] = key;
        values[i] = value;
        used[i] = true;
        if (++size > keys.length * 0.6) {
            grow();
        }
    }

    /** Removes {@code key} only while it maps to {@code value}. */
    public void remove(long key, int value) {
        if (get(key) == value) {
            remove(key);
        }
    }

    public void remove(long key) {
        int i = slot(key, mask);
        for (; ; i = (i + 1) & mask) {
            if (!used[i]) {
                return;
            }
            if (keys[i] == key) {
                break;
            }
        }
        used[i] = false;
        size--;
        int hole = i;
        for (int j = (i + 1) & mask; used[j]; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                used[hole] = true;
                used[j] = false;
                hole = j;
            }
        }
    }

    public int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        boolean[] oldUsed = used;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                int j = slot(oldKeys[i], mask);
                while (used[j]) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
                used[j] = true;
            }
        }
    }
}
