package dev.vmaddr.store.postgresql;

import dev.vmaddr.model.Lease;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.postgresql.LeaseCommitter.Key;
import dev.vmaddr.store.postgresql.LeaseCommitter.OwnWrites;
import dev.vmaddr.store.postgresql.LeaseCommitter.Pending;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link dev.vmaddr.store.LeaseStore#putAll} for PostgreSQL: many conditional lease writes in one transaction. */
final class LeaseBulkPut {
    private final Db db;
    private final LeaseCache cache;
    private final LeaseCommitter committer;
    private final OwnWrites ownWrites;

    LeaseBulkPut(Db db, LeaseCache cache, LeaseCommitter committer, OwnWrites ownWrites) {
        this.db = db;
        this.cache = cache;
        this.committer = committer;
        this.ownWrites = ownWrites;
    }

    /** Rows per statement of {@link #putAll}: PUT_SQL's arrays stay a few MB, the transaction holds them all. */
    static final int BULK_ROWS = 10_000;

    /**
     * {@link dev.vmaddr.store.LeaseStore#putAll}: the leases written by {@link LeaseSql#PUT_SQL} in statements of
     * {@link #BULK_ROWS} rows inside ONE transaction, which commits them all or none; what blocks the
     * refused ones is read in the same transaction. Not through the queue: an import is one caller
     * with its own unit of work, and its size would hold the DHCP server's small batches up behind it.
     */
    List<WriteResult> putAll(List<Lease> leases, Instant now) {
        Instant at = LeaseCommitter.micros(now);
        List<Pending> all = new ArrayList<>(leases.size());
        String actor = HistoryActor.current();
        for (Lease lease : leases) {
            Lease stored = new Lease(lease.network(), lease.ip(), lease.mac(), lease.clientId(), lease.hostname(),
                    lease.state(), LeaseCommitter.micros(lease.expiresAt()), LeaseCommitter.micros(lease.updatedAt()));
            all.add(new Pending(stored, at, null, 0, actor));
        }
        long tick = cache.enter();
        long mark = ownWrites.mark();
        long started = System.nanoTime();
        try {
            record Outcome(Map<Key, Long> applied, Map<Key, Lease> blockers) {}
            Outcome o;
            try {
                o = db.transaction("lease bulk put", c -> {
                    Map<Key, Long> applied = new HashMap<>(all.size() * 2);
                    for (int from = 0; from < all.size(); from += BULK_ROWS) {
                        applied.putAll(committer.write(c, all.subList(from, Math.min(all.size(), from + BULK_ROWS))));
                    }
                    List<Pending> refused = all.stream().filter(p -> !applied.containsKey(p.key())).toList();
                    Map<Key, Lease> blockers = new HashMap<>();
                    if (!refused.isEmpty()) {
                        for (Versioned v : LeaseSql.blockers(c, refused)) {
                            blockers.putIfAbsent(new Key(v.lease().network(), v.lease().ip()), v.lease());
                        }
                        for (Pending p : refused) {
                            if (!blockers.containsKey(p.key())) {
                                // refused by a row gone by the next statement: roll back, the caller may try again
                                throw new StoreException("lease bulk put of " + p.key() + ": refused, and nothing blocks it now");
                            }
                        }
                    }
                    return new Outcome(applied, blockers);
                });
            } catch (StoreException e) {
                if (e.getCause() instanceof SQLException s && Db.isConnectionFailure(s)) {
                    ownWrites.reread(mark); // the commit may have happened before the connection broke
                }
                throw e;
            }
            List<WriteResult> results = new ArrayList<>(all.size());
            for (Pending p : all) {
                Long seq = o.applied().get(p.key());
                if (seq != null) {
                    cache.apply(new Versioned(p.lease(), seq));
                    results.add(WriteResult.APPLIED);
                } else {
                    results.add(WriteResult.conflict(o.blockers().get(p.key())));
                }
            }
            committer.committed(System.nanoTime() - started, o.applied().size());
            return results;
        } finally {
            cache.exit(tick);
        }
    }

}
