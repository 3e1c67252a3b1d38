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
import dev.vmaddr.dhcp.protocol.NewClientGuard;
import dev.vmaddr.dhcp.protocol.ReceiveContext;
import dev.vmaddr.dhcp.server.EngineClientPolicy;
import dev.vmaddr.dhcp.server.EngineLeaseOperations;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.ClientAccess;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one DISCOVER of a starvation flood costs the server once it is refused (issue 23): bytes →
 * decode → {@link DhcpProtocol#handle} → dropped, for a new MAC every op. {@code clients=any}: the
 * new-client guard is out of tokens (a fixed clock never refills it), so each DISCOVER is refused
 * by the guard and then looked up by the client policy (the engine: reservations, then the store's
 * holder index) before it is dropped as {@code new-client-rate}; {@code clients=known}: dropped as
 * {@code unknown-client} after the lookup. Run with {@code -prof gc} for bytes per op (most is the
 * decoded message; the guard itself allocates nothing, NewClientGuardTest checks that).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FloodDropBenchmark {
    private static final Ipv4Address SERVER = Ipv4Address.parse("10.20.0.1");
    private static final ReceiveContext ON_BRIDGE = ReceiveContext.broadcastOn("br-bench", SERVER);
    private static final int CHADDR_OFFSET = 28;

    @Param({"any", "known"})
    public String clients;

    private DhcpProtocol protocol;
    private final DhcpDecoder decoder = new DhcpDecoder();
    private byte[] discover;
    private long next;

    @Setup
    public void setUp() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        AllocationEngine engine = new AllocationEngine(new MemoryStore(), clock, new SplittableRandom(42));
        engine.putNetwork(NetworkSpec.builder("bench", Ipv4Prefix.parse("10.20.0.0/16")).gateway(SERVER).bridge("br-bench")
                .pools(List.of(Ipv4Range.parse("10.20.0.0/16"))).clients(ClientAccess.fromWireName(clients)).build());
        NewClientGuard guard = new NewClientGuard(new NewClientGuard.Limits(1, 1, 256),
                DhcpServerSettings.DEFAULTS.offerHold(), clock);
        protocol = new DhcpProtocol(new EngineLeaseOperations(engine), DhcpServerSettings.DEFAULTS, ConflictProbe.NONE,
                DhcpEvents.NONE, clock, new EngineClientPolicy(engine), guard);
        DhcpOptions o = DhcpOptions.builder().messageType(DhcpMessageType.DISCOVER).parameterRequestList(1, 3, 6, 12, 15, 28)
                .maxMessageSize(1500).build();
        discover = new DhcpEncoder().encode(DhcpMessage.builder().xid(0x5eed).mac(new MacAddress(0x06_00_00_00_00_00L))
                .options(o).build());
        next = 0x06_00_00_00_00_00L;
        // the one token of the bucket goes to a first client: every op after it is refused
        protocol.handle(decode(), ON_BRIDGE);
    }

    private DhcpMessage decode() {
        long mac = next++ & 0xFFFF_FFFF_FFFFL;
        for (int i = 0; i < 6; i++) {
            discover[CHADDR_OFFSET + i] = (byte) (mac >>> (40 - 8 * i));
        }
        try {
            return decoder.decode(discover, 0, discover.length);
        } catch (MalformedPacketException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public boolean dropped() {
        if (protocol.handle(decode(), ON_BRIDGE).isPresent()) {
            throw new IllegalStateException("a flood DISCOVER was answered");
        }
        return true;
    }
}
