package dev.vmaddr.store.postgresql;

import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.compact.LeaseEntry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Reads the whole table {@code leases} into {@link LeaseEntry}s with {@code COPY ... TO STDOUT (FORMAT
 * binary)}: the start of a server holding a million leases (issue 24).
 *
 * <p>Why COPY, binary: a SELECT of the table had PostgreSQL turn every address, MAC and time into a
 * number or text ({@link LeaseRows#COLUMNS}: two numeric conversions a time) and pgjdbc hand over
 * nine arrays, then Strings, Instants and records per row; most of a restart went there. Binary COPY
 * sends the columns as they are stored (inet as its 4 bytes, macaddr as 6, timestamptz as
 * microseconds since 2000-01-01) in one message a row, decoded here in place into the compact entry:
 * one small array for client-id and hostname, nothing else, a network name per network and not per
 * row.
 *
 * <p>The stream is the documented format: an 11-byte signature, flags, header extension; per row a
 * field count and length-prefixed fields (-1: NULL); a count of -1 at the end. Rows are decoded
 * across message boundaries, whatever sizes the server sends.
 */
final class LeaseCopy {
    static final String SQL = "COPY (SELECT network, ip, mac, client_id, hostname, state, expires_at, updated_at, seq"
            + " FROM leases) TO STDOUT (FORMAT binary)";
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final int FIELDS = 9;
    /** Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for timestamps. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final LeaseState[] STATES = LeaseState.values();
    private static final byte[][] STATE_NAMES = Arrays.stream(STATES)
            .map(s -> s.wireName().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    /** Where decoded rows go. */
    @FunctionalInterface
    interface Sink {
        void accept(String network, LeaseEntry entry);
    }

    private final CopyOut copy;
    private byte[] buf = new byte[0];
    private int pos;
    private int limit;
    /** Network names seen, as bytes and as the one String every entry of that network shares. */
    private final List<byte[]> nameBytes = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    /** The index of the network of the row before; -1 before the first. */
    private int lastName = -1;

    private LeaseCopy(CopyOut copy) {
        this.copy = copy;
    }

    /** Runs the COPY on {@code c} (inside the caller's transaction, so in its snapshot); returns the rows read. */
    static long read(Connection c, Sink sink) throws SQLException {
        CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut(SQL);
        try {
            return new LeaseCopy(copy).rows(sink);
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy(); // stopped part way (a bad row): the connection must leave COPY mode
            }
        }
    }

    private long rows(Sink sink) throws SQLException {
        need(SIGNATURE.length + 8);
        if (!Arrays.equals(buf, pos, pos + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new SQLException("COPY of leases: not PostgreSQL's binary format");
        }
        pos += SIGNATURE.length + 4; // flags: no OIDs in a COPY of a query
        int extension = int32();
        skip(extension);
        long rows = 0;
        while (true) {
            need(2);
            int fields = (short) ((buf[pos] & 0xFF) << 8 | buf[pos + 1] & 0xFF);
            pos += 2;
            if (fields == -1) {
                break;
            }
            if (fields != FIELDS) {
                throw new SQLException("COPY of leases: " + fields + " fields in a row, expected " + FIELDS);
            }
            String network = network(field(false));
            int ip = address(field(false));
            long mac = mac(field(false));
            int cidLen = field(true);
            byte[] clientId = cidLen < 0 ? null : unhex(pos, cidLen);
            pos += Math.max(cidLen, 0);
            int hostLen = field(true);
            byte[] extra = LeaseEntry.extra(clientId, hostLen < 0 ? null : buf, pos, hostLen);
            pos += Math.max(hostLen, 0);
            byte state = state(field(false));
            long expires = int64(field(false)) + PG_EPOCH_MICROS;
            long updated = int64(field(false)) + PG_EPOCH_MICROS;
            long seq = int64(field(false));
            sink.accept(network, new LeaseEntry(ip, mac, state, Math.floorDiv(expires, 1_000_000L),
                    (int) Math.floorMod(expires, 1_000_000L) * 1000, Math.floorDiv(updated, 1_000_000L),
                    (int) Math.floorMod(updated, 1_000_000L) * 1000, extra, seq));
            rows++;
        }
        while (copy.readFromCopy() != null) {
            // the end: the server's CopyDone and command status
        }
        return rows;
    }

    /** Reads a field's length and makes sure its bytes are in the buffer; -1 (NULL) only when {@code nullable}. */
    private int field(boolean nullable) throws SQLException {
        need(4);
        int len = int32();
        if (len < 0) {
            if (!nullable) {
                throw new SQLException("COPY of leases: NULL in a NOT NULL column");
            }
            return -1;
        }
        need(len);
        return len;
    }

    private String network(int len) {
        // rows of one network mostly follow each other: the last one met first, then the others
        if (lastName >= 0 && isName(lastName, len)) {
            pos += len;
            return names.get(lastName);
        }
        for (int i = 0; i < nameBytes.size(); i++) {
            if (isName(i, len)) {
                lastName = i;
                pos += len;
                return names.get(i);
            }
        }
        byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
        String name = new String(b, StandardCharsets.UTF_8).intern();
        nameBytes.add(b);
        names.add(name);
        lastName = names.size() - 1;
        pos += len;
        return name;
    }

    private boolean isName(int i, int len) {
        byte[] b = nameBytes.get(i);
        return Arrays.equals(buf, pos, pos + len, b, 0, b.length);
    }

    /** inet: family, bits, is_cidr, address length, then the address. */
    private int address(int len) throws SQLException {
        if (len != 8 || buf[pos + 3] != 4) {
            throw new SQLException("COPY of leases: an address that is not IPv4");
        }
        int v = (buf[pos + 4] & 0xFF) << 24 | (buf[pos + 5] & 0xFF) << 16 | (buf[pos + 6] & 0xFF) << 8 | buf[pos + 7] & 0xFF;
        pos += len;
        return v;
    }

    private long mac(int len) throws SQLException {
        if (len != 6) {
            throw new SQLException("COPY of leases: a MAC of " + len + " bytes");
        }
        return bigEndian(6);
    }

    /** The next {@code n} bytes as an unsigned big-endian number. */
    private long bigEndian(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 8 | buf[pos + i] & 0xFF;
        }
        pos += n;
        return v;
    }

    private byte state(int len) throws SQLException {
        for (int i = 0; i < STATE_NAMES.length; i++) {
            byte[] name = STATE_NAMES[i];
            if (Arrays.equals(buf, pos, pos + len, name, 0, name.length)) {
                pos += len;
                return (byte) STATES[i].ordinal();
            }
        }
        throw new SQLException("COPY of leases: unknown state " + new String(buf, pos, len, StandardCharsets.UTF_8));
    }

    private byte[] unhex(int at, int len) throws SQLException {
        if ((len & 1) != 0 || len / 2 > 255) {
            throw new SQLException("COPY of leases: a client-id of " + len + " hex digits");
        }
        byte[] out = new byte[len / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (digit(buf[at + 2 * i]) << 4 | digit(buf[at + 2 * i + 1]));
        }
        return out;
    }

    private static int digit(byte c) throws SQLException {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        throw new SQLException("COPY of leases: client-id is not lower-case hex");
    }

    private long int64(int len) throws SQLException {
        if (len != 8) {
            throw new SQLException("COPY of leases: an 8-byte column of " + len + " bytes");
        }
        return bigEndian(8);
    }

    private int int32() {
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | buf[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    private void skip(int n) throws SQLException {
        need(n);
        pos += n;
    }

    /** Makes sure {@code n} bytes from {@code pos} are in {@code buf}, reading messages as needed. */
    private void need(int n) throws SQLException {
        while (limit - pos < n) {
            byte[] next = copy.readFromCopy();
            if (next == null) {
                throw new SQLException("COPY of leases ended in the middle of a row");
            }
            if (pos == limit) {
                buf = next; // the usual case: a row a message, the last one used up
                pos = 0;
                limit = next.length;
            } else {
                byte[] joined = new byte[limit - pos + next.length];
                System.arraycopy(buf, pos, joined, 0, limit - pos);
                System.arraycopy(next, 0, joined, limit - pos, next.length);
                buf = joined;
                pos = 0;
                limit = joined.length;
            }
        }
    }
}
