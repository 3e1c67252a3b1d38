package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.server.EngineLeaseOperations;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.vmaddr.dhcp.codec.DhcpMessageType.*;
import static dev.vmaddr.dhcp.protocol.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client was ACKed survives a restart of the server: DORA through codec, protocol and engine
 * into the real embedded store, then the store and the engine are closed and opened again from the data
 * directory (nothing carried over in memory) before the client renews.
 */
class DhcpDurabilityTest {
    @TempDir
    Path dataDir;

    /** One server lifetime: the store opened from {@code dataDir}, an engine rebuilt from it, the protocol on top. */
    private final class Server implements AutoCloseable {
        final EmbeddedStore store;
        final AllocationEngine engine;
        final DhcpProtocol protocol;
        final CountingDhcpEvents events = new CountingDhcpEvents();

        Server() {
            store = EmbeddedStore.open(dataDir, f.clock, EmbeddedStore.Options.defaults());
            // lowest free first: were the bound address forgotten, a stranger's DISCOVER would get it again
            engine = new AllocationEngine(store, f.clock, LOWEST_FREE_FIRST);
            protocol = new DhcpProtocol(new EngineLeaseOperations(engine), DhcpServerSettings.DEFAULTS, ConflictProbe.NONE,
                    events, f.clock);
        }

        Reply handle(dev.vmaddr.dhcp.codec.DhcpMessage m, ReceiveContext ctx) throws Exception {
            return overTheWire(protocol, m, ctx).orElseThrow();
        }

        Lease leaseOfClient() {
            return engine.leaseOf("lan0", HolderKey.of(null, MAC)).orElseThrow();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** Only for its network specs and its clock; its memory store is not used here. */
    private final Fixture f = new Fixture();

    @Test
    void ackedLeaseSurvivesRestartAndRenewsToTheSameAddress() throws Exception {
        Ipv4Address ip;
        Instant firstExpiry;
        try (Server first = new Server()) {
            first.engine.putNetwork(f.lan0);
            Reply offer = first.handle(request(DISCOVER, o -> { }), ON_LAN0);
            assertThat(offer.type()).isEqualTo(OFFER);
            ip = offer.message().yiaddr();
            Reply ack = first.handle(request(REQUEST, o -> o.serverId(SERVER).requestedIp(ip)), ON_LAN0);
            assertThat(ack.type()).isEqualTo(ACK);
            assertThat(ack.message().yiaddr()).isEqualTo(ip);
            firstExpiry = first.leaseOfClient().expiresAt();
            assertThat(firstExpiry).isEqualTo(f.clock.instant().plus(Duration.ofSeconds(120)));
        }

        f.clock.advance(Duration.ofSeconds(60)); // T1: the client renews (unicast, ciaddr set)
        Instant renewedAt = f.clock.instant();
        try (Server second = new Server()) {
            assertThat(second.engine.network("lan0")).as("the network came back from the store").isPresent();
            Lease before = second.leaseOfClient();
            assertThat(before.ip()).isEqualTo(ip);
            assertThat(before.state()).isEqualTo(LeaseState.BOUND);
            assertThat(before.expiresAt()).isEqualTo(firstExpiry);

            Reply stranger = second.handle(request(DISCOVER, MacAddress.parse("02:00:00:00:00:93"), h -> { }, o -> { }), ON_LAN0);
            assertThat(stranger.message().yiaddr()).as("the bound address is not offered to another client").isNotEqualTo(ip);

            ReceiveContext unicast = ReceiveContext.unicastOn("br-lan0", SERVER, ip);
            Reply renew = second.handle(request(REQUEST, MAC, h -> h.ciaddr(ip), o -> { }), unicast);
            assertThat(renew.type()).isEqualTo(ACK);
            assertThat(renew.message().yiaddr()).isEqualTo(ip);
            assertThat(renew.destination()).isEqualTo(ip);
            assertThat(second.events.count("lease.RENEWED")).as("renewal of a BOUND lease, not a fresh bind").isEqualTo(1);
            assertThat(second.events.count("nak")).isZero();
        }

        try (Server third = new Server()) {
            Lease renewed = third.leaseOfClient();
            assertThat(renewed.ip()).isEqualTo(ip);
            assertThat(renewed.state()).isEqualTo(LeaseState.BOUND);
            assertThat(renewed.expiresAt()).as("the renewal's new expiry is durable too")
                    .isEqualTo(renewedAt.plus(Duration.ofSeconds(120)));
        }
    }
}
