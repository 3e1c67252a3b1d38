package dev.vmaddr.dhcp.server;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.protocol.ConflictProbe;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DhcpProtocol;
import dev.vmaddr.dhcp.protocol.DhcpServerSettings;
import dev.vmaddr.dhcp.protocol.DropReason;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.transport.Datagram;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The receive loop on an in-memory transport: relayed DORA end to end, malformed datagrams counted
 * without stopping the loop, direct requests on an interface not served dropped.
 */
class DhcpServerTest {
    private static final Ipv4Address RELAY = Ipv4Address.parse("198.18.50.1");
    private static final MacAddress MAC = MacAddress.parse("02:18:50:00:00:01");

    @TempDir
    Path dir;

    /**
     * Both dispatches, each with a store that blocks until durable (memory) and one that defers
     * (embedded: the ACK then leaves from the store's commit thread after the fsync).
     */
    static Stream<Arguments> setups() {
        return Stream.of(Arguments.of(DhcpServer.Dispatch.INLINE, true),
                Arguments.of(DhcpServer.Dispatch.INLINE, false),
                Arguments.of(DhcpServer.Dispatch.THREAD_PER_REQUEST, true),
                Arguments.of(DhcpServer.Dispatch.THREAD_PER_REQUEST, false));
    }

    @ParameterizedTest
    @MethodSource("setups")
    void relayedDoraMalformedAndUnservedPackets(DhcpServer.Dispatch dispatch, boolean embedded) throws Exception {
        MutableClock clock = new MutableClock();
        try (Store store = embedded ? EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults()) : new MemoryStore()) {
            relayedDora(dispatch, store, clock);
        }
    }

    private void relayedDora(DhcpServer.Dispatch dispatch, Store store, MutableClock clock) throws Exception {
        AllocationEngine engine = new AllocationEngine(store, clock, new Random(3));
        engine.putNetwork(NetworkSpec.of("relayed", Ipv4Prefix.parse("198.18.50.0/24"), RELAY,
                List.of(Ipv4Range.parse("198.18.50.100-198.18.50.110"))));
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        DhcpEvents events = new DhcpEvents() {
            @Override
            public void malformed(String reason, ReceiveContext ctx) {
                seen.add("malformed");
            }

            @Override
            public void dropped(DropReason reason, String detail) {
                seen.add("dropped " + reason);
            }
        };
        DhcpProtocol protocol = new DhcpProtocol(new EngineLeaseOperations(engine), DhcpServerSettings.DEFAULTS,
                ConflictProbe.NONE, events, clock);
        InMemoryTransport transport = new InMemoryTransport();
        DhcpServer server = new DhcpServer(transport, protocol, events, Set.of("no-such-if"), clock,
                dispatch, 16, DhcpServer.INTERFACE_TTL);
        server.start();
        try {
            transport.deliver(datagram(new byte[] {1, 2, 3}));
            transport.deliver(datagram(encode(message(DhcpMessageType.DISCOVER, Ipv4Address.ANY, o -> { }))));
            // a direct (giaddr 0) DISCOVER on an interface the config does not list
            transport.deliver(datagram(encode(DhcpMessage.builder().xid(9).mac(MAC)
                    .options(DhcpOptions.builder().messageType(DhcpMessageType.DISCOVER).build()).build())));

            InMemoryTransport.Sent offerSent = transport.awaitSent(Duration.ofSeconds(5));
            assertThat(offerSent).isNotNull();
            assertThat(offerSent.destination()).isEqualTo(new InetSocketAddress(RELAY.toInetAddress(), 67));
            DhcpMessage offer = new DhcpDecoder().decode(offerSent.data());
            assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
            Ipv4Address ip = offer.yiaddr();
            Ipv4Address serverId = offer.options().serverId().orElseThrow();

            transport.deliver(datagram(encode(message(DhcpMessageType.REQUEST, Ipv4Address.ANY,
                    o -> o.requestedIp(ip).serverId(serverId)))));
            InMemoryTransport.Sent ackSent = transport.awaitSent(Duration.ofSeconds(5));
            assertThat(ackSent).isNotNull();
            DhcpMessage ack = new DhcpDecoder().decode(ackSent.data());
            assertThat(ack.messageType()).contains(DhcpMessageType.ACK);
            assertThat(ack.yiaddr()).isEqualTo(ip);
            assertThat(engine.lease("relayed", ip)).hasValueSatisfying(l -> assertThat(l.mac()).isEqualTo(MAC));
            // With a thread per request the malformed and the unserved datagram are handled on their
            // own threads, which may run after the ACK went out: wait for their events, then look.
            awaitSeen(seen, List.of("malformed", "dropped " + DropReason.NOT_SERVED_HERE), Duration.ofSeconds(5));
            assertThat(seen).contains("malformed", "dropped " + DropReason.NOT_SERVED_HERE);
            assertThat(transport.pollSent()).as("nothing else was answered").isNull();
            assertThat(server.ready()).isTrue();
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
        assertThat(transport.isClosed()).isTrue();
    }

    /** Waits (bounded) until the server's threads have reported every one of {@code expected}. */
    private static void awaitSeen(Collection<String> seen, List<String> expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static DhcpMessage message(DhcpMessageType type, Ipv4Address ciaddr, java.util.function.Consumer<DhcpOptions.Builder> options) {
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(type);
        options.accept(o);
        return DhcpMessage.builder().xid(0x5eed).mac(MAC).giaddr(RELAY).ciaddr(ciaddr).options(o.build()).build();
    }

    private static byte[] encode(DhcpMessage m) {
        return new DhcpEncoder().encode(m);
    }

    private static Datagram datagram(byte[] payload) {
        // ifindex 1 is the loopback interface: not in the served list, so only relayed requests are answered.
        return new Datagram(1, new InetSocketAddress(RELAY.toInetAddress(), 67), (Inet4Address) Ipv4Address.parse("198.18.50.254").toInetAddress(),
                payload);
    }
}
