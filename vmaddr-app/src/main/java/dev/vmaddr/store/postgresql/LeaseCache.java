package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.HolderKey;
import dev.vmaddr.ipam.Lease;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
    /** A lease record, or a tombstone ({@code lease == null}) of a removal. */
    private record Entry(Lease lease, long seq) {}


    private static final class NetworkLeases {
        final ConcurrentSkipListMap<Ipv4Address, Entry> byIp = new ConcurrentSkipListMap<>();
        /** Live records per holder; almost always one. */
        final ConcurrentHashMap<HolderKey, Entry[]> byHolder = new ConcurrentHashMap<>();
    }

    private final ConcurrentHashMap<String, NetworkLeases> networks = new ConcurrentHashMap<>();
    private final AtomicLong live = new AtomicLong();

    void apply(Versioned row) {
        Lease lease = row.lease();
        put(lease.network(), lease.ip(), new Entry(lease, row.seq()));
    }

    void remove(String network, Ipv4Address ip, long seq) {
        put(network, ip, new Entry(null, seq));
    }

    private void put(String network, Ipv4Address ip, Entry entry) {
        NetworkLeases n = networks.computeIfAbsent(network, k -> new NetworkLeases());
        synchronized (n) {
            Entry old = n.byIp.get(ip);
            if (old != null && old.seq() >= entry.seq()) {
                return; // we already know this write or a later one
            }
            n.byIp.put(ip, entry);
            if (old != null && old.lease() != null) {
                live.decrementAndGet();
                n.byHolder.computeIfPresent(old.lease().holder(), (h, list) -> without(list, old));
            }
            if (entry.lease() != null) {
                live.incrementAndGet();
                n.byHolder.merge(entry.lease().holder(), new Entry[] {entry}, LeaseCache::with);
            }
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

    List<Lease> list(String network) {
        NetworkLeases n = networks.get(network);
        if (n == null) {
            return List.of();
        }
        List<Lease> out = new ArrayList<>();
        for (Entry e : n.byIp.values()) {
            if (e.lease() != null) {
                out.add(e.lease());
            }
        }
        return out;
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
