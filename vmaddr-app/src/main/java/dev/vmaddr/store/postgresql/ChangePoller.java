package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link LeaseCache} up to date with writes made by other servers on the same database.
 *
 * <p>Every lease row and removal records the id of the transaction that wrote it ({@code txid}).
 * Each poll runs in one REPEATABLE READ snapshot: it reads the snapshot's xmin (the oldest
 * transaction still running) and every row with {@code txid >= watermark}, then moves the watermark
 * to that xmin. A transaction older than xmin had finished before the snapshot, so its rows were in
 * this read; one that finishes later has an id at or above xmin and is read next time. Sequence
 * numbers alone would not do: a row with a smaller {@code seq} can commit after a larger one.
 * Rows read twice are harmless: the cache keeps the newer {@code seq}.
 *
 * <p>It also serves as the store's health check: a failed poll marks the database unreachable, a
 * successful one reachable again. One thread; {@link #refresh} may also be called by writers that
 * need to see their own removals at once (it is synchronized).
 */
final class ChangePoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangePoller.class);
    private static final String XMIN = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text";
    // The watermark is inlined, not bound: with a bound parameter PostgreSQL switches to a generic plan
    // after five runs, guesses a third of the table matches "txid >= $1" and scans all of it, every poll
    // of every server (measured: 5 sequential scans of the whole table per second with two servers).
    // Inlined, the planner sees the value and uses index leases_txid. It is a number we read ourselves.
    private static final String CHANGED = "SELECT " + LeaseRows.COLUMNS + " FROM leases l WHERE l.txid >= '%s'::xid8";
    private static final String ALL = "SELECT " + LeaseRows.COLUMNS + " FROM leases l";
    private static final String REMOVED = "SELECT network, host(ip), seq FROM lease_removals WHERE txid >= '%s'::xid8";

    private final Db db;
    private final LeaseCache cache;
    private final Duration interval;
    private String watermark; // null before the first full load
    private Thread thread;
    private volatile boolean closed;

    ChangePoller(Db db, LeaseCache cache, Duration interval) {
        this.db = db;
        this.cache = cache;
        this.interval = interval;
    }

    /** Loads every lease (the first time) or what changed since the last poll. */
    synchronized void refresh() {
        watermark = db.snapshot("lease refresh", c -> {
            String xmin;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(XMIN)) {
                rs.next();
                xmin = rs.getString(1);
            }
            if (watermark == null) {
                try (Statement s = c.createStatement()) {
                    s.setFetchSize(10_000); // stream: a million leases need not sit in the driver at once
                    try (ResultSet rs = s.executeQuery(ALL)) {
                        while (rs.next()) {
                            cache.apply(LeaseRows.read(rs));
                        }
                    }
                }
                return xmin;
            }
            String since = Long.toUnsignedString(Long.parseUnsignedLong(watermark)); // only digits reach the SQL
            try (PreparedStatement ps = c.prepareStatement(CHANGED.formatted(since))) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cache.apply(LeaseRows.read(rs));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(REMOVED.formatted(since))) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cache.remove(rs.getString(1), Ipv4Address.parse(rs.getString(2)), rs.getLong(3));
                    }
                }
            }
            return xmin;
        });
    }

    void start() {
        thread = Thread.ofPlatform().name("pg-lease-poll").daemon().start(this::run);
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(interval);
                refresh();
            } catch (InterruptedException e) {
                return;
            } catch (StoreException e) {
                // Db logged the outage once; keep trying at the same pace until it returns
                log.debug("event=store.lease.poll.failed error=\"{}\"", e.getMessage());
            } catch (RuntimeException e) {
                log.error("event=store.lease.poll.bug", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
