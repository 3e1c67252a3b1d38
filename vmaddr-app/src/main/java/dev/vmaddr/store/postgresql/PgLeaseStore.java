package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.store.LeasePages;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.WriteResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Leases: reads of one address or holder from {@link LeaseCache}, conditional writes through
 * {@link LeaseCommitter}, pages from the database.
 *
 * <p>Why pages are SQL and not the cache: the cache is a hash map because {@code get} runs on every
 * DHCP exchange and every write (an ordered map made each lookup a chain of cache misses), and an
 * ordered index beside it would cost every new address an insert. The table's primary key
 * (network, ip) is that ordered index already, so a page is one index range scan ({@link #PAGE_SQL})
 * and costs the hot path nothing. It is consistent with what this server acknowledged: a write is
 * acknowledged only after its commit, and each page query is a new statement that sees every
 * commit before it (and other servers' writes that the poller has not brought into the cache yet).
 * The price: listing needs the database up, while the cache answers DHCP through an outage.
 */
final class PgLeaseStore implements LeaseStore {
    /** Parameters: network, first address value (inclusive), row count. {@code inet} orders IPv4 /32s by address. */
    static final String PAGE_SQL = "SELECT " + LeaseRows.COLUMNS + " FROM leases l WHERE l.network = ? AND l.ip >= "
            + LeaseRows.fromValue("?::int8") + " ORDER BY l.ip LIMIT ?";
    /** Most rows one page query fetches: a filter that turns most of them down means several queries. */
    static final int ROUND = 1000;
    private static final int MIN_ROUND = 100;

    private final Db db;
    private final LeaseCache cache;
    private final LeaseCommitter committer;
    private final LeaseBulkPut bulk;

    PgLeaseStore(Db db, LeaseCache cache, LeaseCommitter committer, LeaseBulkPut bulk) {
        this.db = db;
        this.cache = cache;
        this.committer = committer;
        this.bulk = bulk;
    }

    @Override
    public WriteResult put(Lease lease, Instant now) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(now, "now");
        return committer.put(lease, now);
    }

    @Override
    public List<WriteResult> putAll(List<Lease> leases, Instant now) {
        Objects.requireNonNull(now, "now");
        LeaseStore.requireDistinctAddresses(leases);
        return leases.isEmpty() ? List.of() : bulk.putAll(leases, now);
    }

    @Override
    public boolean remove(String network, Ipv4Address ip) {
        List<Removal> removed = db.transaction("lease remove", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM leases WHERE network = ? AND ip = ?::inet")) {
                ps.setString(1, network);
                ps.setString(2, ip.toString());
                ps.executeUpdate();
            }
            return Removal.ownRemovals(c);
        });
        removed.forEach(r -> cache.remove(r.network(), r.ip(), r.seq()));
        return !removed.isEmpty();
    }

    @Override
    public Optional<Lease> get(String network, Ipv4Address ip) {
        return cache.get(network, ip);
    }

    @Override
    public Optional<Lease> findByHolder(String network, HolderKey holder) {
        return cache.findByHolder(network, holder);
    }

    @Override
    public List<Lease> list(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
        LeasePages.checkArguments(network, limit, filter);
        return LeasePages.inRounds(after, limit, filter, MIN_ROUND, ROUND, (from, max) -> db.read("lease page", c -> {
            List<Lease> rows = new ArrayList<>(max);
            try (PreparedStatement ps = c.prepareStatement(PAGE_SQL)) {
                ps.setString(1, network);
                ps.setLong(2, from);
                ps.setInt(3, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(LeaseRows.read(rs).lease());
                    }
                }
            }
            return rows;
        }));
    }

    @Override
    public void forEach(Consumer<Lease> action) {
        cache.forEach(action);
    }

    /**
     * From the cache, not in pages of SQL: an engine index is built at start right after the cache read
     * the whole table (a second read of 1,000,000 rows was most of a restart), and when it is rebuilt
     * later the cache is at most a poll behind the table, like a read that began a poll earlier.
     */
    @Override
    public void forEachOccupancyIn(String network, Occupancy sink) {
        cache.forEachOccupancyIn(network, sink);
    }

    @Override
    public long count() {
        return cache.count();
    }
}
