package dev.vmaddr.bench;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.DhcpMessageType;
import dev.vmaddr.dhcp.codec.DhcpOptions;
import dev.vmaddr.dhcp.codec.MalformedPacketException;
import dev.vmaddr.dhcp.protocol.ConflictProbe;
import dev.vmaddr.dhcp.protocol.DhcpEvents;
import dev.vmaddr.dhcp.protocol.DhcpProtocol;
import dev.vmaddr.dhcp.protocol.DhcpServerSettings;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.protocol.Reply;
import dev.vmaddr.dhcp.server.EngineLeaseOperations;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One full DORA per op, as the server does it minus the socket: DISCOVER bytes → decode →
 * {@link DhcpProtocol#handle} → encode the OFFER into a datagram buffer, then the same for REQUEST →
 * ACK. The real engine over the non-durable {@link MemoryStore} on a /16 (65,533 dynamic addresses),
 * no conflict probe, so the figure is protocol + codec + allocation without I/O or fsync.
 *
 * <p>Every op is a client never seen before (a fresh MAC), so each DISCOVER allocates from the free
 * index and each REQUEST writes a new BOUND lease. The client's packets are dhclient-like (parameter
 * request list, hostname, max message size) and built once as templates; per op only chaddr and
 * option 50 are patched in, since building a client's packet is not server work. After the ACK the
 * lease is released through the engine (not the protocol) so the fill stays at {@code fill} percent.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DhcpProtocolBenchmark {
    private static final Ipv4Address SERVER = Ipv4Address.parse("10.20.0.1");
    private static final ReceiveContext ON_BRIDGE = ReceiveContext.broadcastOn("br-bench", SERVER);
    private static final int CHADDR_OFFSET = 28;

    @Param({"0", "50"})
    public int fill;

    private AllocationEngine engine;
    private DhcpProtocol protocol;
    private final DhcpDecoder decoder = new DhcpDecoder();
    private final DhcpEncoder encoder = new DhcpEncoder();
    private final byte[] out = new byte[1500];
    private byte[] discover;
    private byte[] request;
    private int requestedIpOffset;
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        // measure the protocol, not console logging of every lease event
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        engine = new AllocationEngine(new MemoryStore(), clock, new SplittableRandom(42));
        engine.putNetwork(new NetworkSpec("bench", Ipv4Prefix.parse("10.20.0.0/16"), SERVER,
                List.of(Ipv4Address.parse("10.20.0.53")), "bench.example", 1500, "br-bench", null, null, null,
                Duration.ofHours(1), null, null, List.of(Ipv4Range.parse("10.20.0.0/16")), List.of(), List.of(), null,
                List.of(), List.of()));
        long target = engine.stats("bench").size() * fill / 100;
        for (long i = 0; i < target; i++) {
            engine.allocate("bench", AllocationRequest.of(new MacAddress(0x020000000000L + i)));
        }
        protocol = new DhcpProtocol(new EngineLeaseOperations(engine), DhcpServerSettings.DEFAULTS, ConflictProbe.NONE,
                DhcpEvents.NONE, clock);
        MacAddress template = new MacAddress(0x06_00_00_00_00_00L);
        discover = encoder.encode(client(DhcpMessageType.DISCOVER, template, o -> { }));
        Ipv4Address marker = Ipv4Address.parse("10.20.254.254");
        request = encoder.encode(client(DhcpMessageType.REQUEST, template, o -> o.serverId(SERVER).requestedIp(marker)));
        requestedIpOffset = find(request, new byte[] {50, 4, 10, 20, (byte) 254, (byte) 254}) + 2;
        next = 0x06_00_00_00_00_00L;
    }

    private static DhcpMessage client(DhcpMessageType type, MacAddress mac, java.util.function.Consumer<DhcpOptions.Builder> more) {
        DhcpOptions.Builder o = DhcpOptions.builder().messageType(type).parameterRequestList(1, 28, 2, 3, 15, 6, 119, 12, 44,
                47, 26, 121, 42).hostname("vm-bench").maxMessageSize(1500);
        more.accept(o);
        return DhcpMessage.builder().xid(0x5eed).mac(mac).options(o.build()).build();
    }

    private static int find(byte[] hay, byte[] needle) {
        outer:
        for (int i = 240; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("option 50 marker not found in the REQUEST template");
    }

    private static void putMac(byte[] packet, long mac) {
        for (int i = 0; i < 6; i++) {
            packet[CHADDR_OFFSET + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    /** Server side of one datagram: decode, handle, encode the reply; returns the reply's length. */
    private Reply serve(byte[] packet) throws MalformedPacketException {
        Reply reply = protocol.handle(decoder.decode(packet, 0, packet.length), ON_BRIDGE).orElseThrow();
        encoder.encode(reply.message(), out, 0, reply.maxMessageSize());
        return reply;
    }

    @Benchmark
    public Ipv4Address dora() throws MalformedPacketException {
        long mac = next++ & 0xFFFF_FFFF_FFFFL;
        putMac(discover, mac);
        Ipv4Address offered = serve(discover).message().yiaddr();
        putMac(request, mac);
        int v = offered.value();
        request[requestedIpOffset] = (byte) (v >>> 24);
        request[requestedIpOffset + 1] = (byte) (v >>> 16);
        request[requestedIpOffset + 2] = (byte) (v >>> 8);
        request[requestedIpOffset + 3] = (byte) v;
        Reply ack = serve(request);
        if (ack.message().messageType().orElseThrow() != DhcpMessageType.ACK) {
            throw new IllegalStateException("expected ACK, got " + ack.message().messageType());
        }
        engine.release("bench", HolderKey.of(null, new MacAddress(mac)), offered);
        return offered;
    }
}
