package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A lease record removed by a transaction, as trigger {@code leases_removed} logged it. */
record Removal(String network, Ipv4Address ip, long seq) {
    /** The removals made so far by the transaction of {@code c}, to drop them from the cache after commit. */
    static List<Removal> ownRemovals(Connection c) throws SQLException {
        List<Removal> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT network, host(ip), seq FROM lease_removals WHERE txid = pg_current_xact_id()")) {
            while (rs.next()) {
                out.add(new Removal(rs.getString(1), Ipv4Address.parse(rs.getString(2)), rs.getLong(3)));
            }
        }
        return out;
    }
}
