package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.ClientId;
import dev.vmaddr.ipam.Lease;
import dev.vmaddr.ipam.LeaseState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Mapping between {@link Lease} and rows of table {@code leases}. */
final class LeaseRows {
    /** Columns in the order {@link #read} expects, prefixed with table alias {@code l}. */
    static final String COLUMNS = "l.network, host(l.ip), l.mac::text, l.client_id, l.hostname, l.state, "
            + "l.expires_at, l.updated_at, l.seq";

    private LeaseRows() {}

    static Versioned read(ResultSet rs) throws SQLException {
        String clientId = rs.getString(4);
        Lease lease = new Lease(rs.getString(1), Ipv4Address.parse(rs.getString(2)), MacAddress.parse(rs.getString(3)),
                clientId == null ? null : new ClientId(clientId), rs.getString(5),
                LeaseState.fromWireName(rs.getString(6)), instant(rs, 7), instant(rs, 8));
        return new Versioned(lease, rs.getLong(9));
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** A lease as stored, with the change number of the write that produced it. */
    record Versioned(Lease lease, long seq) {}
}
