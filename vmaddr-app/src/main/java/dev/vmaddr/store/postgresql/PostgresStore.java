package dev.vmaddr.store.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.CommitListener;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryStore;
import dev.vmaddr.store.Lease6Store;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.MacStore;
import dev.vmaddr.store.NetworkStore;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code store: postgresql}: the system of record in a PostgreSQL database that several vmaddr servers
 * may share.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Schema</b> by Flyway migrations ({@code db/migration}), run by {@link #open}. Flyway holds a
 *   PostgreSQL advisory lock while migrating, so servers starting together on one database do not
 *   race.</li>
 *   <li><b>Uniqueness is the database's.</b> Table {@code leases} has primary key (network, ip); a lease
 *   write is one {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} that updates the row only when its
 *   current lease does not occupy the address at the writer's {@code now} or belongs to the same
 *   holder. The row lock makes concurrent writers of one address, on any server, take turns; the
 *   loser is told who holds it ({@code WriteResult.conflict}). MAC claims work the same way on
 *   {@code macs}. History rows are written by triggers in the same transaction. A holder has at most
 *   one bound lease per network (unique index {@code leases_one_bound_per_holder}), and so has a
 *   MAC whatever client-ids it sends ({@code leases_one_bound_per_mac}), so a server that has not
 *   yet seen another server's allocation cannot give the same client, or the same machine under
 *   another client-id, a second address.</li>
 *   <li><b>Group commit.</b> Lease writes go through {@link LeaseCommitter}: concurrent callers are
 *   written together in one multi-row statement in auto-commit mode (one round trip, one commit);
 *   see there.</li>
 *   <li><b>Deferred durability</b> ({@link #defersDurability()}): a lease write made in a
 *   {@link dev.vmaddr.store.DeferredDurability} scope (the DHCP receiver) is queued into those
 *   batches and not waited for; the reply that depends on it leaves once its row committed, and is
 *   dropped when the database refused or failed that row. So the receiver handles every datagram
 *   itself, never waiting on the database, and one statement answers a whole batch of clients.</li>
 *   <li><b>Reads from memory.</b> The allocation engine keeps its own free-address index and asks the
 *   store only get / findByHolder / list, which {@link LeaseCache} answers from a copy of the lease
 *   table loaded at open (one binary COPY, {@link LeaseCopy}; compact entries, {@link LeaseCache})
 *   and kept current from this server's commits and, every
 *   {@code pollInterval}, from other servers' (see {@link ChangePoller}, also for how long removals
 *   are kept in {@code lease_removals}). No SQL scans for free
 *   addresses. A copy a little behind another server is safe: the write is checked by the
 *   database.</li>
 *   <li><b>Connection loss.</b> Timeouts are bounded (pool wait, connect, socket), so while the
 *   database is away writes fail quickly with {@link StoreException} and nothing is acknowledged;
 *   {@link #writable()} is false from the first connection failure until a round trip succeeds again
 *   (the poller tries every {@code pollInterval}). HikariCP replaces broken connections by itself.</li>
 *   <li><b>DHCPv6 leases</b> in table {@code lease6} ({@link PgLease6Store}): the same conditional
 *   upsert per address, one statement each; other servers' writes are read in the reclaim round.</li>
 *   <li>Networks, MACs, documents and history are read from the database on each call: they are
 *   small or rare, and another server's changes are then seen at once.</li>
 * </ul>
 * Timestamps are stored with microsecond precision (PostgreSQL's); lease times are truncated to it
 * on write so that what this server caches equals what any server reads back.
 */
public final class PostgresStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);

    /**
     * Tuning; {@link #defaults()} suits a server on a LAN.
     *
     * @param poolSize       connections in the pool (committers + poller + readers)
     * @param committers     threads writing lease batches: batches in flight at once. Few: on a small
     *                       machine that also runs the database, every extra batch in flight means
     *                       smaller batches and one more statement and commit per lease (issue 8: 2000
     *                       DHCP leases/s through two servers made 1.4 leases per statement with 4)
     * @param maxBatch       most leases in one statement
     * @param connectTimeout bound on getting or opening a connection
     * @param queryTimeout   bound on one database round trip (socket timeout)
     * @param writeTimeout   bound on a lease write, queueing included
     * @param pollInterval   how often other servers' lease writes are fetched. Until then this server
     *                       may offer an address another server has just bound, and NAK the request:
     *                       50 ms keeps that near 0.1 % of requests at 1000/s per server, while a poll
     *                       that finds nothing is one index probe
     * @param linger         how long a committer that found few writes queued waits for more before it
     *                       writes them (zero: never): a little latency for fewer statements. Each statement
     *                       costs PostgreSQL ~0.4 ms of CPU besides its rows (its commit and WAL flush
     *                       included): with 1 ms, 1,000 DHCP leases/s per server made 2.25 leases per
     *                       statement and PostgreSQL's CPU was half of the whole set-up's (issue 24); 4 ms makes
     *                       ~5 and adds at most 4 ms to an ACK
     */
    public record Options(int poolSize, int committers, int maxBatch, Duration connectTimeout, Duration queryTimeout,
                          Duration writeTimeout, Duration pollInterval, Duration linger) {
        public Options {
            if (committers < 1) {
                throw new IllegalArgumentException("committers must be at least 1: " + committers);
            }
            if (poolSize < committers + 2) {
                throw new IllegalArgumentException("poolSize must be at least committers + 2: " + poolSize);
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1: " + maxBatch);
            }
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(queryTimeout, "queryTimeout");
            Objects.requireNonNull(writeTimeout, "writeTimeout");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(linger, "linger");
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative: " + linger);
            }
        }

        public static Options defaults() {
            return new Options(8, 1, 1000, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(15),
                    Duration.ofMillis(50), Duration.ofMillis(4));
        }

        public Options withPollInterval(Duration interval) {
            return new Options(poolSize, committers, maxBatch, connectTimeout, queryTimeout, writeTimeout, interval, linger);
        }

        public Options withCommitters(int n, Duration lingerFor) {
            return new Options(Math.max(poolSize, n + 2), n, maxBatch, connectTimeout, queryTimeout, writeTimeout,
                    pollInterval, lingerFor);
        }
    }

    private final HikariDataSource dataSource;
    private final Db db;
    private final LeaseCommitter committer;
    private final ChangePoller poller;
    private final int origin;
    private final PgLeaseStore leases;
    private final PgNetworkStore networks;
    private final PgMacStore macs;
    private final PgDocumentStore documents;
    private final PgHistoryStore history;
    private final PgLease6Store leases6;
    private volatile boolean closed;

    private PostgresStore(HikariDataSource dataSource, Clock clock, Options options) {
        this.dataSource = dataSource;
        this.db = new Db(dataSource);
        LeaseCache cache = new LeaseCache();
        // this store's number, written with its lease rows, so that its poller can skip its own writes
        this.origin = db.statement("store origin", c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT nextval('store_origin')::int")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        LookupWarmup.run(); // the cache's lookups profiled found and not found, before traffic (see there)
        this.poller = new ChangePoller(db, cache, options.pollInterval(), origin, clock);
        poller.refresh(); // the whole lease table, before anyone reads
        this.committer = new LeaseCommitter(db, cache, poller, origin, options.committers(), options.maxBatch(),
                options.linger(), options.writeTimeout());
        this.leases = new PgLeaseStore(db, cache, committer, new LeaseBulkPut(db, cache, committer, poller));
        this.networks = new PgNetworkStore(db, cache);
        this.macs = new PgMacStore(db);
        this.documents = new PgDocumentStore(db);
        this.history = new PgHistoryStore(db);
        this.leases6 = new PgLease6Store(db, origin);
        poller.start();
    }

    /**
     * Connects, migrates the schema, loads the leases and starts the commit and poll threads.
     *
     * @param clock the server's clock; lease writes take their {@code now} from their callers, the
     *              clock only times the poller's removal-retention rule
     * @throws StoreException when the database cannot be reached or migrated
     */
    public static PostgresStore open(String jdbcUrl, String user, String password, Clock clock, Options options) {
        Objects.requireNonNull(jdbcUrl, "postgresql.url");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(options, "options");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("postgresql.url must start with jdbc:postgresql: (" + jdbcUrl + ")");
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hikari(jdbcUrl, user, password, options));
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to PostgreSQL at " + jdbcUrl + ": " + rootMessage(e), e);
        }
        try {
            migrate(ds);
            PostgresStore store = new PostgresStore(ds, clock, options);
            log.info(LogEvents.STORE_OPENED + " kind=postgresql url={} leases={}", jdbcUrl, store.leases.count());
            return store;
        } catch (RuntimeException e) {
            ds.close();
            throw e instanceof StoreException se ? se : new StoreException("cannot open PostgreSQL store: " + rootMessage(e), e);
        }
    }

    /**
     * Applies pending migrations; safe when several servers do it at once (advisory lock). Nothing to
     * do when the database holds every migration of this build already ({@link SchemaCheck}: one query
     * instead of Flyway's start).
     */
    static void migrate(javax.sql.DataSource ds) {
        if (SchemaCheck.current(ds)) {
            return;
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException e) {
            throw new StoreException("PostgreSQL schema migration failed: " + rootMessage(e), e);
        }
    }

    private static HikariConfig hikari(String url, String user, String password, Options o) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("vmaddr-pg");
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(o.poolSize());
        c.setMinimumIdle(Math.min(o.poolSize(), o.committers() + 1));
        c.setConnectionTimeout(Math.max(250, o.connectTimeout().toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(o.connectTimeout().toMillis(), 5_000)));
        c.setAutoCommit(true);
        long connectSeconds = Math.max(1, o.connectTimeout().toSeconds());
        long socketSeconds = Math.max(1, o.queryTimeout().toSeconds());
        c.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
        c.addDataSourceProperty("loginTimeout", Long.toString(connectSeconds));
        c.addDataSourceProperty("socketTimeout", Long.toString(socketSeconds));
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("ApplicationName", "vmaddr");
        return c;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root.getMessage() + ")";
    }

    /** Reads the other servers' lease writes now, as the poller does every {@code pollInterval}. */
    void refreshLeases() {
        poller.refresh();
    }

    @Override
    public int sharingServerNumber() {
        return origin;
    }

    /** Throws {@link dev.vmaddr.store.StoreException} when the database cannot be read. */
    @Override
    public void refreshShared() {
        poller.refresh();
    }

    @Override
    public NetworkStore networks() {
        return networks;
    }

    @Override
    public LeaseStore leases() {
        return leases;
    }

    @Override
    public MacStore macs() {
        return macs;
    }

    @Override
    public DocumentStore documents() {
        return documents;
    }

    /** Table {@code lease6}: conditional writes, so servers sharing the database never give an address twice. */
    @Override
    public Lease6Store leases6() {
        return leases6;
    }

    @Override
    public HistoryStore history() {
        return history;
    }

    @Override
    public boolean writable() {
        return !closed && db.reachable();
    }

    /** Lease writes of the DHCP receiver are queued and reported through the scope: see {@link LeaseCommitter}. */
    @Override
    public boolean defersDurability() {
        return true;
    }

    @Override
    public void reportCommitsTo(CommitListener listener) {
        committer.reportCommitsTo(listener);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            committer.close();
            poller.close();
        } finally {
            dataSource.close();
            log.info(LogEvents.STORE_CLOSED + " kind=postgresql");
        }
    }
}
