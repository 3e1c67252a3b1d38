package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.CommitListener;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of conditional lease writes.
 *
 * <p>Callers of {@link #put} enqueue their lease and wait. Each of a few committer threads takes
 * whatever is queued (up to {@code maxBatch}) and writes it with ONE statement in auto-commit mode:
 * one round trip, one transaction, one commit (one WAL flush, {@code synchronous_commit} stays on),
 * and only then completes each caller's future. Arrays are bound as parameters ({@code unnest}); the
 * statement ({@link LeaseSql#PUT_SQL}) inserts or updates each row ({@code ON CONFLICT (network, ip) DO UPDATE
 * ... WHERE <the address is free at the writer's now, or held by the same holder>}) and returns the
 * applied ones. While one batch is in flight the next one queues up, so the round trip and the
 * commit are shared by everyone who arrived meanwhile.
 *
 * <p>The decision is the database's: the primary key (network, ip) and the row lock taken by ON
 * CONFLICT make two servers' writes to one address serialize, and the second sees the first's lease
 * in the WHERE clause. Two puts of one address never share a statement (PostgreSQL refuses to
 * update a row twice in one command): the later one waits for the next batch, keeping arrival order.
 * Nor do two of one holder or one MAC ({@link #admit}).
 *
 * <p>One bound lease per holder, and per MAC, in a network: unique indexes {@code
 * leases_one_bound_per_holder} and {@code leases_one_bound_per_mac} refuse a second one whichever
 * server writes it, at no cost to the statement beyond maintaining them. A clash fails the statement
 * (23505); the batch is then written one lease at a time and the lease that clashes is looked at
 * alone ({@link #holderClash}): if the holder's (or the MAC's) other bound lease still occupies its
 * address, the write is refused naming it (the engine then gives the holder that address, taking a
 * MAC's lease over); if it has run out but is not marked yet, it is marked {@code expired} and the
 * write is queued again.
 *
 * <p>A refused write is answered with what blocks it, read by a second query after the statement
 * (rare: another server's lease on the address). If that read finds
 * that nothing blocks any more (the blocker went away in between), the write is queued again.
 *
 * <p>Failure: if the statement fails, no caller of that batch is acknowledged (they get
 * {@link StoreException}); a batch that failed for a reason other than the connection is retried one
 * lease at a time so that one bad row (or a rare conflict between rows of one batch) does not fail
 * its neighbours. When the connection broke the commit may have happened anyway: the
 * {@link OwnWrites} hook then makes the poller read this server's own rows again.
 */
final class LeaseCommitter implements AutoCloseable {
    private volatile CommitListener commitListener = CommitListener.NONE;
    private static final Logger log = LoggerFactory.getLogger(LeaseCommitter.class);

    /** How this server's poller learns its own writes of a batch whose outcome is unknown. */
    interface OwnWrites {
        /** A mark taken before a batch is sent. */
        long mark();

        /** The batch sent after {@code mark} may have committed: read own rows written since then too. */
        void reread(long mark);
    }

    record Key(String network, Ipv4Address ip) {}

    /** A holder or a MAC in a network, for {@link #admit}. */
    private record Who(String network, Object id) {}

    /** A queued write; {@code requeued} counts how often it was queued again because its blocker had gone. */
    /** @param actor the writer's {@link dev.vmaddr.store.HistoryActor}, read on its thread: the trigger puts it in the history */
    record Pending(Lease lease, Instant now, CompletableFuture<WriteResult> done, int requeued, String actor) {
        Key key() {
            return new Key(lease.network(), lease.ip());
        }
    }

    private static final int MAX_REQUEUES = 3;
    /**
     * Most deferred writes queued at once: beyond it a deferred write is refused at once (the DHCP
     * request is dropped and the client retransmits) rather than memory growing while the database
     * crawls. A few seconds of the fastest rate measured (issue 24).
     */
    static final int MAX_DEFERRED_BACKLOG = 50_000;
    /** With this many writes queued a batch is worth sending at once: no linger. */
    private static final int LINGER_BELOW = 16;

    private static final Comparator<Pending> BY_KEY =
            Comparator.comparing((Pending p) -> p.lease().network()).thenComparing(p -> p.lease().ip());

    private final Db db;
    private final LeaseCache cache;
    private final OwnWrites ownWrites;
    private final int origin;
    private final int maxBatch;
    private final long lingerNanos;
    private final Duration writeTimeout;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param origin this store's number in column {@code origin} of the rows it writes
     */
    LeaseCommitter(Db db, LeaseCache cache, OwnWrites ownWrites, int origin, int committers, int maxBatch,
                   Duration linger, Duration writeTimeout) {
        this.lingerNanos = linger.toNanos();
        this.db = db;
        this.cache = cache;
        this.ownWrites = ownWrites;
        this.origin = origin;
        this.maxBatch = maxBatch;
        this.writeTimeout = writeTimeout;
        for (int i = 0; i < committers; i++) {
            threads.add(Thread.ofPlatform().name("pg-lease-commit-" + i).daemon().start(this::run));
        }
    }

    WriteResult put(Lease lease, Instant now) {
        if (closed) {
            throw new StoreException("store is closed");
        }
        // PostgreSQL keeps microseconds: write and cache what a later read will return
        Lease stored = new Lease(lease.network(), lease.ip(), lease.mac(), lease.clientId(), lease.hostname(),
                lease.state(), micros(lease.expiresAt()), micros(lease.updatedAt()));
        DeferredDurability deferred = DeferredDurability.current();
        if (deferred != null) {
            return putDeferred(stored, micros(now), deferred);
        }
        Pending p = new Pending(stored, micros(now), new CompletableFuture<>(), 0, HistoryActor.current());
        queue.add(p);
        try {
            return p.done().get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                throw new StoreException(se.getMessage(), se); // keep the caller's stack trace too
            }
            throw new StoreException("lease write failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreException("lease write of " + lease.network() + "/" + lease.ip()
                    + " not confirmed within " + writeTimeout + " (database slow or unreachable)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a lease write");
        }
    }

    /**
     * A write in a {@link DeferredDurability} scope (the DHCP receiver, which must not wait for the
     * database): decided at once against what this server knows, queued into the same batches as
     * every other write, and not waited for. The scope learns the row's own outcome: committed
     * (the ACK may leave), or refused by the database (another server's lease this server had not
     * polled yet: the blocker is read into the cache, so the client's next attempt is refused at
     * once) or failed (database gone). Neighbours in the batch are not affected, and nothing is
     * written to the cache before the commit, so a refused or failed row leaves no trace here.
     *
     * <p>Refused at once, like the database would: an address another holder occupies in the cache.
     * Throws at once while the database is known to be down, and when the backlog is full.
     */
    private WriteResult putDeferred(Lease stored, Instant now, DeferredDurability deferred) {
        db.failFastWhileDown("lease put");
        Lease blocker = blockerInCache(cache, stored, now);
        if (blocker != null) {
            return WriteResult.conflict(blocker);
        }
        if (queue.size() >= MAX_DEFERRED_BACKLOG) {
            throw new StoreException("lease write backlog full (" + MAX_DEFERRED_BACKLOG + " writes queued): database too slow");
        }
        CompletableFuture<WriteResult> done = new CompletableFuture<>();
        queue.add(new Pending(stored, now, done, 0, HistoryActor.current()));
        deferred.require(then -> done.whenComplete((r, e) -> then.accept(e == null && r.applied())));
        return WriteResult.APPLIED;
    }

    /**
     * The lease another holder has on {@code stored}'s address at {@code now} in this server's cache, or
     * null. Apart, so that {@link LookupWarmup} can profile it with every outcome: inlined into the
     * receiver's path with a profile of new clients only (nothing found), the first returning client
     * deoptimized that whole path (JFR, issue 24).
     */
    static Lease blockerInCache(LeaseCache cache, Lease stored, Instant now) {
        Lease there = cache.get(stored.network(), stored.ip()).orElse(null);
        return there != null && there.occupiesAt(now) && !there.holder().equals(stored.holder()) ? there : null;
    }

    /** For {@link LeaseBulkPut}: reports its commit like a batch of the queue's. */
    void committed(long nanos, int leases) {
        commitListener.committed(nanos, leases);
    }

    static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    private void run() {
        ArrayDeque<Pending> deferred = new ArrayDeque<>();
        List<Pending> batch = new ArrayList<>(maxBatch);
        Set<Object> keys = new HashSet<>();
        while (!closed || !queue.isEmpty() || !deferred.isEmpty()) {
            try {
                batch.clear();
                keys.clear();
                // earlier arrivals first: those deferred for sharing an address with an earlier one
                int n = deferred.size();
                for (int i = 0; i < n && batch.size() < maxBatch; i++) {
                    admit(deferred.poll(), batch, keys, deferred);
                }
                if (batch.isEmpty()) {
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    admit(first, batch, keys, deferred);
                    if (lingerNanos > 0 && queue.size() < LINGER_BELOW) {
                        // Few writers queued: wait a moment for more, so that one statement and one commit
                        // carry several leases. One sleep, not a wake-up per arrival.
                        LockSupport.parkNanos(lingerNanos);
                    }
                }
                Pending next;
                while (batch.size() < maxBatch && (next = queue.poll()) != null) {
                    admit(next, batch, keys, deferred);
                }
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.error(LogEvents.STORE_LEASE_COMMIT_BUG, e); // must not kill the committer
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
        failAll(deferred);
    }

    /**
     * Into this batch, or to the next one when the batch already writes its address, its holder or
     * its MAC: two writes of one address cannot share a statement, and a holder's release of its old
     * address must commit before its bind of the new one (the one-bound-per-holder and per-MAC
     * indexes are checked row by row, so in one statement the bind could come first and fail the
     * whole batch). Writers that wait never queue two such writes at once; the DHCP receiver, which
     * does not wait, does when a client moves (release, then bind, in one request).
     */
    private static void admit(Pending p, List<Pending> batch, Set<Object> keys, ArrayDeque<Pending> deferred) {
        Lease l = p.lease();
        Key key = p.key();
        Who holder = new Who(l.network(), l.holder());
        Who mac = new Who(l.network(), l.mac());
        if (!keys.contains(key) && !keys.contains(holder) && !keys.contains(mac)) {
            keys.add(key);
            keys.add(holder);
            keys.add(mac);
            batch.add(p);
        } else {
            deferred.add(p);
        }
    }

    private void commit(List<Pending> batch) {
        long tick = cache.enter();
        long started = System.nanoTime();
        try {
            commitEntered(batch, true);
        } finally {
            cache.exit(tick);
        }
        commitListener.committed(System.nanoTime() - started, batch.size());
    }

    void reportCommitsTo(CommitListener listener) {
        commitListener = Objects.requireNonNull(listener, "listener");
    }

    /** @param mayRetry whether a lone write that lost a race (deadlock) may be tried once more */
    private void commitEntered(List<Pending> batch, boolean mayRetry) {
        if (db.refusedWhileDown("lease put", e -> batch.forEach(p -> p.done().completeExceptionally(e)))) {
            return; // checked before mark(): while the database is away the poller's probe holds that monitor
        }
        long mark = ownWrites.mark();
        Map<Key, Long> rows;
        try {
            rows = db.statement("lease put", c -> write(c, batch));
        } catch (StoreException e) {
            String state = e.getCause() instanceof SQLException s ? s.getSQLState() : null;
            if (e.getCause() instanceof SQLException s && Db.isConnectionFailure(s)) {
                ownWrites.reread(mark); // the commit may have happened before the connection broke
            } else if (batch.size() > 1 && db.reachable()) {
                for (Pending p : batch) {
                    commitEntered(List.of(p), true); // isolate the row the database refused
                }
                return;
            } else if ("23505".equals(state)) {
                holderClash(batch.getFirst(), e); // nothing else in a put is unique but (network, ip)
                return;
            } else if (mayRetry && "40P01".equals(state)) {
                commitEntered(batch, false); // deadlock with another server's batch: the other one went through
                return;
            }
            for (Pending p : batch) {
                p.done().completeExceptionally(e);
            }
            return;
        }
        finish(batch, rows);
    }

    /**
     * A lone bound write that index leases_one_bound_per_holder or _per_mac refused: the holder or its
     * MAC has another bound lease. Refuses naming it while it occupies its address; otherwise it has run out without being
     * marked yet (or the clashing write was rolled back): marks it expired and queues the write again.
     */
    private void holderClash(Pending p, StoreException clash) {
        Lease want = p.lease();
        try {
            Lease elsewhere = null;
            for (Versioned v : db.statement("lease conflict read", c -> LeaseSql.blockers(c, List.of(p)))) {
                cache.apply(v);
                Lease l = v.lease();
                if (l.state() == LeaseState.BOUND && (l.holder().equals(want.holder()) || l.mac().equals(want.mac()))
                        && !l.ip().equals(want.ip()) && l.occupiesAt(p.now())) {
                    elsewhere = l;
                }
            }
            if (elsewhere != null) {
                // likely bound by another server within its poll interval; the engine gives the holder that address
                p.done().complete(WriteResult.conflict(elsewhere));
                return;
            }
            if (p.requeued() >= MAX_REQUEUES) {
                p.done().completeExceptionally(clash);
                return;
            }
            db.statement("lease expire run-out", c -> {
                try (PreparedStatement ps = c.prepareStatement(LeaseSql.EXPIRE_RUN_OUT_SQL)) {
                    long now = LeaseRows.micros(p.now());
                    ps.setLong(1, now);
                    ps.setLong(2, now);
                    ps.setInt(3, origin);
                    ps.setString(4, p.actor());
                    ps.setString(5, want.network());
                    ps.setString(6, want.clientId() == null ? null : want.clientId().hex());
                    ps.setString(7, want.mac().toString());
                    ps.setLong(8, want.ip().unsigned());
                    ps.setLong(9, now);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            cache.apply(LeaseRows.read(rs));
                        }
                    }
                }
                return null;
            });
            queue.add(new Pending(want, p.now(), p.done(), p.requeued() + 1, p.actor()));
        } catch (StoreException e) {
            p.done().completeExceptionally(e);
        }
    }

    /** Writes the batch; returns the seq of each applied lease by key. */
    Map<Key, Long> write(Connection c, List<Pending> unordered) throws SQLException {
        // Rows are locked in array order: every server sorting the same way means two batches that
        // share addresses wait for each other instead of deadlocking.
        List<Pending> batch = new ArrayList<>(unordered);
        batch.sort(BY_KEY);
        Map<Key, Long> applied = new HashMap<>(batch.size() * 2);
        try (PreparedStatement ps = LeaseUpsert.prepare(c, origin, batch)) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied.put(new Key(rs.getString(2), LeaseRows.address(rs.getLong(1))), rs.getLong(3));
                }
            }
        }
        return applied;
    }

    private void finish(List<Pending> batch, Map<Key, Long> applied) {
        List<Pending> refused = new ArrayList<>();
        for (Pending p : batch) {
            Long seq = applied.get(p.key());
            if (seq != null) {
                cache.apply(new Versioned(p.lease(), seq));
                p.done().complete(WriteResult.APPLIED);
            } else {
                refused.add(p);
            }
        }
        if (!refused.isEmpty()) {
            answerRefused(refused);
        }
    }

    /** Tells each refused writer what blocks it, or queues it again when nothing does any more. */
    private void answerRefused(List<Pending> refused) {
        List<Versioned> current;
        try {
            current = db.statement("lease conflict read", c -> LeaseSql.blockers(c, refused));
        } catch (StoreException e) {
            refused.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        Map<Key, Lease> atIp = new HashMap<>();
        for (Versioned v : current) {
            cache.apply(v);
            atIp.put(new Key(v.lease().network(), v.lease().ip()), v.lease());
        }
        for (Pending p : refused) {
            Lease there = atIp.get(p.key());
            if (there != null && there.occupiesAt(p.now()) && !there.holder().equals(p.lease().holder())) {
                p.done().complete(WriteResult.conflict(there));
            } else if (p.requeued() < MAX_REQUEUES) {
                queue.add(new Pending(p.lease(), p.now(), p.done(), p.requeued() + 1, p.actor())); // the blocker went away
            } else {
                p.done().completeExceptionally(new StoreException("lease put of " + p.key()
                        + ": the database neither wrote it nor showed what blocks it"));
            }
        }
    }

    private void failAll(ArrayDeque<Pending> left) {
        StoreException closedException = new StoreException("store closed before the lease was written");
        left.forEach(p -> p.done().completeExceptionally(closedException));
    }

    /** Writes what is queued, then stops the committer threads. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        failAll(new ArrayDeque<>(left));
    }
}
