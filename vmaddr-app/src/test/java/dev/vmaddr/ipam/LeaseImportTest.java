package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of vmaddr import ({@link AllocationEngine#importLeases},
 * {@link NetworkCatalog#importReservations}): which leases are taken, which are conflicts and why,
 * that a dry run writes nothing and answers the same, that a second run is unchanged, and that an
 * imported lease is the client's at once (its renewal is granted, another client is kept off).
 */
class LeaseImportTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:01:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:01:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:01:0c");
    static final MacAddress D = MacAddress.parse("52:54:00:00:01:0d");

    final MemoryStore store = new MemoryStore();
    final MutableClock clock = new MutableClock();
    final AllocationEngine engine = new AllocationEngine(store, clock, new Random(7), Duration.ofMinutes(10));
    final NetworkCatalog catalog = new NetworkCatalog(engine, clock);

    @BeforeEach
    void network() {
        catalog.put(NetworkSpec.builder("lab", Ipv4Prefix.parse("198.18.0.0/24")).gateway(ip("198.18.0.1"))
                .leaseTime(Duration.ofHours(1)).pools(List.of(Ipv4Range.parse("198.18.0.100-198.18.0.199")))
                .exclude(List.of(Ipv4Range.parse("198.18.0.190-198.18.0.199"))).build());
    }

    Lease lease(String ip, MacAddress mac, ClientId id, Duration left) {
        return new Lease("lab", ip(ip), mac, id, "h", LeaseState.BOUND, clock.instant().plus(left), Instant.EPOCH);
    }

    @Test
    void importsLeasesWithTheirOwnExpiryAndListsEveryConflictWithItsReason() {
        engine.allocate("lab", AllocationRequest.of(D).withRequestedIp(ip("198.18.0.150")));
        engine.offer("lab", AllocationRequest.of(C).withRequestedIp(ip("198.18.0.151")), Duration.ofSeconds(30));
        engine.markConflict("lab", ip("198.18.0.152"), "ping answered");
        List<Lease> leases = List.of(
                lease("198.18.0.101", A, null, Duration.ofMinutes(50)),
                lease("198.18.0.102", B, ClientId.ofHardware(B), Duration.ofMinutes(5)),
                lease("198.18.0.150", MacAddress.parse("52:54:00:00:01:f1"), null, Duration.ofMinutes(5)),    // held by D
                lease("198.18.0.151", MacAddress.parse("52:54:00:00:01:f2"), null, Duration.ofMinutes(5)),  // offered to C
                lease("198.18.0.152", MacAddress.parse("52:54:00:00:02:01"), null, Duration.ofMinutes(5)), // quarantined
                lease("198.18.1.5", MacAddress.parse("52:54:00:00:02:02"), null, Duration.ofMinutes(5)),   // outside the CIDR
                lease("198.18.0.1", MacAddress.parse("52:54:00:00:02:03"), null, Duration.ofMinutes(5)),   // the gateway
                lease("198.18.0.195", MacAddress.parse("52:54:00:00:02:04"), null, Duration.ofMinutes(5)), // excluded
                lease("198.18.0.50", MacAddress.parse("52:54:00:00:02:05"), null, Duration.ofMinutes(5)),  // in no pool
                lease("198.18.0.103", MacAddress.parse("52:54:00:00:02:06"), null, Duration.ofSeconds(-1)), // ran out
                lease("198.18.0.104", D, null, Duration.ofMinutes(5)),                // D holds .150 in vmaddr
                lease("198.18.0.105", A, null, Duration.ofMinutes(5)));               // A twice in the import

        ImportOutcome dry = engine.importLeases("lab", leases, Map.of(), true);
        assertThat(store.leases().get("lab", ip("198.18.0.101"))).isEmpty();
        ImportOutcome real = engine.importLeases("lab", leases, Map.of(), false);
        assertThat(real).isEqualTo(dry);
        assertThat(real.imported()).isEqualTo(2);
        assertThat(real.conflicts()).extracting(c -> c.ip().toString() + " " + c.reason()).containsExactly(
                "198.18.0.150 held by mac:52:54:00:00:01:0d (mac 52:54:00:00:01:0d) in vmaddr",
                "198.18.0.151 offered to mac:52:54:00:00:01:0c in vmaddr",
                "198.18.0.152 quarantined in vmaddr until " + clock.instant().plus(Duration.ofMinutes(10)),
                "198.18.1.5 198.18.1.5 is not in network lab (198.18.0.0/24)",
                "198.18.0.1 198.18.0.1 is the network, broadcast or gateway address of lab",
                "198.18.0.195 198.18.0.195 is excluded in lab",
                "198.18.0.50 198.18.0.50 is in no pool of lab and not reserved for this client",
                "198.18.0.103 the lease ran out at " + clock.instant().minusSeconds(1),
                "198.18.0.104 mac:52:54:00:00:01:0d holds 198.18.0.150 in vmaddr",
                "198.18.0.105 mac:52:54:00:00:01:0a has another address in the import");
        Lease a = store.leases().get("lab", ip("198.18.0.101")).orElseThrow();
        assertThat(a.state()).isEqualTo(LeaseState.BOUND);
        assertThat(a.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(50)));
        assertThat(store.leases().get("lab", ip("198.18.0.102")).orElseThrow().clientId()).isEqualTo(ClientId.ofHardware(B));

        ImportOutcome again = engine.importLeases("lab", leases, Map.of(), false);
        assertThat(again.imported()).isZero();
        assertThat(again.unchanged()).isEqualTo(2);
        assertThat(again.conflicts()).hasSameSizeAs(real.conflicts());
    }

    @Test
    void anImportedLeaseIsItsClientsAtOnce() {
        engine.importLeases("lab", List.of(lease("198.18.0.120", A, null, Duration.ofMinutes(30))), Map.of(), false);
        // another client neither gets it offered nor may request it
        for (int i = 0; i < 80; i++) {
            Lease other = engine.allocate("lab", AllocationRequest.of(new MacAddress(0x020000000000L + i)));
            assertThat(other.ip()).isNotEqualTo(ip("198.18.0.120"));
        }
        // the client's renewal (DHCPREQUEST for its address) is granted, with the network's lease time
        clock.advance(Duration.ofMinutes(1));
        Lease renewed = engine.bind("lab", AllocationRequest.of(A), ip("198.18.0.120"));
        assertThat(renewed.ip()).isEqualTo(ip("198.18.0.120"));
        assertThat(renewed.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        // its discover finds it too
        assertThat(engine.offer("lab", AllocationRequest.of(A), Duration.ofSeconds(30)).ip()).isEqualTo(ip("198.18.0.120"));
    }

    @Test
    void importedLeasesRunOutLikeOthers() {
        engine.importLeases("lab", List.of(lease("198.18.0.121", A, null, Duration.ofMinutes(2))), Map.of(), false);
        clock.advance(Duration.ofMinutes(3));
        assertThat(engine.reclaimExpired()).isEqualTo(1);
        assertThat(store.leases().get("lab", ip("198.18.0.121")).orElseThrow().state()).isEqualTo(LeaseState.EXPIRED);
    }

    @Test
    void reservationsOfTheSameImportMakeALeaseOutsideThePoolsValidAlsoInADryRun() {
        Reservation r = new Reservation(A, null, ip("198.18.0.60"), "fixed");
        Reservation clash = new Reservation(B, null, ip("198.18.0.60"), null);
        Reservation outside = new Reservation(C, null, ip("198.18.1.60"), null);
        List<Lease> leases = List.of(lease("198.18.0.60", A, null, Duration.ofMinutes(5)));

        ImportOutcome dryHosts = catalog.importReservations("lab", List.of(r, clash, outside), true);
        assertThat(dryHosts.imported()).isEqualTo(1);
        assertThat(dryHosts.conflicts()).extracting(ImportOutcome.Conflict::reason)
                .containsExactly("198.18.0.60 is already reserved for mac 52:54:00:00:01:0a", "198.18.1.60 is not in network lab (198.18.0.0/24)");
        assertThat(catalog.get("lab").orElseThrow().reservations()).isEmpty();
        ImportOutcome dryLeases = engine.importLeases("lab", leases, Map.of(r.ip(), r), true);
        assertThat(dryLeases.imported()).isEqualTo(1);

        assertThat(catalog.importReservations("lab", List.of(r, clash, outside), false)).isEqualTo(dryHosts);
        assertThat(engine.importLeases("lab", leases, Map.of(r.ip(), r), false)).isEqualTo(dryLeases);
        assertThat(catalog.get("lab").orElseThrow().reservations()).containsExactly(r);
        assertThat(catalog.importReservations("lab", List.of(r), false)).isEqualTo(new ImportOutcome(0, 1, List.of()));
        // the same address for another client in the same import: refused as the real run would
        Lease other = lease("198.18.0.61", B, null, Duration.ofMinutes(5));
        Reservation forA = new Reservation(A, null, ip("198.18.0.61"), null);
        assertThat(engine.importLeases("lab", List.of(other), Map.of(forA.ip(), forA), true).conflicts())
                .extracting(ImportOutcome.Conflict::reason).containsExactly("198.18.0.61 is reserved for another client in lab");
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }
}
