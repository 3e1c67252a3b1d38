package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.Octets;
import dev.vmaddr.dhcp.server.EngineClientPolicy;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.ClientAccess;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.NetworkSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

import static dev.vmaddr.dhcp.codec.DhcpMessageType.*;
import static dev.vmaddr.dhcp.protocol.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PRODUCT.md "Known clients only" and the new-client guard, through the protocol with the real
 * engine and {@link EngineClientPolicy} (issue 23, DHCP side).
 */
class KnownClientsTest {
    private static final MacAddress STRANGER = MacAddress.parse("02:18:ee:00:00:01");
    private static final MacAddress CNI_MAC = MacAddress.parse("02:18:cc:00:00:01");
    private final Fixture f = new Fixture();

    private DhcpProtocol protocol(NewClientGuard.Limits limits) {
        return new DhcpProtocol(f.leases, DhcpServerSettings.DEFAULTS, ConflictProbe.NONE, f.events, f.clock,
                new EngineClientPolicy(f.engine), new NewClientGuard(limits, DhcpServerSettings.DEFAULTS.offerHold(), f.clock));
    }

    private void knownOnly() {
        NetworkSpec known = f.lan0.toBuilder().clients(ClientAccess.KNOWN).build();
        f.engine.putNetwork(known);
    }

    private boolean offered(DhcpProtocol p, MacAddress mac) throws Exception {
        return overTheWire(p, request(DISCOVER, mac, h -> { }, o -> { }), ON_LAN0).isPresent();
    }

    @Test
    void knownNetworkAnswersReservationsAndLeaseHoldersOnly() throws Exception {
        knownOnly();
        DhcpProtocol p = protocol(NewClientGuard.Limits.NONE);
        assertThat(offered(p, STRANGER)).isFalse();
        assertThat(overTheWire(p, request(REQUEST, STRANGER, h -> { }, o -> o.requestedIp(ip("198.18.0.100"))), ON_LAN0))
                .as("no NAK either: a stranger gets nothing").isEmpty();
        assertThat(overTheWire(p, request(INFORM, STRANGER, h -> h.ciaddr(ip("198.18.0.9")), o -> { }), ON_LAN0)).isEmpty();
        assertThat(f.events.count("dropped.UNKNOWN_CLIENT")).isEqualTo(3);

        Reply r = overTheWire(p, request(DISCOVER, RESERVED_MAC, h -> { }, o -> { }), ON_LAN0).orElseThrow();
        assertThat(r.message().yiaddr()).isEqualTo(ip("198.18.0.50"));
        // the reservation is by MAC: the same machine sending client-id 01+MAC (udhcpc) is known too
        assertThat(overTheWire(p, request(DISCOVER, RESERVED_MAC, h -> { },
                o -> o.clientId(Octets.of(ClientId.ofHardware(RESERVED_MAC).toBytes()))), ON_LAN0)).isPresent();

        // a CNI/API holder: a bound lease under a client-id of its own, asked for over DHCP by its MAC
        f.engine.allocate("lan0", new AllocationRequest(CNI_MAC, ClientId.parse("ff00aa"), null, null, Duration.ofHours(1)));
        assertThat(offered(p, CNI_MAC)).isTrue();
        // an API allocation by MAC
        f.engine.allocate("lan0", new AllocationRequest(STRANGER, null, null, null, Duration.ofHours(1)));
        assertThat(offered(p, STRANGER)).as("known once vmaddr holds a lease for it").isTrue();
        assertThat(f.events.count("dropped.UNKNOWN_CLIENT")).isEqualTo(3);
    }

    @Test
    void anyNetworkAnswersStrangers() throws Exception {
        assertThat(offered(protocol(NewClientGuard.Limits.NONE), STRANGER)).isTrue();
    }

    /** Strangers beyond the rate are dropped with their reason; known clients still get their offers. */
    @Test
    void floodOfStrangersDoesNotStarveKnownClients() throws Exception {
        DhcpProtocol p = protocol(new NewClientGuard.Limits(1, 2, 3));
        int served = 0;
        for (int i = 0; i < 50; i++) {
            if (offered(p, new MacAddress(0x02_18_ee_00_10_00L + i))) {
                served++;
            }
        }
        assertThat(served).isEqualTo(2); // the burst; the pool of lan0 has 4 addresses, so 2 are left
        assertThat(f.events.count("dropped.NEW_CLIENT_RATE")).isEqualTo(48);
        Reply r = overTheWire(p, request(DISCOVER, RESERVED_MAC, h -> { }, o -> { }), ON_LAN0).orElseThrow();
        assertThat(r.message().yiaddr()).isEqualTo(ip("198.18.0.50"));
        // and one holding a lease from before (bound earlier, the flood came later)
        f.engine.allocate("lan0", new AllocationRequest(MAC, null, null, null, Duration.ofHours(1)));
        assertThat(offered(p, MAC)).isTrue();
        f.clock.advance(Duration.ofSeconds(1));
        assertThat(offered(p, STRANGER)).as("one token a second, then the offers cap").isTrue();
        f.clock.advance(Duration.ofSeconds(1));
        assertThat(offered(p, CNI_MAC)).isFalse();
        assertThat(f.events.count("dropped.OFFERS_IN_FLIGHT")).isEqualTo(1);
    }

    @Test
    void aBoundClientFreesItsOfferSlot() throws Exception {
        DhcpProtocol p = protocol(new NewClientGuard.Limits(0, 0, 1));
        Reply offer = overTheWire(p, request(DISCOVER, STRANGER, h -> { }, o -> { }), ON_LAN0).orElseThrow();
        assertThat(offered(p, CNI_MAC)).isFalse();
        Reply ack = overTheWire(p, request(REQUEST, STRANGER, h -> { },
                o -> o.serverId(SERVER).requestedIp(offer.message().yiaddr())), ON_LAN0).orElseThrow();
        assertThat(ack.type()).isEqualTo(ACK);
        assertThat(offered(p, CNI_MAC)).isTrue();
    }
}
