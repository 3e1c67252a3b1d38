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

    private static int home(long key, int mask) {
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

    /** Writer only: stores {@code value} under its key, replacing what was there; returns that or null. */
    final Object put(Object value) {
        long key = keyOf(value);
        Object[] s = slots;
        int mask = s.length - 1;
        int reuse = -1;
        int i = home(key, mask);
        for (; ; i = (i + 1) & mask) {
            Object v = s[i]; // the writer's own writes: no fence needed
            if (v == null) {
                break;
            }
            if (v == DELETED) {
                if (reuse < 0) {
                    reuse = i;
                }
            } else if (keyOf(v) == key) {
                SLOT.setRelease(s, i, value);
                return v;
            }
        }
        live++;
        if (reuse >= 0) {
            SLOT.setRelease(s, reuse, value);
            return null;
        }
        SLOT.setRelease(s, i, value);
        if (++used > s.length * MAX_LOAD) {
            rehash();
        }
        return null;
    }

    /** Writer only: removes {@code value} if it is what {@code key} holds now (identity); returns whether it was. */
    final boolean remove(long key, Object value) {
        Object[] s = slots;
        int mask = s.length - 1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            Object v = s[i];
            if (v == null) {
                return false;
            }
            if (v != DELETED && keyOf(v) == key) {
                if (v != value) {
                    return false;
                }
                SLOT.setRelease(s, i, DELETED);
                live--;
                return true;
            }
        }
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

    /** A new array sized for the values held (DELETED slots dropped), published whole. */
    private void rehash() {
        Object[] old = slots;
        int cap = 16;
        while (cap * REHASH_LOAD < live) {
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
