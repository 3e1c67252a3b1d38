package dev.vmaddr.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.Lease6Json;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Migration V6: DHCPv6 leases written as documents (kind lease6) by a server before it move into table
 * lease6 unchanged, and the documents are gone; then the table's conditional write refuses another
 * client the address while the lease holds it, and takes it once run out.
 */
@ExtendWith(PostgresExtension.class)
class PostgresLease6MigrationTest {
    private static final Instant T0 = Instant.parse("2026-12-06T20:00:00.123456Z");

    @Test
    void lease6DocumentsMoveIntoTheTableAndItsWritesAreConditional(PostgresDatabase db) throws Exception {
        Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration")
                .target("5").load().migrate();
        Lease6 withMac = new Lease6("lan0", Ipv6Address.parse("2001:db8:0:1::100"), Duid.parse("00:03:00:01:02:18:00:00:00:01"),
                7, MacAddress.parse("02:18:00:00:00:01"), "vm1", LeaseState.BOUND, T0.plusSeconds(600), T0);
        Lease6 noMac = new Lease6("lan0", Ipv6Address.parse("2001:db8:0:1::101"), Duid.parse("00:02:00:00:00:09:00:00:00:02"),
                4294967295L, null, null, LeaseState.RELEASED, T0, T0);
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO documents (kind, key, doc) VALUES ('lease6', ?, ?)")) {
            for (Lease6 l : new Lease6[] {withMac, noMac}) {
                ps.setString(1, Lease6Json.key(l));
                ps.setString(2, Lease6Json.write(l));
                ps.executeUpdate();
            }
        }
        try (PostgresStore store = PostgresStore.open(db.url(), db.user(), db.password(), Clock.fixed(T0, ZoneOffset.UTC),
                PostgresStore.Options.defaults())) {
            assertThat(store.leases6().list()).containsExactlyInAnyOrder(withMac, noMac);
            assertThat(store.documents().list(Lease6Json.KIND)).isEmpty();

            Lease6 other = new Lease6("lan0", withMac.ip(), Duid.parse("00:03:00:01:02:18:00:00:00:09"), 1, null, null,
                    LeaseState.BOUND, T0.plusSeconds(1200), T0.plusSeconds(10));
            assertThat(store.leases6().putUnlessHeld(other, T0.plusSeconds(10))).contains(withMac);
            // The holder itself may write (renew); expiry of a lease not yet run out is refused.
            assertThat(store.leases6().expireIfRunOut(withMac.withState(LeaseState.EXPIRED, withMac.expiresAt(), T0.plusSeconds(10)),
                    T0.plusSeconds(10))).contains(withMac);
            Instant after = T0.plusSeconds(601);
            Lease6 expired = withMac.withState(LeaseState.EXPIRED, withMac.expiresAt(), after);
            assertThat(store.leases6().expireIfRunOut(expired, after)).isEmpty();
            Lease6 taken = new Lease6("lan0", withMac.ip(), other.duid(), 1, null, null, LeaseState.BOUND,
                    after.plusSeconds(600), after);
            assertThat(store.leases6().putUnlessHeld(taken, after)).isEqualTo(Optional.empty());
            assertThat(store.leases6().list()).contains(taken, noMac).hasSize(2);
        }
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM lease6 WHERE origin = 0")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the migrated release, read by every server").isEqualTo(1);
        }
    }
}
