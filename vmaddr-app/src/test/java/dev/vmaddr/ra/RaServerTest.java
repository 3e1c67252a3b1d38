package dev.vmaddr.ra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.transport.Datagram6;
import dev.vmaddr.dhcp.transport.InMemoryPacket6Transport;
import dev.vmaddr.model.NetworkSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RaServer over the in-memory transport: joins, initial advertisements, solicited ones, unserved links. */
class RaServerTest {
    private static final NetworkSpec LAN = NetworkSpec.builder("lan0", Ipv4Prefix.parse("198.18.0.0/24"))
            .bridge("br0").ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64")).build();
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Map<String, Links.Link> HOST = Map.of(
            "br0", new Links.Link("br0", 7, MacAddress.parse("02:00:00:00:00:07"), null),
            "br1", new Links.Link("br1", 8, null, Ipv4Address.parse("198.18.9.1")));

    @Test
    void advertisesOnServedLinksOnlyAndAnswersSolicitations() throws Exception {
        InMemoryPacket6Transport t = new InMemoryPacket6Transport();
        Links links = name -> Optional.ofNullable(HOST.get(name));
        RaServer ra = new RaServer(t, List.of("br0", "br1", "absent0"), new ServedNetworks(() -> List.of(LAN)), links,
                Clock.systemUTC(), new SplittableRandom(3));
        ra.start();
        try {
            // br1 serves no IPv6 network, absent0 does not exist: only br0 advertises, to all-nodes.
            InMemoryPacket6Transport.Sent first = t.awaitSent(WAIT);
            assertThat(first).isNotNull();
            assertThat(first.ifIndex()).isEqualTo(7);
            assertThat(first.destination()).isEqualTo(Ipv6Address.parse("ff02::1"));
            RouterAdvertisement decoded = RaCodec.decode(first.data());
            assertThat(decoded.prefix()).isEqualTo(LAN.ipv6Prefix());
            assertThat(decoded.sourceMac()).isEqualTo(MacAddress.parse("02:00:00:00:00:07"));
            // each link joins as the server reaches it; br0's first RA may leave before br1 is joined
            assertThat(t.awaitJoined(List.of(new InMemoryPacket6Transport.Joined(7, Ipv6Address.parse("ff02::2")),
                    new InMemoryPacket6Transport.Joined(8, Ipv6Address.parse("ff02::2"))), WAIT)).as("joined %s", t.joined()).isTrue();
            // absent0 does not exist: not ready, whatever the others do.
            assertThat(ra.ready()).isFalse();

            // A solicitation on br0: one more RA within MIN_DELAY_BETWEEN_RAS + MAX_RA_DELAY (rate limit), none for br1.
            t.drainSent(); // the initial advertisements so far
            t.deliver(new Datagram6(7, Ipv6Address.parse("fe80::1"), 0, Ipv6Address.parse("ff02::2"), new byte[] {(byte) 133, 0, 0, 0, 0, 0, 0, 0}));
            t.deliver(new Datagram6(8, Ipv6Address.parse("fe80::2"), 0, Ipv6Address.parse("ff02::2"), new byte[] {(byte) 133, 0, 0, 0, 0, 0, 0, 0}));
            t.deliver(new Datagram6(7, Ipv6Address.parse("fe80::1"), 0, Ipv6Address.parse("ff02::2"), new byte[] {(byte) 133, 1}));
            InMemoryPacket6Transport.Sent solicited = t.awaitSent(Duration.ofSeconds(4));
            assertThat(solicited).isNotNull();
            List<InMemoryPacket6Transport.Sent> since = new ArrayList<>(List.of(solicited));
            since.addAll(t.drainSent());
            assertThat(since).allMatch(s -> s.ifIndex() == 7);
            assertThat(ra.solicitationCount()).isEqualTo(2);
            assertThat(ra.malformedCount()).isEqualTo(1);
        } finally {
            ra.stop();
        }
    }

    @Test
    void stoppingSendsOneFinalAdvertisementWithRouterLifetimeZeroOnEachAdvertisingLinkAndNothingAfter() throws Exception {
        InMemoryPacket6Transport t = new InMemoryPacket6Transport();
        RaServer ra = new RaServer(t, List.of("br0", "br1"), new ServedNetworks(() -> List.of(LAN)),
                name -> Optional.ofNullable(HOST.get(name)), Clock.systemUTC(), new SplittableRandom(4));
        ra.start();
        InMemoryPacket6Transport.Sent first = t.awaitSent(WAIT);
        assertThat(first).isNotNull();
        assertThat(RaCodec.decode(first.data()).routerLifetimeSeconds()).isEqualTo(RouterAdvertisement.ROUTER_LIFETIME);
        ra.stop();
        List<InMemoryPacket6Transport.Sent> rest = t.drainSent();
        assertThat(rest).isNotEmpty();
        InMemoryPacket6Transport.Sent last = rest.getLast();
        RouterAdvertisement fin = RaCodec.decode(last.data());
        assertThat(last.ifIndex()).isEqualTo(7); // br1 serves no IPv6 network: nothing there
        assertThat(last.destination()).isEqualTo(Ipv6Address.parse("ff02::1"));
        assertThat(fin.routerLifetimeSeconds()).isZero();
        assertThat(fin.prefix()).isEqualTo(LAN.ipv6Prefix());
        assertThat(fin.validLifetimeSeconds()).isEqualTo(RouterAdvertisement.PREFIX_VALID); // hosts keep their addresses
        assertThat(rest.stream().filter(s -> RaCodec.decode(s.data()).routerLifetimeSeconds() == 0)).hasSize(1);
        Thread.sleep(300);
        assertThat(t.pollSent()).isNull();
    }

    @Test
    void readyWhenEveryServingLinkIsJoined() throws Exception {
        InMemoryPacket6Transport t = new InMemoryPacket6Transport();
        RaServer ra = new RaServer(t, List.of("br0", "br1"), new ServedNetworks(() -> List.of(LAN)),
                name -> Optional.ofNullable(HOST.get(name)), Clock.systemUTC(), new SplittableRandom(3));
        ra.start();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!ra.ready() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ra.ready()).isTrue();
        } finally {
            ra.stop();
        }
        assertThat(ra.ready()).isFalse();
    }
}
