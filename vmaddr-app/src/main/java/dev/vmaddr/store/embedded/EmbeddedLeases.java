package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.LeasePages;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.store.compact.LeaseEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Leases: conditional puts decided under the log's lock, reads that wait for durability. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedLeases implements LeaseStore {
    /** Most addresses a page reads under one hold of the log's lock (tens of microseconds). */
    static final int ROUND = 512;
    private static final int MIN_ROUND = 64;
    private static final LeaseEntry[] NO_ENTRIES = {};
    /** What a single-lease read found when it found nothing: not null, so {@link #seqOf} has no null branch. */
    private static final LeaseEntry NONE = new LeaseEntry(0, 0, (byte) 0, 0, 0, 0, 0, null, 0);

    private final GroupCommitLog log;
    private final StoreState state;

    EmbeddedLeases(GroupCommitLog log, StoreState state) {
        this.log = log;
        this.state = state;
    }

    /** The lease that holds the address for someone else: a refusal that is reported once that lease is durable. */
    private record Occupied(LeaseEntry current) implements Precondition.Refusal {
        @Override
        public long decidedOn() {
            return current.seq();
        }
    }

    @Override
    public WriteResult put(Lease lease, Instant now) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(now, "now");
        String network = lease.network();
        LeaseEntry entry = LeaseEntry.of(lease, 0);
        String actor = HistoryActor.current(); // bound by whoever started the work: a constant, no allocation
        GroupCommitLog.Ticket ticket = log.appendIf(new Op.LeasePut(network, entry, actor),
                s -> new Op.LeasePut(network, entry.withSeq(s), actor), () -> {
                    LeaseTable table = state.table(network);
                    LeaseEntry current = table == null ? null : table.get(entry.ip());
                    return current != null && current.occupiesAt(now) && !current.sameHolder(entry)
                            ? new Occupied(current) : null;
                });
        if (log.await(ticket)) {
            return WriteResult.APPLIED;
        }
        // Reported only once the conflicting lease is durable; if its batch failed the store is unwritable anyway.
        return WriteResult.conflict(((Occupied) ticket).current().toLease(network));
    }

    /** {@link #put}'s decision for each lease, all appended under one hold of the log's lock into one batch: {@link BulkAppend}. */
    @Override
    public List<WriteResult> putAll(List<Lease> leases, Instant now) {
        Objects.requireNonNull(now, "now");
        LeaseStore.requireDistinctAddresses(leases);
        List<BulkAppend.Conditional> records = new ArrayList<>(leases.size());
        String actor = HistoryActor.current();
        for (Lease lease : leases) {
            String network = lease.network();
            LeaseEntry entry = LeaseEntry.of(lease, 0);
            records.add(new BulkAppend.Conditional(new Op.LeasePut(network, entry, actor),
                    s -> new Op.LeasePut(network, entry.withSeq(s), actor), () -> {
                        LeaseTable table = state.table(network);
                        LeaseEntry current = table == null ? null : table.get(entry.ip());
                        return current != null && current.occupiesAt(now) && !current.sameHolder(entry)
                                ? new Occupied(current) : null;
                    }));
        }
        List<GroupCommitLog.Ticket> tickets = BulkAppend.appendAllIf(log, records);
        List<WriteResult> results = new ArrayList<>(tickets.size());
        for (int i = 0; i < tickets.size(); i++) {
            GroupCommitLog.Ticket t = tickets.get(i);
            results.add(log.await(t) ? WriteResult.APPLIED
                    : WriteResult.conflict(((Occupied) t).current().toLease(leases.get(i).network())));
        }
        return results;
    }

    @Override
    public boolean remove(String network, Ipv4Address ip) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(ip, "ip");
        return log.await(log.appendIf(new Op.LeaseRemove(network, ip.value()), Precondition.onlyIf(() -> {
            LeaseTable table = state.table(network);
            return table != null && table.get(ip.value()) != null;
        })));
    }

    @Override
    public Optional<Lease> get(String network, Ipv4Address ip) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(ip, "ip");
        LeaseEntry e = log.read(() -> {
            LeaseTable t = state.table(network);
            LeaseEntry found = t == null ? null : t.get(ip.value());
            return found == null ? NONE : found;
        }, EmbeddedLeases::seqOf);
        return e == NONE ? Optional.empty() : Optional.of(e.toLease(network));
    }

    @Override
    public Optional<Lease> findByHolder(String network, HolderKey holder) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(holder, "holder");
        LeaseEntry e = log.read(() -> {
            LeaseTable t = state.table(network);
            LeaseEntry found = t == null ? null : t.findByHolder(holder);
            return found == null ? NONE : found;
        }, EmbeddedLeases::seqOf);
        if (e == LeaseTable.STALE) {
            e = repairHolderIndex(network, holder);
        }
        return e == null || e == NONE ? Optional.empty() : Optional.of(e.toLease(network));
    }

    /**
     * What a lease read waits for: the entry's own sequence number; nothing (0) for {@link #NONE}
     * and {@link LeaseTable#STALE} (-1). Never given null and without a branch: the JIT speculated
     * from the first clients' profile that this argument is never null (or always is), and the
     * first found (or not found) lease deoptimized the lookup.
     */
    private static long seqOf(LeaseEntry e) {
        return Math.max(0, e.seq());
    }

    /** The newest of the entries a round looked at, returned or not. */
    private static long newestOf(LeaseEntry[] entries) {
        long newest = 0;
        for (LeaseEntry e : entries) {
            newest = Math.max(newest, e.seq());
        }
        return newest;
    }

    /** Slow path, once per stale index entry: scan, and point the index at what was found. */
    private LeaseEntry repairHolderIndex(String network, HolderKey holder) {
        LeaseEntry found = log.underLock(() -> {
            LeaseTable t = state.table(network);
            if (t == null) {
                return null;
            }
            LeaseEntry scanned = t.scanHolder(holder);
            t.repairHolder(holder, scanned);
            return scanned;
        });
        if (found != null && !log.awaitDurable(found.seq())) {
            return findByHolder(network, holder).map(l -> LeaseEntry.of(l, 0)).orElse(null);
        }
        return found;
    }

    /**
     * Rounds of at most {@link #ROUND} addresses, each read under the log's lock from the table's
     * ordered address set ({@link LeaseTable#from}), then waited for until durable, then turned into
     * leases and filtered outside the lock. The next round starts above the last address looked at.
     */
    @Override
    public List<Lease> list(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        LeasePages.checkArguments(network, limit, filter);
        return LeasePages.inRounds(after, limit, filter, MIN_ROUND, ROUND, (from, max) -> {
            LeaseEntry[] round = log.read(() -> {
                LeaseTable t = state.table(network);
                return t == null ? NO_ENTRIES : t.from(from, max);
            }, EmbeddedLeases::newestOf);
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
        Map<String, IntObjectMap<LeaseEntry>> tables = log.read(() -> {
            Map<String, IntObjectMap<LeaseEntry>> m = new TreeMap<>();
            state.leases.forEach((name, t) -> m.put(name, t.copyEntries()));
            return m;
        });
        tables.forEach((name, entries) -> entries.forEachValue(e -> action.accept(e.toLease(name))));
    }

    /** One copy of the table's arrays under the log's lock (not 2,000 rounds of 512 in address order), then the entries' fields outside it. */
    @Override
    public void forEachOccupancyIn(String network, Occupancy sink) {
        EmbeddedStore.require(network, "network");
        Objects.requireNonNull(sink, "sink");
        IntObjectMap<LeaseEntry> entries = log.read(() -> {
            LeaseTable t = state.table(network);
            return t == null ? null : t.copyEntries();
        });
        if (entries != null) {
            entries.forEachValue(e -> sink.lease(e.ip(), e.mac(), e.hasClientId(), e.leaseState(), e.expSec(), e.expNano()));
        }
    }

    @Override
    public long count() {
        return log.read(() -> state.leaseCount);
    }
}
