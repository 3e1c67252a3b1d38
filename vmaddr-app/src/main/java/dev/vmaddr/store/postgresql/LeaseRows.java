package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Mapping between {@link Lease} and rows of table {@code leases}. */
final class LeaseRows {
    /**
     * Columns in the order {@link #read} expects, prefixed with table alias {@code l}. The address and
     * the times travel as numbers (the address as its value, times as microseconds since the epoch):
     * cheaper for both sides to produce and parse than their text forms.
     */
    static final String COLUMNS = "l.network, l.ip - '0.0.0.0'::inet, l.mac::text, l.client_id, l.hostname, l.state, "
            + "vmaddr_micros(l.expires_at), vmaddr_micros(l.updated_at), l.seq";

    /** SQL turning a bigint of microseconds since the epoch (a bound parameter or column) into a timestamptz. */
    static String fromMicros(String micros) {
        return "('epoch'::timestamptz + " + micros + " * interval '1 microsecond')";
    }

    /** SQL turning a bigint address value into an inet. */
    static String fromValue(String value) {
        return "('0.0.0.0'::inet + " + value + ")";
    }

    private LeaseRows() {}

    static Versioned read(ResultSet rs) throws SQLException {
        return read(rs, 1);
    }

    /** Reads {@link #COLUMNS} starting at column {@code first}. */
    static Versioned read(ResultSet rs, int first) throws SQLException {
        int c = first - 1;
        String clientId = rs.getString(c + 4);
        // the network's name interned: a handful of names, held by every cached lease (1,000,000 copies were 48 MB)
        Lease lease = new Lease(rs.getString(c + 1).intern(), address(rs.getLong(c + 2)), MacAddress.parse(rs.getString(c + 3)),
                clientId == null ? null : new ClientId(clientId), rs.getString(c + 5),
                LeaseState.fromWireName(rs.getString(c + 6)), ofMicros(rs.getLong(c + 7)), ofMicros(rs.getLong(c + 8)));
        return new Versioned(lease, rs.getLong(c + 9));
    }

    static Ipv4Address address(long value) {
        return new Ipv4Address((int) value);
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    static Instant ofMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
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
