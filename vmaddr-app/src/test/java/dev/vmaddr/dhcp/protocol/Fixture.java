package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.server.EngineLeaseOperations;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Two networks as in the product spec's example config: lan0 on br-lan0, lan1 behind relay 198.18.1.1,
 * served by the real allocation engine over the (non-durable) memory store.
 */
final class Fixture {
    /**
     * The engine picks a free address from a random start ("next free bit, wrapping"). A generator that
     * always says 0 starts every search at the first pool address, so tests can name the address a
     * client without a preference gets (lowest free) instead of accepting any pool address.
     */
    static final RandomGenerator LOWEST_FREE_FIRST = () -> 0L;

    static final Ipv4Address SERVER = ip("198.18.0.1");
    static final MacAddress MAC = MacAddress.parse("02:18:aa:00:00:07");
    static final MacAddress RESERVED_MAC = MacAddress.parse("02:18:aa:00:00:50");
    static final ReceiveContext ON_LAN0 = ReceiveContext.broadcastOn("br-lan0", SERVER);

    final MutableClock clock = new MutableClock();
    final NetworkSpec lan0 = new NetworkSpec("lan0", Ipv4Prefix.parse("198.18.0.0/24"), ip("198.18.0.1"),
            List.of(ip("198.18.0.53"), ip("198.18.0.54")), "lab.example", 1500, "br-lan0", null, null, null,
            Duration.ofSeconds(120), Duration.ofSeconds(60), Duration.ofSeconds(105),
            List.of(Ipv4Range.parse("198.18.0.100-198.18.0.104")), List.of(Ipv4Range.parse("198.18.0.101")),
            List.of(new Reservation(RESERVED_MAC, null, ip("198.18.0.50"), "db1")), null, List.of(), List.of());
    final NetworkSpec lan1 = new NetworkSpec("lan1", Ipv4Prefix.parse("198.18.1.0/24"), ip("198.18.1.1"),
            List.of(ip("198.18.0.53")), null, null, null, null, null, null, null, null, null,
            List.of(Ipv4Range.parse("198.18.1.100-198.18.1.150")), List.of(), List.of(), null,
            List.of(ip("198.18.1.1")), List.of());
    final MemoryStore store = new MemoryStore();
    final AllocationEngine engine;
    final LeaseOperations leases;
    final CountingDhcpEvents events = new CountingDhcpEvents();

    Fixture() {
        this(LOWEST_FREE_FIRST);
    }

    Fixture(RandomGenerator random) {
        engine = new AllocationEngine(store, clock, random);
        engine.putNetwork(lan0);
        engine.putNetwork(lan1);
        leases = new EngineLeaseOperations(engine);
    }

    DhcpProtocol protocol(DhcpServerSettings settings, ConflictProbe probe) {
        return new DhcpProtocol(leases, settings, probe, events, clock);
    }

    DhcpProtocol protocol() {
        return protocol(DhcpServerSettings.DEFAULTS, ConflictProbe.NONE);
    }

    static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    static DhcpMessage request(DhcpMessageType type, MacAddress mac, Consumer<DhcpMessage.Builder> header,
                               Consumer<DhcpOptions.Builder> options) {
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(type);
        options.accept(o);
        DhcpMessage.Builder b = DhcpMessage.builder().xid(0x5eed).mac(mac).options(o.build());
        header.accept(b);
        return b.build();
    }

    static DhcpMessage request(DhcpMessageType type, Consumer<DhcpOptions.Builder> options) {
        return request(type, MAC, h -> { }, options);
    }

    /** Through the codec both ways, as the server loop will do it. */
    static Optional<Reply> overTheWire(DhcpProtocol protocol, DhcpMessage request, ReceiveContext ctx) throws Exception {
        DhcpEncoder encoder = new DhcpEncoder();
        DhcpDecoder decoder = new DhcpDecoder();
        Optional<Reply> reply = protocol.handle(decoder.decode(encoder.encode(request, 1500)), ctx);
        if (reply.isEmpty()) {
            return reply;
        }
        byte[] buf = new byte[1500];
        int n = encoder.encode(reply.get().message(), buf, 0, reply.get().maxMessageSize());
        DhcpMessage back = decoder.decode(buf, 0, n);
        Reply r = reply.get();
        return Optional.of(new Reply(back, r.destination(), r.port(), r.interfaceName(), r.maxMessageSize()));
    }
}
