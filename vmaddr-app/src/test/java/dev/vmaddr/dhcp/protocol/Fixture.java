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
import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.ipam.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Two networks as in the product spec's example config: lan0 on br-lan0, lan1 behind relay 198.18.1.1. */
final class Fixture {
    static final Ipv4Address SERVER = ip("198.18.0.1");
    static final MacAddress MAC = MacAddress.parse("02:18:aa:00:00:07");
    static final MacAddress RESERVED_MAC = MacAddress.parse("02:18:aa:00:00:50");
    static final ReceiveContext ON_LAN0 = ReceiveContext.broadcastOn("br-lan0", SERVER);

    final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    final NetworkSpec lan0 = new NetworkSpec("lan0", Ipv4Prefix.parse("198.18.0.0/24"), ip("198.18.0.1"),
            List.of(ip("198.18.0.53"), ip("198.18.0.54")), "lab.example", 1500, "br-lan0", null, null, null,
            Duration.ofSeconds(120), Duration.ofSeconds(60), Duration.ofSeconds(105),
            List.of(Ipv4Range.parse("198.18.0.100-198.18.0.104")), List.of(Ipv4Range.parse("198.18.0.101")),
            List.of(new Reservation(RESERVED_MAC, null, ip("198.18.0.50"), "db1")), null, List.of(), List.of());
    final NetworkSpec lan1 = new NetworkSpec("lan1", Ipv4Prefix.parse("198.18.1.0/24"), ip("198.18.1.1"),
            List.of(ip("198.18.0.53")), null, null, null, null, null, null, null, null, null,
            List.of(Ipv4Range.parse("198.18.1.100-198.18.1.150")), List.of(), List.of(), null,
            List.of(ip("198.18.1.1")), List.of());
    final InMemoryLeases leases = new InMemoryLeases(clock, lan0, lan1);
    final CountingDhcpEvents events = new CountingDhcpEvents();

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
