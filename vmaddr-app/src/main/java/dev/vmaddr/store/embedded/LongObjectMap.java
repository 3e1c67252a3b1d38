package dev.vmaddr.store.embedded;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@link IntObjectMap} with long keys (MACs): about 14 bytes a slot instead of the ~56 of a
 * {@code HashMap<Long, V>} node with its boxed key. {@link HistoryLog}'s newest event per MAC: a
 * million MACs were 65 MB of nodes and boxed Longs, and boxing them was a third of loading the
 * history at start. Not thread-safe; {@link StoreState} guards it.
 */
final class LongObjectMap<V> {
    private long[] keys;
    private Object[] values;
    private int size;
    private int mask;

    LongObjectMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, (int) (expected / 0.6)) * 2 - 1);
        keys = new long[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    private LongObjectMap(long[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
        this.mask = keys.length - 1;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
        }
    }

    /** Returns the previous value or null. {@code value} must not be null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        int i = slot(key, mask);
        for (; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                break;
            }
            if (keys[i] == key) {
                values[i] = value;
                return (V) v;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size > keys.length * 0.6) {
            grow();
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = slot(key, mask);
        for (; ; i = (i + 1) & mask) {
            if (values[i] == null) {
                return null;
            }
            if (keys[i] == key) {
                break;
            }
        }
        V old = (V) values[i];
        values[i] = null;
        size--;
        // Backward-shift: move later members of the probe run into the hole so lookups never stop early.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                values[j] = null;
                hole = j;
            }
        }
        return old;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<V> action) {
        for (Object v : values) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    /** A copy sharing the (immutable) values: two array copies, cheap enough to take under a lock. */
    LongObjectMap<V> copy() {
        return new LongObjectMap<>(keys.clone(), values.clone(), size);
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                int j = slot(oldKeys[i], mask);
                while (values[j] != null) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }
}
