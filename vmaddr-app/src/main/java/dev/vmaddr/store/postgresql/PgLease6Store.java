package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.Lease6Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DHCPv6 leases in table {@code lease6} (migration V6), for servers sharing the database.
 *
 * <p>No address twice: a write is one {@code INSERT ... ON CONFLICT (network, ip) DO UPDATE ... WHERE}
 * that replaces the row only when its lease does not occupy the address at the writer's {@code now}
 * or belongs to the same client (DUID + IAID); the row lock makes writers of one address, on any
 * server, take turns, and the loser reads who holds it. Expiry is its own conditional update (still
 * bound by that client and run out), so a server expiring a lease cannot undo another's renewal.
 *
 * <p>Other servers' writes are read as {@link ChangePoller} reads table {@code leases}: one statement
 * returns the rows with {@code txid >=} the watermark and the snapshot's xmin, the next watermark
 * (a transaction still running then commits with an id at or above it and is read next time).
 * Writes are one statement each, not batched like IPv4's {@code LeaseCommitter}: DHCPv6 binds go
 * through the in-memory owner ({@code ipam.Ipv6Leases}) first, and this keeps the contract small.
 */
final class PgLease6Store implements Lease6Store {
    private static final String COLUMNS = "l.network, host(l.ip), l.duid, l.iaid, l.mac::text, l.hostname, l.state, "
            + "vmaddr_micros(l.expires_at), vmaddr_micros(l.updated_at)";
    private static final String PUT = """
            INSERT INTO lease6 AS l (network, ip, duid, iaid, mac, hostname, state, expires_at, updated_at, origin, txid)
            VALUES (?, ?::inet, ?, ?, ?::macaddr, ?, ?, %1$s, %2$s, ?, pg_current_xact_id())
            ON CONFLICT (network, ip) DO UPDATE SET
                duid = excluded.duid, iaid = excluded.iaid, mac = excluded.mac, hostname = excluded.hostname,
                state = excluded.state, expires_at = excluded.expires_at, updated_at = excluded.updated_at,
                origin = excluded.origin, txid = excluded.txid
            WHERE NOT (l.state IN ('offered', 'bound', 'declined') AND l.expires_at > %3$s)
               OR (l.duid = excluded.duid AND l.iaid = excluded.iaid)
            RETURNING 1
            """.formatted(LeaseRows.fromMicros("?::int8"), LeaseRows.fromMicros("?::int8"), LeaseRows.fromMicros("?::int8"));
    private static final String EXPIRE = "UPDATE lease6 l SET state = 'expired', updated_at = " + LeaseRows.fromMicros("?::int8")
            + ", origin = ?, txid = pg_current_xact_id() WHERE l.network = ? AND l.ip = ?::inet AND l.duid = ? AND l.iaid = ?"
            + " AND l.state = 'bound' AND l.expires_at <= " + LeaseRows.fromMicros("?::int8");
    private static final String GET = "SELECT " + COLUMNS + " FROM lease6 l WHERE l.network = ? AND l.ip = ?::inet";
    // Kind 0: a row; kind 1: the snapshot's xmin (in column network). The watermark is inlined (a
    // number we read ourselves) so that the planner sees it and uses index lease6_txid.
    private static final String CHANGES = "SELECT 0, " + COLUMNS + " FROM lease6 l WHERE l.txid >= '%s'::xid8%s"
            + " UNION ALL SELECT 1, pg_snapshot_xmin(pg_current_snapshot())::text, NULL, NULL, NULL::int8, NULL, NULL,"
            + " NULL, NULL::int8, NULL::int8";

    private final Db db;
    private final int origin;
    private long watermark = -1; // unsigned xid8; -1: nothing read yet. Guarded by this.

    PgLease6Store(Db db, int origin) {
        this.db = db;
        this.origin = origin;
    }

    @Override
    public Optional<Lease6> putUnlessHeld(Lease6 lease, Instant now) {
        return db.transaction("lease6 put", c -> {
            try (PreparedStatement ps = c.prepareStatement(PUT)) {
                ps.setString(1, lease.network());
                ps.setString(2, lease.ip().toString());
                ps.setString(3, lease.duid().toString());
                ps.setLong(4, lease.iaid());
                ps.setString(5, lease.mac() == null ? null : lease.mac().toString());
                ps.setString(6, lease.hostname());
                ps.setString(7, lease.state().wireName());
                ps.setLong(8, LeaseRows.micros(lease.expiresAt()));
                ps.setLong(9, LeaseRows.micros(lease.updatedAt()));
                ps.setInt(10, origin);
                ps.setLong(11, LeaseRows.micros(now));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Optional.<Lease6>empty();
                    }
                }
            }
            // Refused: the row is another client's, and its lock is ours until commit.
            return get(c, lease.network(), lease.ip());
        });
    }

    @Override
    public Optional<Lease6> expireIfRunOut(Lease6 expired, Instant now) {
        return db.transaction("lease6 expire", c -> {
            try (PreparedStatement ps = c.prepareStatement(EXPIRE)) {
                ps.setLong(1, LeaseRows.micros(expired.updatedAt()));
                ps.setInt(2, origin);
                ps.setString(3, expired.network());
                ps.setString(4, expired.ip().toString());
                ps.setString(5, expired.duid().toString());
                ps.setLong(6, expired.iaid());
                ps.setLong(7, LeaseRows.micros(now));
                if (ps.executeUpdate() == 1) {
                    return Optional.<Lease6>empty();
                }
            }
            return get(c, expired.network(), expired.ip());
        });
    }

    @Override
    public synchronized List<Lease6> list() {
        return changes(-1, false);
    }

    @Override
    public synchronized List<Lease6> othersChanges() {
        return changes(watermark, true);
    }

    /** Rows with {@code txid >= since} (all when -1), others' only when {@code othersOnly}; moves the watermark. */
    private List<Lease6> changes(long since, boolean othersOnly) {
        String sql = CHANGES.formatted(since == -1 ? "0" : Long.toUnsignedString(since),
                othersOnly ? " AND l.origin <> " + origin : "");
        List<Lease6> out = new ArrayList<>();
        long xmin = db.read("lease6 changes", c -> {
            long x = -1;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    if (rs.getInt(1) == 1) {
                        x = Long.parseUnsignedLong(rs.getString(2));
                    } else {
                        out.add(read(rs, 2));
                    }
                }
            }
            return x;
        });
        if (watermark == -1 || since != -1) {
            watermark = xmin; // list() at start sets it; later list() calls (the CLI) leave the poll alone
        }
        return out;
    }

    private static Optional<Lease6> get(Connection c, String network, Ipv6Address ip) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(GET)) {
            ps.setString(1, network);
            ps.setString(2, ip.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs, 1)) : Optional.empty();
            }
        }
    }

    private static Lease6 read(ResultSet rs, int first) throws SQLException {
        int c = first - 1;
        String mac = rs.getString(c + 5);
        return new Lease6(rs.getString(c + 1), Ipv6Address.parse(rs.getString(c + 2)), Duid.parse(rs.getString(c + 3)),
                rs.getLong(c + 4), mac == null ? null : MacAddress.parse(mac), rs.getString(c + 6),
                LeaseState.fromWireName(rs.getString(c + 7)), LeaseRows.ofMicros(rs.getLong(c + 8)),
                LeaseRows.ofMicros(rs.getLong(c + 9)));
    }
}
