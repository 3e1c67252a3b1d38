package dev.vmaddr.store.embedded;

import dev.vmaddr.index.LongIntMap;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.store.compact.AddressSet;
import dev.vmaddr.store.compact.LeaseEntry;
import java.util.function.Consumer;

/**
 * The leases of one network: entries by address, the set of those addresses in order (for pages),
 * plus a holder → address index pointing at each holder's most recently written entry. The ordered
 * set changes only when an address enters or leaves the table, not when its lease is rewritten (a
 * renewal), so the DHCP steady state does not pay for it. The index is exact after every write of that holder; it
 * goes stale only when another holder overwrites the address or the address is removed, and
 * {@link #findByHolder} then falls back to a scan (once: the caller repairs the index). Not
 * thread-safe; {@link StoreState} guards it.
 */
final class LeaseTable {
    /** Result of {@link #findByHolder} when the index pointed at an address the holder no longer has. */
    static final LeaseEntry STALE = new LeaseEntry(0, 0, (byte) 0, 0, 0, 0, 0, null, -1);

    final String network;
    private final IntObjectMap<LeaseEntry> byIp;
    private final AddressSet addresses = new AddressSet();
    private final LongIntMap byMac = new LongIntMap(16);
    private final LongIntMap byClientId = new LongIntMap(16);

    LeaseTable(String network) {
        this.network = network;
        this.byIp = new IntObjectMap<>(16);
    }

    LeaseEntry get(int ip) {
        return byIp.get(ip);
    }

    LeaseEntry put(LeaseEntry entry) {
        LeaseEntry old = byIp.put(entry.ip(), entry);
        if (old == null) {
            addresses.add(entry.ip());
        }
        index(entry).put(entry.holderKey(), entry.ip());
        return old;
    }

    /** Puts back {@code previous} (or removes the address when null): the undo of a write. */
    void restore(int ip, LeaseEntry previous, LeaseEntry written) {
        if (previous == null) {
            byIp.remove(ip);
            addresses.remove(ip);
        } else if (byIp.put(ip, previous) == null) {
            addresses.add(ip);
        }
        // The holder index may now point at an address the holder lost; findByHolder repairs stale entries.
        if (written != null && previous != null) {
            index(previous).put(previous.holderKey(), previous.ip());
        }
    }

    LeaseEntry remove(int ip) {
        LeaseEntry old = byIp.remove(ip);
        if (old != null) {
            addresses.remove(ip);
        }
        return old;
    }

    /** The holder's latest entry, null when the holder has none, or {@link #STALE}. */
    LeaseEntry findByHolder(HolderKey holder) {
        LongIntMap index = holder.clientId() != null ? byClientId : byMac;
        long ip = index.get(LeaseEntry.holderKey(holder));
        if (ip == LongIntMap.ABSENT) {
            return null;
        }
        LeaseEntry e = byIp.get((int) ip);
        return e != null && e.heldBy(holder) ? e : STALE;
    }

    /** Slow path: the holder's most recently written entry by scanning every address. */
    LeaseEntry scanHolder(HolderKey holder) {
        LeaseEntry[] best = {null};
        byIp.forEachValue(e -> {
            if (e.heldBy(holder) && (best[0] == null || newer(e, best[0]))) {
                best[0] = e;
            }
        });
        return best[0];
    }

    private static boolean newer(LeaseEntry a, LeaseEntry b) {
        if (a.updSec() != b.updSec()) {
            return a.updSec() > b.updSec();
        }
        if (a.updNano() != b.updNano()) {
            return a.updNano() > b.updNano();
        }
        return a.seq() > b.seq();
    }

    /** Points the holder's index entry at {@code found}, or drops it when null. */
    void repairHolder(HolderKey holder, LeaseEntry found) {
        LongIntMap index = holder.clientId() != null ? byClientId : byMac;
        if (found == null) {
            index.remove(LeaseEntry.holderKey(holder));
        } else {
            index.put(LeaseEntry.holderKey(holder), found.ip());
        }
    }

    private LongIntMap index(LeaseEntry e) {
        return e.isClientIdHolder() ? byClientId : byMac;
    }

    int size() {
        return byIp.size();
    }

    void forEach(Consumer<LeaseEntry> action) {
        byIp.forEachValue(action);
    }

    /**
     * Up to {@code max} entries in address order, the first at or above {@code from} (an unsigned
     * address, up to 2^32): one search in the ordered set, then one lookup per entry.
     */
    LeaseEntry[] from(long from, int max) {
        int[] ips = new int[Math.min(max, byIp.size())];
        int n = addresses.ascendingFrom(from, ips);
        LeaseEntry[] out = new LeaseEntry[n];
        for (int i = 0; i < n; i++) {
            out[i] = byIp.get(ips[i]);
        }
        return out;
    }

    /** Entries at this instant; the copy shares the immutable entries. */
    IntObjectMap<LeaseEntry> copyEntries() {
        return byIp.copy();
    }
}
