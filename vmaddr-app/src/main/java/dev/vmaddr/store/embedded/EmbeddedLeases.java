package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.LeasePages;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.WriteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Leases: conditional puts decided under the store's write lock, reads that wait for durability. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedLeases implements LeaseStore {
    /** Most addresses a page reads under one hold of the read lock (tens of microseconds). */
    static final int ROUND = 512;
    private static final int MIN_ROUND = 64;
    private static final LeaseEntry[] NO_ENTRIES = {};

    private final EmbeddedStore store;

    EmbeddedLeases(EmbeddedStore store) {
        this.store = store;
    }

    @Override
    public WriteResult put(Lease lease, Instant now) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(now, "now");
        String network = lease.network();
        LeaseEntry entry = LeaseEntry.of(lease, 0);
        Bytes payload = EmbeddedStore.encode(new Op.LeasePut(network, entry));
        EmbeddedStore.Batch batch = null;
        LeaseEntry blocking = null;
        store.writeLock.lock();
        try {
            store.ensureWritable();
            LeaseTable table = store.state.table(network);
            LeaseEntry current = table == null ? null : table.get(entry.ip());
            if (current != null && current.occupiesAt(now) && !current.sameHolder(entry)) {
                blocking = current;
            } else {
                batch = store.appendLocked(payload, s -> new Op.LeasePut(network, entry.withSeq(s)));
            }
        } finally {
            store.writeLock.unlock();
        }
        if (blocking != null) {
            // Report only a durable conflict; if its batch failed the store is unwritable anyway.
            store.awaitAcknowledged(blocking.seq());
            return WriteResult.conflict(blocking.toLease(network));
        }
        store.awaitAcknowledged(batch);
        return WriteResult.APPLIED;
    }

    @Override
    public boolean remove(String network, Ipv4Address ip) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(ip, "ip");
        return store.removeIfPresent(new Op.LeaseRemove(network, ip.value()), () -> {
            LeaseTable table = store.state.table(network);
            return table != null && table.get(ip.value()) != null;
        });
    }

    @Override
    public Optional<Lease> get(String network, Ipv4Address ip) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(ip, "ip");
        LeaseEntry e = store.readEntry(() -> {
            LeaseTable t = store.state.table(network);
            return t == null ? null : t.get(ip.value());
        });
        return e == null ? Optional.empty() : Optional.of(e.toLease(network));
    }

    @Override
    public Optional<Lease> findByHolder(String network, HolderKey holder) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(holder, "holder");
        LeaseEntry e = store.readEntry(() -> {
            LeaseTable t = store.state.table(network);
            return t == null ? null : t.findByHolder(holder);
        });
        if (e == LeaseTable.STALE) {
            e = repairHolderIndex(network, holder);
        }
        return e == null ? Optional.empty() : Optional.of(e.toLease(network));
    }

    /** Slow path, once per stale index entry: scan, and point the index at what was found. */
    private LeaseEntry repairHolderIndex(String network, HolderKey holder) {
        LeaseEntry found;
        store.writeLock.lock();
        try {
            LeaseTable t = store.state.table(network);
            if (t == null) {
                return null;
            }
            found = t.scanHolder(holder);
            t.repairHolder(holder, found);
        } finally {
            store.writeLock.unlock();
        }
        if (found != null && !store.awaitDurable(found.seq())) {
            return findByHolder(network, holder).map(l -> LeaseEntry.of(l, 0)).orElse(null);
        }
        return found;
    }

    /**
     * Rounds of at most {@link #ROUND} addresses, each read under the read lock from the table's
     * ordered address set ({@link LeaseTable#from}), then waited for until durable, then turned into
     * leases and filtered outside the lock. The next round starts above the last address looked at.
     */
    @Override
    public List<Lease> list(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        LeasePages.checkArguments(network, limit, filter);
        return LeasePages.inRounds(after, limit, filter, MIN_ROUND, ROUND, (from, max) -> {
            LeaseEntry[] round = store.readEntries(() -> {
                LeaseTable t = store.state.table(network);
                return t == null ? NO_ENTRIES : t.from(from, max);
            });
            List<Lease> leases = new ArrayList<>(round.length);
            for (LeaseEntry e : round) {
                leases.add(e.toLease(network));
            }
            return leases;
        });
    }

    @Override
    public void forEach(Consumer<Lease> action) {
        Objects.requireNonNull(action, "action");
        // Copies of the tables' arrays (not Lease objects), so the action runs outside the lock.
        Map<String, IntObjectMap<LeaseEntry>> tables = store.read(() -> {
            Map<String, IntObjectMap<LeaseEntry>> m = new TreeMap<>();
            store.state.leases.forEach((name, t) -> m.put(name, t.copyEntries()));
            return m;
        });
        tables.forEach((name, entries) -> entries.forEachValue(e -> action.accept(e.toLease(name))));
    }

    @Override
    public long count() {
        return store.read(() -> store.state.leaseCount);
    }
}
