package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * This server's copy of table {@code leases}, answering every lease read without a round trip.
 *
 * <p>Rows arrive from this server's own commits and from polling the database for other servers'
 * writes, in no reliable order; each carries its {@code seq}, which grows with every write of a row,
 * so {@link #apply} keeps whichever version is newer. A removal leaves a tombstone with its
 * {@code seq} so that an older row read by a slow poll cannot bring the record back.
 *
 * <p>Concurrency: reads are lock-free (concurrent maps of immutable entries). Writers of one network
 * (committer threads, the poller) serialize on that network's monitor, which keeps the by-IP and
 * by-holder indexes consistent with each other.
 */
final class LeaseCache {
    /** A lease record, or a tombstone ({@code lease == null}) of a removal; {@code tick}: when stored. */
    private record Entry(Lease lease, long seq, long tick) {}

    private record Tombstone(String network, Ipv4Address ip, Entry entry) {}

    private record Key(String network, Ipv4Address ip) {}


    private static final class NetworkLeases {
        // a hash map, not a sorted one: get() is on every DHCP exchange and every write (a skip list of
        // 100k addresses is ~17 dependent cache misses a lookup); pages of leases come from the
        // database's primary key instead (PgLeaseStore)
        final ConcurrentHashMap<Ipv4Address, Entry> byIp = new ConcurrentHashMap<>();
        /** Live records per holder; almost always one. */
        final ConcurrentHashMap<HolderKey, Entry[]> byHolder = new ConcurrentHashMap<>();
    }

    private final ConcurrentHashMap<String, NetworkLeases> networks = new ConcurrentHashMap<>();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    /** Ticks at which the writers now under way began (a multiset: tick -> count). */
    private final ConcurrentSkipListMap<Long, Integer> active = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<Tombstone> tombstones = new ConcurrentLinkedQueue<>();
    /** Keys seen by the reload under way, or null. */
    private volatile Set<Key> seen;

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
        put(lease.network(), lease.ip(), new Entry(lease, row.seq(), ticks.get()));
    }

    void remove(String network, Ipv4Address ip, long seq) {
        Entry tombstone = new Entry(null, seq, ticks.incrementAndGet());
        if (put(network, ip, tombstone)) {
            tombstones.add(new Tombstone(network, ip, tombstone));
        }
    }

    /** Drops tombstones no writer under way can need any more; returns how many. */
    int pruneTombstones() {
        Map.Entry<Long, Integer> oldest = active.firstEntry();
        long before = oldest == null ? Long.MAX_VALUE : oldest.getKey();
        int n = 0;
        Tombstone t;
        while ((t = tombstones.peek()) != null && t.entry().tick() < before) {
            tombstones.poll();
            NetworkLeases nl = networks.get(t.network());
            if (nl != null && nl.byIp.remove(t.ip(), t.entry())) {
                n++;
            }
        }
        return n;
    }

    /** Starts a full reload: rows applied with {@link #applySeen} until {@link #dropUnseen} count as present. */
    long beginReload() {
        seen = ConcurrentHashMap.newKeySet();
        return ticks.incrementAndGet();
    }

    void applySeen(Versioned row) {
        Set<Key> s = seen;
        if (s != null) {
            s.add(new Key(row.lease().network(), row.lease().ip()));
        }
        apply(row);
    }

    /**
     * Ends a full reload: forgets the leases stored before it began that it did not see (removed
     * from the database meanwhile). Those stored since (this server's commits) stay. Returns how many.
     */
    int dropUnseen(long reloadTick) {
        Set<Key> s = seen;
        seen = null;
        int dropped = 0;
        for (Map.Entry<String, NetworkLeases> ne : networks.entrySet()) {
            NetworkLeases n = ne.getValue();
            for (Map.Entry<Ipv4Address, Entry> e : n.byIp.entrySet()) {
                Entry old = e.getValue();
                if (old.lease() != null && old.tick() < reloadTick && !s.contains(new Key(ne.getKey(), e.getKey()))) {
                    synchronized (n) {
                        if (n.byIp.remove(e.getKey(), old)) {
                            unindex(n, old);
                            dropped++;
                        }
                    }
                }
            }
        }
        return dropped;
    }

    private void unindex(NetworkLeases n, Entry old) {
        live.decrementAndGet();
        n.byHolder.computeIfPresent(old.lease().holder(), (h, list) -> without(list, old));
    }

    /** Stores the entry unless a newer one is there; returns whether it was stored. */
    private boolean put(String network, Ipv4Address ip, Entry entry) {
        NetworkLeases n = networks.computeIfAbsent(network, k -> new NetworkLeases());
        synchronized (n) {
            Entry old = n.byIp.get(ip);
            if (old != null && old.seq() >= entry.seq()) {
                return false; // we already know this write or a later one
            }
            n.byIp.put(ip, entry);
            if (old != null && old.lease() != null) {
                unindex(n, old);
            }
            if (entry.lease() != null) {
                live.incrementAndGet();
                n.byHolder.merge(entry.lease().holder(), new Entry[] {entry}, LeaseCache::with);
            }
            return true;
        }
    }

    Optional<Lease> get(String network, Ipv4Address ip) {
        NetworkLeases n = networks.get(network);
        Entry e = n == null ? null : n.byIp.get(ip);
        return Optional.ofNullable(e == null ? null : e.lease());
    }

    Optional<Lease> findByHolder(String network, HolderKey holder) {
        NetworkLeases n = networks.get(network);
        Entry[] list = n == null ? null : n.byHolder.get(holder);
        if (list == null) {
            return Optional.empty();
        }
        Entry newest = null;
        for (Entry e : list) {
            if (newest == null || e.seq() > newest.seq()) {
                newest = e;
            }
        }
        return Optional.ofNullable(newest == null ? null : newest.lease());
    }

    void forEach(Consumer<Lease> action) {
        for (NetworkLeases n : networks.values()) {
            for (Entry e : n.byIp.values()) {
                if (e.lease() != null) {
                    action.accept(e.lease());
                }
            }
        }
    }

    void forEachIn(String network, Consumer<Lease> action) {
        NetworkLeases n = networks.get(network);
        if (n == null) {
            return;
        }
        for (Entry e : n.byIp.values()) {
            if (e.lease() != null) {
                action.accept(e.lease());
            }
        }
    }

    long count() {
        return live.get();
    }

    private static Entry[] without(Entry[] list, Entry gone) {
        int i = Arrays.asList(list).indexOf(gone);
        if (i < 0) {
            return list;
        }
        if (list.length == 1) {
            return null; // computeIfPresent removes the holder
        }
        Entry[] out = new Entry[list.length - 1];
        System.arraycopy(list, 0, out, 0, i);
        System.arraycopy(list, i + 1, out, i, list.length - i - 1);
        return out;
    }

    private static Entry[] with(Entry[] list, Entry[] added) {
        Entry[] out = Arrays.copyOf(list, list.length + added.length);
        System.arraycopy(added, 0, out, list.length, added.length);
        return out;
    }

}
