package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.Lease;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.sql.Array;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of conditional lease writes.
 *
 * <p>Callers of {@link #put} enqueue their lease and wait. Each of a few committer threads takes
 * whatever is queued (up to {@code maxBatch}), writes it with ONE statement in ONE transaction
 * (arrays bound as parameters, {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT (network, ip)
 * DO UPDATE ... WHERE <the address is free at the writer's now, or held by the same holder>
 * RETURNING}), reads the blocking rows of the refused ones in the same transaction, commits once, and
 * only then completes each caller's future. While one batch is in flight the next one queues up, so
 * the round trip and the commit's fsync are shared by everyone who arrived meanwhile.
 *
 * <p>The decision is the database's: the primary key (network, ip) and the row lock taken by ON
 * CONFLICT make two servers' writes to one address serialize, and the second sees the first's lease
 * in the WHERE clause. Two puts of one address never share a statement (PostgreSQL refuses to
 * update a row twice in one command): the later one waits for the next batch, keeping arrival order.
 *
 * <p>Failure: if the statement or commit fails, no caller of that batch is acknowledged (they get
 * {@link StoreException}); a batch that failed for a reason other than the connection is retried one
 * lease at a time so that one bad row does not fail its neighbours.
 */
final class LeaseCommitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseCommitter.class);

    static final String PUT_SQL = """
            INSERT INTO leases AS l (network, ip, mac, client_id, hostname, state, expires_at, updated_at,
                                     written_at, seq, txid)
            SELECT i.network, i.ip::inet, i.mac::macaddr, i.client_id, i.hostname, i.state,
                   i.expires_at::timestamptz, i.updated_at::timestamptz, i.written_at::timestamptz,
                   nextval('change_seq'), pg_current_xact_id()
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::text[]) AS i(network, ip, mac, client_id, hostname, state, expires_at, updated_at,
                                       written_at)
            ON CONFLICT (network, ip) DO UPDATE SET
                mac = excluded.mac, client_id = excluded.client_id, hostname = excluded.hostname,
                state = excluded.state, expires_at = excluded.expires_at, updated_at = excluded.updated_at,
                written_at = excluded.written_at, seq = nextval('change_seq'), txid = excluded.txid
            WHERE NOT (l.state IN ('offered', 'bound', 'declined') AND l.expires_at > excluded.written_at)
               OR l.client_id = excluded.client_id
               OR (l.client_id IS NULL AND excluded.client_id IS NULL AND l.mac = excluded.mac)
            RETURNING host(l.ip), l.network, l.seq
            """;

    static final String CURRENT_SQL = "SELECT " + LeaseRows.COLUMNS + " FROM leases l "
            + "JOIN unnest(?::text[], ?::text[]) AS k(network, ip) ON l.network = k.network AND l.ip = k.ip::inet";

    private record Key(String network, Ipv4Address ip) {}

    private record Pending(Lease lease, Instant now, CompletableFuture<WriteResult> done) {
        Key key() {
            return new Key(lease.network(), lease.ip());
        }
    }

    private static final Comparator<Pending> BY_KEY =
            Comparator.comparing((Pending p) -> p.lease().network()).thenComparing(p -> p.lease().ip());

    private final Db db;
    private final LeaseCache cache;
    private final int maxBatch;
    private final Duration writeTimeout;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    LeaseCommitter(Db db, LeaseCache cache, int committers, int maxBatch, Duration writeTimeout) {
        this.db = db;
        this.cache = cache;
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
        Pending p = new Pending(stored, micros(now), new CompletableFuture<>());
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

    static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    private void run() {
        ArrayDeque<Pending> deferred = new ArrayDeque<>();
        List<Pending> batch = new ArrayList<>(maxBatch);
        Set<Key> keys = new HashSet<>();
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
                log.error("event=store.lease.commit.bug", e); // must not kill the committer
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
        failAll(deferred);
    }

    private static void admit(Pending p, List<Pending> batch, Set<Key> keys, ArrayDeque<Pending> deferred) {
        if (keys.add(p.key())) {
            batch.add(p);
        } else {
            deferred.add(p);
        }
    }

    private void commit(List<Pending> batch) {
        try {
            Map<Key, Object> results = db.transaction("lease put", c -> write(c, batch));
            finish(batch, results);
        } catch (StoreException e) {
            if (batch.size() > 1 && db.reachable() && !(e.getCause() instanceof SQLException s && Db.isConnectionFailure(s))) {
                for (Pending p : batch) {
                    commit(List.of(p)); // isolate the row the database refused
                }
                return;
            }
            for (Pending p : batch) {
                p.done().completeExceptionally(e);
            }
        }
    }

    /** Returns, per key, the applied row's seq (Long) or the blocking lease (Versioned). */
    private static Map<Key, Object> write(Connection c, List<Pending> unordered) throws SQLException {
        // Rows are locked in array order: every server sorting the same way means two batches that
        // share addresses wait for each other instead of deadlocking.
        List<Pending> batch = new ArrayList<>(unordered);
        batch.sort(BY_KEY);
        int n = batch.size();
        String[][] cols = new String[9][n];
        for (int i = 0; i < n; i++) {
            Pending p = batch.get(i);
            Lease l = p.lease();
            cols[0][i] = l.network();
            cols[1][i] = l.ip().toString();
            cols[2][i] = l.mac().toString();
            cols[3][i] = l.clientId() == null ? null : l.clientId().hex();
            cols[4][i] = l.hostname();
            cols[5][i] = l.state().wireName();
            cols[6][i] = l.expiresAt().toString();
            cols[7][i] = l.updatedAt().toString();
            cols[8][i] = p.now().toString();
        }
        Map<Key, Object> results = new HashMap<>(n * 2);
        try (PreparedStatement ps = c.prepareStatement(PUT_SQL)) {
            for (int col = 0; col < 9; col++) {
                ps.setArray(col + 1, c.createArrayOf("text", cols[col]));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    results.put(new Key(rs.getString(2), Ipv4Address.parse(rs.getString(1))), rs.getLong(3));
                }
            }
        }
        if (results.size() < n) {
            List<String> nets = new ArrayList<>();
            List<String> ips = new ArrayList<>();
            for (Pending p : batch) {
                if (!results.containsKey(p.key())) {
                    nets.add(p.lease().network());
                    ips.add(p.lease().ip().toString());
                }
            }
            // ON CONFLICT locked the blocking rows, so this reads them as they stand at commit
            try (PreparedStatement ps = c.prepareStatement(CURRENT_SQL)) {
                Array a1 = c.createArrayOf("text", nets.toArray());
                Array a2 = c.createArrayOf("text", ips.toArray());
                ps.setArray(1, a1);
                ps.setArray(2, a2);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Versioned v = LeaseRows.read(rs);
                        results.put(new Key(v.lease().network(), v.lease().ip()), v);
                    }
                }
            }
        }
        return results;
    }

    private void finish(List<Pending> batch, Map<Key, Object> results) {
        for (Pending p : batch) {
            Object r = results.get(p.key());
            if (r instanceof Long seq) {
                cache.apply(new Versioned(p.lease(), seq));
                p.done().complete(WriteResult.APPLIED);
            } else if (r instanceof Versioned current) {
                cache.apply(current);
                p.done().complete(WriteResult.conflict(current.lease()));
            } else {
                p.done().completeExceptionally(new StoreException(
                        "lease put of " + p.key() + ": the database neither wrote it nor showed what blocks it"));
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
