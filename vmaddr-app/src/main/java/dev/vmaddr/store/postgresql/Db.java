package dev.vmaddr.store.postgresql;

import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units of JDBC work on pooled connections, turns failures into {@link StoreException}, and
 * tracks whether the database is reachable: a connection failure turns {@link #reachable()} false
 * (logged once as {@code event=store.db.unreachable}), the next successful round trip turns it true
 * again ({@code event=store.db.recovered}). Thread-safe.
 */
final class Db {
    private static final Logger log = LoggerFactory.getLogger(Db.class);

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    /** Why and since when the database is unreachable (null while reachable): the 503's reason. */
    private volatile String downReason;

    Db(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    boolean reachable() {
        return reachable.get();
    }

    /**
     * Fail fast while the database is known to be away (issue 20 item 7): a caller gets its
     * {@link StoreException} with the reason at once instead of waiting the pool's connection timeout,
     * so an API request answers 503 within milliseconds and a DHCP request is refused (and counted)
     * without holding a handler. The change poller keeps trying ({@link #probe}); its first success
     * turns this off again, so everything recovers without a restart.
     */
    void failFastWhileDown(String what) {
        if (!reachable.get()) {
            throw new StoreException("PostgreSQL unreachable (" + downReason + "); " + what + " not attempted");
        }
    }

    /** While the database is away: hands {@code refuse} the fail-fast exception and returns true. */
    boolean refusedWhileDown(String what, java.util.function.Consumer<StoreException> refuse) {
        try {
            failFastWhileDown(what);
            return false;
        } catch (StoreException e) {
            refuse.accept(e);
            return true;
        }
    }

    /** Runs {@code work} in one transaction and commits; the result is durable when this returns. */
    <T> T transaction(String what, Work<T> work) {
        failFastWhileDown(what);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            return commitOrRollBack(c, work);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} on {@code c} (auto-commit off) and commits, or rolls back and rethrows. */
    private <T> T commitOrRollBack(Connection c, Work<T> work) throws SQLException {
        try {
            T result = work.run(c);
            c.commit();
            succeeded();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
    }

    /** Runs {@code work} in one read-only transaction at REPEATABLE READ: every statement sees one snapshot. */
    <T> T snapshot(String what, Work<T> work) {
        failFastWhileDown(what);
        return probeSnapshot(what, work);
    }

    /** Like {@link #snapshot}, also while the database is away: the poller's reload after a long outage. */
    <T> T probeSnapshot(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return commitOrRollBack(c, work);
            } finally {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs {@code work} in auto-commit mode: each statement is its own transaction, committed (durable:
     * synchronous_commit is on) before its answer arrives. For work that is one statement: one round
     * trip, no BEGIN/COMMIT.
     */
    <T> T statement(String what, Work<T> work) {
        return read(what, work);
    }

    /** Runs single-statement reads in auto-commit mode. */
    <T> T read(String what, Work<T> work) {
        failFastWhileDown(what);
        return probe(what, work);
    }

    /** Like {@link #read}, also while the database is away: the health check that notices it is back. */
    <T> T probe(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            T result = work.run(c);
            succeeded();
            return result;
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    void succeeded() {
        if (reachable.compareAndSet(false, true)) {
            log.info(LogEvents.STORE_DB_RECOVERED);
        }
    }

    StoreException failure(String what, SQLException e) {
        if (isConnectionFailure(e) && reachable.get()) {
            downReason = "since " + java.time.Instant.now() + ": " + e.getMessage();
        }
        if (isConnectionFailure(e) && reachable.compareAndSet(true, false)) {
            log.warn(LogEvents.STORE_DB_UNREACHABLE + " op={} error=\"{}\"", what, e.getMessage());
        }
        return new StoreException("PostgreSQL: " + what + " failed: " + e.getMessage(), e);
    }

    /**
     * Whether the failure is about the connection rather than the statement: SQLSTATE class 08
     * (connection exception), 57P01-57P03 (server shutting down or starting), 53300 (too many
     * connections), or the pool timing out waiting for a connection.
     */
    static boolean isConnectionFailure(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it, and the transaction dies with it
        }
    }
}
