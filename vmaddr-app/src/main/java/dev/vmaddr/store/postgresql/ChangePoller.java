package dev.vmaddr.store.postgresql;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link LeaseCache} up to date with writes made by other servers on the same database.
 *
 * <p>Every lease row and removal records the id of the transaction that wrote it ({@code txid}).
 * Each poll is ONE statement (so one snapshot, even in auto-commit mode, and one round trip): it
 * reads the snapshot's xmin (the oldest transaction still running) and every row with {@code txid >=
 * watermark}, then moves the watermark to that xmin. A transaction older than xmin had finished
 * before the snapshot, so its rows were in this read; one that finishes later has an id at or above
 * xmin and is read next time. Sequence numbers alone would not do: a row with a smaller {@code seq}
 * can commit after a larger one. Rows read twice are harmless: the cache keeps the newer {@code seq}.
 * When nothing changed the poll is one index probe that returns one row.
 *
 * <p>Own rows are skipped ({@code origin <> this store's number}): the committer put them in the
 * cache when they committed. A batch whose outcome is unknown (the connection broke around the
 * commit) asks, through {@link #reread}, for the next poll to include own rows written since the
 * batch was sent.
 *
 * <p><b>Removal retention.</b> A removal is kept in {@code lease_removals} for
 * {@link #REMOVAL_RETENTION} (by the database's clock) and then deleted by whichever server prunes
 * first (every {@link #PRUNE_EVERY}). A server learns every removal by polling well within that
 * time; one whose last successful poll is older than half the retention (by its own clock: the
 * half leaves room for clock skew) may have missed pruned removals, so instead of polling it reloads
 * the whole lease table and forgets what the database no longer has.
 *
 * <p>It also serves as the store's health check: a failed poll marks the database unreachable, a
 * successful one reachable again. One thread; {@link #refresh} is synchronized.
 */
final class ChangePoller implements AutoCloseable, LeaseCommitter.OwnWrites {
    private static final Logger log = LoggerFactory.getLogger(ChangePoller.class);
    static final Duration REMOVAL_RETENTION = Duration.ofHours(1);
    static final Duration PRUNE_EVERY = Duration.ofMinutes(5);
    /** A server whose last successful poll is older than this reloads instead of polling. */
    static final Duration RELOAD_AFTER = REMOVAL_RETENTION.dividedBy(2);

    private static final String XMIN = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text";
    // The watermark is a bound parameter, and the statement is prepared once per connection and planned
    // once (issue 24: a new text per poll was parsed and planned by PostgreSQL 40 times a second with two
    // servers). What keeps the plan on index leases_txid is the upper bound: "txid < the snapshot's xmax"
    // holds for every row the snapshot sees (each was written by a transaction that ended before it),
    // so it filters nothing, but with it the planner estimates a range ("txid >= $1 AND txid < ...")
    // at 0.5 % of the table instead of a third for "txid >= $1" alone. Without it a generic plan, or a
    // custom plan on a table not analyzed yet (a new database filling up: measured, a sequential scan of
    // the whole table per poll), read every row on each poll. The watermark is read through a sub-select
    // so that no plan sees its value: once the table is analyzed, a plan that sees it estimates a handful
    // of rows, and PostgreSQL then keeps planning each execution anew (custom plans, measured at 0.53 ms
    // a poll) instead of reusing the generic plan, which costs the same to run.
    // Kinds: 0 = lease row, 1 = removal, 2 = the snapshot's xmin (in column network).
    // Parameters: watermark, origin to skip (NO_ORIGIN: skip none), watermark.
    private static final String CHANGES = "SELECT 0, " + LeaseRows.COLUMNS + " FROM leases l"
            + " WHERE l.txid >= (SELECT ?::text::xid8) AND l.txid < pg_snapshot_xmax(pg_current_snapshot()) AND l.origin <> ?"
            + " UNION ALL SELECT 1, r.network, r.ip - '0.0.0.0'::inet, NULL, NULL, NULL, NULL, NULL::int8, NULL::int8,"
            + " r.seq FROM lease_removals r"
            + " WHERE r.txid >= (SELECT ?::text::xid8) AND r.txid < pg_snapshot_xmax(pg_current_snapshot())"
            + " UNION ALL SELECT 2, pg_snapshot_xmin(pg_current_snapshot())::text, NULL::int8, NULL, NULL, NULL, NULL,"
            + " NULL::int8, NULL::int8, NULL::int8";
    /** No store has this origin (they count from 1; rows written by hand have 0): a poll that reads own rows too. */
    private static final int NO_ORIGIN = -1;
    private static final String PRUNE = "DELETE FROM lease_removals WHERE removed_at < now() - make_interval(secs => ?)";

    private final Db db;
    private final LeaseCache cache;
    private final Duration interval;
    private final int origin;
    private final Clock clock;
    /**
     * Unsigned xid8; -1 before the first full load. Written by {@link #refresh} only; volatile so that
     * {@link #mark} reads it without the monitor: a commit must not wait for a poll's round trip.
     */
    private volatile long watermark = -1;
    private long rereadFrom = -1; // unsigned; -1 when own rows need not be read
    private Instant lastSuccess;
    private Instant lastPrune;
    private Thread thread;
    private volatile boolean closed;

    /**
     * @param origin this store's number in column {@code origin}: rows with it are this server's own
     * @param clock  the server's clock, for the retention rule only
     */
    ChangePoller(Db db, LeaseCache cache, Duration interval, int origin, Clock clock) {
        this.db = db;
        this.cache = cache;
        this.interval = interval;
        this.origin = origin;
        this.clock = clock;
    }

    /**
     * Not synchronized: the committer calls it before every batch, and {@link #refresh} holds the
     * monitor for a whole poll round trip. Any watermark ever set is the xmin of a snapshot taken
     * before now, so it is at or below the id of a transaction that has not started yet.
     */
    @Override
    public long mark() {
        return watermark;
    }

    @Override
    public synchronized void reread(long mark) {
        if (mark == -1) {
            return; // no incremental poll yet: the first load reads everything
        }
        rereadFrom = rereadFrom == -1 ? mark : minUnsigned(rereadFrom, mark);
    }

    /** Loads every lease (the first time, or after too long without a poll) or what changed since the last poll. */
    synchronized void refresh() {
        Instant now = clock.instant();
        long tick = cache.enter();
        try {
            if (watermark == -1 || lastSuccess != null
                    && Duration.between(lastSuccess, now).compareTo(RELOAD_AFTER) > 0) {
                reload();
            } else {
                poll();
            }
        } finally {
            cache.exit(tick);
        }
        lastSuccess = now;
        cache.pruneTombstones();
        if (lastPrune == null || Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) >= 0) {
            lastPrune = now;
            prune();
        }
    }

    private void reload() {
        boolean first = watermark == -1;
        // The first load has nothing to forget: no record of the addresses it saw.
        if (!first) {
            cache.beginReload();
        }
        // the first load gathers the rows and stores them network by network, each table in slot order
        LeaseCache.Bulk bulk = first ? new LeaseCache.Bulk() : null;
        watermark = db.probeSnapshot("lease load", c -> {
            String xmin;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(XMIN)) {
                rs.next();
                xmin = rs.getString(1);
            }
            // the same snapshot (repeatable read): every row of a transaction older than xmin
            LeaseCopy.read(c, first ? bulk : cache::loadSeen);
            return Long.parseUnsignedLong(xmin);
        });
        if (first) {
            cache.loadAll(bulk);
        }
        rereadFrom = -1;
        if (!first) {
            int dropped = cache.dropUnseen();
            log.info(LogEvents.STORE_LEASE_RELOADED + " reason=\"no poll for more than half the removal retention\" dropped={}",
                    dropped);
        }
    }

    private void poll() {
        String since = Long.toUnsignedString(rereadFrom == -1 ? watermark : minUnsigned(watermark, rereadFrom));
        int skip = rereadFrom == -1 ? origin : NO_ORIGIN;
        watermark = db.probe("lease poll", c -> {
            long xmin = -1;
            try (PreparedStatement ps = c.prepareStatement(CHANGES)) {
                ps.setString(1, since);
                ps.setInt(2, skip);
                ps.setString(3, since);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        switch (rs.getInt(1)) {
                            case 0 -> cache.apply(LeaseRows.read(rs, 2));
                            case 1 -> cache.remove(rs.getString(2), LeaseRows.address(rs.getLong(3)), rs.getLong(10));
                            default -> xmin = Long.parseUnsignedLong(rs.getString(2));
                        }
                    }
                }
            }
            return xmin;
        });
        rereadFrom = -1;
    }

    private void prune() {
        try {
            int n = db.statement("lease removals prune", c -> {
                try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
                    ps.setLong(1, REMOVAL_RETENTION.toSeconds());
                    return ps.executeUpdate();
                }
            });
            if (n > 0) {
                log.info(LogEvents.STORE_LEASE_REMOVALS_PRUNED + " count={} older_than={}", n, REMOVAL_RETENTION);
            }
        } catch (StoreException e) {
            log.debug(LogEvents.STORE_LEASE_REMOVALS_PRUNE_FAILED + " error=\"{}\"", e.getMessage());
        }
    }

    private static long minUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
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
                log.debug(LogEvents.STORE_LEASE_POLL_FAILED + " error=\"{}\"", e.getMessage());
            } catch (RuntimeException e) {
                log.error(LogEvents.STORE_LEASE_POLL_BUG, e);
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
