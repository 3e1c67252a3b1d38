package dev.vmaddr.store.postgresql;

import dev.vmaddr.model.Lease;
import dev.vmaddr.store.postgresql.LeaseCommitter.Pending;
import dev.vmaddr.store.postgresql.LeaseRows.Versioned;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The statements of {@link LeaseCommitter}, apart so that the committer's logic reads on its own. */
final class LeaseSql {
    private LeaseSql() {}

    private static final String HOLDER = "CASE WHEN %1$s.client_id IS NOT NULL THEN 'id:' || %1$s.client_id "
            + "ELSE 'mac:' || %1$s.mac::macaddr::text END";

    /**
     * Parameters: the origin, then ten arrays (network text, ip int8, mac text, client_id text, hostname text,
     * state text, expires_at/updated_at/written_at int8 microseconds since the epoch, actor text).
     * Returns the applied rows (ip as a number, network, seq).
     */
    static final String PUT_SQL = """
            INSERT INTO leases AS l (network, ip, mac, client_id, hostname, state, expires_at, updated_at, written_at,
                                     seq, txid, origin, actor)
            SELECT u.network, %s, u.mac::macaddr, u.client_id, u.hostname, u.state, %s, %s, %s,
                   nextval('change_seq'), pg_current_xact_id(), ?, u.actor
            FROM unnest(?::text[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[],
                        ?::int8[], ?::text[])
                 AS u(network, ip, mac, client_id, hostname, state, expires_at, updated_at, written_at, actor)
            ON CONFLICT (network, ip) DO UPDATE SET
                mac = excluded.mac, client_id = excluded.client_id, hostname = excluded.hostname,
                state = excluded.state, expires_at = excluded.expires_at, updated_at = excluded.updated_at,
                written_at = excluded.written_at, seq = nextval('change_seq'), txid = excluded.txid,
                origin = excluded.origin, actor = excluded.actor
            WHERE NOT (l.state IN ('offered', 'bound', 'declined') AND l.expires_at > excluded.written_at)
               OR l.client_id = excluded.client_id
               OR (l.client_id IS NULL AND excluded.client_id IS NULL AND l.mac = excluded.mac)
            RETURNING l.ip - '0.0.0.0'::inet, l.network, l.seq
            """.formatted(LeaseRows.fromValue("u.ip"), LeaseRows.fromMicros("u.expires_at"),
            LeaseRows.fromMicros("u.updated_at"), LeaseRows.fromMicros("u.written_at"));

    /**
     * Marks the holder's and the MAC's other bound leases that have run out by the writer's now as expired.
     * Parameters: now (micros) twice, origin, actor, network, client_id, mac, ip (value), now (micros).
     */
    static final String EXPIRE_RUN_OUT_SQL = "UPDATE leases l SET state = 'expired', updated_at = "
            + LeaseRows.fromMicros("?::int8") + ", written_at = " + LeaseRows.fromMicros("?::int8")
            + ", seq = nextval('change_seq'), txid = pg_current_xact_id(), origin = ?, actor = ? "
            + "FROM (SELECT ?::text AS network, ?::text AS client_id, ?::text AS mac) k "
            + "WHERE l.network = k.network AND (l.holder = (" + HOLDER.formatted("k") + ") OR l.mac = k.mac::macaddr)"
            + " AND l.state = 'bound' AND l.ip <> " + LeaseRows.fromValue("?::int8") + " AND l.expires_at <= " + LeaseRows.fromMicros("?::int8")
            + " RETURNING " + LeaseRows.COLUMNS;

    /** What blocks refused writes: the lease on the address (kind 0), the holder's and the MAC's bound leases (kind 1). */
    static final String BLOCKERS_SQL = "SELECT 0, " + LeaseRows.COLUMNS + " FROM leases l "
            + "JOIN unnest(?::text[], ?::int8[]) AS k(network, ip) ON l.network = k.network AND l.ip = "
            + LeaseRows.fromValue("k.ip")
            + " UNION ALL SELECT 1, " + LeaseRows.COLUMNS + " FROM leases l "
            + "JOIN unnest(?::text[], ?::text[], ?::text[]) AS k(network, mac, client_id) ON l.network = k.network"
            + " AND (l.holder = (" + HOLDER.formatted("k") + ") OR l.mac = k.mac::macaddr) AND l.state = 'bound'";

    /** What blocks {@code refused}: the lease on each address, and each holder's bound leases. */
    static List<Versioned> blockers(Connection c, List<Pending> refused) throws SQLException {
        int n = refused.size();
        String[] network = new String[n];
        long[] ip = new long[n];
        String[] mac = new String[n];
        String[] clientId = new String[n];
        for (int i = 0; i < n; i++) {
            Lease l = refused.get(i).lease();
            network[i] = l.network();
            ip[i] = l.ip().unsigned();
            mac[i] = l.mac().toString();
            clientId[i] = l.clientId() == null ? null : l.clientId().hex();
        }
        List<Versioned> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(LeaseSql.BLOCKERS_SQL)) {
            ps.setObject(1, network);
            ps.setObject(2, ip);
            ps.setObject(3, network);
            ps.setObject(4, mac);
            ps.setObject(5, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(LeaseRows.read(rs, 2)); // after the kind column
                }
            }
        }
        return out;
    }
}
