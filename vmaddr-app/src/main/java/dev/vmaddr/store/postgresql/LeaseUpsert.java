package dev.vmaddr.store.postgresql;

import dev.vmaddr.model.Lease;
import dev.vmaddr.store.postgresql.LeaseCommitter.Pending;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * One {@link LeaseSql#PUT_SQL} statement with its rows bound: a column array per field, the same
 * index across arrays being one row, for {@code unnest}. The committer writes its batches through
 * it and PostgresHistoryTriggersTest drives the statement with random batches through it, so the
 * test exercises the very binding the commit path uses.
 */
final class LeaseUpsert {
    private LeaseUpsert() {}

    /**
     * PUT_SQL prepared on {@code c} with {@code rows} bound in the order given (the caller sorts them:
     * row locks are taken in array order) and {@code origin} as the writer's number; the caller
     * executes and closes it.
     */
    static PreparedStatement prepare(Connection c, int origin, List<Pending> rows) throws SQLException {
        int n = rows.size();
        String[] network = new String[n];
        long[] ip = new long[n];
        String[] mac = new String[n];
        String[] clientId = new String[n];
        String[] hostname = new String[n];
        String[] state = new String[n];
        long[] expiresAt = new long[n];
        long[] updatedAt = new long[n];
        long[] writtenAt = new long[n];
        String[] actor = new String[n];
        for (int i = 0; i < n; i++) {
            Pending p = rows.get(i);
            Lease l = p.lease();
            network[i] = l.network();
            ip[i] = l.ip().unsigned();
            mac[i] = l.mac().toString();
            clientId[i] = l.clientId() == null ? null : l.clientId().hex();
            hostname[i] = l.hostname();
            state[i] = l.state().wireName();
            expiresAt[i] = LeaseRows.micros(l.expiresAt());
            updatedAt[i] = LeaseRows.micros(l.updatedAt());
            writtenAt[i] = LeaseRows.micros(p.now());
            actor[i] = p.actor();
        }
        PreparedStatement ps = c.prepareStatement(LeaseSql.PUT_SQL);
        try {
            ps.setInt(1, origin);
            ps.setObject(2, network);
            ps.setObject(3, ip);
            ps.setObject(4, mac);
            ps.setObject(5, clientId);
            ps.setObject(6, hostname);
            ps.setObject(7, state);
            ps.setObject(8, expiresAt);
            ps.setObject(9, updatedAt);
            ps.setObject(10, writtenAt);
            ps.setObject(11, actor);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
