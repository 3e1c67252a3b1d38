package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationException.Reason;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The DHCP path's engine on a shared PostgreSQL store that defers durability (issue 24): server A's
 * engine grants an address that server B bound moments before (A has not polled), as it must not wait
 * for the database; the database refuses the row, so that request is not durable (no ACK), and A's
 * next request for the address is refused at once (NAK) while its client gets another address,
 * durable. The database never has the address twice.
 */
@ExtendWith(PostgresExtension.class)
class AllocationEnginePostgresDeferredTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");

    record Deferred<T>(T value, CompletableFuture<Boolean> durable) {}

    static <T> Deferred<T> deferred(Supplier<T> body) {
        DeferredDurability scope = new DeferredDurability();
        T value = scope.run(body);
        CompletableFuture<Boolean> durable = new CompletableFuture<>();
        scope.whenDurable(durable::complete);
        return new Deferred<>(value, durable);
    }

    @Test
    void aGrantAnotherServerBeatIsNotAcknowledgedAndTheClientGetsAnotherAddress(PostgresDatabase db) throws Exception {
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        PostgresStore.Options rarePolls = PostgresStore.Options.defaults().withPollInterval(Duration.ofHours(1));
        try (PostgresStore a = PostgresStore.open(db.url(), db.user(), db.password(), clock, rarePolls);
             PostgresStore b = PostgresStore.open(db.url(), db.user(), db.password(), clock, rarePolls)) {
            AllocationEngine ea = new AllocationEngine(a, clock, new Random(1));
            AllocationEngine eb = new AllocationEngine(b, clock, new Random(2));
            NetworkSpec spec = NetworkSpec.builder("lab", Ipv4Prefix.parse("198.18.0.0/24"))
                    .gateway(Ipv4Address.parse("198.18.0.1")).leaseTime(Duration.ofHours(1))
                    .pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.103"))).build();
            ea.putNetwork(spec);
            eb.syncNetworks();
            Ipv4Address x = Ipv4Address.parse("198.18.0.100");
            Lease bs = eb.bind("lab", AllocationRequest.of(B), x); // B's server, waiting for its commit

            Deferred<Lease> lost = deferred(() -> ea.bind("lab", AllocationRequest.of(A), x));
            assertThat(lost.value().ip()).isEqualTo(x); // A's engine could not know: it granted
            assertThat(lost.durable().get(30, TimeUnit.SECONDS)).as("ACK of a row the database refused").isFalse();

            // the client's retransmitted REQUEST: refused at once (NAK), nothing queued
            assertThatThrownBy(() -> deferred(() -> ea.bind("lab", AllocationRequest.of(A), x)))
                    .isInstanceOf(AllocationException.class).extracting("reason").isEqualTo(Reason.ADDRESS_TAKEN);
            // its next DISCOVER/REQUEST round: another address, acknowledged
            Deferred<Lease> other = deferred(() -> ea.allocate("lab", AllocationRequest.of(A)));
            assertThat(other.value().ip()).isNotEqualTo(x);
            assertThat(other.durable().get(30, TimeUnit.SECONDS)).isTrue();

            assertThat(macAt(db, x)).isEqualTo(bs.mac().toString());
            assertThat(macAt(db, other.value().ip())).isEqualTo(A.toString());
            assertThat(ea.lease("lab", x)).map(Lease::mac).contains(B);
        }
    }

    private static String macAt(PostgresDatabase db, Ipv4Address ip) throws Exception {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT mac::text FROM leases WHERE network = 'lab' AND ip = ?::inet")) {
            ps.setString(1, ip.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
