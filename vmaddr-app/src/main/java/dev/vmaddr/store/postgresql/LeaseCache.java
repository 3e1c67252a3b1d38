package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.compact.AddressSet;
import dev.vmaddr.store.compact.LeaseEntry;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * This server's copy of table {@code leases}, answering every lease read without a round trip.
 *
 * <p>Rows arrive from this server's own commits and from polling the database for other servers'
 * writes, in no reliable order; each carries its {@code seq}, which grows with every write of a row,
 * so {@link #apply} keeps whichever version is newer. A removal leaves a tombstone with its
 * {@code seq} so that an older row read by a slow poll cannot bring the record back.
 *
 * <p>Memory (issue 24: a million leases in a heap under 300 MB): a lease is held as a
 * {@link LeaseEntry} (primitive fields, client-id and hostname as bytes: ~100 bytes with a short
 * hostname) in {@link SelfKeyedTable}s per network (by address, by holder), one slot each; a
 * {@link Lease} is built only when one is read. The ConcurrentHashMaps of Lease records before held
 * ~300 bytes a lease.
 *
 * <p>Concurrency: reads are lock-free (see SelfKeyedTable: immutable entries published with release
 * semantics). Writers of one network (committer threads, the poller) serialize on that network's
 * monitor, which keeps the by-IP and by-holder tables consistent with each other and gives each
 * table its one writer at a time.
 */
final class LeaseCache {
    /** A removal: kept in the by-address table until no writer under way can need it; {@code tick}: when stored. */
    record Tombstone(int ip, long seq, long tick) {}

    private record Pending(NetworkLeases network, Tombstone tombstone) {}

    /** Entries (and tombstones) by address. */
    private static final class ByIp extends SelfKeyedTable {
        @Override
        long keyOf(Object value) {
            return value instanceof LeaseEntry e ? e.ip() : ((Tombstone) value).ip();
        }
    }

    /**
     * Live entries by holder: one entry, or an array of the entries sharing the key (a holder with
     * several records, or, rarely, client-ids whose hashes collide; readers check
     * {@link LeaseEntry#heldBy}). Holders by MAC and by client-id apart, as in the embedded store: the
     * MAC is a field of the entry, so a probe past MAC holders reads no client-id bytes.
     */
    private static final class ByHolder extends SelfKeyedTable {
        private final boolean clientIds;

        ByHolder(boolean clientIds) {
            this.clientIds = clientIds;
        }

        @Override
        long keyOf(Object value) {
            LeaseEntry e = value instanceof LeaseEntry one ? one : ((LeaseEntry[]) value)[0];
            return clientIds ? e.holderKey() : e.mac();
        }
    }

    private static final class NetworkLeases {
        final String name;
        // hash tables, not sorted ones: get() is on every DHCP exchange and every write; pages of leases
        // come from the database's primary key instead (PgLeaseStore)
        final ByIp byIp = new ByIp();
        final ByHolder byMac = new ByHolder(false);
        final ByHolder byClientId = new ByHolder(true);
        /** Addresses stored or read during the reload under way, or null; guarded by this monitor. */
        AddressSet seen;

        NetworkLeases(String name) {
            this.name = name;
        }
    }

    private final ConcurrentHashMap<String, NetworkLeases> networks = new ConcurrentHashMap<>();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    /** Ticks at which the writers now under way began (a multiset: tick -> count). */
    private final ConcurrentSkipListMap<Long, Integer> active = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<Pending> tombstones = new ConcurrentLinkedQueue<>();
    private volatile boolean reloading;

    /** A writer begins: rows it applies may be older than removals made while it runs. Returns its tick. */
    long enter() {
        long t = ticks.incrementAndGet();
        active.merge(t, 1, Integer::sum);
        return t;
    }

    void exit(long tick) {
        active.computeIfPresent(tick, (k, c) -> c == 1 ? null : c - 1);
    }

    void apply(Versioned row) {
        Lease lease = row.lease();
        load(lease.network(), LeaseEntry.of(lease, row.seq()));
    }

    /** Stores a row read from the table (its {@code seq} in the entry) unless a newer version is here. */
    void load(String network, LeaseEntry entry) {
        put(network(network), entry.ip(), entry, entry.seq(), false);
    }

    /**
     * The first load's rows, gathered per network so that {@link #loadAll} can write each table in
     * slot order (see {@link SelfKeyedTable#reserveInSlotOrder}). Not thread-safe: the loading thread's.
     */
    static final class Bulk implements LeaseCopy.Sink {
        private final List<String> names = new ArrayList<>();
        private final List<LeaseEntry[]> rows = new ArrayList<>();
        private final List<int[]> counts = new ArrayList<>();
        private int last = -1;

        @Override
        public void accept(String network, LeaseEntry entry) {
            int k = last >= 0 && names.get(last).equals(network) ? last : names.indexOf(network);
            if (k < 0) {
                k = names.size();
                names.add(network);
                rows.add(new LeaseEntry[1024]);
                counts.add(new int[1]);
            }
            last = k;
            LeaseEntry[] list = rows.get(k);
            int[] count = counts.get(k);
            if (count[0] == list.length) {
                list = Arrays.copyOf(list, list.length * 2);
                rows.set(k, list);
            }
            list[count[0]++] = entry;
        }
    }

    /**
     * Stores the first load's rows (unless a newer version is here), table by table in slot order, the
     * networks side by side (the common pool and this thread): each network's tables are its own,
     * under its monitor, and at start-up the other core is free once the COPY has ended.
     */
    void loadAll(Bulk bulk) {
        IntStream.range(0, bulk.names.size()).parallel()
                .forEach(k -> loadAll(network(bulk.names.get(k)), bulk.rows.get(k), bulk.counts.get(k)[0]));
    }

    private void loadAll(NetworkLeases n, LeaseEntry[] rows, int count) {
        synchronized (n) {
            long[] keys = new long[count];
            for (int i = 0; i < count; i++) {
                keys[i] = rows[i].ip();
            }
            LeaseEntry[] byMac = new LeaseEntry[count];
            LeaseEntry[] byClientId = new LeaseEntry[count];
            int macs = 0;
            int clientIds = 0;
            long added = 0;
            for (int i : n.byIp.reserveInSlotOrder(keys, count)) {
                LeaseEntry e = rows[i];
                int slot = n.byIp.find(e.ip());
                Object old = slot >= 0 ? n.byIp.at(slot) : null;
                if (old != null && seqOf(old) >= e.seq()) {
                    continue;
                }
                n.byIp.store(slot, e);
                if (old instanceof LeaseEntry o) {
                    unindex(n, o);
                }
                added++;
                if (e.hasClientId()) {
                    byClientId[clientIds++] = e;
                } else {
                    byMac[macs++] = e;
                }
            }
            live.addAndGet(added);
            indexAll(n, n.byMac, byMac, macs);
            indexAll(n, n.byClientId, byClientId, clientIds);
        }
    }

    private static void indexAll(NetworkLeases n, ByHolder table, LeaseEntry[] entries, int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = entries[i].holderKey();
        }
        for (int i : table.reserveInSlotOrder(keys, count)) {
            index(n, entries[i]);
        }
    }

    void remove(String network, Ipv4Address ip, long seq) {
        NetworkLeases n = network(network);
        Tombstone tombstone = new Tombstone(ip.value(), seq, ticks.incrementAndGet());
        if (put(n, ip.value(), tombstone, seq, false)) {
            tombstones.add(new Pending(n, tombstone));
        }
    }

    /** Drops tombstones no writer under way can need any more; returns how many. */
    int pruneTombstones() {
        Map.Entry<Long, Integer> oldest = active.firstEntry();
        long before = oldest == null ? Long.MAX_VALUE : oldest.getKey();
        int n = 0;
        Pending p;
        while ((p = tombstones.peek()) != null && p.tombstone().tick() < before) {
            tombstones.poll();
            synchronized (p.network()) {
                if (p.network().byIp.remove(p.tombstone().ip(), p.tombstone())) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Starts a full reload: rows given to {@link #loadSeen}, and entries stored until {@link #dropUnseen}, count as present. */
    void beginReload() {
        for (NetworkLeases n : networks.values()) {
            synchronized (n) {
                n.seen = new AddressSet(); // fresh: a reload that failed part way left its set behind
            }
        }
        // a network that appears from now on starts its set at its first put; one that appeared just
        // before has none, and dropUnseen keeps it whole (all its entries are newer than the reload)
        reloading = true;
    }

    /** A row of the reload: present, whether or not it is newer than the entry here. */
    void loadSeen(String network, LeaseEntry entry) {
        put(network(network), entry.ip(), entry, entry.seq(), true);
    }

    /**
     * Ends a full reload: forgets the leases stored before it began that it did not see (removed
     * from the database meanwhile). Those stored since (this server's commits) stay. Returns how many.
     */
    int dropUnseen() {
        reloading = false;
        int dropped = 0;
        for (NetworkLeases n : networks.values()) {
            synchronized (n) {
                AddressSet seen = n.seen;
                n.seen = null;
                List<LeaseEntry> gone = new ArrayList<>();
                n.byIp.forEach(v -> {
                    if (v instanceof LeaseEntry e && seen != null && !seen.contains(e.ip())) {
                        gone.add(e);
                    }
                });
                for (LeaseEntry e : gone) {
                    if (n.byIp.remove(e.ip(), e)) {
                        unindex(n, e);
                        dropped++;
                    }
                }
            }
        }
        return dropped;
    }

    private NetworkLeases network(String name) {
        NetworkLeases n = networks.get(name);
        return n != null ? n : networks.computeIfAbsent(name, NetworkLeases::new);
    }

    /**
     * Stores {@code value} (an entry or a tombstone) unless a newer version is there; returns whether
     * it was stored. {@code seen}: a reload row, which counts as present even when not stored.
     */
    private boolean put(NetworkLeases n, int ip, Object value, long seq, boolean seen) {
        synchronized (n) {
            if (reloading && n.seen == null) {
                n.seen = new AddressSet();
            }
            if (n.seen != null && (seen || value instanceof LeaseEntry)) {
                n.seen.add(ip);
            }
            int slot = n.byIp.find(ip);
            Object old = slot >= 0 ? n.byIp.at(slot) : null;
            if (old != null && seqOf(old) >= seq) {
                return false; // we already know this write or a later one
            }
            n.byIp.store(slot, value);
            if (old instanceof LeaseEntry o) {
                unindex(n, o);
            }
            if (value instanceof LeaseEntry e) {
                live.incrementAndGet();
                index(n, e);
            }
            return true;
        }
    }

    private static long seqOf(Object value) {
        return value instanceof LeaseEntry e ? e.seq() : ((Tombstone) value).seq();
    }

    /** Under the network's monitor. */
    private static void index(NetworkLeases n, LeaseEntry e) {
        ByHolder table = holders(n, e);
        int slot = table.find(e.holderKey());
        Object there = slot >= 0 ? table.at(slot) : null;
        if (there == null) {
            table.store(slot, e);
        } else if (there instanceof LeaseEntry one) {
            table.store(slot, new LeaseEntry[] {one, e});
        } else {
            LeaseEntry[] list = (LeaseEntry[]) there;
            LeaseEntry[] more = Arrays.copyOf(list, list.length + 1);
            more[list.length] = e;
            table.store(slot, more);
        }
    }

    /** Under the network's monitor. */
    private void unindex(NetworkLeases n, LeaseEntry gone) {
        live.decrementAndGet();
        ByHolder table = holders(n, gone);
        int slot = table.find(gone.holderKey());
        Object there = slot >= 0 ? table.at(slot) : null;
        if (there == gone) {
            table.clear(slot);
        } else if (there instanceof LeaseEntry[] list) {
            int at = -1;
            for (int i = 0; i < list.length; i++) {
                if (list[i] == gone) {
                    at = i;
                }
            }
            if (at < 0) {
                return;
            }
            if (list.length == 2) {
                table.store(slot, list[1 - at]);
            } else {
                LeaseEntry[] fewer = new LeaseEntry[list.length - 1];
                System.arraycopy(list, 0, fewer, 0, at);
                System.arraycopy(list, at + 1, fewer, at, list.length - at - 1);
                table.store(slot, fewer);
            }
        }
    }

    private static ByHolder holders(NetworkLeases n, LeaseEntry e) {
        return e.hasClientId() ? n.byClientId : n.byMac;
    }

    Optional<Lease> get(String network, Ipv4Address ip) {
        NetworkLeases n = networks.get(network);
        Object v = n == null ? null : n.byIp.get(ip.value());
        return v instanceof LeaseEntry e ? Optional.of(e.toLease(n.name)) : Optional.empty();
    }

    Optional<Lease> findByHolder(String network, HolderKey holder) {
        NetworkLeases n = networks.get(network);
        Object there = n == null ? null : (holder.clientId() != null ? n.byClientId : n.byMac).get(LeaseEntry.holderKey(holder));
        LeaseEntry newest = null;
        if (there instanceof LeaseEntry e) {
            newest = e.heldBy(holder) ? e : null;
        } else if (there instanceof LeaseEntry[] list) {
            for (LeaseEntry e : list) {
                if (e.heldBy(holder) && (newest == null || e.seq() > newest.seq())) {
                    newest = e;
                }
            }
        }
        return newest == null ? Optional.empty() : Optional.of(newest.toLease(n.name));
    }

    void forEach(Consumer<Lease> action) {
        for (NetworkLeases n : networks.values()) {
            forEachIn(n, action);
        }
    }

    void forEachOccupancyIn(String network, LeaseStore.Occupancy sink) {
        NetworkLeases n = networks.get(network);
        if (n != null) {
            n.byIp.forEach(v -> {
                if (v instanceof LeaseEntry e) {
                    sink.lease(e.ip(), e.mac(), e.hasClientId(), e.leaseState(), e.expSec(), e.expNano());
                }
            });
        }
    }

    private static void forEachIn(NetworkLeases n, Consumer<Lease> action) {
        n.byIp.forEach(v -> {
            if (v instanceof LeaseEntry e) {
                action.accept(e.toLease(n.name));
            }
        });
    }

    long count() {
        return live.get();
    }
}
