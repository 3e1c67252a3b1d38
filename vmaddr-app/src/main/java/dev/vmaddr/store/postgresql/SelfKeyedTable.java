package dev.vmaddr.store.postgresql;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * An open-addressing hash table (linear probing) whose keys are part of its values ({@link #keyOf}):
 * one reference a slot, no node, no boxed key. {@link LeaseCache}'s indexes by address and by holder:
 * a million leases in a {@code ConcurrentHashMap} cost a 32-byte node and a boxed key each.
 *
 * <p>Concurrency: ONE writer at a time (the caller serializes them: LeaseCache holds the network's
 * monitor), any number of readers without a lock. What makes that safe:
 * <ul>
 *   <li>A slot's key is read from the value in it, never from a second array, so a reader cannot
 *   pair one write's key with another write's value. Values are immutable (records, and arrays that
 *   are never written after publication) and are stored with release semantics and read with
 *   acquire, so a reader that sees a value sees it whole.</li>
 *   <li>Nothing moves within an array: a removal leaves {@link #DELETED} in the slot (probes go on
 *   past it; an insert may reuse it), never the backward shift that would let a concurrent probe
 *   stop at a hole short of its key.</li>
 *   <li>Growth, and the clean-up of DELETED slots, build a new array and publish it through a volatile
 *   field; the old array is never written again, so a reader still probing it sees the table as it
 *   was a moment before: the reader simply ran before the writes that followed.</li>
 * </ul>
 * A reader may thus miss a write under way (it is ordered before it) but never sees a torn or
 * unrelated value. Every array keeps free slots (at most {@link #MAX_LOAD} full, DELETED included),
 * so every probe ends.
 */
abstract class SelfKeyedTable {
    /** What a removal leaves in its slot. */
    static final Object DELETED = new Object();
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final double MAX_LOAD = 0.7;
    /** Load right after a rehash: room to grow by 40 % before the next one. */
    private static final double REHASH_LOAD = 0.5;

    private volatile Object[] slots = new Object[16];
    /** Values held; writer only. */
    private int live;
    /** Slots not null (values and DELETED); writer only. */
    private int used;

    /** The key of a value stored in this table. */
    abstract long keyOf(Object value);

    static int home(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** The value under {@code key}, or null. Lock-free. */
    final Object get(long key) {
        Object[] s = slots;
        int mask = s.length - 1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            Object v = SLOT.getAcquire(s, i);
            if (v == null) {
                return null;
            }
            if (v != DELETED && keyOf(v) == key) {
                return v;
            }
        }
    }

    /**
     * Writer only: the slot holding {@code key}'s value (then {@link #at} reads it), or, negative,
     * {@code ~slot} where it would go; for one {@link #store} or {@link #clear} right after. One probe
     * for a read-modify-write: a probe touches each value it passes (the key is in the value).
     */
    final int find(long key) {
        Object[] s = slots;
        int mask = s.length - 1;
        int reuse = -1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            Object v = s[i]; // the writer's own writes: no fence needed
            if (v == null) {
                return ~(reuse >= 0 ? reuse : i);
            }
            if (v == DELETED) {
                if (reuse < 0) {
                    reuse = i;
                }
            } else if (keyOf(v) == key) {
                return i;
            }
        }
    }

    /** Writer only: the value in a slot {@link #find} returned (not negative). */
    final Object at(int slot) {
        return slots[slot];
    }

    /** Writer only: puts {@code value} (of the key given to {@link #find}) where {@code found} says. */
    final void store(int found, Object value) {
        Object[] s = slots;
        if (found >= 0) {
            SLOT.setRelease(s, found, value);
            return;
        }
        int i = ~found;
        boolean fresh = s[i] == null;
        SLOT.setRelease(s, i, value);
        live++;
        if (fresh && ++used > s.length * MAX_LOAD) {
            rehash();
        }
    }

    /** Writer only: removes the value in a slot {@link #find} returned (not negative). */
    final void clear(int slot) {
        SLOT.setRelease(slots, slot, DELETED);
        live--;
    }

    /** Writer only: stores {@code value} under its key, replacing what was there. */
    final void put(Object value) {
        store(find(keyOf(value)), value);
    }

    /** Writer only: removes {@code value} if it is what {@code key} holds now (identity); returns whether it was. */
    final boolean remove(long key, Object value) {
        int slot = find(key);
        if (slot < 0 || at(slot) != value) {
            return false;
        }
        clear(slot);
        return true;
    }

    /** Values held now; weakly consistent while a writer works (like a concurrent map's iterator). */
    final void forEach(Consumer<Object> action) {
        Object[] s = slots;
        for (int i = 0; i < s.length; i++) {
            Object v = SLOT.getAcquire(s, i);
            if (v != null && v != DELETED) {
                action.accept(v);
            }
        }
    }

    /** Writer only. */
    final int size() {
        return live;
    }

    /** Slots in the array now (a power of two): what {@link #home} masks with. */
    final int capacity() {
        return slots.length;
    }

    /**
     * Writer only: makes room for {@code more} values at once (one rehash instead of one per
     * doubling) and returns the order in which to store values with these {@code keys} so that the
     * slots are written front to back: a bulk load then walks the array like a scan instead of
     * missing the cache on nearly every value (the start with a million leases was bound by those
     * misses). Ties and collisions keep their relative order.
     *
     * <p>A counting sort by home slot (two passes and one count per slot, the table being at most 70 %
     * full), not a comparison sort of the million keys: at start-up that sort was a fifth of the load.
     */
    final int[] reserveInSlotOrder(long[] keys, int more) {
        if (used + more > slots.length * MAX_LOAD) {
            rehash(live + more);
        }
        int mask = slots.length - 1;
        int[] homes = new int[more];
        int[] next = new int[slots.length + 1]; // first: how many keys a slot is home to; then where its first goes
        for (int i = 0; i < more; i++) {
            int h = home(keys[i], mask);
            homes[i] = h;
            next[h + 1]++;
        }
        for (int h = 1; h < next.length; h++) {
            next[h] += next[h - 1];
        }
        int[] out = new int[more];
        for (int i = 0; i < more; i++) {
            out[next[homes[i]]++] = i;
        }
        return out;
    }

    /** A new array sized for the values held (DELETED slots dropped), published whole. */
    private void rehash() {
        rehash(live);
    }

    private void rehash(int room) {
        Object[] old = slots;
        int cap = 16;
        while (cap * REHASH_LOAD < room) {
            cap <<= 1;
        }
        Object[] s = new Object[cap];
        int mask = cap - 1;
        for (Object v : old) {
            if (v != null && v != DELETED) {
                int i = home(keyOf(v), mask);
                while (s[i] != null) {
                    i = (i + 1) & mask;
                }
                s[i] = v;
            }
        }
        used = live;
        slots = s; // volatile: publishes the plain writes above
    }
}
