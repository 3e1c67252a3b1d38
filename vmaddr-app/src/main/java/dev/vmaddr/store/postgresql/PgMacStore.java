package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.MacStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * MACs, straight to and from table {@code macs} (MAC allocations are rare next to lease writes). The
 * claim is one conditional upsert, so two servers cannot both claim one MAC. History rows come from
 * trigger {@code macs_history} in the same transaction.
 */
final class PgMacStore implements MacStore {
    private static final String UPSERT = """
            INSERT INTO macs AS m (mac, state, owner, until, updated_at, actor) VALUES (?::macaddr, ?, ?, ?, ?, ?)
            ON CONFLICT (mac) DO UPDATE SET state = excluded.state, owner = excluded.owner,
                until = excluded.until, updated_at = excluded.updated_at, actor = excluded.actor
            """;
    private static final String CLAIM = UPSERT + """
            WHERE (m.state = 'quarantined' AND m.until <= ?) OR m.owner = excluded.owner
            RETURNING 1
            """;
    private static final String COLUMNS = "mac::text, state, owner, until, updated_at";

    private final Db db;

    PgMacStore(Db db) {
        this.db = db;
    }

    @Override
    public boolean claim(MacRecord record, Instant now) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(now, "now");
        return db.transaction("mac claim", c -> {
            try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                bind(ps, record);
                ps.setObject(7, LeaseRows.timestamp(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void put(MacRecord record) {
        Objects.requireNonNull(record, "record");
        db.transaction("mac put", c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                bind(ps, record);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean remove(MacAddress mac) {
        return db.transaction("mac remove", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM macs WHERE mac = ?::macaddr")) {
                ps.setString(1, mac.toString());
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<MacRecord> get(MacAddress mac) {
        return db.read("mac get", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM macs WHERE mac = ?::macaddr")) {
                ps.setString(1, mac.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<MacRecord> list() {
        return db.read("mac list", c -> {
            List<MacRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM macs ORDER BY mac");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    private static void bind(PreparedStatement ps, MacRecord r) throws SQLException {
        ps.setString(1, r.mac().toString());
        ps.setString(2, r.state().name().toLowerCase(Locale.ROOT));
        ps.setString(3, r.owner());
        ps.setObject(4, LeaseRows.timestamp(r.until()));
        ps.setObject(5, LeaseRows.timestamp(r.updatedAt()));
        ps.setString(6, HistoryActor.current()); // the trigger copies it into the history event
    }

    private static MacRecord read(ResultSet rs) throws SQLException {
        return new MacRecord(MacAddress.parse(rs.getString(1)), MacState.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)),
                rs.getString(3), LeaseRows.instant(rs, 4), LeaseRows.instant(rs, 5));
    }
}
