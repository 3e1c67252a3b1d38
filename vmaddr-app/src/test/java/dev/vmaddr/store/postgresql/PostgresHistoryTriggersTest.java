package dev.vmaddr.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.postgresql.LeaseCommitter.Pending;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Migration V7 (issue 24): the history of new leases is written by a statement-level trigger over a
 * transition table, that of changed ones by a row trigger whose WHEN clause skips renewals, instead of
 * a PL/pgSQL call per row and a single-row INSERT per event. Checked against the row-level trigger of
 * V1/V5 itself: two databases, one migrated to V6 (row trigger) and one to the latest schema, get
 * the same random statements — the committer's multi-row conditional upsert ({@link LeaseSql#PUT_SQL},
 * bound by {@link LeaseUpsert} as the committer binds it) with inserts, renewals, state and holder changes, offers and refused rows mixed in one statement;
 * bulk transactions of several such statements; multi-row UPDATEs and DELETEs — and must end with the
 * same lease rows and the same history, event for event, in the same order per address.
 */
@ExtendWith(PostgresExtension.class)
class PostgresHistoryTriggersTest {
    private static final long T0_MICROS = 1_796_000_000_000_000L; // 2026-12-01
    private static final String[] STATES = {"offered", "bound", "released", "expired", "declined"};
    private static final int ADDRESSES = 48;
    private static final long BASE_IP = 0xC612_0000L; // 198.18.0.0

    @Test
    void historyOfV7EqualsTheRowTriggersHistory(PostgresDatabase db) throws Exception {
        String oldUrl = db.cluster().createDatabase("history_v6");
        Flyway.configure().dataSource(oldUrl, db.user(), db.password()).locations("classpath:db/migration")
                .target("6").load().migrate();
        Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration")
                .load().migrate();
        Random random = new Random(24);
        int failedAlike = 0;
        try (Connection rowTrigger = DriverManager.getConnection(oldUrl, db.user(), db.password());
             Connection statementTrigger = db.connect()) {
            assertThat(triggers(statementTrigger)).containsExactlyInAnyOrder(
                    "leases_history_inserted", "leases_history_changed", "leases_removed");
            for (int round = 0; round < 400; round++) {
                long now = T0_MICROS + round * 60_000_000L;
                int kind = random.nextInt(10);
                List<Step> statements = new ArrayList<>();
                if (kind < 7) {
                    statements.add(put(random, now));
                } else if (kind == 7) { // a bulk put: several statements, one transaction
                    for (int i = 0; i < 3; i++) {
                        statements.add(put(random, now + i));
                    }
                } else if (kind == 8) { // expiry of run-out bound leases, many rows at once
                    statements.add(plain("UPDATE leases SET state = 'expired', updated_at = " + LeaseRows.fromMicros("?::int8")
                            + ", seq = nextval('change_seq'), txid = pg_current_xact_id() WHERE state = 'bound' AND expires_at <= "
                            + LeaseRows.fromMicros("?::int8"), now, now));
                } else {
                    statements.add(plain("DELETE FROM leases WHERE ip = ANY (SELECT " + LeaseRows.fromValue("v")
                            + " FROM unnest(?::int8[]) v)",
                            (Object) new long[] {BASE_IP + random.nextInt(ADDRESSES), BASE_IP + random.nextInt(ADDRESSES)}));
                }
                String a = run(rowTrigger, statements);
                String b = run(statementTrigger, statements);
                assertThat(b).as("round %d: outcome with the statement triggers", round).isEqualTo(a);
                if (a != null) {
                    failedAlike++;
                }
            }
            List<String> leasesBefore = rows(rowTrigger, "SELECT network, host(ip), mac::text, client_id, state, expires_at, "
                    + "updated_at, actor FROM leases ORDER BY network, ip");
            assertThat(rows(statementTrigger, "SELECT network, host(ip), mac::text, client_id, state, expires_at, "
                    + "updated_at, actor FROM leases ORDER BY network, ip")).isEqualTo(leasesBefore);
            String history = "SELECT at, network, host(ip), mac::text, holder, action, actor FROM history ORDER BY ip, id";
            List<String> expected = rows(rowTrigger, history);
            assertThat(expected).as("the random statements made history").hasSizeGreaterThan(300);
            assertThat(rows(statementTrigger, history)).isEqualTo(expected);
        }
        assertThat(failedAlike).as("statements refused by a unique index, alike in both").isLessThan(200);
    }

    /**
     * One PUT_SQL batch, bound as the committer binds it ({@link LeaseUpsert}): distinct addresses in
     * order, random holders, states and times around {@code now}.
     */
    private static Step put(Random random, long now) {
        Set<Integer> picked = new LinkedHashSet<>();
        int n = 1 + random.nextInt(20);
        while (picked.size() < n) {
            picked.add(random.nextInt(ADDRESSES));
        }
        Instant written = LeaseRows.ofMicros(now);
        List<Pending> rows = new ArrayList<>(n);
        for (int a : picked.stream().sorted().toList()) {
            int m = random.nextInt(4) == 0 ? random.nextInt(ADDRESSES) : a; // now and then another holder
            MacAddress mac = MacAddress.parse("02:00:00:00:00:%02x".formatted(m));
            ClientId clientId = random.nextInt(3) == 0 ? new ClientId("01%02x".formatted(m)) : null;
            String hostname = random.nextBoolean() ? "vm" + m : null;
            LeaseState state = LeaseState.fromWireName(STATES[random.nextInt(STATES.length)]);
            Instant expiresAt = LeaseRows.ofMicros(now + (random.nextInt(5) - 1) * 120_000_000L);
            String actor = random.nextBoolean() ? "dhcp" : "api:ops";
            Lease lease = new Lease("lan", LeaseRows.address(BASE_IP + a), mac, clientId, hostname, state, expiresAt, written);
            rows.add(new Pending(lease, written, null, 0, actor));
        }
        return c -> LeaseUpsert.prepare(c, 1, rows);
    }

    /** A statement with plain parameters. */
    private static Step plain(String sql, Object... params) {
        return c -> {
            PreparedStatement ps = c.prepareStatement(sql);
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps;
        };
    }

    /** One statement of a round, prepared with its parameters bound on the connection it runs on. */
    private interface Step {
        PreparedStatement prepare(Connection c) throws SQLException;
    }

    /** Runs the statements in one transaction; returns null, or the SQL state of the failure (rolled back). */
    private static String run(Connection c, List<Step> statements) throws SQLException {
        c.setAutoCommit(false);
        try {
            for (Step s : statements) {
                try (PreparedStatement ps = s.prepare(c)) {
                    ps.execute();
                }
            }
            c.commit();
            return null;
        } catch (SQLException e) {
            c.rollback();
            return e.getSQLState();
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    private static List<String> triggers(Connection c) throws SQLException {
        return rows(c, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'leases'::regclass AND NOT tgisinternal")
                .stream().map(r -> r.substring(0, r.length() - 1)).toList();
    }
}
