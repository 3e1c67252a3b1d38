package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** History in table {@code history}; lease and MAC events are added by triggers, others here. */
final class PgHistoryStore implements HistoryStore {
    private final Db db;

    PgHistoryStore(Db db) {
        this.db = db;
    }

    @Override
    public void append(HistoryEvent e) {
        Objects.requireNonNull(e, "event");
        Objects.requireNonNull(e.at(), "at");
        Objects.requireNonNull(e.action(), "action");
        db.transaction("history append", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO history (at, network, ip, mac, holder, action) VALUES (?, ?, ?::inet, ?::macaddr, ?, ?)")) {
                ps.setObject(1, LeaseRows.timestamp(e.at()));
                ps.setString(2, e.network());
                ps.setString(3, e.ip() == null ? null : e.ip().toString());
                ps.setString(4, e.mac() == null ? null : e.mac().toString());
                ps.setString(5, e.holder());
                ps.setString(6, e.action());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<HistoryEvent> query(Ipv4Address ip, MacAddress mac, String holderContains, Instant from, Instant to, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return db.read("history query", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT at, network, host(ip), mac::text, holder, action FROM history
                    WHERE (?::inet IS NULL OR ip = ?::inet)
                      AND (?::macaddr IS NULL OR mac = ?::macaddr)
                      AND (?::text IS NULL OR strpos(holder, ?::text) > 0)
                      AND (?::timestamptz IS NULL OR at >= ?::timestamptz)
                      AND (?::timestamptz IS NULL OR at < ?::timestamptz)
                    ORDER BY at, id LIMIT ?""")) {
                String ipText = ip == null ? null : ip.toString();
                String macText = mac == null ? null : mac.toString();
                ps.setString(1, ipText);
                ps.setString(2, ipText);
                ps.setString(3, macText);
                ps.setString(4, macText);
                ps.setString(5, holderContains);
                ps.setString(6, holderContains);
                ps.setObject(7, LeaseRows.timestamp(from));
                ps.setObject(8, LeaseRows.timestamp(from));
                ps.setObject(9, LeaseRows.timestamp(to));
                ps.setObject(10, LeaseRows.timestamp(to));
                ps.setInt(11, limit);
                List<HistoryEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String ipS = rs.getString(3);
                        String macS = rs.getString(4);
                        out.add(new HistoryEvent(LeaseRows.instant(rs, 1), rs.getString(2),
                                ipS == null ? null : Ipv4Address.parse(ipS), macS == null ? null : MacAddress.parse(macS),
                                rs.getString(5), rs.getString(6)));
                    }
                }
                return out;
            }
        });
    }
}
