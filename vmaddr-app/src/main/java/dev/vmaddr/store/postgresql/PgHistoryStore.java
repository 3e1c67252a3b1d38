package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryCursor;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryPage;
import dev.vmaddr.store.HistoryQuery;
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
                    "INSERT INTO history (at, network, ip, mac, holder, action, actor, detail)"
                            + " VALUES (?, ?, ?::inet, ?::macaddr, ?, ?, ?, ?)")) {
                ps.setObject(1, LeaseRows.timestamp(e.at()));
                ps.setString(2, e.network());
                ps.setString(3, e.ip() == null ? null : e.ip().toString());
                ps.setString(4, e.mac() == null ? null : e.mac().toString());
                ps.setString(5, e.holder());
                ps.setString(6, e.action());
                ps.setString(7, e.actor());
                ps.setString(8, e.detail());
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
                    SELECT at, network, host(ip), mac::text, holder, action, actor, detail FROM history
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
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Only the criteria given become SQL, so the planner sees {@code ip = $1} (not {@code $1 IS NULL
     * OR ...}) and walks index {@code history_ip_at_id} (mac, vm alike) backwards from the cursor:
     * the cost is the page, not the key's whole history (V3 migration).
     */
    @Override
    public HistoryPage page(HistoryQuery q) {
        Objects.requireNonNull(q, "query");
        StringBuilder sql = new StringBuilder(
                "SELECT at, network, host(ip), mac::text, holder, action, actor, detail, id FROM history WHERE true");
        List<Object> args = new ArrayList<>();
        if (q.ip() != null) {
            sql.append(" AND ip = ?::inet");
            args.add(q.ip().toString());
        }
        if (q.mac() != null) {
            sql.append(" AND mac = ?::macaddr");
            args.add(q.mac().toString());
        }
        if (q.vm() != null) {
            sql.append(" AND vm = ?");
            args.add(q.vm());
        }
        if (q.since() != null) {
            sql.append(" AND at >= ?");
            args.add(LeaseRows.timestamp(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND at < ?");
            args.add(LeaseRows.timestamp(q.until()));
        }
        if (q.after() != null) {
            sql.append(" AND (at, id) < (?, ?)");
            args.add(LeaseRows.timestamp(q.after().at()));
            args.add(q.after().seq());
        }
        sql.append(" ORDER BY at DESC, id DESC LIMIT ?");
        args.add(q.limit() + 1);
        return db.read("history page", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<HistoryEvent> out = new ArrayList<>();
                HistoryCursor next = null;
                long lastId = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (out.size() == q.limit()) {
                            HistoryEvent last = out.getLast();
                            next = new HistoryCursor(last.at(), lastId);
                            break;
                        }
                        String ipS = rs.getString(3);
                        String macS = rs.getString(4);
                        out.add(new HistoryEvent(LeaseRows.instant(rs, 1), rs.getString(2),
                                ipS == null ? null : Ipv4Address.parse(ipS), macS == null ? null : MacAddress.parse(macS),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                        lastId = rs.getLong(9);
                    }
                }
                return new HistoryPage(out, next);
            }
        });
    }

    /** Deletes in rounds of {@value #PRUNE_ROUND} rows (oldest first), so no transaction holds many row locks for long. */
    @Override
    public long prune(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        long total = 0;
        while (true) {
            int n = db.transaction("history prune", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM history WHERE id IN (SELECT id FROM history WHERE at < ? ORDER BY at, id LIMIT ?)")) {
                    ps.setObject(1, LeaseRows.timestamp(cutoff));
                    ps.setInt(2, PRUNE_ROUND);
                    return ps.executeUpdate();
                }
            });
            total += n;
            if (n < PRUNE_ROUND) {
                return total;
            }
        }
    }

    private static final int PRUNE_ROUND = 10_000;
}
