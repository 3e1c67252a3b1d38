package dev.vmaddr.dhcp6.server;

import static dev.vmaddr.dhcp6.codec.Dhcp6Codes.*;
import static dev.vmaddr.dhcp6.protocol.Dhcp6Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.MemoryPacket6Transport;
import dev.vmaddr.dhcp6.codec.Dhcp6Codec;
import dev.vmaddr.dhcp6.protocol.Dhcp6Fixture;
import dev.vmaddr.dhcp6.protocol.Dhcp6Protocol;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.ra.Links;
import dev.vmaddr.ra.ServedNetworks;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dhcp6Server over the in-memory transport: where answers go, what is joined, what is counted. */
class Dhcp6ServerTest {
    @Test
    void answersClientsOnTheirLinkAndRelaysOnTheServerPortAndCountsGarbage() throws Exception {
        Dhcp6Fixture f = new Dhcp6Fixture(new SplittableRandom(5));
        NetworkSpec lan0 = LAN0.toBuilder().bridge("br0").build();
        Dhcp6EventLog events = new Dhcp6EventLog();
        MemoryPacket6Transport t = new MemoryPacket6Transport();
        Links links = name -> name.equals("br0") ? Optional.of(new Links.Link("br0", 7, null, null)) : Optional.empty();
        Dhcp6Server server = new Dhcp6Server(t, new Dhcp6Protocol(f.ops, SERVER, events), List.of("br0"),
                new ServedNetworks(() -> List.of(lan0)), links, f.clock, 16);
        server.start();
        try {
            assertThat(t.joined).containsExactly(new MemoryPacket6Transport.Joined(7, Ipv6Address.parse("ff02::1:2")));
            assertThat(server.ready()).isTrue();
            Ipv6Address client = Ipv6Address.parse("fe80::18:ff:fe00:1");
            t.inject(new Datagram6(7, client, 546, Ipv6Address.parse("ff02::1:2"), message(SOLICIT, clientDuid(1), false, iaNa(1))));
            assertThat(t.awaitSent(1, 5000)).isTrue();
            MemoryPacket6Transport.Sent adv = t.sent.getFirst();
            assertThat(adv.ifIndex()).isEqualTo(7);
            assertThat(adv.destination()).isEqualTo(client);
            assertThat(adv.port()).isEqualTo(546);
            assertThat(Dhcp6Codec.decode(adv.data()).type()).isEqualTo(ADVERTISE);

            Ipv6Address relay = Ipv6Address.parse("2001:db8:0:ff::2");
            t.inject(new Datagram6(7, relay, 547, Ipv6Address.parse("2001:db8:0:ff::1"),
                    relayForw("2001:db8:0:1::1", message(SOLICIT, clientDuid(2), false, iaNa(1)), new byte[] {1})));
            assertThat(t.awaitSent(2, 5000)).isTrue();
            MemoryPacket6Transport.Sent repl = t.sent.get(1);
            assertThat(repl.destination()).isEqualTo(relay);
            assertThat(repl.port()).isEqualTo(547);
            assertThat(repl.ifIndex()).isZero(); // a global relay address: routing decides
            assertThat(Dhcp6Codec.decode(repl.data()).type()).isEqualTo(RELAY_REPL);

            // Garbage and an unserved interface get nothing; garbage is counted.
            t.inject(new Datagram6(7, client, 546, Ipv6Address.parse("ff02::1:2"), new byte[] {1, 2}));
            t.inject(new Datagram6(9, client, 546, Ipv6Address.parse("ff02::1:2"), message(SOLICIT, clientDuid(3), false, iaNa(1))));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((events.malformedCount() < 1 || events.droppedCount() < 1) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(events.malformedCount()).isEqualTo(1);
            assertThat(events.droppedCount()).isEqualTo(1);
            assertThat(t.sent).hasSize(2);
        } finally {
            server.stop();
        }
    }
}
