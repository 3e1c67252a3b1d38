package dev.vmaddr.dhcp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The IPv6 in-memory transport: what the AOT training drains and what the RA and DHCPv6 tests wait
 * for. Closing is InMemoryQueues', tested through the IPv4 transport (InMemoryTransportTest).
 */
class InMemoryPacket6TransportTest {
    private static final Ipv6Address ALL_SERVERS = Ipv6Address.parse("ff02::1:2");
    private final InMemoryPacket6Transport transport = new InMemoryPacket6Transport();

    @Test
    void deliveredDatagramsAreReceivedInOrderAndSentOnesDrainOldestFirst() throws Exception {
        Datagram6 first = new Datagram6(7, Ipv6Address.parse("fe80::1"), 546, ALL_SERVERS, new byte[] {1});
        Datagram6 second = new Datagram6(7, Ipv6Address.parse("fe80::2"), 546, ALL_SERVERS, new byte[] {2});
        transport.deliver(first);
        transport.deliver(second);
        assertThat(transport.receive()).isEqualTo(first);
        assertThat(transport.receive()).isEqualTo(second);

        transport.send(7, Ipv6Address.parse("fe80::1"), 546, new byte[] {1});
        transport.send(0, Ipv6Address.parse("2001:db8::2"), 547, new byte[] {2});
        transport.send(7, Ipv6Address.parse("fe80::3"), 546, new byte[] {3});
        assertThat(transport.awaitSent(Duration.ofSeconds(1)).data()).containsExactly(1);
        List<InMemoryPacket6Transport.Sent> rest = transport.drainSent();
        assertThat(rest).extracting(InMemoryPacket6Transport.Sent::port).containsExactly(547, 546);
        assertThat(transport.pollSent()).isNull();
        assertThat(transport.drainSent()).isEmpty();
    }

    @Test
    void awaitJoinedWaitsForEveryGroupAndTimesOutWithoutThem() throws Exception {
        InMemoryPacket6Transport.Joined dhcp = new InMemoryPacket6Transport.Joined(7, ALL_SERVERS);
        InMemoryPacket6Transport.Joined routers = new InMemoryPacket6Transport.Joined(8, Ipv6Address.parse("ff02::2"));
        assertThat(transport.awaitJoined(List.of(dhcp), Duration.ofMillis(20))).isFalse();

        CompletableFuture<Void> joining = CompletableFuture.runAsync(() -> {
            transport.join(7, ALL_SERVERS);
            transport.join(8, Ipv6Address.parse("ff02::2"));
        });
        assertThat(transport.awaitJoined(List.of(dhcp, routers), Duration.ofSeconds(5))).isTrue();
        joining.get(5, TimeUnit.SECONDS);
        assertThat(transport.joined()).containsExactly(dhcp, routers);
    }
}
