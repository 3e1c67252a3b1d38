package dev.vmaddr.dhcp.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.vmaddr.dhcp.transport.Datagram;
import dev.vmaddr.dhcp.transport.InMemoryTransport;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.postgresql.PostgresStore;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 20: a lease bound through the DHCP receive path (in-memory transport, real codec, protocol,
 * engine and store) is a history event with actor {@code dhcp}, in both stores and both dispatches;
 * the embedded store keeps the actor across a restart (the log replays it).
 */
@ExtendWith(PostgresExtension.class)
class DhcpHistoryActorTest {
    private static final Ipv4Address RELAY = Ipv4Address.parse("198.18.51.1");
    private static final MacAddress MAC = MacAddress.parse("02:18:51:00:00:01");

    private final PostgresDatabase pg;
    @TempDir
    Path dir;

    DhcpHistoryActorTest(PostgresDatabase pg) {
        this.pg = pg;
    }

    private Store open(String kind, MutableClock clock, String db) {
        return switch (kind) {
            case "embedded" -> EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults());
            case "postgresql" -> PostgresStore.open(db, pg.user(), pg.password(), clock, PostgresStore.Options.defaults());
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @CsvSource({"embedded,INLINE", "embedded,THREAD_PER_REQUEST", "postgresql,INLINE", "postgresql,THREAD_PER_REQUEST"})
    void aLeaseBoundThroughTheReceivePathNamesActorDhcp(String kind, DhcpServer.Dispatch dispatch) throws Exception {
        MutableClock clock = new MutableClock();
        String db = kind.equals("postgresql") ? pg.cluster().createDatabase("dhcpactor") : null;
        Ipv4Address ip;
        try (Store store = open(kind, clock, db)) {
            ip = dora(store, clock, dispatch);
            assertBoundByDhcp(store, ip);
        }
        try (Store again = open(kind, clock, db)) {
            assertBoundByDhcp(again, ip);
        }
    }

    private static void assertBoundByDhcp(Store store, Ipv4Address ip) {
        List<HistoryEvent> events = store.history().query(ip, null, null, null, null, 100);
        assertThat(events).extracting(HistoryEvent::action).contains("bound");
        assertThat(events).filteredOn(e -> e.action().equals("bound")).extracting(HistoryEvent::actor).containsOnly("dhcp");
        assertThat(events).extracting(HistoryEvent::mac).containsOnly(MAC);
    }

    private Ipv4Address dora(Store store, MutableClock clock, DhcpServer.Dispatch dispatch) throws Exception {
        AllocationEngine engine = new AllocationEngine(store, clock, new Random(3));
        engine.putNetwork(NetworkSpec.of("relayed", Ipv4Prefix.parse("198.18.51.0/24"), RELAY,
                List.of(Ipv4Range.parse("198.18.51.100-198.18.51.110"))));
        DhcpEvents events = new DhcpEvents() {};
        DhcpProtocol protocol = new DhcpProtocol(new EngineLeaseOperations(engine), DhcpServerSettings.DEFAULTS,
                ConflictProbe.NONE, events, clock);
        InMemoryTransport transport = new InMemoryTransport();
        DhcpServer server = new DhcpServer(transport, protocol, events, Set.of("no-such-if"), clock, dispatch, 16, DhcpServer.INTERFACE_TTL);
        server.start();
        try {
            transport.deliver(datagram(message(DhcpMessageType.DISCOVER, o -> { })));
            InMemoryTransport.Sent offerSent = transport.awaitSent(Duration.ofSeconds(10));
            assertThat(offerSent).isNotNull();
            DhcpMessage offer = new DhcpDecoder().decode(offerSent.data());
            Ipv4Address ip = offer.yiaddr();
            Ipv4Address serverId = offer.options().serverId().orElseThrow();
            transport.deliver(datagram(message(DhcpMessageType.REQUEST, o -> o.requestedIp(ip).serverId(serverId))));
            InMemoryTransport.Sent ackSent = transport.awaitSent(Duration.ofSeconds(10));
            assertThat(ackSent).isNotNull();
            assertThat(new DhcpDecoder().decode(ackSent.data()).messageType()).contains(DhcpMessageType.ACK);
            return ip;
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static Datagram datagram(DhcpMessage m) {
        return new Datagram(1, new InetSocketAddress(RELAY.toInetAddress(), 67),
                (Inet4Address) Ipv4Address.parse("198.18.51.254").toInetAddress(), new DhcpEncoder().encode(m));
    }

    private static DhcpMessage message(DhcpMessageType type, Consumer<DhcpOptions.Builder> options) {
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(type);
        options.accept(o);
        return DhcpMessage.builder().xid(0x5eed).mac(MAC).giaddr(RELAY).ciaddr(Ipv4Address.ANY).options(o.build()).build();
    }

}
